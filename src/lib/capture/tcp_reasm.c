/*
 * Per-direction TCP reassembly.
 *
 * Each direction keeps the next sequence number it expects.  A segment that
 * starts at or before it is delivered straight from the packet buffer (its
 * already-delivered head cut off); one that starts later is copied into the
 * direction's waiting runs (tcp_ooo.c), bounded by opts.max_flow_buffer bytes
 * and max_flow_buffer / 256 runs (64 to 4,096).  Bytes are declared lost (tcp_gap) when
 * either bound is passed, when the other side acknowledged data the capture
 * never showed, or when the direction ends; the runs after a declared hole
 * are delivered with the packets that brought them.  Which copy of
 * overlapping bytes wins is in docs/capture.md ("Overlaps").  Sequence
 * numbers compare modulo 2^32.
 */
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

/* An in-order segment this short, without PSH or FIN, is held until the next segment of its
   direction (or an ACK of it): a bare ACK that carries a few junk bytes must not win over
   the real segment sent at the same sequence number. */
#define TINY_HELD 6
/* Segments and ACKs this far from the next byte are from another sequence space: another
   copy of the stream (a capture on both sides of a middlebox that rewrites sequence numbers)
   or a capture loss bigger than this; max_flow_buffer if larger. */
#define FAR_MIN (1u << 20)

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* Separate runs (holes) a direction may have: inserting one moves up to this many pointers,
   so it stays small whatever the buffer (a real receiver has far fewer holes). */
static size_t max_runs(const struct tlsa_capture *c)
{
	size_t n = c->o.max_flow_buffer / 256;
	return n < 64 ? 64 : n > 4096 ? 4096 : n;
}

static bool is_far(const struct tlsa_capture *c, int32_t r)
{
	uint64_t far = c->o.max_flow_buffer > FAR_MIN ? c->o.max_flow_buffer : FAR_MIN;
	if (far > (1u << 30))
		far = 1u << 30;
	return r >= (int64_t)far || r <= -(int64_t)far;
}

static void deliver(struct tlsa_capture *c, struct cap_flow *f, int dir, const uint8_t *data,
		    size_t len, const struct tlsa_pktinfo *pkt)
{
	f->dir[dir].next_seq += (uint32_t)len;
	if (c->h.tcp_data != NULL && len > 0)
		c->h.tcp_data(c->h.ctx, &f->pub, dir, data, len, pkt);
}

static void report_gap(struct tlsa_capture *c, struct cap_flow *f, int dir, uint64_t missing,
		       const struct tlsa_pktinfo *pkt)
{
	if (missing == 0)
		return;
	c->st.tcp_gaps++;
	c->st.tcp_gap_bytes += missing;
	f->dir[dir].next_seq += (uint32_t)missing;
	if (c->h.tcp_gap != NULL)
		c->h.tcp_gap(c->h.ctx, &f->pub, dir, missing, pkt);
}

/* Frees the waiting-runs object once nothing waits. */
static void ooo_trim(struct tlsa_capture *c, struct tcp_dir *d)
{
	if (d->ooo != NULL && d->ooo->n == 0)
		tcp_dir_free(c, d);
}

/* Delivers the runs that have become in order (not a held one), with pkt, or when pkt is
   NULL each with the packet that brought it. */
static void drain(struct tlsa_capture *c, struct cap_flow *f, int dir,
		  const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	struct tcp_blk *b;
	while ((b = ooo_first(d)) != NULL && !d->ooo->held && seq_diff(b->seq, d->next_seq) <= 0) {
		b = ooo_pop(c, d);
		uint32_t skip = (uint32_t)(-seq_diff(b->seq, d->next_seq));
		if (skip < b->len)
			deliver(c, f, dir, b->data + b->off + skip, b->len - skip,
				pkt != NULL ? pkt : &b->pkt);
		else
			c->st.tcp_dup_bytes += b->len;
		free(b);
	}
	ooo_trim(c, d);
}

/* The bytes before the first waiting run are lost: report them, deliver the run (with its
   own packet: nothing filled the hole).  A held segment is just let go. */
static void skip_first_hole(struct tlsa_capture *c, struct cap_flow *f, int dir,
			    const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	struct tcp_blk *b = ooo_first(d);
	if (b == NULL)
		return;
	d->ooo->held = false;
	int32_t hole = seq_diff(b->seq, d->next_seq);
	if (hole > 0)
		report_gap(c, f, dir, (uint64_t)hole, pkt);
	drain(c, f, dir, NULL);
}

/* If the receiver acknowledged bytes the capture lacks, they are lost: skip them.  An ACK
   of a held segment lets it go. */
static void check_acked(struct tlsa_capture *c, struct cap_flow *f, int dir,
			const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	struct tcp_blk *b;
	while (d->has_ack && (b = ooo_first(d)) != NULL) {
		if (d->ooo->held) {
			if (seq_diff(d->acked, b->seq + b->len) < 0)
				return;
			d->ooo->held = false;
			drain(c, f, dir, NULL);
		} else if (seq_diff(b->seq, d->acked) < 0 && seq_diff(b->seq, d->next_seq) > 0) {
			skip_first_hole(c, f, dir, pkt);
		} else {
			return;
		}
	}
}

/* The held segment meets the next segment of its direction.  Another tiny one at the same
   place (the next bare ACK's junk) changes nothing: the first stays held.  A longer copy at
   the same sequence number that says otherwise wins (the short one was a bare ACK's junk);
   then the held bytes go.  True when the segment was taken care of. */
static bool release_held(struct tlsa_capture *c, struct cap_flow *f, int dir, uint32_t seq,
			 const uint8_t *data, size_t len, uint8_t flags,
			 const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	struct tcp_blk *b = ooo_first(d);
	if (seq == b->seq && len <= b->len && !(flags & (TCPF_PSH | TCPF_FIN))) {
		c->st.tcp_dup_bytes += len;
		return true;
	}
	if (seq == b->seq && len > b->len && memcmp(b->data + b->off, data, b->len) != 0) {
		c->st.overlap_conflicts++;
		memcpy(b->data + b->off, data, b->len);
		b->pkt = *pkt;
	}
	d->ooo->held = false;
	drain(c, f, dir, NULL);
	return false;
}

/* At the end of its direction, a held segment that nothing confirmed (no ACK of it, no FIN
   after it) is taken for junk and dropped. */
static void drop_held(struct tlsa_capture *c, struct tcp_dir *d)
{
	struct tcp_blk *b = ooo_first(d);
	if (b == NULL || !d->ooo->held)
		return;
	if (d->fin_seen && seq_diff(d->fin_seq, b->seq + b->len) >= 0) {
		d->ooo->held = false;
		return;
	}
	c->st.tcp_dup_bytes += b->len;
	free(ooo_pop(c, d));
}

/* Holds a tiny in-order segment (see TINY_HELD); false if it could not be. */
static bool hold(struct tlsa_capture *c, struct tcp_dir *d, const uint8_t *data, size_t len,
		 const struct tlsa_pktinfo *pkt)
{
	if (ooo_add(c, d, d->next_seq, data, len, pkt) != OOO_OK) {
		tcp_dir_free(c, d); /* nothing else waited: no hole to give up */
		return false;
	}
	d->ooo->held = true;
	return true;
}

/* The direction holds more than max_flow_buffer allows: its bytes with each run's
   bookkeeping (TCP_SEG_COST(0)), or more runs than max_runs. */
static bool over_flow_buffer(const struct tlsa_capture *c, const struct tcp_dir *d)
{
	const struct tcp_ooo *o = d->ooo;
	return o != NULL && (o->bytes + (size_t)o->n * TCP_SEG_COST(0) > c->o.max_flow_buffer ||
			     o->n > max_runs(c));
}

/* Adds a segment to the waiting runs, delivers what is in order, keeps the bounds. */
static void store(struct tlsa_capture *c, struct cap_flow *f, int dir, uint32_t seq,
		  const uint8_t *data, size_t len, const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	enum ooo_res res = ooo_add(c, d, seq, data, len, pkt);
	if (res != OOO_OK) {
		/* no memory for the copy, or all flows' buffers are full (max_buffer_total):
		   give up on the holes instead */
		if (res == OOO_FULL)
			c->st.tcp_buffer_full++;
		while (ooo_first(d) != NULL)
			skip_first_hole(c, f, dir, pkt);
		int32_t r = seq_diff(seq, d->next_seq);
		if (r > 0)
			report_gap(c, f, dir, (uint64_t)r, pkt);
		size_t skip = r < 0 ? (size_t)(-(int64_t)r) : 0;
		if (skip < len)
			deliver(c, f, dir, data + skip, len - skip, pkt);
		ooo_trim(c, d);
		return;
	}
	drain(c, f, dir, pkt);
	if (over_flow_buffer(c, d))
		c->st.tcp_buffer_full++; /* once per segment that forces holes out */
	while (over_flow_buffer(c, d))
		skip_first_hole(c, f, dir, pkt);
	check_acked(c, f, dir, pkt);
}

/*
 * A segment far from the next byte.  Behind it: a copy from another sequence space, ignored.
 * Ahead: it waits like any early segment; once a second segment continues it, the stream is
 * in that space now (the other copy, ahead of this one, or a capture loss bigger than the
 * distance) and is followed there, as tshark follows the copy ahead: the bytes before it are
 * declared lost, and the copy behind is ignored from then on.  False when the segment is not
 * (yet) part of the stream followed.
 */
static bool far_segment(struct tlsa_capture *c, struct cap_flow *f, int dir, uint32_t seq,
			const uint8_t *data, size_t len, const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	if (seq_diff(seq, d->next_seq) < 0) {
		c->st.tcp_other_copy++;
		return false;
	}
	bool cont = d->ooo != NULL && d->ooo->far_segs > 0 && seq == d->ooo->far_next;
	uint32_t segs = cont ? d->ooo->far_segs + 1 : 1;
	store(c, f, dir, seq, data, len, pkt);
	if (d->ooo == NULL)
		return seq_diff(d->next_seq, seq) > 0;
	d->ooo->far_next = seq + (uint32_t)len;
	d->ooo->far_segs = segs;
	if (segs < 2)
		return false;
	d->ooo->far_segs = 0;
	while (ooo_first(d) != NULL && seq_diff(d->next_seq, seq + (uint32_t)len) < 0)
		skip_first_hole(c, f, dir, pkt);
	d->has_ack = false;
	return true;
}

/* Data of a direction, with segments held or waiting (d->ooo set). */
static void data_in_slow(struct tlsa_capture *c, struct cap_flow *f, int dir, uint32_t seq,
			 const uint8_t *data, size_t len, uint8_t flags,
			 const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	if (d->ooo->held && release_held(c, f, dir, seq, data, len, flags, pkt))
		return;
	int32_t rel = seq_diff(seq, d->next_seq);
	if (rel <= 0 && (size_t)(-(int64_t)rel) >= len) {
		c->st.tcp_dup_bytes += len;
		return;
	}
	struct tcp_blk *first = ooo_first(d);
	if (rel <= 0 && (first == NULL || seq_diff(first->seq, seq + (uint32_t)len) >= 0)) {
		/* in order, before anything that waits: straight from the packet */
		size_t skip = (size_t)(-(int64_t)rel);
		c->st.tcp_dup_bytes += skip;
		deliver(c, f, dir, data + skip, len - skip, pkt);
		drain(c, f, dir, pkt);
		return;
	}
	if (rel < 0) {
		size_t skip = (size_t)(-(int64_t)rel);
		c->st.tcp_dup_bytes += skip;
		data += skip;
		len -= skip;
		seq = d->next_seq;
	}
	store(c, f, dir, seq, data, len, pkt);
}

/* False when the segment is not part of the stream followed (far_segment). */
static bool data_in(struct tlsa_capture *c, struct cap_flow *f, int dir, uint32_t seq,
		    const uint8_t *data, size_t len, uint8_t flags, const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	int32_t rel = seq_diff(seq, d->next_seq);
	if (is_far(c, rel))
		return far_segment(c, f, dir, seq, data, len, pkt);
	if (d->ooo != NULL) {
		data_in_slow(c, f, dir, seq, data, len, flags, pkt);
		return true;
	}
	if (rel <= 0) {
		size_t skip = (size_t)(-(int64_t)rel);
		if (skip >= len) {
			c->st.tcp_dup_bytes += len;
			return true;
		}
		c->st.tcp_dup_bytes += skip;
		if (len - skip <= TINY_HELD && !(flags & (TCPF_PSH | TCPF_FIN)) &&
		    hold(c, d, data + skip, len - skip, pkt))
			return true;
		deliver(c, f, dir, data + skip, len - skip, pkt);
		return true;
	}
	store(c, f, dir, seq, data, len, pkt);
	return true;
}

void tcp_dir_end(struct tlsa_capture *c, struct cap_flow *f, int dir, enum tlsa_stream_end how,
		 const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	if (d->ended)
		return;
	drop_held(c, d);
	while (ooo_first(d) != NULL)
		skip_first_hole(c, f, dir, pkt);
	tcp_dir_free(c, d);
	if (d->fin_seen && d->started && seq_diff(d->fin_seq, d->next_seq) > 0)
		report_gap(c, f, dir, (uint64_t)seq_diff(d->fin_seq, d->next_seq), pkt);
	d->ended = true;
	if (c->h.tcp_end != NULL)
		c->h.tcp_end(c->h.ctx, &f->pub, dir, how, pkt);
}

/* Ends a direction whose FIN has been reached, or acknowledged with bytes before it missing. */
static void maybe_fin(struct tlsa_capture *c, struct cap_flow *f, int dir,
		      const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	if (!d->fin_seen || d->ended)
		return;
	if (seq_diff(d->next_seq, d->fin_seq) >= 0 ||
	    (d->has_ack && seq_diff(d->acked, d->fin_seq) > 0))
		tcp_dir_end(c, f, dir, TLSA_END_FIN, pkt);
}

void tcp_input(struct tlsa_capture *c, struct cap_flow *f, int dir, const struct pkt_l4 *l4)
{
	struct tcp_dir *d = &f->dir[dir], *o = &f->dir[1 - dir];
	const struct tlsa_pktinfo *pkt = &c->cur;
	uint8_t fl = l4->flags;

	if ((fl & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN)
		f->pub.syn_dir = dir;
	else if ((fl & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK) && f->pub.syn_dir < 0)
		f->pub.syn_dir = 1 - dir;

	/* what this side acknowledges tells what the other side really sent */
	if ((fl & TCPF_ACK) && !(fl & TCPF_RST) && o->started && !o->ended &&
	    !is_far(c, seq_diff(l4->ack, o->next_seq))) {
		if (!o->has_ack || seq_diff(l4->ack, o->acked) > 0) {
			o->acked = l4->ack;
			o->has_ack = true;
			if (o->ooo != NULL)
				check_acked(c, f, 1 - dir, pkt);
			maybe_fin(c, f, 1 - dir, pkt);
		}
	}
	if (d->ended)
		return;

	uint32_t seq = l4->seq;
	if (fl & TCPF_SYN) {
		if (!d->started || !d->syn_seen) {
			d->isn = seq;
			d->syn_seen = true;
			if (!d->started) {
				d->next_seq = seq + 1;
				d->started = true;
			}
		} else if (seq_diff(seq, d->isn) > 0 && d->next_seq == d->isn + 1 &&
			   d->ooo == NULL) {
			/* the same SYN again, ahead in another sequence space, before any
			   data: a capture on both sides of a middlebox that rewrites sequence
			   numbers.  The copy ahead is followed (as tshark does); the one
			   behind will be far behind it, and ignored */
			d->isn = seq;
			d->next_seq = seq + 1;
			d->has_ack = false;
		}
		seq++;
	}
	if (!d->started) {
		if (l4->len == 0 && !(fl & TCPF_FIN))
			goto rst;
		d->next_seq = seq; /* mid-stream: the stream starts here */
		d->started = true;
	}
	bool ours = true;
	if (l4->len > 0)
		ours = data_in(c, f, dir, seq, l4->data, l4->len, fl, pkt);
	else if (fl & TCPF_FIN)
		ours = !is_far(c, seq_diff(seq, d->next_seq));
	if ((fl & TCPF_FIN) && !d->fin_seen && ours) {
		d->fin_seen = true;
		d->fin_seq = seq + (uint32_t)l4->wire_len;
	}
rst:
	if (fl & TCPF_RST) {
		tcp_dir_end(c, f, dir, TLSA_END_RST, pkt);
		tcp_dir_end(c, f, 1 - dir, TLSA_END_RST, pkt);
	} else {
		maybe_fin(c, f, dir, pkt);
	}
}
