/*
 * libtlsalert: why was this alert sent?  Per-stack cause tables and a ranked
 * diagnosis.
 *
 * The tables (generated at build time from data/causes.txt and
 * data/causes-*.txt) record, for each TLS implementation and each alert it
 * sends, the situations in which it sends it, the error its own log shows,
 * the cause id and the fix; and which alerts a stack never sends for a
 * situation, with what it sends instead.
 *
 * tlsa_diagnose() takes what is known about one alert (code, sender, step,
 * version, what the hellos offered and chose, the sending stack) and ranks
 * the causes.  Every rule is data; docs/causes.md documents the cause ids,
 * the step vocabulary, the facts and how the score is computed.
 */
#ifndef TLSALERT_DIAGNOSE_H
#define TLSALERT_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"
#include "tlsalert/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tlsa_cert_info; /* tlsalert/session.h */

/* A fact that may be unknown.  Zero-initialising a context leaves every fact
 * unknown. */
typedef enum tlsa_tri { TLSA_TRI_UNKNOWN = 0, TLSA_TRI_NO, TLSA_TRI_YES } tlsa_tri;

/* Which side sent the alert.  Same order as tlsa_role in tlsalert/session.h. */
typedef enum tlsa_party { TLSA_PARTY_UNKNOWN = 0, TLSA_PARTY_CLIENT, TLSA_PARTY_SERVER } tlsa_party;

/* How the reader of a log saw the alert: it received it, or sent it itself. */
typedef enum tlsa_seen { TLSA_SEEN_UNKNOWN = 0, TLSA_SEEN_RECEIVED, TLSA_SEEN_SENT } tlsa_seen;

/*
 * What is known about one alert.  Start from
 * `struct tlsa_diag_ctx c = {.sz = sizeof(c)};`, set the alert and whatever
 * else is known; everything left zero is unknown.  The struct grows with every
 * new fact, so it carries its size like an options struct (tlsalert/common.h):
 * a caller built against an older header has the newer facts unknown.
 */
struct tlsa_diag_ctx {
	size_t sz;	      /* sizeof(struct tlsa_diag_ctx), or 0 */
	uint8_t alert;	      /* the alert description */
	int level;	      /* 1 warning, 2 fatal, 0 or -1 unknown */
	tlsa_party sender;    /* who sent it */
	tlsa_seen seen;	      /* received / sent by the reader (logs) */
	const char *step;     /* step token or alias (docs/causes.md); NULL unknown */
	const char *stack;    /* the SENDER's stack: token or alias; NULL unknown */
	tlsa_version version; /* negotiated, else attempted */
	/* From the hellos, as far as visible. */
	tlsa_version offered_max;    /* highest version the client offered */
	tlsa_version offered_min;    /* lowest version the client offered */
	tlsa_version selected;	     /* version of the ServerHello; UNKNOWN if none */
	tlsa_tri cipher_overlap;     /* the server could use an offered suite */
	tlsa_tri group_overlap;	     /* an offered group is one the server uses */
	tlsa_tri alpn_offered;	     /* the ClientHello carries ALPN */
	tlsa_tri alpn_selected;	     /* the server selected a protocol */
	tlsa_tri sni_sent;	     /* the ClientHello carries server_name */
	tlsa_tri fallback_scsv;	     /* TLS_FALLBACK_SCSV offered */
	tlsa_tri ems_offered;	     /* the hello the sender received has extended_master_secret */
	tlsa_tri reneg_info_offered; /* ... has renegotiation_info (or, a ClientHello, its SCSV) */
	tlsa_tri cert_requested;     /* the server sent a CertificateRequest */
	tlsa_tri client_cert_sent;   /* NO: empty or no client Certificate */
	tlsa_tri hello_malformed;    /* the hello the sender received does not parse */
	tlsa_tri keyshare_invalid;   /* a key share does not fit its group */
	tlsa_tri app_data_seen;	     /* application data flowed before the alert */
	tlsa_tri renegotiating;	     /* a second handshake was under way */
	tlsa_tri handshake_done;     /* both Finished messages were exchanged */
	tlsa_tri cert_expired;	     /* the verified certificate was past notAfter */
	tlsa_tri cert_name_mismatch; /* SNI / host not in the certificate */
	tlsa_tri cert_self_signed;   /* the verified certificate is self-signed */
	/* The alert record itself. */
	tlsa_tri encrypted;  /* the alert was protected */
	tlsa_tri inferred;   /* inferred from record sizes, not read */
	uint32_t record_len; /* longest record the sender received; 0 unknown */
	uint32_t dh_bits;    /* server's (EC)DH / DHE size in bits; 0 unknown */
	/*
	 * A rule the evidence names directly: the sender's own log showed that
	 * rule's error text (tlsalert logs, tlsa_text_mention.rule_id).  Its cause
	 * is ranked first, with that rule, whatever the other facts say; NULL none.
	 * rule_text is the text that showed it (for the evidence); may be NULL.
	 */
	const char *rule;
	const char *rule_text;
	/* The peer of the ClientHello's sender answered it in plain text (a plain-text
	 * service on the port): the alert is that side's reaction to non-TLS bytes. */
	tlsa_tri peer_plaintext;
	/* Facts added with issue 11 (zero: unknown). */
	tlsa_tri cert_not_yet_valid;	/* the verified certificate's notBefore is after the
					   capture time */
	tlsa_tri cert_issuer_missing;	/* not self-signed, and its issuer is not in the chain */
	tlsa_tri cert_weak_key;		/* RSA or DSA key under 2048 bits, EC under 224 */
	tlsa_tri cert_chain_misordered; /* the chain sent is not in issuing order */
	int64_t capture_time;		/* time of the alert's packet, seconds since 1970
					   UTC (not the reader's clock); 0 unknown */
	const char *sni;		/* the name the client asked for; NULL unknown */
	/* The certificate the sender verified (struct tlsa_cert_info of
	 * tlsalert/session.h), for the values the evidence names; NULL unknown. */
	const struct tlsa_cert_info *cert;
	/* The shape of the client's offer (docs/causes.md, "Narrow offers"), known
	 * only when a ClientHello was read and no ServerHello answered it: the
	 * server refused the offer itself. */
	tlsa_tri versions_narrow; /* a single version offered */
	tlsa_tri groups_narrow;	  /* 1-2 groups, neither x25519 nor secp256r1 */
	tlsa_tri sigalgs_narrow;  /* signature algorithms of one key type only */
	tlsa_tri suites_narrow;	  /* at most 3 cipher suites, or all of one cipher */
	/* The values behind a narrow dimension, for the evidence, set only with its
	 * fact yes (values, not a pointer: alike alerts keep alike contexts). */
	uint16_t narrow_version;   /* the one version offered (wire value) */
	uint16_t narrow_groups[2]; /* the groups offered, 0 after the last */
	uint8_t narrow_sigalg_key; /* the one key type: 1 RSA, 2 ECDSA/EdDSA, 3 other */
	uint8_t narrow_suites;	   /* how many suites were offered */
	/* The sender verifies the client's certificate (it is the server), not the
	 * server's (it is the client); unknown when the sender is. */
	tlsa_tri verifies_client_cert;
	/* Added later, at the end (base/opts.h: a caller built before them has
	 * them zero, unknown). */
	/* With more than 3 suites offered, all of one cipher (suites_narrow): the
	 * first of them, whose name tells the cipher; 0 otherwise. */
	uint16_t narrow_suite_cipher;
	/* The SNI matches only the commonName of a certificate without
	 * subjectAltName: a match for OpenSSL and GnuTLS, a mismatch for Go. */
	tlsa_tri cert_name_cn_only;
	/* QUIC (docs/quic.md): the alert came in a CONNECTION_CLOSE of a QUIC connection;
	 * the ClientHello's ALPN offered only HTTP/3 draft tokens (h3-29, h3-32, ...), not
	 * RFC 9114's h3 (unknown without ALPN). */
	tlsa_tri quic;
	tlsa_tri alpn_h3_draft;
};

/* Largest sizes of the text a cause carries. */
#define TLSA_CAUSE_STACKS_MAX	96
#define TLSA_CAUSE_EVIDENCE_MAX 640

/*
 * One ranked cause.  Strings are static table text, except `stacks` and
 * `evidence`, which are built for this diagnosis and live in the struct.
 */
struct tlsa_cause {
	const char *id;			    /* cause id, e.g. "untrusted-ca" */
	const char *title;		    /* a few words */
	const char *rule_id;		    /* the table rule that ranked highest for this cause */
	const char *sender;		    /* that rule's sender: "client", "server", "either" */
	const char *reason;		    /* the situation, in a sentence */
	const char *error;		    /* what the sender's own log shows */
	const char *fix;		    /* concrete checks and fixes */
	int score;			    /* 1-100, higher is likelier */
	char stacks[TLSA_CAUSE_STACKS_MAX]; /* "openssl" or "go, java, nss" */
	char evidence[TLSA_CAUSE_EVIDENCE_MAX]; /* the facts that set the score */
};

/*
 * Ranks the causes of the alert in `ctx` into out[0..max), best first, one
 * entry per cause id, and sets *n.  Returns 0, or TLSA_EINVAL when `step` is
 * not in the step vocabulary (err says so).  An unknown stack name is not an
 * error: it is ignored and the evidence says so.  An alert no table covers
 * gives *n == 0.
 */
int tlsa_diagnose(const struct tlsa_diag_ctx *ctx, struct tlsa_cause *out, size_t max, size_t *n,
		  struct tlsa_error *err);

struct tlsa_alert_event; /* tlsalert/session.h */

/*
 * Fills ctx (zeroed first) from an alert event of the session tracker: the
 * code (read, else the likely code of an encrypted or inferred alert), level,
 * sender, stage (dropped when it is not in the step vocabulary), version,
 * encrypted/inferred, and from ev->hs the offered and selected versions,
 * ALPN, SNI, fallback SCSV, CertificateRequest and client Certificate, a
 * selected cipher suite and a ClientHello key share of the wrong size, and,
 * whenever the capture showed the certificate the sender verified (TLS 1.2
 * and earlier: always; TLS 1.3: with a key log), its facts at the time of the
 * alert's packet: expired, not yet valid, the SNI against its names (RFC 6125),
 * self-signed, issuer missing from the chain, chain order, weak key.
 * Facts the capture did not show stay unknown; the
 * stack stays NULL (set ctx->stack if you know the sender's stack).  Returns
 * false, with ctx zeroed, when the event has no code at all.
 *
 * With a certificate, ctx->cert and ctx->sni point into the event: use the
 * context while the event is valid (during the callback, or with a copy made
 * by tlsa_alert_event_copy), or set both to NULL first (the ranking stays the
 * same; the evidence then names the facts without their values).
 */
bool tlsa_diag_ctx_from_event(struct tlsa_diag_ctx *ctx, const struct tlsa_alert_event *ev);

struct tlsa_text_mention; /* tlsalert/text.h */

/*
 * Fills ctx (zeroed first) from an alert named in a log line or error
 * message: the code, whether the writer sent or received it, the writer's
 * stack when it sent the alert (a received alert came from the peer, whose
 * stack the line does not tell), and the cause rule whose local error text
 * the line shows.  Returns false, with ctx zeroed, when the mention has no
 * code.
 */
bool tlsa_diag_ctx_from_mention(struct tlsa_diag_ctx *ctx, const struct tlsa_text_mention *m);

/* ---- the tables ---- */

/* A condition of a rule: fact `op` value, op '=', '<' or '>'. */
struct tlsa_cause_cond {
	const char *fact;
	char op;
	int value;
};

/* One situation in which a stack sends an alert. */
struct tlsa_cause_rule {
	const char *id;
	uint8_t alert;
	const char *stacks;    /* space-separated stack tokens, or "*" for every stack */
	const char *sender;    /* "client", "server" or "either" */
	const char *versions;  /* space-separated version tokens; "" every version */
	uint32_t version_mask; /* internal: the versions as a bit set */
	const char *steps;     /* space-separated step tokens; "" any step */
	const char *when;      /* the conditions as written in the data; "" none */
	const char *cause;     /* cause id */
	int weight;	       /* 1-60: how often this is the reason before any context */
	const char *situation;
	const char *error; /* what the sender's log shows */
	const char *fix;   /* stack-specific fix, or NULL: the cause's fix applies */
	const struct tlsa_cause_cond *conds;
	size_t n_conds;
	/* What in a log line shows this rule fired: fragments separated by " | ", '*'
	 * standing for any text, ASCII case ignored (docs/causes.md); "" when the
	 * rule has no distinctive text. */
	const char *logline;
	/*
	 * The rule's error means the peer did not speak TLS (its first bytes are
	 * not a TLS record: a plain-text service on the port): no alert came from
	 * the peer, and `alert` is only what this side sends, if it sends one at
	 * all (`situation` says).  Data key `notls: yes`.
	 */
	bool notls;
	/* A TLS 1.3 rule whose stack sends another alert for the same error before TLS
	 * 1.3: that rule's id (data key `pre13: RULE`), else NULL. */
	const char *pre13;
	/*
	 * The rule's error means the connection ended under this side (the peer closed it
	 * without close_notify, a reset, a failed write): no alert can reach the peer,
	 * whatever `alert` says the stack tries to send.  The causes that fit besides the
	 * rule's own, space-separated (data key `peerclosed: CAUSE ...`), else NULL.
	 */
	const char *peerclosed;
};

/* What a stack does NOT send for a situation, and what it sends instead. */
struct tlsa_cause_never {
	const char *stack;
	uint8_t alert;
	const char *sender;
	const char *versions;
	uint32_t version_mask;
	const uint8_t *instead; /* codes sent instead; 0 alone means "nothing" */
	size_t n_instead;
	const char *text;
};

/* One cause id of the vocabulary. */
struct tlsa_cause_def {
	const char *id;
	const char *title;
	const char *summary;
	const char *fix;
	/* Decisive facts (docs/causes.md, "Facts decide"), as written and parsed: a
	 * condition of `proven` that holds ranks the cause above every cause not
	 * proven; one of `ruled_out` that holds sinks it below every other. */
	const char *proven_by;	  /* "" none */
	const char *ruled_out_by; /* "" none */
	const struct tlsa_cause_cond *proven;
	size_t n_proven;
	const struct tlsa_cause_cond *ruled_out;
	size_t n_ruled_out;
	/* Strong evidence, not proof: a condition of `favoured` that holds raises
	 * the cause, one of `disfavoured` lowers it; its tier stays. */
	const char *favoured_by;    /* "" none */
	const char *disfavoured_by; /* "" none */
	const struct tlsa_cause_cond *favoured;
	size_t n_favoured;
	const struct tlsa_cause_cond *disfavoured;
	size_t n_disfavoured;
};

/* One step of the step vocabulary. */
struct tlsa_step_def {
	const char *token;
	const char *aliases; /* space-separated */
	const char *covers;  /* steps a broad step stands for, space-separated; "" none */
	const char *text;
};

/* One stack. */
struct tlsa_stack_def {
	const char *token;   /* "openssl", "go", ... */
	const char *name;    /* "OpenSSL 3.x", "Go crypto/tls", ... */
	const char *aliases; /* space-separated, lower case */
	const char *const *wording;
	size_t n_wording;
};

size_t tlsa_cause_rule_count(void);
const struct tlsa_cause_rule *tlsa_cause_rule_at(size_t i);	   /* NULL past the end */
const struct tlsa_cause_rule *tlsa_cause_rule_get(const char *id); /* NULL if unknown */
size_t tlsa_cause_never_count(void);
const struct tlsa_cause_never *tlsa_cause_never_at(size_t i);
size_t tlsa_cause_def_count(void);
const struct tlsa_cause_def *tlsa_cause_def_at(size_t i);
const struct tlsa_cause_def *tlsa_cause_def_get(const char *id); /* NULL if unknown */
size_t tlsa_step_count(void);
const struct tlsa_step_def *tlsa_step_at(size_t i);
size_t tlsa_stack_count(void);
const struct tlsa_stack_def *tlsa_stack_at(size_t i);

/* True when the rule applies to `stack` (a token; "*" rules apply to all). */
bool tlsa_cause_rule_has_stack(const struct tlsa_cause_rule *r, const char *stack);

/* The step token for a token or alias (case-insensitive; '-' and ' ' count
 * as '_'), or NULL. */
const char *tlsa_step_parse(const char *s);

/*
 * The stack for a token or alias, case-insensitive: "OpenSSL", "go-crypto/tls",
 * "python-ssl(openssl)" (a parenthesised stack wins), "JSSE" ...; NULL if not
 * known.
 */
const struct tlsa_stack_def *tlsa_stack_parse(const char *s);

/*
 * Guesses the stack that wrote `text` (an error message or log line) from
 * wording only that stack uses ("OPENSSL_internal", "remote error: tls:",
 * "javax.net.ssl", "GNUTLS_E_", "SSL_ERROR_" ...); NULL when nothing matches.
 * Note that a log line names the stack of the program that WROTE it; the
 * stack that sent a received alert is the peer's.
 */
const struct tlsa_stack_def *tlsa_stack_from_text(const char *text, size_t len);

/* The names of every fact rules may test, space-separated (for tests). */
const char *tlsa_cause_fact_names(void);

#ifdef __cplusplus
}
#endif

#endif
