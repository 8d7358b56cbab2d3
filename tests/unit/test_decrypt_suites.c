/*
 * Every shape of suite in the table (cipher, MAC, PRF, export) against
 * records protected by an independent
 * implementation (tests/data/crypto/gen_suite_vectors.py: Python hmac and
 * the cryptography package, suite parameters worked out from the IANA
 * name): SSL 3.0, TLS 1.0-1.2, DTLS 1.0, 1.2 and TLS 1.3 with a KeyUpdate,
 * MAC-then-encrypt and encrypt-then-MAC.  Each record must decrypt to the
 * expected type and plaintext, and the same record with one bit flipped must
 * fail with TLSA_EAUTH.  Twice: with directions that own their contexts, and
 * with every direction set up through one crypto cache, whose shared cipher
 * contexts are re-keyed as the client and server directions take turns.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"

static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, "\t\r\n", &save); t && n < max;
	     t = strtok_r(NULL, "\t\r\n", &save))
		f[n++] = t;
	return n;
}

static bool same_shape(const struct tlsa_suite *a, const struct tlsa_suite *b)
{
	return a != NULL && a->prot == b->prot && a->key_len == b->key_len &&
	       a->key_material == b->key_material && a->block_len == b->block_len &&
	       a->mac == b->mac && a->prf == b->prf && a->tls13 == b->tls13 &&
	       (a->cipher_name == b->cipher_name ||
		(a->cipher_name && b->cipher_name && strcmp(a->cipher_name, b->cipher_name) == 0));
}

/* Every vector through directions set up with cache cc (NULL: none). */
static void run(struct tlsa_crypto_cache *cc)
{
	FILE *fp = fopen("tests/data/crypto/suite_vectors.tsv", "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return;

	static char line[8192];
	char group[160] = "";
	struct tlsa_cipher_dir c, s, xc, xs; /* x: decoys under a wrong secret (cache only) */
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	memset(&xc, 0, sizeof(xc));
	memset(&xs, 0, sizeof(xs));
	bool updated = false;
	int records = 0, groups = 0;
	uint16_t seen[512];
	size_t nseen = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		char *f[12];
		if (split_tabs(line, f, 12) != 12) {
			CHECK(!"malformed vector line");
			continue;
		}
		uint16_t version = (uint16_t)strtoul(f[1], NULL, 16);
		uint16_t suite = (uint16_t)strtoul(f[2], NULL, 16);
		int flag = atoi(f[3]);
		bool tls13 = version == 0x0304;
		if (strcmp(group, f[0]) != 0) {
			snprintf(group, sizeof(group), "%s", f[0]);
			groups++;
			updated = false;
			uint8_t secret[64], cr[32], sr[32];
			size_t sl = unhex(f[4], secret, sizeof(secret));
			int rc;
			if (tls13) {
				rc = tlsa_dir_init_tls13_cached(&c, cc, suite, secret, sl);
			} else {
				CHECK_INT(sl, 48);
				CHECK_INT(unhex(f[5], cr, 32), 32);
				CHECK_INT(unhex(f[6], sr, 32), 32);
				rc = tlsa_dir_init_tls12_cached(&c, &s, cc, version, suite, secret,
								cr, sr, flag != 0);
			}
			if (rc != 0)
				fprintf(stderr, "init failed for %s\n", group);
			CHECK_INT(rc, 0);
			secret[0] ^= 1;
			if (cc != NULL && tls13)
				CHECK_INT(tlsa_dir_init_tls13_cached(&xc, cc, suite, secret, sl),
					  0);
			else if (cc != NULL)
				CHECK_INT(tlsa_dir_init_tls12_cached(&xc, &xs, cc, version, suite,
								     secret, cr, sr, flag != 0),
					  0);
			if (nseen < 512) {
				bool dup = false;
				for (size_t i = 0; i < nseen; i++)
					dup |= seen[i] == suite;
				if (!dup)
					seen[nseen++] = suite;
			}
		}
		if (tls13 && flag == 1 && !updated) {
			CHECK_INT(tlsa_dir_key_update(&c), 0);
			updated = true;
		}
		struct tlsa_cipher_dir *d = (tls13 || strcmp(f[7], "client") == 0) ? &c : &s;
		static uint8_t rec[4096], out[4096], want[4096];
		size_t rl = unhex(f[9], rec, sizeof(rec));
		size_t wl = unhex(f[11], want, sizeof(want));
		uint64_t seq = strtoull(f[8], NULL, 10);
		size_t ol = 0;
		uint8_t type = 0;
		struct tlsa_error err = {0};

		if (cc != NULL) {
			/* the decoy of the same suite takes the shared context first: the
			 * genuine direction must re-key it, the decoy must not open */
			struct tlsa_cipher_dir *x = d == &c ? &xc : &xs;
			x->seq = seq;
			CHECK_INT(tlsa_dir_decrypt(x, rec, rl, out, sizeof(out), &ol, &type, NULL),
				  TLSA_EAUTH);
		}
		d->seq = seq;
		int rc = tlsa_dir_decrypt(d, rec, rl, out, sizeof(out), &ol, &type, &err);
		if (rc != 0)
			fprintf(stderr, "%s %s seq %s: %s\n", group, f[7], f[8], err.msg);
		CHECK_INT(rc, 0);
		CHECK_INT(type, atoi(f[10]));
		CHECK_INT(ol, wl);
		if (!(ol == wl && memcmp(out, want, wl) == 0))
			fprintf(stderr, "%s %s seq %s: wrong plaintext\n", group, f[7], f[8]);
		CHECK(ol == wl && memcmp(out, want, wl) == 0);
		if (!tls13 && version < 0xfe00)
			CHECK_INT(d->seq, seq + 1);

		/* one bit flipped in the first byte after the header (a stream
		 * cipher's state moves on: only on a direction's last record) */
		bool stream = d->suite->prot == TLSA_PROT_STREAM;
		if (stream && strcmp(f[8], "2") != 0) {
			records++;
			continue;
		}
		size_t hdr = version >= 0xfe00 ? 13 : 5;
		uint8_t chain[16];
		memcpy(chain, d->iv, sizeof(chain)); /* TLS 1.0 CBC: the sent record goes on */
		rec[hdr] ^= 0x01;
		d->seq = seq;
		rc = tlsa_dir_decrypt(d, rec, rl, out, sizeof(out), &ol, &type, &err);
		memcpy(d->iv, chain, sizeof(chain));
		if (rc != TLSA_EAUTH)
			fprintf(stderr, "%s %s seq %s: tampered record gave %d\n", group, f[7],
				f[8], rc);
		CHECK_INT(rc, TLSA_EAUTH);
		records++;
	}
	fclose(fp);
	tlsa_dir_free(&c);
	tlsa_dir_free(&s);
	tlsa_dir_free(&xc);
	tlsa_dir_free(&xs);
	CHECK(records > 1100);
	CHECK(groups > 190);

	/* every shape of row has vectors (rows of one shape differ only in id
	 * and name, which test_suites_data checks against the data) */
	size_t n;
	const struct tlsa_suite *t = tlsa_suite_table(&n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t j = 0; j < nseen; j++)
			found |= same_shape(tlsa_suite_find(seen[j]), &t[i]);
		if (!found)
			fprintf(stderr, "no vectors for %s\n", t[i].name);
		CHECK(found);
		CHECK(tlsa_suite_find(t[i].id) == &t[i]);
	}
	CHECK(tlsa_suite_find(0x0000) == NULL);
	CHECK(tlsa_suite_find(0x1306) == NULL);
	printf("%d records in %d groups%s\n", records, groups, cc ? " (crypto cache)" : "");
}

int main(void)
{
	run(NULL);
	struct tlsa_crypto_cache *cc = tlsa_crypto_cache_new();
	CHECK(cc != NULL);
	run(cc);
	tlsa_crypto_cache_free(cc);
	return CHECK_DONE();
}
