/*
 * What SSL 3.0 and the export suites do differently from TLS 1.0-1.2 (RFC
 * 6101, RFC 2246 6.3): SSL 3.0's key block and record MAC, built from MD5 and
 * SHA-1 rather than a PRF and HMAC, and the final keys and IVs of the export
 * suites, expanded from 5 or 7 bytes of key material and the hello randoms.
 * Old captures are full of both.  Everything runs in libcrypto.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "crypto_int.h"

/* One digest over up to four pieces; 0 or TLSA_EINVAL. */
static int digest4(const char *alg, const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
		   const uint8_t *c, size_t cl, const uint8_t *d, size_t dl, uint8_t *out)
{
	EVP_MD *md = EVP_MD_fetch(NULL, alg, NULL);
	EVP_MD_CTX *x = md != NULL ? EVP_MD_CTX_new() : NULL;
	unsigned n = 0;
	int ok = x != NULL && EVP_DigestInit_ex2(x, md, NULL) == 1 &&
		 EVP_DigestUpdate(x, a, al) == 1 && (bl == 0 || EVP_DigestUpdate(x, b, bl) == 1) &&
		 (cl == 0 || EVP_DigestUpdate(x, c, cl) == 1) &&
		 (dl == 0 || EVP_DigestUpdate(x, d, dl) == 1) &&
		 EVP_DigestFinal_ex(x, out, &n) == 1;
	EVP_MD_CTX_free(x);
	EVP_MD_free(md);
	return ok ? 0 : TLSA_EINVAL;
}

int ssl3_key_block(const uint8_t master[48], const uint8_t sr[32], const uint8_t cr[32],
		   uint8_t *out, size_t n)
{
	uint8_t label[26], sha[20], md5[16];
	int rc = 0;
	if (n > 26 * 16)
		return TLSA_EINVAL;
	for (size_t i = 0, done = 0; done < n && rc == 0; i++) {
		memset(label, 'A' + (int)i, i + 1);
		rc = digest4("SHA1", label, i + 1, master, 48, sr, 32, cr, 32, sha);
		if (rc == 0)
			rc = digest4("MD5", master, 48, sha, 20, NULL, 0, NULL, 0, md5);
		size_t k = n - done < 16 ? n - done : 16;
		memcpy(out + done, md5, k);
		done += k;
	}
	OPENSSL_cleanse(sha, sizeof(sha));
	OPENSSL_cleanse(md5, sizeof(md5));
	return rc;
}

/* TLS export: PRF(material, label, cr + sr) for a key; the IVs come from
 * PRF("", "IV block", cr + sr).  An empty HMAC key is a block of zeros, so the
 * empty secret is passed as one zero block of the hash (MD5+SHA-1: two
 * halves of 64 zero bytes; SHA-256: 64; SHA-384: 128).  TLS 1.2 forbids the
 * export suites, but peers that negotiate them anyway use its PRF. */
static int export_tls(const struct tlsa_suite *s, tlsa_hash prf, const uint8_t *c_mat,
		      const uint8_t *s_mat, const uint8_t cr[32], const uint8_t sr[32],
		      uint8_t *c_key, uint8_t *s_key, uint8_t *c_iv, uint8_t *s_iv)
{
	static const uint8_t zero[128];
	uint8_t ivb[32];
	size_t m = s->key_material, iv = s->prot == TLSA_PROT_CBC ? s->fixed_iv_len : 0;
	size_t zl = prf == TLSA_HASH_SHA256 ? 64 : 128;
	if (tlsa_tls_prf(prf, c_mat, m, "client write key", cr, 32, sr, 32, c_key, s->key_len) !=
		    0 ||
	    tlsa_tls_prf(prf, s_mat, m, "server write key", cr, 32, sr, 32, s_key, s->key_len) != 0)
		return TLSA_EINVAL;
	if (iv == 0)
		return 0;
	if (tlsa_tls_prf(prf, zero, zl, "IV block", cr, 32, sr, 32, ivb, 2 * iv) != 0)
		return TLSA_EINVAL;
	memcpy(c_iv, ivb, iv);
	memcpy(s_iv, ivb + iv, iv);
	return 0;
}

int export_keys(const struct tlsa_suite *s, tlsa_hash prf, const uint8_t *c_mat,
		const uint8_t *s_mat, const uint8_t cr[32], const uint8_t sr[32], uint8_t *c_key,
		uint8_t *s_key, uint8_t *c_iv, uint8_t *s_iv)
{
	if (s->key_len > 16 || s->fixed_iv_len > 16)
		return TLSA_EINVAL;
	if (prf != TLSA_HASH_NONE)
		return export_tls(s, prf, c_mat, s_mat, cr, sr, c_key, s_key, c_iv, s_iv);
	/* SSL 3.0: MD5(material + own random + peer's random), IVs MD5(randoms) */
	uint8_t md[16];
	size_t m = s->key_material;
	int rc = digest4("MD5", c_mat, m, cr, 32, sr, 32, NULL, 0, md);
	memcpy(c_key, md, s->key_len);
	if (rc == 0)
		rc = digest4("MD5", s_mat, m, sr, 32, cr, 32, NULL, 0, md);
	memcpy(s_key, md, s->key_len);
	if (rc == 0 && s->prot == TLSA_PROT_CBC) {
		rc = digest4("MD5", cr, 32, sr, 32, NULL, 0, NULL, 0, md);
		memcpy(c_iv, md, s->fixed_iv_len);
		if (rc == 0)
			rc = digest4("MD5", sr, 32, cr, 32, NULL, 0, NULL, 0, md);
		memcpy(s_iv, md, s->fixed_iv_len);
	}
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int ssl3_mac(tlsa_hash h, const uint8_t *secret, uint64_t seq, uint8_t type, const uint8_t *data,
	     size_t len, uint8_t *mac)
{
	if (h != TLSA_HASH_MD5 && h != TLSA_HASH_SHA1)
		return TLSA_EAUTH;
	const char *alg = h == TLSA_HASH_MD5 ? "MD5" : "SHA1";
	size_t ml = tlsa_hash_len(h), pl = h == TLSA_HASH_MD5 ? 48 : 40;
	uint8_t pad1[48], pad2[48], hdr[11], inner[20];
	memset(pad1, 0x36, sizeof(pad1));
	memset(pad2, 0x5c, sizeof(pad2));
	for (int i = 0; i < 8; i++)
		hdr[i] = (uint8_t)(seq >> (56 - 8 * i));
	hdr[8] = type;
	hdr[9] = (uint8_t)(len >> 8);
	hdr[10] = (uint8_t)len;
	if (digest4(alg, secret, ml, pad1, pl, hdr, sizeof(hdr), data, len, inner) != 0 ||
	    digest4(alg, secret, ml, pad2, pl, inner, ml, NULL, 0, mac) != 0)
		return TLSA_EAUTH;
	return 0;
}

struct legacy_ctx *legacy_ctx_new(void)
{
	struct legacy_ctx *x = OPENSSL_zalloc(sizeof(*x));
	if (x == NULL)
		return NULL;
	x->lc = OSSL_LIB_CTX_new();
	if (x->lc != NULL)
		x->def = OSSL_PROVIDER_load(x->lc, "default");
	if (x->def != NULL)
		x->legacy = OSSL_PROVIDER_load(x->lc, "legacy");
	if (x->legacy == NULL) {
		legacy_ctx_free(x);
		return NULL;
	}
	return x;
}

void legacy_ctx_free(struct legacy_ctx *x)
{
	if (x == NULL)
		return;
	if (x->legacy != NULL)
		OSSL_PROVIDER_unload(x->legacy);
	if (x->def != NULL)
		OSSL_PROVIDER_unload(x->def);
	OSSL_LIB_CTX_free(x->lc);
	OPENSSL_free(x);
}
