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

void tcp_dir_free(struct tcp_dir *d)
{
	struct tcp_ooo *o = d->ooo;
	if (o == NULL)
		return;
	for (uint32_t i = 0; i < o->n; i++)
		free(*run_at(o, i));
	free(o);
	d->ooo = NULL;
}

struct tcp_blk *ooo_first(const struct tcp_dir *d)
{
	return d->ooo != NULL && d->ooo->n > 0 ? d->ooo->b[d->ooo->head] : NULL;
}

struct tcp_blk *ooo_pop(struct tcp_dir *d)
{
	struct tcp_ooo *o = d->ooo;
	struct tcp_blk *b = o->b[o->head];
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

/* Makes room for one more pointer; false when out of memory. */
static bool slots_room(struct tcp_dir *d)
{
	struct tcp_ooo *o = d->ooo;
	if (o->head + o->n < o->cap)
		return true;
	if (o->head > 0 && o->n < o->cap / 2 + 1) {
		memmove(o->b, o->b + o->head, o->n * sizeof(o->b[0]));
		o->head = 0;
		return true;
	}
	uint32_t cap = o->cap * 2;
	struct tcp_ooo *no = realloc(o, sizeof(*o) + cap * sizeof(o->b[0]));
	if (no == NULL)
		return false;
	no->cap = cap;
	d->ooo = no;
	return true;
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

/* Run *bp with at least `front` free bytes before its data and `back` after; false when out
   of memory (the run is unchanged). */
static bool run_room(struct tcp_blk **bp, size_t front, size_t back)
{
	struct tcp_blk *b = *bp;
	if (b->off >= front && (size_t)b->cap - b->off - b->len >= back)
		return true;
	size_t need = (size_t)b->len + front + back;
	if (need > UINT32_MAX / 2)
		return false;
	size_t cap = need * 2 < 16 ? 16 : need * 2;
	struct tcp_blk *nb = malloc(sizeof(*nb) + cap);
	if (nb == NULL)
		return false;
	*nb = *b;
	nb->cap = (uint32_t)cap;
	nb->off = (uint32_t)(front + (cap - need) / 2);
	memcpy(nb->data + nb->off, b->data + b->off, b->len);
	free(b);
	*bp = nb;
	return true;
}

static struct tcp_blk *run_new(uint32_t seq, const uint8_t *p, size_t n,
			       const struct tlsa_pktinfo *pkt)
{
	struct tcp_blk *b = malloc(sizeof(*b) + n);
	if (b == NULL)
		return NULL;
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
static bool runs_merge(struct tcp_ooo *o, uint32_t i)
{
	struct tcp_blk **lp = run_at(o, i), **rp = run_at(o, i + 1);
	struct tcp_blk *l = *lp, *r = *rp;
	if (l->len >= r->len) {
		if (!run_room(lp, 0, r->len))
			return false;
		l = *lp;
		memcpy(l->data + l->off + l->len, r->data + r->off, r->len);
		l->len += r->len;
		if (later(&r->pkt, &l->pkt))
			l->pkt = r->pkt;
		free(r);
		slot_remove(o, i + 1);
	} else {
		if (!run_room(rp, l->len, 0))
			return false;
		r = *rp;
		r->off -= l->len;
		memcpy(r->data + r->off, l->data + l->off, l->len);
		r->len += l->len;
		r->seq = l->seq;
		if (later(&l->pkt, &r->pkt))
			r->pkt = l->pkt;
		free(l);
		slot_remove(o, i);
	}
	return true;
}

/* Bytes p[0..n) at position a, in no run, go before run i: into a touching run or a new one. */
static bool piece_put(struct tcp_dir *d, uint32_t i, uint64_t a, const uint8_t *p, size_t n,
		      const struct tlsa_pktinfo *pkt)
{
	struct tcp_ooo *o = d->ooo;
	bool left = i > 0 && rel(d, (*run_at(o, i - 1))->seq) + (*run_at(o, i - 1))->len == a;
	bool right = i < o->n && rel(d, (*run_at(o, i))->seq) == a + n;
	o->bytes += n;
	if (left) {
		struct tcp_blk **lp = run_at(o, i - 1);
		if (!run_room(lp, 0, n))
			goto oom;
		memcpy((*lp)->data + (*lp)->off + (*lp)->len, p, n);
		(*lp)->len += (uint32_t)n;
		(*lp)->pkt = *pkt;
		if (right)
			(void)runs_merge(o, i - 1); /* out of memory: two runs that touch */
		return true;
	}
	if (right) {
		struct tcp_blk **rp = run_at(o, i);
		if (!run_room(rp, n, 0))
			goto oom;
		(*rp)->off -= (uint32_t)n;
		(*rp)->len += (uint32_t)n;
		(*rp)->seq -= (uint32_t)n;
		memcpy((*rp)->data + (*rp)->off, p, n);
		(*rp)->pkt = *pkt;
		return true;
	}
	struct tcp_blk *b = run_new(d->next_seq + (uint32_t)a, p, n, pkt);
	if (b == NULL || !slots_room(d)) {
		free(b);
		goto oom;
	}
	slot_insert(d->ooo, i, b);
	return true;
oom:
	o->bytes -= n;
	return false;
}

bool ooo_add(struct tlsa_capture *c, struct tcp_dir *d, uint32_t seq, const uint8_t *p, size_t len,
	     const struct tlsa_pktinfo *pkt)
{
	if (d->ooo == NULL) {
		uint32_t cap = 8;
		d->ooo = calloc(1, sizeof(*d->ooo) + cap * sizeof(d->ooo->b[0]));
		if (d->ooo == NULL)
			return false;
		d->ooo->cap = cap;
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
		if (!piece_put(d, i, a, p, (size_t)(lim - a), pkt))
			return false;
		p += lim - a;
		a = lim;
	}
	if (conflict)
		c->st.overlap_conflicts++;
	return true;
}
