/*
 * libtlsalert: the peer's reaction to an alert `tlsalert serve` sent, and
 * whether it follows the RFCs.
 *
 *   tlsa_reaction_new()     a parser for one connection, after our alert
 *   tlsa_reaction_feed()    the peer's bytes as they arrive (any chunking)
 *   tlsa_reaction_record()  ... or its records, framed and opened by the caller
 *   tlsa_reaction_sent()    one more alert of ours went out (shape repeat)
 *   tlsa_reaction_end()     FIN, RST or the timeout; judges
 *   tlsa_reaction_result()  what the peer did, and the verdict
 *   tlsa_reaction_judge()   the verdict for a reaction kind alone
 *   tlsa_reaction_rules()   the rules (data/serve-rules.txt)
 *   tlsa_reaction_fallback() did a later ClientHello offer a lower version
 *
 * Pure functions over bytes: no sockets, no clock (the caller passes
 * monotonic milliseconds).  Memory is constant whatever is fed: one record
 * buffer of TLSA_REACTION_RECORD_MAX bytes; a record that does not fit is
 * counted as oversized and skipped, bytes that are not TLS as garbage.
 */
#ifndef TLSALERT_REACTION_H
#define TLSALERT_REACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"
#include "tlsalert/decrypt.h"
#include "tlsalert/hello.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest record kept whole: a 13-byte DTLS header and 2^14 + 2048 bytes,
 * the largest TLSCiphertext of RFC 5246 6.2.3 (TLS 1.3 allows 2^14 + 256). */
#define TLSA_REACTION_RECORD_MAX (13 + 16384 + 2048)

/* How our alert is written (`serve --shape`; serve.h parses and names them). */
typedef enum tlsa_serve_shape {
	TLSA_SHAPE_NORMAL,     /* one alert in one record */
	TLSA_SHAPE_FRAGMENTED, /* the two bytes in two records */
	TLSA_SHAPE_SPLIT,      /* one record, sent in two TCP segments */
	TLSA_SHAPE_DOUBLE,     /* two alerts in one record */
	TLSA_SHAPE_REPEAT,     /* `repeat` records of the alert (warnings: a cap test) */
	TLSA_SHAPE_EMPTY,      /* an alert record of length 0 */
	TLSA_SHAPE_COALESCED,  /* in the same TCP segment as the flight before it */
	TLSA_SHAPE_COUNT
} tlsa_serve_shape;

/* The case being judged: what we sent, under which version. */
struct tlsa_reaction_case {
	uint16_t version; /* wire version of the connection: 0x0301..0x0304, 0xfeff, 0xfefd */
	uint8_t level;	  /* the level byte we sent: 1 warning, 2 fatal, anything else bogus */
	uint8_t code;
	tlsa_serve_shape shape;
	bool plaintext;		 /* sent unprotected where the epoch was protected */
	bool peer_is_client;	 /* for the wording of the reason: "the client ..." */
	bool peer_protected;	 /* the peer's records are protected from the start; otherwise
				    (TLS 1.2) from its ChangeCipherSpec on */
	bool peer_alerted_first; /* the peer sent an alert of its own before ours (its
				    close_notify after a response, or its refusal): when it
				    sends none after ours, that one is its answer */
	uint8_t peer_first_level, peer_first_code;
	unsigned grace_ms; /* data arriving within this long of our (first) alert was sent
			      before the peer could read it: counted as in flight, not as
			      continuing */
};

/* What the peer did, from the strongest evidence down. */
typedef enum tlsa_reaction_kind {
	TLSA_REACT_CONTINUE,	 /* handshake, CCS (not TLS 1.3's) or application data after ours */
	TLSA_REACT_ALERT,	 /* an alert of its own (not close_notify), then it ended */
	TLSA_REACT_CLOSE_NOTIFY, /* its close_notify */
	TLSA_REACT_OPAQUE,	 /* only records it could not read (no keys, failed
				    authentication) or bytes that are not TLS */
	TLSA_REACT_CLOSE,	 /* FIN or RST without an alert */
	TLSA_REACT_HANG,	 /* nothing: the connection still open at the timeout */
	TLSA_REACT_COUNT
} tlsa_reaction_kind;

/* "continue", "alert", "close_notify", "opaque", "close", "hang". */
const char *tlsa_reaction_kind_name(tlsa_reaction_kind k);

/* How the watch ended. */
typedef enum tlsa_serve_end {
	TLSA_SERVE_END_NONE, /* still watching */
	TLSA_SERVE_END_FIN,
	TLSA_SERVE_END_RST,
	TLSA_SERVE_END_TIMEOUT /* the connection still open */
} tlsa_serve_end;

/* "none", "fin", "rst", "timeout". */
const char *tlsa_reaction_end_name(tlsa_serve_end e);

typedef enum tlsa_serve_verdict {
	TLSA_VERDICT_FOLLOWS,
	TLSA_VERDICT_VIOLATES,
	TLSA_VERDICT_NO_RULE
} tlsa_serve_verdict;

/* "follows", "violates", "no rule". */
const char *tlsa_verdict_name(tlsa_serve_verdict v);

/* One rule of data/serve-rules.txt.  The masks have one bit per class:
 * versions (TLSA_RV_*), levels (TLSA_RL_*), codes (TLSA_RC_*), shapes (1 <<
 * tlsa_serve_shape), plaintext (bit 0: protected as due, bit 1:
 * plaintext), kinds (1 << tlsa_reaction_kind). */
enum { TLSA_RV_TLS12 = 1, TLSA_RV_TLS13 = 2, TLSA_RV_DTLS12 = 4, TLSA_RV_OTHER = 8 };
enum { TLSA_RL_WARNING = 1, TLSA_RL_FATAL = 2, TLSA_RL_BOGUS = 4 };
enum {
	TLSA_RC_CLOSE_NOTIFY = 1,
	TLSA_RC_USER_CANCELED = 2,
	TLSA_RC_KNOWN = 4,
	TLSA_RC_UNKNOWN = 8
};
struct tlsa_reaction_rule {
	const char *id; /* "tls13-error", ... */
	uint8_t versions, levels, codes, shapes, plaintext;
	uint8_t follows, violates; /* kinds; a kind in neither has no rule */
	const char *rfc;	   /* "RFC 8446 6.2" */
	const char *says;	   /* the sentence the rule rests on */
	const char *note;	   /* why, in one line, when the sentence alone does not say */
};

/* The whole table, first match wins; *n receives its size. */
const struct tlsa_reaction_rule *tlsa_reaction_rules(size_t *n);

/* The rule matching a case (never NULL: the table ends with a catch-all). */
const struct tlsa_reaction_rule *tlsa_reaction_rule_for(const struct tlsa_reaction_case *c);

/* What the peer sent after our alert, and the verdict.  Only tlsa_reaction_result() fills it:
 * a zeroed one reads as "continue, follows", so read it only when an alert went out
 * (tlsa_serve_result.alert_sent). */
struct tlsa_serve_reaction {
	tlsa_reaction_kind kind;
	tlsa_serve_end end;
	/* its alerts */
	unsigned alerts;		 /* how many */
	uint8_t alert_level, alert_code; /* the first; or, when it sent none after ours, the one
					  before ours that is its answer (peer_alerted_first) */
	bool alert_encrypted;		 /* the first came protected */
	uint8_t last_alert_level, last_alert_code;
	/* its records */
	unsigned records;	    /* whole records */
	unsigned handshake_records; /* handshake (plaintext, or TLS 1.3 inner type) */
	unsigned appdata_records;   /* application data it could read */
	unsigned ccs_records;	    /* ChangeCipherSpec */
	unsigned alert_records;	    /* alert records (their alerts: `alerts`) */
	unsigned other_records;	    /* heartbeat and unknown content types */
	unsigned
		inflight_records; /* handshake/CCS/data within grace_ms: sent before it read ours */
	unsigned continued_records; /* handshake/CCS/data after grace_ms */
	unsigned undecryptable;	    /* protected records without keys or failing authentication */
	unsigned oversized;	    /* records longer than TLSA_REACTION_RECORD_MAX, skipped */
	int first_handshake_type;   /* type of the first handshake message after ours, -1 none */
	uint64_t bytes;		    /* every byte fed */
	uint64_t garbage_bytes;	    /* bytes that are not TLS records */
	/* times from our (first) alert, in ms; -1 when it did not happen */
	int64_t first_byte_ms, alert_ms, end_ms;
	/* shape repeat: how many of ours it had when it reacted, and accepted */
	unsigned warnings_sent, warnings_accepted;
	/* the verdict */
	tlsa_serve_verdict verdict;
	const struct tlsa_reaction_rule *rule;
	char reason[256]; /* "the client sent 2 application data records after a fatal ..." */
};

struct tlsa_reaction;

/*
 * A parser for the peer's bytes after our alert, sent at `sent_ms`.  `cur`
 * opens the peer's protected records (NULL: it reads plaintext only, and
 * counts protected ones as undecryptable); `next` (may be NULL) is tried
 * when `cur` fails, and kept from then on (the peer switched keys, e.g. TLS
 * 1.3 handshake to application traffic).  Both are borrowed: their sequence
 * numbers advance; the caller frees them after tlsa_reaction_free().  DTLS:
 * records of epoch 0 are plaintext, others go to `cur`/`next`.  NULL when
 * out of memory.
 */
struct tlsa_reaction *tlsa_reaction_new(const struct tlsa_reaction_case *c,
					struct tlsa_cipher_dir *cur, struct tlsa_cipher_dir *next,
					uint64_t sent_ms);
void tlsa_reaction_free(struct tlsa_reaction *r);

/* One more alert of ours went out at `now_ms` (shape repeat: call it for
 * the 2nd..Nth; wait for the peer between them to know which it rejected). */
void tlsa_reaction_sent(struct tlsa_reaction *r, uint64_t now_ms);

/* The peer's bytes that arrived at `now_ms`.  TLS: a byte stream, any
 * chunking.  DTLS: one datagram per call. */
void tlsa_reaction_feed(struct tlsa_reaction *r, const uint8_t *data, size_t len, uint64_t now_ms);

/*
 * For a caller that frames and opens the peer's records itself (the serve
 * engine, which follows the peer's key changes with libssl), instead of
 * tlsa_reaction_feed(): one whole record of `wire_len` bytes with its
 * content type (TLS 1.3: the inner type) and its plaintext, `prot` when it
 * came protected; a record it could not open; bytes that are not records.
 */
void tlsa_reaction_record(struct tlsa_reaction *r, uint8_t type, const uint8_t *plain, size_t n,
			  bool prot, size_t wire_len, uint64_t now_ms);
void tlsa_reaction_unreadable(struct tlsa_reaction *r, size_t wire_len, uint64_t now_ms);
void tlsa_reaction_garbage(struct tlsa_reaction *r, size_t len, uint64_t now_ms);

/* The connection ended (FIN, RST) or the watch timed out; then judges.
 * Later feeds are ignored. */
void tlsa_reaction_end(struct tlsa_reaction *r, tlsa_serve_end how, uint64_t now_ms);

/* What the peer did so far and the verdict (judged as if it ended now when
 * tlsa_reaction_end() was not called yet). */
void tlsa_reaction_result(const struct tlsa_reaction *r, struct tlsa_serve_reaction *out);

/* The verdict of the rule for `c` on a reaction of kind `k`, and its rule. */
tlsa_serve_verdict tlsa_reaction_judge(const struct tlsa_reaction_case *c, tlsa_reaction_kind k,
				       const struct tlsa_reaction_rule **rule);

/* The highest version a ClientHello offered (supported_versions, else
 * legacy_version), as a wire value; GREASE and unknown values are skipped;
 * 0 when none. */
uint16_t tlsa_reaction_max_offered(const struct tlsa_hs_facts *hs);

/* True when `later` (a new connection from the same client) offers a lower
 * highest version than `first`, or TLS_FALLBACK_SCSV: an insecure fallback
 * when it follows an alert (RFC 7507). */
bool tlsa_reaction_fallback(const struct tlsa_hs_facts *first, const struct tlsa_hs_facts *later);

#ifdef __cplusplus
}
#endif

#endif
