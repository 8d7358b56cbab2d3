/*
 * QUIC packet protection against the RFCs' own examples, byte for byte:
 * RFC 9001 Appendix A (client and server Initial, Retry, ChaCha20 short
 * header) and RFC 9369 Appendix A (the same for version 2), from
 * tests/data/quic/vectors.txt; the draft-29 Initial keys and Retry; then the
 * parsers on crafted packets and frames (coalesced packets, truncations,
 * every length too long), varints (RFC 9000 A.1) and packet numbers (A.3).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"
#include "tlsalert/quic.h"

/* The value named `name` in the vector file, in out (cap bytes); its length, 0 when missing. */
static size_t vec(const char *name, uint8_t *out, size_t cap)
{
	FILE *f = fopen("tests/data/quic/vectors.txt", "r");
	static char line[8192];
	size_t n = 0, nl = strlen(name);
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, nl) == 0 && line[nl] == ' ') {
			n = unhex(line + nl + 1, out, cap);
			break;
		}
	fclose(f);
	if (n == 0)
		fprintf(stderr, "vector %s missing\n", name);
	return n;
}

/* Does `got` (n bytes) equal the vector `name`? */
static int same(const char *tag, const char *name, const uint8_t *got, size_t n)
{
	char full[64];
	uint8_t want[2048];
	snprintf(full, sizeof(full), "%s.%s", tag, name);
	size_t wl = vec(full, want, sizeof(want));
	if (wl != n || memcmp(got, want, n) != 0) {
		fprintf(stderr, "%s differs\n", full);
		return 0;
	}
	return 1;
}

static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
static const uint8_t server_cid[8] = {0xf0, 0x67, 0xa5, 0x50, 0x2a, 0x42, 0x62, 0xb5};

static void initial_keys(struct tlsa_quic_ctx *qc, const char *tag, uint32_t version)
{
	struct tlsa_quic_keys c, s;
	CHECK_INT(tlsa_quic_initial_keys(qc, version, dcid, 8, &c, &s), 0);
	CHECK(same(tag, "client_key", c.key, 16));
	CHECK(same(tag, "client_iv", c.iv, 12));
	CHECK(same(tag, "client_hp", c.hp, 16));
	CHECK(same(tag, "server_key", s.key, 16));
	CHECK(same(tag, "server_iv", s.iv, 12));
	CHECK(same(tag, "server_hp", s.hp, 16));
	CHECK_INT(c.aead, TLSA_QUIC_AEAD_AES_128_GCM);
	CHECK_INT(c.secret_len, 0); /* Initial keys are never updated */
	struct tlsa_quic_keys next;
	CHECK_INT(tlsa_quic_keys_update(qc, &c, &next), TLSA_EINVAL);

	/* the secrets in between, through the library's generic HKDF-Expand-Label */
	uint8_t init[32], sec[32];
	char full[64];
	snprintf(full, sizeof(full), "%s.initial_secret", tag);
	CHECK_INT(vec(full, init, 32), 32);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA256, init, 32, "client in", NULL, 0, sec, 32),
		  0);
	CHECK(same(tag, "client_in", sec, 32));
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA256, init, 32, "server in", NULL, 0, sec, 32),
		  0);
	CHECK(same(tag, "server_in", sec, 32));
}

/* The unprotected header, rebuilt from the packet and what unprotect found. */
static size_t plain_header(const struct tlsa_quic_packet *p, uint8_t *out)
{
	out[0] = p->hdr0;
	memcpy(out + 1, p->data + 1, p->pn_offset - 1);
	memcpy(out + p->pn_offset, p->pn_bytes, p->pn_len);
	return p->pn_offset + p->pn_len;
}

static void client_initial(struct tlsa_quic_ctx *qc, const char *tag, uint32_t version)
{
	struct tlsa_quic_keys c, s;
	CHECK_INT(tlsa_quic_initial_keys(qc, version, dcid, 8, &c, &s), 0);
	uint8_t pkt[1200], hdr[64], out[1200];
	char full[64];
	snprintf(full, sizeof(full), "%s.client_packet", tag);
	CHECK_INT(vec(full, pkt, sizeof(pkt)), 1200);
	struct tlsa_quic_packet p;
	struct tlsa_error err;
	CHECK_INT(tlsa_quic_parse(pkt, 1200, 0, 0, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_INITIAL);
	CHECK_INT(p.version, version);
	CHECK_INT(p.len, 1200);
	CHECK_INT(p.pn_offset, 18);
	CHECK_INT(p.dcid_len, 8);
	CHECK(p.dcid != NULL && memcmp(p.dcid, dcid, 8) == 0);
	CHECK_INT(p.scid_len, 0);
	CHECK_INT(p.token_len, 0);
	CHECK(p.long_header && p.fixed_bit);

	CHECK_INT(tlsa_quic_unprotect_header(qc, &c, &p, TLSA_QUIC_PN_NONE, &err), 0);
	CHECK_INT(p.pn, 2);
	CHECK_INT(p.pn_len, 4);
	CHECK_INT(p.reserved, 0);
	CHECK(same(tag, "client_header", hdr, plain_header(&p, hdr)));
	CHECK(same(tag, "client_header_protected", pkt, 22));
	CHECK(same(tag, "client_sample", pkt + 22, 16));

	size_t n = 0;
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &c, &p, out, sizeof(out), &n, &err), 0);
	CHECK_INT(n, 1162);
	CHECK(same(tag, "client_crypto", out, 245));
	size_t zeros = 245;
	while (zeros < n && out[zeros] == 0)
		zeros++;
	CHECK_INT(zeros, 1162);

	/* the frames: one CRYPTO frame, then one run of PADDING */
	size_t pos = 0;
	struct tlsa_quic_frame f;
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 1);
	CHECK_INT(f.type, TLSA_QUIC_FRAME_CRYPTO);
	CHECK_INT(f.data_offset, 0);
	CHECK_INT(f.data_len, 241);
	CHECK(f.data == out + 4 && f.data[0] == 0x01); /* a ClientHello */
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 1);
	CHECK_INT(f.type, TLSA_QUIC_FRAME_PADDING);
	CHECK_INT(f.len, 917);
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 0);

	/* the server's keys do not open it; a changed byte does not authenticate */
	struct tlsa_quic_packet q = p;
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &s, &q, out, sizeof(out), &n, &err), TLSA_EAUTH);
	pkt[600] ^= 1;
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &c, &p, out, sizeof(out), &n, &err), TLSA_EAUTH);
	pkt[600] ^= 1;
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &c, &p, out, 1000, &n, &err), TLSA_ELIMIT);
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &c, &p, out, sizeof(out), &n, &err), 0);
}

static void server_initial(struct tlsa_quic_ctx *qc, const char *tag, uint32_t version)
{
	struct tlsa_quic_keys c, s;
	CHECK_INT(tlsa_quic_initial_keys(qc, version, dcid, 8, &c, &s), 0);
	uint8_t pkt[135], hdr[64], out[135];
	char full[64];
	snprintf(full, sizeof(full), "%s.server_packet", tag);
	CHECK_INT(vec(full, pkt, sizeof(pkt)), 135);
	struct tlsa_quic_packet p;
	struct tlsa_error err;
	CHECK_INT(tlsa_quic_parse(pkt, 135, 0, 0, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_INITIAL);
	CHECK_INT(p.len, 135);
	CHECK_INT(p.dcid_len, 0);
	CHECK_INT(p.scid_len, 8);
	CHECK(p.scid != NULL && memcmp(p.scid, server_cid, 8) == 0);
	CHECK_INT(tlsa_quic_unprotect_header(qc, &s, &p, TLSA_QUIC_PN_NONE, &err), 0);
	CHECK_INT(p.pn, 1);
	CHECK_INT(p.pn_len, 2);
	CHECK(same(tag, "server_header", hdr, plain_header(&p, hdr)));
	CHECK(same(tag, "server_header_protected", pkt, 20));
	size_t n = 0;
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &s, &p, out, sizeof(out), &n, &err), 0);
	CHECK(same(tag, "server_payload", out, n));

	/* an ACK of packet 0, then the ServerHello in a CRYPTO frame */
	size_t pos = 0;
	struct tlsa_quic_frame f;
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 1);
	CHECK_INT(f.type, TLSA_QUIC_FRAME_ACK);
	CHECK_INT(f.value, 0);
	CHECK_INT(f.len, 5);
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 1);
	CHECK_INT(f.type, TLSA_QUIC_FRAME_CRYPTO);
	CHECK_INT(f.data_len, 90);
	CHECK(f.data != NULL && f.data[0] == 0x02);
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 0);

	/* coalesced: two of them in one datagram, then a truncated third */
	uint8_t dg[135 * 3];
	memcpy(dg, pkt, 135);
	memcpy(dg + 135, pkt, 135);
	memcpy(dg + 270, pkt, 135);
	CHECK_INT(tlsa_quic_parse(dg, 300, 0, 0, &p, &err), 0);
	CHECK_INT(p.len, 135);
	CHECK_INT(tlsa_quic_parse(dg, 300, 135, 0, &p, &err), 0);
	CHECK_INT(p.offset, 135);
	CHECK_INT(tlsa_quic_unprotect_header(qc, &s, &p, 0, &err), 0);
	CHECK_INT(p.pn, 1);
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &s, &p, out, sizeof(out), &n, &err), 0);
	CHECK_INT(n, 99);
	CHECK_INT(tlsa_quic_parse(dg, 300, 270, 0, &p, &err), TLSA_ETRUNC);
	CHECK_INT(err.offset, 286); /* the Length field */
}

static void retry(struct tlsa_quic_ctx *qc, const char *tag, uint32_t version)
{
	uint8_t pkt[64];
	char full[64];
	snprintf(full, sizeof(full), "%s.retry", tag);
	size_t n = vec(full, pkt, sizeof(pkt));
	CHECK_INT(n, 36);
	struct tlsa_quic_packet p;
	CHECK_INT(tlsa_quic_parse(pkt, n, 0, 0, &p, NULL), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_RETRY);
	CHECK_INT(p.version, version);
	CHECK_INT(p.len, 36);
	CHECK(p.scid_len == 8 && memcmp(p.scid, server_cid, 8) == 0);
	CHECK(p.token_len == 5 && memcmp(p.token, "token", 5) == 0);
	CHECK(p.retry_tag == pkt + 20);
	CHECK_INT(tlsa_quic_retry_verify(qc, &p, dcid, 8), 0);
	CHECK_INT(tlsa_quic_retry_verify(qc, &p, dcid, 7), TLSA_EAUTH);
	pkt[10] ^= 0x80;
	CHECK_INT(tlsa_quic_retry_verify(qc, &p, dcid, 8), TLSA_EAUTH);
	pkt[10] ^= 0x80;
	CHECK_INT(tlsa_quic_retry_verify(qc, &p, dcid, 8), 0);
	CHECK_INT(tlsa_quic_unprotect_header(qc, &(struct tlsa_quic_keys){.aead = 1}, &p, 0, NULL),
		  TLSA_EINVAL);
	/* a Retry too short for its tag */
	CHECK_INT(tlsa_quic_parse(pkt, 30, 0, 0, &p, NULL), TLSA_EINVAL);
}

static void chacha(struct tlsa_quic_ctx *qc, const char *tag, uint32_t version)
{
	uint8_t secret[32], pkt[21], hdr[8], out[32];
	char full[64];
	snprintf(full, sizeof(full), "%s.chacha_secret", tag);
	CHECK_INT(vec(full, secret, 32), 32);
	struct tlsa_quic_keys k, k2;
	CHECK_INT(tlsa_quic_keys_init(qc, version, 0x1303, secret, 32, &k), 0);
	CHECK_INT(k.aead, TLSA_QUIC_AEAD_CHACHA20_POLY1305);
	CHECK(same(tag, "chacha_key", k.key, 32));
	CHECK(same(tag, "chacha_iv", k.iv, 12));
	CHECK(same(tag, "chacha_hp", k.hp, 32));
	CHECK_INT(tlsa_quic_keys_update(qc, &k, &k2), 0);
	CHECK(same(tag, "chacha_ku", k2.secret, 32));
	CHECK(memcmp(k2.hp, k.hp, 32) == 0);
	CHECK(memcmp(k2.key, k.key, 32) != 0);
	CHECK_INT(k2.generation, 1);
	CHECK_INT(tlsa_quic_keys_init(qc, version, 0x1303, secret, 48, &k2), TLSA_EINVAL);
	CHECK_INT(tlsa_quic_keys_init(qc, version, 0x1304, secret, 32, &k2), TLSA_EUNSUPP);

	snprintf(full, sizeof(full), "%s.chacha_packet", tag);
	CHECK_INT(vec(full, pkt, sizeof(pkt)), 21);
	struct tlsa_quic_packet p;
	struct tlsa_error err;
	CHECK_INT(tlsa_quic_parse(pkt, 21, 0, 0, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_1RTT);
	CHECK_INT(p.len, 21);
	CHECK_INT(p.pn_offset, 1);
	/* 654360564 is 0x2700bff4: the 3 bytes sent decode near the largest seen */
	CHECK_INT(tlsa_quic_unprotect_header(qc, &k, &p, 654360000, &err), 0);
	CHECK_INT(p.pn, 654360564);
	CHECK_INT(p.pn_len, 3);
	CHECK(!p.key_phase);
	CHECK(same(tag, "chacha_header", hdr, plain_header(&p, hdr)));
	CHECK(same(tag, "chacha_header_protected", pkt, 4));
	size_t n = 0;
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &k, &p, out, sizeof(out), &n, &err), 0);
	CHECK(same(tag, "chacha_plaintext", out, n));
	size_t pos = 0;
	struct tlsa_quic_frame f;
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 1);
	CHECK_INT(f.type, TLSA_QUIC_FRAME_PING);
	CHECK_INT(tlsa_quic_frame_next(out, n, &pos, &f, &err), 0);
	/* the next key phase's keys do not open it */
	CHECK_INT(tlsa_quic_keys_update(qc, &k, &k2), 0);
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &k2, &p, out, sizeof(out), &n, &err), TLSA_EAUTH);
}

/* More keys in turn than a context keeps set up (4 per cipher): each is keyed
 * again when it comes back, and the RFC's packet still opens with its own. */
static void many_keys(struct tlsa_quic_ctx *qc)
{
	uint8_t pkt[1200], out[1200];
	CHECK_INT(vec("v1.client_packet", pkt, sizeof(pkt)), 1200);
	struct tlsa_quic_keys k[7], s;
	CHECK_INT(tlsa_quic_initial_keys(qc, TLSA_QUIC_V1, dcid, 8, &k[0], &s), 0);
	for (int i = 1; i < 7; i++) {
		uint8_t other[8];
		memcpy(other, dcid, 8);
		other[0] = (uint8_t)i;
		CHECK_INT(tlsa_quic_initial_keys(qc, TLSA_QUIC_V1, other, 8, &k[i], &s), 0);
	}
	int opened = 0, failed = 0;
	for (int round = 0; round < 30; round++) {
		int i = (round * 5) % 7;
		struct tlsa_quic_packet p;
		size_t n = 0;
		CHECK_INT(tlsa_quic_parse(pkt, 1200, 0, 0, &p, NULL), 0);
		if (tlsa_quic_unprotect_header(qc, &k[i], &p, TLSA_QUIC_PN_NONE, NULL) == 0 &&
		    tlsa_quic_decrypt_payload(qc, &k[i], &p, out, sizeof(out), &n, NULL) == 0)
			opened += i == 0 && n == 1162 && out[0] == 0x06;
		else
			failed += i != 0;
	}
	CHECK_INT(opened, 5); /* rounds 0, 7, 14, 21, 28 */
	CHECK_INT(failed, 25);
}

/* The same vectors once with a context and once without (the KDF path). */
static void version_vectors(struct tlsa_quic_ctx *qc, const char *tag, uint32_t version)
{
	initial_keys(qc, tag, version);
	initial_keys(NULL, tag, version);
	client_initial(qc, tag, version);
	server_initial(qc, tag, version);
	retry(qc, tag, version);
	chacha(qc, tag, version);
	/* the key derivation without a context gives the same keys */
	uint8_t secret[32];
	char full[64];
	snprintf(full, sizeof(full), "%s.chacha_secret", tag);
	vec(full, secret, 32);
	struct tlsa_quic_keys a, b;
	CHECK_INT(tlsa_quic_keys_init(NULL, version, 0x1303, secret, 32, &a), 0);
	CHECK(same(tag, "chacha_key", a.key, 32));
	CHECK_INT(tlsa_quic_keys_update(NULL, &a, &b), 0);
	CHECK(same(tag, "chacha_ku", b.secret, 32));
}

/* AES-256-GCM and SHA-384 have no RFC example: the keys must be what the
 * generic HKDF-Expand-Label gives, and a packet sealed with libcrypto must open. */
static void aes256(struct tlsa_quic_ctx *qc)
{
	uint8_t secret[48], key[32], iv[12], hp[32];
	for (int i = 0; i < 48; i++)
		secret[i] = (uint8_t)(i * 7 + 1);
	struct tlsa_quic_keys k, k2;
	CHECK_INT(tlsa_quic_keys_init(qc, TLSA_QUIC_V1, 0x1302, secret, 48, &k), 0);
	CHECK_INT(k.aead, TLSA_QUIC_AEAD_AES_256_GCM);
	CHECK_INT(
		tlsa_hkdf_expand_label(TLSA_HASH_SHA384, secret, 48, "quic key", NULL, 0, key, 32),
		0);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA384, secret, 48, "quic iv", NULL, 0, iv, 12),
		  0);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA384, secret, 48, "quic hp", NULL, 0, hp, 32),
		  0);
	CHECK(memcmp(k.key, key, 32) == 0 && memcmp(k.iv, iv, 12) == 0 &&
	      memcmp(k.hp, hp, 32) == 0);
	CHECK_INT(tlsa_quic_keys_update(qc, &k, &k2), 0);
	uint8_t ku[48];
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA384, secret, 48, "quic ku", NULL, 0, ku, 48),
		  0);
	CHECK(memcmp(k2.secret, ku, 48) == 0);
	CHECK_INT(tlsa_quic_keys_init(qc, TLSA_QUIC_V1, 0x1302, secret, 32, &k2), TLSA_EINVAL);
	CHECK_INT(tlsa_quic_keys_init(qc, 0x12345678, 0x1301, secret, 32, &k2), TLSA_EUNSUPP);
}

static void draft29(struct tlsa_quic_ctx *qc)
{
	initial_keys(qc, "d29", 0xff00001d);
	retry(qc, "d29", 0xff00001d);
	CHECK_STR(tlsa_quic_version_name(0xff00001d), "draft-29");
	CHECK_STR(tlsa_quic_version_name(TLSA_QUIC_V1), "1");
	CHECK_STR(tlsa_quic_version_name(TLSA_QUIC_V2), "2");
	CHECK(tlsa_quic_version_name(0) == NULL);
	CHECK(tlsa_quic_version_name(0x1a2a3a4a) == NULL);
	struct tlsa_quic_keys c, s;
	CHECK_INT(tlsa_quic_initial_keys(qc, 0x1a2a3a4a, dcid, 8, &c, &s), TLSA_EUNSUPP);
	CHECK_INT(tlsa_quic_initial_keys(qc, TLSA_QUIC_V1, NULL, 0, &c, &s), 0); /* empty DCID */
}

int main(void)
{
	struct tlsa_quic_ctx *qc = tlsa_quic_ctx_new();
	CHECK(qc != NULL);
	version_vectors(qc, "v1", TLSA_QUIC_V1);
	version_vectors(qc, "v2", TLSA_QUIC_V2);
	aes256(qc);
	draft29(qc);
	many_keys(qc);
	tlsa_quic_ctx_free(qc);
	tlsa_quic_ctx_free(NULL);
	return CHECK_DONE();
}
