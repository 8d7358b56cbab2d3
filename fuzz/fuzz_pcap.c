/*
 * Fuzz target: the bytes are a pcap or pcapng file (plain or gzip), read by
 * the capture layer with small limits through its one reader (a memory
 * source, capture/gz.c, into the read buffer of reader.c: pcap.c,
 * pcapng.c) twice, once in one piece and once a few bytes per read so that
 * records straddle refills, and again through libpcap over the same source,
 * with a handler that touches every byte it is given.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capture/gz.h"
#include "capture/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sink {
	unsigned sum;
};

static void touch(struct sink *s, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s->sum += d[i];
}

static void on_tcp(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *d, size_t n,
		   const struct tlsa_pktinfo *pkt)
{
	(void)f;
	(void)dir;
	(void)pkt;
	touch(ctx, d, n);
}

static void on_udp(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *d, size_t n,
		   const struct tlsa_pktinfo *pkt)
{
	(void)f;
	(void)dir;
	(void)pkt;
	touch(ctx, d, n);
}

static void on_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	(void)pkt;
	touch(ctx, (const uint8_t *)msg, strlen(msg));
}

static struct tlsa_capture *new_capture(struct sink *s)
{
	struct tlsa_capture_handler h = {0};
	h.ctx = s;
	h.tcp_data = on_tcp;
	h.udp_data = on_udp;
	h.notice = on_notice;
	struct tlsa_capture_opts o = {.sz = sizeof(o)};
	o.max_flows = 8;
	o.max_flow_buffer = 4096;
	o.idle_timeout = 5;
	return tlsa_capture_new(&o, &h);
}

/* The bytes through the reader, `step` bytes per read (0: all at once). */
static void read_src(struct sink *s, const uint8_t *data, size_t size, size_t step)
{
	struct tlsa_error err;
	struct capture_src *src = capture_src_mem(data, size, step);
	struct tlsa_capture *c = new_capture(s);
	if (c != NULL && src != NULL) {
		capture_read_src(c, src, "fuzz", 0, &err);
		src = NULL;
		tlsa_capture_finish(c);
	}
	capture_src_close(src);
	tlsa_capture_free(c);
}

/* The bytes through libpcap, over the same source. */
static void read_libpcap(struct sink *s, const uint8_t *data, size_t size)
{
	struct capture_src *src = capture_src_mem(data, size, 0);
	FILE *f = src != NULL ? capture_src_fopen(src) : NULL;
	if (f == NULL)
		return;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		fclose(f);
		return;
	}
	struct tlsa_error err;
	struct tlsa_capture *c = new_capture(s);
	if (c != NULL) {
		capture_read_pcap(c, p, "fuzz", 0, &err);
		tlsa_capture_finish(c);
		tlsa_capture_free(c);
	}
	pcap_close(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct sink s = {0};
	read_src(&s, data, size, 0);
	read_src(&s, data, size, 1 + data[size - 1] % 37);
	read_libpcap(&s, data, size);
	return 0;
}
