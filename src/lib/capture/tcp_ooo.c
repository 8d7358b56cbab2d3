/*
 * The waiting bytes of one TCP direction: runs of contiguous bytes (struct
 * tcp_blk) in an array of pointers sorted by sequence number.  A segment is
 * found its place by binary search; the parts of it that no run holds yet
 * become runs, and runs that touch are merged, the shorter copied into the
 * longer, whose buffer grows by doubling with room on both sides.  So a byte
 * is copied O(log n) times and an insertion costs O(log n) plus moving at most
 * max_runs pointers, whatever the order and size of the segments: no walk
 * over a list.  Where a segment overlaps bytes already held, the held bytes
 * win (the first copy), and a difference is counted as a conflict.
 *
 * Positions are offsets from the direction's next_seq, so sequence numbers
 * may wrap: every run lies within 2^31 after next_seq.
 *
 * Memory: every allocation here is counted, before it is made, in the
 * direction's mem and the capture's ooo_total (TCP_OOO_COST, TCP_SEG_COST of
 * the run's capacity), and uncounted when freed or popped, so ooo_total is
 * what all flows' waiting bytes hold and never passes max_buffer_total.
 */
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

static inline uint64_t rel(const struct tcp_dir *d, uint32_t seq)
{
	return (uint32_t)(seq - d->next_seq);
}

static inline struct tcp_blk **run_at(struct tcp_ooo *o, uint32_t i)
{
	return &o->b[o->head + i];
}

/* Counts `add` bytes more of memory for o in place of `sub` (an allocation being replaced);
   false, nothing counted, when that would pass max_buffer_total. */
static bool charge(struct tlsa_capture *c, struct tcp_ooo *o, size_t add, size_t sub)
{
	if (add > sub && add - sub > c->o.max_buffer_total - c->ooo_total)
		return false;
	c->ooo_total = c->ooo_total - sub + add;
	o->mem = o->mem - sub + add;
	return true;
}

void tcp_dir_free(struct tlsa_capture *c, struct tcp_dir *d)
{
	struct tcp_ooo *o = d->ooo;
	if (o == NULL)
		return;
	c->ooo_total -= o->mem;
	for (uint32_t i = 0; i < o->n; i++)
		free(*run_at(o, i));
	free(o);
	d->ooo = NULL;
}

struct tcp_blk *ooo_first(const struct tcp_dir *d)
{
	return d->ooo != NULL && d->ooo->n > 0 ? d->ooo->b[d->ooo->head] : NULL;
}

struct tcp_blk *ooo_pop(struct tlsa_capture *c, struct tcp_dir *d)
{
	struct tcp_ooo *o = d->ooo;
	struct tcp_blk *b = o->b[o->head];
	charge(c, o, 0, TCP_SEG_COST(b->cap));
	o->head++;
	o->n--;
	o->bytes -= b->len;
	o->held = false;
	if (o->n == 0)
		o->head = 0;
	return b;
}

/* Index of the first run that starts after position a. */
static uint32_t upper_bound(const struct tcp_dir *d, uint64_t a)
{
	struct tcp_ooo *o = d->ooo;
	uint32_t lo = 0, hi = o->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (rel(d, o->b[o->head + mid]->seq) <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Makes room for one more pointer. */
static enum ooo_res slots_room(struct tlsa_capture *c, struct tcp_dir *d)
{
	struct tcp_ooo *o = d->ooo;
	if (o->head + o->n < o->cap)
		return OOO_OK;
	if (o->head > 0 && o->n < o->cap / 2 + 1) {
		memmove(o->b, o->b + o->head, o->n * sizeof(o->b[0]));
		o->head = 0;
		return OOO_OK;
	}
	uint32_t cap = o->cap * 2;
	if (!charge(c, o, TCP_OOO_COST(cap), TCP_OOO_COST(o->cap)))
		return OOO_FULL;
	struct tcp_ooo *no = realloc(o, sizeof(*o) + cap * sizeof(o->b[0]));
	if (no == NULL) {
		charge(c, o, TCP_OOO_COST(o->cap), TCP_OOO_COST(cap));
		return OOO_NOMEM;
	}
	no->cap = cap;
	d->ooo = no;
	return OOO_OK;
}

static void slot_insert(struct tcp_ooo *o, uint32_t i, struct tcp_blk *b)
{
	struct tcp_blk **p = &o->b[o->head + i];
	memmove(p + 1, p, (o->n - i) * sizeof(*p));
	*p = b;
	o->n++;
}

static void slot_remove(struct tcp_ooo *o, uint32_t i)
{
	struct tcp_blk **p = &o->b[o->head + i];
	memmove(p, p + 1, (o->n - i - 1) * sizeof(*p));
	o->n--;
}

/* Run *bp of o with at least `front` free bytes before its data and `back` after (on
   failure the run is unchanged). */
static enum ooo_res run_room(struct tlsa_capture *c, struct tcp_ooo *o, struct tcp_blk **bp,
			     size_t front, size_t back)
{
	struct tcp_blk *b = *bp;
	if (b->off >= front && (size_t)b->cap - b->off - b->len >= back)
		return OOO_OK;
	size_t need = (size_t)b->len + front + back;
	if (need > UINT32_MAX / 2)
		return OOO_NOMEM;
	size_t cap = need * 2 < 16 ? 16 : need * 2;
	if (!charge(c, o, TCP_SEG_COST(cap), TCP_SEG_COST(b->cap)))
		return OOO_FULL;
	struct tcp_blk *nb = malloc(sizeof(*nb) + cap);
	if (nb == NULL) {
		charge(c, o, TCP_SEG_COST(b->cap), TCP_SEG_COST(cap));
		return OOO_NOMEM;
	}
	*nb = *b;
	nb->cap = (uint32_t)cap;
	nb->off = (uint32_t)(front + (cap - need) / 2);
	memcpy(nb->data + nb->off, b->data + b->off, b->len);
	free(b);
	*bp = nb;
	return OOO_OK;
}

/* A new run of n bytes, counted in o; NULL with *res set when it cannot be. */
static struct tcp_blk *run_new(struct tlsa_capture *c, struct tcp_ooo *o, uint32_t seq,
			       const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt,
			       enum ooo_res *res)
{
	if (!charge(c, o, TCP_SEG_COST(n), 0)) {
		*res = OOO_FULL;
		return NULL;
	}
	struct tcp_blk *b = malloc(sizeof(*b) + n);
	if (b == NULL) {
		charge(c, o, 0, TCP_SEG_COST(n));
		*res = OOO_NOMEM;
		return NULL;
	}
	b->seq = seq;
	b->len = (uint32_t)n;
	b->off = 0;
	b->cap = (uint32_t)n;
	b->pkt = *pkt;
	memcpy(b->data, p, n);
	return b;
}

static bool later(const struct tlsa_pktinfo *a, const struct tlsa_pktinfo *b)
{
	return a->file_index != b->file_index ? a->file_index > b->file_index : a->frame > b->frame;
}

/* Runs i and i+1 touch: one run, the shorter copied into the longer. */
static bool runs_merge(struct tlsa_capture *c, struct tcp_ooo *o, uint32_t i)
{
	struct tcp_blk **lp = run_at(o, i), **rp = run_at(o, i + 1);
	struct tcp_blk *l = *lp, *r = *rp;
	if (l->len >= r->len) {
		if (run_room(c, o, lp, 0, r->len) != OOO_OK)
			return false;
		l = *lp;
		memcpy(l->data + l->off + l->len, r->data + r->off, r->len);
		l->len += r->len;
		if (later(&r->pkt, &l->pkt))
			l->pkt = r->pkt;
		charge(c, o, 0, TCP_SEG_COST(r->cap));
		free(r);
		slot_remove(o, i + 1);
	} else {
		if (run_room(c, o, rp, l->len, 0) != OOO_OK)
			return false;
		r = *rp;
		r->off -= l->len;
		memcpy(r->data + r->off, l->data + l->off, l->len);
		r->len += l->len;
		r->seq = l->seq;
		if (later(&l->pkt, &r->pkt))
			r->pkt = l->pkt;
		charge(c, o, 0, TCP_SEG_COST(l->cap));
		free(l);
		slot_remove(o, i);
	}
	return true;
}

/* Bytes p[0..n) at position a, in no run, go before run i: into a touching run or a new one. */
static enum ooo_res piece_put(struct tlsa_capture *c, struct tcp_dir *d, uint32_t i, uint64_t a,
			      const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct tcp_ooo *o = d->ooo;
	bool left = i > 0 && rel(d, (*run_at(o, i - 1))->seq) + (*run_at(o, i - 1))->len == a;
	bool right = i < o->n && rel(d, (*run_at(o, i))->seq) == a + n;
	enum ooo_res res;
	if (left) {
		struct tcp_blk **lp = run_at(o, i - 1);
		if ((res = run_room(c, o, lp, 0, n)) != OOO_OK)
			return res;
		memcpy((*lp)->data + (*lp)->off + (*lp)->len, p, n);
		(*lp)->len += (uint32_t)n;
		(*lp)->pkt = *pkt;
		o->bytes += n;
		if (right)
			(void)runs_merge(c, o, i - 1); /* no memory: two runs that touch */
		return OOO_OK;
	}
	if (right) {
		struct tcp_blk **rp = run_at(o, i);
		if ((res = run_room(c, o, rp, n, 0)) != OOO_OK)
			return res;
		(*rp)->off -= (uint32_t)n;
		(*rp)->len += (uint32_t)n;
		(*rp)->seq -= (uint32_t)n;
		memcpy((*rp)->data + (*rp)->off, p, n);
		(*rp)->pkt = *pkt;
		o->bytes += n;
		return OOO_OK;
	}
	/* the slot first: growing the array may move d->ooo */
	if ((res = slots_room(c, d)) != OOO_OK)
		return res;
	o = d->ooo;
	struct tcp_blk *b = run_new(c, o, d->next_seq + (uint32_t)a, p, n, pkt, &res);
	if (b == NULL)
		return res;
	slot_insert(o, i, b);
	o->bytes += n;
	return OOO_OK;
}

enum ooo_res ooo_add(struct tlsa_capture *c, struct tcp_dir *d, uint32_t seq, const uint8_t *p,
		     size_t len, const struct tlsa_pktinfo *pkt)
{
	if (d->ooo == NULL) {
		uint32_t cap = 8;
		if (TCP_OOO_COST(cap) > c->o.max_buffer_total - c->ooo_total)
			return OOO_FULL;
		d->ooo = calloc(1, sizeof(*d->ooo) + cap * sizeof(d->ooo->b[0]));
		if (d->ooo == NULL)
			return OOO_NOMEM;
		d->ooo->cap = cap;
		charge(c, d->ooo, TCP_OOO_COST(cap), 0);
	}
	uint64_t a = rel(d, seq), e = a + len;
	bool conflict = false;
	while (a < e) {
		struct tcp_ooo *o = d->ooo;
		uint32_t i = upper_bound(d, a);
		if (i > 0) {
			const struct tcp_blk *b = *run_at(o, i - 1);
			uint64_t bs = rel(d, b->seq), be = bs + b->len;
			if (be > a) {
				/* held already: the first copy wins */
				size_t m = (size_t)((be < e ? be : e) - a);
				if (memcmp(b->data + b->off + (a - bs), p, m) != 0)
					conflict = true;
				c->st.tcp_dup_bytes += m;
				p += m;
				a += m;
				continue;
			}
		}
		uint64_t lim = e;
		if (i < o->n && rel(d, (*run_at(o, i))->seq) < e)
			lim = rel(d, (*run_at(o, i))->seq);
		enum ooo_res res = piece_put(c, d, i, a, p, (size_t)(lim - a), pkt);
		if (res != OOO_OK)
			return res;
		p += lim - a;
		a = lim;
	}
	if (conflict)
		c->st.overlap_conflicts++;
	return OOO_OK;
}
