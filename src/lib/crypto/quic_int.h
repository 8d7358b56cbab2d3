/*
 * Internal to crypto/'s QUIC files: the context every protection call
 * borrows (quic_keys.c makes it and derives keys with it, quic_protect.c
 * removes protection with it), the version table, and the variable-length
 * integer reader of the packet and frame parsers.
 */
#ifndef TLSALERT_QUIC_INT_H
#define TLSALERT_QUIC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "base/rd.h"
#include "tlsalert/quic.h"

/* The ciphers of a context, fetched at their first use. */
enum qc_cipher_id {
	QC_AES_128_GCM,
	QC_AES_256_GCM,
	QC_CHACHA20_POLY1305,
	QC_AES_128_ECB, /* header protection of the AES AEADs */
	QC_AES_256_ECB,
	QC_CHACHA20, /* header protection of ChaCha20-Poly1305 */
	QC_N
};

/* Contexts kept keyed per cipher: a connection's two directions (and a few
 * connections in turn) each find their key still set up. */
#define QC_SLOTS 4

/* One context of a cipher and the key it holds. */
struct qc_slot {
	EVP_CIPHER_CTX *ctx; /* made at first use */
	bool keyed;	     /* ctx holds `key` */
	bool has_cipher;     /* ctx was set up with the cipher */
	uint32_t used;	     /* the cipher's clock at its last use, for eviction */
	uint8_t key[32];
};

/* One cipher, fetched at first use, and its contexts. */
struct qc_cipher {
	EVP_CIPHER *cipher;
	bool failed; /* the fetch failed: not tried again for every packet */
	uint32_t clock;
	struct qc_slot slot[QC_SLOTS];
};

/* An HMAC key as the SHA-2 states after its ipad and opad blocks: an HMAC
 * under it copies them and hashes one message block more each. */
struct qc_hkey {
	EVP_MD_CTX *in, *out;
	int hash; /* the tlsa_hash the states are of; 0: not set */
};

/* Salts of the Initial secrets whose keyed states a context keeps. */
#define QC_SALTS 3

struct tlsa_quic_ctx {
	EVP_MD *md[2];	   /* SHA256, SHA384, fetched at first use */
	bool md_failed[2]; /* ... or that failed: tlsa_hkdf_expand_label() then */
	EVP_MD_CTX *work;  /* where an HMAC is computed */
	struct qc_hkey prk;		/* the secret being expanded */
	struct qc_hkey salt[QC_SALTS];	/* the Initial salts, keyed once */
	const uint8_t *salt_of[QC_SALTS]; /* which salt each holds */
	struct qc_cipher c[QC_N];
};

/* What a version changes: the Initial salt, the Retry integrity key and
 * nonce, and the labels ("quic key" or "quicv2 key", ...). */
struct quic_version {
	uint32_t version;
	const char *name;
	const uint8_t *salt;	    /* 20 bytes */
	const uint8_t *retry_key;   /* 16 */
	const uint8_t *retry_nonce; /* 12 */
	bool v2;		    /* RFC 9369: labels and long header packet types */
};

/* The table's row for a version, or NULL. */
const struct quic_version *quic_version_find(uint32_t version);

/* The context's cipher `id`, keyed with `key` for encryption (enc) or
 * decryption, or NULL when libcrypto lacks it or fails. */
EVP_CIPHER_CTX *qc_cipher_keyed(struct tlsa_quic_ctx *qc, enum qc_cipher_id id, const uint8_t *key,
				size_t key_len, bool enc);

/* A variable-length integer (RFC 9000 16): the two high bits of the first
 * byte give its length.  0 and a failed reader when it does not fit. */
static inline uint64_t rd_varint(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	size_t n = (size_t)1 << (r->p[0] >> 6);
	if (!rd_need(r, n))
		return 0;
	uint64_t v = r->p[0] & 0x3f;
	for (size_t i = 1; i < n; i++)
		v = v << 8 | r->p[i];
	r->p += n;
	return v;
}

#endif
