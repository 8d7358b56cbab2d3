/*
 * Internal to the session tracker: the decryption state of one connection
 * (key stages, sequence numbers, DTLS epochs) on top of tlsalert/decrypt.h,
 * and the certificate facts read with libcrypto.  docs/decrypt.md says what
 * the tracker does with it.
 */
#ifndef TLSALERT_SESSION_DECRYPT_H
#define TLSALERT_SESSION_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/decrypt.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

/* TLS 1.3 records of at most this many bytes (ciphertext) are opened once a
 * direction uses its application keys; larger ones are only counted. */
#define SDEC_SMALL_RECORD 256u

/* DEFLATE: the inflate buffer, one byte over the 2^14 a record may hold */
#define SDEC_ZBUF (16384u + 1u)

enum sdec_result {
	SD_NONE, /* not a protected record of a known key stage: nothing done */
	SD_SKIP, /* protected, counted, not opened */
	SD_OK,	 /* opened */
	SD_AUTH	 /* did not authenticate under the key log's secrets */
};

struct sdec;

/*
 * The decryption state of a connection whose ServerHello has been parsed and
 * whose client random the key log knows (`e` is copied).  `client_dir` is
 * the client's direction; `early_records` the type-23 records the client sent
 * before the ServerHello (0-RTT).  NULL when the suite or version cannot be
 * decrypted, the needed secrets are missing, or out of memory; *why (static)
 * then says which.
 */
struct sdec *sdec_new(const struct tlsa_keylog_entry *e, const struct tlsa_hs_facts *hs, bool dtls,
		      bool etm, int client_dir, uint32_t early_records,
		      struct tlsa_crypto_cache *cc, const char **why);
void sdec_free(struct sdec *s);

/* TLS: should a record of this type and length from direction dir be copied
 * and opened (rather than only counted)? */
bool sdec_want(const struct sdec *s, int dir, uint8_t type, uint32_t len, bool all);

/*
 * One whole TLS record of direction dir, in stream order.  `rec` NULL: the
 * record was not copied (only counted).  On SD_OK `out` (cap >= len) holds
 * the plaintext, *out_len its length, *inner its content type.
 */
enum sdec_result sdec_record(struct sdec *s, int dir, uint8_t type, const uint8_t *rec, size_t len,
			     uint8_t *out, size_t cap, size_t *out_len, uint8_t *inner);

/* A DTLS record (header included); only epoch-1 records are opened. */
enum sdec_result sdec_dtls_record(struct sdec *s, int dir, const uint8_t *rec, size_t len,
				  uint16_t epoch, uint8_t *out, size_t cap, size_t *out_len,
				  uint8_t *inner);

/*
 * A TLS 1.3 0-RTT record the client sent before the ServerHello (no struct
 * sdec yet): opened with the CLIENT_EARLY_TRAFFIC_SECRET of `e` at sequence
 * number `seq` (the client's type-23 records before it), under each TLS 1.3
 * suite the ClientHello offered whose hash fits the secret.  SD_OK as for
 * sdec_record; SD_NONE without an early secret; SD_SKIP when no suite opens it.
 */
enum sdec_result sdec_early_record(const struct tlsa_keylog_entry *e,
				   const struct tlsa_hs_facts *hs, uint64_t seq,
				   struct tlsa_crypto_cache *cc, const uint8_t *rec, size_t len,
				   uint8_t *out, size_t cap, size_t *out_len, uint8_t *inner);

/* TLS <= 1.2 / DTLS: direction dir sent ChangeCipherSpec (a second one:
 * renegotiation, whose keys are not followed). */
void sdec_ccs(struct sdec *s, int dir);

/* TLS 1.3: dir sent its Finished; its next records use the application keys. */
void sdec_finished(struct sdec *s, int dir);

/* TLS 1.3: dir sent KeyUpdate; its next records use the next secret. */
void sdec_key_update(struct sdec *s, int dir);

/* Records of dir were lost (capture gap): later ones cannot be opened. */
void sdec_lost(struct sdec *s, int dir);

/* Does the ServerHello body (after the 4-byte header) echo encrypt_then_mac? */
bool sdec_server_hello_etm(const uint8_t *body, size_t len, bool dtls);

/* The first certificate of a Certificate message body (TLS 1.3: with its
 * request context): *der points into body.  Returns the number of
 * certificates in the message (the chain length). */
int sdec_cert_first(const uint8_t *body, size_t len, bool tls13, const uint8_t **der,
		    size_t *der_len);

/* Subject, issuer and validity of one DER certificate through d2i_X509; 0, or
 * -1 when it cannot be parsed (then only chain_length is set). */
int sdec_cert_info_der(const uint8_t *der, size_t len, int chain, struct tlsa_cert_info *ci);

#endif
