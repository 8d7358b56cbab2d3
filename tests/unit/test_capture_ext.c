/*
 * Real captures (copies in tests/data/capture/ext/): at every frame where
 * tshark shows an alert record, the capture layer must deliver stream bytes
 * or a datagram from the alert's sender; retransmitted copies of an alert
 * segment must deliver nothing.
 */
#include "check.h"

#include "tlsalert/capture.h"

#define EXT "tests/data/capture/ext/"

struct ev {
	uint64_t frame;
	uint16_t sport;
	char kind; /* 'T' or 'U' */
	size_t len;
};

struct evs {
	struct ev e[4096];
	size_t n;
	int gaps, notices;
};

static void add(struct evs *v, char kind, const struct tlsa_flow *f, int dir, size_t len,
		const struct tlsa_pktinfo *pkt)
{
	if (v->n < sizeof(v->e) / sizeof(v->e[0]))
		v->e[v->n++] = (struct ev){pkt->frame, f->port[dir], kind, len};
}

static void on_tcp(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *d, size_t n,
		   const struct tlsa_pktinfo *pkt)
{
	(void)d;
	add(ctx, 'T', f, dir, n, pkt);
}

static void on_udp(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *d, size_t n,
		   const struct tlsa_pktinfo *pkt)
{
	(void)d;
	add(ctx, 'U', f, dir, n, pkt);
}

static void on_gap(void *ctx, struct tlsa_flow *f, int dir, uint64_t m,
		   const struct tlsa_pktinfo *pkt)
{
	(void)f;
	(void)dir;
	(void)m;
	(void)pkt;
	((struct evs *)ctx)->gaps++;
}

static void on_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	(void)pkt;
	(void)msg;
	((struct evs *)ctx)->notices++;
}

static struct evs ev;

static void load(const char *file)
{
	memset(&ev, 0, sizeof(ev));
	struct tlsa_capture_handler h = {0};
	h.ctx = &ev;
	h.tcp_data = on_tcp;
	h.udp_data = on_udp;
	h.tcp_gap = on_gap;
	h.notice = on_notice;
	struct tlsa_capture *c = tlsa_capture_new(NULL, &h);
	struct tlsa_error err;
	char path[256];
	snprintf(path, sizeof(path), EXT "%s", file);
	int rc = tlsa_capture_file(c, path, 0, &err);
	if (rc != 0)
		fprintf(stderr, "%s\n", err.msg);
	CHECK_INT(rc, 0);
	tlsa_capture_finish(c);
	tlsa_capture_free(c);
	CHECK_INT(ev.gaps, 0);
	CHECK_INT(ev.notices, 0);
}

static int delivered(uint64_t frame, uint16_t sport, char kind)
{
	int n = 0;
	for (size_t i = 0; i < ev.n; i++)
		if (ev.e[i].frame == frame && ev.e[i].sport == sport && ev.e[i].kind == kind)
			n++;
	return n;
}

static int delivered_in(uint64_t from, uint64_t to)
{
	int n = 0;
	for (size_t i = 0; i < ev.n; i++)
		if (ev.e[i].frame >= from && ev.e[i].frame <= to)
			n++;
	return n;
}

int main(void)
{
	load("zeek--geneve-47101.pcap"); /* TLS inside Geneve */
	CHECK_INT(delivered(20, 45474, 'T'), 1);
	load("zeek--pppoe-over-qinq.pcap"); /* PPPoE in QinQ; alert retransmitted in 83-86 */
	CHECK_INT(delivered(79, 20394, 'T'), 1);
	CHECK_INT(delivered(82, 443, 'T'), 1);
	CHECK_INT(delivered_in(83, 86), 0);
	load("zeek--irc-starttls.pcap"); /* Linux cooked capture */
	CHECK_INT(delivered(17, 6667, 'T'), 1);
	load("suricata-verify--bug-2646-01.pcap"); /* alert retransmitted in 21-29 */
	CHECK_INT(delivered(19, 443, 'T'), 1);
	CHECK_INT(delivered_in(20, 29), 0);
	load("arkime--wireshark-dtls12.pcap"); /* DTLS over IPv6 */
	CHECK_INT(delivered(16, 49191, 'U'), 1);
	CHECK_INT(delivered(17, 48809, 'U'), 1);
	load("zeek--xmpp-dialback-starttls.pcap"); /* alert retransmitted in 33-37 */
	CHECK_INT(delivered(30, 5269, 'T'), 1);
	CHECK_INT(delivered_in(31, 37), 0);
	return CHECK_DONE();
}
