/*
 * QUIC in the session tracker (docs/quic.md): a UDP flow whose first
 * datagram is a client Initial of a version crypto/quic_*.c opens becomes a
 * QUIC connection.  Initial packets of both directions are opened with the
 * keys every observer can derive (RFC 9001 5.2); Handshake, 0-RTT and 1-RTT
 * packets with the TLS 1.3 secrets of a key log.  CRYPTO frames are put back
 * in order per direction and packet number space and fed to the handshake
 * machinery TLS over TCP uses (ses_handshake_bytes()), so the hellos, the
 * certificates and the step are the same facts.  A CONNECTION_CLOSE with
 * CRYPTO_ERROR (0x0100 + alert) is an alert event; any other close is the
 * connection's outcome.  Without keys, a close hidden in Handshake packets is
 * inferred at the end from which packets each side sent (ses_quic_end()).
 *
 * Costs: nothing for UDP flows that do not start with a long header of at
 * least 1200 bytes (session.c tests the first byte and the length);
 * per QUIC connection one struct quic (about 300 bytes) and, until its first
 * close, its struct qlive (Initial keys, streams: about 1 KB) and the keys of the key
 * log's secrets (struct qsecrets, 1.2 KB, when it has them), CRYPTO bytes that
 * arrive out of order up to QUIC_CRYPTO_MAX per direction and space
 * (counted in the flow's handshake memory); per packet nothing allocated:
 * payloads are opened into the tracker's one buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_int.h"
#include "tlsalert/quic.h"

#define QUIC_CRYPTO_MAX (64u << 10) /* CRYPTO stream bytes held out of order */
#define QUIC_RANGES	8	    /* ... in at most this many pieces */
#define QUIC_BUF_CAP	65536u	    /* a decrypted payload (a UDP payload's most) */
#define QUIC_OPEN_MAX	512u	    /* 1-RTT packets opened after the handshake */

/* Packet number spaces, and the packet types counted per direction. */
enum { QS_INITIAL, QS_HANDSHAKE, QS_APP, QS_COUNT };
enum { QP_INITIAL, QP_0RTT, QP_HANDSHAKE, QP_1RTT, QP_COUNT };

static const char *const space_names[QP_COUNT] = {"initial", "0-rtt", "handshake", "1-rtt"};

/* One CRYPTO stream: bytes up to `done` were delivered; pieces past it wait in
 * buf, indexed by their stream offset. */
struct qstream {
	uint64_t done;
	uint8_t *buf;
	uint32_t cap;
	uint8_t n;
	struct {
		uint32_t lo, hi;
	} r[QUIC_RANGES];
};

/* The keys made from a key log's secrets (1.2 KB): allocated only for a connection
 * the key log has. */
struct qsecrets {
	struct tlsa_quic_keys hsk[2], app[2], next[2], prev[2], early;
};

/* What only an open connection needs: its keys, packet numbers, CRYPTO streams and
 * the last packet of each side (for inference, which a close rules out).  Most of its
 * memory, freed at its first close; struct quic keeps the few hundred bytes its
 * connection event and outcome need until the flow ends. */
struct qlive {
	struct tlsa_quic_keys ini[2];
	struct qsecrets *s; /* NULL until the key log has the connection's secrets */
	uint64_t largest[2][QS_COUNT];
	struct qstream cs[2][QS_COUNT];
	size_t last_len[2];
	struct tlsa_pktinfo last_pkt[2];
};

struct quic {
	uint32_t version;
	int cdir;	   /* the direction of the client's first Initial */
	uint8_t odcid[20]; /* the DCID the Initial keys come from */
	uint8_t odcid_len;
	uint8_t short_dcid[2]; /* DCID length of short-header packets sent in each direction */
	bool scid_known[2];    /* the long-header SCID of each direction was seen */
	bool rekey;	       /* a Retry came: the client's next Initial gives the keys */
	bool retry, vn;	       /* a Retry, a Version Negotiation packet were seen */
	bool upgraded;	       /* the server chose another version (RFC 9368) */
	bool auth_failed;      /* a packet did not open under the key log's keys */
	bool counted;	       /* open: counted in t->quic_conns (until its first close) */
	bool kl_done;	       /* the key log was looked up */
	bool early_done;       /* ... for the 0-RTT secret */
	bool decrypting;       /* it had this connection's handshake secrets */
	bool hs_done;	       /* HANDSHAKE_DONE was read */
	bool phase[2];	       /* key phase of app[dir] */
	bool have_next[2];     /* k->s->next[dir] holds the next key phase's keys */
	bool have_prev[2];     /* k->s->prev[dir] the last phase's (late packets) */
	struct qlive *k;       /* NULL once the connection closed */
	uint32_t n[2][QP_COUNT];	/* packets sent, per type */
	uint32_t n_opened[2][QP_COUNT]; /* ... of which opened */
	uint32_t app_after_peer_hs[2];	/* 1-RTT packets sent after the peer's first Handshake */
	/* datagrams sent after the peer's first Handshake packet: with a Handshake packet,
	   with 1-RTT packets alone; does the last datagram hold a Handshake packet */
	uint32_t hs_dgrams_after_peer[2], app_dgrams_after_peer[2];
	bool last_dgram_hs[2];
	bool closed[2];		      /* a CONNECTION_CLOSE was read from each direction */
	struct tlsa_quic_close close; /* the first one, for the connection event */
	uint64_t key_updates;
};

/* ------------------------------------------------------------- detection */

/* A client Initial of a version the crypto layer opens (the caller checked the
 * length and the long-header bit). */
static bool client_initial(const uint8_t *p, size_t n)
{
	if (n < 7 || (p[0] & 0x40) == 0)
		return false;
	uint32_t v = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	if (tlsa_quic_version_name(v) == NULL)
		return false;
	unsigned type = (p[0] >> 4) & 3;
	return v == TLSA_QUIC_V2 ? type == 1 : type == 0;
}

/* The tracker's libcrypto contexts and payload buffer, made at the first QUIC flow. */
static bool tracker_ready(struct tlsa_tracker *t)
{
	if (t->qctx == NULL && (t->qctx = tlsa_quic_ctx_new()) == NULL)
		return false;
	if (t->qbuf == NULL && (t->qbuf = malloc(QUIC_BUF_CAP)) == NULL)
		return false;
	return true;
}

static struct quic *quic_new(struct tlsa_tracker *t, struct conn *c, int dir,
			     const struct tlsa_quic_packet *p)
{
	if (t->quic_conns >= QUIC_CONNS_MAX) {
		if (t->st.quic_conns_dropped++ == 0)
			notice(t, NULL,
			       "more than 8192 QUIC connections open at once: the others are "
			       "not followed (their UDP datagrams are not read as QUIC)");
		return NULL;
	}
	if (!tracker_ready(t) || !ses_need_hs(t, c))
		return NULL;
	struct quic *q = calloc(1, sizeof(*q));
	struct qlive *k = calloc(1, sizeof(*k));
	if (q == NULL || k == NULL ||
	    tlsa_quic_initial_keys(t->qctx, p->version, p->dcid, p->dcid_len, &k->ini[dir],
				   &k->ini[1 - dir]) != 0) {
		free(q);
		free(k);
		return NULL;
	}
	q->k = k;
	q->version = p->version;
	q->cdir = dir;
	if (p->dcid_len > 0) /* a zero-length DCID has no pointer */
		memcpy(q->odcid, p->dcid, p->dcid_len);
	q->odcid_len = p->dcid_len;
	for (int d = 0; d < 2; d++)
		for (int s = 0; s < QS_COUNT; s++)
			k->largest[d][s] = TLSA_QUIC_PN_NONE;
	q->close.sender = TLSA_ROLE_UNKNOWN;
	q->counted = true;
	t->quic_conns++;
	t->st.quic_conns++;
	return q;
}

/* ------------------------------------------------------------ CRYPTO frames */

static void crypto_deliver(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			   int space, const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	/* Handshake-space messages are those TLS 1.3 encrypts: the same rules for the
	   step as for a decrypted TLS 1.3 record */
	c->in_dec13 = space != QS_INITIAL;
	ses_handshake_bytes(t, c, f, dir, p, n, pkt);
	c->in_dec13 = false;
}

/* Keeps [off, off + n) of a stream whose bytes up to s->done were delivered; false when
 * it does not fit (past QUIC_CRYPTO_MAX, too many pieces, the flow's memory). */
static bool crypto_hold(struct tlsa_tracker *t, struct conn *c, struct qstream *s, uint64_t off,
			const uint8_t *p, size_t n)
{
	if (off + n > QUIC_CRYPTO_MAX)
		return false;
	uint32_t lo = (uint32_t)off, hi = (uint32_t)(off + n);
	if (hi > s->cap) {
		uint32_t cap = s->cap == 0 ? 4096 : s->cap;
		while (cap < hi)
			cap *= 2;
		if (cap > QUIC_CRYPTO_MAX)
			cap = QUIC_CRYPTO_MAX;
		if (!hs_mem_take(t, c, cap - s->cap))
			return false;
		uint8_t *nb = realloc(s->buf, cap);
		if (nb == NULL) {
			hs_mem_give(t, c, cap - s->cap);
			return false;
		}
		s->buf = nb;
		s->cap = cap;
	}
	/* merge with the pieces it touches, keep them sorted */
	size_t i = 0;
	while (i < s->n && s->r[i].hi < lo)
		i++;
	size_t j = i;
	while (j < s->n && s->r[j].lo <= hi) {
		lo = s->r[j].lo < lo ? s->r[j].lo : lo;
		hi = s->r[j].hi > hi ? s->r[j].hi : hi;
		j++;
	}
	if (i == j && s->n == QUIC_RANGES)
		return false;
	memcpy(s->buf + off, p, n);
	memmove(&s->r[i + 1], &s->r[j], (s->n - j) * sizeof(s->r[0]));
	s->n = (uint8_t)(s->n - (j - i) + 1);
	s->r[i].lo = lo;
	s->r[i].hi = hi;
	return true;
}

/* One CRYPTO frame: delivered at once when it is next in its stream (most are), else
 * kept until the bytes before it come. */
static void quic_crypto(struct tlsa_tracker *t, struct conn *c, struct quic *q, struct tlsa_flow *f,
			int dir, int space, uint64_t off, const uint8_t *p, size_t n,
			const struct tlsa_pktinfo *pkt)
{
	if (q->k == NULL || q->close.closed)
		return; /* the connection is closing (a close earlier in this packet) */
	struct qstream *s = &q->k->cs[dir][space];
	if (n == 0 || off + n <= s->done)
		return; /* a retransmission */
	if (off < s->done) {
		p += s->done - off;
		n -= (size_t)(s->done - off);
		off = s->done;
	}
	if (off == s->done && s->n == 0) {
		s->done += n;
		crypto_deliver(t, c, f, dir, space, p, n, pkt);
		return;
	}
	if (!crypto_hold(t, c, s, off, p, n)) {
		t->st.hs_bytes_dropped += n;
		return;
	}
	while (s->n > 0 && s->r[0].lo <= s->done) {
		if (s->r[0].hi > s->done) {
			uint64_t from = s->done;
			s->done = s->r[0].hi;
			crypto_deliver(t, c, f, dir, space, s->buf + from,
				       (size_t)(s->r[0].hi - from), pkt);
		}
		s->n--;
		memmove(&s->r[0], &s->r[1], s->n * sizeof(s->r[0]));
	}
}

/* ------------------------------------------------------------------ closes */

/* The connection is closing: it no longer counts against QUIC_CONNS_MAX (the flow
 * table's own bound holds it until the flow ends), and no CRYPTO bytes will matter. */
static void quic_release(struct tlsa_tracker *t, struct conn *c, struct quic *q)
{
	for (int d = 0; d < 2 && q->k != NULL; d++)
		for (int s = 0; s < QS_COUNT; s++) {
			struct qstream *cs = &q->k->cs[d][s];
			if (cs->buf != NULL)
				hs_mem_give(t, c, cs->cap);
			free(cs->buf);
			cs->buf = NULL;
			cs->cap = 0;
			cs->n = 0;
		}
	if (q->counted) {
		q->counted = false;
		t->quic_conns--;
	}
	if (q->k != NULL) {
		if (q->k->s != NULL) {
			memset(q->k->s, 0, sizeof(*q->k->s));
			free(q->k->s);
		}
		memset(q->k, 0, sizeof(*q->k));
		free(q->k);
		q->k = NULL;
	}
	/* no handshake message will come: the reassembly buffers go too */
	for (int d = 0; d < 2; d++) {
		struct dirstate *ds = &c->d[d];
		if (ds->hs != NULL)
			hs_mem_give(t, c, ds->hs_cap);
		free(ds->hs);
		ds->hs = NULL;
		ds->hs_cap = ds->hs_len = ds->hs_skip = 0;
	}
}

static void copy_reason(char *to, size_t cap, const uint8_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap; i++)
		to[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	to[k] = '\0';
}

/* A CONNECTION_CLOSE frame: an alert event when it carries CRYPTO_ERROR, the
 * connection's close (and outcome) in any case.  A close repeated in several
 * packet number spaces (RFC 9000 10.2.3) counts once per direction. */
static void quic_close(struct tlsa_tracker *t, struct conn *c, struct quic *q, struct tlsa_flow *f,
		       int dir, int ptype, const struct tlsa_quic_packet *p,
		       const struct tlsa_quic_frame *fr, const struct tlsa_pktinfo *pkt)
{
	if (q->closed[dir])
		return;
	q->closed[dir] = true;
	bool app = fr->type == TLSA_QUIC_FRAME_CONNECTION_CLOSE_APP;
	bool alert = !app && fr->error_code >= TLSA_QUIC_CRYPTO_ERROR &&
		     fr->error_code <= TLSA_QUIC_CRYPTO_ERROR + 0xff;
	tlsa_role_source src;
	if (!q->close.closed) {
		q->close.closed = true;
		q->close.app = app;
		q->close.code = fr->error_code;
		q->close.frame_type = fr->frame_type;
		q->close.sender = role_of(c, f, dir, &src);
		q->close.space = space_names[ptype];
		q->close.frame = pkt->frame;
		copy_reason(q->close.reason, sizeof(q->close.reason), fr->data, fr->data_len);
		quic_release(t, c, q);
	}
	if (c->step < S_APPDATA && !q->hs_done)
		c->rejected = true; /* the handshake ended here */
	hist_add(c, dir, alert ? 'L' : 'N');
	if (!alert)
		return;
	struct tlsa_alert_event ev;
	ses_base_event(t, &ev, c, f, dir, pkt);
	ev.record_length = p->len;
	ev.record_seq = p->pn;
	ev.version = ses_conn_version(c, 0x0304, &ev.version_negotiated);
	ev.encrypted = ptype != QP_INITIAL;
	ev.decrypted = ev.encrypted;
	ev.level = 2; /* QUIC has no warnings: every alert closes */
	ev.description = (int)(fr->error_code - TLSA_QUIC_CRYPTO_ERROR);
	ev.stage = ses_stage_for(c, dir);
	ev.history = ses_hist_render(t, c, f, c->nhist);
	ev.quic = true;
	ev.quic_version = q->version;
	ev.quic_space = space_names[ptype];
	ev.quic_error = fr->error_code;
	ev.quic_frame_type = fr->frame_type;
	copy_reason(ev.quic_reason, sizeof(ev.quic_reason), fr->data, fr->data_len);
	c->d[dir].alerted = true;
	c->d[dir].alert_frame = pkt->frame;
	ses_note_alert(t, c, &ev);
}

static void quic_frames(struct tlsa_tracker *t, struct conn *c, struct quic *q, struct tlsa_flow *f,
			int dir, int ptype, const struct tlsa_quic_packet *p, size_t plen,
			const struct tlsa_pktinfo *pkt)
{
	int space = ptype == QP_INITIAL	    ? QS_INITIAL
		    : ptype == QP_HANDSHAKE ? QS_HANDSHAKE
					    : QS_APP;
	struct tlsa_quic_frame fr;
	struct tlsa_error err;
	size_t pos = 0;
	while (tlsa_quic_frame_next(t->qbuf, plen, &pos, &fr, &err) == 1) {
		switch (fr.type) {
		case TLSA_QUIC_FRAME_CRYPTO:
			quic_crypto(t, c, q, f, dir, space, fr.data_offset, fr.data, fr.data_len,
				    pkt);
			break;
		case TLSA_QUIC_FRAME_CONNECTION_CLOSE:
		case TLSA_QUIC_FRAME_CONNECTION_CLOSE_APP:
			quic_close(t, c, q, f, dir, ptype, p, &fr, pkt);
			break;
		case TLSA_QUIC_FRAME_HANDSHAKE_DONE:
			q->hs_done = true;
			set_step(c, S_APPDATA);
			break;
		default: break;
		}
	}
}

/* ---------------------------------------------------------------- key log */

static void keys_from(struct tlsa_tracker *t, struct quic *q, const struct tlsa_keylog_entry *e,
		      tlsa_keylog_label l, uint16_t suite, struct tlsa_quic_keys *k)
{
	const struct tlsa_keylog_secret *s = tlsa_keylog_secret(e, l);
	if (s != NULL && tlsa_quic_keys_init(t->qctx, q->version, suite, s->v, s->len, k) != 0)
		memset(k, 0, sizeof(*k));
}

/* The connection's secrets, once its ServerHello named the suite (and its
 * ClientHello, for 0-RTT: the suite is then the first TLS 1.3 one offered). */
static void quic_keylog(struct tlsa_tracker *t, struct conn *c, struct quic *q)
{
	const struct tlsa_hs_facts *hs = c->hs;
	bool early = !q->early_done && hs->client_hello;
	bool main = !q->kl_done && hs->server_hello && hs->suite_selected_set;
	if ((!early && !main) || q->k == NULL)
		return;
	struct tlsa_keylog_entry e;
	if (tlsa_keylog_find(t->kl, hs->client_random, &e) == NULL ||
	    (q->k->s == NULL && (q->k->s = calloc(1, sizeof(*q->k->s))) == NULL)) {
		q->early_done = q->early_done || early;
		q->kl_done = q->kl_done || main;
		memset(&e, 0, sizeof(e));
		return;
	}
	struct qsecrets *ks = q->k->s;
	int cd = q->cdir, sd = 1 - cd;
	if (early) {
		q->early_done = true;
		uint16_t suite = 0x1301;
		for (size_t i = 0; i < hs->n_suites && i < TLSA_HS_MAX_LIST; i++)
			if (hs->suites[i] >= 0x1301 && hs->suites[i] <= 0x1303) {
				suite = hs->suites[i];
				break;
			}
		keys_from(t, q, &e, TLSA_KL_CLIENT_EARLY, suite, &ks->early);
	}
	if (main) {
		q->kl_done = true;
		uint16_t suite = hs->suite_selected;
		keys_from(t, q, &e, TLSA_KL_CLIENT_HANDSHAKE, suite, &ks->hsk[cd]);
		keys_from(t, q, &e, TLSA_KL_SERVER_HANDSHAKE, suite, &ks->hsk[sd]);
		keys_from(t, q, &e, TLSA_KL_CLIENT_TRAFFIC_0, suite, &ks->app[cd]);
		keys_from(t, q, &e, TLSA_KL_SERVER_TRAFFIC_0, suite, &ks->app[sd]);
		if (ks->hsk[cd].aead != 0 || ks->hsk[sd].aead != 0 || ks->app[cd].aead != 0) {
			q->decrypting = true;
			t->st.dec_conns++;
		}
	}
	memset(&e, 0, sizeof(e));
}

/* ----------------------------------------------------------------- packets */

static int ptype_of(tlsa_quic_ptype t)
{
	switch (t) {
	case TLSA_QUIC_PKT_INITIAL: return QP_INITIAL;
	case TLSA_QUIC_PKT_0RTT: return QP_0RTT;
	case TLSA_QUIC_PKT_HANDSHAKE: return QP_HANDSHAKE;
	case TLSA_QUIC_PKT_1RTT: return QP_1RTT;
	default: return -1;
	}
}

/* Opens a 1-RTT packet: the keys of its key phase, the next phase's made when the
 * bit flips (RFC 9001 6), the current ones again for a packet sent before the flip. */
static int open_1rtt(struct tlsa_tracker *t, struct quic *q, int dir, struct tlsa_quic_packet *p,
		     size_t *plen)
{
	struct tlsa_error err;
	struct qsecrets *k = q->k->s; /* set: quic_open() found the 1-RTT keys there */
	if (p->key_phase == q->phase[dir]) {
		return tlsa_quic_decrypt_payload(t->qctx, &k->app[dir], p, t->qbuf, QUIC_BUF_CAP,
						 plen, &err);
	}
	if (!q->have_next[dir]) {
		if (tlsa_quic_keys_update(t->qctx, &k->app[dir], &k->next[dir]) != 0)
			return TLSA_EINVAL;
		q->have_next[dir] = true;
	}
	int rc = tlsa_quic_decrypt_payload(t->qctx, &k->next[dir], p, t->qbuf, QUIC_BUF_CAP, plen,
					   &err);
	if (rc == 0) {
		k->prev[dir] = k->app[dir];
		q->have_prev[dir] = true;
		k->app[dir] = k->next[dir];
		q->phase[dir] = p->key_phase;
		q->have_next[dir] = false;
		q->key_updates++;
	} else if (q->have_prev[dir]) {
		/* sent before the last update, delivered after it */
		rc = tlsa_quic_decrypt_payload(t->qctx, &k->prev[dir], p, t->qbuf, QUIC_BUF_CAP,
					       plen, &err);
	}
	return rc;
}

/* The payload of a packet whose header is read, into t->qbuf: 1-RTT ones through
 * their key phase, the others with k. */
static int open_payload(struct tlsa_tracker *t, struct quic *q, int dir, int ptype,
			const struct tlsa_quic_keys *k, struct tlsa_quic_packet *p, size_t *plen)
{
	struct tlsa_error err;
	if (ptype == QP_1RTT)
		return open_1rtt(t, q, dir, p, plen);
	return tlsa_quic_decrypt_payload(t->qctx, k, p, t->qbuf, QUIC_BUF_CAP, plen, &err);
}

/* Header protection off and payload opened with the keys of the packet's type;
 * false when there are none or they do not authenticate. */
static bool quic_open(struct tlsa_tracker *t, struct quic *q, int dir, int ptype,
		      struct tlsa_quic_packet *p, size_t *plen)
{
	struct tlsa_error err;
	int space = ptype == QP_INITIAL	    ? QS_INITIAL
		    : ptype == QP_HANDSHAKE ? QS_HANDSHAKE
					    : QS_APP;
	if (q->k == NULL)
		return false; /* closed */
	const struct qsecrets *ks = q->k->s;
	const struct tlsa_quic_keys *k = ptype == QP_INITIAL	 ? &q->k->ini[dir]
					 : ks == NULL		 ? NULL
					 : ptype == QP_HANDSHAKE ? &ks->hsk[dir]
					 : ptype == QP_0RTT	 ? &ks->early
								 : &ks->app[dir];
	if (k == NULL || k->aead == 0 || (ptype == QP_0RTT && dir != q->cdir))
		return false;
	uint64_t *largest = &q->k->largest[dir][space];
	if (tlsa_quic_unprotect_header(t->qctx, k, p, *largest, &err) != 0)
		return false;
	int rc = open_payload(t, q, dir, ptype, k, p, plen);
	/* More than half a window of the sender's packets missing from the capture
	   (tcpdump drops them in bursts) makes a truncated number decode a window or more
	   short (RFC 9000 A.3 assumes the receiver saw them all): the next windows, a few
	   for a one-byte number, once for a longer one; only on a failure. */
	uint64_t pn = p->pn, win = (uint64_t)1 << (8 * p->pn_len);
	int tries = p->pn_len == 1 ? 4 : 1;
	for (int i = 1; rc == TLSA_EAUTH && ptype != QP_INITIAL && i <= tries &&
			*largest != TLSA_QUIC_PN_NONE && pn + i * win < ((uint64_t)1 << 62);
	     i++) {
		p->pn = pn + i * win;
		rc = open_payload(t, q, dir, ptype, k, p, plen);
	}
	if (rc != 0) {
		p->pn = pn;
		if (rc == TLSA_EAUTH && ptype != QP_INITIAL) {
			t->st.dec_failures++; /* the key log's keys did not open it */
			q->auth_failed = true;
		}
		return false;
	}
	if (*largest == TLSA_QUIC_PN_NONE || p->pn > *largest)
		*largest = p->pn;
	return true;
}

/* A 1-RTT packet not opened still moves the largest packet number on (its header
 * protection removed: one block; the key does not change with key updates), or the
 * next small packet's truncated number would be read against a stale one, and no key
 * would open it. */
static void skip_1rtt(struct tlsa_tracker *t, struct quic *q, int dir, struct tlsa_quic_packet *p)
{
	struct tlsa_error err;
	if (q->k == NULL || q->k->s == NULL || q->k->s->app[dir].aead == 0)
		return;
	uint64_t *largest = &q->k->largest[dir][QS_APP];
	if (tlsa_quic_unprotect_header(t->qctx, &q->k->s->app[dir], p, *largest, &err) != 0)
		return;
	if (*largest == TLSA_QUIC_PN_NONE || p->pn > *largest)
		*largest = p->pn;
}

/* What the packet tells before it is opened: connection IDs, counts for inference. */
static void quic_note(struct tlsa_tracker *t, struct conn *c, struct quic *q, int dir, int ptype,
		      const struct tlsa_quic_packet *p, const struct tlsa_pktinfo *pkt)
{
	if (p->long_header && !q->scid_known[dir]) {
		/* the peer's short headers carry this SCID as their DCID */
		q->scid_known[dir] = true;
		q->short_dcid[1 - dir] = p->scid_len;
	}
	q->n[dir][ptype]++;
	if (ptype == QP_1RTT) {
		if (q->n[1 - dir][QP_HANDSHAKE] > 0)
			q->app_after_peer_hs[dir]++;
		hist_add(c, dir, 'A');
	}
	if (q->k != NULL) {
		q->k->last_len[dir] = p->len;
		q->k->last_pkt[dir] = *pkt;
	}
	(void)t;
}

/* A Retry (the client's next Initial gives new keys) or a Version Negotiation packet. */
static void quic_retry_vn(struct tlsa_tracker *t, struct conn *c, struct quic *q, int dir,
			  const struct tlsa_quic_packet *p)
{
	if (dir == q->cdir)
		return;
	if (p->type == TLSA_QUIC_PKT_VN) {
		q->vn = true;
		hist_add(c, dir, 'V');
		return;
	}
	if (q->retry || tlsa_quic_retry_verify(t->qctx, p, q->odcid, q->odcid_len) != 0)
		return; /* one Retry per connection (RFC 9000 17.2.5.2) */
	q->retry = q->rekey = true;
	hist_add(c, dir, 'W');
}

/* Compatible version negotiation (RFC 9368): the server answers the client's Initial
 * in another version it knows; both go on in it, Initial keys from the same DCID. */
static bool quic_upgrade(struct tlsa_tracker *t, struct quic *q, int dir, int ptype,
			 const struct tlsa_quic_packet *p)
{
	struct tlsa_quic_keys ck, sk;
	if (dir == q->cdir || ptype != QP_INITIAL || q->upgraded || q->k == NULL ||
	    tlsa_quic_initial_keys(t->qctx, p->version, q->odcid, q->odcid_len, &ck, &sk) != 0)
		return false;
	q->upgraded = true;
	q->version = p->version;
	q->k->ini[q->cdir] = ck;
	q->k->ini[1 - q->cdir] = sk;
	return true;
}

/* One coalesced packet, from parse to frames. */
static void quic_packet(struct tlsa_tracker *t, struct conn *c, struct quic *q, struct tlsa_flow *f,
			int dir, struct tlsa_quic_packet *p, const struct tlsa_pktinfo *pkt)
{
	if (p->type == TLSA_QUIC_PKT_VN || p->type == TLSA_QUIC_PKT_RETRY) {
		quic_retry_vn(t, c, q, dir, p);
		return;
	}
	int ptype = ptype_of(p->type);
	if (ptype < 0)
		return;
	if (p->long_header && p->version != q->version && !quic_upgrade(t, q, dir, ptype, p))
		return;
	if (ptype == QP_INITIAL && dir == q->cdir && q->rekey && q->k != NULL) {
		/* the Initial after a Retry: keys from the DCID the Retry chose */
		struct tlsa_quic_keys ck, sk;
		if (tlsa_quic_initial_keys(t->qctx, q->version, p->dcid, p->dcid_len, &ck, &sk) ==
		    0) {
			q->k->ini[dir] = ck;
			q->k->ini[1 - dir] = sk;
			q->k->largest[0][QS_INITIAL] = q->k->largest[1][QS_INITIAL] =
				TLSA_QUIC_PN_NONE;
		}
		q->rekey = false;
	}
	quic_note(t, c, q, dir, ptype, p, pkt);
	/* Once the handshake is confirmed, a full-size 1-RTT packet is data: a close is
	 * small (its reason phrase aside), so only packets up to QUIC_OPEN_MAX bytes are
	 * opened, as TLS records that cannot hold an alert are not (--decrypt-all opens
	 * every one). */
	if (ptype == QP_1RTT && q->hs_done && p->len > QUIC_OPEN_MAX && !t->o.decrypt_all) {
		skip_1rtt(t, q, dir, p);
		return;
	}
	size_t plen;
	if (!quic_open(t, q, dir, ptype, p, &plen)) {
		if (q->auth_failed && c->dec_error == NULL) {
			c->dec_error = "authentication failed: wrong key log or tampered record";
			notice(t, pkt,
			       "a QUIC packet did not authenticate under the key log's keys");
		}
		return;
	}
	q->n_opened[dir][ptype]++;
	t->st.quic_packets_opened++;
	if (ptype != QP_INITIAL) {
		c->n_decrypted++;
		t->st.dec_records++;
	}
	quic_frames(t, c, q, f, dir, ptype, p, plen, pkt);
	if (t->kl != NULL && (!q->kl_done || !q->early_done))
		quic_keylog(t, c, q);
}

bool ses_quic_datagram(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct quic *q = c->quic;
	struct tlsa_quic_packet qp;
	struct tlsa_error err;
	if (q == NULL) {
		/* only a flow's first datagram may start QUIC: a client Initial */
		if (c->quic_no || c->d[0].segs + c->d[1].segs > 0 || !client_initial(p, n) ||
		    tlsa_quic_parse(p, n, 0, 0, &qp, &err) != 0 ||
		    qp.type != TLSA_QUIC_PKT_INITIAL) {
			c->quic_no = true;
			return false;
		}
		if ((q = quic_new(t, c, dir, &qp)) == NULL) {
			c->quic_no = true;
			return false;
		}
		/* the client Initial must open: proof that this is QUIC */
		struct tlsa_quic_packet probe = qp;
		size_t plen;
		if (!quic_open(t, q, dir, QP_INITIAL, &probe, &plen)) {
			t->st.quic_conns--;
			ses_quic_free(t, c, q);
			c->quic_no = true;
			return false;
		}
		c->quic = q;
		c->tls = true;
		t->st.tls_flows++;
		/* its Initial carries the ClientHello, even one whose pieces never all come */
		if (c->ch_dir < 0)
			c->ch_dir = dir;
		q->k->largest[dir][QS_INITIAL] = TLSA_QUIC_PN_NONE;
	}
	t->st.quic_packets++;
	size_t off = 0;
	bool has_hs = false, has_long = false;
	while (off < n) {
		if (tlsa_quic_parse(p, n, off, q->short_dcid[dir], &qp, &err) != 0)
			break;
		has_long = has_long || qp.long_header;
		has_hs = has_hs || qp.type == TLSA_QUIC_PKT_HANDSHAKE;
		quic_packet(t, c, q, f, dir, &qp, pkt);
		if (qp.len == 0 || !qp.long_header || qp.type == TLSA_QUIC_PKT_UNKNOWN)
			break;
		off += qp.len;
	}
	if (q->n[1 - dir][QP_HANDSHAKE] > 0) {
		if (has_hs)
			q->hs_dgrams_after_peer[dir]++;
		else if (!has_long)
			q->app_dgrams_after_peer[dir]++;
	}
	q->last_dgram_hs[dir] = has_hs;
	return true;
}

/* ------------------------------------------------------- end of connection */

/*
 * A close the capture does not show in the clear (no keys for the packets that
 * carried it), inferred from which packets each side sent: the client answered the
 * server's Handshake packets with Handshake packets alone and never sent a 1-RTT
 * packet (a client that accepts the server's flight sends its Finished and 1-RTT
 * data at once); or the server's last packets were Handshake packets sent after the
 * client's, with no 1-RTT packet after them.  Reported only when nothing was read.
 */
static void quic_infer(struct tlsa_tracker *t, struct conn *c, struct quic *q, struct tlsa_flow *f)
{
	int cd = q->cdir, sd = 1 - cd, dir;
	const char *evidence;
	if (q->closed[0] || q->closed[1] || q->hs_done || q->k == NULL)
		return;
	if (q->n[cd][QP_HANDSHAKE] > q->n_opened[cd][QP_HANDSHAKE] && q->n[cd][QP_1RTT] == 0 &&
	    q->n[sd][QP_HANDSHAKE] > 0) {
		dir = cd;
		evidence = "QUIC: the client answered the server's Handshake packets with "
			   "Handshake packets only, never a 1-RTT packet (a CONNECTION_CLOSE in "
			   "a Handshake packet, not decrypted)";
	} else if (q->hs_dgrams_after_peer[sd] > 0 && q->app_dgrams_after_peer[sd] == 0 &&
		   q->last_dgram_hs[sd] && q->n[sd][QP_HANDSHAKE] > q->n_opened[sd][QP_HANDSHAKE]) {
		dir = sd;
		evidence = "QUIC: every datagram the server sent after the client's Handshake "
			   "flight held a Handshake packet, and none carried 1-RTT data alone (a "
			   "CONNECTION_CLOSE in Handshake packets, not decrypted)";
	} else {
		return;
	}
	struct tlsa_alert_event ev;
	ses_base_event(t, &ev, c, f, dir, &q->k->last_pkt[dir]);
	ev.record_length = q->k->last_len[dir];
	ev.version = ses_conn_version(c, 0x0304, &ev.version_negotiated);
	ev.encrypted = true;
	ev.inferred = true;
	ev.evidence = evidence;
	ev.stage = ses_stage_for(c, dir);
	ev.history = ses_hist_render(t, c, f, c->nhist);
	ev.quic = true;
	ev.quic_version = q->version;
	ev.quic_space = space_names[QP_HANDSHAKE];
	c->rejected = true;
	ses_note_alert(t, c, &ev);
}

void ses_quic_end(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f)
{
	if (!t->o.no_infer)
		quic_infer(t, c, c->quic, f);
}

bool ses_quic_established(const struct conn *c)
{
	const struct quic *q = c->quic;
	if (q->hs_done)
		return true;
	if (c->rejected || q->decrypting)
		return false; /* with keys, HANDSHAKE_DONE says it */
	return q->n[q->cdir][QP_1RTT] > 0 && q->app_after_peer_hs[1 - q->cdir] > 0;
}

void ses_quic_conn_event(const struct conn *c, struct tlsa_conn_event *s)
{
	const struct quic *q = c->quic;
	s->quic = true;
	s->quic_version = q->version;
	s->quic_retry = q->retry;
	s->quic_version_negotiation = q->vn;
	s->quic_close = q->close;
	s->decrypting = q->decrypting;
	s->quic_key_updates = q->key_updates;
}

void ses_quic_free(struct tlsa_tracker *t, struct conn *c, struct quic *q)
{
	if (q == NULL)
		return;
	quic_release(t, c, q);
	memset(q, 0, sizeof(*q)); /* the keys */
	free(q);
	c->quic = NULL;
}
