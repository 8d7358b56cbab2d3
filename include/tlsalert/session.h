/*
 * libtlsalert: the session tracker.
 *
 * Plugs into the capture layer (tlsalert/capture.h) as its handler: finds
 * where TLS starts in every TCP stream (any port, after STARTTLS-style
 * upgrades, or in the middle of a capture), frames TLS records in both
 * directions and DTLS records in UDP datagrams, follows the handshake
 * (hellos, certificates, key exchange, ChangeCipherSpec, Finished) and emits
 * one struct tlsa_alert_event per alert record, plus alerts inferred without
 * keys from the size and position of TLS 1.3 records.  At the end of every
 * connection in which TLS was seen it emits a struct tlsa_conn_event
 * (outcome of the handshake, for summaries).
 *
 * Application-data records are framed by their header only: their bodies
 * are skipped, never copied.  docs/scan.md documents every field and the
 * stage vocabulary.
 */
#ifndef TLSALERT_SESSION_H
#define TLSALERT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/capture.h"
#include "tlsalert/common.h"
#include "tlsalert/hello.h" /* struct tlsa_hs_facts, tlsa_role, the hello parsers */
#include "tlsalert/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the client/server roles of a connection were decided. */
typedef enum tlsa_role_source {
	TLSA_ROLES_NONE,	 /* not decided: sender "unknown" */
	TLSA_ROLES_SYN,		 /* the side that sent the TCP SYN is the client */
	TLSA_ROLES_CLIENT_HELLO, /* the side that sent a ClientHello */
	TLSA_ROLES_SERVER_HELLO, /* the peer of the side that sent a ServerHello */
	TLSA_ROLES_PORT		 /* the lower port is the server */
} tlsa_role_source;

/* "none", "syn", "client_hello", "server_hello", "port". */
const char *tlsa_role_source_name(tlsa_role_source s);

/* subjectAltName entries kept in struct tlsa_cert_info. */
#define TLSA_CERT_SAN_MAX 8

/* A certificate seen in a Certificate message: read whenever it is on the
 * wire (TLS 1.2 and earlier: always, it is plaintext; TLS 1.3: when a key log
 * opens the handshake), parsed at the first event that needs it.  The fields
 * describe the first (leaf) certificate, except the chain facts. */
struct tlsa_cert_info {
	bool parsed;	   /* the first certificate could be parsed */
	char subject[256]; /* RFC 2253 form, non-printable bytes as '?' */
	char issuer[256];
	char not_before[24]; /* RFC 3339 UTC, "" when unknown */
	char not_after[24];
	int chain_length; /* certificates in the message */
	/* Read from the DER by the tracker (facts_read says they were). */
	bool facts_read;
	bool times_known;	 /* the two times below were read */
	int64_t not_before_unix; /* seconds since 1970-01-01 UTC */
	int64_t not_after_unix;
	char cn[256];			  /* the subject's last commonName, "" none */
	int san_count;			  /* DNS names and IP addresses in subjectAltName */
	char san[TLSA_CERT_SAN_MAX][256]; /* the first TLSA_CERT_SAN_MAX of them */
	uint8_t san_ip;			  /* bit i set: san[i] is an IP address (text form) */
	char key_type[12];    /* "RSA", "RSA-PSS", "EC", "Ed25519", "Ed448", "DSA", "" */
	char key_curve[12];   /* EC: "P-256", "P-384", "P-521", "secp256k1", "" */
	int key_bits;	      /* RSA/DSA modulus or EC field size; 0 unknown */
	char sig_alg[40];     /* "sha256WithRSAEncryption", ..., or the dotted OID */
	bool self_signed;     /* subject and issuer are the same name */
	bool issuer_in_chain; /* another certificate of the message names the
				 leaf's issuer as its subject */
	bool chain_ordered;   /* each certificate is issued by the next one */
};

/*
 * Lifetimes of what the events below point to.  The tracker fills an event
 * and calls the callback; pointers of two kinds appear in them:
 *   - static: strings that live as long as the program (starttls, evidence,
 *     cipher_shapes, stage, alert_stage, decrypt_error, quic_space,
 *     quic_close.space), safe to keep;
 *   - during the callback only: everything else (pkt, flow, history, hs,
 *     server_cert, client_cert, record, conn_user).  They point into the
 *     tracker's per-connection state or the capture's buffers, change as
 *     the connection goes on and are freed when it ends: a consumer that
 *     keeps an event past its callback copies what they point to.
 */

/* Longest QUIC reason phrase kept (tlsa_quic_close.reason), NUL not counted. */
#define TLSA_QUIC_REASON_MAX 200

/* A QUIC CONNECTION_CLOSE frame (docs/quic.md). */
struct tlsa_quic_close {
	bool closed;	     /* a CONNECTION_CLOSE frame was read (the rest is set) */
	bool app;	     /* frame type 0x1d (the application's code), else 0x1c (transport;
				0x0100-0x01ff: CRYPTO_ERROR, a TLS alert) */
	uint64_t code;	     /* the error code: tlsa_quic_error_describe() names it */
	uint64_t frame_type; /* 0x1c: the type of the frame that caused it (0: none given) */
	tlsa_role sender;
	const char *space; /* the packet that carried it: "initial", "0-rtt", "handshake",
			      "1-rtt" (static) */
	uint64_t frame;	   /* the capture frame */
	char reason[TLSA_QUIC_REASON_MAX + 1]; /* the reason phrase: printable ASCII (other
						  bytes '?'), cut at TLSA_QUIC_REASON_MAX */
};

/* One alert, decoded from a record or inferred from record sizes. */
struct tlsa_alert_event {
	const struct tlsa_pktinfo *pkt; /* packet that completed the record (callback only) */
	const struct tlsa_flow *flow;	/* callback only */
	int dir;			/* direction that sent it (index into flow->addr) */
	tlsa_role sender;
	tlsa_role_source role_source;
	const char *starttls; /* "smtp", "postgresql", ... or NULL (static) */
	bool dtls;
	uint8_t content_type; /* outer record type: 21, or 23 for inferred TLS 1.3 */
	uint16_t record_version;
	size_t record_length;
	uint64_t record_seq;	   /* 0-based record number in its direction (DTLS: wire seq) */
	uint16_t epoch;		   /* DTLS only */
	tlsa_version version;	   /* negotiated, else attempted, else record version */
	bool version_negotiated;   /* `version` comes from a ServerHello */
	bool encrypted;		   /* the alert body is protected */
	bool inferred;		   /* not seen as an alert record: inferred from evidence */
	int level;		   /* 1, 2, other level bytes; -1 unknown */
	int description;	   /* -1 unknown */
	int likely;		   /* inferred/encrypted: likely description, -1 none */
	const char *evidence;	   /* why it is believed to be an alert (static) */
	const char *cipher_shapes; /* encrypted: protections whose size fits, or NULL (static) */
	const char *stage;	   /* stage vocabulary (docs/scan.md; static) */
	const char *history;	   /* handshake history string, see docs/scan.md (callback only;
				      at most TLSA_HISTORY_MAX characters) */
	const struct tlsa_hs_facts *hs; /* callback only */
	/* decryption (tlsa_tracker_opts.keylog) */
	bool keylog;		   /* a key log was in use (the decrypted field applies) */
	bool decrypted;		   /* level and description were read from the decrypted record */
	const char *decrypt_error; /* the connection had a record that did not authenticate
				      (static), or NULL */
	const struct tlsa_cert_info *server_cert, *client_cert; /* NULL when not seen
								   (callback only) */
	/* The peer of the ClientHello's sender answered it in plain text, not TLS (the
	 * connection's outcome will be TLSA_OUT_PLAINTEXT): an alert from the
	 * ClientHello's side is its reaction to that text. */
	bool peer_plaintext;
	/*
	 * QUIC (docs/quic.md): the alert came as a CONNECTION_CLOSE frame with
	 * CRYPTO_ERROR (0x0100 + the alert), or was inferred from the packets each
	 * side sent.  Then content_type and record_version are 0, record_length is
	 * the QUIC packet's length and record_seq its packet number; `encrypted` and
	 * `decrypted` say the packet needed the key log (Handshake, 0-RTT, 1-RTT), not
	 * an Initial packet, which every observer opens.
	 */
	bool quic;
	uint32_t quic_version;	  /* the QUIC version (tlsa_quic_version_name()) */
	const char *quic_space;	  /* "initial", "0-rtt", "handshake", "1-rtt" (static) */
	uint64_t quic_error;	  /* the frame's error code (0 inferred) */
	uint64_t quic_frame_type; /* the frame type that caused the close, 0 none */
	char quic_reason[TLSA_QUIC_REASON_MAX + 1]; /* the reason phrase, see tlsa_quic_close */
};

/* Outcome of one connection in which TLS was seen. */
typedef enum tlsa_outcome {
	TLSA_OUT_ESTABLISHED, /* handshake completed (and maybe closed later) */
	TLSA_OUT_FAILED,      /* an alert or close ended the handshake */
	TLSA_OUT_INCOMPLETE,  /* the capture did not show the end of the handshake */
	TLSA_OUT_PLAINTEXT    /* the peer of the ClientHello's sender answered in plain
				 text, not TLS (tlsa_conn_event.plaintext) */
} tlsa_outcome;

/* "established", "failed", "incomplete", "plaintext". */
const char *tlsa_outcome_name(tlsa_outcome o);

/* The stage vocabulary of alert events (docs/scan.md): tlsa_stage_at(i) for
 * i < tlsa_stage_count(), NULL past the end.  Static strings. */
size_t tlsa_stage_count(void);
const char *tlsa_stage_at(size_t i);

/* Longest tlsa_conn_event.plaintext, in characters (NUL not counted). */
#define TLSA_PLAINTEXT_MAX 80

/* One connection in which TLS was seen, at its end (pointers: see the
 * lifetimes above tlsa_alert_event). */
struct tlsa_conn_event {
	const struct tlsa_flow *flow; /* callback only */
	uint32_t file_index;
	uint64_t first_frame, last_frame;
	int64_t ts_sec;
	uint32_t ts_nsec; /* time of the first packet */
	int client_dir;	  /* -1 unknown */
	tlsa_role_source role_source;
	const char *starttls; /* static, or NULL */
	bool dtls;
	tlsa_version version;
	bool version_negotiated;
	tlsa_outcome outcome;
	size_t n_alerts;       /* alert events of this connection (inferred included) */
	bool have_alert;       /* `alert` holds the first fatal, or else first, alert */
	int alert_description; /* -1 encrypted/unknown */
	int alert_level;
	bool alert_encrypted, alert_inferred;
	int alert_likely;
	tlsa_role alert_sender;
	const char *alert_stage; /* static */
	uint64_t alert_frame;
	const char *history;		/* callback only; at most TLSA_HISTORY_MAX characters */
	const struct tlsa_hs_facts *hs; /* callback only */
	bool keylog;			/* a key log was in use */
	bool decrypting;		/* the key log had this connection's secrets */
	size_t n_decrypted;		/* records opened */
	const char *decrypt_error;	/* see tlsa_alert_event (static) */
	const struct tlsa_cert_info *server_cert, *client_cert; /* NULL, or callback only */
	/*
	 * Outcome TLSA_OUT_PLAINTEXT: the first line the peer sent instead of TLS
	 * ("HTTP/1.0 400 Bad request", "220 mail ESMTP"), without its line end,
	 * cut at TLSA_PLAINTEXT_MAX characters (then ending in "..."); only
	 * printable ASCII (a tab is a space).  "" for other outcomes.
	 */
	char plaintext[TLSA_PLAINTEXT_MAX + 1];
	uint64_t plaintext_frame; /* the frame that carried it; 0 for other outcomes */
	/* QUIC (docs/quic.md): the connection was QUIC; its first CONNECTION_CLOSE. */
	bool quic;
	uint32_t quic_version;
	bool quic_retry;	       /* the server sent a Retry (its tag verified) */
	bool quic_version_negotiation; /* the server sent a Version Negotiation packet */
	uint64_t quic_key_updates;     /* key phase changes followed (with a key log) */
	struct tlsa_quic_close quic_close;
};

/*
 * One whole record, for a consumer that decrypts (docs/decrypt.md): given
 * only when tlsa_tracker_opts.on_record is set (records are then copied;
 * without it application-data bodies are never copied).  Called after the
 * tracker has taken in the record, before its alert event if it is one.
 * Every pointer is valid during the callback only (see tlsa_alert_event);
 * the value stored in *conn_user stays until on_release.
 */
struct tlsa_record_event {
	const struct tlsa_pktinfo *pkt; /* packet that completed the record */
	const struct tlsa_flow *flow;
	int dir;
	tlsa_role sender;
	bool dtls;
	uint8_t type;	       /* outer content type */
	uint16_t version;      /* record version */
	const uint8_t *record; /* the whole record, header included */
	size_t len;
	uint64_t seq;	/* 0-based record number in its direction (DTLS: wire seq) */
	uint16_t epoch; /* DTLS */
	bool after_ccs; /* TLS <= 1.2 / DTLS: sent after the sender's ChangeCipherSpec */
	const struct tlsa_hs_facts *hs; /* randoms, suite, version */
	void **conn_user; /* one pointer per connection for the consumer, NULL at first;
			     released through on_release when the connection ends */
};

struct tlsa_keylog; /* tlsalert/keylog.h */

typedef void (*tlsa_alert_fn)(void *ctx, const struct tlsa_alert_event *ev);
typedef void (*tlsa_rec_hook_fn)(void *ctx, const struct tlsa_record_event *ev);
typedef void (*tlsa_release_fn)(void *ctx, void *conn_user);
typedef void (*tlsa_conn_fn)(void *ctx, const struct tlsa_conn_event *ev);
typedef void (*tlsa_notice_fn)(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg);

struct tlsa_tracker_opts {
	size_t sz;		    /* sizeof(struct tlsa_tracker_opts), or 0 (tlsalert/common.h) */
	void *ctx;		    /* passed to every callback */
	tlsa_alert_fn on_alert;	    /* each alert event (may be NULL) */
	tlsa_conn_fn on_conn;	    /* each finished TLS connection (may be NULL) */
	tlsa_notice_fn on_notice;   /* non-fatal remarks, capture notices forwarded (may be NULL) */
	bool no_infer;		    /* do not infer TLS 1.3 alerts from record sizes */
	tlsa_rec_hook_fn on_record; /* each whole record (decryption hook; may be NULL) */
	tlsa_release_fn on_release; /* frees a non-NULL conn_user (may be NULL) */
	/*
	 * Decryption (docs/decrypt.md): secrets matched to connections by client
	 * random.  The tracker only reads it, so trackers in several threads may
	 * share one.  Secrets from pcapng Decryption Secrets Blocks go into a key
	 * log of the tracker's own, consulted first.  Alerts
	 * in records that open are reported with their level and description;
	 * a record that does not authenticate gives a notice and the
	 * connection's decrypt_error, never an alert.
	 */
	struct tlsa_keylog *keylog;
	bool decrypt_all; /* open every protected record (default: only those that can
			     hold an alert or a handshake message, see docs/scan.md) */
	/* Memory (docs/capture.md, "Memory"): bytes of handshake messages one flow may hold
	   (messages being reassembled, certificate messages and facts kept for its events),
	   0 = default 128 KiB; and all flows together, 0 = default 16 MiB.  A message that
	   does not fit is skipped (its type still counts) and counted in hs_msgs_dropped. */
	size_t max_handshake;
	size_t max_handshake_total;
};

/* QUIC connections followed at once; those past it are counted in quic_conns_dropped. */
#define TLSA_QUIC_CONNS_MAX 8192u

/* Counters for statistics and tests. */
struct tlsa_tracker_stats {
	uint64_t flows;	       /* flows seen */
	uint64_t tls_flows;    /* flows in which TLS or DTLS was found */
	uint64_t records;      /* records framed */
	uint64_t alerts;       /* alert events emitted (inferred included) */
	uint64_t inferred;     /* of which inferred */
	uint64_t resyncs;      /* times framing was recovered after a gap or mid-stream start */
	uint64_t bytes;	       /* TCP payload and UDP bytes seen */
	uint64_t dec_conns;    /* connections whose secrets the key log had */
	uint64_t dec_records;  /* records opened */
	uint64_t dec_alerts;   /* alerts read from opened records */
	uint64_t dec_failures; /* records that did not authenticate */
	uint64_t dsb_keys;     /* connections whose secrets came in pcapng Decryption Secrets
				  Blocks (the tracker's own key log) */
	/* What a bound or a malformed input made the tracker give up: */
	uint64_t hs_msgs_dropped;    /* handshake messages skipped: over max_handshake */
	uint64_t hs_bytes_dropped;   /* their bytes that were captured */
	uint64_t dtls_frags_invalid; /* DTLS handshake fragments past their message or record */
	/* QUIC (docs/quic.md) */
	uint64_t quic_conns;	      /* QUIC connections followed */
	uint64_t quic_conns_dropped;  /* ... not followed: over TLSA_QUIC_CONNS_MAX at once */
	uint64_t quic_packets;	      /* datagrams of QUIC connections */
	uint64_t quic_packets_opened; /* packets decrypted (Initial ones included) */
};

struct tlsa_tracker;

/* NULL on allocation failure.  `o` is copied (NULL: no callbacks, no options);
 * free with tlsa_tracker_free(). */
struct tlsa_tracker *tlsa_tracker_new(const struct tlsa_tracker_opts *o);

/* Fills `h` with callbacks that feed `t`; pass it to tlsa_capture_new(). */
void tlsa_tracker_handler(struct tlsa_tracker *t, struct tlsa_capture_handler *h);

void tlsa_tracker_get_stats(const struct tlsa_tracker *t, struct tlsa_tracker_stats *out);

/* Frees the tracker; every flow must have been closed (tlsa_capture_finish).
 * NULL is accepted (nothing done). */
void tlsa_tracker_free(struct tlsa_tracker *t);

/*
 * Record-header plausibility: type 20-26, version 0x0300-0x0304,
 * length <= 2^14 + 2048.  `p` holds at least 5 bytes.
 */
bool tlsa_tls_header_plausible(const uint8_t *p);

/*
 * STARTTLS detection: `data` is one segment sent by the client while the
 * stream is still plaintext.  Returns the protocol name ("smtp", "imap",
 * "pop3", "ftp", "xmpp", "ldap", "postgresql", "mysql", "nntp/irc/sieve"
 * spellings of STARTTLS give "starttls") when the segment asks to upgrade the
 * connection to TLS, else NULL.  The tracker then expects TLS at the start of
 * the next segments of both directions.
 */
const char *tlsa_starttls_request(const uint8_t *data, size_t len);

/*
 * Copies of events that outlive the callback.  An event's pointers are valid
 * only during on_alert/on_conn (the tracker reuses what they point to), so a
 * consumer that keeps events (a queue to another thread, say) copies each one
 * with everything it points to into caller-owned storage; nothing is
 * allocated.  After the call dst->ev's pointers point into *dst itself: moving
 * a copy with memcpy or assignment leaves them pointing into the old place,
 * so move one by copying its ev again (tlsa_alert_event_copy(&other, &dst->ev)).
 *
 * What is copied into dst: pkt, flow (its `user` pointer is copied as a value,
 * not followed), hs, server_cert, client_cert (those that are not NULL) and the
 * history string.  What stays a pointer to static storage, valid for the whole
 * program: evidence, cipher_shapes, stage, starttls, decrypt_error, quic_space
 * (alert events); starttls, alert_stage, decrypt_error, quic_close.space
 * (connection events); and
 * hs->client_stack, hs->server_stack.  A NULL pointer stays NULL.
 */

/* Longest handshake history string (docs/scan.md), without its NUL. */
#define TLSA_HISTORY_MAX 62

struct tlsa_alert_event_copy {
	struct tlsa_alert_event ev; /* the event; its pointers point into this struct */
	struct tlsa_pktinfo pkt;
	struct tlsa_flow flow;
	struct tlsa_hs_facts hs;
	struct tlsa_cert_info server_cert, client_cert;
	char history[TLSA_HISTORY_MAX + 1];
};

struct tlsa_conn_event_copy {
	struct tlsa_conn_event ev; /* the event; its pointers point into this struct */
	struct tlsa_flow flow;
	struct tlsa_hs_facts hs;
	struct tlsa_cert_info server_cert, client_cert;
	char history[TLSA_HISTORY_MAX + 1];
};

void tlsa_alert_event_copy(struct tlsa_alert_event_copy *dst, const struct tlsa_alert_event *src);
void tlsa_conn_event_copy(struct tlsa_conn_event_copy *dst, const struct tlsa_conn_event *src);

#ifdef __cplusplus
}
#endif

#endif
