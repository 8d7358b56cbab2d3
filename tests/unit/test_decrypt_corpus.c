/*
 * The encrypted alerts of the shared corpus (tests/data/crypto/vectors.tsv,
 * extracted by tests/data/crypto/extract_vectors.py): every key log of
 * tests/data/crypto/keylogs/ is merged into one struct tlsa_keylog, each
 * connection is found by its client random, the direction is set up from
 * the master secret (TLS 1.2) or the named traffic secret (TLS 1.3), and the
 * alert record, checked at the sequence number of the vector, must give the
 * level and description truth.tsv records.  The neighbouring sequence
 * numbers and the other direction's keys must give TLSA_EAUTH.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"
#include "tlsalert/keylog.h"

/* tlsa_keylog_find() copies an entry here */
static struct tlsa_keylog_entry kbuf;

static int warnings;
static void on_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s:%lu: %s\n", origin, line, msg);
	warnings++;
}

static int load_all(struct tlsa_keylog *kl)
{
	const char *dir = "tests/data/crypto/keylogs";
	DIR *d = opendir(dir);
	int files = 0;
	CHECK(d != NULL);
	if (d == NULL)
		return 0;
	struct dirent *e;
	static char buf[1 << 16];
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		CHECK(f != NULL);
		if (f == NULL)
			continue;
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		struct tlsa_error err = {0};
		CHECK(tlsa_keylog_add_text(kl, buf, n, e->d_name, on_warn, NULL, &err) > 0);
		files++;
	}
	closedir(d);
	return files;
}

static tlsa_keylog_label label_of(const char *s)
{
	for (int l = 0; l < TLSA_KL_COUNT; l++)
		if (strcmp(s, tlsa_keylog_label_name((tlsa_keylog_label)l)) == 0)
			return (tlsa_keylog_label)l;
	return TLSA_KL_COUNT;
}

/* Sets up the direction `dir` ("client"/"server"); `other` gets the peer. */
static int setup(const struct tlsa_keylog_entry *e, const char **f, struct tlsa_cipher_dir *d,
		 struct tlsa_cipher_dir *other)
{
	uint16_t suite = (uint16_t)strtoul(f[5], NULL, 16);
	uint16_t version = (uint16_t)strtoul(f[6], NULL, 16);
	bool client = strcmp(f[8], "client") == 0;
	if (version == 0x0304) {
		tlsa_keylog_label l = label_of(f[9]);
		const struct tlsa_keylog_secret *s = tlsa_keylog_secret(e, l);
		CHECK(s != NULL);
		if (s == NULL)
			return -1;
		/* the peer's secret of the same stage */
		tlsa_keylog_label pl = l == TLSA_KL_CLIENT_HANDSHAKE   ? TLSA_KL_SERVER_HANDSHAKE
				       : l == TLSA_KL_SERVER_HANDSHAKE ? TLSA_KL_CLIENT_HANDSHAKE
				       : l == TLSA_KL_CLIENT_TRAFFIC_0 ? TLSA_KL_SERVER_TRAFFIC_0
								       : TLSA_KL_CLIENT_TRAFFIC_0;
		const struct tlsa_keylog_secret *ps = tlsa_keylog_secret(e, pl);
		CHECK(ps != NULL);
		if (ps != NULL)
			CHECK_INT(tlsa_dir_init_tls13(other, suite, ps->v, ps->len), 0);
		return tlsa_dir_init_tls13(d, suite, s->v, s->len);
	}
	const struct tlsa_keylog_secret *ms = tlsa_keylog_secret(e, TLSA_KL_MASTER_SECRET);
	CHECK(ms != NULL && ms->len == 48);
	if (ms == NULL)
		return -1;
	uint8_t sr[32];
	CHECK_INT(unhex(f[4], sr, 32), 32);
	return client ? tlsa_dir_init_tls12(d, other, version, suite, ms->v, e->client_random, sr,
					    atoi(f[7]) != 0)
		      : tlsa_dir_init_tls12(other, d, version, suite, ms->v, e->client_random, sr,
					    atoi(f[7]) != 0);
}

int main(void)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	CHECK(kl != NULL);
	int files = load_all(kl);
	CHECK_INT(files, 12);
	CHECK_INT(warnings, 0);
	CHECK_INT(tlsa_keylog_count(kl), 12);

	FILE *fp = fopen("tests/data/crypto/vectors.tsv", "r");
	CHECK(fp != NULL);
	if (fp == NULL)
		return CHECK_DONE();
	static char line[8192];
	int n = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		const char *f[14];
		int nf = 0;
		char *save = NULL;
		for (char *t = strtok_r(line, "\t\r\n", &save); t && nf < 14;
		     t = strtok_r(NULL, "\t\r\n", &save))
			f[nf++] = t;
		CHECK_INT(nf, 14);
		if (nf != 14)
			continue;
		uint8_t cr[32];
		CHECK_INT(unhex(f[3], cr, 32), 32);
		const struct tlsa_keylog_entry *e = tlsa_keylog_find(kl, cr, &kbuf);
		CHECK(e != NULL);
		if (e == NULL)
			continue;
		struct tlsa_cipher_dir d = {0}, other = {0};
		CHECK_INT(setup(e, f, &d, &other), 0);
		static uint8_t rec[20000], out[20000];
		size_t rl = unhex(f[11], rec, sizeof(rec)), ol = 0;
		uint64_t seq = strtoull(f[10], NULL, 10);
		uint8_t type = 0;
		struct tlsa_error err = {0};

		d.seq = seq;
		int rc = tlsa_dir_decrypt(&d, rec, rl, out, sizeof(out), &ol, &type, &err);
		if (rc != 0)
			fprintf(stderr, "%s frame %s: %s\n", f[0], f[1], err.msg);
		CHECK_INT(rc, 0);
		CHECK_INT(type, 21);
		CHECK_INT(ol, 2);
		CHECK_INT(out[0], atoi(f[12]));
		CHECK_INT(out[1], atoi(f[13]));
		CHECK_INT(d.seq, seq + 1);

		/* the wrong sequence numbers and the other direction's keys fail */
		d.seq = seq + 1;
		CHECK_INT(tlsa_dir_decrypt(&d, rec, rl, out, sizeof(out), &ol, &type, &err),
			  TLSA_EAUTH);
		if (seq > 0) {
			d.seq = seq - 1;
			CHECK_INT(tlsa_dir_decrypt(&d, rec, rl, out, sizeof(out), &ol, &type, &err),
				  TLSA_EAUTH);
		}
		other.seq = seq;
		CHECK_INT(tlsa_dir_decrypt(&other, rec, rl, out, sizeof(out), &ol, &type, &err),
			  TLSA_EAUTH);
		CHECK(strstr(err.msg, "wrong key log or tampered record") != NULL);
		tlsa_dir_free(&d);
		tlsa_dir_free(&other);
		n++;
	}
	fclose(fp);
	CHECK_INT(n, 19);
	tlsa_keylog_free(kl);
	return CHECK_DONE();
}
