/*
 * Fuzz target for the diagnosis engine's text inputs (step and stack names,
 * log wording) and its ranking: the first bytes choose the alert, sender,
 * version and every fact; the rest is split at the first two newlines into a
 * step name, a stack name and a log text.  Invariants: the engine never fails
 * except on an unknown step, results are sorted, unique and in 1..100.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsalert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tlsa_tri tri_of(uint8_t b)
{
	return (tlsa_tri)(b % 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_diag_ctx c;
	struct tlsa_cause out[48];
	struct tlsa_error err;
	uint8_t hdr[32] = {0};
	size_t n = 0, h = size < sizeof(hdr) ? size : sizeof(hdr);

	memcpy(hdr, data, h);
	memset(&c, 0, sizeof(c));
	c.alert = hdr[0];
	c.level = hdr[1] % 4 - 1;
	c.sender = (tlsa_party)(hdr[2] % 3);
	c.seen = (tlsa_seen)(hdr[3] % 3);
	c.version = (tlsa_version)(hdr[4] % TLSA_VER_COUNT);
	c.offered_max = (tlsa_version)(hdr[5] % TLSA_VER_COUNT);
	c.offered_min = (tlsa_version)(hdr[6] % TLSA_VER_COUNT);
	c.selected = (tlsa_version)(hdr[7] % TLSA_VER_COUNT);
	tlsa_tri *tris[] = {&c.cipher_overlap,	   &c.group_overlap,
			    &c.alpn_offered,	   &c.alpn_selected,
			    &c.sni_sent,	   &c.fallback_scsv,
			    &c.ems_offered,	   &c.reneg_info_offered,
			    &c.cert_requested,	   &c.client_cert_sent,
			    &c.hello_malformed,	   &c.keyshare_invalid,
			    &c.app_data_seen,	   &c.renegotiating,
			    &c.handshake_done,	   &c.cert_expired,
			    &c.cert_name_mismatch, &c.cert_self_signed,
			    &c.encrypted,	   &c.inferred};
	for (size_t i = 0; i < sizeof(tris) / sizeof(tris[0]); i++)
		*tris[i] = tri_of(hdr[8 + i]);
	c.record_len = (uint32_t)hdr[28] << 8 | hdr[29];
	c.dh_bits = (uint32_t)hdr[30] << 4;
	/* The facts of issue 11, two bits each of the last header byte, and a
	 * certificate for the evidence when the first of them is known. */
	tlsa_tri *more[] = {&c.cert_not_yet_valid, &c.cert_issuer_missing, &c.cert_weak_key,
			    &c.cert_chain_misordered};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		*more[i] = tri_of((uint8_t)(hdr[31] >> (2 * i)));
	static struct tlsa_cert_info cert = {.parsed = true, .san_count = 12, .key_bits = 512};
	if (c.cert_not_yet_valid != TLSA_TRI_UNKNOWN) {
		c.cert = &cert;
		c.sni = "fuzz.example";
		c.capture_time = (int64_t)hdr[30] << 24;
	}

	/* The text part: "step\nstack\nlog text" */
	size_t rest = size - h;
	char *text = malloc(rest + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data + h, rest);
	text[rest] = '\0';
	char *step = text, *stack = NULL, *log = NULL;
	char *nl = strchr(step, '\n');
	if (nl != NULL) {
		*nl = '\0';
		stack = nl + 1;
		nl = strchr(stack, '\n');
		if (nl != NULL) {
			*nl = '\0';
			log = nl + 1;
		}
	}
	c.step = step[0] != '\0' ? step : NULL;
	c.stack = stack;
	(void)tlsa_stack_parse(stack);
	(void)tlsa_step_parse(step);
	if (log != NULL)
		(void)tlsa_stack_from_text(log, rest - (size_t)(log - text));

	int rc = tlsa_diagnose(&c, out, hdr[31] % 50, &n, &err);
	if (rc != 0 && (rc != TLSA_EINVAL || c.step == NULL || tlsa_step_parse(c.step) != NULL))
		abort();
	for (size_t i = 0; i < n; i++) {
		if (out[i].score < 1 || out[i].score > 100 || out[i].id == NULL ||
		    tlsa_cause_def_get(out[i].id) == NULL)
			abort();
		if (i > 0 && out[i].score > out[i - 1].score)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(out[i].id, out[j].id) == 0)
				abort();
		if (memchr(out[i].evidence, '\0', sizeof(out[i].evidence)) == NULL)
			abort();
	}
	free(text);
	return 0;
}
