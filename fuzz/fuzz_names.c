/*
 * Fuzz target for tlsa_alert_parse(): any text must either fail or give a
 * code whose registry name parses back to the same code.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsalert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t code, again;

	if (tlsa_alert_parse((const char *)data, size, &code) != 0)
		return 0;
	const struct tlsa_alert *a = tlsa_alert_get(code);
	if (a == NULL || a->code != code)
		abort();
	if ((a->status == TLSA_STATUS_ASSIGNED || a->status == TLSA_STATUS_RESERVED) &&
	    (tlsa_alert_parse(a->name, strlen(a->name), &again) != 0 || again != code))
		abort();
	return 0;
}
