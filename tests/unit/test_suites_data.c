/*
 * The cipher suite table (data/suites.txt + data/record-ciphers.txt ->
 * tools/gen_suites.py -> suites_data.h) agrees with its data files line by
 * line: every suite whose cipher tlsalert can remove has its row, with the
 * cipher's mode, sizes and libcrypto name and the suite's MAC and PRF, and no
 * other suite has one.  Every suite of a cipher that tshark decrypts has a
 * row, but for the few named in `gaps` (which may only shrink).  Every row
 * also agrees with what its IANA name says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/decrypt.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const prot_names[] = {"gcm", "ccm",	  "ccm8", "chacha20_poly1305",
					 "cbc", "stream", "null"};
static const char *const mac_names[] = {"AEAD", "-", "SHA", "SHA256", "SHA384", "MD5"};
static const char *const prf_names[] = {"-", "-", "-", "sha256", "sha384", "-"};

/* Ciphers tshark decrypts and tlsalert does not (yet): record-ciphers.txt
 * says why.  A suite of these that gains a row fails here until it leaves
 * the list. */
static const char *const gaps[] = {""};

struct cipher {
	char name[40], mode[24], lib[24], prov[16], tshark[8];
	unsigned key, material, iv, block;
};

static struct cipher ciphers[64];
static size_t n_ciphers;

static const struct cipher *cipher_of(const char *name)
{
	for (size_t i = 0; i < n_ciphers; i++)
		if (strcmp(ciphers[i].name, name) == 0)
			return &ciphers[i];
	return NULL;
}

static bool in_gaps(const char *cipher)
{
	for (size_t i = 0; i < N_ELEMS(gaps); i++)
		if (strcmp(gaps[i], cipher) == 0)
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void load_ciphers(void)
{
	FILE *f = fopen("data/record-ciphers.txt", "r");
	CHECK(f != NULL);
	char line[512];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL && n_ciphers < N_ELEMS(ciphers)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		struct cipher *c = &ciphers[n_ciphers++];
		int k = sscanf(line, "%39s\t%23s\t%u\t%u\t%u\t%u\t%23s\t%15s\t%7s", c->name,
			       c->mode, &c->key, &c->material, &c->iv, &c->block, c->lib, c->prov,
			       c->tshark);
		CHECK(k == 9);
	}
	if (f != NULL)
		fclose(f);
	CHECK(n_ciphers > 30);
}

/* One line of suites.txt against the table. */
static void check_suite(unsigned id, const char *name, const char *kx, const char *cname,
			const char *mac, const char *prf, size_t *rows, size_t *tshark_rows)
{
	const struct cipher *c = cipher_of(cname);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	const struct tlsa_suite *s = tlsa_suite_find((uint16_t)id);
	bool aead = strcmp(mac, "AEAD") == 0;
	bool want = strcmp(c->mode, "-") != 0 && (strcmp(kx, "TLS13") != 0 || aead) &&
		    strcmp(mac, "NULL") != 0 &&
		    (strcmp(prf, "sha256") == 0 || strcmp(prf, "sha384") == 0);
	if (want != (s != NULL))
		fprintf(stderr, "0x%04x %s: row %s, want %s\n", id, name, s ? "present" : "missing",
			want ? "one" : "none");
	CHECK(want == (s != NULL));
	/* (tshark's NULL is TLS 1.0-1.2's, not RFC 9150's integrity-only TLS 1.3) */
	if (strcmp(c->tshark, "yes") == 0 && strcmp(mac, "NULL") != 0 &&
	    (strcmp(kx, "TLS13") != 0 || aead)) {
		bool gap = in_gaps(cname);
		if (gap == (s != NULL))
			fprintf(stderr, "0x%04x %s: tshark decrypts it, row %s, gap list %s\n", id,
				name, s ? "present" : "missing", gap ? "names it" : "does not");
		CHECK(gap != (s != NULL));
		*tshark_rows += s != NULL;
	}
	if (s == NULL)
		return;
	(*rows)++;
	CHECK_STR(s->name, name);
	CHECK_STR(prot_names[s->prot], c->mode);
	CHECK_INT(s->key_len, c->key);
	CHECK_INT(s->key_material, c->material);
	CHECK_INT(s->fixed_iv_len, strcmp(kx, "TLS13") == 0 ? 12 : c->iv);
	CHECK_INT(s->block_len, c->block);
	CHECK_STR(s->cipher_name ? s->cipher_name : "-", c->lib);
	CHECK(s->legacy == (strcmp(c->prov, "legacy") == 0));
	CHECK(s->builtin == (strcmp(c->prov, "builtin") == 0));
	CHECK_STR(mac_names[s->mac], mac);
	CHECK_STR(prf_names[s->prf], prf);
	CHECK(s->tls13 == (strcmp(kx, "TLS13") == 0));
}

/* A row against what its IANA name says. */
static void check_name(const struct tlsa_suite *s)
{
	const char *nm = s->name;
	if (strstr(nm, "_128_"))
		CHECK_INT(s->key_len, 16);
	if (strstr(nm, "_256_") || strstr(nm, "CHACHA20"))
		CHECK_INT(s->key_len, 32);
	if (strstr(nm, "3DES"))
		CHECK(s->des3 && s->key_len == 24);
	if (strstr(nm, "_EXPORT"))
		CHECK(s->key_material < s->key_len);
	else
		CHECK(s->key_material == s->key_len);
	if (strstr(nm, "_GCM_"))
		CHECK(s->prot == TLSA_PROT_GCM);
	if (strstr(nm, "_CCM_8"))
		CHECK(s->prot == TLSA_PROT_CCM8);
	else if (strstr(nm, "_CCM"))
		CHECK(s->prot == TLSA_PROT_CCM);
	if (strstr(nm, "CHACHA20_POLY1305"))
		CHECK(s->prot == TLSA_PROT_CHACHA);
	if (strstr(nm, "_RC4_"))
		CHECK(s->prot == TLSA_PROT_STREAM);
	if (strstr(nm, "_WITH_NULL_"))
		CHECK(s->prot == TLSA_PROT_NULL);
	if (strstr(nm, "_CBC_") || strstr(nm, "_RC4_") || strstr(nm, "_WITH_NULL_"))
		CHECK(s->mac == (ends_with(nm, "_SHA")	    ? TLSA_HASH_SHA1
				 : ends_with(nm, "_MD5")    ? TLSA_HASH_MD5
				 : ends_with(nm, "_SHA256") ? TLSA_HASH_SHA256
							    : TLSA_HASH_SHA384));
	CHECK(s->prf == (ends_with(nm, "_SHA384") ? TLSA_HASH_SHA384 : TLSA_HASH_SHA256));
	CHECK(s->tls13 == (strncmp(nm, "TLS_AES_", 8) == 0 || strncmp(nm, "TLS_CHACHA", 10) == 0));
}

int main(void)
{
	load_ciphers();
	size_t n = 0, rows = 0, tshark_rows = 0, lines = 0;
	const struct tlsa_suite *t = tlsa_suite_table(&n);
	FILE *f = fopen("data/suites.txt", "r");
	CHECK(f != NULL);
	if (f == NULL)
		return CHECK_DONE();
	char line[512];
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		unsigned id;
		char name[128], kx[32], cname[40], mac[16], prf[16];
		int k = sscanf(line, "%x\t%127s\t%31s\t%39s\t%15s\t%15s", &id, name, kx, cname, mac,
			       prf);
		CHECK(k == 6);
		if (k == 6)
			check_suite(id, name, kx, cname, mac, prf, &rows, &tshark_rows);
		lines++;
	}
	fclose(f);
	CHECK(lines > 340);
	CHECK_INT(rows, n);	  /* no row without its line */
	CHECK(tshark_rows > 200); /* the check above did run */
	for (size_t i = 0; i < n; i++) {
		check_name(&t[i]);
		CHECK(tlsa_suite_find(t[i].id) == &t[i]);
	}
	printf("%zu suites, %zu rows, %zu of them of ciphers tshark decrypts\n", lines, n,
	       tshark_rows);
	return CHECK_DONE();
}
