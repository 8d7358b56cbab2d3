/*
 * Fuzz target: drives the TCP reassembler with a fuzzer-chosen sequence of
 * segments on a few connections.  Each input record of 8 bytes makes one
 * packet: connection, direction and flags, sequence offset, length, ACK
 * offset, then a byte whose low bits are the time step, bit 4 PSH and bit 5
 * another sequence space (a second copy of the stream, far from the first).
 * Payload bytes are a function of their sequence number, so every byte
 * delivered can be checked against the number it must have; the waiting runs
 * must stay sorted, disjoint and within their caps.  Violations abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 300

/* The waiting runs of a direction keep their bounds and order: sorted, disjoint, none at or
   before the next byte unless held, their lengths summed in bytes, their memory in mem (added
   to *mem, which must come to the capture's ooo_total). */
static bool runs_ok(const struct tcp_dir *d, size_t *mem)
{
	const struct tcp_ooo *o = d->ooo;
	if (o == NULL)
		return true;
	size_t cost = TCP_OOO_COST(o->cap);
	for (uint32_t i = 0; i < o->n; i++)
		cost += TCP_SEG_COST(o->b[o->head + i]->cap);
	if (cost != o->mem)
		return false;
	*mem += cost;
	if (o->bytes > CAP || o->n > 64 || o->head + o->n > o->cap)
		return false;
	size_t sum = 0;
	uint64_t end = 0;
	for (uint32_t i = 0; i < o->n; i++) {
		const struct tcp_blk *b = o->b[o->head + i];
		uint64_t s = (uint32_t)(b->seq - d->next_seq);
		if (b->len == 0 || (uint64_t)b->off + b->len > b->cap || (i > 0 && s < end) ||
		    (s == 0 && !(i == 0 && o->held)))
			return false;
		end = s + b->len;
		sum += b->len;
	}
	return sum == o->bytes;
}

static uint8_t byte_at(uint32_t seq)
{
	return (uint8_t)(seq * 31u + 7u);
}

static void on_tcp(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *d, size_t n,
		   const struct tlsa_pktinfo *pkt)
{
	(void)ctx;
	(void)pkt;
	/* deliver() advanced next_seq before the call: d covers [next - n, next) */
	struct cap_flow *cf = (struct cap_flow *)f;
	uint32_t first = cf->dir[dir].next_seq - (uint32_t)n;
	if (n == 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if (d[i] != byte_at(first + (uint32_t)i))
			abort();
}

static void on_gap(void *ctx, struct tlsa_flow *f, int dir, uint64_t missing,
		   const struct tlsa_pktinfo *pkt)
{
	(void)ctx;
	(void)f;
	(void)dir;
	(void)pkt;
	if (missing == 0 || missing > 0x80000000u)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_capture_handler h = {0};
	h.tcp_data = on_tcp;
	h.tcp_gap = on_gap;
	struct tlsa_capture_opts o = {.sz = sizeof(o)};
	o.max_flows = 3;
	o.max_flow_buffer = CAP;
	o.max_buffer_total = (size & 1) ? 2048 : 0; /* odd sizes: all flows' bound engages */
	o.idle_timeout = 20;
	struct tlsa_capture *c = tlsa_capture_new(&o, &h);
	if (c == NULL)
		return 0;
	/* per connection and direction: a base sequence number chosen by the first bytes */
	uint32_t base[4][2];
	for (int i = 0; i < 4; i++)
		for (int d = 0; d < 2; d++)
			base[i][d] = 0xfffff000u + (uint32_t)(i * 7919 + d * 104729) * 4096u;
	int64_t now = 0;
	uint8_t pkt[40 + 512];
	for (size_t off = 0; off + 8 <= size && off < 8 * 4096; off += 8) {
		const uint8_t *r = data + off;
		int conn = r[0] & 3, dir = (r[0] >> 2) & 1;
		uint8_t flags = r[1] & 0x17; /* FIN SYN RST ACK */
		if (r[6] & 0x10)
			flags |= TCPF_PSH; /* without it, tiny in-order segments are held */
		uint32_t seq = base[conn][dir] + (uint32_t)((r[2] << 8) | r[3]) - 64;
		if (r[6] & 0x20)
			seq += 0x50000000u; /* another sequence space: a second copy of the stream
					     */
		size_t len = r[4] % 200;
		uint32_t ack = base[conn][!dir] + (uint32_t)(r[5] << 4) - 64;
		now += r[6] & 0x0f;
		uint16_t cport = (uint16_t)(40000 + conn), sport = 443;
		memset(pkt, 0, 40);
		size_t tl = 40 + len;
		pkt[0] = 0x45;
		pkt[2] = (uint8_t)(tl >> 8);
		pkt[3] = (uint8_t)tl;
		pkt[9] = 6;
		pkt[12] = 10;
		pkt[15] = (uint8_t)(dir ? 2 : 1);
		pkt[16] = 10;
		pkt[19] = (uint8_t)(dir ? 1 : 2);
		uint16_t sp = dir ? sport : cport, dp = dir ? cport : sport;
		pkt[20] = (uint8_t)(sp >> 8);
		pkt[21] = (uint8_t)sp;
		pkt[22] = (uint8_t)(dp >> 8);
		pkt[23] = (uint8_t)dp;
		for (int i = 0; i < 4; i++) {
			pkt[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
			pkt[28 + i] = (uint8_t)(ack >> (24 - 8 * i));
		}
		pkt[32] = 5 << 4;
		pkt[33] = flags;
		/* a SYN consumes one sequence number: data starts after it */
		uint32_t dseq = seq + ((flags & TCPF_SYN) ? 1 : 0);
		for (size_t i = 0; i < len; i++)
			pkt[40 + i] = byte_at(dseq + (uint32_t)i);
		c->cur.frame++;
		c->cur.ts_sec = now;
		pkt_decode(c, 12, pkt, 40 + len);
		size_t mem = 0;
		for (struct cap_flow *f = c->lru_head; f != NULL; f = f->lru_next)
			for (int d = 0; d < 2; d++)
				if (!runs_ok(&f->dir[d], &mem))
					abort();
		if (mem != c->ooo_total || c->ooo_total > c->o.max_buffer_total)
			abort();
	}
	tlsa_capture_finish(c);
	if (c->ooo_total != 0)
		abort();
	tlsa_capture_free(c);
	return 0;
}
