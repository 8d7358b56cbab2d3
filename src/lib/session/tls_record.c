/*
 * TLS over TCP in the session tracker: in-order bytes of a direction in TLS
 * mode framed into records by their 5-byte headers, the work done at the end
 * of each record (decryption, alert events, handshake step and history), the
 * loss of framing and the search for the next header.  Application-data
 * bodies are skipped by counting unless a record is copied for the on_record
 * hook or for decryption.
 *
 * This is the per-record hot path: TCP data callback, framing, record end and
 * the helpers of session_int.h stay in this one translation unit so that the
 * compiler inlines them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_int.h"

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

/* The connection's key log entry, copied into *buf (wiped by the caller).  */
static const struct tlsa_keylog_entry *dec_entry(const struct tlsa_tracker *t, const struct conn *c,
						 struct tlsa_keylog_entry *buf)
{
	const struct tlsa_keylog_entry *e = tlsa_keylog_find(t->own_kl, c->hs->client_random, buf);
	return e != NULL ? e : tlsa_keylog_find(t->o.keylog, c->hs->client_random, buf);
}

/* The entry to open the record just started with, when it is a small 0-RTT
 * record (the client's type 23 before any ServerHello) and the key log has
 * the connection's early secret; else NULL. */
static const struct tlsa_keylog_entry *early_entry(const struct tlsa_tracker *t,
						   const struct conn *c, int dir,
						   struct tlsa_keylog_entry *buf)
{
	const struct dirstate *d = &c->d[dir];
	if (c->dec != NULL || c->hs == NULL || !c->hs->client_hello || c->hs->server_hello ||
	    c->ch_dir != dir || d->rtype != 23 || d->rlen > SDEC_SMALL_RECORD)
		return NULL;
	const struct tlsa_keylog_entry *e = dec_entry(t, c, buf);
	return e != NULL && tlsa_keylog_secret(e, TLSA_KL_CLIENT_EARLY) != NULL ? e : NULL;
}

/* Looks the connection up in the key log once its ServerHello is known. */
void ses_dec_prepare(struct tlsa_tracker *t, struct conn *c, const struct tlsa_flow *f,
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
	struct tlsa_keylog_entry buf;
	const struct tlsa_keylog_entry *e = dec_entry(t, c, &buf);
	if (e == NULL)
		return; /* no keys: the alerts stay encrypted (inferred as without a key log) */
	tlsa_role_source src;
	int cd = client_dir(c, f, &src);
	const char *why = NULL;
	bool ready = cd >= 0 && dec_buffers(t);
	if (ready)
		c->dec = sdec_new(e, c->hs, c->dtls, c->etm, cd, c->d[cd].n_enc, t->cc, &why);
	memset(&buf, 0, sizeof(buf)); /* sdec_new() keeps its own copy */
	if (!ready)
		return;
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

void ses_dec_outcome(struct tlsa_tracker *t, struct conn *c, const struct tlsa_flow *f, int dir,
		     enum sdec_result r, uint8_t type, uint64_t seq, const struct tlsa_pktinfo *pkt)
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

/* ---------------------------------------------------------------- records */

/* The whole record, for the on_record hook (when it was copied). */
static void record_hook(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
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

/* What opening a record gave: its plaintext is in t->dbuf[0..plen). */
struct opened {
	enum sdec_result r; /* SD_NONE: not tried */
	size_t plen;
	uint8_t inner; /* inner content type */
	bool early;    /* a 0-RTT record opened before the ServerHello */
};

/* Opens the record with the connection's keys, or as a 0-RTT record. */
static void record_open(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			const struct tlsa_pktinfo *pkt, struct opened *o)
{
	struct dirstate *d = &c->d[dir];
	const struct tlsa_keylog_entry *ee;
	struct tlsa_keylog_entry buf;
	if (c->dec != NULL) {
		const uint8_t *rec = d->rec_copy && !d->rec_bad ? d->rec : NULL;
		o->r = sdec_record(c->dec, dir, d->rtype, rec, 5 + (size_t)d->rlen, t->dbuf,
				   DBUF_CAP, &o->plen, &o->inner);
		ses_dec_outcome(t, c, f, dir, o->r, d->rtype, d->nrec - 1, pkt);
	} else if (t->kl != NULL && d->rec_copy && !d->rec_bad &&
		   (ee = early_entry(t, c, dir, &buf)) != NULL && dec_buffers(t)) {
		o->r = sdec_early_record(ee, c->hs, d->n_enc, t->cc, d->rec, 5 + (size_t)d->rlen,
					 t->dbuf, DBUF_CAP, &o->plen, &o->inner);
		memset(&buf, 0, sizeof(buf));
		o->early = o->r == SD_OK;
		ses_dec_outcome(t, c, f, dir, o->r, d->rtype, d->nrec - 1, pkt);
	}
}

/* Type 20, ChangeCipherSpec. */
static void record_ccs(struct conn *c, int dir, bool tls13)
{
	struct dirstate *d = &c->d[dir];
	hist_add(c, dir, 'X');
	/* a CCS before the ServerHello is TLS 1.3's compatibility CCS of a
	 * client sending 0-RTT data, not TLS 1.2's: a plaintext alert after
	 * it is still plaintext */
	if (!tls13 && !c->hs->hello_retry && !(c->hs->client_hello && !c->hs->server_hello)) {
		d->ccs = true;
		set_step(c, S_CCS);
		if (c->dec != NULL)
			sdec_ccs(c->dec, dir);
	}
}

/* Type 21: one event per alert (body in d->abuf, or decrypted). */
static void record_alert(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const struct tlsa_pktinfo *pkt, bool tls13, const struct opened *o)
{
	struct dirstate *d = &c->d[dir];
	if (o->r == SD_OK && o->inner == 21) {
		ses_emit_decrypted(t, c, f, dir, d->rver, d->rlen, t->dbuf, o->plen, 0, d->nrec - 1,
				   pkt, 21);
		return;
	}
	bool enc = d->rlen != 2 || (d->ccs && !tls13);
	if (enc && !(d->ccs && !tls13) && coalesced_alerts(d->abuf, d->rlen)) {
		/* several plaintext alerts in one record: one event each */
		for (uint32_t i = 0; i < d->rlen; i += 2)
			ses_emit_record_alert(t, c, f, dir, d->rver, d->rlen, d->abuf + i, false, 0,
					      d->nrec - 1, pkt, 21, false);
		return;
	}
	ses_emit_record_alert(t, c, f, dir, d->rver, d->rlen, d->abuf, enc, 0, d->nrec - 1, pkt, 21,
			      false);
}

/* Type 22 after the sender's ChangeCipherSpec (TLS <= 1.2): protected
 * handshake, the Finished, later renegotiation.  Plaintext handshake bytes
 * went to ses_handshake_bytes() as they came. */
static void record_protected_hs(struct conn *c, int dir, bool tls13)
{
	struct dirstate *d = &c->d[dir];
	if (!d->ccs || tls13)
		return;
	if (!d->finished) {
		d->finished = true;
		hist_add(c, dir, 'F');
		set_step(c, S_FINISHED);
	} else {
		hist_add(c, dir, 'E');
		set_step(c, S_RENEG);
	}
}

/* The handshake messages of a decrypted TLS 1.3 record, and the key changes
 * they bring. */
static void decrypted_hs13(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			   const struct tlsa_pktinfo *pkt, const struct opened *o)
{
	struct dirstate *d = &c->d[dir];
	bool fin = d->finished;
	c->in_dec13 = true;
	ses_handshake_bytes(t, c, f, dir, t->dbuf, o->plen, pkt);
	c->in_dec13 = false;
	if (!fin && d->finished)
		sdec_finished(c->dec, dir);
	if (d->key_update) {
		d->key_update = false;
		sdec_key_update(c->dec, dir);
	}
}

/* The step a type-23 record sets: from its decrypted content, else (TLS 1.3)
 * from its position and size, else application data. */
static void appdata_step(struct conn *c, struct tlsa_flow *f, int dir, bool tls13,
			 const struct opened *o)
{
	struct dirstate *d = &c->d[dir];
	struct dirstate *peer = &c->d[1 - dir];
	tlsa_role_source src;
	if (o->r == SD_OK && tls13) {
		/* opened: the decrypted messages set the step */
		if (o->inner == 23)
			set_step(c, S_APPDATA);
		else if (o->inner == 22 && role_of(c, f, dir, &src) == TLSA_ROLE_SERVER &&
			 !peer->finished)
			set_step(c, S_SERVER_FLIGHT);
	} else if (tls13) {
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
}

/* Type 23: application data, or TLS 1.3's protected records of every kind. */
static void record_appdata(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			   const struct tlsa_pktinfo *pkt, bool tls13, const struct opened *o)
{
	struct dirstate *d = &c->d[dir];
	if (o->r == SD_OK && (tls13 || o->early) && o->inner == 21) {
		ses_emit_decrypted(t, c, f, dir, d->rver, d->rlen, t->dbuf, o->plen, 0, d->nrec - 1,
				   pkt, 23);
		if (o->early)
			d->n_enc++; /* 0-RTT: where the early sequence numbers go on */
		return;
	}
	if (o->r == SD_OK && tls13 && o->inner == 22)
		decrypted_hs13(t, c, f, dir, pkt, o);
	d->n_enc++;
	if (c->d[1 - dir].n_enc > 0)
		d->n_enc_after_peer++;
	appdata_step(c, f, dir, tls13, o);
	if (!(o->r == SD_OK && o->inner == 22))
		hist_add(c, dir, 'A');
}

/* After every record: the handshake buffer given back once the plaintext
 * handshake is over, and the record kept as the last one for inference. */
static void record_keep(struct tlsa_tracker *t, struct conn *c, int dir,
			const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	if (d->hs != NULL && d->hs_len == 0 && d->hs_skip == 0 &&
	    (d->rtype == 20 || d->rtype == 23)) {
		/* plaintext handshake over for this direction: give the buffer back */
		hs_mem_give(t, c, d->hs_cap);
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

/* A whole record has been read (bodies of alerts in d->abuf). */
static void record_end(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	bool tls13 = is_tls13(c);
	struct opened o = {SD_NONE, 0, 0, false};

	t->st.records++;
	if (t->o.on_record != NULL && d->rec_copy)
		record_hook(t, c, f, dir, pkt);
	record_open(t, c, f, dir, pkt, &o);
	d->dec_last = o.r == SD_OK || o.r == SD_AUTH;
	switch (d->rtype) {
	case 20: record_ccs(c, dir, tls13); break;
	case 21: record_alert(t, c, f, dir, pkt, tls13, &o); break;
	case 22: record_protected_hs(c, dir, tls13); break;
	case 23: record_appdata(t, c, f, dir, pkt, tls13, &o); break;
	default: hist_add(c, dir, 'B'); break; /* heartbeat and later types */
	}
	record_keep(t, c, dir, pkt);
}

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
bool ses_confirmed_header(const uint8_t *p, size_t n, bool allow_open)
{
	if (n < 5 || !header_plausible(p))
		return false;
	size_t end = 5 + ((size_t)p[3] << 8 | p[4]);
	if (end == n)
		return true;
	if (end < n) {
		if (n - end >= 5)
			return header_plausible(p + end);
		/* a partial next header: its first bytes must fit */
		return p[end] >= 20 && p[end] <= 26 && (n - end < 2 || p[end + 1] == 3);
	}
	return allow_open;
}

static void resync_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	for (size_t i = 0; i + 5 <= n; i++) {
		if (ses_confirmed_header(p + i, n - i, i == 0 && p[0] == 23)) {
			t->st.resyncs++;
			d->mode = M_TLS;
			ses_tls_bytes(t, c, f, dir, p + i, n - i, pkt);
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

/* A plausible header is in d->hdr: the record begins.  Its bytes are copied
 * for the on_record hook and for records the key log may open. */
static void record_begin(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	d->rtype = d->hdr[0];
	d->rver = (uint16_t)(d->hdr[1] << 8 | d->hdr[2]);
	d->rlen = (uint32_t)(d->hdr[3] << 8 | d->hdr[4]);
	d->rgot = 0;
	d->in_body = true;
	record_start(c, dir);
	d->rec_copy = t->o.on_record != NULL;
	d->rec_bad = false;
	if (t->kl != NULL) {
		struct tlsa_keylog_entry buf;
		if (c->dec_state != DEC_ACTIVE)
			ses_dec_prepare(t, c, f, pkt);
		if (c->dec != NULL && sdec_want(c->dec, dir, d->rtype, d->rlen, t->o.decrypt_all)) {
			d->rec_copy = true;
		} else if (early_entry(t, c, dir, &buf) != NULL) {
			d->rec_copy = true; /* 0-RTT, opened at its end */
			memset(&buf, 0, sizeof(buf));
		}
	}
	if (d->rec_copy && d->rec == NULL && (d->rec = malloc(5 + MAX_RECORD)) == NULL)
		d->rec_copy = false;
	if (d->rec_copy)
		memcpy(d->rec, d->hdr, 5);
}

void ses_tls_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
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
			if (!header_plausible(d->hdr)) {
				char msg[128];
				snprintf(msg, sizeof(msg),
					 "bytes %02x %02x %02x %02x %02x are not a TLS record "
					 "header; looking for the next record",
					 d->hdr[0], d->hdr[1], d->hdr[2], d->hdr[3], d->hdr[4]);
				lose_sync(t, c, dir, pkt, msg);
				resync_bytes(t, c, f, dir, p, n, pkt);
				return;
			}
			record_begin(t, c, f, dir, pkt);
		}
		uint32_t want = d->rlen - d->rgot;
		uint32_t k = n < want ? (uint32_t)n : want;
		if (d->rec_copy)
			memcpy(d->rec + 5 + d->rgot, p, k);
		if (d->rtype == 21) {
			for (uint32_t i = 0; i < k && d->rgot + i < sizeof(d->abuf); i++)
				d->abuf[d->rgot + i] = p[i];
		} else if (d->rtype == 22 && !(d->ccs && !tls13)) {
			ses_handshake_bytes(t, c, f, dir, p, k, pkt);
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

/* ------------------------------------------------------- TCP callbacks */

void ses_tcp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
		  const struct tlsa_pktinfo *pkt)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = conn_get(t, f, pkt);
	if (c == NULL || (dir != 0 && dir != 1) || len == 0)
		return;
	t->st.bytes += len;
	if (pkt->frame > c->last_frame)
		c->last_frame =
			pkt->frame; /* bytes after a lost hole come with their older frame */
	struct dirstate *d = &c->d[dir];
	switch (d->mode) {
	case M_TLS: ses_tls_bytes(t, c, f, dir, data, len, pkt); break;
	case M_PLAIN: ses_plain_bytes(t, c, f, dir, data, len, pkt); break;
	case M_RESYNC: resync_bytes(t, c, f, dir, data, len, pkt); break;
	case M_OFF: break;
	}
}

void ses_tcp_gap(void *ctx, struct tlsa_flow *f, int dir, uint64_t missing,
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
