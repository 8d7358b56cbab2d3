/*
 * libtlsalert: NSS key logs (the SSLKEYLOGFILE format).
 *
 *   struct tlsa_keylog   every secret read so far, keyed by client random
 *   tlsa_keylog_add_text()  merge one key log file (or any text) into it
 *   tlsa_keylog_add_dsb()   merge a pcapng Decryption Secrets Block payload
 *   tlsa_keylog_find()      the secrets of one connection (hash lookup)
 *
 * A line is "LABEL <64 hex: client random> <hex: secret>".  Labels read:
 * CLIENT_RANDOM (TLS 1.0-1.2 master secret, 48 bytes),
 * CLIENT_EARLY_TRAFFIC_SECRET (also spelled EARLY_TRAFFIC_SECRET),
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
 * CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0 and EXPORTER_SECRET
 * (TLS 1.3 secrets, 32 or 48 bytes: the hash length of the suite).  Labels
 * that other tools write but that give no record keys here (RSA,
 * PMS_CLIENT_RANDOM, ECH_SECRET, ECH_CONFIG) are skipped silently; any
 * other label, and any malformed line, is reported through the warning
 * callback with its line number and skipped.  Nothing is ever fatal except
 * running out of memory.  Blank lines and lines starting with '#' are
 * ignored; CRLF line ends and trailing white space are accepted.
 *
 * Secrets are never copied into warning messages or errors, and nothing in
 * this module prints.  Memory: tlsa_keylog_new() allocates, tlsa_keylog_free()
 * releases everything; tlsa_keylog_find() copies an entry into the caller's
 * struct.  In memory a key log takes about half its size as text (a 48-byte
 * secret in 54 bytes, a client random in 36 plus 8 to 16 of hash table).
 */
#ifndef TLSALERT_KEYLOG_H
#define TLSALERT_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The secrets a key log line can carry. */
typedef enum tlsa_keylog_label {
	TLSA_KL_MASTER_SECRET = 0, /* CLIENT_RANDOM: TLS <= 1.2 master secret */
	TLSA_KL_CLIENT_EARLY,	   /* CLIENT_EARLY_TRAFFIC_SECRET */
	TLSA_KL_CLIENT_HANDSHAKE,  /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
	TLSA_KL_SERVER_HANDSHAKE,  /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
	TLSA_KL_CLIENT_TRAFFIC_0,  /* CLIENT_TRAFFIC_SECRET_0 */
	TLSA_KL_SERVER_TRAFFIC_0,  /* SERVER_TRAFFIC_SECRET_0 */
	TLSA_KL_EXPORTER,	   /* EXPORTER_SECRET */
	TLSA_KL_COUNT
} tlsa_keylog_label;

/* The label as it is written in key log files ("CLIENT_RANDOM", ...). */
const char *tlsa_keylog_label_name(tlsa_keylog_label l);

#define TLSA_KEYLOG_SECRET_MAX 64

/* One secret; len 0 when the key log did not hold it. */
struct tlsa_keylog_secret {
	uint8_t len;
	uint8_t v[TLSA_KEYLOG_SECRET_MAX];
};

/* Everything known about one connection. */
struct tlsa_keylog_entry {
	uint8_t client_random[32];
	struct tlsa_keylog_secret secret[TLSA_KL_COUNT];
};

struct tlsa_keylog;

/*
 * Called once per skipped line: `origin` is what the caller passed to
 * tlsa_keylog_add_text() (a file name, say), `line` counts from 1, `msg` is
 * one sentence without the secret in it.  May be NULL.
 */
typedef void (*tlsa_keylog_warn_fn)(void *ctx, const char *origin, unsigned long line,
				    const char *msg);

/* An empty key log, or NULL when out of memory.  Free with tlsa_keylog_free(). */
struct tlsa_keylog *tlsa_keylog_new(void);

/* Releases the key log, wiping its secrets; NULL is allowed. */
void tlsa_keylog_free(struct tlsa_keylog *kl);

/*
 * Reads `len` bytes of key log text (no terminating NUL needed) and merges
 * its secrets.  A secret already known for the same client random and label
 * is kept; a different value for it is reported as a warning.  Returns the
 * number of lines that set a new secret (>= 0), or TLSA_ENOMEM, or
 * TLSA_ELIMIT when the key log already holds TLSA_KEYLOG_MAX_ENTRIES
 * connections (`err`, if not NULL, then says at which byte offset).
 */
int tlsa_keylog_add_text(struct tlsa_keylog *kl, const char *text, size_t len, const char *origin,
			 tlsa_keylog_warn_fn warn, void *ctx, struct tlsa_error *err);

#define TLSA_KEYLOG_MAX_ENTRIES (1u << 22)

/* pcapng Decryption Secrets Block: secrets type of an NSS key log. */
#define TLSA_DSB_TLS_KEYLOG 0x544c534bu

/*
 * Merges the payload of a pcapng Decryption Secrets Block (the bytes after
 * the secrets type and length fields).  Only TLSA_DSB_TLS_KEYLOG is read;
 * other types return TLSA_EUNSUPP.  Otherwise as tlsa_keylog_add_text().
 */
int tlsa_keylog_add_dsb(struct tlsa_keylog *kl, uint32_t secrets_type, const uint8_t *data,
			size_t len, const char *origin, tlsa_keylog_warn_fn warn, void *ctx,
			struct tlsa_error *err);

/* The secrets of the connection with this client random, copied into *out (the key log
 * keeps them compactly, docs/decrypt.md): out, or NULL when the key log does not
 * have them.  Wipe *out when done with it. */
const struct tlsa_keylog_entry *tlsa_keylog_find(const struct tlsa_keylog *kl,
						 const uint8_t client_random[32],
						 struct tlsa_keylog_entry *out);

/* One secret of an entry, or NULL when the key log did not hold it. */
const struct tlsa_keylog_secret *tlsa_keylog_secret(const struct tlsa_keylog_entry *e,
						    tlsa_keylog_label l);

/* How many connections the key log knows. */
size_t tlsa_keylog_count(const struct tlsa_keylog *kl);

#ifdef __cplusplus
}
#endif

#endif
