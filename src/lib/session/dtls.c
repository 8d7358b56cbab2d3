/*
 * DTLS in the session tracker: a UDP datagram made of whole DTLS records is
 * taken record by record (handshake fragments that start a message, alerts,
 * ChangeCipherSpec, protected records counted); DTLS 1.3 protected records
 * with unified headers are only counted.
 */
#include <stdio.h>

#include "base/rd.h"
#include "session_int.h"

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

/* One DTLS record with its 13-byte header. */
struct drec {
	uint8_t type;
	uint16_t ver, epoch;
	uint64_t seq;
	const uint8_t *rec; /* the record, header included */
	struct rd body;	    /* its body */
	size_t blen;
};

/* The first datagram that looks like DTLS turns the flow into a DTLS
 * connection, unless earlier datagrams went by without one. */
static bool dtls_start(struct tlsa_tracker *t, struct conn *c, bool hs_or_alert)
{
	if (c->dtls)
		return true;
	if ((!hs_or_alert && c->d[0].segs + c->d[1].segs > 0) || !ses_need_hs(t, c))
		return false;
	c->dtls = true;
	if (!c->tls) {
		c->tls = true;
		t->st.tls_flows++;
	}
	return true;
}

/* The record, for the on_record hook. */
static void dtls_hook(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		      const struct tlsa_pktinfo *pkt, const struct drec *r)
{
	tlsa_role_source src;
	struct tlsa_record_event re = {
		.pkt = pkt,
		.flow = f,
		.dir = dir,
		.sender = role_of(c, f, dir, &src),
		.dtls = true,
		.type = r->type,
		.version = r->ver,
		.record = r->rec,
		.len = 13 + r->blen,
		.seq = r->seq,
		.epoch = r->epoch,
		.after_ccs = c->d[dir].ccs,
		.hs = c->hs,
		.conn_user = &c->user,
	};
	t->o.on_record(t->o.ctx, &re);
}

/* Opens a protected alert or handshake record (every one with decrypt_all);
 * the plaintext goes to t->dbuf[0..*plen). */
static enum sdec_result dtls_open(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f,
				  int dir, const struct tlsa_pktinfo *pkt, const struct drec *r,
				  size_t *plen, uint8_t *inner)
{
	enum sdec_result dres = SD_NONE;
	if (t->kl == NULL || r->epoch == 0)
		return dres;
	if (c->dec_state != DEC_ACTIVE)
		ses_dec_prepare(t, c, f, pkt);
	if (c->dec != NULL && (r->type == 21 || r->type == 22 || t->o.decrypt_all)) {
		dres = sdec_dtls_record(c->dec, dir, r->rec, 13 + r->blen, r->epoch, t->dbuf,
					DBUF_CAP, plen, inner);
		ses_dec_outcome(t, c, f, dir, dres, r->type, r->seq, pkt);
	}
	return dres;
}

#define DTLS_NOTICE_LIMIT 20

/* A fragment that ends past its message or its record: counted, and told (the first
 * DTLS_NOTICE_LIMIT of them, then once that the rest are not shown). */
static void dtls_frag_invalid(struct tlsa_tracker *t, const struct tlsa_pktinfo *pkt, uint32_t off,
			      uint32_t flen, uint32_t mlen)
{
	t->st.dtls_frags_invalid++;
	if (t->dtls_notices > DTLS_NOTICE_LIMIT)
		return;
	char msg[160];
	if (t->dtls_notices++ == DTLS_NOTICE_LIMIT)
		snprintf(msg, sizeof(msg), "further notices of this kind are not shown");
	else
		snprintf(msg, sizeof(msg),
			 "invalid DTLS handshake fragment (offset %u, length %u, message length "
			 "%u); ignored",
			 off, flen, mlen);
	notice(t, pkt, msg);
}

/* A plaintext handshake record: every fragment that starts a message gives
 * that message (whole when the fragment is). */
static void dtls_handshake(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			   const struct tlsa_pktinfo *pkt, struct rd body)
{
	while (rd_left(&body) >= 12) {
		uint8_t mt = rd_u8(&body);
		uint32_t mlen = rd_u24(&body);
		(void)rd_u16(&body);
		uint32_t off = rd_u24(&body);
		uint32_t flen = rd_u24(&body);
		const uint8_t *frag = rd_bytes(&body, flen);
		if (frag == NULL || (uint64_t)off + flen > mlen) {
			dtls_frag_invalid(t, pkt, off, flen, mlen);
			break;
		}
		bool whole = off == 0 && flen == mlen;
		if (off == 0)
			ses_handshake_msg(t, c, f, dir, mt, frag, flen, whole, pkt);
	}
}

/* One record of the datagram: the hook, decryption, then what its type tells. */
static void dtls_record(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			const struct tlsa_pktinfo *pkt, const struct drec *r)
{
	struct dirstate *d = &c->d[dir];
	d->nrec++;
	t->st.records++;
	if (t->o.on_record != NULL)
		dtls_hook(t, c, f, dir, pkt, r);
	size_t plen = 0;
	uint8_t inner = 0;
	enum sdec_result dres = dtls_open(t, c, f, dir, pkt, r, &plen, &inner);
	uint32_t blen = (uint32_t)r->blen;
	if (r->type == 21 && dres == SD_OK && inner == 21) {
		ses_emit_decrypted(t, c, f, dir, r->ver, blen, t->dbuf, plen, r->epoch, r->seq, pkt,
				   21);
	} else if (r->type == 21) {
		bool enc = r->epoch > 0 || blen != 2;
		ses_emit_record_alert(t, c, f, dir, r->ver, blen, r->body.p, enc, r->epoch, r->seq,
				      pkt, 21, false);
	} else if (r->type == 22 && r->epoch == 0) {
		dtls_handshake(t, c, f, dir, pkt, r->body);
	} else if (r->type == 22) {
		hist_add(c, dir, d->finished ? 'E' : 'F');
		d->finished = true;
		set_step(c, S_FINISHED);
	} else if (r->type == 20) {
		hist_add(c, dir, 'X');
		if (t->kl != NULL && c->dec_state != DEC_ACTIVE)
			ses_dec_prepare(t, c, f, pkt);
		if (c->dec != NULL && r->epoch == 0)
			sdec_ccs(c->dec, dir);
		d->ccs = true;
		set_step(c, S_CCS);
	} else if (r->type == 23) {
		d->n_enc++;
		hist_add(c, dir, 'A');
		set_step(c, S_APPDATA);
	}
}

void ses_dtls_datagram(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	bool hs_or_alert;
	if (!dtls_datagram_ok(p, n, &hs_or_alert) || !dtls_start(t, c, hs_or_alert))
		return;
	struct rd r = rd_init(p, n);
	while (rd_left(&r) > 0) {
		struct drec dr;
		dr.rec = r.p;
		dr.type = rd_u8(&r);
		if ((dr.type & 0xe0) == 0x20) {
			/* DTLS 1.3 protected record: counted, not opened */
			hist_add(c, dir, 'A');
			c->d[dir].nrec++;
			t->st.records++;
			break;
		}
		dr.ver = rd_u16(&r);
		dr.epoch = rd_u16(&r);
		dr.seq = rd_u48(&r);
		dr.body = rd_block(&r, 2);
		if (!rd_ok(&r))
			return;
		dr.blen = rd_left(&dr.body);
		dtls_record(t, c, f, dir, pkt, &dr);
	}
}
