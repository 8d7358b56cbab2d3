/*
 * Fuzz target: the bytes are key log text, merged twice into one key log
 * (the second time as a pcapng Decryption Secrets Block payload), then every
 * client random the text could name is looked up.  No warning may quote a secret
 * (wrapped lines put secret digits where a label belongs).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A warning never quotes a secret: no run of 32 hex digits (a 16-byte secret or more). */
static void no_secret(const char *msg)
{
	size_t run = 0;
	for (const char *p = msg; *p != '\0'; p++) {
		bool hex = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
			   (*p >= 'A' && *p <= 'F');
		run = hex ? run + 1 : 0;
		if (run >= 32)
			abort();
	}
}

static void on_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	unsigned *n = ctx;
	no_secret(msg);
	*n += (unsigned)line + (unsigned)strlen(msg) + (unsigned)strlen(origin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	if (kl == NULL)
		return 0;
	unsigned sum = 0;
	struct tlsa_error err;
	tlsa_keylog_add_text(kl, (const char *)data, size, "fuzz", on_warn, &sum, &err);
	tlsa_keylog_add_dsb(kl, TLSA_DSB_TLS_KEYLOG, data, size, NULL, on_warn, &sum, &err);
	/* look up every 32-byte window, and every entry found reads all its secrets */
	for (size_t i = 0; i + 32 <= size && i < 4096; i += 7) {
		struct tlsa_keylog_entry buf;
		const struct tlsa_keylog_entry *e = tlsa_keylog_find(kl, data + i, &buf);
		for (int l = 0; e != NULL && l < TLSA_KL_COUNT; l++) {
			const struct tlsa_keylog_secret *s =
				tlsa_keylog_secret(e, (tlsa_keylog_label)l);
			if (s != NULL)
				sum += s->v[s->len - 1];
		}
	}
	volatile unsigned sink = sum + (unsigned)tlsa_keylog_count(kl);
	(void)sink;
	tlsa_keylog_free(kl);
	return 0;
}
