/*
 * Internal to crypto/: the key derivation and record MAC of SSL 3.0 and the
 * export suites (legacy_kdf.c), and the library context that holds
 * libcrypto's legacy provider.
 */
#ifndef TLSALERT_CRYPTO_INT_H
#define TLSALERT_CRYPTO_INT_H

#include <stdbool.h>
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
/* IDEA-CBC encryption of n bytes (whole blocks) under a 16-byte key; in == out allowed. */
void idea_cbc_encrypt(const uint8_t key[16], const uint8_t iv[8], const uint8_t *in, size_t n,
		      uint8_t *out);

/* GCM decryption over a cipher libcrypto has in ECB mode only (Camellia,
 * gcm_soft.c): checks the 16-byte tag, then writes n bytes of plaintext.
 * 0 or TLSA_EAUTH. */
int soft_gcm_open(const char *ecb_name, const uint8_t *key, size_t key_len, const uint8_t nonce[12],
		  const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t n,
		  const uint8_t tag[16], uint8_t *out);
/* The sealing side: n bytes of pt encrypted to ct (pt == ct allowed), and the tag. */
int soft_gcm_seal(const char *ecb_name, const uint8_t *key, size_t key_len, const uint8_t nonce[12],
		  const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t n, uint8_t *ct,
		  uint8_t tag[16]);

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

/* ---- shared by record_decrypt.c (opening) and record_encrypt.c (sealing) */

/* The AEAD tag length of a suite: 16, 8 (CCM8), 0 (CBC, stream, NULL). */
size_t rec_tag_len(const struct tlsa_suite *s);

/* The context a record of d is protected with, its cipher, whether it holds
 * the cipher already (*set) and whether it holds d's key. */
struct ctx_use {
	EVP_CIPHER_CTX *c;
	const EVP_CIPHER *cipher;
	bool *set;
	bool keyed;
};
struct ctx_use rec_ctx_of(struct tlsa_cipher_dir *d);

/* Records whether the context now holds d's key as opening needs it (false:
 * nobody's known key). */
void rec_mark_keyed(struct tlsa_cipher_dir *d, bool keyed);

/* The record MAC: HMAC(mac_key, seq || type || version || length || data)
 * (SSL 3.0: its own construction) into mac[].  0 or TLSA_EAUTH. */
int rec_mac(struct tlsa_cipher_dir *d, uint64_t seq, uint8_t type, uint16_t version,
	    const uint8_t *data, size_t len, uint8_t *mac);

/* seq(8) || type || version(2) || length(2): the MAC's header and the TLS
 * 1.2 AEAD additional data (RFC 5246 6.2.3.1, 6.2.3.3). */
void rec_pseudo_header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t len);

/* The 12-byte AEAD nonce of record number seq: the 4-byte fixed IV and the
 * 8-byte explicit nonce (TLS 1.2 GCM/CCM), else (explicit8 NULL: TLS 1.3,
 * ChaCha20-Poly1305) the 12-byte IV XOR the sequence number. */
void rec_nonce(const struct tlsa_cipher_dir *d, uint64_t seq, const uint8_t *explicit8,
	       uint8_t nonce[12]);

#endif
