/*
 * Internal to crypto/: the key derivation and record MAC of SSL 3.0 and the
 * export suites (legacy_kdf.c), and the library context that holds
 * libcrypto's legacy provider.
 */
#ifndef TLSALERT_CRYPTO_INT_H
#define TLSALERT_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "tlsalert/decrypt.h"

/* SSL 3.0 key block (RFC 6101 6.2.2): MD5(master + SHA1("A" + master +
 * server_random + client_random)) + MD5(master + SHA1("BB" + ...)) + ...,
 * n <= 26 * 16 bytes.  0 or TLSA_EINVAL. */
int ssl3_key_block(const uint8_t master[48], const uint8_t sr[32], const uint8_t cr[32],
		   uint8_t *out, size_t n);

/*
 * The final keys and IVs of an export suite from the key block's short key
 * material (RFC 2246 6.3 for TLS, RFC 6101 6.2.2 for SSL 3.0): keys of
 * s->key_len bytes, IVs of s->fixed_iv_len bytes (CBC only).  `prf` is the
 * connection's PRF hash, TLSA_HASH_NONE for SSL 3.0.  0 or TLSA_EINVAL.
 */
int export_keys(const struct tlsa_suite *s, tlsa_hash prf, const uint8_t *c_mat,
		const uint8_t *s_mat, const uint8_t cr[32], const uint8_t sr[32], uint8_t *c_key,
		uint8_t *s_key, uint8_t *c_iv, uint8_t *s_iv);

/* The SSL 3.0 record MAC (RFC 6101 5.2.3.1): hash(secret + pad_2 +
 * hash(secret + pad_1 + seq + type + length + data)), MD5 or SHA-1.  0 or
 * TLSA_EAUTH. */
int ssl3_mac(tlsa_hash h, const uint8_t *secret, uint64_t seq, uint8_t type, const uint8_t *data,
	     size_t len, uint8_t *mac);

/* IDEA-CBC (idea.c), for a libcrypto without it: the 52 decryption subkeys
 * of a 16-byte key, then n bytes (whole blocks) decrypted with them. */
void idea_decrypt_keys(const uint8_t key[16], uint16_t dk[52]);
void idea_cbc_decrypt(const uint16_t dk[52], const uint8_t iv[8], const uint8_t *in, size_t n,
		      uint8_t *out);

/* GCM decryption over a cipher libcrypto has in ECB mode only (Camellia,
 * gcm_soft.c): checks the 16-byte tag, then writes n bytes of plaintext.
 * 0 or TLSA_EAUTH. */
int soft_gcm_open(const char *ecb_name, const uint8_t *key, size_t key_len, const uint8_t nonce[12],
		  const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t n,
		  const uint8_t tag[16], uint8_t *out);

/* A library context with libcrypto's default and legacy providers loaded
 * (the handles kept to unload them: a context freed with providers still
 * loaded leaks them). */
struct legacy_ctx {
	OSSL_LIB_CTX *lc;
	OSSL_PROVIDER *def, *legacy;
};

/* A new one, or NULL.  Free with legacy_ctx_free() (NULL allowed) after
 * every algorithm fetched from it. */
struct legacy_ctx *legacy_ctx_new(void);
void legacy_ctx_free(struct legacy_ctx *x);

#endif
