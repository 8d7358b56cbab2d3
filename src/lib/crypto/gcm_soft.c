/*
 * GCM (NIST SP 800-38D) over a block cipher libcrypto has only in ECB mode:
 * Camellia, for the Camellia-GCM suites of RFC 6367, which tshark decrypts
 * and libcrypto has no mode for.  The block cipher runs in libcrypto; GHASH
 * (multiplication in GF(2^128)) and the counter are here.  Opening checks
 * the tag before any plaintext is used; sealing (tlsalert serve) writes it.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto_int.h"

struct u128 {
	uint64_t hi, lo;
};

static struct u128 load(const uint8_t b[16])
{
	struct u128 x = {0, 0};
	for (int i = 0; i < 8; i++) {
		x.hi = x.hi << 8 | b[i];
		x.lo = x.lo << 8 | b[8 + i];
	}
	return x;
}

static void store(struct u128 x, uint8_t b[16])
{
	for (int i = 7; i >= 0; i--, x.hi >>= 8, x.lo >>= 8) {
		b[i] = (uint8_t)x.hi;
		b[8 + i] = (uint8_t)x.lo;
	}
}

/* x * h in GF(2^128) with GCM's bit order (SP 800-38D 6.3, Algorithm 1). */
static struct u128 gmul(struct u128 x, struct u128 h)
{
	struct u128 z = {0, 0}, v = h;
	for (int i = 0; i < 128; i++) {
		uint64_t bit = i < 64 ? x.hi >> (63 - i) & 1 : x.lo >> (127 - i) & 1;
		uint64_t m = 0 - bit;
		z.hi ^= v.hi & m;
		z.lo ^= v.lo & m;
		uint64_t lsb = 0 - (v.lo & 1);
		v.lo = v.lo >> 1 | v.hi << 63;
		v.hi = v.hi >> 1 ^ (0xe100000000000000ull & lsb);
	}
	return z;
}

/* GHASH of data (zero-padded to whole blocks) into y. */
static void ghash(struct u128 *y, struct u128 h, const uint8_t *p, size_t n)
{
	uint8_t blk[16];
	for (size_t i = 0; i < n; i += 16) {
		size_t k = n - i < 16 ? n - i : 16;
		memset(blk, 0, sizeof(blk));
		memcpy(blk, p + i, k);
		struct u128 x = load(blk);
		y->hi ^= x.hi;
		y->lo ^= x.lo;
		*y = gmul(*y, h);
	}
}

/* E(in) for n bytes of whole blocks, ECB. */
static int ecb(EVP_CIPHER_CTX *c, const uint8_t *in, size_t n, uint8_t *out)
{
	int ol = 0;
	return EVP_EncryptUpdate(c, out, &ol, in, (int)n) == 1 && (size_t)ol == n ? 0 : -1;
}

/* Counter blocks nonce || (first + i) for i < nblk, encrypted, XORed into out. */
static int ctr_xor(EVP_CIPHER_CTX *c, const uint8_t nonce[12], uint32_t first, const uint8_t *in,
		   size_t n, uint8_t *out)
{
	uint8_t cb[16 * 64], ks[16 * 64];
	for (size_t done = 0; done < n;) {
		size_t chunk = n - done < sizeof(cb) ? n - done : sizeof(cb);
		size_t nb = (chunk + 15) / 16;
		for (size_t b = 0; b < nb; b++) {
			uint32_t ctr = first + (uint32_t)((done / 16) + b);
			memcpy(cb + 16 * b, nonce, 12);
			cb[16 * b + 12] = (uint8_t)(ctr >> 24);
			cb[16 * b + 13] = (uint8_t)(ctr >> 16);
			cb[16 * b + 14] = (uint8_t)(ctr >> 8);
			cb[16 * b + 15] = (uint8_t)ctr;
		}
		if (ecb(c, cb, 16 * nb, ks) != 0)
			return -1;
		for (size_t i = 0; i < chunk; i++)
			out[done + i] = in[done + i] ^ ks[i];
		done += chunk;
	}
	OPENSSL_cleanse(ks, sizeof(ks));
	return 0;
}

/* The cipher context of an ECB cipher keyed with key; NULL on failure. */
static EVP_CIPHER_CTX *ecb_ctx(const char *ecb_name, const uint8_t *key, size_t key_len)
{
	EVP_CIPHER *ci = EVP_CIPHER_fetch(NULL, ecb_name, NULL);
	EVP_CIPHER_CTX *c = ci != NULL ? EVP_CIPHER_CTX_new() : NULL;
	if (c != NULL && (EVP_EncryptInit_ex2(c, ci, NULL, NULL, NULL) != 1 ||
			  EVP_CIPHER_CTX_set_key_length(c, (int)key_len) != 1 ||
			  EVP_EncryptInit_ex2(c, NULL, key, NULL, NULL) != 1 ||
			  EVP_CIPHER_CTX_set_padding(c, 0) != 1)) {
		EVP_CIPHER_CTX_free(c);
		c = NULL;
	}
	EVP_CIPHER_free(ci); /* the context keeps its own reference */
	return c;
}

/* The tag over aad and n bytes of ciphertext: GHASH_H(aad, ct, lengths) XOR E(J0). */
static int gcm_tag(EVP_CIPHER_CTX *c, const uint8_t nonce[12], const uint8_t *aad,
		   size_t aad_len, const uint8_t *ct, size_t n, uint8_t tag[16])
{
	uint8_t zero[16] = {0}, hb[16], j0[16], ej0[16];
	int rc = -1;
	if (ecb(c, zero, 16, hb) != 0)
		goto out;
	memcpy(j0, nonce, 12);
	j0[12] = j0[13] = j0[14] = 0;
	j0[15] = 1;
	struct u128 h = load(hb), y = {0, 0};
	ghash(&y, h, aad, aad_len);
	ghash(&y, h, ct, n);
	struct u128 len = {(uint64_t)aad_len * 8, (uint64_t)n * 8};
	y.hi ^= len.hi;
	y.lo ^= len.lo;
	y = gmul(y, h);
	store(y, tag);
	if (ecb(c, j0, 16, ej0) != 0)
		goto out;
	for (int i = 0; i < 16; i++)
		tag[i] ^= ej0[i];
	rc = 0;
out:
	OPENSSL_cleanse(hb, sizeof(hb));
	OPENSSL_cleanse(ej0, sizeof(ej0));
	return rc;
}

int soft_gcm_open(const char *ecb_name, const uint8_t *key, size_t key_len, const uint8_t nonce[12],
		  const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t n,
		  const uint8_t tag[16], uint8_t *out)
{
	EVP_CIPHER_CTX *c = ecb_ctx(ecb_name, key, key_len);
	uint8_t s[16];
	int rc = TLSA_EAUTH;
	if (c != NULL && gcm_tag(c, nonce, aad, aad_len, ct, n, s) == 0 &&
	    CRYPTO_memcmp(s, tag, 16) == 0 && ctr_xor(c, nonce, 2, ct, n, out) == 0)
		rc = 0;
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int soft_gcm_seal(const char *ecb_name, const uint8_t *key, size_t key_len, const uint8_t nonce[12],
		  const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t n, uint8_t *ct,
		  uint8_t tag[16])
{
	EVP_CIPHER_CTX *c = ecb_ctx(ecb_name, key, key_len);
	int rc = TLSA_EAUTH;
	if (c != NULL && ctr_xor(c, nonce, 2, pt, n, ct) == 0 &&
	    gcm_tag(c, nonce, aad, aad_len, ct, n, tag) == 0)
		rc = 0;
	EVP_CIPHER_CTX_free(c);
	return rc;
}
