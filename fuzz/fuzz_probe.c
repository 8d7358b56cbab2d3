/*
 * Fuzz target for `probe`'s two hand-written codecs: the server's answer
 * (records, handshake messages, alerts; fed in two chunks to cross record
 * boundaries) and the ClientHello encoder (a hello spec drawn from the input,
 * encoded into a buffer that may be too small, then parsed back by the hello
 * parser the tracker uses).
 */
#include <stdlib.h>
#include <string.h>

#include "net/net_int.h"
#include "tlsalert/hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void answer(const uint8_t *data, size_t size)
{
	static const uint8_t hello[] = {22, 3, 1, 0, 4, 1, 0, 0, 0};
	struct tlsa_probe_result r;
	memset(&r, 0, sizeof(r));
	tlsa_hs_facts_init(&r.hs);
	struct answer *a = net_answer_new(hello, sizeof(hello), NULL, &r);
	if (a == NULL)
		return;
	size_t cut = size > 0 ? data[0] % (size + 1) : 0;
	if (!net_answer_feed(a, data, cut))
		net_answer_feed(a, data + cut, size - cut);
	net_answer_free(a);
	if (r.bytes_in > size || r.step == NULL)
		abort();
}

static void encode(const uint8_t *data, size_t size)
{
	struct tlsa_probe_hello h;
	uint8_t random[32] = {0}, out[4096];
	size_t len = 0;
	memset(&h, 0, sizeof(h));
	if (size < 8)
		return;
	h.legacy_version = (uint16_t)(0x0300 | (data[0] & 7));
	h.n_versions = data[1] % 9;
	for (size_t i = 0; i < h.n_versions; i++)
		h.versions[i] = (uint16_t)(0x0300 | (data[2] + i) % 6);
	h.n_suites = data[3] % (TLSA_PROBE_LIST_MAX + 1);
	for (size_t i = 0; i < h.n_suites; i++)
		h.suites[i] = (uint16_t)(0x1300 + i);
	h.n_groups = data[4] % 17;
	for (size_t i = 0; i < h.n_groups; i++)
		h.groups[i] = (uint16_t)(0x17 + i);
	h.n_key_shares = data[5] % 5;
	for (size_t i = 0; i < h.n_key_shares; i++)
		h.key_shares[i] = (uint16_t)(0x17 + i * 3);
	h.sni = data[6] & 1;
	h.grease = data[6] & 2;
	h.fallback_scsv = data[6] & 4;
	h.record_size_limit = data[6] & 8;
	h.max_fragment = data[6] & 16;
	h.malform = (enum tlsa_probe_malform)(data[7] % 5);
	h.pad_to = (uint16_t)(data[7] * 3);
	char alpn[64] = "";
	size_t an = size - 8 < sizeof(alpn) - 1 ? size - 8 : sizeof(alpn) - 1;
	memcpy(alpn, data + 8, an);
	alpn[strnlen(alpn, an)] = '\0';
	h.alpn = an > 0 ? alpn : NULL;
	size_t cap = data[0] & 0x80 ? sizeof(out) : (size_t)data[1] * 4;
	if (tlsa_probe_hello_encode(&h, "example.com", random, NULL, out, cap, &len, NULL) != 0)
		return;
	if (len > cap || len < 9 || (size_t)(out[3] << 8 | out[4]) != len - 5)
		abort();
	struct tlsa_hs_facts hs;
	tlsa_hs_facts_init(&hs);
	if (h.malform == TLSA_MALFORM_NONE && h.legacy_version != 0x0300 &&
	    tlsa_parse_client_hello(out + 9, len - 9, false, &hs, NULL) == 0 &&
	    hs.n_suites != h.n_suites + h.grease + h.fallback_scsv)
		abort();
}

/* The input as a captured hello to replay: refused, or rewritten within the buffer. */
static void replay(const uint8_t *data, size_t size)
{
	uint8_t random[32] = {0}, out[70000];
	size_t len = 0;
	struct tlsa_probe_hello h = {
		.sni = size > 0 && (data[size - 1] & 1), .raw = data, .raw_len = size};
	if (tlsa_probe_hello_encode(&h, "example.com", random, NULL, out, sizeof(out), &len,
				    NULL) == 0 &&
	    (len < 9 || len > size + 300 || out[0] != 22 ||
	     (size_t)(out[3] << 8 | out[4]) != len - 5))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	answer(data, size);
	replay(data, size);
	encode(data, size);
	return 0;
}
