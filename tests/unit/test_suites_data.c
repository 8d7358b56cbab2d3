/*
 * The cipher suite table (data/suites.txt -> tools/gen_suites.py ->
 * suites_data.h) agrees with its data file line by line, and every row
 * agrees with what its IANA name says (AES_128/256, GCM/CCM/CCM_8/CHACHA20,
 * CBC_SHA/SHA256/SHA384, the _SHA384 PRF).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/decrypt.h"

static const char *const prot_names[] = {"gcm", "ccm", "ccm8", "chacha20_poly1305", "cbc"};
static const char *const hash_names[] = {"none", "md5_sha1", "sha1", "sha256", "sha384"};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int main(void)
{
	size_t n = 0;
	const struct tlsa_suite *t = tlsa_suite_table(&n);
	FILE *f = fopen("data/suites.txt", "r");
	CHECK(f != NULL);
	if (f == NULL)
		return CHECK_DONE();
	char line[512];
	size_t row = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		unsigned id, key, iv, block;
		char name[128], prot[32], cipher[8], mac[16], prf[16], tls[8];
		int k = sscanf(line, "%x\t%127s\t%31s\t%u\t%u\t%u\t%7s\t%15s\t%15s\t%7s", &id, name,
			       prot, &key, &iv, &block, cipher, mac, prf, tls);
		CHECK_INT(k, 10);
		CHECK(row < n);
		if (k != 10 || row >= n)
			break;
		const struct tlsa_suite *s = &t[row++];
		CHECK_INT(s->id, id);
		CHECK_STR(s->name, name);
		CHECK_STR(prot_names[s->prot], prot);
		CHECK_INT(s->key_len, key);
		CHECK_INT(s->fixed_iv_len, iv);
		CHECK_INT(s->block_len, block);
		CHECK_STR(s->des3 ? "3des" : "aes", cipher);
		CHECK_STR(hash_names[s->mac], mac);
		CHECK_STR(hash_names[s->prf], prf);
		CHECK_STR(s->tls13 ? "1.3" : "1.2", tls);
		CHECK(tlsa_suite_find((uint16_t)id) == s);
	}
	fclose(f);
	CHECK_INT(row, n);

	/* each row against its IANA name */
	for (size_t i = 0; i < n; i++) {
		const struct tlsa_suite *s = &t[i];
		const char *nm = s->name;
		if (strstr(nm, "AES_128"))
			CHECK_INT(s->key_len, 16);
		if (strstr(nm, "AES_256") || strstr(nm, "CHACHA20"))
			CHECK_INT(s->key_len, 32);
		if (strstr(nm, "3DES"))
			CHECK(s->des3 && s->key_len == 24);
		if (strstr(nm, "_GCM_"))
			CHECK(s->prot == TLSA_PROT_GCM);
		if (strstr(nm, "_CCM_8"))
			CHECK(s->prot == TLSA_PROT_CCM8);
		else if (strstr(nm, "_CCM"))
			CHECK(s->prot == TLSA_PROT_CCM);
		if (strstr(nm, "CHACHA20_POLY1305"))
			CHECK(s->prot == TLSA_PROT_CHACHA);
		if (strstr(nm, "_CBC_")) {
			CHECK(s->prot == TLSA_PROT_CBC);
			CHECK(s->mac == (ends_with(nm, "_SHA")	    ? TLSA_HASH_SHA1
					 : ends_with(nm, "_SHA256") ? TLSA_HASH_SHA256
								    : TLSA_HASH_SHA384));
		}
		CHECK(s->prf == (ends_with(nm, "_SHA384") ? TLSA_HASH_SHA384 : TLSA_HASH_SHA256));
		CHECK(s->tls13 ==
		      (strncmp(nm, "TLS_AES_", 8) == 0 || strncmp(nm, "TLS_CHACHA", 10) == 0));
	}
	return CHECK_DONE();
}
