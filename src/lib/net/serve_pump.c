/*
 * The records of a `serve` connection as they pass: libssl's output framed
 * and (where protected) opened with its own secrets, so the engine knows
 * which handshake message ends where and the sequence number of each
 * epoch; the cut at the step (a record holding the step's boundary is
 * re-framed, or re-sealed at its own sequence number); the peer's records
 * opened the same way (its hellos, its flight, its reaction); the alert
 * records in the chosen shape.
 */
#include <openssl/bio.h>
#include <stdio.h>
#include <string.h>

#include "serve_int.h"

/* SHA-256("HelloRetryRequest"): the random of a HelloRetryRequest (RFC 8446 4.1.3) */
static const uint8_t hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
				       0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
				       0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
				       0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

#define MAX_RECORD (16384 + 2048)

static size_t get16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

/* the record header: 5 bytes, DTLS 13 (type, version, epoch, sequence number, length) */
static size_t hdr(const struct serve_conn *c)
{
	return c->dtls ? 13 : 5;
}

static uint64_t get48(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

static void put48(uint8_t *p, uint64_t v)
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static bool tls13(const struct serve_conn *c)
{
	return c->keys.version == 0x0304;
}

bool serve_tx_add(struct serve_conn *c, const uint8_t *p, size_t n)
{
	if (n > SERVE_BUF_CAP - c->tx_len) {
		c->overflow = true;
		return false;
	}
	memcpy(c->tx + c->tx_len, p, n);
	c->tx_len += n;
	return true;
}

static void enter(struct serve_conn *c, struct serve_dir *d, int epoch)
{
	if (d->mine)
		c->shift = 0; /* the alert records were in the epoch before */
	if (serve_dir_enter(d, &c->keys, epoch) != 0 && c->r->detail[0] == '\0')
		snprintf(c->r->detail, sizeof(c->r->detail),
			 "no keys for the %s's epoch %d (suite 0x%04x)",
			 d->client ? "client" : "server", epoch, c->keys.suite);
}

/* The hellos: facts, version, suite, randoms. */
static void hello(struct serve_conn *c, bool mine, unsigned t, const uint8_t *b, size_t n)
{
	struct tlsa_serve_result *r = c->r;
	if (t == 1 && !r->hs.client_hello) {
		tlsa_parse_client_hello(b, n, c->dtls, &r->hs, NULL);
		snprintf(r->sni, sizeof(r->sni), "%s", r->hs.sni);
		for (size_t i = 0; i < r->hs.n_versions_offered; i++) {
			uint16_t v = r->hs.versions_offered[i];
			if ((v & 0x0f0f) != 0x0a0a && v > r->max_version_offered && v < 0x0400)
				r->max_version_offered = v;
		}
		return;
	}
	if (t != 2 || n < 34)
		return;
	c->hrr = memcmp(b + 2, hrr_random, 32) == 0;
	if (c->hrr)
		return;
	r->hs.server_hello = false; /* the real one after a HelloRetryRequest */
	tlsa_parse_server_hello(b, n, c->dtls, &r->hs, NULL);
	r->version = c->keys.version = r->hs.version_selected;
	r->suite = c->keys.suite = r->hs.suite_selected;
	memcpy(c->keys.client_random, r->hs.client_random, 32);
	memcpy(c->keys.server_random, r->hs.server_random, 32);
	c->keys.have_randoms = true;
	/* TLS 1.3: the receiver protects its next records at once, the sender after
	   the ServerHello's record */
	if (tls13(c))
		enter(c, mine ? &c->peer : &c->mine, 1);
	(void)mine;
}

/* Does our message of type t end at the step? */
static bool step_after(const struct serve_conn *c, unsigned t)
{
	bool v13 = tls13(c);
	switch (c->o->step) {
	case TLSA_STEP_SERVER_HELLO: return !c->client && t == 2 && !c->hrr;
	case TLSA_STEP_SERVER_CERTIFICATE: return !c->client && t == 11;
	case TLSA_STEP_SERVER_KEY_EXCHANGE: return !c->client && t == (v13 ? 15u : 12u);
	case TLSA_STEP_CERTIFICATE_REQUEST: return !c->client && t == 13;
	case TLSA_STEP_SERVER_HELLO_DONE: return !c->client && t == (v13 ? 20u : 14u);
	case TLSA_STEP_CLIENT_CERTIFICATE: return c->client && t == 11;
	case TLSA_STEP_CLIENT_KEY_EXCHANGE: return c->client && t == 16;
	default: return false;
	}
}

/* Does the peer's message of type t reach the step (an alert instead of our answer)? */
static bool step_on_peer(const struct serve_conn *c, unsigned t)
{
	if (c->o->step == TLSA_STEP_CLIENT_HELLO && !c->client)
		return t == 1;
	if (c->o->step == TLSA_STEP_CLIENT_CERTIFICATE && !c->client)
		return t == 11 || t == 16 || t == 15 || (t == 20 && tls13(c));
	if (c->o->step == TLSA_STEP_SERVER_HELLO_DONE && c->client)
		return t == (tls13(c) ? 20u : 14u);
	return false;
}

/*
 * The handshake messages of one record's plaintext: calls hello() for
 * whole hellos, returns where the step's cut falls (SIZE_MAX: none) for our
 * messages, sets *fin when a Finished ends here.
 */
static size_t messages(struct serve_conn *c, struct serve_dir *d, const uint8_t *p, size_t n,
		       bool *fin)
{
	size_t off = 0;
	if (d->msg_left > 0) { /* the rest of a message begun in an earlier record */
		size_t k = d->msg_left < n ? d->msg_left : n;
		d->msg_left -= (uint32_t)k;
		off = k;
	}
	size_t mh = c->dtls ? 12 : 4;
	while (off + mh <= n) {
		unsigned t = p[off];
		/* DTLS: this fragment's length (libssl fragments only past the MTU) */
		size_t len = c->dtls ? (size_t)p[off + 9] << 16 | get16(p + off + 10)
				     : (size_t)p[off + 1] << 16 | get16(p + off + 2);
		size_t end = off + mh + len;
		if (end > n) {
			d->msg_left = (uint32_t)(end - n);
			return SIZE_MAX;
		}
		if (t == 1 || t == 2)
			hello(c, d->mine, t, p + off + mh, len);
		if (t == 20)
			*fin = true;
		if (d->mine && !c->after_alert && step_after(c, t))
			return end;
		if (!d->mine && !c->after_alert && step_on_peer(c, t))
			c->trigger = true;
		off = end;
	}
	return SIZE_MAX;
}

/* Opens rec with d when its epoch protects it: *plain, *n, *inner; false if it cannot. */
static bool open_record(struct serve_conn *c, struct serve_dir *d, const uint8_t *rec, size_t rl,
			const uint8_t **plain, size_t *n, uint8_t *inner, bool *prot)
{
	*prot = c->dtls ? get16(rec + 3) > 0 : d->epoch > 0 && (!tls13(c) || rec[0] == 23);
	if (c->dtls && d->mine) { /* the next sequence number of the record's epoch */
		uint64_t sq = get48(rec + 5) + 1;
		int ep = get16(rec + 3) > 0;
		if (sq > c->dtls_next[ep])
			c->dtls_next[ep] = sq;
	}
	if (!*prot) {
		*plain = rec + hdr(c);
		*n = rl - hdr(c);
		*inner = rec[0];
		return true;
	}
	if (!d->keyed) {
		enter(c, d, d->epoch);
		if (!d->keyed)
			return false;
	}
	if (tlsa_dir_decrypt(&d->d, rec, rl, c->scratch, MAX_RECORD, n, inner, NULL) != 0)
		return false;
	*plain = c->scratch;
	return true;
}

/* One record of ours: to tx whole, or cut at the step. */
static void my_record(struct serve_conn *c, const uint8_t *rec, size_t rl)
{
	struct serve_dir *d = &c->mine;
	const uint8_t *plain;
	size_t n;
	uint8_t inner;
	bool prot, fin = false;
	uint64_t seq = d->d.seq;
	if (!open_record(c, d, rec, rl, &plain, &n, &inner, &prot)) {
		serve_tx_add(c, rec, rl); /* cannot happen with our own keys; pass it on */
		return;
	}
	size_t cut = SIZE_MAX;
	int next = -1;
	if (inner == 22)
		cut = messages(c, d, plain, n, &fin);
	if (fin && tls13(c))
		next = 2;
	if (inner == 20 && !tls13(c)) {
		next = 2;
		if (c->o->step == TLSA_STEP_CHANGE_CIPHER_SPEC)
			cut = n;
	}
	if (c->mine.epoch == 0 && tls13(c) && inner == 22 && c->r->hs.server_hello && !c->client &&
	    next < 0 && c->keys.hs_len[1] > 0)
		next = 1; /* our ServerHello went out in this record */
	if (prot && c->shift > 0) {
		/* after our alert records: the same record, numbered after them */
		uint8_t out[MAX_RECORD];
		size_t ol;
		d->d.seq = seq + c->shift;
		if (serve_seal(d, inner, plain, n, out, sizeof(out), &ol) == 0)
			serve_tx_add(c, out, ol);
		d->d.seq = seq + 1;
	} else if (cut == SIZE_MAX || cut == n) {
		serve_tx_add(c, rec, rl);
	} else if (!prot) {
		uint8_t h[13];
		size_t hl = hdr(c);
		memcpy(h, rec, hl - 2);
		h[hl - 2] = (uint8_t)(cut >> 8);
		h[hl - 1] = (uint8_t)cut;
		serve_tx_add(c, h, hl);
		serve_tx_add(c, plain, cut);
	} else {
		uint8_t out[MAX_RECORD];
		size_t ol;
		uint8_t keep[MAX_RECORD];
		memcpy(keep, plain, cut);
		/* the cut record takes the place of the whole one */
		d->d.seq = c->dtls ? get48(rec + 5) : seq;
		if (serve_seal(d, inner, keep, cut, out, sizeof(out), &ol) == 0)
			serve_tx_add(c, out, ol);
	}
	if (cut != SIZE_MAX)
		c->cut = true;
	if (next >= 0 && !(cut != SIZE_MAX && cut < n && next == 2 && !fin))
		enter(c, d, next);
}

bool serve_out_pump(struct serve_conn *c)
{
	BIO *w = c->wbio;
	for (;;) {
		if (c->wout_len == SERVE_BUF_CAP) {
			c->overflow = true;
			break;
		}
		int k = BIO_read(w, c->wout + c->wout_len, (int)(SERVE_BUF_CAP - c->wout_len));
		if (k <= 0)
			break;
		c->wout_len += (size_t)k;
	}
	size_t off = 0;
	while (!c->cut && c->wout_len - off >= hdr(c)) {
		size_t rl = hdr(c) + get16(c->wout + off + hdr(c) - 2);
		if (c->wout_len - off < rl)
			break;
		my_record(c, c->wout + off, rl);
		off += rl;
		/* TLS 1.3 after the ServerHello: its compatibility CCS goes too */
		if (c->cut && c->o->step == TLSA_STEP_SERVER_HELLO && c->wout_len - off >= 6 &&
		    c->wout[off] == 20) {
			serve_tx_add(c, c->wout + off, 6);
			off += 6;
		}
	}
	/* what libssl wrote after the step stays: it goes out only if the connection
	   carries on after a warning */
	memmove(c->wout, c->wout + off, c->wout_len - off);
	c->wout_len -= off;
	return c->cut;
}

/* One record of the peer's before our alert (after it, tlsa_reaction reads them). */
static void peer_record(struct serve_conn *c, const uint8_t *rec, size_t rl)
{
	struct serve_dir *d = &c->peer;
	const uint8_t *plain;
	size_t n;
	uint8_t inner;
	bool prot, fin = false;
	if (!open_record(c, d, rec, rl, &plain, &n, &inner, &prot))
		return;
	if (inner == 21 && n >= 2 && c->peer_level < 0) {
		c->peer_level = plain[0];
		c->peer_code = plain[1];
	}
	if (inner == 22)
		messages(c, d, plain, n, &fin);
	if (fin && tls13(c))
		enter(c, d, 2);
	else if (inner == 20 && !tls13(c))
		enter(c, d, 2);
	else if (d->epoch == 0 && tls13(c) && c->client && c->r->hs.server_hello && inner == 22)
		enter(c, d, 1); /* the server's ServerHello: its next records are protected */
}

void serve_in_pump(struct serve_conn *c)
{
	size_t off = 0;
	while (!c->unframed && c->rin_len - off >= hdr(c)) {
		const uint8_t *h = c->rin + off;
		size_t rl = hdr(c) + get16(h + hdr(c) - 2);
		if (h[0] < 20 || h[0] > 24 || h[1] != (c->dtls ? 0xfe : 3) || rl > MAX_RECORD) {
			c->unframed = true; /* not TLS records any more */
			break;
		}
		if (c->rin_len - off < rl)
			break;
		peer_record(c, h, rl);
		off += rl;
	}
	if (c->unframed)
		off = c->rin_len;
	memmove(c->rin, c->rin + off, c->rin_len - off);
	c->rin_len -= off;
}

/* one alert record over payload[0..n) into out */
static int alert_record(struct serve_conn *c, const uint8_t *payload, size_t n, uint8_t *out,
			size_t cap, size_t *len)
{
	bool prot = c->mine.epoch > 0 && !c->o->alert.plaintext;
	if (prot) {
		if (!c->mine.keyed)
			enter(c, &c->mine, c->mine.epoch);
		/* d.seq stays libssl's numbering (its next record is opened with it and
		   re-sealed `shift` numbers on): the alert records take the numbers after
		   the ones already sent */
		uint64_t next = c->mine.d.seq;
		c->mine.d.seq = c->dtls ? c->dtls_next[1]++ : next + c->shift;
		if (c->r->alert_records == 0)
			c->r->alert_seq = c->mine.d.seq;
		int rc = serve_seal(&c->mine, 21, payload, n, out, cap, len);
		c->mine.d.seq = next;
		if (rc != 0)
			return rc;
		c->shift++;
	} else {
		size_t hl = hdr(c);
		if (cap < hl + n)
			return TLSA_ELIMIT;
		out[0] = 21;
		out[1] = c->dtls ? 0xfe : 3;
		out[2] = c->dtls ? 0xfd : 3;
		if (c->dtls) { /* epoch 0, after libssl's last plaintext record */
			out[3] = out[4] = 0;
			if (c->r->alert_records == 0)
				c->r->alert_seq = c->dtls_next[0];
			put48(out + 5, c->dtls_next[0]++);
		}
		out[hl - 2] = (uint8_t)(n >> 8);
		out[hl - 1] = (uint8_t)n;
		memcpy(out + hl, payload, n);
		*len = hl + n;
	}
	c->r->alert_encrypted = prot;
	c->r->alert_records++;
	return 0;
}

int serve_alert_records(struct serve_conn *c, uint8_t *out, size_t cap, size_t *len, size_t *split)
{
	const struct tlsa_serve_alert *a = &c->o->alert;
	uint8_t two[4] = {a->level, a->code, a->level, a->code};
	size_t at = 0, l;
	int rc = 0;
	*split = 0;
	switch (a->shape) {
	case TLSA_SHAPE_FRAGMENTED:
		rc = alert_record(c, two, 1, out, cap, &l);
		at += l;
		if (rc == 0)
			rc = alert_record(c, two + 1, 1, out + at, cap - at, &l);
		break;
	case TLSA_SHAPE_DOUBLE: rc = alert_record(c, two, 4, out, cap, &l); break;
	case TLSA_SHAPE_EMPTY: rc = alert_record(c, two, 0, out, cap, &l); break;
	case TLSA_SHAPE_REPEAT: {
		unsigned n = a->repeat == 0			 ? 1
			     : a->repeat > TLSA_SERVE_REPEAT_MAX ? TLSA_SERVE_REPEAT_MAX
								 : a->repeat;
		for (unsigned i = 0; i < n && rc == 0; i++) {
			rc = alert_record(c, two, 2, out + at, cap - at, &l);
			if (rc == 0 && i + 1 < n)
				at += l;
		}
		break;
	}
	default:
		rc = alert_record(c, two, 2, out, cap, &l);
		if (a->shape == TLSA_SHAPE_SPLIT)
			*split = l / 2;
		break;
	}
	if (rc != 0)
		return rc;
	*len = at + l;
	return 0;
}
