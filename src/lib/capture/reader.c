/*
 * The capture object and the front end of the file readers.  A classic pcap
 * or pcapng file on disk is mapped and handed, by its magic number, to the
 * in-place reader for its format (pcap.c, pcapng.c); gzip, stdin, other
 * formats and live interfaces are read through libpcap here.  Every frame
 * goes to the packet decoder (packet.c).
 *
 * Files are opened with nanosecond precision, so microsecond files are
 * scaled by libpcap.  A BPF filter on a file is run by us per packet
 * (pcap_offline_filter) so frame numbers keep counting every packet, as
 * Wireshark does; on a live interface it is installed in the kernel.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/opts.h"
#include "gz.h"
#include "readers.h"

#define DEFAULT_MAX_FLOWS   65536
#define DEFAULT_FLOW_BUFFER (256 * 1024)
#define DEFAULT_BUFFER_TOTAL ((size_t)16 << 20)
#define DEFAULT_IDLE	    300
#define READ_BUFFER	    (1 << 20)

struct tlsa_capture *tlsa_capture_new(const struct tlsa_capture_opts *o,
				      const struct tlsa_capture_handler *h)
{
	struct tlsa_capture *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	opts_load(&c->o, sizeof(c->o), o);
	if (h != NULL)
		c->h = *h;
	if (c->o.max_flows == 0)
		c->o.max_flows = DEFAULT_MAX_FLOWS;
	if (c->o.max_flow_buffer == 0)
		c->o.max_flow_buffer = DEFAULT_FLOW_BUFFER;
	if (c->o.max_buffer_total == 0)
		c->o.max_buffer_total = DEFAULT_BUFFER_TOTAL;
	if (c->o.idle_timeout == 0)
		c->o.idle_timeout = DEFAULT_IDLE;
	if (flow_table_init(c) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void tlsa_capture_finish(struct tlsa_capture *c)
{
	if (c == NULL)
		return;
	flow_close_all(c);
	ip_frag_free_all(c);
}

void tlsa_capture_free(struct tlsa_capture *c)
{
	if (c == NULL)
		return;
	flow_table_free(c);
	ip_frag_free_all(c);
	free(c);
}

void tlsa_capture_get_stats(const struct tlsa_capture *c, struct tlsa_capture_stats *out)
{
	if (c != NULL && out != NULL)
		*out = c->st;
}

static const char *linktype_label(int dlt)
{
	const char *n = pcap_datalink_val_to_name(dlt);
	return n != NULL ? n : "unknown";
}

/* libpcap takes the stream over on success only. */
static pcap_t *pcap_from_stream(FILE *f, char *ebuf)
{
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL)
		fclose(f);
	return p;
}

/* Opens a capture file for libpcap through our stream (gz.c): plain or gzip, from a file, a
   pipe, a FIFO or stdin ("-"), decoded as the bytes arrive. */
static pcap_t *open_file(struct tlsa_capture *c, const char *path, char *ebuf, int *err_is_io,
			 bool *gz)
{
	*err_is_io = 0;
	*gz = false;
	bool in = strcmp(path, "-") == 0;
	int fd = in ? dup(0) : open(path, O_RDONLY);
	if (fd < 0) {
		*err_is_io = 1;
		snprintf(ebuf, PCAP_ERRBUF_SIZE, "%s: %s",
			 in ? "cannot read standard input" : "cannot open", strerror(errno));
		return NULL;
	}
	FILE *f = capture_stream_fdopen(fd, c->o.stop, gz);
	if (f == NULL) {
		*err_is_io = 1;
		snprintf(ebuf, PCAP_ERRBUF_SIZE, "cannot read: %s", strerror(errno));
		return NULL;
	}
	/* a large buffer: far fewer read() calls than stdio's default, and the stream's
	   reads still return what has arrived */
	setvbuf(f, NULL, _IOFBF, READ_BUFFER);
	return pcap_from_stream(f, ebuf);
}

static int compile_filter(struct tlsa_capture *c, pcap_t *p, struct bpf_program *prog,
			  const char *path, struct tlsa_error *err)
{
	if (pcap_compile(p, prog, c->o.bpf, 1, PCAP_NETMASK_UNKNOWN) != 0)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "%s: BPF filter \"%s\": %s", path,
				      c->o.bpf, pcap_geterr(p));
	return 0;
}

static void one_packet(struct tlsa_capture *c, int dlt, const struct pcap_pkthdr *hdr,
		       const uint8_t *data, uint32_t nsec_mult)
{
	c->cur.ts_sec = (int64_t)hdr->ts.tv_sec;
	c->cur.ts_nsec = (uint32_t)hdr->ts.tv_usec * nsec_mult;
	c->st.packets++;
	c->st.bytes += hdr->caplen;
	pkt_decode(c, dlt, data, hdr->caplen);
}

int capture_read_pcap(struct tlsa_capture *c, pcap_t *p, const char *name, uint32_t file_index,
		      struct tlsa_error *err)
{
	int dlt = pcap_datalink(p);
	if (!pkt_linktype_supported(dlt))
		return tlsa_error_set(err, TLSA_EUNSUPP, 0,
				      "%s: link-layer type %d (%s) is not supported", name, dlt,
				      linktype_label(dlt));
	struct bpf_program prog;
	bool filter = c->o.bpf != NULL && c->o.bpf[0] != '\0';
	if (filter) {
		int rc = compile_filter(c, p, &prog, name, err);
		if (rc != 0)
			return rc;
	}
	c->cur.file_index = file_index;
	c->cur.frame = 0;
	int rc = 0;
	while (!capture_stopped(c)) {
		struct pcap_pkthdr *hdr;
		const u_char *data;
		int r = pcap_next_ex(p, &hdr, &data);
		if (r == 1) {
			c->cur.frame++;
			if (filter && pcap_offline_filter(&prog, hdr, data) == 0)
				continue;
			one_packet(c, dlt, hdr, data, 1);
			continue;
		}
		if (r == PCAP_ERROR_BREAK || capture_stopped(c))
			break; /* end of file, or stopped within a packet */
		const char *m = pcap_geterr(p);
		rc = tlsa_error_set(err, strstr(m, "truncated") != NULL ? TLSA_ETRUNC : TLSA_EINVAL,
				    0, "%s: frame %" PRIu64 ": %s", name, c->cur.frame + 1, m);
		break;
	}
	if (filter)
		pcap_freecode(&prog);
	return rc;
}

int capture_read_mem(struct tlsa_capture *c, const uint8_t *buf, size_t len, bool mapped,
		     const char *name, uint32_t file_index, struct tlsa_error *err)
{
	if (len < 24)
		return 1;
	uint32_t magic;
	memcpy(&magic, buf, 4);
	switch (magic) {
	case 0xa1b2c3d4: /* classic pcap: microseconds or nanoseconds, either byte order */
	case 0xa1b23c4d:
	case 0xd4c3b2a1:
	case 0x4d3cb2a1: return capture_read_pcap_mem(c, buf, len, mapped, name, file_index, err);
	case 0x0a0d0d0a: /* pcapng section header, the same in both byte orders */
		return capture_read_pcapng_mem(c, buf, len, mapped, name, file_index, err);
	default: return 1; /* modified pcap, not a capture: libpcap decides */
	}
}

/* A regular file mapped and read in place; 1 (nothing done) when it cannot be. */
static int capture_read_mapped(struct tlsa_capture *c, int fd, const char *name,
			       uint32_t file_index, struct tlsa_error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24)
		return 1;
	size_t len = (size_t)st.st_size;
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	madvise(m, len, MADV_SEQUENTIAL);
	int rc = capture_read_mem(c, m, len, true, name, file_index, err);
	munmap(m, len);
	return rc;
}

int tlsa_capture_file(struct tlsa_capture *c, const char *path, uint32_t file_index,
		      struct tlsa_error *err)
{
	bool in = strcmp(path, "-") == 0;
	if (!c->o.libpcap_reader) {
		/* stdin redirected from a file (`< f.pcap`) is mapped as well */
		int fd = in ? (lseek(0, 0, SEEK_CUR) == 0 ? 0 : -1) : open(path, O_RDONLY);
		if (fd >= 0) {
			int rc = capture_read_mapped(c, fd, path, file_index, err);
			if (!in)
				close(fd);
			if (rc != 1)
				return rc;
		}
	}
	char ebuf[PCAP_ERRBUF_SIZE];
	int is_io;
	ebuf[0] = '\0';
	bool gz;
	pcap_t *p = open_file(c, path, ebuf, &is_io, &gz);
	if (p == NULL && capture_stopped(c))
		return 0; /* stopped before the file header had come */
	if (p == NULL) {
		int code = is_io			       ? TLSA_EIO
			   : strstr(ebuf, "truncated") != NULL ? TLSA_ETRUNC
							       : TLSA_EINVAL;
		return tlsa_error_set(err, code, 0, "%s: %s%s", path, ebuf,
				      gz && strstr(ebuf, "error reading") != NULL
					      ? " (in the gzip-compressed data)"
					      : "");
	}
	int rc = capture_read_pcap(c, p, path, file_index, err);
	pcap_close(p);
	if (rc != 0 && gz && err != NULL && strstr(err->msg, "error reading dump file") != NULL) {
		char m[sizeof(err->msg)];
		snprintf(m, sizeof(m), "%s", err->msg);
		tlsa_error_set(err, rc, 0, "%s (in the gzip-compressed data)", m);
	}
	return rc;
}

struct live_ctx {
	struct tlsa_capture *c;
	int dlt;
	uint32_t mult;
};

static void live_cb(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	void *v = user;
	struct live_ctx *l = v;
	l->c->cur.frame++;
	one_packet(l->c, l->dlt, hdr, data, l->mult);
}

int tlsa_capture_live(struct tlsa_capture *c, const char *iface, volatile int *stop,
		      struct tlsa_error *err)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	ebuf[0] = '\0';
	pcap_t *p = pcap_create(iface, ebuf);
	if (p == NULL)
		return tlsa_error_set(err, TLSA_EIO, 0, "%s: %s", iface, ebuf);
	pcap_set_snaplen(p, 262144);
	pcap_set_timeout(p, 100);
	pcap_set_immediate_mode(p, 1);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
	int a = pcap_activate(p);
	if (a < 0) {
		int rc = tlsa_error_set(err, TLSA_EIO, 0, "%s: cannot capture: %s", iface,
					a == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(a));
		pcap_close(p);
		return rc;
	}
	int dlt = pcap_datalink(p);
	if (!pkt_linktype_supported(dlt)) {
		int rc = tlsa_error_set(err, TLSA_EUNSUPP, 0,
					"%s: link-layer type %d (%s) is not supported", iface, dlt,
					linktype_label(dlt));
		pcap_close(p);
		return rc;
	}
	if (c->o.bpf != NULL && c->o.bpf[0] != '\0') {
		struct bpf_program prog;
		int rc = compile_filter(c, p, &prog, iface, err);
		if (rc == 0 && pcap_setfilter(p, &prog) != 0)
			rc = tlsa_error_set(err, TLSA_EINVAL, 0, "%s: cannot install filter: %s",
					    iface, pcap_geterr(p));
		if (rc == 0)
			pcap_freecode(&prog);
		if (rc != 0) {
			pcap_close(p);
			return rc;
		}
	}
	struct live_ctx l = {c, dlt,
			     pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000};
	c->cur.file_index = 0;
	c->cur.frame = 0;
	int rc = 0;
	/* non-blocking reads after poll() with a short timeout, so *stop is seen promptly */
	int fd = pcap_get_selectable_fd(p);
	if (pcap_setnonblock(p, 1, ebuf) != 0)
		fd = -1;
	while ((stop == NULL || !*stop) && !capture_stopped(c)) {
		if (fd >= 0) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
				rc = tlsa_error_set(err, TLSA_EIO, 0, "%s: poll: %s", iface,
						    strerror(errno));
				break;
			}
		}
		int n = pcap_dispatch(p, -1, live_cb, (u_char *)&l);
		if (n == PCAP_ERROR) {
			rc = tlsa_error_set(err, TLSA_EIO, 0, "%s: %s", iface, pcap_geterr(p));
			break;
		}
		if (n == PCAP_ERROR_BREAK)
			break;
	}
	pcap_close(p);
	return rc;
}
