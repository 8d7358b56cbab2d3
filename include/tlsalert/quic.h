/*
 * libtlsalert: QUIC packets (RFC 9000, RFC 9369) and their protection
 * (RFC 9001), the layer a capture reader needs to find the TLS alerts that
 * QUIC carries as CONNECTION_CLOSE frames (error code 0x0100 + alert).
 *
 *   tlsa_quic_parse()            one packet of a datagram: its header, up to
 *                                the protected packet number (coalesced
 *                                packets: call again at offset + len)
 *   tlsa_quic_initial_keys()     the Initial keys of both sides, from the
 *                                client's first Destination Connection ID
 *   tlsa_quic_keys_init()        keys from a TLS 1.3 traffic secret (key log)
 *   tlsa_quic_keys_update()      the next key phase ("quic ku")
 *   tlsa_quic_unprotect_header() header protection removed, packet number
 *   tlsa_quic_decrypt_payload()  the frames of a packet, authenticated
 *   tlsa_quic_retry_verify()     a Retry packet's integrity tag
 *   tlsa_quic_frame_next()       one frame of a decrypted payload
 *
 * Nothing here allocates per packet: keys are plain data (copy them at
 * will), and the libcrypto contexts live in one struct tlsa_quic_ctx,
 * which every call that encrypts or derives borrows (make one per thread
 * and keep it).  Every length in a packet is untrusted and checked; the
 * packet and frame structs point into the caller's buffers.  docs/quic.md
 * says what can be read with keys and without them.
 */
#ifndef TLSALERT_QUIC_H
#define TLSALERT_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TLSA_QUIC_V1 0x00000001u /* RFC 9000 */
#define TLSA_QUIC_V2 0x6b3343cfu /* RFC 9369 */

/*
 * The name of a QUIC version whose packets this library opens: "1", "2",
 * "draft-29" .. "draft-34"; NULL for any other (Version Negotiation's 0,
 * reserved 0x?a?a?a?a versions, private ones).
 */
const char *tlsa_quic_version_name(uint32_t version);

/* ----------------------------------------------------------------- packets */

typedef enum tlsa_quic_ptype {
	TLSA_QUIC_PKT_INITIAL,
	TLSA_QUIC_PKT_0RTT,
	TLSA_QUIC_PKT_HANDSHAKE,
	TLSA_QUIC_PKT_RETRY,
	TLSA_QUIC_PKT_VN,     /* Version Negotiation (version 0) */
	TLSA_QUIC_PKT_1RTT,   /* short header */
	TLSA_QUIC_PKT_UNKNOWN /* long header of a version not known here: only the
				  connection IDs are read, len runs to the datagram's end */
} tlsa_quic_ptype;

/* "Initial", "0-RTT", "Handshake", "Retry", "Version Negotiation", "1-RTT", "unknown". */
const char *tlsa_quic_ptype_name(tlsa_quic_ptype t);

/*
 * One packet of a datagram.  The first group is filled by tlsa_quic_parse();
 * the second by tlsa_quic_unprotect_header().  Pointers point into the
 * datagram.
 */
struct tlsa_quic_packet {
	const uint8_t *data; /* the packet's first byte */
	size_t offset;	     /* of data in the datagram */
	size_t len;	     /* the packet's bytes: Length-delimited for Initial, 0-RTT and
				Handshake, the datagram's rest for the others */
	size_t pn_offset;    /* where the (protected) packet number starts, from data */
	tlsa_quic_ptype type;
	uint32_t version; /* long header; 0 for 1-RTT */
	uint8_t first;	  /* first byte as sent (header-protected bits included) */
	bool long_header; /* header form bit */
	bool fixed_bit;	  /* 0x40; may be 0 with RFC 9287 greasing */
	uint8_t dcid_len; /* up to 20 (255 in Version Negotiation and unknown versions) */
	uint8_t scid_len; /* long header only */
	const uint8_t *dcid;
	const uint8_t *scid;
	const uint8_t *token; /* Initial: the token (may be empty); Retry: the Retry token */
	size_t token_len;
	const uint8_t *retry_tag; /* Retry: the 16-byte integrity tag (the packet's end) */
	const uint8_t *versions;  /* Version Negotiation: the supported versions, 4 bytes each */
	size_t n_versions;

	/* after tlsa_quic_unprotect_header() */
	uint8_t hdr0;	       /* first byte without header protection */
	uint8_t pn_len;	       /* 1..4 */
	uint8_t pn_bytes[4];   /* the packet number as sent, unprotected */
	uint8_t reserved;      /* the reserved bits (long: 0x0c, short: 0x18), shifted down;
				  must be 0 in a genuine packet */
	bool key_phase;	       /* 1-RTT only */
	uint64_t pn;	       /* the full packet number */
	size_t payload_offset; /* the encrypted payload, from data (it ends 16 bytes (the tag)
				  before len) */
};

/*
 * Parses the packet at `off` in a datagram of `len` bytes.  `short_dcid_len`
 * is the Destination Connection ID length of a short-header packet (not
 * on the wire: the caller knows it from the connection's long headers).
 * Returns 0; TLSA_ETRUNC when a length runs past the datagram (a Length field
 * past its end: truncated capture, or not QUIC); TLSA_EINVAL for a header
 * no QUIC sender writes (a connection ID over 20 bytes in a known version, a
 * Retry without room for its tag, nothing at `off`).  The next coalesced packet
 * starts at off + p->len; the short-header packet, when there is one, is the
 * last.  Reads only: no header protection is removed yet.
 *
 * Any datagram whose first byte has the high bit set parses as a long header
 * (TLSA_QUIC_PKT_UNKNOWN when its version is not one of
 * tlsa_quic_version_name()'s): a reader that looks for QUIC on any UDP
 * port should ask for a known version, or for an Initial that decrypts,
 * before it believes the datagram is QUIC.
 */
int tlsa_quic_parse(const uint8_t *dgram, size_t len, size_t off, size_t short_dcid_len,
		    struct tlsa_quic_packet *p, struct tlsa_error *err);

/*
 * A variable-length integer (RFC 9000 16) at p (len bytes available): its
 * value in *v and the bytes it took (1, 2, 4, 8); 0 when it does not fit.
 */
size_t tlsa_quic_varint(const uint8_t *p, size_t len, uint64_t *v);

/* No packet received yet in a packet number space, for tlsa_quic_pn_decode(). */
#define TLSA_QUIC_PN_NONE UINT64_MAX

/*
 * The full packet number from its truncated form of `pn_nbits` bits (8, 16,
 * 24, 32) and the largest packet number received so far in the space
 * (TLSA_QUIC_PN_NONE: none), RFC 9000 A.3.
 */
uint64_t tlsa_quic_pn_decode(uint64_t largest_pn, uint64_t truncated, unsigned pn_nbits);

/* -------------------------------------------------------------------- keys */

/* The AEAD protecting packets; header protection follows it (AES-ECB for the AES
 * ones, ChaCha20 for ChaCha20-Poly1305). */
typedef enum tlsa_quic_aead {
	TLSA_QUIC_AEAD_NONE = 0, /* keys not set */
	TLSA_QUIC_AEAD_AES_128_GCM,
	TLSA_QUIC_AEAD_AES_256_GCM,
	TLSA_QUIC_AEAD_CHACHA20_POLY1305
} tlsa_quic_aead;

/*
 * One direction's keys for one packet number space (and key phase): plain
 * data, no resources; zeroed means "none" (aead 0).  Copy at will.
 */
struct tlsa_quic_keys {
	uint8_t aead;	     /* tlsa_quic_aead */
	uint8_t key_len;     /* 16 or 32 */
	uint8_t hash;	     /* tlsa_hash of the secret (decrypt.h): SHA256 or SHA384 */
	uint8_t secret_len;  /* 32 or 48 */
	uint32_t version;    /* picks the labels: "quic " or "quicv2 " */
	uint32_t generation; /* key updates since the secret of tlsa_quic_keys_init() */
	uint8_t key[32];
	uint8_t iv[12];
	uint8_t hp[32];
	uint8_t secret[48]; /* for the next key phase */
};

/*
 * The libcrypto contexts QUIC protection needs: HMAC for key derivation, and
 * for each AEAD and header protection cipher a few contexts that keep the
 * keys used last set up (a connection's two directions, or a few
 * connections in turn, re-key nothing).  Not for concurrent use: one per
 * thread.
 */
struct tlsa_quic_ctx;
/* A new context, or NULL when out of memory.  Free with tlsa_quic_ctx_free(). */
struct tlsa_quic_ctx *tlsa_quic_ctx_new(void);
/* Releases the context and wipes the keys it held; NULL is allowed. */
void tlsa_quic_ctx_free(struct tlsa_quic_ctx *qc);

/*
 * The Initial keys of both directions (RFC 9001 5.2, RFC 9369 3.3): from the
 * Destination Connection ID of the client's first Initial packet (after a
 * Retry: of its Initial after the Retry).  `qc` may be NULL (slower: no
 * contexts to reuse).  0; TLSA_EUNSUPP for a version tlsa_quic_version_name()
 * does not know; TLSA_EINVAL for a DCID over 255 bytes; TLSA_ENOMEM.
 */
int tlsa_quic_initial_keys(struct tlsa_quic_ctx *qc, uint32_t version, const uint8_t *dcid,
			   size_t dcid_len, struct tlsa_quic_keys *client,
			   struct tlsa_quic_keys *server);

/*
 * Keys from a TLS 1.3 traffic secret (CLIENT_HANDSHAKE_TRAFFIC_SECRET,
 * SERVER_TRAFFIC_SECRET_0, CLIENT_EARLY_TRAFFIC_SECRET, ...) and the
 * negotiated suite (0x1301, 0x1302, 0x1303); the secret's length must be the
 * suite's hash length.  `qc` may be NULL.  0; TLSA_EUNSUPP for another suite
 * or version; TLSA_EINVAL for a secret of the wrong length.
 */
int tlsa_quic_keys_init(struct tlsa_quic_ctx *qc, uint32_t version, uint16_t tls_suite,
			const uint8_t *secret, size_t secret_len, struct tlsa_quic_keys *k);

/*
 * The keys of the next key phase (RFC 9001 6): secret = HKDF-Expand-Label(
 * secret, "quic ku", "", Hash.length), new key and IV, the same header
 * protection key.  `next` may be `cur`.  0; TLSA_EINVAL for keys without a
 * secret (Initial keys, zeroed keys).
 */
int tlsa_quic_keys_update(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *cur,
			  struct tlsa_quic_keys *next);

/*
 * Removes header protection (RFC 9001 5.4) from a parsed Initial, 0-RTT,
 * Handshake or 1-RTT packet with the sender's keys of its space, and decodes
 * the packet number against `largest_pn` (TLSA_QUIC_PN_NONE: none yet).
 * Fills the second group of `p`; the packet's bytes are not changed.  The
 * header protection key does not change with key updates, so this comes
 * first and p->key_phase then picks the keys for the payload.  0;
 * TLSA_EINVAL for another packet type or unset keys; TLSA_ETRUNC for a packet
 * too short to sample (under 20 bytes after the packet number's offset).
 * Nothing is authenticated yet: only tlsa_quic_decrypt_payload() proves the
 * keys were right.
 */
int tlsa_quic_unprotect_header(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *k,
			       struct tlsa_quic_packet *p, uint64_t largest_pn,
			       struct tlsa_error *err);

/*
 * Decrypts and authenticates the payload of a packet whose header protection
 * tlsa_quic_unprotect_header() removed (nonce = IV xor packet number, AAD =
 * the unprotected header).  Writes the frames to `out` (at most `cap` bytes;
 * p->len is always enough), their length to *out_len.  May be called again
 * with other keys (the other key phase).  0; TLSA_EAUTH when authentication
 * fails (wrong keys, or not this connection's packet: report nothing from
 * it); TLSA_ELIMIT when `cap` is too small; TLSA_EINVAL for unset keys.
 */
int tlsa_quic_decrypt_payload(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *k,
			      const struct tlsa_quic_packet *p, uint8_t *out, size_t cap,
			      size_t *out_len, struct tlsa_error *err);

/*
 * Checks a Retry packet's integrity tag (RFC 9001 5.8; RFC 9369 3.3.3 keys)
 * against the Destination Connection ID of the client's Initial it answers.
 * 0; TLSA_EAUTH when the tag is wrong; TLSA_EUNSUPP for a version not known
 * here; TLSA_EINVAL for a packet that is not a Retry.
 */
int tlsa_quic_retry_verify(struct tlsa_quic_ctx *qc, const struct tlsa_quic_packet *retry,
			   const uint8_t *odcid, size_t odcid_len);

/* ------------------------------------------------------------------ frames */

/* Frame types (RFC 9000 19, RFC 9221). */
enum tlsa_quic_frame_type {
	TLSA_QUIC_FRAME_PADDING = 0x00,
	TLSA_QUIC_FRAME_PING = 0x01,
	TLSA_QUIC_FRAME_ACK = 0x02,
	TLSA_QUIC_FRAME_ACK_ECN = 0x03,
	TLSA_QUIC_FRAME_RESET_STREAM = 0x04,
	TLSA_QUIC_FRAME_STOP_SENDING = 0x05,
	TLSA_QUIC_FRAME_CRYPTO = 0x06,
	TLSA_QUIC_FRAME_NEW_TOKEN = 0x07,
	TLSA_QUIC_FRAME_STREAM = 0x08, /* 0x08..0x0f */
	TLSA_QUIC_FRAME_MAX_DATA = 0x10,
	TLSA_QUIC_FRAME_MAX_STREAM_DATA = 0x11,
	TLSA_QUIC_FRAME_MAX_STREAMS_BIDI = 0x12,
	TLSA_QUIC_FRAME_MAX_STREAMS_UNI = 0x13,
	TLSA_QUIC_FRAME_DATA_BLOCKED = 0x14,
	TLSA_QUIC_FRAME_STREAM_DATA_BLOCKED = 0x15,
	TLSA_QUIC_FRAME_STREAMS_BLOCKED_BIDI = 0x16,
	TLSA_QUIC_FRAME_STREAMS_BLOCKED_UNI = 0x17,
	TLSA_QUIC_FRAME_NEW_CONNECTION_ID = 0x18,
	TLSA_QUIC_FRAME_RETIRE_CONNECTION_ID = 0x19,
	TLSA_QUIC_FRAME_PATH_CHALLENGE = 0x1a,
	TLSA_QUIC_FRAME_PATH_RESPONSE = 0x1b,
	TLSA_QUIC_FRAME_CONNECTION_CLOSE =
		0x1c, /* transport error (CRYPTO_ERROR: 0x0100 + alert) */
	TLSA_QUIC_FRAME_CONNECTION_CLOSE_APP = 0x1d, /* application error */
	TLSA_QUIC_FRAME_HANDSHAKE_DONE = 0x1e,
	TLSA_QUIC_FRAME_DATAGRAM = 0x30, /* 0x30, 0x31 (RFC 9221) */
};

/* The first error code of CRYPTO_ERROR: a transport close with 0x0100 + the TLS alert. */
#define TLSA_QUIC_CRYPTO_ERROR 0x0100u

/*
 * One frame.  Fields not used by the frame's type are 0 / NULL.
 */
struct tlsa_quic_frame {
	uint64_t type;		  /* as sent (STREAM: 0x08..0x0f with its OFF, LEN, FIN bits) */
	size_t offset;		  /* where the frame starts in the payload */
	size_t len;		  /* its length; a run of PADDING bytes is one frame */
	uint64_t error_code;	  /* CONNECTION_CLOSE, RESET_STREAM, STOP_SENDING */
	uint64_t frame_type;	  /* CONNECTION_CLOSE 0x1c: the frame type that caused it */
	uint64_t stream_id;	  /* STREAM, RESET_STREAM, STOP_SENDING, MAX_STREAM_DATA,
				     STREAM_DATA_BLOCKED */
	uint64_t data_offset;	  /* CRYPTO, STREAM: the data's offset in its stream */
	uint64_t value;		  /* ACK: largest acknowledged; MAX_*, *_BLOCKED: the limit;
				     RESET_STREAM: final size */
	uint64_t seq;		  /* NEW_CONNECTION_ID, RETIRE_CONNECTION_ID */
	uint64_t retire_prior_to; /* NEW_CONNECTION_ID */
	const uint8_t *data;	  /* CRYPTO, STREAM, DATAGRAM: the data; CONNECTION_CLOSE: the
				     reason phrase; NEW_TOKEN: the token; NEW_CONNECTION_ID: the
				     connection ID; PATH_CHALLENGE/RESPONSE: the 8 bytes */
	size_t data_len;
	const uint8_t *reset_token; /* NEW_CONNECTION_ID: the 16-byte stateless reset token */
	bool fin;		    /* STREAM */
};

/*
 * Reads the frame at *pos of a decrypted payload of `len` bytes and moves
 * *pos past it.  Returns 1 with a frame; 0 at the payload's end;
 * TLSA_EUNSUPP for a frame type whose length cannot be known here (f->type
 * and f->offset say which: stop, the rest cannot be framed); TLSA_ETRUNC /
 * TLSA_EINVAL for a frame that runs past the payload or holds an impossible
 * value (a connection ID over 20 bytes).  ACK ranges are skipped, not
 * returned.
 */
int tlsa_quic_frame_next(const uint8_t *payload, size_t len, size_t *pos, struct tlsa_quic_frame *f,
			 struct tlsa_error *err);

/* "CONNECTION_CLOSE", "CRYPTO", ...; NULL for a type not in the enum above. */
const char *tlsa_quic_frame_name(uint64_t type);

#ifdef __cplusplus
}
#endif

#endif
