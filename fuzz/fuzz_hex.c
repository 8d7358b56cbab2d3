/*
 * Fuzz target for the hex parser: any text, into a buffer of the documented
 * size (len / 2 + 1, enough without "*" repeat lines) and into a tiny one, checking the reported
 * lengths and offsets stay inside what was passed.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsalert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_error err;
	size_t cap = size / 2 + 1, n = 0;
	uint8_t *out = malloc(cap);
	uint8_t small[3];

	if (out == NULL)
		return 0;
	int rc = tlsa_hex_decode((const char *)data, size, out, cap, &n, &err);
	if (n > cap || (rc == TLSA_ELIMIT && memchr(data, '*', size) == NULL))
		abort(); /* len / 2 + 1 suffices unless a dump repeats lines */
	if (rc != 0 && (err.offset > size || strlen(err.msg) == 0))
		abort();
	if (rc == 0) {
		/* Decoded bytes feed the record decoder, as the CLI does. */
		(void)tlsa_decode_alerts(out, n, NULL, NULL, &err);
	}
	free(out);
	rc = tlsa_hex_decode((const char *)data, size, small, sizeof(small), &n, &err);
	if (n > sizeof(small))
		abort();
	return 0;
}
