/*
 * Fuzz target: the bytes are a pcap or pcapng file, read by the capture
 * layer with small limits through its in-place readers (capture_read_mem:
 * pcap.c, pcapng.c), again through libpcap (fmemopen +
 * pcap_fopen_offline), and through the stream libpcap reads stdin and pipes
 * with (capture/gz.c, plain or gzip: a memfd holds the bytes), with a handler
 * that touches every byte it is given.
 */
#define _GNU_SOURCE /* fmemopen, memfd_create */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* Reads p through a fresh capture, then closes it. */
static void read_with_libpcap(struct sink *s, pcap_t *p)
{
	struct tlsa_error err;
	struct tlsa_capture *c = new_capture(s);
	if (c != NULL) {
		capture_read_pcap(c, p, "fuzz", 0, &err);
		tlsa_capture_finish(c);
		tlsa_capture_free(c);
	}
	pcap_close(p);
}

/* The bytes as a file descriptor would give them, through gz.c's stream. */
static void read_as_stream(struct sink *s, const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		return;
	}
	bool gz;
	FILE *f = capture_stream_fdopen(fd, NULL, &gz);
	if (f == NULL)
		return;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		fclose(f);
		return;
	}
	read_with_libpcap(s, p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct sink s = {0};
	struct tlsa_error err;
	struct tlsa_capture *c = new_capture(&s);
	if (c != NULL) {
		capture_read_mem(c, data, size, false, "fuzz", 0, &err);
		tlsa_capture_finish(c);
		tlsa_capture_free(c);
	}
	read_as_stream(&s, data, size);
	FILE *f = fmemopen((void *)data, size, "rb");
	if (f == NULL)
		return 0;
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		fclose(f);
		return 0;
	}
	read_with_libpcap(&s, p);
	return 0;
}
