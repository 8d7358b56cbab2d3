/*
 * The peer's reaction after `serve` sent its alert: frames the bytes it sends
 * into records (TLS: a stream in any chunking; DTLS: one datagram per feed),
 * opens the protected ones with its direction state, and counts what it
 * sent.  reaction_judge.c turns the counts into a kind and a verdict.
 *
 * Memory is constant: one record buffer and one plaintext buffer of
 * TLSA_REACTION_RECORD_MAX bytes each.  A record longer than that is counted
 * as oversized and its bytes are skipped as they come; a header that is not
 * TLS ends the framing of a stream (everything after it counts as garbage:
 * without a length to trust there is no next record to find).
 */
#include <stdlib.h>
#include <string.h>

#include "reaction_int.h"
#include "tlsalert/registry.h"

enum { TLS_HDR = 5, DTLS_HDR = 13 };

struct tlsa_reaction {
	struct tlsa_reaction_case c;
	struct tlsa_cipher_dir *cur, *next;
	bool dtls, tls13;
	bool protected_now; /* TLS 1.2: the peer's records are protected (after its CCS) */
	bool ended;
	bool lost;	/* the stream's framing is lost: the rest is garbage */
	bool has_carry; /* half an alert waits for its second byte */
	uint8_t carry;
	bool reacted;  /* the peer rejected: an ending alert, FIN or RST */
	unsigned sent; /* our alerts sent so far */
	unsigned sent_at_reaction;
	uint64_t t0;
	size_t have; /* bytes of the current record in rec[] */
	size_t skip; /* bytes of an oversized record still to pass over */
	struct react_counts n;
	struct tlsa_serve_reaction res;
	uint8_t rec[TLSA_REACTION_RECORD_MAX];
	uint8_t plain[TLSA_REACTION_RECORD_MAX];
};

struct tlsa_reaction *tlsa_reaction_new(const struct tlsa_reaction_case *c,
					struct tlsa_cipher_dir *cur, struct tlsa_cipher_dir *next,
					uint64_t sent_ms)
{
	struct tlsa_reaction *r = calloc(1, sizeof(*r));
	if (r == NULL || c == NULL) {
		free(r);
		return NULL;
	}
	r->c = *c;
	r->cur = cur;
	r->next = next;
	r->dtls = c->version == 0xfeff || c->version == 0xfefd || c->version == 0xfefc;
	r->tls13 = c->version == 0x0304;
	r->protected_now = c->peer_protected;
	r->t0 = sent_ms;
	r->sent = 1;
	r->res.first_byte_ms = r->res.alert_ms = r->res.end_ms = -1;
	r->res.first_handshake_type = -1;
	return r;
}

void tlsa_reaction_free(struct tlsa_reaction *r)
{
	free(r);
}

static int64_t since(const struct tlsa_reaction *r, uint64_t now)
{
	return now > r->t0 ? (int64_t)(now - r->t0) : 0;
}

static void rejected(struct tlsa_reaction *r)
{
	if (!r->reacted) {
		r->reacted = true;
		r->sent_at_reaction = r->sent;
	}
}

void tlsa_reaction_sent(struct tlsa_reaction *r, uint64_t now_ms)
{
	(void)now_ms;
	if (r != NULL && !r->ended && !r->reacted)
		r->sent++;
}

/* Handshake, CCS or application data: in flight when it came within the grace. */
static void data_record(struct tlsa_reaction *r, uint8_t type, uint64_t now)
{
	if (since(r, now) <= (int64_t)r->c.grace_ms) {
		r->res.inflight_records++;
		return;
	}
	r->res.continued_records++;
	if (type == 22)
		r->n.cont_hs++;
	else if (type == 23)
		r->n.cont_app++;
	else
		r->n.cont_ccs++;
}

static void one_alert(struct tlsa_reaction *r, uint8_t level, uint8_t code, bool enc, uint64_t now)
{
	struct tlsa_serve_reaction *s = &r->res;
	if (s->alerts++ == 0) {
		s->alert_level = level;
		s->alert_code = code;
		s->alert_encrypted = enc;
		s->alert_ms = since(r, now);
	}
	s->last_alert_level = level;
	s->last_alert_code = code;
	if (code == 0) {
		r->n.close_notify = true;
		rejected(r);
		return;
	}
	r->n.error_alert = true;
	/* A warning of TLS 1.2 may come with the peer going on; anything else ends. */
	if (level != 1 || r->tls13 || code == 90) {
		r->n.ending_alert = true;
		rejected(r);
	}
}

static void alerts(struct tlsa_reaction *r, const uint8_t *p, size_t n, bool enc, uint64_t now)
{
	r->res.alert_records++;
	size_t i = 0;
	if (r->has_carry && n > 0) {
		r->has_carry = false;
		one_alert(r, r->carry, p[0], enc, now);
		i = 1;
	}
	for (; i + 1 < n; i += 2)
		one_alert(r, p[i], p[i + 1], enc, now);
	if (i < n) {
		r->has_carry = true;
		r->carry = p[i];
	}
}

/* Opens a protected record with cur, else next (kept from then on).  A failed
 * try on next leaves its sequence number as it was. */
static bool open_record(struct tlsa_reaction *r, const uint8_t *rec, size_t n, size_t *plen,
			uint8_t *type)
{
	if (r->cur == NULL)
		return false;
	if (tlsa_dir_decrypt(r->cur, rec, n, r->plain, sizeof(r->plain), plen, type, NULL) == 0)
		return true;
	if (r->next == NULL)
		return false;
	uint64_t seq = r->next->seq;
	if (tlsa_dir_decrypt(r->next, rec, n, r->plain, sizeof(r->plain), plen, type, NULL) == 0) {
		r->cur = r->next;
		r->next = NULL;
		return true;
	}
	r->next->seq = seq;
	return false;
}

/* One record's content, opened. */
static void dispatch(struct tlsa_reaction *r, uint8_t type, const uint8_t *p, size_t plen,
		     bool prot, uint64_t now)
{
	struct tlsa_serve_reaction *s = &r->res;
	switch (type) {
	case 21: alerts(r, p, plen, prot, now); break;
	case 22:
		s->handshake_records++;
		if (s->first_handshake_type < 0 && plen > 0)
			s->first_handshake_type = p[0];
		data_record(r, type, now);
		break;
	case 23:
		s->appdata_records++;
		data_record(r, type, now);
		break;
	case 20:
		/* TLS 1.3's ChangeCipherSpec is a no-op for middleboxes, sent whenever
		 * (RFC 8446 5): it shows no progress.  Before 1.3 it moves the
		 * handshake on and turns protection on. */
		s->ccs_records++;
		if (r->tls13)
			break;
		if (!r->dtls)
			r->protected_now = true;
		data_record(r, type, now);
		break;
	default: s->other_records++; break;
	}
}

static void record(struct tlsa_reaction *r, const uint8_t *rec, size_t n, uint64_t now)
{
	size_t hdr = r->dtls ? DTLS_HDR : TLS_HDR;
	uint8_t type = rec[0];
	bool prot;
	r->res.records++;
	if (r->dtls)
		prot = (rec[3] << 8 | rec[4]) != 0;
	else if (r->tls13)
		prot = type == 23;
	else
		prot = r->protected_now;
	const uint8_t *p = rec + hdr;
	size_t plen = n - hdr;
	if (prot) {
		if (!open_record(r, rec, n, &plen, &type)) {
			r->res.undecryptable++;
			return;
		}
		p = r->plain;
	}
	dispatch(r, type, p, plen, prot, now);
}

/* Bytes the caller saw, whatever they turn out to be. */
static bool arrived(struct tlsa_reaction *r, size_t len, uint64_t now)
{
	if (r == NULL || r->ended || len == 0)
		return false;
	r->res.bytes += len;
	if (r->res.first_byte_ms < 0)
		r->res.first_byte_ms = since(r, now);
	return true;
}

void tlsa_reaction_record(struct tlsa_reaction *r, uint8_t type, const uint8_t *plain, size_t n,
			  bool prot, size_t wire_len, uint64_t now_ms)
{
	if (!arrived(r, wire_len, now_ms))
		return;
	r->res.records++;
	dispatch(r, type, plain, plain != NULL ? n : 0, prot, now_ms);
}

void tlsa_reaction_unreadable(struct tlsa_reaction *r, size_t wire_len, uint64_t now_ms)
{
	if (!arrived(r, wire_len, now_ms))
		return;
	r->res.records++;
	r->res.undecryptable++;
}

void tlsa_reaction_garbage(struct tlsa_reaction *r, size_t len, uint64_t now_ms)
{
	if (arrived(r, len, now_ms))
		r->res.garbage_bytes += len;
}

static bool header_ok(const struct tlsa_reaction *r, const uint8_t *h)
{
	if (h[0] < 20 || h[0] > 26)
		return false;
	if (r->dtls)
		return h[1] == 0xfe && (h[2] == 0xff || h[2] == 0xfd || h[2] == 0xfc);
	return h[1] == 3 && h[2] <= 4;
}

static size_t header_len(const struct tlsa_reaction *r, const uint8_t *h)
{
	size_t hdr = r->dtls ? DTLS_HDR : TLS_HDR;
	return hdr + (size_t)(h[hdr - 2] << 8 | h[hdr - 1]);
}

/* One datagram: whole records only, each inside it; a bad or cut one ends it. */
static void feed_datagram(struct tlsa_reaction *r, const uint8_t *d, size_t len, uint64_t now)
{
	size_t off = 0;
	while (len - off >= DTLS_HDR && header_ok(r, d + off)) {
		size_t total = header_len(r, d + off);
		if (total > len - off)
			break;
		record(r, d + off, total, now);
		off += total;
	}
	r->res.garbage_bytes += len - off;
}

/* The stream's states: framing lost (all garbage), skipping an oversized
 * record, gathering a header, gathering a body. */
static void feed_stream(struct tlsa_reaction *r, const uint8_t *d, size_t len, uint64_t now)
{
	while (len > 0) {
		if (r->lost) {
			r->res.garbage_bytes += len;
			return;
		}
		if (r->skip > 0) {
			size_t k = len < r->skip ? len : r->skip;
			r->skip -= k;
			d += k;
			len -= k;
			continue;
		}
		if (r->have < TLS_HDR) {
			size_t k = TLS_HDR - r->have < len ? TLS_HDR - r->have : len;
			memcpy(r->rec + r->have, d, k);
			r->have += k;
			d += k;
			len -= k;
			if (r->have < TLS_HDR)
				return;
			if (!header_ok(r, r->rec)) {
				r->lost = true;
				r->res.garbage_bytes += r->have;
				r->have = 0;
				continue;
			}
			size_t total = header_len(r, r->rec);
			if (total > sizeof(r->rec)) {
				r->res.oversized++;
				r->skip = total - TLS_HDR;
				r->have = 0;
				continue;
			}
		}
		size_t total = header_len(r, r->rec);
		size_t k = total - r->have < len ? total - r->have : len;
		memcpy(r->rec + r->have, d, k);
		r->have += k;
		d += k;
		len -= k;
		if (r->have == total) {
			r->have = 0;
			record(r, r->rec, total, now);
		}
	}
}

void tlsa_reaction_feed(struct tlsa_reaction *r, const uint8_t *data, size_t len, uint64_t now_ms)
{
	if (!arrived(r, len, now_ms))
		return;
	if (r->dtls)
		feed_datagram(r, data, len, now_ms);
	else
		feed_stream(r, data, len, now_ms);
}

void tlsa_reaction_end(struct tlsa_reaction *r, tlsa_serve_end how, uint64_t now_ms)
{
	if (r == NULL || r->ended || how == TLSA_SERVE_END_NONE)
		return;
	r->ended = true;
	r->res.end = how;
	r->res.end_ms = since(r, now_ms);
	if (how != TLSA_SERVE_END_TIMEOUT)
		rejected(r);
	/* A record cut by the end is bytes that never made a record. */
	if (r->have > 0 || r->skip > 0)
		r->res.garbage_bytes += r->have;
}

void tlsa_reaction_result(const struct tlsa_reaction *r, struct tlsa_serve_reaction *out)
{
	if (r == NULL || out == NULL)
		return;
	*out = r->res;
	struct react_counts n = r->n;
	n.partial = r->have > 0 || r->skip > 0 || r->has_carry;
	out->warnings_sent = r->sent;
	if (r->reacted)
		out->warnings_accepted = r->sent_at_reaction > 0 ? r->sent_at_reaction - 1 : 0;
	else
		out->warnings_accepted = r->sent;
	react_judge(&r->c, &n, out);
}
