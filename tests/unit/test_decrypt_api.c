/*
 * tlsa_dir_* contracts beyond the known-answer tests: argument checks of
 * the TLS 1.2 set-up, DTLS taking its sequence number from the header (a
 * replayed record opens again, d->seq untouched), sequence counting on
 * failures, framing errors, and the EAUTH of a record under the wrong
 * version's keys.  Records come from tests/data/crypto/suite_vectors.tsv.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"

struct vec {
	uint8_t master[48], cr[32], sr[32];
	uint8_t rec[2][512];
	size_t rl[2];
};

/* The first two client records of one group of the vector file. */
static bool load(const char *group, struct vec *v)
{
	FILE *fp = fopen("tests/data/crypto/suite_vectors.tsv", "r");
	static char line[8192];
	int got = 0;
	size_t gl = strlen(group);
	if (fp == NULL)
		return false;
	while (got < 2 && fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, group, gl) != 0 || line[gl] != '\t')
			continue;
		char *f[12], *save = NULL;
		int n = 0;
		for (char *t = strtok_r(line, "\t\r\n", &save); t && n < 12;
		     t = strtok_r(NULL, "\t\r\n", &save))
			f[n++] = t;
		if (n != 12 || strcmp(f[7], "client") != 0)
			continue;
		if (got == 0) {
			unhex(f[4], v->master, 48);
			unhex(f[5], v->cr, 32);
			unhex(f[6], v->sr, 32);
		}
		v->rl[got] = unhex(f[9], v->rec[got], sizeof(v->rec[got]));
		got++;
	}
	fclose(fp);
	return got == 2;
}

int main(void)
{
	static struct vec v;
	struct tlsa_cipher_dir c = {0}, s = {0};
	uint8_t out[600], type;
	size_t ol;
	struct tlsa_error err = {0};

	/* set-up argument checks */
	uint8_t m[48] = {0}, r[32] = {0};
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0301, 0xc02f, m, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0303, 0x1301, m, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0300, 0x003c, m, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0300, 0x009c, m, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0200, 0x002f, m, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0303, 0xc03c, m, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_init_tls12(&c, &c, 0x0303, 0xc02f, m, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0303, 0xc02f, NULL, r, r, false), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_key_update(&c), TLSA_EINVAL); /* not set up */
	CHECK_INT(tlsa_dir_decrypt(&c, r, 32, out, sizeof(out), &ol, &type, &err), TLSA_EINVAL);

	/* DTLS 1.2: the header's epoch and sequence number are used */
	CHECK(load("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/fefd", &v));
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0xfefd, 0xc02f, v.master, v.cr, v.sr, false), 0);
	CHECK(c.dtls && !c.etm);
	CHECK_INT(tlsa_dir_key_update(&c), TLSA_EINVAL); /* not TLS 1.3 */
	for (int i = 0; i < 2; i++) {
		/* the second record first, then the first, then the second again */
		CHECK_INT(
			tlsa_dir_decrypt(&c, v.rec[1], v.rl[1], out, sizeof(out), &ol, &type, &err),
			0);
		CHECK_INT(type, 23);
		CHECK_INT(c.last_seq, (1ull << 48) | 6);
		CHECK_INT(
			tlsa_dir_decrypt(&c, v.rec[0], v.rl[0], out, sizeof(out), &ol, &type, &err),
			0);
		CHECK_INT(type, 21);
		CHECK(ol == 2 && out[0] == 2 && out[1] == 40);
		CHECK_INT(c.last_seq, (1ull << 48) | 5);
	}
	CHECK_INT(c.seq, 0);
	/* the server's keys do not open the client's record */
	CHECK_INT(tlsa_dir_decrypt(&s, v.rec[0], v.rl[0], out, sizeof(out), &ol, &type, &err),
		  TLSA_EAUTH);
	/* a changed sequence number in the header is in the AAD */
	v.rec[0][10] ^= 1;
	CHECK_INT(tlsa_dir_decrypt(&c, v.rec[0], v.rl[0], out, sizeof(out), &ol, &type, &err),
		  TLSA_EAUTH);
	v.rec[0][10] ^= 1;
	/* framing: a DTLS header is 13 bytes */
	CHECK_INT(tlsa_dir_decrypt(&c, v.rec[0], 12, out, sizeof(out), &ol, &type, &err),
		  TLSA_ETRUNC);
	/* the same keys under TLS 1.2 framing do not fit */
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0303, 0xc02f, v.master, v.cr, v.sr, false), 0);
	CHECK(!c.dtls);
	CHECK(tlsa_dir_decrypt(&c, v.rec[0], v.rl[0], out, sizeof(out), &ol, &type, &err) < 0);

	/* TLS 1.2 CBC: counting on failure, short records */
	CHECK(load("TLS_RSA_WITH_AES_128_CBC_SHA/0303", &v));
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0303, 0x002f, v.master, v.cr, v.sr, false), 0);
	CHECK(c.mac_ctx != NULL);
	v.rec[0][v.rl[0] - 1] ^= 0x80; /* the padding byte */
	CHECK_INT(tlsa_dir_decrypt(&c, v.rec[0], v.rl[0], out, sizeof(out), &ol, &type, &err),
		  TLSA_EAUTH);
	CHECK_INT(c.seq, 1); /* counted: the next record still opens */
	CHECK_INT(tlsa_dir_decrypt(&c, v.rec[1], v.rl[1], out, sizeof(out), &ol, &type, &err), 0);
	CHECK_INT(type, 23);
	CHECK_INT(ol, 5);
	static const uint8_t shortrec[] = {21, 3, 3, 0,	 16, 1,	 2,  3,	 4,  5, 6,
					   7,  8, 9, 10, 11, 12, 13, 14, 15, 16};
	CHECK_INT(tlsa_dir_decrypt(&c, shortrec, sizeof(shortrec), out, sizeof(out), &ol, &type,
				   &err),
		  TLSA_EINVAL);
	CHECK(strstr(err.msg, "TLS_RSA_WITH_AES_128_CBC_SHA") != NULL);
	CHECK_INT(c.seq, 3);
	/* encrypt-then-MAC state on a 48-byte MAC-then-encrypt record: too short for IV, one
	   block and a separate 20-byte MAC */
	v.rec[0][v.rl[0] - 1] ^= 0x80;
	CHECK_INT(tlsa_dir_init_tls12(&c, &s, 0x0303, 0x002f, v.master, v.cr, v.sr, true), 0);
	CHECK(c.etm);
	CHECK_INT(tlsa_dir_decrypt(&c, v.rec[0], v.rl[0], out, sizeof(out), &ol, &type, &err),
		  TLSA_EINVAL);

	/* re-initialising a used direction frees it first (no leak under ASan) */
	CHECK_INT(tlsa_dir_init_tls13(&c, 0x1303, m, 32), 0);
	CHECK(c.mac_ctx == NULL);
	tlsa_dir_free(&c);
	tlsa_dir_free(&s);
	tlsa_dir_free(NULL);
	CHECK(c.cipher_ctx == NULL && c.suite == NULL);
	return CHECK_DONE();
}
