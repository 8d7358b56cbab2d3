/*
 * libtlsalert: turning text and bytes into alert records.
 *
 *   tlsa_hex_decode()     hex in every common form -> bytes
 *   tlsa_decode_alerts()  bytes -> one tlsa_decoded per alert found
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
 * Hex to bytes.  Accepts plain hex ("1503030002022 8" with any white space),
 * colons, commas, "0x"/"\x" prefixes, and dumps whose lines carry offsets and
 * ASCII columns: Wireshark "Copy as Hex Dump", xxd, hexdump -C, od -A x -t x1,
 * and `openssl s_client -msg` lines ("<<< TLS 1.2, Alert [length 0002], fatal
 * handshake_failure" followed by "    02 28").
 *
 * Writes at most `cap` bytes to `out` and sets *out_len.  On malformed text
 * (an odd number of hex digits, a stray character) returns TLSA_EINVAL with
 * err->offset at the offending character; *out_len then holds the bytes
 * decoded before it.  Output longer than `cap` is TLSA_ELIMIT.
 */
int tlsa_hex_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len,
		    struct tlsa_error *err);

/* Framing of the bytes an alert came in. */
typedef enum tlsa_record_type {
	TLSA_RECORD_TLS,   /* SSL 3.0 - TLS 1.3 record, 5-byte header */
	TLSA_RECORD_DTLS,  /* DTLS 1.0 / 1.2 record, 13-byte header */
	TLSA_RECORD_BARE,  /* a bare alert body: level, description */
	TLSA_RECORD_SSL2   /* an SSLv2-format record (SSL 2.0 ERROR message) */
} tlsa_record_type;

/* "tls", "dtls", "bare", "sslv2". */
const char *tlsa_record_type_name(tlsa_record_type t);

/* Flags on a decoded alert. */
enum {
	TLSA_DEC_FRAGMENTED = 1u << 0, /* the 2 alert bytes spanned records */
	TLSA_DEC_COALESCED = 1u << 1,  /* the record carried more than one alert */
	TLSA_DEC_TLS13_ILLEGAL = 1u << 2, /* fragmenting/coalescing forbidden in TLS 1.3 */
	TLSA_DEC_SSL2_ERROR = 1u << 3, /* SSL 2.0 ERROR message; description holds its code */
};

/* One alert found in the input. */
struct tlsa_decoded {
	size_t offset;               /* byte offset of the record (or bare body) */
	tlsa_record_type record_type;
	uint8_t content_type;        /* 21 alert, 23 application data (TLS 1.3 hiding) */
	uint16_t record_version;     /* wire value; 0 for bare bodies */
	tlsa_version version;        /* protocol the record version denotes */
	uint16_t epoch;              /* DTLS only */
	uint64_t seq;                /* DTLS only (48 bits) */
	size_t record_length;        /* the record's length field */
	bool encrypted;              /* the body is protected: level/description unknown */
	int level;                   /* level byte, -1 when encrypted */
	int description;             /* description byte, -1 when encrypted */
	unsigned flags;              /* TLSA_DEC_* */
	const char *cipher_shapes;   /* encrypted: protections whose size fits, static */
};

typedef int (*tlsa_decode_fn)(void *ctx, const struct tlsa_decoded *d);

/*
 * Decodes a sequence of TLS or DTLS records, or a bare alert body, calling
 * `fn` for each alert in input order.  Records of other content types are
 * walked over.  If `fn` returns non-zero, decoding stops and that value is
 * returned.  On malformed input returns a TLSA_E* code and fills `err`; every
 * alert before the error has already been passed to `fn`.
 */
int tlsa_decode_alerts(const uint8_t *buf, size_t len, tlsa_decode_fn fn, void *ctx,
		       struct tlsa_error *err);

/*
 * The protections whose ciphertext size for one 2-byte alert matches `len`
 * ("TLS 1.2 AES-GCM or AES-CCM (8-byte explicit nonce, 16-byte tag)", ...),
 * or NULL when nothing known fits.  `tls13` selects TLS 1.3 record shapes
 * (inner content type, AEAD tag, padding).
 */
const char *tlsa_encrypted_alert_shapes(size_t len, bool tls13);

#ifdef __cplusplus
}
#endif

#endif
