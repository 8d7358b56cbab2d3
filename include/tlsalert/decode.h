/*
 * libtlsalert: turning text and bytes into alert records.
 *
 *   tlsa_hex_decode()          hex in every common form -> bytes
 *   tlsa_decode_alerts_opt()   bytes -> one tlsa_decoded per alert found
 *   tlsa_decode_msg()          an `openssl s_client -msg` transcript -> alerts
 *   tlsa_encrypted_alert_shapes()  which protections an encrypted alert size fits
 *
 * Nothing here allocates: the caller passes every buffer.  docs/decode.md
 * describes the accepted input forms and the decoding rules in full.
 */
#ifndef TLSALERT_DECODE_H
#define TLSALERT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"
#include "tlsalert/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Hex to bytes.  Accepts plain hex ("1503030002022 8": white space may even
 * split a byte, as when a long line wraps), the separators : , ; - and
 * brackets, "0x"/"\x" prefixes (each prefixed group needs an even number of
 * digits), and dumps whose lines carry offsets and ASCII columns: Wireshark
 * "Copy as Hex Dump" and tshark -x, xxd, hexdump -C, od -A x -t x1z.  A dump
 * is recognised by a first line that starts with an all-zero offset of at
 * least four digits; every later line's offset must then equal the number
 * of bytes read so far (a "*" line repeats the previous line, as hexdump
 * and od print it), so a misread column is an error, never a silent guess.
 * Lines starting with "<<<" or ">>>" (`openssl s_client -msg` headers) are
 * skipped; their hex lines are read.
 *
 * Writes at most `cap` bytes to `out` and sets *out_len.  On malformed text
 * (an odd number of hex digits, a stray character, a dump offset that does
 * not match) returns TLSA_EINVAL with err->offset at the offending
 * character; *out_len then holds the bytes decoded before it.  Output longer
 * than `cap` is TLSA_ELIMIT.  (len / 2 + 1) bytes of `out` suffice unless a
 * dump's "*" lines repeat data; then retry with a larger buffer.
 */
int tlsa_hex_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len,
		    struct tlsa_error *err);

/* Framing of the bytes an alert came in. */
typedef enum tlsa_record_type {
	TLSA_RECORD_TLS,  /* SSL 3.0 - TLS 1.3 record, 5-byte header */
	TLSA_RECORD_DTLS, /* DTLS 1.0 / 1.2 record (13-byte header) or DTLS 1.3 unified header */
	TLSA_RECORD_BARE, /* a bare alert body: level, description */
	TLSA_RECORD_SSL2  /* an SSLv2-format record (SSL 2.0 ERROR message) */
} tlsa_record_type;

/* "tls", "dtls", "bare", "sslv2". */
const char *tlsa_record_type_name(tlsa_record_type t);

/* Flags on a decoded alert. */
enum {
	TLSA_DEC_FRAGMENTED = 1u << 0,	  /* the 2 alert bytes spanned records */
	TLSA_DEC_COALESCED = 1u << 1,	  /* the record carried more than one alert */
	TLSA_DEC_TLS13_ILLEGAL = 1u << 2, /* fragmented or coalesced under TLS 1.3 rules */
	TLSA_DEC_SSL2_ERROR = 1u << 3,	  /* SSL 2.0 ERROR message; ssl2_error holds its code */
	TLSA_DEC_UNIFIED = 1u << 4,	  /* DTLS 1.3 unified header: content type hidden */
	TLSA_DEC_LENGTH_GUESS = 1u << 5,  /* unified header without a length or with a
					     connection ID: the record runs to the input's end */
	TLSA_DEC_APPDATA_SIZE = 1u << 6,  /* a TLS 1.3 application_data record of alert size */
};

/* Direction, known only from `openssl s_client -msg` transcripts. */
typedef enum tlsa_direction {
	TLSA_DIR_UNKNOWN = 0,
	TLSA_DIR_RECEIVED, /* "<<<" */
	TLSA_DIR_SENT	   /* ">>>" */
} tlsa_direction;

/* One alert found in the input. */
struct tlsa_decoded {
	size_t offset; /* byte offset of the record (or bare body) */
	tlsa_record_type record_type;
	int content_type;	   /* 21 alert, 23 application data; -1 bare or hidden */
	uint16_t record_version;   /* wire value; 0 for bare bodies and unified headers */
	tlsa_version version;	   /* protocol the record version denotes */
	tlsa_version rules;	   /* version whose rules apply: the caller's, else `version` */
	uint16_t epoch;		   /* DTLS only (unified header: the 2 low bits) */
	uint64_t seq;		   /* DTLS 1.0/1.2 only (48 bits) */
	size_t record_length;	   /* the record's length field (bare: 2) */
	bool encrypted;		   /* the body is protected: level/description unknown */
	int level;		   /* level byte, -1 when encrypted or SSLv2 */
	int description;	   /* description byte, -1 when encrypted or SSLv2 */
	int ssl2_error;		   /* SSL 2.0 ERROR code, -1 otherwise */
	unsigned flags;		   /* TLSA_DEC_* */
	tlsa_direction direction;  /* from -msg transcripts, else unknown */
	const char *cipher_shapes; /* encrypted: protections whose size fits, static, or NULL */
};

typedef int (*tlsa_decode_fn)(void *ctx, const struct tlsa_decoded *d);

/* A record that is not an alert, for context ("ServerHello", ...). */
struct tlsa_record_info {
	size_t offset;
	tlsa_record_type record_type;
	int content_type; /* -1 for DTLS 1.3 unified headers */
	uint16_t record_version;
	tlsa_version version;
	size_t record_length;
	const char *what; /* "ServerHello, Certificate", "application data", ... */
};

typedef int (*tlsa_record_fn)(void *ctx, const struct tlsa_record_info *r);

/* How tlsa_decode_alerts_opt() reads its input. */
struct tlsa_decode_opts {
	size_t sz; /* sizeof(struct tlsa_decode_opts), or 0 (tlsalert/common.h) */
	/* The protocol version, when the caller knows it (TLSA_VER_UNKNOWN if
	 * not).  It chooses the level rules, and TLS 1.3 / DTLS 1.3 turn on the
	 * TLS 1.3 checks: fragmented or coalesced alerts are flagged
	 * TLSA_DEC_TLS13_ILLEGAL, and application_data records of exactly 19 or
	 * 11 bytes (one AEAD-protected alert without padding) are reported as
	 * encrypted alerts with TLSA_DEC_APPDATA_SIZE. */
	tlsa_version version;
	bool bare;		  /* the input is alert bodies only, no record headers */
	tlsa_record_fn on_record; /* called for every non-alert record; may be NULL */
};

/*
 * Decodes a sequence of TLS, DTLS or SSLv2 records, or bare alert bodies
 * (an input whose first byte is 1 or 2, a level, never a content type),
 * calling `fn` for each alert in input order.  Records of other content
 * types are walked over (and passed to o->on_record).  A type-21 record of
 * 11 bytes or more is encrypted (no protection makes a 2-byte alert shorter);
 * a shorter one holds plaintext alerts, fragments of one included.  If `fn`
 * returns non-zero, decoding stops and that value is returned.  On malformed
 * input (truncated record, absurd length, unknown content type or version,
 * a fragment never completed) returns a TLSA_E* code and fills `err` with
 * the byte offset; every alert before the error has already been passed to
 * `fn`.  `o` may be NULL.
 */
int tlsa_decode_alerts_opt(const uint8_t *buf, size_t len, const struct tlsa_decode_opts *o,
			   tlsa_decode_fn fn, void *ctx, struct tlsa_error *err);

/* tlsa_decode_alerts_opt() with no options. */
int tlsa_decode_alerts(const uint8_t *buf, size_t len, tlsa_decode_fn fn, void *ctx,
		       struct tlsa_error *err);

/* True when `text` looks like an `openssl s_client -msg` transcript: a line
 * starts with "<<< " or ">>> ". */
bool tlsa_text_is_msg(const char *text, size_t len);

/*
 * Decodes the Alert messages of an `openssl s_client -msg` transcript.  Each
 * "<<< TLS 1.2, Alert [length 0002], ..." header starts a message whose hex
 * lines follow.  OpenSSL 1.1.1 and later print a "RecordHeader" message
 * first: the alert is then decoded as the whole record; older versions
 * print only the body, decoded as `bare`.  The header's protocol ("TLS 1.3")
 * chooses the rules unless o->version is set, and "<<<"/">>>" the direction.
 * Offsets in the results count bytes through all hex lines of the
 * transcript; err->offset counts characters of `text`.
 */
int tlsa_decode_msg(const char *text, size_t len, const struct tlsa_decode_opts *o,
		    tlsa_decode_fn fn, void *ctx, struct tlsa_error *err);

/*
 * The protections whose ciphertext size for one 2-byte alert matches `len`
 * ("AES-GCM or AES-CCM (8-byte explicit nonce, 16-byte tag)", ...), or NULL
 * when nothing known fits.  `tls13` selects TLS 1.3 record shapes (inner
 * content type, AEAD tag, padding).  Static storage.
 */
const char *tlsa_encrypted_alert_shapes(size_t len, bool tls13);

/* The SSL 2.0 ERROR code's name ("NO-CERTIFICATE-ERROR"), or NULL. */
const char *tlsa_ssl2_error_name(int code);

#ifdef __cplusplus
}
#endif

#endif
