/*
 * Per-direction TCP reassembly.
 *
 * Each direction keeps the next sequence number it expects.  A segment that
 * starts at or before it is delivered straight from the packet buffer (its
 * already-delivered head cut off); one that starts later is copied into a
 * sorted list of waiting segments, bounded by opts.max_flow_buffer.  Bytes
 * are declared lost (tcp_gap) when the buffer is full, when the other side
 * acknowledged data the capture never showed, or when the direction ends.
 * Sequence numbers compare modulo 2^32.
 */
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void tcp_dir_free(struct tlsa_capture *c, struct tcp_dir *d)
{
	struct tcp_seg *s = d->ooo;
	while (s != NULL) {
		struct tcp_seg *n = s->next;
		c->ooo_total -= TCP_SEG_COST(s->len);
		free(s);
		s = n;
	}
	d->ooo = NULL;
	d->ooo_bytes = 0;
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

/* Delivers waiting segments that have become in order. */
static void drain(struct tlsa_capture *c, struct cap_flow *f, int dir,
		  const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	while (d->ooo != NULL && seq_diff(d->ooo->seq, d->next_seq) <= 0) {
		struct tcp_seg *s = d->ooo;
		uint32_t skip = (uint32_t)(-seq_diff(s->seq, d->next_seq));
		d->ooo = s->next;
		d->ooo_bytes -= s->len;
		c->ooo_total -= TCP_SEG_COST(s->len);
		if (skip < s->len)
			deliver(c, f, dir, s->data + skip, s->len - skip, pkt);
		else
			c->st.tcp_dup_bytes += s->len;
		free(s);
	}
}

/* The bytes before the first waiting segment are lost: report them, deliver what follows. */
static void skip_first_hole(struct tlsa_capture *c, struct cap_flow *f, int dir,
			    const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	if (d->ooo == NULL)
		return;
	int32_t hole = seq_diff(d->ooo->seq, d->next_seq);
	if (hole > 0)
		report_gap(c, f, dir, (uint64_t)hole, pkt);
	drain(c, f, dir, pkt);
}

/* Stores a copy of an early segment; false when out of memory. */
static bool store(struct tlsa_capture *c, struct tcp_dir *d, uint32_t seq, const uint8_t *data,
		  size_t len)
{
	struct tcp_seg **pp = &d->ooo;
	while (*pp != NULL && seq_diff((*pp)->seq, seq) < 0) {
		struct tcp_seg *s = *pp;
		/* an earlier segment that already covers this one: a retransmission */
		if (seq_diff(s->seq + s->len, seq + (uint32_t)len) >= 0) {
			c->st.tcp_dup_bytes += len;
			return true;
		}
		pp = &s->next;
	}
	if (*pp != NULL && (*pp)->seq == seq && (*pp)->len >= len) {
		c->st.tcp_dup_bytes += len;
		return true;
	}
	if (TCP_SEG_COST(len) > c->o.max_buffer_total - c->ooo_total) {
		c->st.tcp_buffer_full++; /* all flows' buffers are full: as out of memory */
		return false;
	}
	struct tcp_seg *s = malloc(sizeof(*s) + len);
	if (s == NULL)
		return false;
	c->ooo_total += TCP_SEG_COST(len);
	s->seq = seq;
	s->len = (uint32_t)len;
	memcpy(s->data, data, len);
	s->next = *pp;
	*pp = s;
	d->ooo_bytes += len;
	return true;
}

/* If the receiver acknowledged bytes the capture lacks, they are lost: skip them. */
static void check_acked(struct tlsa_capture *c, struct cap_flow *f, int dir,
			const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	while (d->ooo != NULL && d->has_ack && seq_diff(d->ooo->seq, d->acked) < 0 &&
	       seq_diff(d->ooo->seq, d->next_seq) > 0)
		skip_first_hole(c, f, dir, pkt);
}

static void data_in(struct tlsa_capture *c, struct cap_flow *f, int dir, uint32_t seq,
		    const uint8_t *data, size_t len, const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	int32_t rel = seq_diff(seq, d->next_seq);
	if (rel <= 0) {
		size_t skip = (size_t)(-(int64_t)rel);
		if (skip >= len) {
			c->st.tcp_dup_bytes += len;
			return;
		}
		c->st.tcp_dup_bytes += skip;
		deliver(c, f, dir, data + skip, len - skip, pkt);
		if (d->ooo != NULL)
			drain(c, f, dir, pkt);
		return;
	}
	if (!store(c, d, seq, data, len)) {
		/* no memory for the copy: give up on the hole instead */
		skip_first_hole(c, f, dir, pkt);
		report_gap(c, f, dir, (uint64_t)(uint32_t)seq_diff(seq, d->next_seq), pkt);
		deliver(c, f, dir, data, len, pkt);
		return;
	}
	if (d->ooo != NULL && d->ooo_bytes > c->o.max_flow_buffer)
		c->st.tcp_buffer_full++;
	while (d->ooo != NULL && d->ooo_bytes > c->o.max_flow_buffer)
		skip_first_hole(c, f, dir, pkt);
	check_acked(c, f, dir, pkt);
}

void tcp_dir_end(struct tlsa_capture *c, struct cap_flow *f, int dir, enum tlsa_stream_end how,
		 const struct tlsa_pktinfo *pkt)
{
	struct tcp_dir *d = &f->dir[dir];
	if (d->ended)
		return;
	while (d->ooo != NULL)
		skip_first_hole(c, f, dir, pkt);
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
	if ((fl & TCPF_ACK) && !(fl & TCPF_RST) && o->started && !o->ended) {
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
		}
		seq++;
	}
	if (!d->started) {
		if (l4->len == 0 && !(fl & TCPF_FIN))
			goto rst;
		d->next_seq = seq; /* mid-stream: the stream starts here */
		d->started = true;
	}
	if (l4->len > 0)
		data_in(c, f, dir, seq, l4->data, l4->len, pkt);
	if ((fl & TCPF_FIN) && !d->fin_seen) {
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
