/*
 * Internal to the session tracker (tlsalert/session.h): the per-connection
 * and per-direction state every part of it shares, the small helpers the
 * per-record path calls (static inline, so that they inline into the record
 * framing of tls_record.c as they did when the tracker was one file), and
 * the functions one part calls in another.
 *
 * The parts, one file each:
 *   session.c       public names, connection objects, capture callbacks, API
 *   tls_record.c    TCP bytes in TLS mode: record framing, the end of each
 *                   record, loss of framing and resync, decryption glue (the
 *                   hot path: one translation unit)
 *   stream_start.c  plaintext streams: where TLS starts (first segment,
 *                   STARTTLS, SSL 2.0 hello, mid-stream start)
 *   handshake.c     handshake message reassembly and the step each one sets
 *   dtls.c          DTLS datagrams
 *   alert_event.c   alert events, stages, history, connection version
 *   infer13.c       TLS 1.3 alerts inferred from record sizes at the end
 */
#ifndef TLSALERT_SESSION_INT_H
#define TLSALERT_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn_decrypt.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

#define MAX_RECORD	 (16384 + 2048)
#define HS_FLOW_DEFAULT	 (128u << 10)	  /* handshake bytes one flow may hold */
#define HS_TOTAL_DEFAULT (16u << 20)	  /* ... all flows together */
#define HS_START	 64u		  /* smallest size of a reassembly buffer */
#define PLAIN_BUDGET	 (256u << 10)	  /* plaintext bytes watched for a TLS start */
#define RESYNC_BUDGET	 (1u << 20)	  /* bytes searched for a record header after a gap */
#define HIST_MAX	 TLSA_HISTORY_MAX /* history letters kept */
#define QUIC_CONNS_MAX	 TLSA_QUIC_CONNS_MAX		  /* QUIC connections followed at once (quic.c) */

enum mode { M_PLAIN, M_TLS, M_RESYNC, M_OFF };

/* Handshake steps, in the order a full handshake goes through them. */
enum step {
	S_START,
	S_CLIENT_HELLO,
	S_HRR,
	S_SERVER_HELLO,
	S_SERVER_CERT,
	S_SERVER_KX,
	S_CERT_REQUEST,
	S_SERVER_DONE,
	S_SERVER_FLIGHT,
	S_CLIENT_CERT,
	S_CLIENT_KX,
	S_CERT_VERIFY,
	S_CCS,
	S_FINISHED,
	S_APPDATA,
	S_RENEG,
	S_COUNT
};

/* Names of the steps, the stage vocabulary of alert events (alert_event.c). */
extern const char *const ses_step_names[S_COUNT];

struct dirstate {
	enum mode mode;
	bool armed;	  /* accept any plausible record at the next segment start */
	bool after_gap;	  /* plaintext: bytes were lost; accept a plausible record */
	uint8_t pend[16]; /* plaintext: a short segment kept to judge a stream start */
	uint8_t npend;
	uint64_t plain_seen, resync_seen;
	uint32_t segs;
	/* record framing */
	uint8_t hdr[5];
	uint8_t hdr_len;
	bool in_body;
	uint8_t rtype;
	uint16_t rver;
	uint32_t rlen, rgot;
	uint8_t abuf[8]; /* first bytes of an alert body */
	uint8_t *rec;	 /* the whole record, for the on_record hook or decryption */
	bool rec_copy;	 /* this record is being copied into rec */
	bool rec_bad;	 /* ... but bytes of it were lost */
	bool dec_last;	 /* the last record was opened (or failed authentication) */
	bool key_update; /* a decrypted KeyUpdate in this record */
	/* handshake reassembly */
	uint8_t *hs;
	size_t hs_len, hs_cap;
	size_t hs_skip;	     /* bytes of an oversized message still to drop */
	size_t hs_skip_seen; /* ... and those of it that came; counted as a dropped message
				once they reach the flow's cap (a length field of garbage is not) */
	/* protocol state */
	uint64_t nrec;
	bool ccs;		   /* sent ChangeCipherSpec: later records are protected */
	bool finished;		   /* sent (encrypted) Finished */
	uint32_t n_enc;		   /* type-23 records sent */
	uint32_t n_enc_after_peer; /* type-23 records sent after the peer's first one */
	bool empty_cert_shape;	   /* TLS 1.3: a record the size of an empty Certificate */
	bool alerted;
	bool alerted_late; /* sent an alert after application data had started */
	uint64_t alert_frame;
	int ended; /* -1, or enum tlsa_stream_end */
	/* the last record, for inference */
	uint8_t last_type;
	uint16_t last_ver;
	uint32_t last_len;
	uint64_t last_seq;
	size_t last_hist;
	enum step last_step;
	struct tlsa_pktinfo last_pkt;
};

struct conn {
	struct dirstate d[2];
	struct tlsa_hs_facts *hs; /* allocated once TLS is seen */
	bool tls, dtls;
	const char *starttls;
	int ch_dir, sh_dir;
	enum step step;
	uint8_t hist[HIST_MAX]; /* letters, with the direction in bit 7 */
	size_t nhist;
	/* summary */
	uint32_t file_index;
	uint64_t first_frame, last_frame;
	int64_t ts_sec;
	uint32_t ts_nsec;
	size_t n_alerts;
	bool have_alert, alert_fatal;
	struct {
		int description, level, likely;
		bool encrypted, inferred;
		tlsa_role sender;
		const char *stage;
		uint64_t frame;
	} first;	 /* the first fatal alert, else the first one: the summary's */
	char *plaintext; /* the first line of text plain_dir sent, allocated when kept */
	uint64_t plaintext_frame;
	bool rejected; /* an inferred handshake rejection */
	int plain_dir; /* -1, or the direction whose first line of text is in sum.plaintext */
	void *user;    /* the on_record consumer's slot */
	/* decryption */
	struct sdec *dec;
	uint8_t dec_state;  /* DEC_* */
	bool etm;	    /* the ServerHello echoed encrypt_then_mac */
	bool in_dec13;	    /* handshake messages being read come from a decrypted TLS 1.3 record */
	size_t dec_klcount; /* key log size when the lookup found nothing */
	size_t n_decrypted;
	const char *dec_error;
	struct tlsa_cert_info *cert[2]; /* [0] client, [1] server: parsed on demand */
	uint8_t *cert_msg[2];		/* the Certificate message body, kept until then */
	size_t cert_msg_len[2];
	bool cert_tls13[2]; /* ... in its TLS 1.3 form */
	int cert_chain[2];
	size_t hs_mem; /* handshake bytes held: buffers, certificate messages and facts */
	struct quic *quic; /* a QUIC connection (quic.c), or NULL */
	bool quic_no;	   /* the first datagram was not a QUIC client Initial */
};

/*
 * The ClientHello got an answer in plain text and nothing of TLS: the peer is a
 * plain-text service (HTTP, an SMTP or SSH banner) on the port the client took for TLS.
 * Not after a STARTTLS request, where text before TLS is the protocol.  An alert may
 * follow, from the ClientHello's side (Java sends unexpected_message on reading the text):
 * the plain text is still what ended the connection, so it outranks "failed".
 */
static inline bool ses_answered_in_plaintext(const struct conn *c)
{
	return c->plain_dir >= 0 && c->ch_dir >= 0 && c->plain_dir != c->ch_dir && c->sh_dir < 0 &&
	       c->starttls == NULL && c->d[c->plain_dir].mode != M_TLS;
}

enum { DEC_UNKNOWN, DEC_ACTIVE, DEC_NONE };

struct tlsa_tracker {
	struct tlsa_tracker_opts o;
	struct tlsa_tracker_stats st;
	struct tlsa_keylog *kl;	      /* o.keylog, else own_kl: non-NULL when decrypting */
	struct tlsa_keylog *own_kl;   /* pcapng Decryption Secrets Blocks (o.keylog is shared
					 and only read, so several trackers may use it) */
	uint8_t *dbuf;		      /* plaintext of the record being opened */
	struct tlsa_crypto_cache *cc; /* algorithms fetched once for all connections */
	size_t hs_mem;		      /* handshake bytes held by all connections */
	unsigned dtls_notices;	      /* invalid-fragment notices given */
	/* The facts of a connection in which no hello was parsed yet: c->hs points here
	   (never written) until ses_hs_w() gives it its own copy, which most flows of a
	   flood never need. */
	struct tlsa_hs_facts hs_blank;
	char histbuf[TLSA_HISTORY_MAX + 1]; /* the rendered history of the event being made */
	/* The facts of an empty Certificate message (a client that has no certificate to
	   send), shared by every connection that got one: c->cert[side] points here, never
	   written nor freed, instead of a copy of its 3 KB each. */
	struct tlsa_cert_info cert_empty;
	struct tlsa_quic_ctx *qctx;	    /* QUIC: libcrypto contexts, made at the first flow */
	uint8_t *qbuf;			    /* ... the payload being read */
	size_t quic_conns;		    /* ... connections followed now */
};

#define DBUF_CAP (16384 + 2048 + 64)

/* The one stage that is not a step: application data while the peer is closing. */
#define STAGE_CLOSING "closing"

/* ------------------------------------------------- small shared helpers */

/* tlsa_tls_header_plausible(), inlined into the record framing. */
static inline bool header_plausible(const uint8_t *p)
{
	uint16_t len = (uint16_t)(p[3] << 8 | p[4]);
	return p[0] >= 20 && p[0] <= 26 && p[1] == 3 && p[2] <= 4 && len <= MAX_RECORD;
}

/* The client's direction and how it was decided; -1 when unknown. */
static inline int client_dir(const struct conn *c, const struct tlsa_flow *f, tlsa_role_source *src)
{
	if (f->syn_dir == 0 || f->syn_dir == 1) {
		*src = TLSA_ROLES_SYN;
		return f->syn_dir;
	}
	if (c->ch_dir >= 0) {
		*src = TLSA_ROLES_CLIENT_HELLO;
		return c->ch_dir;
	}
	if (c->sh_dir >= 0) {
		*src = TLSA_ROLES_SERVER_HELLO;
		return 1 - c->sh_dir;
	}
	if (f->port[0] != f->port[1]) {
		*src = TLSA_ROLES_PORT;
		return f->port[0] < f->port[1] ? 1 : 0;
	}
	*src = TLSA_ROLES_NONE;
	return -1;
}

/* The role of the side that sends in direction dir. */
static inline tlsa_role role_of(const struct conn *c, const struct tlsa_flow *f, int dir,
				tlsa_role_source *src)
{
	int cd = client_dir(c, f, src);
	if (cd < 0)
		return TLSA_ROLE_UNKNOWN;
	return dir == cd ? TLSA_ROLE_CLIENT : TLSA_ROLE_SERVER;
}

/* One history letter of direction dir (ses_hist_render() sets its case). */
static inline void hist_add(struct conn *c, int dir, char letter)
{
	if (letter == 'A' && c->nhist > 0 && c->hist[c->nhist - 1] == (uint8_t)((dir << 7) | 'A'))
		return; /* a run of records is one letter */
	if (c->nhist < HIST_MAX)
		c->hist[c->nhist++] = (uint8_t)((dir << 7) | (uint8_t)letter);
}

/* TLS 1.3 (a draft of it, or DTLS 1.3) was negotiated. */
static inline bool is_tls13(const struct conn *c)
{
	uint16_t v = c->hs->version_selected;
	return v == 0x0304 || (v >= 0x7f0e && v <= 0x7f1c) || v == 0xfefc;
}

/* A non-fatal remark for the consumer. */
static inline void notice(struct tlsa_tracker *t, const struct tlsa_pktinfo *pkt, const char *msg)
{
	if (t->o.on_notice)
		t->o.on_notice(t->o.ctx, pkt, msg);
}

/* Takes n bytes of handshake memory for c: false when that would pass the flow's cap
 * or the tracker's (tlsa_tracker_opts.max_handshake, max_handshake_total). */
static inline bool hs_mem_take(struct tlsa_tracker *t, struct conn *c, size_t n)
{
	if (c->hs_mem + n > t->o.max_handshake || t->hs_mem + n > t->o.max_handshake_total)
		return false; /* (no overflow: both sums stay far below SIZE_MAX) */
	c->hs_mem += n;
	t->hs_mem += n;
	return true;
}

static inline void hs_mem_give(struct tlsa_tracker *t, struct conn *c, size_t n)
{
	c->hs_mem -= n;
	t->hs_mem -= n;
}

/* The step only moves forward, except into renegotiation. */
static inline void set_step(struct conn *c, enum step s)
{
	if (s > c->step || s == S_RENEG)
		c->step = s;
}

/* ------------------------------------------------- session.c: connections */

struct conn *ses_conn_new(struct tlsa_tracker *t, struct tlsa_flow *f,
			  const struct tlsa_pktinfo *pkt);

/* The connection of flow f, created at its first packet; NULL when out of memory. */
static inline struct conn *conn_get(struct tlsa_tracker *t, struct tlsa_flow *f,
				    const struct tlsa_pktinfo *pkt)
{
	struct conn *c = f->user;
	return c != NULL ? c : ses_conn_new(t, f, pkt);
}

/* ---------------------------------------------- tls_record.c: TLS over TCP */

/* Capture callbacks for TCP payload and gaps (tlsa_capture_handler). */
void ses_tcp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
		  const struct tlsa_pktinfo *pkt);
void ses_tcp_gap(void *ctx, struct tlsa_flow *f, int dir, uint64_t missing,
		 const struct tlsa_pktinfo *pkt);

/* Frames records from in-order TLS bytes. */
void ses_tls_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		   const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt);

/* Is there a plausible record header at p[0..n) with its end confirmed? */
bool ses_confirmed_header(const uint8_t *p, size_t n, bool allow_open);

/* Looks the connection up in the key log once its ServerHello is known. */
void ses_dec_prepare(struct tlsa_tracker *t, struct conn *c, const struct tlsa_flow *f,
		     const struct tlsa_pktinfo *pkt);

/* Counts an opened record, or reports one that did not authenticate. */
void ses_dec_outcome(struct tlsa_tracker *t, struct conn *c, const struct tlsa_flow *f, int dir,
		     enum sdec_result r, uint8_t type, uint64_t seq,
		     const struct tlsa_pktinfo *pkt);

/* --------------------------------------- stream_start.c: plaintext streams */

/* Bytes of a direction in plaintext mode: watched for the start of TLS. */
void ses_plain_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		     const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt);

/* The handshake facts, set (to the tracker's blank ones) when a flow turns out to carry TLS. */
bool ses_need_hs(struct tlsa_tracker *t, struct conn *c);

/* The connection's own handshake facts, to write into; NULL when out of memory. */
struct tlsa_hs_facts *ses_hs_w(struct tlsa_tracker *t, struct conn *c);

/* ------------------------------------------- handshake.c: handshake messages */

/* One handshake message of direction dir (`complete`: the whole body is in
 * body[0..len), else only its type is known). */
void ses_handshake_msg(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       uint8_t type, const uint8_t *body, size_t len, bool complete,
		       const struct tlsa_pktinfo *pkt);

/* Plaintext handshake bytes of a TLS record: reassembles messages. */
void ses_handshake_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt);

/* ------------------------------------------------------------ dtls.c: DTLS */

/* One UDP datagram: taken as DTLS when it is made of whole DTLS records. */
void ses_dtls_datagram(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt);

/* ------------------------------------------------------------ quic.c: QUIC */

/* One UDP datagram: true when the flow is (now) QUIC and the datagram was taken as
 * such.  The caller tests the cheap part first (ses_quic_maybe()). */
bool ses_quic_datagram(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt);

/* A datagram that may be QUIC: the flow is, or its first datagram is a long header of a
 * client Initial's size (RFC 9000 14.1: at least 1200 bytes). */
static inline bool ses_quic_maybe(const struct conn *c, const uint8_t *p, size_t n)
{
	return c->quic != NULL || (n >= 1200 && (p[0] & 0x80) && !c->quic_no && !c->dtls);
}

/* At the end of a QUIC connection: closes inferred without keys. */
void ses_quic_end(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f);
bool ses_quic_established(const struct conn *c);
/* The QUIC fields of the connection event. */
void ses_quic_conn_event(const struct conn *c, struct tlsa_conn_event *s);
/* Frees q (c->quic, or a connection's that did not become QUIC). */
void ses_quic_free(struct tlsa_tracker *t, struct conn *c, struct quic *q);

/* ---------------------------------------------- alert_event.c: alert events */

/* The stage of an alert sent now in direction dir. */
const char *ses_stage_for(const struct conn *c, int dir);

/* The history string of the first n letters, in t->histbuf (valid until the next call). */
const char *ses_hist_render(struct tlsa_tracker *t, const struct conn *c, const struct tlsa_flow *f,
			    size_t n);

/* The negotiated version, else the highest one offered, else the record's. */
tlsa_version ses_conn_version(const struct conn *c, uint16_t record_version, bool *negotiated);

/* The certificate facts of one side (0 client, 1 server), parsed at the first need. */
const struct tlsa_cert_info *ses_cert_get(struct tlsa_tracker *t, struct conn *c, int side);

/* The facts of the leaf and the chain of a Certificate message body
 * (cert_facts.c): fills the fields after chain_length of *ci. */
void ses_cert_facts(const uint8_t *body, size_t len, bool tls13, struct tlsa_cert_info *ci);

/* An event with the fields every alert of this connection and direction shares. */
void ses_base_event(struct tlsa_tracker *t, struct tlsa_alert_event *ev, struct conn *c,
		    const struct tlsa_flow *f, int dir, const struct tlsa_pktinfo *pkt);

/* Counts an alert event, keeps it for the connection summary and delivers it. */
void ses_note_alert(struct tlsa_tracker *t, struct conn *c, struct tlsa_alert_event *ev);

/* An alert read from a record: body[0..2) is its level and description
 * unless `encrypted` and not `decrypted`. */
void ses_emit_record_alert(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			   uint16_t rver, uint32_t rlen, const uint8_t *body, bool encrypted,
			   uint16_t epoch, uint64_t seq, const struct tlsa_pktinfo *pkt,
			   uint8_t ctype, bool decrypted);

/* Alerts read from a decrypted record (pairs of level, description). */
void ses_emit_decrypted(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			uint16_t rver, uint32_t rlen, const uint8_t *pt, size_t plen,
			uint16_t epoch, uint64_t seq, const struct tlsa_pktinfo *pkt,
			uint8_t ctype);

/* ------------------------------------------------- infer13.c: inferred alerts */

/* At the end of a TLS 1.3 connection: the alert direction dir's last record
 * may have been, reported as an inferred event. */
void ses_infer13(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir);
void ses_infer_unseen(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir);

#endif
