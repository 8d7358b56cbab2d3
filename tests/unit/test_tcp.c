/*
 * TCP reassembly through the packet decoder: raw IPv4 packets built here are
 * fed one by one, and the recorded callbacks checked.  Covers in-order and
 * out-of-order delivery, retransmission, overlap, gaps (buffer cap, ACK of
 * unseen bytes, end of input), missing SYN, SYN+ACK only, RST, FIN, idle
 * expiry, flow eviction, sequence wrap-around, port reuse and snap-length
 * truncation.
 */
#include "check.h"
#include "test_capture_rec.h"

#include "capture/capture_int.h"

#define C 1 /* client 10.0.0.1:40000 */
#define S 2 /* server 10.0.0.2:443 */
enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };

static struct tlsa_capture *cap;
static struct rec rec;
static uint8_t payload[4096];

static void start(size_t max_flows, size_t buf)
{
	struct tlsa_capture_handler h = rec_handler(&rec);
	struct tlsa_capture_opts o = {.sz = sizeof(o)};
	o.max_flows = max_flows;
	o.max_flow_buffer = buf;
	o.idle_timeout = 100;
	cap = tlsa_capture_new(&o, &h);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
}

static void stop(void)
{
	tlsa_capture_finish(cap);
	tlsa_capture_free(cap);
	cap = NULL;
}

/* One packet from `from` (C or S) of a connection using client port cport. */
static void pkt_full(int64_t t, int from, uint16_t cport, uint32_t seq, uint32_t ack, uint8_t flags,
		     size_t off, size_t len, size_t wire_len)
{
	uint8_t b[20 + 20 + 4096];
	size_t tl = 40 + wire_len;
	memset(b, 0, 40);
	b[0] = 0x45;
	b[2] = (uint8_t)(tl >> 8);
	b[3] = (uint8_t)tl;
	b[8] = 64;
	b[9] = 6;
	b[12] = 10;
	b[15] = (uint8_t)from;
	b[16] = 10;
	b[19] = (uint8_t)(from == C ? S : C);
	uint16_t sp = from == C ? cport : 443, dp = from == C ? 443 : cport;
	b[20] = (uint8_t)(sp >> 8);
	b[21] = (uint8_t)sp;
	b[22] = (uint8_t)(dp >> 8);
	b[23] = (uint8_t)dp;
	for (int i = 0; i < 4; i++) {
		b[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
		b[28 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	b[32] = 5 << 4;
	b[33] = flags;
	memcpy(b + 40, payload + off, len);
	cap->cur.frame++;
	cap->cur.ts_sec = t;
	pkt_decode(cap, 12, b, 40 + len);
}

/* Client data: stream offset off (relative to ISN 1000), len bytes. */
static void cdata(int64_t t, size_t off, size_t len)
{
	pkt_full(t, C, 40000, 1001 + (uint32_t)off, 5001, F_ACK | F_PSH, off, len, len);
}

static void handshake(void)
{
	pkt_full(0, C, 40000, 1000, 0, F_SYN, 0, 0, 0);
	pkt_full(0, S, 40000, 5000, 1001, F_SYN | F_ACK, 0, 0, 0);
	pkt_full(0, C, 40000, 1001, 5001, F_ACK, 0, 0, 0);
}

static bool stream_is(int flow, int dir, size_t off, size_t len)
{
	return rec.f[flow].len[dir] == len &&
	       memcmp(rec.f[flow].data[dir], payload + off, len) == 0;
}

static void test_in_order_and_retransmission(void)
{
	start(0, 0);
	handshake();
	cdata(1, 0, 10);
	cdata(1, 0, 10); /* retransmission: nothing new */
	cdata(1, 10, 10);
	cdata(1, 5, 10);  /* overlaps bytes already delivered */
	cdata(1, 15, 10); /* half new */
	CHECK_STR(rec.log, "open1 d0:10 d0:10 d0:5");
	CHECK(stream_is(0, 0, 0, 25));
	CHECK_INT(rec.f[0].syn_dir, 0);
	CHECK_INT(cap->st.tcp_dup_bytes, 10 + 10 + 5);
	stop();
	CHECK_STR(rec.log, "open1 d0:10 d0:10 d0:5 e0E e1E close1");
}

static void test_out_of_order(void)
{
	start(0, 0);
	handshake();
	cdata(1, 20, 10); /* frame 4, early */
	cdata(1, 10, 10); /* frame 5, early */
	cdata(1, 25, 10); /* frame 6, overlaps a waiting segment */
	cdata(1, 20, 10); /* frame 7, duplicate of a waiting segment */
	CHECK_STR(rec.log, "open1");
	cdata(1, 0, 10); /* frame 8 fills the hole */
	/* the waiting segments were merged into one run, delivered at once */
	CHECK_STR(rec.log, "open1 d0:10 d0:25");
	CHECK(stream_is(0, 0, 0, 35));
	CHECK_INT(rec.f[0].last_frame[0], 8);
	stop();
}

static void test_gap_at_end_and_fin(void)
{
	start(0, 0);
	handshake();
	cdata(1, 0, 10);
	cdata(1, 20, 10);
	/* FIN after the second segment: the hole before it is reported when the direction ends */
	pkt_full(1, C, 40000, 1001 + 30, 5001, F_FIN | F_ACK, 0, 0, 0);
	CHECK_STR(rec.log, "open1 d0:10");
	pkt_full(1, S, 40000, 5001, 1001 + 31, F_FIN | F_ACK, 0, 0, 0);
	/* the server acknowledged the FIN: bytes 10..20 were sent but not captured */
	CHECK_STR(rec.log, "open1 d0:10 g0:10 d0:10 e0F e1F close1");
	CHECK_INT(cap->st.tcp_gap_bytes, 10);
	/* a retransmission after the close starts nothing */
	cdata(2, 20, 10);
	CHECK_INT(rec.opens, 1);
	stop();
	CHECK_STR(rec.log, "open1 d0:10 g0:10 d0:10 e0F e1F close1");
}

static void test_gap_by_ack(void)
{
	start(0, 0);
	handshake();
	cdata(1, 0, 10);
	cdata(1, 30, 10);
	CHECK_STR(rec.log, "open1 d0:10");
	/* the server acknowledges up to 40: 10..30 are lost for good */
	pkt_full(1, S, 40000, 5001, 1001 + 40, F_ACK, 0, 0, 0);
	CHECK_STR(rec.log, "open1 d0:10 g0:20 d0:10");
	cdata(1, 40, 5); /* data resumes */
	CHECK_STR(rec.log, "open1 d0:10 g0:20 d0:10 d0:5");
	stop();
}

static void test_buffer_cap(void)
{
	start(0, 100);
	handshake();
	cdata(1, 0, 10);
	for (size_t off = 50; off < 400; off += 40) {
		cdata(1, off, 40);
		CHECK(cap->lru_head->dir[0].ooo == NULL || cap->lru_head->dir[0].ooo->bytes <= 100);
	}
	/* the cap forced gaps; everything held back is flushed at the end */
	CHECK(rec.gaps >= 1);
	stop();
	CHECK_INT(rec.gap_bytes, 40);
	CHECK_INT(rec.f[0].len[0], 10 + 360);
	CHECK(memcmp(rec.f[0].data[0] + 10, payload + 50, 360) == 0);
}

static void test_mid_stream_and_synack(void)
{
	start(0, 0);
	/* no SYN: the stream starts at the first data segment, in either direction */
	pkt_full(1, S, 40000, 777777, 1001, F_ACK | F_PSH, 0, 7, 7);
	pkt_full(1, C, 40000, 1001, 777784, F_ACK | F_PSH, 7, 9, 9);
	pkt_full(1, C, 40000, 1001 + 9, 777784, F_ACK | F_PSH, 16, 3, 3);
	CHECK_STR(rec.log, "open1 d0:7 d1:9 d1:3");
	CHECK(stream_is(0, 0, 0, 7));
	CHECK(stream_is(0, 1, 7, 12));
	CHECK_INT(rec.f[0].copy.port[0], 443); /* addr[0] sent the first packet */
	CHECK_INT(rec.f[0].syn_dir, -1);
	stop();
	/* only the SYN+ACK seen: the client is the other side */
	start(0, 0);
	pkt_full(0, S, 40000, 5000, 1001, F_SYN | F_ACK, 0, 0, 0);
	cdata(1, 0, 4);
	CHECK_INT(rec.f[0].syn_dir, 1);
	CHECK_STR(rec.log, "open1 d1:4");
	stop();
}

static void test_rst(void)
{
	start(0, 0);
	handshake();
	cdata(1, 0, 10);
	pkt_full(1, S, 40000, 5001, 1011, F_RST | F_ACK, 0, 0, 0);
	CHECK_STR(rec.log, "open1 d0:10 e1R e0R close1");
	cdata(1, 0, 10); /* straggler: ignored */
	CHECK_STR(rec.log, "open1 d0:10 e1R e0R close1");
	/* a new SYN on the same ports is a new connection */
	pkt_full(2, C, 40000, 90000, 0, F_SYN, 0, 0, 0);
	pkt_full(2, C, 40000, 90001, 0, F_ACK | F_PSH, 0, 6, 6);
	CHECK_STR(rec.log, "open1 d0:10 e1R e0R close1 open2 d0:6");
	stop();
}

static void test_port_reuse_live(void)
{
	start(0, 0);
	handshake();
	cdata(1, 0, 10);
	/* a SYN with another ISN while the old connection is still open */
	pkt_full(5, C, 40000, 123, 0, F_SYN, 0, 0, 0);
	pkt_full(5, C, 40000, 124, 0, F_ACK | F_PSH, 0, 3, 3);
	CHECK_STR(rec.log, "open1 d0:10 e0E e1E close1 open2 d0:3");
	/* a retransmitted SYN with the same ISN is not a new connection */
	pkt_full(5, C, 40000, 123, 0, F_SYN, 0, 0, 0);
	CHECK_INT(rec.opens, 2);
	stop();
	/* a stream picked up mid-way, then a SYN far from it: a new connection */
	start(0, 0);
	pkt_full(1, C, 40000, 500000, 0, F_ACK, 0, 10, 10);
	pkt_full(1, C, 40000, 500010, 0, F_SYN, 0, 0, 0); /* near: a stray SYN, same connection */
	pkt_full(2, C, 40000, 90000000, 0, F_SYN, 0, 0, 0);
	pkt_full(2, C, 40000, 90000001, 0, F_ACK | F_PSH, 0, 4, 4);
	CHECK_STR(rec.log, "open1 d0:10 e0E e1E close1 open2 d0:4");
	stop();
}

static void test_idle_and_eviction(void)
{
	start(2, 0);
	handshake();
	cdata(1, 0, 10);
	pkt_full(50, C, 40001, 1, 0, F_ACK | F_PSH, 0, 5, 5);
	/* 40002 at t=150: the first flow (last seen t=1) idled out; flow 2 is still live */
	pkt_full(150, C, 40002, 1, 0, F_ACK | F_PSH, 0, 5, 5);
	CHECK_STR(rec.log, "open1 d0:10 open2 d0:5 e0I e1I close1 open3 d0:5");
	/* a fourth flow with max_flows 2: the least recently seen (40001) is evicted */
	pkt_full(140, C, 40003, 1, 0, F_ACK | F_PSH, 0, 5, 5);
	CHECK_STR(rec.log,
		  "open1 d0:10 open2 d0:5 e0I e1I close1 open3 d0:5 e0I e1I close2 open4 d0:5");
	CHECK_INT(cap->st.flows_evicted, 1);
	CHECK_INT(rec.notices, 1);
	CHECK(strstr(rec.last_notice, "flow table full") != NULL);
	stop();
}

static void test_wraparound(void)
{
	start(0, 0);
	pkt_full(0, C, 40000, 0xfffffff0u, 0, F_SYN, 0, 0, 0);
	pkt_full(1, C, 40000, 0xfffffff1u, 0, F_ACK, 0, 20, 20);
	pkt_full(1, C, 40000, 0x00000005u + 20, 0, F_ACK, 40, 10, 10); /* early, after wrap */
	pkt_full(1, C, 40000, 0x00000005u, 0, F_ACK, 20, 20, 20);
	CHECK_STR(rec.log, "open1 d0:20 d0:20 d0:10");
	CHECK(stream_is(0, 0, 0, 50));
	stop();
}

static void test_snaplen_cut(void)
{
	start(0, 0);
	handshake();
	pkt_full(1, C, 40000, 1001, 5001, F_ACK, 0, 10, 30); /* 30 bytes sent, 10 captured */
	cdata(1, 30, 10);
	CHECK_STR(rec.log, "open1 d0:10");
	stop();
	CHECK_STR(rec.log, "open1 d0:10 g0:20 d0:10 e0E e1E close1");
}

/* 1,000 1-byte segments in random order (the first byte last), then conflicting copies of
   bytes already held: all of it in one delivery, in order, the first copies kept. */
static void test_random_order_runs(void)
{
	start(0, 0);
	handshake();
	uint32_t order[999], x = 12345;
	for (uint32_t i = 0; i < 999; i++)
		order[i] = i + 1;
	for (uint32_t i = 998; i > 0; i--) {
		x = x * 1103515245u + 12345u;
		uint32_t j = (x >> 8) % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < 999; i++) {
		cdata(1, order[i], 1);
		if (i % 100 == 50) /* a copy of a held byte that says otherwise */
			pkt_full(1, C, 40000, 1001 + order[i], 5001, F_ACK | F_PSH, order[i] + 1, 1,
				 1);
	}
	CHECK_STR(rec.log, "open1");
	CHECK(cap->lru_head->dir[0].ooo->n == 1); /* merged into one run */
	CHECK_INT(cap->st.overlap_conflicts, 10);
	cdata(1, 0, 1);
	CHECK_STR(rec.log, "open1 d0:1 d0:999");
	CHECK(stream_is(0, 0, 0, 1000));
	CHECK(cap->lru_head->dir[0].ooo == NULL);
	stop();
}

/* More separate holes than the cap on runs (64 with a 16 KiB buffer): the first hole goes. */
static void test_run_cap(void)
{
	start(0, 64 * 256);
	handshake();
	for (size_t i = 0; i < 64; i++)
		cdata(1, 2 + 2 * i, 1);
	CHECK_STR(rec.log, "open1");
	cdata(1, 2 + 2 * 64, 1); /* run 65 */
	CHECK_STR(rec.log, "open1 g0:2 d0:1");
	CHECK_INT(cap->lru_head->dir[0].ooo->n, 64);
	stop();
}

/* A bare ACK with junk at the ClientHello's sequence number: held, then replaced by the
   longer segment that follows; or let go when the peer acknowledges it. */
static void test_tiny_held(void)
{
	start(0, 0);
	handshake();
	pkt_full(1, C, 40000, 1001, 5001, F_ACK, 100, 6, 6); /* junk, no PSH */
	CHECK_STR(rec.log, "open1");
	cdata(1, 0, 40);
	CHECK_STR(rec.log, "open1 d0:6 d0:34");
	CHECK(stream_is(0, 0, 0, 40));
	CHECK_INT(cap->st.overlap_conflicts, 1);
	CHECK_INT(rec.f[0].last_frame[0], 5);
	stop();

	start(0, 0);
	handshake();
	pkt_full(1, C, 40000, 1001, 5001, F_ACK, 0, 4, 4);
	pkt_full(1, S, 40000, 5001, 1001 + 4, F_ACK, 0, 0, 0); /* acknowledged: real data */
	CHECK_STR(rec.log, "open1 d0:4");
	CHECK_INT(rec.f[0].last_frame[0], 4);
	cdata(1, 0, 10); /* a longer copy now changes nothing delivered */
	CHECK_STR(rec.log, "open1 d0:4 d0:6");
	CHECK_INT(cap->st.overlap_conflicts, 0);
	stop();

	/* junk on every bare ACK: the next junk keeps the first held; junk never confirmed is
	   dropped when the direction ends at a FIN before it, or a RST */
	start(0, 0);
	handshake();
	pkt_full(1, C, 40000, 1001, 5001, F_ACK, 100, 6, 6);
	pkt_full(1, C, 40000, 1001, 5001, F_ACK, 200, 6, 6);
	cdata(1, 0, 20);
	CHECK_STR(rec.log, "open1 d0:6 d0:14");
	CHECK(stream_is(0, 0, 0, 20));
	pkt_full(1, C, 40000, 1001 + 20, 5001, F_ACK, 300, 6, 6);
	pkt_full(1, C, 40000, 1001 + 20, 5001, F_FIN | F_ACK, 0, 0, 0);
	CHECK_STR(rec.log, "open1 d0:6 d0:14 e0F");
	pkt_full(1, S, 40000, 5001, 1001 + 20, F_ACK, 100, 5, 5);
	pkt_full(1, S, 40000, 5001, 1001 + 20, F_RST | F_ACK, 0, 0, 0);
	CHECK_STR(rec.log, "open1 d0:6 d0:14 e0F e1R close1");
	stop();
}

/* Bytes after a hole that is declared lost carry the frame of their own packet. */
static void test_gap_keeps_frame(void)
{
	start(0, 0);
	handshake();
	cdata(1, 0, 10);				   /* frame 4 */
	cdata(1, 30, 10);				   /* frame 5: after a hole never filled */
	pkt_full(2, S, 40000, 5001, 1011, F_ACK, 0, 0, 0); /* frame 6 */
	pkt_full(3, S, 40000, 5001, 1011, F_RST | F_ACK, 0, 0, 0); /* frame 7 */
	CHECK_STR(rec.log, "open1 d0:10 e1R g0:20 d0:10 e0R close1");
	CHECK_INT(rec.f[0].last_frame[0], 5);
	CHECK_INT(rec.f[0].last_sec[0], 1);
	stop();
}

/* A second copy of the stream in a far sequence space: the copy ahead is followed, the one
   behind ignored; a far segment ahead continued by another (a capture loss bigger than
   1 MiB, or the copy ahead) moves the stream there. */
static void test_other_copy(void)
{
	start(0, 0);
	handshake();
	pkt_full(1, S, 40000, 0x60005000u, 1001, F_SYN | F_ACK, 0, 0, 0); /* the copy ahead */
	pkt_full(1, S, 40000, 0x60005001u, 1001, F_ACK | F_PSH, 0, 10, 10);
	pkt_full(1, S, 40000, 5001, 1001, F_ACK | F_PSH, 100, 10, 10); /* far now */
	pkt_full(1, C, 40000, 1001, 5001 + 10, F_ACK, 0, 0, 0);	       /* far ACK: ignored */
	pkt_full(1, S, 40000, 0x60005001u + 10, 1001, F_ACK | F_PSH, 10, 10, 10);
	CHECK_STR(rec.log, "open1 d1:10 d1:10");
	CHECK(stream_is(0, 1, 0, 20));
	CHECK_INT(cap->st.tcp_other_copy, 1);
	CHECK_INT(cap->st.tcp_gaps, 0);
	stop();

	start(0, 0);
	handshake();
	cdata(1, 0, 10);
	pkt_full(1, C, 40000, 1001 + (1u << 21), 5001, F_ACK | F_PSH, 0, 20, 20);
	CHECK_STR(rec.log, "open1 d0:10"); /* one far segment: it waits */
	pkt_full(1, C, 40000, 1001 + (1u << 21) + 20, 5001, F_ACK | F_PSH, 20, 20, 20);
	CHECK_STR(rec.log, "open1 d0:10 g0:2097142 d0:40"); /* continued: followed */
	cdata(1, 10, 10);				    /* the old space is far behind now */
	pkt_full(1, C, 40000, 1001 + (1u << 21) + 40, 5001, F_ACK | F_PSH, 40, 20, 20);
	CHECK_STR(rec.log, "open1 d0:10 g0:2097142 d0:40 d0:20");
	CHECK_INT(cap->st.tcp_other_copy, 1);
	stop();
}

int main(void)
{
	test_in_order_and_retransmission();
	test_out_of_order();
	test_gap_at_end_and_fin();
	test_gap_by_ack();
	test_buffer_cap();
	test_mid_stream_and_synack();
	test_rst();
	test_port_reuse_live();
	test_idle_and_eviction();
	test_wraparound();
	test_snaplen_cut();
	test_random_order_runs();
	test_run_cap();
	test_tiny_held();
	test_gap_keeps_frame();
	test_other_copy();
	return CHECK_DONE();
}
