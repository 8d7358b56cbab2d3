/*
 * Sealing round trip over the whole suite table: for every suite libcrypto
 * has here, every version it applies to (SSL 3.0, TLS 1.0-1.2, DTLS 1.0 and
 * 1.2; TLS 1.3 for the 0x13xx suites), MAC-then-encrypt and
 * encrypt-then-MAC for CBC: records of several types and lengths (empty,
 * an alert, a block edge, 16384 bytes, extra padding) sealed by
 * tlsa_dir_encrypt() on one direction state must open with
 * tlsa_dir_decrypt() on another made from the same secrets, to the same
 * type and bytes, with the sequence numbers (DTLS: epoch and sequence
 * number in the header) counted alike; and one record with any single byte
 * changed must not open.  Twice: the sealing state without a crypto cache,
 * then sealing and opening states sharing one (their cipher contexts taken
 * in turns, as tlsalert serve does).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tlsalert/decrypt.h"

static const uint16_t versions[] = {0x0300, 0x0301, 0x0302, 0x0303, 0xfeff, 0xfefd, 0x0304};

static uint8_t master[48], cr[32], sr[32];
static uint8_t plain[16384], rec[16384 + 2048], out[16384 + 2048];

/* Does the suite apply to this version (else the combination is not tried)? */
static bool applies(const struct tlsa_suite *s, uint16_t v, bool etm)
{
	bool aead = s->prot != TLSA_PROT_CBC && s->prot != TLSA_PROT_STREAM &&
		    s->prot != TLSA_PROT_NULL;
	if (s->tls13 || v == 0x0304)
		return s->tls13 && v == 0x0304 && !etm;
	if (etm && s->prot != TLSA_PROT_CBC)
		return false;
	if (aead && v != 0x0303 && v != 0xfefd)
		return false;
	if (v >= 0xfe00 && s->prot == TLSA_PROT_STREAM)
		return false; /* no RC4 in DTLS (RFC 6347 4.1.2.2) */
	if (v == 0x0300 && (etm || (s->mac != TLSA_HASH_MD5 && s->mac != TLSA_HASH_SHA1)))
		return false;
	return true;
}

/* A client direction for (suite, version, etm), with cache cc; 0 or an error. */
static int make(struct tlsa_cipher_dir *c, struct tlsa_cipher_dir *spare,
		struct tlsa_crypto_cache *cc, const struct tlsa_suite *s, uint16_t v, bool etm)
{
	if (v == 0x0304)
		return tlsa_dir_init_tls13_cached(c, cc, s->id, master, tlsa_hash_len(s->prf));
	return tlsa_dir_init_tls12_cached(c, spare, cc, v, s->id, master, cr, sr, etm);
}

/* Seals n bytes as type with pad on w and opens the record on r: same bytes back. */
static size_t trip(struct tlsa_cipher_dir *w, struct tlsa_cipher_dir *r, uint8_t type, size_t n,
		   size_t pad, const char *what)
{
	size_t rl = 0, ol = 0;
	uint8_t t = 0;
	uint64_t seq = w->seq;
	struct tlsa_error err = {0};
	int rc = tlsa_dir_encrypt_padded(w, type, plain, n, pad, rec, sizeof(rec), &rl, &err);
	if (rc != 0) {
		fprintf(stderr, "%s: seal of %zu bytes: %s\n", what, n, err.msg);
		CHECK_INT(rc, 0);
		return 0;
	}
	CHECK_INT(w->seq, seq + 1);
	size_t hdr = w->dtls ? 13 : 5;
	CHECK_INT(rl, hdr + ((size_t)rec[hdr - 2] << 8 | rec[hdr - 1]));
	if (w->dtls) { /* epoch 1, then the 48-bit sequence number */
		CHECK(rec[3] == 0 && rec[4] == 1);
		CHECK(rec[9] == (uint8_t)(seq >> 8) && rec[10] == (uint8_t)seq);
		CHECK_INT(w->last_seq, (uint64_t)1 << 48 | seq);
	}
	rc = tlsa_dir_decrypt(r, rec, rl, out, sizeof(out), &ol, &t, &err);
	if (rc != 0 || ol != n || t != type || memcmp(out, plain, n) != 0)
		fprintf(stderr, "%s: %zu bytes, pad %zu: opened with %d (%s), %zu bytes\n", what, n,
			pad, rc, err.msg, ol);
	CHECK(rc == 0 && ol == n && t == type && memcmp(out, plain, n) == 0);
	CHECK_INT(r->last_seq, w->last_seq);
	return rl;
}

/* A plaintext length whose CBC padding is its length byte alone (SSL 3.0
 * checks nothing else of it), at least 2 bytes. */
static size_t snug_len(const struct tlsa_suite *s, bool etm)
{
	if (s->prot != TLSA_PROT_CBC)
		return 2;
	size_t bl = s->block_len, covered = 1 + (etm ? 0 : tlsa_hash_len(s->mac));
	size_t n = (bl - covered % bl) % bl;
	return n < 2 ? n + bl : n;
}

/* A fresh direction in the state w has reached (sequence number, chained IV);
 * an RC4 state cannot be copied: for stream suites both start afresh. */
static int same_as(struct tlsa_cipher_dir *d, struct tlsa_cipher_dir *spare,
		   struct tlsa_crypto_cache *cc, const struct tlsa_cipher_dir *w, uint16_t v)
{
	int rc = make(d, spare, cc, w->suite, v, w->etm);
	if (rc == 0 && w->suite->prot != TLSA_PROT_STREAM) {
		d->seq = w->seq;
		memcpy(d->iv, w->iv, sizeof(d->iv));
	}
	return rc;
}

/* Every byte of one sealed record changed in turn: none of them opens, while
 * the record as sealed does.  Each try opens with a state made afresh (the
 * RC4 state and the chained IV move on with every record examined). */
static void tamper(struct tlsa_cipher_dir *w, struct tlsa_crypto_cache *cc, uint16_t v,
		   const char *what)
{
	struct tlsa_cipher_dir f = {0}, r = {0}, spare = {0};
	size_t n = snug_len(w->suite, w->etm), rl = 0, ol = 0;
	uint8_t t;
	static uint8_t good[256];
	CHECK_INT(same_as(&f, &spare, cc, w, v), 0);
	CHECK_INT(tlsa_dir_encrypt(&f, 21, plain, n, good, sizeof(good), &rl, NULL), 0);
	CHECK_INT(same_as(&r, &spare, cc, w, v), 0);
	CHECK_INT(tlsa_dir_decrypt(&r, good, rl, out, sizeof(out), &ol, &t, NULL), 0);
	int opened = 0;
	bool ssl3 = v == 0x0300, stream = w->suite->prot == TLSA_PROT_STREAM;
	for (size_t i = 0; i < rl; i++) {
		if (ssl3 && (i == 1 || i == 2))
			continue; /* the SSL 3.0 MAC does not cover the version (RFC 6101 5.2.3.1)
				   */
		if (stream && same_as(&r, &spare, cc, w, v) != 0)
			break;
		r.seq = w->seq;
		memcpy(r.iv, w->iv, sizeof(r.iv));
		memcpy(rec, good, rl);
		rec[i] ^= (uint8_t)(1u << (i % 8));
		opened += tlsa_dir_decrypt(&r, rec, rl, out, sizeof(out), &ol, &t, NULL) == 0;
	}
	if (opened != 0)
		fprintf(stderr, "%s: %d of %zu changed records opened\n", what, opened, rl);
	CHECK_INT(opened, 0);
	tlsa_dir_free(&f);
	tlsa_dir_free(&r);
	tlsa_dir_free(&spare);
}

static int run_one(struct tlsa_crypto_cache *wc, struct tlsa_crypto_cache *rc_,
		   const struct tlsa_suite *s, uint16_t v, bool etm)
{
	struct tlsa_cipher_dir w = {0}, ws = {0}, r = {0}, rs = {0};
	char what[128];
	snprintf(what, sizeof(what), "%s v%04x%s%s", s->name, v, etm ? " etm" : "",
		 wc != NULL ? " (cache)" : "");
	if (make(&w, &ws, wc, s, v, etm) != 0 || make(&r, &rs, rc_, s, v, etm) != 0) {
		tlsa_dir_free(&w);
		tlsa_dir_free(&ws);
		tlsa_dir_free(&r);
		tlsa_dir_free(&rs);
		return 0;
	}
	/* the largest record (2^14 bytes, slow in 3DES) once per suite */
	size_t lens[] = {0, 1, 2, 15, 16, 17, 31, 100, 1000, 16384};
	if (v != 0x0303 && v != 0x0304)
		lens[9] = 1500;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t type = (uint8_t)(21 + i % 3);
		if (lens[i] == 0 && v == 0x0304)
			type = 23;
		trip(&w, &r, type, lens[i], 0, what);
		/* the peer's direction, sealed between: the shared contexts change hands */
		if (v != 0x0304)
			trip(&ws, &rs, 23, lens[i] / 2, 0, what);
	}
	size_t pad = 0;
	if (v == 0x0304)
		pad = 33;
	else if (s->prot == TLSA_PROT_CBC && v != 0x0300)
		pad = 3 * (size_t)s->block_len;
	if (pad != 0)
		trip(&w, &r, 22, 40, pad, what);
	if (v == 0x0304) { /* a KeyUpdate on both sides: the new key seals */
		CHECK_INT(tlsa_dir_key_update(&w), 0);
		CHECK_INT(tlsa_dir_key_update(&r), 0);
		CHECK_INT(trip(&w, &r, 21, 2, 0, what) > 0, 1);
	}
	size_t dummy;
	if (pad == 0 && tlsa_dir_encrypt_padded(&w, 21, plain, 2, 8, rec, sizeof(rec), &dummy,
						NULL) != TLSA_EINVAL)
		CHECK(!"padding refused where there is none to add");
	tamper(&w, rc_, v, what);
	tlsa_dir_free(&w);
	tlsa_dir_free(&ws);
	tlsa_dir_free(&r);
	tlsa_dir_free(&rs);
	return 1;
}

/* Every combination; the sealing state with cache wc, the opening one with rc_. */
static void run(struct tlsa_crypto_cache *wc, struct tlsa_crypto_cache *rc_)
{
	size_t n;
	const struct tlsa_suite *t = tlsa_suite_table(&n);
	int done = 0, tried = 0;
	for (size_t i = 0; i < n; i++) {
		int ok_here = 0;
		for (size_t j = 0; j < sizeof(versions) / sizeof(versions[0]); j++)
			for (int etm = 0; etm < 2; etm++) {
				if (!applies(&t[i], versions[j], etm))
					continue;
				tried++;
				int ok = run_one(wc, rc_, &t[i], versions[j], etm);
				done += ok;
				ok_here += ok;
			}
		/* what libcrypto's default provider has must work */
		if (ok_here == 0 && !t[i].legacy)
			fprintf(stderr, "%s: no combination could be set up\n", t[i].name);
		if (!t[i].legacy)
			CHECK(ok_here > 0);
	}
	printf("%d of %d suite/version combinations sealed and opened%s\n", done, tried,
	       wc != NULL ? " (crypto cache)" : "");
	CHECK(done > 600);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7 + 3);
	for (int i = 0; i < 48; i++)
		master[i] = (uint8_t)(0xa0 + i);
	for (int i = 0; i < 32; i++) {
		cr[i] = (uint8_t)i;
		sr[i] = (uint8_t)(0xff - i);
	}
	struct tlsa_crypto_cache *cc = tlsa_crypto_cache_new();
	CHECK(cc != NULL);
	run(NULL, cc);
	run(cc, cc);
	tlsa_crypto_cache_free(cc);
	return CHECK_DONE();
}
