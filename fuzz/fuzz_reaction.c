/*
 * Fuzz target for `serve`'s reaction parser and judge (src/lib/net/reaction.c,
 * reaction_judge.c): the peer's bytes after our alert, in chunks the input
 * chooses, then an end; checks that the counts add up.
 *
 * Input: byte 0 picks the version (bits 0-1: TLS 1.2, TLS 1.3, DTLS 1.2,
 * TLS 1.0), whether keys are given (bit 2), a second direction (bit 3: TLS
 * 1.3 only, the first one's KeyUpdate), peer_protected (bit 4), plaintext
 * (bit 5) and the end (bits 6-7: none, FIN, RST, timeout); byte 1 our level,
 * byte 2 our code, byte 3 the shape (bit 7: the peer is the client; bit 6: it
 * sent an alert before ours), byte 4 seeds the chunk sizes (0: all at
 * once; DTLS: each chunk is a datagram).  The rest is what the peer sent.
 * Key material as fuzz_decrypt's: TLS 1.3 secret 32 x 0x42
 * (TLS_AES_128_GCM_SHA256); TLS 1.2 master secret 48 x 0x42, randoms 32 x
 * 0x01 / 32 x 0x02, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, client direction
 * (so fuzz/corpus/fuzz_decrypt's 1301-13-0 and c02f-0303-00 records, which
 * the seeds here reuse, open).
 */
#include <stdlib.h>
#include <string.h>

#include "tlsalert/reaction.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t versions[4] = {0x0303, 0x0304, 0xfefd, 0x0301};

static bool keys(uint16_t version, bool second, struct tlsa_cipher_dir *a,
		 struct tlsa_cipher_dir *b, struct tlsa_cipher_dir *sv)
{
	uint8_t secret[32], master[48], cr[32], sr[32];
	memset(secret, 0x42, sizeof(secret));
	memset(master, 0x42, sizeof(master));
	memset(cr, 0x01, sizeof(cr));
	memset(sr, 0x02, sizeof(sr));
	if (version == 0x0304) {
		if (tlsa_dir_init_tls13(a, 0x1301, secret, sizeof(secret)) != 0)
			return false;
		return !second || (tlsa_dir_init_tls13(b, 0x1301, secret, sizeof(secret)) == 0 &&
				   tlsa_dir_key_update(b) == 0);
	}
	return tlsa_dir_init_tls12(a, sv, version, 0xc02f, master, cr, sr, false) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	struct tlsa_reaction_case c = {.version = versions[data[0] & 3],
				       .level = data[1],
				       .code = data[2],
				       .shape = (tlsa_serve_shape)(data[3] % TLSA_SHAPE_COUNT),
				       .plaintext = (data[0] & 0x20) != 0,
				       .peer_protected = (data[0] & 0x10) != 0,
				       .peer_is_client = (data[3] & 0x80) != 0,
				       .grace_ms = data[4] & 0x0f,
				       .peer_alerted_first = (data[3] & 0x40) != 0,
				       .peer_first_level = (uint8_t)(data[1] ^ 3),
				       .peer_first_code = (uint8_t)(data[2] >> 1)};
	struct tlsa_cipher_dir a, b, sv;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&sv, 0, sizeof(sv));
	bool with_keys = (data[0] & 4) != 0;
	bool second = with_keys && (data[0] & 8) && c.version == 0x0304;
	/* TLS 1.0 has no GCM and DTLS gets the TLS 1.2 keys refused: no keys then */
	if (with_keys && !keys(c.version, second, &a, &b, &sv))
		with_keys = second = false;
	struct tlsa_reaction *r =
		tlsa_reaction_new(&c, with_keys ? &a : NULL, second ? &b : NULL, 100);
	if (r == NULL)
		goto done;
	uint32_t x = data[4];
	const uint8_t *p = data + 5;
	size_t left = size - 5;
	uint64_t now = 100, fed = 0;
	while (left > 0) {
		x = x * 1103515245u + 12345u;
		size_t k = data[4] == 0 ? left : 1 + (x >> 16) % 97;
		if (k > left)
			k = left;
		if ((x >> 8) % 5 == 0)
			tlsa_reaction_sent(r, now);
		tlsa_reaction_feed(r, p, k, now);
		fed += k;
		now += (x >> 4) % 7;
		p += k;
		left -= k;
	}
	tlsa_reaction_end(r, (tlsa_serve_end)(data[0] >> 6), now);
	struct tlsa_serve_reaction s;
	tlsa_reaction_result(r, &s);
	unsigned typed = s.handshake_records + s.appdata_records + s.ccs_records + s.alert_records +
			 s.other_records + s.undecryptable;
	if (s.bytes != fed || s.garbage_bytes > s.bytes || typed != s.records ||
	    s.inflight_records + s.continued_records >
		    s.handshake_records + s.appdata_records + s.ccs_records ||
	    (uint64_t)s.records * 5 > s.bytes || (unsigned)s.kind >= TLSA_REACT_COUNT ||
	    (unsigned)s.verdict > TLSA_VERDICT_NO_RULE || s.rule == NULL ||
	    s.rule != tlsa_reaction_rule_for(&c) || s.reason[0] == '\0' ||
	    memchr(s.reason, '\0', sizeof(s.reason)) == NULL ||
	    s.warnings_accepted > s.warnings_sent ||
	    (s.kind == TLSA_REACT_CONTINUE) != (s.continued_records > 0))
		abort();
	tlsa_reaction_free(r);
done:
	tlsa_dir_free(&a);
	tlsa_dir_free(&b);
	tlsa_dir_free(&sv);
	return 0;
}
