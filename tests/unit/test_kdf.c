/*
 * Key derivation: HKDF-Expand-Label against RFC 8448 section 3 (keys and IVs
 * from the four traffic secrets of the simple 1-RTT handshake), and the TLS
 * PRF against tests/data/crypto/prf_vectors.txt (made with Python's hmac, not
 * libcrypto), plus argument checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"

static void check_keys(const char *secret, const char *key, const char *iv)
{
	uint8_t s[32], k[16], i[12], got[32];
	CHECK_INT(rfc8448(secret, s, sizeof(s)), 32);
	CHECK_INT(rfc8448(key, k, sizeof(k)), 16);
	CHECK_INT(rfc8448(iv, i, sizeof(i)), 12);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA256, s, 32, "key", NULL, 0, got, 16), 0);
	CHECK(memcmp(got, k, 16) == 0);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA256, s, 32, "iv", NULL, 0, got, 12), 0);
	CHECK(memcmp(got, i, 12) == 0);
}

static void prf_vectors(void)
{
	FILE *f = fopen("tests/data/crypto/prf_vectors.txt", "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	static char line[4096];
	int n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			continue;
		char kind[16], sec[256], label[64], s1[128], s2[128], outhex[512];
		if (sscanf(line, "%15s %255s %63s %127s %127s %511s", kind, sec, label, s1, s2,
			   outhex) != 6) {
			CHECK(!"malformed PRF vector");
			continue;
		}
		for (char *c = label; *c; c++)
			if (*c == '_')
				*c = ' ';
		tlsa_hash h = strcmp(kind, "md5sha1") == 0  ? TLSA_HASH_MD5_SHA1
			      : strcmp(kind, "sha256") == 0 ? TLSA_HASH_SHA256
							    : TLSA_HASH_SHA384;
		uint8_t secret[128], a[64], b[64], want[256], got[256];
		size_t sl = unhex(sec, secret, sizeof(secret)), al = unhex(s1, a, sizeof(a));
		size_t bl = unhex(s2, b, sizeof(b)), wl = unhex(outhex, want, sizeof(want));
		CHECK_INT(tlsa_tls_prf(h, secret, sl, label, a, al, b, bl, got, wl), 0);
		CHECK(memcmp(got, want, wl) == 0);
		n++;
	}
	fclose(f);
	CHECK_INT(n, 9);
}

int main(void)
{
	check_keys("server_hs_secret", "server_hs_key", "server_hs_iv");
	check_keys("client_hs_secret", "client_hs_key", "client_hs_iv");
	check_keys("server_ap_secret", "server_ap_key", "server_ap_iv");
	check_keys("client_ap_secret", "client_ap_key", "client_ap_iv");

	/* SHA-384 and a context make a different output of the asked length */
	uint8_t s48[48] = {1}, o1[48], o2[48], ctx[3] = {1, 2, 3};
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA384, s48, 48, "traffic upd", NULL, 0, o1, 48),
		  0);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA384, s48, 48, "traffic upd", ctx, 3, o2, 48),
		  0);
	CHECK(memcmp(o1, o2, 48) != 0);

	/* argument checks */
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA1, s48, 32, "key", NULL, 0, o1, 16),
		  TLSA_EINVAL);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA256, NULL, 32, "key", NULL, 0, o1, 16),
		  TLSA_EINVAL);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA256, s48, 32, "key", NULL, 4, o1, 16),
		  TLSA_EINVAL);
	CHECK_INT(tlsa_hkdf_expand_label(TLSA_HASH_SHA256, s48, 32, "key", NULL, 0, o1, 0),
		  TLSA_EINVAL);
	CHECK_INT(tlsa_tls_prf(TLSA_HASH_SHA1, s48, 48, "x", NULL, 0, NULL, 0, o1, 16),
		  TLSA_EINVAL);
	CHECK_INT(tlsa_tls_prf(TLSA_HASH_SHA256, s48, 48, "", NULL, 0, NULL, 0, o1, 16),
		  TLSA_EINVAL);
	CHECK_INT(tlsa_hash_len(TLSA_HASH_SHA384), 48);
	CHECK_INT(tlsa_hash_len(TLSA_HASH_MD5_SHA1), 36);
	CHECK_INT(tlsa_hash_len(TLSA_HASH_NONE), 0);

	prf_vectors();
	return CHECK_DONE();
}
