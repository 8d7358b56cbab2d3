/*
 * Where TLS starts in a TCP stream: every direction begins in plaintext
 * mode, and its first segments (or those after a STARTTLS-style request, the
 * peer's TLS start or a gap) are judged: a hello, a plausible record header
 * with its end confirmed, an SSL 2.0-format ClientHello, or a record
 * boundary inside a connection the capture joined late.  A direction that
 * shows none within its budget is no longer watched.
 */
#include <stdlib.h>
#include <string.h>

#include "session_int.h"

/* A ClientHello or ServerHello at the start of p: the strongest sign of TLS. */
static bool hello_start(const uint8_t *p, size_t n)
{
	if (n < 6 || p[0] != 22 || !header_plausible(p) || (p[5] != 1 && p[5] != 2))
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
bool ses_need_hs(struct tlsa_tracker *t, struct conn *c)
{
	if (c->hs == NULL)
		c->hs = &t->hs_blank;
	return true;
}

struct tlsa_hs_facts *ses_hs_w(struct tlsa_tracker *t, struct conn *c)
{
	if (c->hs == NULL || c->hs == &t->hs_blank) {
		struct tlsa_hs_facts *hs = malloc(sizeof(*hs));
		if (hs == NULL)
			return NULL;
		*hs = t->hs_blank;
		c->hs = hs;
	}
	return c->hs;
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
	if (!ses_need_hs(t, c)) {
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

/* Not enough bytes to tell a record header (and a hello's type) apart. */
static bool too_short(const uint8_t *p, size_t n)
{
	return n < 5 || (p[0] == 22 && n < 6);
}

/* An SSL 2.0-format ClientHello (sslv2_hello() said so); TLS records follow
 * it.  False when it does not parse: the segment is judged as others are. */
static bool sslv2_start(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	size_t rlen = 2 + (((size_t)p[0] & 0x7f) << 8 | p[1]);
	struct tlsa_error err;
	struct tlsa_hs_facts *hs = ses_need_hs(t, c) ? ses_hs_w(t, c) : NULL;
	if (hs == NULL || tlsa_parse_sslv2_client_hello(p, rlen, hs, &err) != 0)
		return false;
	if (c->ch_dir < 0)
		c->ch_dir = dir;
	hist_add(c, dir, 'H');
	set_step(c, S_CLIENT_HELLO);
	if (!start_tls(t, c, dir))
		return true;
	c->d[dir].nrec++;
	if (rlen < n)
		ses_tls_bytes(t, c, f, dir, p + rlen, n - rlen, pkt);
	return true;
}

/* The capture began mid-connection: TLS from the first record boundary of
 * the first segment, if one is found. */
static bool midstream_start(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			    const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	for (size_t i = 1; i + 5 <= n; i++) {
		if (ses_confirmed_header(p + i, n - i, false)) {
			t->st.resyncs++;
			if (start_tls(t, c, dir))
				ses_tls_bytes(t, c, f, dir, p + i, n - i, pkt);
			return true;
		}
	}
	return false;
}

/* The protocol of a STARTTLS-style request in a client segment, or NULL; the
 * bare "STARTTLS" verb is named by the server's port. */
static const char *starttls_proto(const struct conn *c, const struct tlsa_flow *f, const uint8_t *p,
				  size_t n)
{
	const char *proto = tlsa_starttls_request(p, n);
	if (proto == NULL || strcmp(proto, "starttls") != 0)
		return proto;
	tlsa_role_source src;
	int cd = client_dir(c, f, &src);
	uint16_t sp = cd >= 0 ? f->port[1 - cd] : 0;
	return sp == 119 || sp == 433	  ? "nntp"
	       : sp == 6667 || sp == 6697 ? "irc"
	       : sp == 4190		  ? "sieve"
					  : "smtp";
}

/*
 * The first segment of a direction that did not start TLS: when it begins with a line of
 * text (at least three printable ASCII characters, then a line end or the end of the
 * segment), keep that line for the connection's summary, in case this side turns out
 * to have answered a ClientHello in plain text (an HTTP status line, a mail or SSH
 * banner).  Only the first such direction is kept; it costs one pass over one line.
 */
static void keep_first_line(struct conn *c, int dir, const uint8_t *p, size_t n,
			    const struct tlsa_pktinfo *pkt)
{
	size_t k = 0, max = TLSA_PLAINTEXT_MAX;

	if (c->plain_dir >= 0)
		return;
	while (k < n && p[k] != '\n' && !(p[k] == '\r' && (k + 1 == n || p[k + 1] == '\n'))) {
		if ((p[k] < 0x20 || p[k] > 0x7e) && p[k] != '\t')
			return; /* a control or 8-bit byte: not a line of text */
		k++;
	}
	if (k < 3)
		return;
	size_t w = k <= max ? k : max - 3;
	char *out = malloc(max + 1);
	if (out == NULL)
		return;
	for (size_t i = 0; i < w; i++)
		out[i] = p[i] == '\t' ? ' ' : (char)p[i];
	if (w < k) {
		memcpy(out + w, "...", 3);
		w += 3;
	}
	out[w] = '\0';
	c->plaintext = out;
	c->plaintext_frame = pkt->frame;
	c->plain_dir = dir;
}

/* One segment (after bytes kept from earlier ones, pend[0..npend)) of a
 * plaintext direction: does TLS start here? */
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
	if (watch && npend == 0 && sslv2_hello(c, dir, p, n) &&
	    sslv2_start(t, c, f, dir, p, n, pkt))
		return;
	if (watch) {
		bool ok = hello_start(q, nq);
		if (!ok && (first || d->armed || d->after_gap))
			ok = (npend == 0 && ses_confirmed_header(q, nq, first && f->syn_dir < 0)) ||
			     (nq >= 5 && header_plausible(q) && (q[0] == 22 || q[0] == 21));
		if (ok) {
			if (!start_tls(t, c, dir))
				return;
			if (npend > 0)
				ses_tls_bytes(t, c, f, dir, pend, npend, pkt);
			ses_tls_bytes(t, c, f, dir, p, n, pkt);
			return;
		}
		if (first && f->syn_dir < 0 && npend == 0 && n >= 10 &&
		    midstream_start(t, c, f, dir, p, n, pkt))
			return;
		if (d->plain_seen < (64u << 10) && npend == 0) {
			const char *proto = starttls_proto(c, f, p, n);
			if (proto != NULL) {
				c->starttls = proto;
				c->d[1 - dir].armed = true;
				d->plain_seen += npend + n;
				d->armed = true; /* for the next segment */
				d->after_gap = false;
				return;
			}
		}
	}
	if (first)
		keep_first_line(c, dir, q, nq, pkt);
	d->armed = false;
	d->after_gap = false;
	d->plain_seen += npend + n;
	if (d->plain_seen >= PLAIN_BUDGET && !d->armed && c->d[1 - dir].mode != M_TLS)
		d->mode = M_OFF;
}

void ses_plain_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
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
