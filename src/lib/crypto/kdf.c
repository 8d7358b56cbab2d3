/*
 * Key derivation through libcrypto EVP_KDF: TLS 1.3 HKDF-Expand-Label
 * (RFC 8446 section 7.1) and the TLS 1.0-1.2 PRF (RFC 2246 section 5,
 * RFC 5246 section 5).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tlsalert/decrypt.h"

size_t tlsa_hash_len(tlsa_hash h)
{
	switch (h) {
	case TLSA_HASH_MD5_SHA1: return 36;
	case TLSA_HASH_SHA1: return 20;
	case TLSA_HASH_SHA256: return 32;
	case TLSA_HASH_SHA384: return 48;
	case TLSA_HASH_MD5: return 16;
	case TLSA_HASH_NONE: break;
	}
	return 0;
}

/* The libcrypto digest name of a hash, or NULL. */
static const char *hash_name(tlsa_hash h)
{
	switch (h) {
	case TLSA_HASH_MD5_SHA1: return "MD5-SHA1";
	case TLSA_HASH_SHA1: return "SHA1";
	case TLSA_HASH_SHA256: return "SHA256";
	case TLSA_HASH_SHA384: return "SHA384";
	case TLSA_HASH_MD5:
	case TLSA_HASH_NONE: break;
	}
	return NULL;
}

/* Runs one EVP_KDF derivation; 0 or TLSA_EINVAL. */
static int kdf_run(const char *alg, const OSSL_PARAM *params, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, alg, NULL);
	if (kdf == NULL)
		return TLSA_EINVAL;
	EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		return TLSA_ENOMEM;
	int ok = EVP_KDF_derive(kctx, out, out_len, params);
	EVP_KDF_CTX_free(kctx);
	return ok == 1 ? 0 : TLSA_EINVAL;
}

int tlsa_hkdf_expand_label(tlsa_hash h, const uint8_t *secret, size_t secret_len, const char *label,
			   const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
	static const char prefix[] = "tls13 ";
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t llen = label ? strlen(label) : 0;
	size_t plen = sizeof(prefix) - 1;

	if ((h != TLSA_HASH_SHA256 && h != TLSA_HASH_SHA384) || secret == NULL || secret_len == 0 ||
	    out == NULL || out_len == 0 || out_len > 0xffff || plen + llen > 255 ||
	    context_len > 255 || (context == NULL && context_len > 0))
		return TLSA_EINVAL;
	/* struct { uint16 length; opaque label<7..255>; opaque context<0..255>; } */
	size_t n = 0;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(plen + llen);
	memcpy(info + n, prefix, plen);
	n += plen;
	if (llen > 0)
		memcpy(info + n, label, llen);
	n += llen;
	info[n++] = (uint8_t)context_len;
	if (context_len > 0)
		memcpy(info + n, context, context_len);
	n += context_len;

	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)hash_name(h), 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n),
		OSSL_PARAM_construct_end(),
	};
	return kdf_run("HKDF", params, out, out_len);
}

int tlsa_tls_prf(tlsa_hash h, const uint8_t *secret, size_t secret_len, const char *label,
		 const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
		 uint8_t *out, size_t out_len)
{
	uint8_t seed[512];
	size_t llen = label ? strlen(label) : 0;

	if ((h != TLSA_HASH_MD5_SHA1 && h != TLSA_HASH_SHA256 && h != TLSA_HASH_SHA384) ||
	    secret == NULL || secret_len == 0 || out == NULL || out_len == 0 ||
	    llen + seed1_len + seed2_len > sizeof(seed) || (seed1 == NULL && seed1_len > 0) ||
	    (seed2 == NULL && seed2_len > 0) || llen + seed1_len + seed2_len == 0)
		return TLSA_EINVAL;
	size_t n = 0;
	if (llen > 0)
		memcpy(seed, label, llen);
	n += llen;
	if (seed1_len > 0)
		memcpy(seed + n, seed1, seed1_len);
	n += seed1_len;
	if (seed2_len > 0)
		memcpy(seed + n, seed2, seed2_len);
	n += seed2_len;

	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)hash_name(h), 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret,
						  secret_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, n),
		OSSL_PARAM_construct_end(),
	};
	return kdf_run("TLS1-PRF", params, out, out_len);
}
