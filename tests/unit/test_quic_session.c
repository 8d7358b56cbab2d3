/*
 * QUIC in the session tracker (session/quic.c), through the capture handler:
 * the bound on open QUIC connections (8192: the next ones are left as plain UDP
 * and counted; a closed one frees its place), what is not taken for QUIC (a
 * long-header datagram under 1200 bytes, one whose Initial does not decrypt, a
 * flow whose first datagram was something else), and the alert event of the
 * crafted ALPN mismatch (tests/data/quic/crafted-no-alpn.pcap: the client Initial
 * and the server's Initial with CRYPTO_ERROR 0x178).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/session.h"

/* The UDP payloads of a small Ethernet/IPv4 pcap (the crafted captures). */
static size_t read_dgrams(const char *path, uint8_t bufs[][1500], size_t lens[], size_t max)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	uint8_t hdr[24], rec[16], frame[2000];
	size_t n = 0;
	if (fread(hdr, 1, 24, f) != 24) {
		fclose(f);
		return 0;
	}
	while (n < max && fread(rec, 1, 16, f) == 16) {
		uint32_t cap = (uint32_t)rec[8] | (uint32_t)rec[9] << 8 | (uint32_t)rec[10] << 16 |
			       (uint32_t)rec[11] << 24;
		if (cap > sizeof(frame) || fread(frame, 1, cap, f) != cap || cap < 14 + 20 + 8)
			break;
		size_t ihl = (size_t)(frame[14] & 15) * 4;
		size_t off = 14 + ihl + 8;
		if (off > cap || cap - off > 1500)
			break;
		lens[n] = cap - off;
		memcpy(bufs[n], frame + off, lens[n]);
		n++;
	}
	fclose(f);
	return n;
}

struct seen {
	int alerts, conns, quic_conns;
	int code;
	char space[16], transport_reason[TLSA_QUIC_REASON_MAX + 1];
	uint64_t close_code;
};

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct seen *s = ctx;
	s->alerts++;
	s->code = ev->description;
	if (ev->quic)
		snprintf(s->space, sizeof(s->space), "%s", ev->quic_space);
	snprintf(s->transport_reason, sizeof(s->transport_reason), "%s", ev->quic_reason);
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	struct seen *s = ctx;
	s->conns++;
	if (ev->quic) {
		s->quic_conns++;
		s->close_code = ev->quic_close.code;
	}
}

static uint8_t dg[4][1500];
static size_t dl[4];

int main(void)
{
	size_t n = read_dgrams("tests/data/quic/crafted-no-alpn.pcap", dg, dl, 4);
	CHECK_INT(n, 2);
	if (n != 2)
		return CHECK_DONE();

	/* one connection: the alert of the server's Initial */
	struct seen s = {0};
	struct tlsa_tracker_opts o = {
		.sz = sizeof(o), .ctx = &s, .on_alert = on_alert, .on_conn = on_conn};
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);
	struct tlsa_pktinfo pkt = {.frame = 1};
	enum { NFLOWS = 8200 };
	struct tlsa_flow *flows = calloc(NFLOWS, sizeof(*flows));
	for (int i = 0; i < NFLOWS; i++) {
		flows[i].transport = 17;
		flows[i].syn_dir = -1;
		flows[i].port[0] = (uint16_t)(20000 + i % 40000);
		flows[i].port[1] = 443;
		flows[i].id = (uint64_t)i + 1;
	}
	h.flow_open(h.ctx, &flows[0], &pkt);
	h.udp_data(h.ctx, &flows[0], 0, dg[0], dl[0], &pkt);
	pkt.frame++;
	h.udp_data(h.ctx, &flows[0], 1, dg[1], dl[1], &pkt);
	h.flow_close(h.ctx, &flows[0]);
	CHECK_INT(s.alerts, 1);
	CHECK_INT(s.code, 120);
	CHECK_STR(s.space, "initial");
	CHECK_STR(s.transport_reason, "no ALPN offered");
	CHECK_INT(s.quic_conns, 1);
	CHECK_INT(s.close_code, 0x178);

	/* the cap: 8192 open QUIC connections, the next ones not followed */
	struct tlsa_tracker_stats st;
	for (int i = 1; i < NFLOWS; i++) {
		h.flow_open(h.ctx, &flows[i], &pkt);
		h.udp_data(h.ctx, &flows[i], 0, dg[0], dl[0], &pkt);
	}
	tlsa_tracker_get_stats(t, &st);
	CHECK_INT(st.quic_conns, 1 + 8192);
	CHECK_INT(st.quic_conns_dropped, NFLOWS - 1 - 8192);
	/* a close frees a place: the next new flow is followed again */
	h.udp_data(h.ctx, &flows[1], 1, dg[1], dl[1], &pkt);
	struct tlsa_flow extra = flows[0];
	extra.id = 99999;
	h.flow_open(h.ctx, &extra, &pkt);
	h.udp_data(h.ctx, &extra, 0, dg[0], dl[0], &pkt);
	tlsa_tracker_get_stats(t, &st);
	CHECK_INT(st.quic_conns, 1 + 8192 + 1);
	h.flow_close(h.ctx, &extra);
	for (int i = 1; i < NFLOWS; i++)
		h.flow_close(h.ctx, &flows[i]);
	tlsa_tracker_free(t);

	/* not QUIC: too short, a broken Initial, a flow that began with another datagram */
	memset(&s, 0, sizeof(s));
	t = tlsa_tracker_new(&o);
	tlsa_tracker_handler(t, &h);
	uint8_t bad[1500];
	memcpy(bad, dg[0], dl[0]);
	bad[dl[0] - 1] ^= 1; /* the AEAD tag fails */
	const struct {
		const uint8_t *p;
		size_t n;
	} first[3] = {{dg[0], 1199}, {bad, dl[0]}, {(const uint8_t *)"\x01\x02\x03\x04", 4}};
	for (int i = 0; i < 3; i++) {
		h.flow_open(h.ctx, &flows[i], &pkt);
		h.udp_data(h.ctx, &flows[i], 0, first[i].p, first[i].n, &pkt);
		h.udp_data(h.ctx, &flows[i], 0, dg[0], dl[0], &pkt);
		h.udp_data(h.ctx, &flows[i], 1, dg[1], dl[1], &pkt);
		h.flow_close(h.ctx, &flows[i]);
	}
	tlsa_tracker_get_stats(t, &st);
	CHECK_INT(st.quic_conns, 0);
	CHECK_INT(s.alerts, 0);
	tlsa_tracker_free(t);
	free(flows);
	return CHECK_DONE();
}
