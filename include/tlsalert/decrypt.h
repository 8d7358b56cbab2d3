/*
 * libtlsalert: removing record protection with known secrets.
 *
 *   tlsa_suite_find()          IANA cipher suite number -> how it protects
 *   tlsa_hkdf_expand_label()   TLS 1.3 HKDF-Expand-Label (RFC 8446 7.1)
 *   tlsa_tls_prf()             TLS 1.0-1.2 PRF (RFC 2246 5, RFC 5246 5)
 *   struct tlsa_cipher_dir     one direction's protection state
 *   tlsa_dir_init_tls13()      ... from a TLS 1.3 traffic secret
 *   tlsa_dir_init_tls12()      ... both directions from a master secret
 *   tlsa_dir_decrypt()         one protected record -> plaintext
 *   tlsa_dir_encrypt()         plaintext -> one protected record (the inverse)
 *   tlsa_dir_key_update()      TLS 1.3 KeyUpdate: next traffic secret
 *
 * All cryptography goes through OpenSSL libcrypto (EVP_CIPHER, EVP_MAC,
 * EVP_KDF).  A record whose authentication fails returns TLSA_EAUTH: the
 * key log is wrong or the record was changed in transit; the caller must
 * not report any alert from it.  docs/decrypt.md says how a capture
 * reader drives these functions.
 */
#ifndef TLSALERT_DECRYPT_H
#define TLSALERT_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a suite protects records. */
typedef enum tlsa_protect {
	TLSA_PROT_GCM,	  /* AES-GCM, 16-byte tag */
	TLSA_PROT_CCM,	  /* AES-CCM, 16-byte tag */
	TLSA_PROT_CCM8,	  /* AES-CCM, 8-byte tag */
	TLSA_PROT_CHACHA, /* ChaCha20-Poly1305, 16-byte tag */
	TLSA_PROT_CBC,	  /* a block cipher in CBC mode plus HMAC */
	TLSA_PROT_STREAM, /* a stream cipher (RC4) plus HMAC: its state runs across records */
	TLSA_PROT_NULL	  /* no encryption, HMAC only */
} tlsa_protect;

/* Hash functions used for MACs and key derivation. */
typedef enum tlsa_hash {
	TLSA_HASH_NONE = 0,
	TLSA_HASH_MD5_SHA1, /* the TLS 1.0/1.1 PRF */
	TLSA_HASH_SHA1,
	TLSA_HASH_SHA256,
	TLSA_HASH_SHA384,
	TLSA_HASH_MD5 /* record MAC of the old suites */
} tlsa_hash;

/* Output length of a hash in bytes (36 for MD5_SHA1, 16 for MD5, 0 for NONE). */
size_t tlsa_hash_len(tlsa_hash h);

/* What a cipher suite number means for record protection. */
struct tlsa_suite {
	uint16_t id;	  /* IANA number */
	const char *name; /* IANA name */
	tlsa_protect prot;
	uint8_t key_len;	 /* encryption key */
	uint8_t fixed_iv_len;	 /* from the key block / key schedule: 4 (GCM, CCM), 12, or
				    the block size for CBC (TLS 1.0 only uses it) */
	uint8_t block_len;	 /* CBC block size; 0 for AEADs */
	uint8_t des3;		 /* CBC with 3DES instead of AES */
	tlsa_hash mac;		 /* CBC: HMAC hash; NONE for AEADs */
	tlsa_hash prf;		 /* TLS 1.2 PRF hash / TLS 1.3 HKDF hash */
	bool tls13;		 /* a TLS 1.3 suite (0x13xx) */
	const char *cipher_name; /* libcrypto's name of the cipher; NULL: none (PROT_NULL) */
	uint8_t key_material;	 /* key bytes from the key block: < key_len for an export
				    suite, whose key (and IV) are derived from them */
	bool legacy;		 /* the cipher is in libcrypto's legacy provider */
	bool builtin;		 /* the cipher (IDEA) or mode (Camellia-GCM over cipher_name,
				    an ECB cipher) is tlsalert's own: libcrypto lacks it */
};

/* The suite with this IANA number, or NULL when it cannot be decrypted here
 * (data/suites.txt and data/record-ciphers.txt say which and why). */
const struct tlsa_suite *tlsa_suite_find(uint16_t id);

/* The whole table, for listing and tests: *n receives its size. */
const struct tlsa_suite *tlsa_suite_table(size_t *n);

/*
 * HKDF-Expand-Label(secret, label, context, out_len) with hash `h` (SHA256 or
 * SHA384); `label` without the "tls13 " prefix.  0 or TLSA_EINVAL.
 */
int tlsa_hkdf_expand_label(tlsa_hash h, const uint8_t *secret, size_t secret_len, const char *label,
			   const uint8_t *context, size_t context_len, uint8_t *out,
			   size_t out_len);

/*
 * The TLS PRF: PRF(secret, label, seed1 + seed2) with hash `h` (MD5_SHA1 for
 * TLS 1.0/1.1 and DTLS 1.0, SHA256 or SHA384 for TLS 1.2).  0 or TLSA_EINVAL.
 */
int tlsa_tls_prf(tlsa_hash h, const uint8_t *secret, size_t secret_len, const char *label,
		 const uint8_t *seed1, size_t seed1_len, const uint8_t *seed2, size_t seed2_len,
		 uint8_t *out, size_t out_len);

/*
 * One direction's record protection.  Fixed size; the only resources it owns
 * are two libcrypto contexts, released by tlsa_dir_free().  Set up with a
 * crypto cache (the *_cached inits) it owns none: it borrows the cache's
 * context for its cipher and re-keys it when another direction used it last.
 * Zero it (or call tlsa_dir_free()) before the first init; an init on a used
 * one frees first.  Do not copy a live one (the copy would share the
 * contexts); moving one (copy, then zero the source) is fine.
 */
struct tlsa_cipher_dir {
	const struct tlsa_suite *suite;
	uint16_t version; /* wire version: 0x0300..0x0304, 0xfeff, 0xfefd */
	bool dtls, etm, ready;
	bool aead_set;	    /* cipher_ctx holds the cipher (AEADs: and the IV length) */
	bool keyed;	    /* cipher_ctx holds this direction's key already */
	uint8_t cache_slot; /* with a cache: which of its ciphers */
	uint8_t key[32];
	uint8_t iv[16]; /* TLS 1.3 / AEAD static IV; TLS 1.0 CBC chained IV */
	uint8_t mac_key[48];
	uint8_t secret[48]; /* TLS 1.3 traffic secret, for KeyUpdate */
	uint8_t secret_len;
	uint64_t seq;	   /* next TLS record sequence number (DTLS: the next 48-bit sequence
			      number tlsa_dir_encrypt() writes; opening takes the header's) */
	uint16_t epoch;	   /* DTLS: the epoch tlsa_dir_encrypt() writes (1 after init) */
	uint64_t last_seq; /* sequence number the last record was checked (or sealed) with */
	void *cipher_ctx;  /* EVP_CIPHER_CTX * */
	void *cipher;	   /* EVP_CIPHER *, fetched once */
	void *mac_ctx;	   /* EVP_MAC_CTX * (CBC suites) */
	void *cache;	   /* struct tlsa_crypto_cache * whose contexts it borrows, or NULL */
	uint64_t key_id;   /* with a cache: names this key in the shared context */
	void *libctx;	   /* a library context with the legacy provider, of its own (a legacy
			      cipher set up without a cache), or NULL */
};

/*
 * Sets up one TLS 1.3 direction from a traffic secret (handshake, application
 * or early traffic secret from the key log; its length must be the suite's
 * hash length).  Sequence number 0.  TLSA_EINVAL for a non-TLS 1.3 suite or a
 * secret of the wrong length, TLSA_ENOMEM.
 */
int tlsa_dir_init_tls13(struct tlsa_cipher_dir *d, uint16_t suite, const uint8_t *secret,
			size_t secret_len);

/*
 * Sets up both directions of an SSL 3.0, TLS 1.0-1.2 or DTLS 1.0/1.2
 * connection from its 48-byte master secret: the key block ("key expansion",
 * server random + client random; SSL 3.0's MD5/SHA-1 construction), and for
 * an export suite the final keys and IVs derived from it.  `version` is the wire version the
 * ServerHello chose; `etm` says Encrypt-then-MAC (RFC 7366) was negotiated (CBC suites only).  An
 * extended master secret (RFC 7627) changes only how the master secret was
 * made, so nothing here depends on it.  Sequence numbers start at 0; for
 * DTLS opening takes the sequence number from each record's header instead,
 * and sealing writes epoch 1 (d->epoch) and d->seq.
 */
int tlsa_dir_init_tls12(struct tlsa_cipher_dir *client, struct tlsa_cipher_dir *server,
			uint16_t version, uint16_t suite, const uint8_t master[48],
			const uint8_t client_random[32], const uint8_t server_random[32], bool etm);

/*
 * Removes the protection of one whole record, header included (5 bytes, or
 * 13 for DTLS).  Writes the plaintext (TLS 1.3: without padding and inner
 * type) to `out` (at most `cap` bytes; cap >= len is always enough), its
 * length to *out_len and its content type to *inner_type (TLS 1.3: the inner
 * type; otherwise the header's type).
 *
 * Returns 0; TLSA_EAUTH when authentication (tag, MAC or padding) fails;
 * TLSA_EINVAL for a record this direction cannot hold (too short for the
 * suite, a TLS 1.3 record whose outer type is not 23, no inner type);
 * TLSA_ETRUNC when `len` is shorter than the header's length field says;
 * TLSA_ELIMIT when `cap` is too small.  `err` (may be NULL) says why.
 *
 * Sequence numbers: a TLS record is checked with d->seq, which then moves on
 * for every record examined -- success, TLSA_EAUTH, and TLSA_EINVAL for a body
 * too short for the suite or (TLS 1.3) holding only padding: the sender
 * counted those -- but not for TLSA_ETRUNC, TLSA_ELIMIT, or a TLS 1.3 record
 * whose outer type is not 23 (ChangeCipherSpec and plaintext alerts are not
 * protected and not counted).  d->last_seq holds the number the last examined
 * record was checked with.  DTLS records use the epoch and sequence number
 * of their own header (d->seq is not used); the caller picks the direction
 * state by epoch.  Bytes after the record (len > header + length field) are
 * ignored: the caller frames records.
 */
int tlsa_dir_decrypt(struct tlsa_cipher_dir *d, const uint8_t *record, size_t len, uint8_t *out,
		     size_t cap, size_t *out_len, uint8_t *inner_type, struct tlsa_error *err);

/*
 * Protects one record: the inverse of tlsa_dir_decrypt() on the same
 * direction state.  Writes the whole record, header included, to `out` (at
 * most `cap` bytes) and its length to *out_len:
 *   TLS 1.3: outer type 23, version 0x0303, plain || type || `pad` zero
 *     bytes sealed with the traffic key (RFC 8446 5.2);
 *   TLS 1.2 AEAD: type, d->version, GCM/CCM: an 8-byte explicit nonce equal
 *     to the sequence number (as OpenSSL writes it), ciphertext, tag;
 *     ChaCha20-Poly1305: no explicit nonce (RFC 7905);
 *   CBC: MAC-then-encrypt with TLS padding (RFC 5246 6.2.3.2), or
 *     encrypt-then-MAC when d->etm (RFC 7366); a random explicit IV
 *     (RAND_bytes) from TLS 1.1 and in DTLS, the chained IV d->iv (which moves
 *     on) for SSL 3.0 and TLS 1.0;
 *   stream (RC4: its state moves on, so one direction state either opens or
 *     seals) and NULL suites: plain || MAC, encrypted or not;
 *   DTLS: the 13-byte header with d->epoch and d->seq (48 bits); the MAC,
 *     additional data and explicit nonce use epoch || seq.
 * `type` is the content type (TLS 1.3: the inner one; 0 is refused there:
 * it could not be told from padding).  `pad` (tlsa_dir_encrypt_padded();
 * 0 here): TLS 1.3 zero padding bytes; CBC (not SSL 3.0): extra padding, a
 * multiple of the block size, the padding length byte at most 255 in all;
 * other suites 0.  No limit of 2^14 is applied (a test peer may want to
 * send more); the length field must hold the body.
 * `plain` and `out` must not overlap.
 *
 * Uses d->seq (d->last_seq receives it, DTLS: with the epoch above it) and
 * advances it on success only: a record that was not written is not
 * counted.  Returns 0; TLSA_EINVAL (state not set up, a suite sealing does not
 * support, bad `pad` or type), TLSA_ELIMIT (`cap` too small, body over 65535
 * bytes, DTLS sequence numbers exhausted), TLSA_EAUTH (libcrypto failed).
 * `err` (may be NULL) says why.
 */
int tlsa_dir_encrypt(struct tlsa_cipher_dir *d, uint8_t type, const uint8_t *plain, size_t n,
		     uint8_t *out, size_t cap, size_t *out_len, struct tlsa_error *err);

/* tlsa_dir_encrypt() with `pad` bytes of padding (above). */
int tlsa_dir_encrypt_padded(struct tlsa_cipher_dir *d, uint8_t type, const uint8_t *plain,
			    size_t n, size_t pad, uint8_t *out, size_t cap, size_t *out_len,
			    struct tlsa_error *err);

/*
 * libcrypto algorithms and contexts shared by many directions (the session
 * tracker keeps one): HMAC-SHA1/256/384 for key derivation and CBC record
 * MACs, and one cipher context per record cipher.  Without it every init
 * fetches its algorithms and makes its own contexts again, which costs more
 * than deriving the keys.  A direction set up with a cache borrows its
 * contexts: tlsa_dir_free() it before tlsa_crypto_cache_free(); freeing a
 * direction wipes its key from the shared context.  Not for concurrent use.
 */
struct tlsa_crypto_cache;
/* An empty cache, or NULL when out of memory.  Free with tlsa_crypto_cache_free(). */
struct tlsa_crypto_cache *tlsa_crypto_cache_new(void);
/* Releases the cache and its contexts; NULL is allowed. */
void tlsa_crypto_cache_free(struct tlsa_crypto_cache *cc);

/* tlsa_dir_init_tls13() and tlsa_dir_init_tls12() with a cache (NULL: none). */
int tlsa_dir_init_tls13_cached(struct tlsa_cipher_dir *d, struct tlsa_crypto_cache *cc,
			       uint16_t suite, const uint8_t *secret, size_t secret_len);
int tlsa_dir_init_tls12_cached(struct tlsa_cipher_dir *client, struct tlsa_cipher_dir *server,
			       struct tlsa_crypto_cache *cc, uint16_t version, uint16_t suite,
			       const uint8_t master[48], const uint8_t client_random[32],
			       const uint8_t server_random[32], bool etm);

/*
 * TLS 1.3 KeyUpdate: secret = HKDF-Expand-Label(secret, "traffic upd", "",
 * Hash.length), new key and IV, sequence number 0.  TLSA_EINVAL when the
 * direction is not TLS 1.3.
 */
int tlsa_dir_key_update(struct tlsa_cipher_dir *d);

/* Releases the contexts and wipes the keys; the direction can be reused.  NULL is
 * allowed. */
void tlsa_dir_free(struct tlsa_cipher_dir *d);

#ifdef __cplusplus
}
#endif

#endif
