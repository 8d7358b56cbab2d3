/*
 * The capture object and the front end of the file readers.  Every input
 * (a file, "-", a FIFO, a pipe, /dev/fd/N, gzip or not) is opened once and
 * read sequentially through one source (gz.c) in large chunks into a reused
 * buffer (struct rbuf, readers.h); the first four bytes pick the reader of
 * its format (pcap.c, pcapng.c).  One path for everything: no mapping (page
 * faults cost more than the copy of read() on some machines, see
 * docs/PERFORMANCE.md), no second open (a FIFO cannot be opened twice), no
 * rewinding.  libpcap still compiles BPF filters, runs them per packet
 * (pcap_offline_filter, so frame numbers keep counting every packet, as
 * Wireshark does), captures live (the filter then installed in the kernel),
 * and reads files when tlsa_capture_opts.libpcap_reader asks for it (a
 * cross-check; through the same source).  Every frame goes to the packet
 * decoder (packet.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/opts.h"
#include "readers.h"

#define DEFAULT_MAX_FLOWS    65536
#define DEFAULT_FLOW_BUFFER  (256 * 1024)
#define DEFAULT_BUFFER_TOTAL ((size_t)16 << 20)
#define DEFAULT_IDLE	     300
#define READ_BUFFER	     (1 << 20) /* stdio buffer of the libpcap_reader stream */

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
	/* libpcap scales a microsecond file to nanoseconds without a check: the fraction may
	   hold whole seconds (a hostile 0xffffffff), carried here */
	if (hdr->ts.tv_usec < 0 || hdr->ts.tv_sec < 0) {
		capture_set_time(c, 0, -1, 0);
	} else {
		uint64_t frac = (uint64_t)hdr->ts.tv_usec * nsec_mult;
		capture_set_time(c, (uint64_t)hdr->ts.tv_sec + frac / 1000000000u, 0,
				 (uint32_t)(frac % 1000000000u));
	}
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

int capture_short(const struct tlsa_capture *c, const struct rbuf *b, const char *name,
		  uint64_t frame, struct tlsa_error *err)
{
	if (capture_stopped(c))
		return 0;
	if (b->nomem)
		return tlsa_error_set(err, TLSA_ENOMEM, rb_off(b),
				      "%s: frame %" PRIu64 ": out of memory", name, frame);
	if (!b->failed)
		return RB_END;
	bool trunc;
	const char *m = capture_src_error(b->src, &trunc);
	int code = trunc ? TLSA_ETRUNC : capture_src_is_gz(b->src) ? TLSA_EINVAL : TLSA_EIO;
	/* damage between two records (a bad CRC after the last one): every frame was whole */
	if (rb_avail(b) == 0 && frame > 1)
		return tlsa_error_set(err, code, rb_off(b), "%s: after frame %" PRIu64 ": %s", name,
				      frame - 1, m);
	return tlsa_error_set(err, code, rb_off(b), "%s: frame %" PRIu64 ": %s", name, frame, m);
}

/* Long: the grow, carry and read steps of one refill read best together. */
const uint8_t *rb_fill(struct rbuf *b, size_t n)
{
	if (n > b->cap) {
		size_t cap = b->cap * 2 > n ? b->cap * 2 : n;
		uint8_t *nb = n > CAPTURE_MAX_RECORD ? NULL : realloc(b->buf, cap);
		if (nb == NULL) {
			b->nomem = true;
			return NULL;
		}
		b->buf = nb;
		b->cap = cap;
	}
	/* the record begun is carried to the start: the rest of the buffer is read into */
	size_t have = b->end - b->pos;
	if (b->pos > 0) {
		memmove(b->buf, b->buf + b->pos, have);
		b->base += b->pos;
		b->pos = 0;
		b->end = have;
	}
	while (b->end < n) {
		if (b->eof)
			return NULL;
		if (b->stop != NULL && *b->stop != 0) {
			b->eof = true; /* capture_short sees the stop */
			return NULL;
		}
		ssize_t got = capture_src_read(b->src, b->buf + b->end, b->cap - b->end);
		if (got <= 0) {
			b->eof = true;
			b->failed = got < 0;
			return NULL;
		}
		b->end += (size_t)got;
	}
	return b->buf;
}

/* After a format error in gzip data: whether zlib finds damage further on.  deflate notices
   damage late (a wrong CRC only at the end), so garbage may reach a reader before the error
   does: the rest of a file is inflated to see (not a stream, which may never end). */
static bool damaged_gzip(struct rbuf *b)
{
	if (!capture_src_is_gz(b->src))
		return false;
	while (!capture_src_failed(b->src) && capture_src_is_file(b->src)) {
		b->pos = b->end = 0; /* the bytes read are of no use now */
		if (capture_src_read(b->src, b->buf, b->cap) <= 0)
			break;
	}
	return capture_src_failed(b->src);
}

/* The first four bytes are a pcap or pcapng magic number, or the input is no capture. */
int capture_read_buf(struct tlsa_capture *c, struct rbuf *b, const char *name, uint32_t file_index,
		     struct tlsa_error *err)
{
	c->cur.file_index = file_index;
	c->cur.frame = 0;
	const uint8_t *m = rb_need(b, 4);
	if (m == NULL) {
		int rc = capture_short(c, b, name, 1, err);
		if (rc != RB_END)
			return rc;
		return tlsa_error_set(err, TLSA_ETRUNC, 0,
				      "%s: truncated dump file; tried to read 4 file header bytes, "
				      "only got %zu",
				      name, rb_avail(b));
	}
	uint32_t magic;
	memcpy(&magic, m, 4);
	int rc;
	switch (magic) {
	case 0xa1b2c3d4: /* classic pcap: microseconds or nanoseconds, either byte order */
	case 0xa1b23c4d:
	case 0xd4c3b2a1:
	case 0x4d3cb2a1:
	case 0xa1b2cd34: /* modified (Kuznetzov) pcap, either byte order */
	case 0x34cdb2a1: rc = capture_read_pcap_buf(c, b, name, file_index, err); break;
	case 0x0a0d0d0a: /* pcapng section header, the same in both byte orders */
		rc = capture_read_pcapng_buf(c, b, name, file_index, err);
		break;
	default: rc = tlsa_error_set(err, TLSA_EINVAL, 0, "%s: unknown file format", name);
	}
	if (rc < 0 && !b->failed && damaged_gzip(b)) {
		/* the bytes inflated before zlib saw damage made no sense: the damage is the
		   error, in the frame that was being read */
		bool trunc;
		const char *why = capture_src_error(b->src, &trunc);
		rc = tlsa_error_set(err, trunc ? TLSA_ETRUNC : TLSA_EINVAL, rb_off(b),
				    "%s: frame %" PRIu64 ": %s", name, c->cur.frame + 1, why);
	}
	return rc;
}

int capture_read_src(struct tlsa_capture *c, struct capture_src *src, const char *name,
		     uint32_t file_index, struct tlsa_error *err)
{
	struct rbuf b = {.src = src, .stop = c->o.stop, .cap = CAPTURE_CHUNK};
	b.buf = malloc(b.cap);
	int rc = b.buf == NULL ? tlsa_error_set(err, TLSA_ENOMEM, 0, "%s: out of memory", name)
			       : capture_read_buf(c, &b, name, file_index, err);
	free(b.buf);
	capture_src_close(src);
	return rc;
}

/* Long: a hostile offset may take any time out of range in either direction; each case
   is checked before its arithmetic, so that nothing overflows. */
void capture_set_time(struct tlsa_capture *c, uint64_t sec, int64_t offset, uint32_t nsec)
{
	const uint64_t max = (uint64_t)CAPTURE_TS_MAX;
	int side = 0; /* -1 before 1970, 1 after the maximum */
	uint64_t s = 0;
	if (offset >= 0) {
		if (sec > max || (uint64_t)offset > max - sec)
			side = 1;
		else
			s = sec + (uint64_t)offset;
	} else {
		uint64_t back = (uint64_t)(-(offset + 1)) + 1; /* |offset|, INT64_MIN too */
		if (sec < back)
			side = -1;
		else if (sec - back > max)
			side = 1;
		else
			s = sec - back;
	}
	if (side == 0) {
		c->cur.ts_sec = (int64_t)s;
		c->cur.ts_nsec = nsec;
		return;
	}
	c->cur.ts_sec = side > 0 ? CAPTURE_TS_MAX : 0;
	c->cur.ts_nsec = side > 0 ? 999999999u : 0;
	if (c->notices[NK_TIME] == 0) /* once: a hostile interface has every packet out */
		cap_notice(c, NK_TIME, &c->cur, "time stamps out of range (%s): shown as %s",
			   side > 0 ? "after 9999" : "before 1970",
			   side > 0 ? "9999-12-31T23:59:59.999999999Z" : "1970-01-01T00:00:00Z");
}

/* The input through libpcap (libpcap_reader), fed by the same source. */
static int read_with_libpcap(struct tlsa_capture *c, struct capture_src *src, const char *path,
			     uint32_t file_index, struct tlsa_error *err)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	ebuf[0] = '\0';
	FILE *f = capture_src_fopen(src);
	if (f == NULL)
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "%s: out of memory", path);
	/* a large buffer: far fewer reads than stdio's default, and each still returns what
	   has arrived */
	setvbuf(f, NULL, _IOFBF, READ_BUFFER);
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		fclose(f);
		if (capture_stopped(c))
			return 0; /* stopped before the file header had come */
		return tlsa_error_set(err, strstr(ebuf, "truncated") ? TLSA_ETRUNC : TLSA_EINVAL, 0,
				      "%s: %s", path, ebuf);
	}
	int rc = capture_read_pcap(c, p, path, file_index, err);
	pcap_close(p);
	return rc;
}

int tlsa_capture_file(struct tlsa_capture *c, const char *path, uint32_t file_index,
		      struct tlsa_error *err)
{
	bool in = strcmp(path, "-") == 0;
	int fd = in ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tlsa_error_set(err, TLSA_EIO, 0, "%s: %s: %s", path,
				      in ? "cannot read standard input" : "cannot open",
				      strerror(errno));
	struct capture_src *src = capture_src_fd(fd, c->o.stop);
	if (src == NULL)
		return tlsa_error_set(err, TLSA_EIO, 0, "%s: cannot read: %s", path,
				      strerror(errno));
	if (c->o.libpcap_reader)
		return read_with_libpcap(c, src, path, file_index, err);
	return capture_read_src(c, src, path, file_index, err);
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
