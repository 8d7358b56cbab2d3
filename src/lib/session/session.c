/*
 * The session tracker: TLS/DTLS connections seen through the capture layer.
 *
 * Per TCP direction a small state machine finds where TLS starts (first
 * segment, after a STARTTLS-style request, after the peer's ClientHello,
 * after a gap or in the middle of a record), then frames records by their
 * 5-byte headers.  Bodies of application-data records are skipped by
 * counting; only handshake and alert bodies are looked at.  Handshake
 * messages are reassembled across records into a per-direction buffer.
 *
 * Alert records produce events at once.  TLS 1.3 alerts travel inside
 * application-data records; when a connection ends, the last record of each
 * direction is checked for the size and position of an encrypted alert and
 * reported as an inferred alert with its evidence (docs/scan.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rd.h"
#include "conn_decrypt.h"
#include "tlsalert/decode.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

#define MAX_RECORD    (16384 + 2048)
#define HS_CAP	      (1u << 17)   /* largest handshake message reassembled */
#define HS_START      1024u	   /* first size of a reassembly buffer */
#define PLAIN_BUDGET  (256u << 10) /* plaintext bytes watched for a TLS start */
#define RESYNC_BUDGET (1u << 20)   /* bytes searched for a record header after a gap */
#define HIST_MAX      62

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

static const char *const step_names[S_COUNT] = {
	"start",
	"client_hello",
	"hello_retry_request",
	"server_hello",
	"server_certificate",
	"server_key_exchange",
	"certificate_request",
	"server_hello_done",
	"server_flight",
	"client_certificate",
	"client_key_exchange",
	"certificate_verify",
	"change_cipher_spec",
	"finished",
	"application_data",
	"renegotiation",
};

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
	size_t hs_skip; /* bytes of an oversized message still to drop */
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
	uint8_t hist[HIST_MAX];
	size_t nhist;
	char histbuf[HIST_MAX + 1];
	/* summary */
	uint32_t file_index;
	uint64_t first_frame, last_frame;
	int64_t ts_sec;
	uint32_t ts_nsec;
	size_t n_alerts;
	bool have_alert, alert_fatal;
	struct tlsa_conn_event sum;
	bool rejected; /* an inferred handshake rejection */
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
	uint8_t *cert_der[2];		/* first certificate, kept until then */
	size_t cert_der_len[2];
	int cert_chain[2];
};

enum { DEC_UNKNOWN, DEC_ACTIVE, DEC_NONE };

struct tlsa_tracker {
	struct tlsa_tracker_opts o;
	struct tlsa_tracker_stats st;
	struct tlsa_keylog *kl;	      /* o.keylog, else own_kl: non-NULL when decrypting */
	struct tlsa_keylog *own_kl;   /* pcapng Decryption Secrets Blocks (o.keylog is shared
					 and only read, so several trackers may use it) */
	uint8_t *dbuf;		      /* plaintext of the record being opened */
	struct tlsa_crypto_cache *cc; /* algorithms fetched once for all connections */
};

#define DBUF_CAP (16384 + 2048 + 64)

const char *tlsa_role_source_name(tlsa_role_source s)
{
	switch (s) {
	case TLSA_ROLES_SYN: return "syn";
	case TLSA_ROLES_CLIENT_HELLO: return "client_hello";
	case TLSA_ROLES_SERVER_HELLO: return "server_hello";
	case TLSA_ROLES_PORT: return "port";
	default: return "none";
	}
}

const char *tlsa_outcome_name(tlsa_outcome o)
{
	return o == TLSA_OUT_ESTABLISHED ? "established"
	       : o == TLSA_OUT_FAILED	 ? "failed"
					 : "incomplete";
}

bool tlsa_tls_header_plausible(const uint8_t *p)
{
	uint16_t len = (uint16_t)(p[3] << 8 | p[4]);
	return p[0] >= 20 && p[0] <= 26 && p[1] == 3 && p[2] <= 4 && len <= MAX_RECORD;
}

/* ------------------------------------------------------------------ roles */

static int client_dir(const struct conn *c, const struct tlsa_flow *f, tlsa_role_source *src)
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

static tlsa_role role_of(const struct conn *c, const struct tlsa_flow *f, int dir,
			 tlsa_role_source *src)
{
	int cd = client_dir(c, f, src);
	if (cd < 0)
		return TLSA_ROLE_UNKNOWN;
	return dir == cd ? TLSA_ROLE_CLIENT : TLSA_ROLE_SERVER;
}

/* ---------------------------------------------------------------- history */

static void hist_add(struct conn *c, int dir, char letter)
{
	if (letter == 'A' && c->nhist > 0 && c->hist[c->nhist - 1] == (uint8_t)((dir << 7) | 'A'))
		return; /* a run of records is one letter */
	if (c->nhist < HIST_MAX)
		c->hist[c->nhist++] = (uint8_t)((dir << 7) | (uint8_t)letter);
}

/* Upper case for the client, lower case for the server (dir 0 = upper when
 * the roles are unknown). */
static const char *hist_render(struct conn *c, const struct tlsa_flow *f, size_t n)
{
	tlsa_role_source src;
	int cd = client_dir(c, f, &src);
	if (cd < 0)
		cd = 0;
	if (n > c->nhist)
		n = c->nhist;
	for (size_t i = 0; i < n; i++) {
		int dir = c->hist[i] >> 7;
		char l = (char)(c->hist[i] & 0x7f);
		if (dir != cd && l >= 'A' && l <= 'Z')
			l = (char)(l + 32);
		c->histbuf[i] = l;
	}
	c->histbuf[n] = '\0';
	return c->histbuf;
}

/* ---------------------------------------------------------------- version */

static bool is_tls13(const struct conn *c)
{
	uint16_t v = c->hs->version_selected;
	return v == 0x0304 || (v >= 0x7f0e && v <= 0x7f1c) || v == 0xfefc;
}

/* The negotiated version, else the highest one offered, else the record's. */
static tlsa_version conn_version(const struct conn *c, uint16_t record_version, bool *negotiated)
{
	*negotiated = false;
	if (c->hs->server_hello) {
		uint16_t v = c->hs->version_selected;
		if (v >= 0x7f00 && v <= 0x7fff)
			v = 0x0304; /* TLS 1.3 drafts */
		tlsa_version tv = tlsa_version_from_wire(v);
		if (tv != TLSA_VER_UNKNOWN) {
			*negotiated = true;
			return tv;
		}
	}
	if (c->hs->client_hello) {
		tlsa_version best = TLSA_VER_UNKNOWN;
		for (size_t i = 0; i < c->hs->n_versions_offered && i < 16; i++) {
			uint16_t v = c->hs->versions_offered[i];
			if (v >= 0x7f00 && v <= 0x7fff)
				v = 0x0304;
			tlsa_version tv = tlsa_version_from_wire(v);
			if (tv > best)
				best = tv;
		}
		if (best != TLSA_VER_UNKNOWN)
			return best;
	}
	return tlsa_version_from_wire(record_version);
}

/* ----------------------------------------------------------------- events */

/* The one stage that is not a step: application data while the peer is closing. */
#define STAGE_CLOSING "closing"

size_t tlsa_stage_count(void)
{
	return S_COUNT + 1;
}

const char *tlsa_stage_at(size_t i)
{
	return i < S_COUNT ? step_names[i] : i == S_COUNT ? STAGE_CLOSING : NULL;
}

static const char *stage_for(const struct conn *c, int dir)
{
	const struct dirstate *peer = &c->d[1 - dir];
	if (c->step == S_APPDATA &&
	    (peer->alerted_late || peer->ended == TLSA_END_FIN || peer->ended == TLSA_END_RST))
		return STAGE_CLOSING;
	return step_names[c->step];
}

/* The certificate facts of one side (0 client, 1 server), parsed at the first
 * need: d2i_X509 costs more than everything else a connection takes. */
static const struct tlsa_cert_info *cert_get(struct conn *c, int side)
{
	if (c->cert[side] == NULL && c->cert_der[side] != NULL) {
		c->cert[side] = malloc(sizeof(*c->cert[side]));
		if (c->cert[side] != NULL)
			(void)sdec_cert_info_der(c->cert_der[side], c->cert_der_len[side],
						 c->cert_chain[side], c->cert[side]);
		free(c->cert_der[side]);
		c->cert_der[side] = NULL;
	}
	return c->cert[side];
}

static void note_alert(struct tlsa_tracker *t, struct conn *c, struct tlsa_alert_event *ev)
{
	if (t->kl != NULL && ev->description != 0 && ev->description != 90) {
		/* not a closure: the peer's certificate may be why */
		if (ev->sender != TLSA_ROLE_SERVER)
			ev->server_cert = cert_get(c, 1);
		if (ev->sender != TLSA_ROLE_CLIENT)
			ev->client_cert = cert_get(c, 0);
	}
	c->n_alerts++;
	t->st.alerts++;
	if (ev->inferred)
		t->st.inferred++;
	bool fatal = ev->level == 2 || (ev->inferred && ev->likely != 0);
	if (ev->level == -1 && !ev->inferred)
		fatal = false; /* encrypted: could be close_notify */
	if (!c->have_alert || (fatal && !c->alert_fatal)) {
		struct tlsa_conn_event *s = &c->sum;
		c->have_alert = true;
		c->alert_fatal = fatal;
		s->alert_description = ev->description;
		s->alert_level = ev->level;
		s->alert_encrypted = ev->encrypted;
		s->alert_inferred = ev->inferred;
		s->alert_likely = ev->likely;
		s->alert_sender = ev->sender;
		s->alert_stage = ev->stage;
		s->alert_frame = ev->pkt ? ev->pkt->frame : 0;
	}
	if (t->o.on_alert)
		t->o.on_alert(t->o.ctx, ev);
}

static void base_event(struct tlsa_tracker *t, struct tlsa_alert_event *ev, struct conn *c,
		       const struct tlsa_flow *f, int dir, const struct tlsa_pktinfo *pkt)
{
	memset(ev, 0, sizeof(*ev));
	ev->keylog = t->kl != NULL;
	ev->decrypt_error = c->dec_error;
	ev->pkt = pkt;
	ev->flow = f;
	ev->dir = dir;
	ev->sender = role_of(c, f, dir, &ev->role_source);
	ev->starttls = c->starttls;
	ev->dtls = c->dtls;
	ev->level = -1;
	ev->description = -1;
	ev->likely = -1;
	ev->hs = c->hs;
}

/* decrypted: `body` is the plaintext of a protected record of outer type ctype */
static void emit_record_alert(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			      uint16_t rver, uint32_t rlen, const uint8_t *body, bool encrypted,
			      uint16_t epoch, uint64_t seq, const struct tlsa_pktinfo *pkt,
			      uint8_t ctype, bool decrypted)
{
	struct tlsa_alert_event ev;
	base_event(t, &ev, c, f, dir, pkt);
	ev.content_type = ctype;
	ev.record_version = rver;
	ev.record_length = rlen;
	ev.record_seq = seq;
	ev.epoch = epoch;
	ev.version = conn_version(c, rver, &ev.version_negotiated);
	ev.encrypted = encrypted;
	ev.decrypted = decrypted;
	if (!encrypted || decrypted) {
		ev.level = body[0];
		ev.description = body[1];
	} else {
		ev.cipher_shapes = tlsa_encrypted_alert_shapes(rlen, false);
		ev.evidence = c->dtls	  ? "alert record of a non-zero epoch: protected"
			      : rlen != 2 ? "alert record longer than 2 bytes: protected"
					  : "alert record sent after the sender's ChangeCipherSpec";
	}
	ev.stage = stage_for(c, dir);
	ev.history = hist_render(c, f, c->nhist);
	c->d[dir].alerted = true;
	if (c->step >= S_APPDATA)
		c->d[dir].alerted_late = true;
	c->d[dir].alert_frame = pkt->frame;
	hist_add(c, dir, 'L');
	note_alert(t, c, &ev);
}

/* ------------------------------------------------------------- handshake */

static void notice(struct tlsa_tracker *t, const struct tlsa_pktinfo *pkt, const char *msg)
{
	if (t->o.on_notice)
		t->o.on_notice(t->o.ctx, pkt, msg);
}

static void set_step(struct conn *c, enum step s)
{
	if (s > c->step || s == S_RENEG)
		c->step = s;
}

static int count_certs(const uint8_t *body, size_t len, bool tls13)
{
	struct rd r = rd_init(body, len);
	if (tls13)
		(void)rd_block(&r, 1); /* certificate_request_context */
	struct rd list = rd_block(&r, 3);
	if (!rd_ok(&r))
		return -1;
	int n = 0;
	while (rd_left(&list) > 0) {
		(void)rd_block(&list, 3);
		if (tls13)
			(void)rd_block(&list, 2); /* extensions */
		if (!rd_ok(&list))
			break;
		n++;
	}
	return n;
}

/* One complete plaintext handshake message from direction dir. */
static void handshake_msg(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			  uint8_t type, const uint8_t *body, size_t len, bool complete,
			  const struct tlsa_pktinfo *pkt)
{
	struct tlsa_error err;
	tlsa_role_source src;
	bool from_client;
	char msg[240];

	switch (type) {
	case 1: /* ClientHello */
		if (c->ch_dir < 0)
			c->ch_dir = dir;
		hist_add(c, dir, 'H');
		set_step(c, S_CLIENT_HELLO);
		if (complete && tlsa_parse_client_hello(body, len, c->dtls, c->hs, &err) != 0) {
			snprintf(msg, sizeof(msg), "malformed ClientHello at byte %zu: %s",
				 err.offset, err.msg);
			notice(t, pkt, msg);
		}
		return;
	case 2: /* ServerHello or HelloRetryRequest */
		if (c->sh_dir < 0)
			c->sh_dir = dir;
		if (complete && len >= 34 && tlsa_is_hello_retry_random(body + 2)) {
			hist_add(c, dir, 'R');
			set_step(c, S_HRR);
		} else {
			hist_add(c, dir, 'H');
			set_step(c, S_SERVER_HELLO);
		}
		if (complete && t->kl != NULL && !c->hs->hello_retry)
			c->etm = sdec_server_hello_etm(body, len, c->dtls);
		if (complete && tlsa_parse_server_hello(body, len, c->dtls, c->hs, &err) != 0) {
			snprintf(msg, sizeof(msg), "malformed ServerHello at byte %zu: %s",
				 err.offset, err.msg);
			notice(t, pkt, msg);
		}
		return;
	default: break;
	}
	from_client = role_of(c, f, dir, &src) == TLSA_ROLE_CLIENT;
	switch (type) {
	case 0: hist_add(c, dir, 'Z'); break; /* HelloRequest */
	case 3: hist_add(c, dir, 'W'); break; /* HelloVerifyRequest */
	case 4: hist_add(c, dir, 'T'); break; /* NewSessionTicket */
	case 5: hist_add(c, dir, 'O'); break; /* EndOfEarlyData (decrypted) */
	case 8: hist_add(c, dir, 'Y'); break; /* EncryptedExtensions (decrypted) */
	case 24:			      /* KeyUpdate (decrypted) */
		hist_add(c, dir, 'U');
		c->d[dir].key_update = true;
		break;
	case 11:
		hist_add(c, dir, 'C');
		if (complete && t->kl != NULL) {
			int side = from_client ? 0 : 1;
			const uint8_t *der;
			size_t n;
			free(c->cert[side]);
			c->cert[side] = NULL;
			free(c->cert_der[side]);
			c->cert_der[side] = NULL;
			c->cert_chain[side] = sdec_cert_first(body, len, is_tls13(c), &der, &n);
			if (n > 0 && (c->cert_der[side] = malloc(n)) != NULL) {
				memcpy(c->cert_der[side], der, n);
				c->cert_der_len[side] = n;
			} else if (n == 0 &&
				   (c->cert[side] = calloc(1, sizeof(*c->cert[side]))) != NULL) {
				c->cert[side]->chain_length =
					c->cert_chain[side]; /* empty: nothing to parse */
			}
		}
		if (from_client) {
			int n = complete ? count_certs(body, len, is_tls13(c)) : 1;
			c->hs->client_cert_sent = n > 0 ? 1 : n == 0 ? 0 : c->hs->client_cert_sent;
			set_step(c, S_CLIENT_CERT);
		} else {
			if (complete)
				c->hs->server_certs = count_certs(body, len, is_tls13(c));
			set_step(c, S_SERVER_CERT);
		}
		break;
	case 12:
		hist_add(c, dir, 'K');
		set_step(c, S_SERVER_KX);
		break;
	case 13:
		hist_add(c, dir, 'Q');
		c->hs->client_cert_requested = true;
		set_step(c, S_CERT_REQUEST);
		break;
	case 14:
		hist_add(c, dir, 'D');
		set_step(c, S_SERVER_DONE);
		break;
	case 15:
		hist_add(c, dir, 'V');
		if (!(c->in_dec13 && !from_client))
			set_step(c, S_CERT_VERIFY);
		break;
	case 16:
		hist_add(c, dir, 'K');
		set_step(c, S_CLIENT_KX);
		break;
	case 20:
		hist_add(c, dir, 'F');
		c->d[dir].finished = true;
		if (!(c->in_dec13 && !from_client))
			set_step(c, S_FINISHED);
		break;
	case 22: hist_add(c, dir, 'S'); break; /* CertificateStatus */
	default: hist_add(c, dir, '?'); break;
	}
}

/* Plaintext handshake bytes of a TLS record: reassembles messages. */
static void handshake_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			    const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	while (n > 0) {
		if (d->hs_skip > 0) {
			size_t k = n < d->hs_skip ? n : d->hs_skip;
			d->hs_skip -= k;
			p += k;
			n -= k;
			continue;
		}
		if (d->hs == NULL) {
			d->hs = malloc(HS_START);
			if (d->hs == NULL)
				return;
			d->hs_cap = HS_START;
		}
		/* the 4-byte header first */
		if (d->hs_len < 4) {
			size_t k = 4 - d->hs_len;
			if (k > n)
				k = n;
			memcpy(d->hs + d->hs_len, p, k);
			d->hs_len += k;
			p += k;
			n -= k;
			if (d->hs_len < 4)
				return;
		}
		size_t mlen = (size_t)d->hs[1] << 16 | (size_t)d->hs[2] << 8 | d->hs[3];
		if (mlen + 4 > HS_CAP) {
			/* too large to keep: note the type, drop the body */
			handshake_msg(t, c, f, dir, d->hs[0], NULL, 0, false, pkt);
			d->hs_skip = mlen;
			d->hs_len = 0;
			continue;
		}
		if (mlen + 4 > d->hs_cap) {
			/* grow to the message's size (at most HS_CAP, checked above) */
			size_t cap = d->hs_cap * 2 > mlen + 4 ? d->hs_cap * 2 : mlen + 4;
			if (cap > HS_CAP)
				cap = HS_CAP;
			uint8_t *nb = realloc(d->hs, cap);
			if (nb == NULL) {
				d->hs_skip = mlen + 4 - d->hs_len;
				d->hs_len = 0;
				continue;
			}
			d->hs = nb;
			d->hs_cap = cap;
		}
		size_t want = mlen + 4 - d->hs_len;
		size_t k = n < want ? n : want;
		memcpy(d->hs + d->hs_len, p, k);
		d->hs_len += k;
		p += k;
		n -= k;
		if (d->hs_len == mlen + 4) {
			handshake_msg(t, c, f, dir, d->hs[0], d->hs + 4, mlen, true, pkt);
			d->hs_len = 0;
		}
	}
}

/* ---------------------------------------------------------------- records */

static bool alert_sized13(uint32_t len)
{
	/* 2 alert bytes + inner type + 16-byte tag (GCM, ChaCha20, CCM), or 8-byte tag (CCM_8) */
	return len == 19 || len == 11;
}

static void record_start(struct conn *c, int dir)
{
	struct dirstate *d = &c->d[dir];
	d->nrec++;
}

/* A plaintext record of 2 to 4 alerts (4-8 bytes, every level byte 1 or 2)? */
static bool coalesced_alerts(const uint8_t *body, uint32_t len)
{
	if (len < 4 || len > 8 || len % 2 != 0)
		return false;
	for (uint32_t i = 0; i < len; i += 2)
		if (body[i] != 1 && body[i] != 2)
			return false;
	return true;
}

/* ------------------------------------------------------------ decryption */

/* The tracker's decryption buffer and algorithm cache; false when out of memory. */
static bool dec_buffers(struct tlsa_tracker *t)
{
	if (t->dbuf == NULL && (t->dbuf = malloc(DBUF_CAP)) == NULL)
		return false;
	if (t->cc == NULL)
		t->cc = tlsa_crypto_cache_new(); /* NULL: every connection fetches its own */
	return true;
}

/* The connection's key log entry.  */
static const struct tlsa_keylog_entry *dec_entry(const struct tlsa_tracker *t, const struct conn *c)
{
	const struct tlsa_keylog_entry *e = tlsa_keylog_find(t->own_kl, c->hs->client_random);
	return e != NULL ? e : tlsa_keylog_find(t->o.keylog, c->hs->client_random);
}

/* The entry to open the record just started with, when it is a small 0-RTT
 * record (the client's type 23 before any ServerHello) and the key log has
 * the connection's early secret; else NULL. */
static const struct tlsa_keylog_entry *early_entry(const struct tlsa_tracker *t,
						   const struct conn *c, int dir)
{
	const struct dirstate *d = &c->d[dir];
	if (c->dec != NULL || c->hs == NULL || !c->hs->client_hello || c->hs->server_hello ||
	    c->ch_dir != dir || d->rtype != 23 || d->rlen > SDEC_SMALL_RECORD)
		return NULL;
	const struct tlsa_keylog_entry *e = dec_entry(t, c);
	return e != NULL && tlsa_keylog_secret(e, TLSA_KL_CLIENT_EARLY) != NULL ? e : NULL;
}

/* Looks the connection up in the key log once its ServerHello is known. */
static void dec_prepare(struct tlsa_tracker *t, struct conn *c, const struct tlsa_flow *f,
			const struct tlsa_pktinfo *pkt)
{
	if (c->dec_state == DEC_ACTIVE || c->hs == NULL || !c->hs->client_hello ||
	    !c->hs->server_hello || c->hs->version_selected == 0)
		return;
	size_t n = tlsa_keylog_count(t->o.keylog) + tlsa_keylog_count(t->own_kl);
	if (c->dec_state == DEC_NONE && n == c->dec_klcount)
		return;
	c->dec_state = DEC_NONE;
	c->dec_klcount = n;
	const struct tlsa_keylog_entry *e = dec_entry(t, c);
	if (e == NULL)
		return; /* no keys: the alerts stay encrypted (inferred as without a key log) */
	tlsa_role_source src;
	int cd = client_dir(c, f, &src);
	if (cd < 0 || !dec_buffers(t))
		return;
	const char *why = NULL;
	c->dec = sdec_new(e, c->hs, c->dtls, c->etm, cd, c->d[cd].n_enc, t->cc, &why);
	if (c->dec == NULL) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "the key log has this connection's client random, but its records "
			 "cannot be decrypted: %s",
			 why != NULL ? why : "unknown reason");
		notice(t, pkt, msg);
		return;
	}
	c->dec_state = DEC_ACTIVE;
	t->st.dec_conns++;
}

#define AUTH_FAILED "authentication failed: wrong key log or tampered record"

static void dec_outcome(struct tlsa_tracker *t, struct conn *c, const struct tlsa_flow *f, int dir,
			enum sdec_result r, uint8_t type, uint64_t seq,
			const struct tlsa_pktinfo *pkt)
{
	if (r == SD_OK) {
		c->n_decrypted++;
		t->st.dec_records++;
	} else if (r == SD_AUTH) {
		tlsa_role_source src;
		char msg[240];
		c->dec_error = AUTH_FAILED;
		t->st.dec_failures++;
		snprintf(msg, sizeof(msg),
			 "record of type %u from the %s (sequence number %llu) does not "
			 "authenticate under the key log's secrets: wrong key log or tampered "
			 "record; not reported as an alert",
			 (unsigned)type, tlsa_role_name(role_of(c, f, dir, &src)),
			 (unsigned long long)seq);
		notice(t, pkt, msg);
	}
}

/* Alerts read from a decrypted record (pairs of level, description). */
static void emit_decrypted(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			   uint16_t rver, uint32_t rlen, const uint8_t *pt, size_t plen,
			   uint16_t epoch, uint64_t seq, const struct tlsa_pktinfo *pkt,
			   uint8_t ctype)
{
	for (size_t i = 0; i + 1 < plen; i += 2) {
		t->st.dec_alerts++;
		if (pt[i] == 2 && c->step < S_APPDATA)
			c->rejected = true; /* a fatal alert ended the handshake */
		emit_record_alert(t, c, f, dir, rver, rlen, pt + i, true, epoch, seq, pkt, ctype,
				  true);
	}
}

/* A whole record has been read (bodies of alerts in d->abuf). */
static void record_end(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	struct dirstate *peer = &c->d[1 - dir];
	bool tls13 = is_tls13(c);

	t->st.records++;
	if (t->o.on_record != NULL && d->rec_copy) {
		struct tlsa_record_event re = {
			.pkt = pkt,
			.flow = f,
			.dir = dir,
			.type = d->rtype,
			.version = d->rver,
			.record = d->rec,
			.len = 5 + (size_t)d->rlen,
			.seq = d->nrec - 1,
			.after_ccs = d->ccs,
			.hs = c->hs,
			.conn_user = &c->user,
		};
		tlsa_role_source src;
		re.sender = role_of(c, f, dir, &src);
		t->o.on_record(t->o.ctx, &re);
	}
	enum sdec_result dres = SD_NONE;
	size_t plen = 0;
	uint8_t inner = 0;
	bool early = false; /* a 0-RTT record opened before the ServerHello */
	const struct tlsa_keylog_entry *ee;
	if (c->dec != NULL) {
		const uint8_t *rec = d->rec_copy && !d->rec_bad ? d->rec : NULL;
		dres = sdec_record(c->dec, dir, d->rtype, rec, 5 + (size_t)d->rlen, t->dbuf,
				   DBUF_CAP, &plen, &inner);
		dec_outcome(t, c, f, dir, dres, d->rtype, d->nrec - 1, pkt);
	} else if (t->kl != NULL && d->rec_copy && !d->rec_bad &&
		   (ee = early_entry(t, c, dir)) != NULL && dec_buffers(t)) {
		dres = sdec_early_record(ee, c->hs, d->n_enc, t->cc, d->rec, 5 + (size_t)d->rlen,
					 t->dbuf, DBUF_CAP, &plen, &inner);
		early = dres == SD_OK;
		dec_outcome(t, c, f, dir, dres, d->rtype, d->nrec - 1, pkt);
	}
	d->dec_last = dres == SD_OK || dres == SD_AUTH;
	switch (d->rtype) {
	case 20: /* ChangeCipherSpec */
		hist_add(c, dir, 'X');
		/* a CCS before the ServerHello is TLS 1.3's compatibility CCS of a
		 * client sending 0-RTT data, not TLS 1.2's: a plaintext alert after
		 * it is still plaintext */
		if (!tls13 && !c->hs->hello_retry &&
		    !(c->hs->client_hello && !c->hs->server_hello)) {
			d->ccs = true;
			set_step(c, S_CCS);
			if (c->dec != NULL)
				sdec_ccs(c->dec, dir);
		}
		break;
	case 21: {
		if (dres == SD_OK && inner == 21) {
			emit_decrypted(t, c, f, dir, d->rver, d->rlen, t->dbuf, plen, 0,
				       d->nrec - 1, pkt, 21);
			break;
		}
		bool enc = d->rlen != 2 || (d->ccs && !tls13);
		if (enc && !(d->ccs && !tls13) && coalesced_alerts(d->abuf, d->rlen)) {
			/* several plaintext alerts in one record: one event each */
			for (uint32_t i = 0; i < d->rlen; i += 2)
				emit_record_alert(t, c, f, dir, d->rver, d->rlen, d->abuf + i,
						  false, 0, d->nrec - 1, pkt, 21, false);
			break;
		}
		emit_record_alert(t, c, f, dir, d->rver, d->rlen, d->abuf, enc, 0, d->nrec - 1, pkt,
				  21, false);
		break;
	}
	case 22:
		if (d->ccs && !tls13) {
			/* protected handshake: the Finished, later renegotiation */
			if (!d->finished) {
				d->finished = true;
				hist_add(c, dir, 'F');
				set_step(c, S_FINISHED);
			} else {
				hist_add(c, dir, 'E');
				set_step(c, S_RENEG);
			}
		}
		break;
	case 23:
		if (dres == SD_OK && (tls13 || early) && inner == 21) {
			emit_decrypted(t, c, f, dir, d->rver, d->rlen, t->dbuf, plen, 0,
				       d->nrec - 1, pkt, 23);
			if (early)
				d->n_enc++; /* 0-RTT: where the early sequence numbers go on */
			break;
		}
		if (dres == SD_OK && tls13 && inner == 22) {
			bool fin = d->finished;
			c->in_dec13 = true;
			handshake_bytes(t, c, f, dir, t->dbuf, plen, pkt);
			c->in_dec13 = false;
			if (!fin && d->finished)
				sdec_finished(c->dec, dir);
			if (d->key_update) {
				d->key_update = false;
				sdec_key_update(c->dec, dir);
			}
		}
		d->n_enc++;
		if (peer->n_enc > 0)
			d->n_enc_after_peer++;
		if (dres == SD_OK && tls13) {
			/* opened: the decrypted messages set the step */
			tlsa_role_source src;
			if (inner == 23)
				set_step(c, S_APPDATA);
			else if (inner == 22 && role_of(c, f, dir, &src) == TLSA_ROLE_SERVER &&
				 !c->d[1 - dir].finished)
				set_step(c, S_SERVER_FLIGHT);
		} else if (tls13) {
			tlsa_role_source src;
			bool client = role_of(c, f, dir, &src) == TLSA_ROLE_CLIENT;
			if (d->rlen == 25)
				d->empty_cert_shape = true;
			if (!client && d->n_enc == 1)
				set_step(c, S_SERVER_FLIGHT);
			else if (client && d->n_enc == 1)
				set_step(c, S_FINISHED);
			else if (peer->n_enc > 0 && c->step != S_RENEG)
				set_step(c, S_APPDATA);
		} else if (c->step != S_RENEG || d->n_enc > 0) {
			set_step(c, S_APPDATA);
		}
		if (!(dres == SD_OK && inner == 22))
			hist_add(c, dir, 'A');
		break;
	default:
		hist_add(c, dir, 'B'); /* heartbeat and later types */
		break;
	}
	if (d->hs != NULL && d->hs_len == 0 && d->hs_skip == 0 &&
	    (d->rtype == 20 || d->rtype == 23)) {
		/* plaintext handshake over for this direction: give the buffer back */
		free(d->hs);
		d->hs = NULL;
		d->hs_cap = 0;
	}
	d->last_type = d->rtype;
	d->last_ver = d->rver;
	d->last_len = d->rlen;
	d->last_seq = d->nrec - 1;
	d->last_hist = c->nhist;
	d->last_step = c->step;
	d->last_pkt = *pkt;
}

/* Frames records from in-order TLS bytes. */
static void tls_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		      const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt);

static void lose_sync(struct tlsa_tracker *t, struct conn *c, int dir,
		      const struct tlsa_pktinfo *pkt, const char *why)
{
	struct dirstate *d = &c->d[dir];
	d->mode = M_RESYNC;
	d->resync_seen = 0;
	d->in_body = false;
	d->hdr_len = 0;
	d->hs_len = 0;
	d->hs_skip = 0;
	d->rec_copy = false;
	if (c->dec != NULL)
		sdec_lost(c->dec, dir);
	notice(t, pkt, why);
}

/* Is there a plausible record header at p[0..n) with its end confirmed? */
static bool confirmed_header(const uint8_t *p, size_t n, bool allow_open)
{
	if (n < 5 || !tlsa_tls_header_plausible(p))
		return false;
	size_t end = 5 + ((size_t)p[3] << 8 | p[4]);
	if (end == n)
		return true;
	if (end < n) {
		if (n - end >= 5)
			return tlsa_tls_header_plausible(p + end);
		/* a partial next header: its first bytes must fit */
		return p[end] >= 20 && p[end] <= 26 && (n - end < 2 || p[end + 1] == 3);
	}
	return allow_open;
}

/* A ClientHello or ServerHello at the start of p: the strongest sign of TLS. */
static bool hello_start(const uint8_t *p, size_t n)
{
	if (n < 6 || p[0] != 22 || !tlsa_tls_header_plausible(p) || (p[5] != 1 && p[5] != 2))
		return false;
	size_t rlen = (size_t)p[3] << 8 | p[4];
	if (rlen < 4)
		return false;
	if (n < 9)
		return true;
	size_t mlen = (size_t)p[6] << 16 | (size_t)p[7] << 8 | p[8];
	return mlen >= 38 && mlen < (1u << 16) && (n < 11 || p[9] == 3);
}

/* The handshake facts, allocated when a flow turns out to carry TLS. */
static bool need_hs(struct conn *c)
{
	if (c->hs == NULL) {
		c->hs = malloc(sizeof(*c->hs));
		if (c->hs == NULL)
			return false;
		tlsa_hs_facts_init(c->hs);
	}
	return true;
}

/* An SSL 2.0 CLIENT-HELLO offering SSL 2.0-TLS 1.2, whole in this segment,
 * at the start of a client's stream. */
static bool sslv2_hello(const struct conn *c, int dir, const uint8_t *p, size_t n)
{
	if (n < 11 || !(p[0] & 0x80) || p[2] != 1 || c->d[dir].segs != 1 ||
	    c->d[dir].plain_seen != 0)
		return false;
	size_t rlen = 2 + (((size_t)p[0] & 0x7f) << 8 | p[1]);
	bool ver = (p[3] == 0 && p[4] == 2) || (p[3] == 3 && p[4] <= 3);
	return ver && rlen <= n && rlen >= 11 + 16;
}

static bool start_tls(struct tlsa_tracker *t, struct conn *c, int dir)
{
	struct dirstate *d = &c->d[dir];
	if (!need_hs(c)) {
		d->mode = M_OFF; /* out of memory: this direction is not followed */
		return false;
	}
	d->mode = M_TLS;
	d->in_body = false;
	d->hdr_len = 0;
	if (!c->tls) {
		c->tls = true;
		t->st.tls_flows++;
	}
	/* the peer's TLS can now begin at any segment start */
	if (c->d[1 - dir].mode == M_PLAIN)
		c->d[1 - dir].armed = true;
	return true;
}

static void plain_decide(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const uint8_t *p, size_t n, const uint8_t *pend, size_t npend,
			 const struct tlsa_pktinfo *pkt);

/* Not enough bytes to tell a record header (and a hello's type) apart. */
static bool too_short(const uint8_t *p, size_t n)
{
	return n < 5 || (p[0] == 22 && n < 6);
}

static void plain_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	bool decide = (d->segs == 0 && d->plain_seen == 0) || d->armed || d->after_gap;

	if (d->npend == 0) {
		if (decide && too_short(p, n)) {
			/* too few bytes to judge a stream start: keep them for the next segment */
			memcpy(d->pend, p, n);
			d->npend = (uint8_t)n;
			return;
		}
		plain_decide(t, c, f, dir, p, n, NULL, 0, pkt);
		return;
	}
	/* kept bytes first: TLS may start with them ... */
	uint8_t pend[sizeof(d->pend)];
	size_t npend = d->npend;
	memcpy(pend, d->pend, npend);
	d->npend = 0;
	if (npend + n <= sizeof(pend) && too_short(pend, npend + n)) {
		memcpy(d->pend, pend, npend);
		memcpy(d->pend + npend, p, n);
		d->npend = (uint8_t)(npend + n);
		return;
	}
	plain_decide(t, c, f, dir, p, n, pend, npend, pkt);
	if (d->mode != M_PLAIN)
		return;
	/* ... or with this segment (the kept ones were a short plaintext reply, such as
	   PostgreSQL's 'S') */
	d->armed = true;
	if (too_short(p, n)) {
		memcpy(d->pend, p, n);
		d->npend = (uint8_t)n;
		return;
	}
	plain_decide(t, c, f, dir, p, n, NULL, 0, pkt);
}

static void plain_decide(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const uint8_t *p, size_t n, const uint8_t *pend, size_t npend,
			 const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	bool first = d->segs == 0 && d->plain_seen == 0;
	bool watch = d->plain_seen < PLAIN_BUDGET || d->armed;
	uint8_t head[32];
	const uint8_t *q = p;
	size_t nq = n;

	d->segs++;
	if (npend > 0) {
		/* judge the start on the kept bytes followed by this segment's first ones */
		size_t k = n < sizeof(head) - npend ? n : sizeof(head) - npend;
		memcpy(head, pend, npend);
		memcpy(head + npend, p, k);
		q = head;
		nq = npend + k;
	}
	if (watch && npend == 0 && sslv2_hello(c, dir, p, n)) {
		/* an SSL 2.0-format ClientHello; TLS records follow it */
		size_t rlen = 2 + (((size_t)p[0] & 0x7f) << 8 | p[1]);
		struct tlsa_error err;
		if (need_hs(c) && tlsa_parse_sslv2_client_hello(p, rlen, c->hs, &err) == 0) {
			if (c->ch_dir < 0)
				c->ch_dir = dir;
			hist_add(c, dir, 'H');
			set_step(c, S_CLIENT_HELLO);
			if (!start_tls(t, c, dir))
				return;
			d->nrec++;
			if (rlen < n)
				tls_bytes(t, c, f, dir, p + rlen, n - rlen, pkt);
			return;
		}
	}
	if (watch) {
		bool ok = hello_start(q, nq);
		if (!ok && (first || d->armed || d->after_gap))
			ok = (npend == 0 && confirmed_header(q, nq, first && f->syn_dir < 0)) ||
			     (nq >= 5 && tlsa_tls_header_plausible(q) &&
			      (q[0] == 22 || q[0] == 21));
		if (ok) {
			if (!start_tls(t, c, dir))
				return;
			if (npend > 0)
				tls_bytes(t, c, f, dir, pend, npend, pkt);
			tls_bytes(t, c, f, dir, p, n, pkt);
			return;
		}
		if (first && f->syn_dir < 0 && npend == 0 && n >= 10) {
			/* capture began mid-connection: look for a record boundary */
			for (size_t i = 1; i + 5 <= n; i++) {
				if (confirmed_header(p + i, n - i, false)) {
					t->st.resyncs++;
					if (start_tls(t, c, dir))
						tls_bytes(t, c, f, dir, p + i, n - i, pkt);
					return;
				}
			}
		}
		if (d->plain_seen < (64u << 10) && npend == 0) {
			const char *proto = tlsa_starttls_request(p, n);
			if (proto != NULL) {
				if (strcmp(proto, "starttls") == 0) {
					tlsa_role_source src;
					int cd = client_dir(c, f, &src);
					uint16_t sp = cd >= 0 ? f->port[1 - cd] : 0;
					proto = sp == 119 || sp == 433	   ? "nntp"
						: sp == 6667 || sp == 6697 ? "irc"
						: sp == 4190		   ? "sieve"
									   : "smtp";
				}
				c->starttls = proto;
				c->d[1 - dir].armed = true;
				d->plain_seen += npend + n;
				d->armed = true; /* for the next segment */
				d->after_gap = false;
				return;
			}
		}
	}
	d->armed = false;
	d->after_gap = false;
	d->plain_seen += npend + n;
	if (d->plain_seen >= PLAIN_BUDGET && !d->armed && c->d[1 - dir].mode != M_TLS)
		d->mode = M_OFF;
}

static void resync_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	for (size_t i = 0; i + 5 <= n; i++) {
		if (confirmed_header(p + i, n - i, i == 0 && p[0] == 23)) {
			t->st.resyncs++;
			d->mode = M_TLS;
			tls_bytes(t, c, f, dir, p + i, n - i, pkt);
			return;
		}
	}
	d->resync_seen += n;
	if (d->resync_seen > RESYNC_BUDGET) {
		d->mode = M_OFF;
		notice(t, pkt,
		       "TLS framing lost and not found again; direction no longer followed");
	}
}

static void tls_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		      const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	bool tls13 = is_tls13(c);

	while (n > 0) {
		if (!d->in_body) {
			if (d->hdr_len == 0 && n >= 5) {
				memcpy(d->hdr, p, 5);
				d->hdr_len = 5;
				p += 5;
				n -= 5;
			} else {
				size_t k = 5 - d->hdr_len;
				if (k > n)
					k = n;
				memcpy(d->hdr + d->hdr_len, p, k);
				d->hdr_len = (uint8_t)(d->hdr_len + k);
				p += k;
				n -= k;
				if (d->hdr_len < 5)
					return;
			}
			if (!tlsa_tls_header_plausible(d->hdr)) {
				char msg[128];
				snprintf(msg, sizeof(msg),
					 "bytes %02x %02x %02x %02x %02x are not a TLS record "
					 "header; looking for the next record",
					 d->hdr[0], d->hdr[1], d->hdr[2], d->hdr[3], d->hdr[4]);
				lose_sync(t, c, dir, pkt, msg);
				resync_bytes(t, c, f, dir, p, n, pkt);
				return;
			}
			d->rtype = d->hdr[0];
			d->rver = (uint16_t)(d->hdr[1] << 8 | d->hdr[2]);
			d->rlen = (uint32_t)(d->hdr[3] << 8 | d->hdr[4]);
			d->rgot = 0;
			d->in_body = true;
			record_start(c, dir);
			d->rec_copy = t->o.on_record != NULL;
			d->rec_bad = false;
			if (t->kl != NULL) {
				if (c->dec_state != DEC_ACTIVE)
					dec_prepare(t, c, f, pkt);
				if (c->dec != NULL &&
				    sdec_want(c->dec, dir, d->rtype, d->rlen, t->o.decrypt_all))
					d->rec_copy = true;
				else if (early_entry(t, c, dir) != NULL)
					d->rec_copy = true; /* 0-RTT, opened at its end */
			}
			if (d->rec_copy && d->rec == NULL &&
			    (d->rec = malloc(5 + MAX_RECORD)) == NULL)
				d->rec_copy = false;
			if (d->rec_copy)
				memcpy(d->rec, d->hdr, 5);
		}
		uint32_t want = d->rlen - d->rgot;
		uint32_t k = n < want ? (uint32_t)n : want;
		if (d->rec_copy)
			memcpy(d->rec + 5 + d->rgot, p, k);
		if (d->rtype == 21) {
			for (uint32_t i = 0; i < k && d->rgot + i < sizeof(d->abuf); i++)
				d->abuf[d->rgot + i] = p[i];
		} else if (d->rtype == 22 && !(d->ccs && !tls13)) {
			handshake_bytes(t, c, f, dir, p, k, pkt);
		}
		d->rgot += k;
		p += k;
		n -= k;
		if (d->rgot == d->rlen) {
			d->in_body = false;
			d->hdr_len = 0;
			record_end(t, c, f, dir, pkt);
			tls13 = is_tls13(c);
		}
	}
}

/* ------------------------------------------------------------------- DTLS */

static bool dtls_version_ok(uint16_t v)
{
	return v == 0xfeff || v == 0xfefd || v == 0x0100;
}

/* Checks that a datagram is made of whole DTLS records. */
static bool dtls_datagram_ok(const uint8_t *p, size_t n, bool *has_hs_or_alert)
{
	struct rd r = rd_init(p, n);
	*has_hs_or_alert = false;
	if (n == 0)
		return false;
	while (rd_left(&r) > 0) {
		uint8_t type = rd_u8(&r);
		if ((type & 0xe0) == 0x20) {
			/* DTLS 1.3 unified header: C S L E E */
			if (type & 0x10)
				return rd_ok(
					&r); /* connection id of unknown length: take the rest */
			(void)rd_skip(&r, (type & 0x08) ? 2 : 1);
			if (type & 0x04) {
				struct rd body = rd_block(&r, 2);
				(void)body;
			} else {
				(void)rd_skip(&r, rd_left(&r));
			}
			if (!rd_ok(&r))
				return false;
			continue;
		}
		uint16_t ver = rd_u16(&r);
		(void)rd_skip(&r, 8);
		uint16_t len = rd_u16(&r);
		if (!rd_ok(&r) || type < 20 || type > 26 || !dtls_version_ok(ver) ||
		    len > MAX_RECORD || !rd_skip(&r, len))
			return false;
		if (type == 21 || type == 22)
			*has_hs_or_alert = true;
	}
	return rd_ok(&r);
}

static void dtls_datagram(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			  const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	bool hs_or_alert;
	if (!dtls_datagram_ok(p, n, &hs_or_alert))
		return;
	if (!c->dtls) {
		if ((!hs_or_alert && c->d[0].segs + c->d[1].segs > 0) || !need_hs(c))
			return;
		c->dtls = true;
		if (!c->tls) {
			c->tls = true;
			t->st.tls_flows++;
		}
	}
	struct dirstate *d = &c->d[dir];
	struct rd r = rd_init(p, n);
	while (rd_left(&r) > 0) {
		uint8_t type = rd_u8(&r);
		if ((type & 0xe0) == 0x20) {
			/* DTLS 1.3 protected record: counted, not opened */
			hist_add(c, dir, 'A');
			d->nrec++;
			t->st.records++;
			break;
		}
		uint16_t ver = rd_u16(&r);
		uint16_t epoch = rd_u16(&r);
		uint64_t seq = rd_u48(&r);
		struct rd body = rd_block(&r, 2);
		if (!rd_ok(&r))
			return;
		size_t blen = rd_left(&body);
		d->nrec++;
		t->st.records++;
		if (t->o.on_record != NULL) {
			tlsa_role_source src;
			struct tlsa_record_event re = {
				.pkt = pkt,
				.flow = f,
				.dir = dir,
				.sender = role_of(c, f, dir, &src),
				.dtls = true,
				.type = type,
				.version = ver,
				.record = body.p - 13,
				.len = 13 + blen,
				.seq = seq,
				.epoch = epoch,
				.after_ccs = d->ccs,
				.hs = c->hs,
				.conn_user = &c->user,
			};
			t->o.on_record(t->o.ctx, &re);
		}
		enum sdec_result dres = SD_NONE;
		size_t plen = 0;
		uint8_t inner = 0;
		if (t->kl != NULL && epoch > 0) {
			if (c->dec_state != DEC_ACTIVE)
				dec_prepare(t, c, f, pkt);
			if (c->dec != NULL && (type == 21 || type == 22 || t->o.decrypt_all)) {
				dres = sdec_dtls_record(c->dec, dir, body.p - 13, 13 + blen, epoch,
							t->dbuf, DBUF_CAP, &plen, &inner);
				dec_outcome(t, c, f, dir, dres, type, seq, pkt);
			}
		}
		if (type == 21 && dres == SD_OK && inner == 21) {
			emit_decrypted(t, c, f, dir, ver, (uint32_t)blen, t->dbuf, plen, epoch, seq,
				       pkt, 21);
		} else if (type == 21) {
			bool enc = epoch > 0 || blen != 2;
			emit_record_alert(t, c, f, dir, ver, (uint32_t)blen, body.p, enc, epoch,
					  seq, pkt, 21, false);
		} else if (type == 22 && epoch == 0) {
			while (rd_left(&body) >= 12) {
				uint8_t mt = rd_u8(&body);
				uint32_t mlen = rd_u24(&body);
				(void)rd_u16(&body);
				uint32_t off = rd_u24(&body);
				uint32_t flen = rd_u24(&body);
				const uint8_t *frag = rd_bytes(&body, flen);
				if (frag == NULL)
					break;
				bool whole = off == 0 && flen == mlen;
				if (off == 0)
					handshake_msg(t, c, f, dir, mt, frag, flen, whole, pkt);
			}
		} else if (type == 22) {
			hist_add(c, dir, d->finished ? 'E' : 'F');
			d->finished = true;
			set_step(c, S_FINISHED);
		} else if (type == 20) {
			hist_add(c, dir, 'X');
			if (t->kl != NULL && c->dec_state != DEC_ACTIVE)
				dec_prepare(t, c, f, pkt);
			if (c->dec != NULL && epoch == 0)
				sdec_ccs(c->dec, dir);
			d->ccs = true;
			set_step(c, S_CCS);
		} else if (type == 23) {
			d->n_enc++;
			hist_add(c, dir, 'A');
			set_step(c, S_APPDATA);
		}
	}
}

/* ------------------------------------------------------ TLS 1.3 inference */

/* The direction ended with FIN or RST (not idle or end of capture). */
static bool closed(const struct dirstate *d)
{
	return d->ended == TLSA_END_FIN || d->ended == TLSA_END_RST;
}

static void infer13(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir)
{
	struct dirstate *d = &c->d[dir];
	struct dirstate *peer = &c->d[1 - dir];
	if (d->last_type != 23 || !alert_sized13(d->last_len) || (!closed(d) && !closed(peer)))
		return;
	if (d->dec_last)
		return; /* opened with the key log (or failed authentication): nothing to infer */

	struct tlsa_alert_event ev;
	base_event(t, &ev, c, f, dir, &d->last_pkt);
	ev.content_type = 23;
	ev.record_version = d->last_ver;
	ev.record_length = d->last_len;
	ev.record_seq = d->last_seq;
	ev.version = conn_version(c, d->last_ver, &ev.version_negotiated);
	ev.encrypted = true;
	ev.inferred = true;
	ev.cipher_shapes = tlsa_encrypted_alert_shapes(d->last_len, true);
	ev.history = hist_render(c, f, d->last_hist);
	ev.stage = step_names[d->last_step];

	if (ev.sender == TLSA_ROLE_CLIENT && d->n_enc == 1 && peer->n_enc > 0) {
		ev.evidence =
			"TLS 1.3: the client's first encrypted record has the size of an "
			"encrypted alert instead of its Finished, and the client then closed "
			"the connection: the client rejected the server's flight, most likely "
			"its certificate";
		ev.stage = step_names[S_SERVER_FLIGHT];
		c->rejected = true;
	} else if (ev.sender == TLSA_ROLE_SERVER && d->n_enc_after_peer == 1 && peer->n_enc > 0 &&
		   peer->n_enc <= 3 && peer->last_len != 19) {
		ev.evidence = "TLS 1.3: after the client's Finished, the server's first record has "
			      "the size of an encrypted alert and the server then closed the "
			      "connection: the server rejected the client's flight";
		if (peer->empty_cert_shape) {
			ev.likely = 116;
			ev.evidence =
				"TLS 1.3: the client's flight holds a record the size of an "
				"empty Certificate; the server's first record after the "
				"client's Finished has the size of an encrypted alert and the "
				"server then closed the connection: the server required a "
				"client certificate (certificate_required)";
		}
		ev.stage = step_names[S_FINISHED];
		c->rejected = true;
	} else if (peer->last_type == 23 && alert_sized13(peer->last_len)) {
		ev.likely = 0;
		ev.evidence = "TLS 1.3: the last record of each side has the size of an encrypted "
			      "alert and the connection then closed: a close_notify exchange";
		bool second = peer->last_pkt.frame < d->last_pkt.frame;
		ev.stage = second ? STAGE_CLOSING : step_names[S_APPDATA];
	} else {
		ev.evidence =
			"TLS 1.3: the sender's last record has the size of an encrypted alert "
			"and the sender then closed the connection: close_notify or an error "
			"alert";
		if (d->last_step < S_APPDATA)
			ev.stage = step_names[d->last_step];
		else
			ev.stage = step_names[S_APPDATA];
	}
	note_alert(t, c, &ev);
}

/* ------------------------------------------------------------- callbacks */

static struct conn *conn_get(struct tlsa_tracker *t, struct tlsa_flow *f,
			     const struct tlsa_pktinfo *pkt)
{
	struct conn *c = f->user;
	if (c != NULL)
		return c;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->ch_dir = c->sh_dir = -1;
	c->d[0].ended = c->d[1].ended = -1;
	c->file_index = pkt->file_index;
	c->first_frame = pkt->frame;
	c->ts_sec = pkt->ts_sec;
	c->ts_nsec = pkt->ts_nsec;
	f->user = c;
	t->st.flows++;
	return c;
}

static void cb_flow_open(void *ctx, struct tlsa_flow *f, const struct tlsa_pktinfo *pkt)
{
	(void)conn_get(ctx, f, pkt);
}

static void cb_tcp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			const struct tlsa_pktinfo *pkt)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = conn_get(t, f, pkt);
	if (c == NULL || (dir != 0 && dir != 1) || len == 0)
		return;
	t->st.bytes += len;
	c->last_frame = pkt->frame;
	struct dirstate *d = &c->d[dir];
	switch (d->mode) {
	case M_TLS: tls_bytes(t, c, f, dir, data, len, pkt); break;
	case M_PLAIN: plain_bytes(t, c, f, dir, data, len, pkt); break;
	case M_RESYNC: resync_bytes(t, c, f, dir, data, len, pkt); break;
	case M_OFF: break;
	}
}

static void cb_tcp_gap(void *ctx, struct tlsa_flow *f, int dir, uint64_t missing,
		       const struct tlsa_pktinfo *pkt)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = conn_get(t, f, pkt);
	if (c == NULL || (dir != 0 && dir != 1))
		return;
	struct dirstate *d = &c->d[dir];
	if (d->mode == M_PLAIN) {
		d->after_gap = true;
		return;
	}
	if (d->mode != M_TLS)
		return;
	hist_add(c, dir, 'G');
	if (d->in_body && d->rtype == 23 && missing <= d->rlen - d->rgot) {
		d->rgot += (uint32_t)missing; /* inside a skipped body: framing survives */
		d->rec_bad = true;
		if (d->rgot == d->rlen) {
			d->in_body = false;
			d->hdr_len = 0;
			record_end(t, c, f, dir, pkt);
		}
		return;
	}
	lose_sync(t, c, dir, pkt, "bytes missing from the capture; looking for the next record");
}

static void cb_tcp_end(void *ctx, struct tlsa_flow *f, int dir, enum tlsa_stream_end how,
		       const struct tlsa_pktinfo *pkt)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = conn_get(t, f, pkt);
	if (c == NULL || (dir != 0 && dir != 1) || c->d[dir].ended >= 0)
		return;
	c->d[dir].ended = (int)how;
	if (c->tls && (how == TLSA_END_FIN || how == TLSA_END_RST))
		hist_add(c, dir, how == TLSA_END_FIN ? 'N' : 'J');
}

static void cb_udp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			const struct tlsa_pktinfo *pkt)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = conn_get(t, f, pkt);
	if (c == NULL || (dir != 0 && dir != 1))
		return;
	t->st.bytes += len;
	c->last_frame = pkt->frame;
	dtls_datagram(t, c, f, dir, data, len, pkt);
	c->d[dir].segs++;
}

static bool established(const struct conn *c)
{
	if (c->rejected)
		return false;
	if (is_tls13(c) && !c->dtls) {
		if (c->dec != NULL && (c->d[0].finished || c->d[1].finished))
			return c->d[0].finished && c->d[1].finished; /* decrypted Finished */
		return c->d[0].n_enc > 0 && c->d[1].n_enc > 0;
	}
	return (c->d[0].finished && c->d[1].finished) || (c->d[0].n_enc > 0 && c->d[1].n_enc > 0);
}

static void cb_flow_close(void *ctx, struct tlsa_flow *f)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = f->user;
	if (c == NULL)
		return;
	if (c->tls && !c->dtls && is_tls13(c) && !t->o.no_infer) {
		/* report in frame order */
		int first = c->d[0].last_pkt.frame <= c->d[1].last_pkt.frame ? 0 : 1;
		infer13(t, c, f, first);
		infer13(t, c, f, 1 - first);
	}
	if (c->tls && t->o.on_conn) {
		struct tlsa_conn_event *s = &c->sum;
		s->flow = f;
		s->file_index = c->file_index;
		s->first_frame = c->first_frame;
		s->last_frame = c->last_frame;
		s->ts_sec = c->ts_sec;
		s->ts_nsec = c->ts_nsec;
		s->client_dir = client_dir(c, f, &s->role_source);
		s->starttls = c->starttls;
		s->dtls = c->dtls;
		s->version = conn_version(c, 0, &s->version_negotiated);
		s->n_alerts = c->n_alerts;
		s->have_alert = c->have_alert;
		s->outcome = established(c)  ? TLSA_OUT_ESTABLISHED
			     : c->have_alert ? TLSA_OUT_FAILED
					     : TLSA_OUT_INCOMPLETE;
		s->history = hist_render(c, f, c->nhist);
		s->hs = c->hs;
		s->keylog = t->kl != NULL;
		s->decrypting = c->dec != NULL;
		s->n_decrypted = c->n_decrypted;
		s->decrypt_error = c->dec_error;
		if (c->alert_fatal) {
			s->client_cert = cert_get(c, 0);
			s->server_cert = cert_get(c, 1);
		}
		t->o.on_conn(t->o.ctx, s);
	}
	if (c->user != NULL && t->o.on_release != NULL)
		t->o.on_release(t->o.ctx, c->user);
	free(c->hs);
	free(c->d[0].hs);
	free(c->d[1].hs);
	free(c->d[0].rec);
	free(c->d[1].rec);
	sdec_free(c->dec);
	free(c->cert[0]);
	free(c->cert[1]);
	free(c->cert_der[0]);
	free(c->cert_der[1]);
	free(c);
	f->user = NULL;
}

static void cb_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	notice(ctx, pkt, msg);
}

static void dsb_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	char buf[300];
	snprintf(buf, sizeof(buf), "%s, line %lu: %s", origin, line, msg);
	notice(ctx, NULL, buf);
}

/* pcapng Decryption Secrets Block: kept in the tracker's own key log. */
static void cb_secrets(void *ctx, uint32_t type, const uint8_t *data, size_t len)
{
	struct tlsa_tracker *t = ctx;
	if (type != TLSA_DSB_TLS_KEYLOG) {
		notice(t, NULL,
		       "pcapng Decryption Secrets Block of a type other than TLS key log: "
		       "ignored");
		return;
	}
	if (t->own_kl == NULL && (t->own_kl = tlsa_keylog_new()) == NULL) {
		notice(t, NULL, "out of memory reading a pcapng Decryption Secrets Block");
		return;
	}
	if (t->kl == NULL)
		t->kl = t->own_kl;
	struct tlsa_error err;
	int rc = tlsa_keylog_add_dsb(t->own_kl, type, data, len, "pcapng Decryption Secrets Block",
				     dsb_warn, t, &err);
	if (rc < 0)
		notice(t, NULL,
		       "pcapng Decryption Secrets Block not read completely (too many "
		       "connections or out of memory)");
}

/* ------------------------------------------------------------------- API */

struct tlsa_tracker *tlsa_tracker_new(const struct tlsa_tracker_opts *o)
{
	struct tlsa_tracker *t = calloc(1, sizeof(*t));
	if (t != NULL && o != NULL)
		t->o = *o;
	if (t != NULL)
		t->kl = t->o.keylog;
	return t;
}

void tlsa_tracker_handler(struct tlsa_tracker *t, struct tlsa_capture_handler *h)
{
	memset(h, 0, sizeof(*h));
	h->ctx = t;
	h->flow_open = cb_flow_open;
	h->tcp_data = cb_tcp_data;
	h->tcp_gap = cb_tcp_gap;
	h->tcp_end = cb_tcp_end;
	h->udp_data = cb_udp_data;
	h->flow_close = cb_flow_close;
	h->notice = cb_notice;
	h->secrets = cb_secrets;
}

void tlsa_tracker_get_stats(const struct tlsa_tracker *t, struct tlsa_tracker_stats *out)
{
	*out = t->st;
}

void tlsa_tracker_free(struct tlsa_tracker *t)
{
	if (t == NULL)
		return;
	tlsa_keylog_free(t->own_kl);
	tlsa_crypto_cache_free(t->cc);
	free(t->dbuf);
	free(t);
}
