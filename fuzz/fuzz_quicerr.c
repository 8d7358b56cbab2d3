/*
 * Fuzz target for tlsa_quic_error_parse(): any text must either fail or give a QUIC error
 * that holds together: an alert only with a CRYPTO_ERROR wire code 0x100 + alert, a
 * name, a stack and a meaning; and the alert's CRYPTO_ERROR must read back as it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_quic_error q, back;
	char buf[32];

	if (tlsa_quic_error_parse((const char *)data, size, &q) != 0)
		return 0;
	if (q.name == NULL || q.stack == NULL || q.meaning == NULL || q.alert > 255)
		abort();
	if (q.alert >= 0) {
		if (q.wire != 0x100 + q.alert || tlsa_alert_get((uint8_t)q.alert) == NULL)
			abort();
		snprintf(buf, sizeof(buf), "CRYPTO_ERROR 0x%x", 0x100 + q.alert);
		if (tlsa_quic_error_parse(buf, strlen(buf), &back) != 0 || back.alert != q.alert)
			abort();
	}
	return 0;
}
