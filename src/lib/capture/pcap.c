/*
 * Classic pcap, the most common input, from the read buffer (reader.c):
 * records are decoded where they lie in the buffer, without another copy.
 * Modified (Kuznetzov) pcap differs only in 8 more bytes per record header.
 * A record longer than the file's snapshot length is read whole, as tshark
 * does (libpcap cuts it); one longer than 262,144 bytes (libpcap's largest
 * snapshot length) is an error.  A BPF filter is compiled by libpcap and
 * run per packet through pcap_offline_filter.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <string.h>

#include "readers.h"

#define MAX_CAPLEN   262144u /* libpcap's largest snapshot length */
#define LINKTYPE_RAW 101

static uint32_t swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static uint32_t get32(const uint8_t *p, bool swapped)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swapped ? swap32(v) : v;
}

/* What the 24-byte file header says. */
struct pcap_file {
	bool swapped;	  /* the file's byte order differs from ours */
	uint32_t mult;	  /* time stamp fraction to nanoseconds */
	uint32_t units;	  /* time stamp fraction units per second */
	uint32_t snaplen; /* for the wording of errors only: records are read whole */
	size_t hdrlen;	  /* record header: 16, or 24 in modified pcap */
	int dlt;
};

static int read_file_header(const uint8_t *buf, struct pcap_file *f, const char *name,
			    struct tlsa_error *err)
{
	uint32_t magic;
	memcpy(&magic, buf, 4);
	bool nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	f->swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1 || magic == 0x34cdb2a1;
	f->hdrlen = magic == 0xa1b2cd34 || magic == 0x34cdb2a1 ? 24 : 16;
	f->mult = nsec ? 1 : 1000;
	f->units = nsec ? 1000000000u : 1000000u;
	uint16_t major;
	memcpy(&major, buf + 4, 2);
	if (f->swapped)
		major = (uint16_t)((major >> 8) | (major << 8));
	if (major != 2)
		return tlsa_error_set(err, TLSA_EUNSUPP, 4, "%s: %s", name,
				      major < 2 ? "archaic pcap savefile format"
						: "unsupported pcap savefile version");
	f->snaplen = get32(buf + 16, f->swapped);
	if (f->snaplen == 0 || f->snaplen > MAX_CAPLEN)
		f->snaplen = MAX_CAPLEN;
	int dlt = (int)(get32(buf + 20, f->swapped) & 0x03ffffff); /* upper bits: FCS length */
	if (dlt == LINKTYPE_RAW)
		dlt = 12;
	f->dlt = dlt;
	if (!pkt_linktype_supported(dlt))
		return tlsa_error_set(err, TLSA_EUNSUPP, 0,
				      "%s: link-layer type %d (%s) is not supported", name, dlt,
				      pcap_datalink_val_to_name(dlt)
					      ? pcap_datalink_val_to_name(dlt)
					      : "unknown");
	return 0;
}

/* The options' BPF filter compiled for link type dlt (the caller frees prog). */
static int compile_filter(const struct tlsa_capture *c, int dlt, struct bpf_program *prog,
			  const char *name, struct tlsa_error *err)
{
	pcap_t *dead = pcap_open_dead(dlt, (int)MAX_CAPLEN);
	if (dead == NULL)
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "%s: out of memory", name);
	int rc = 0;
	if (pcap_compile(dead, prog, c->o.bpf, 1, PCAP_NETMASK_UNKNOWN) != 0)
		rc = tlsa_error_set(err, TLSA_EINVAL, 0, "%s: BPF filter \"%s\": %s", name,
				    c->o.bpf, pcap_geterr(dead));
	pcap_close(dead);
	return rc;
}

/* The record header at off has fewer than 16 bytes after it.  The wording of this and of
   bad_caplen follows libpcap's, so both readers report alike. */
static int short_header(struct tlsa_error *err, const char *name, uint64_t frame, uint64_t off,
			size_t want, size_t left)
{
	return tlsa_error_set(err, TLSA_ETRUNC, off,
			      "%s: frame %" PRIu64 ": truncated dump file; tried to read "
			      "%zu header bytes, only got %zu",
			      name, frame, want, left);
}

/* The record at off claims more bytes than libpcap allows or than the file still has. */
static int bad_caplen(struct tlsa_error *err, const char *name, uint64_t frame, uint64_t off,
		      uint32_t caplen, uint32_t snaplen, size_t left)
{
	if (caplen > MAX_CAPLEN)
		return tlsa_error_set(err, TLSA_EINVAL, off,
				      "%s: frame %" PRIu64
				      ": invalid packet capture length %" PRIu32
				      ", bigger than %s of %" PRIu32,
				      name, frame, caplen, caplen > snaplen ? "snaplen" : "maximum",
				      caplen > snaplen ? snaplen : MAX_CAPLEN);
	return tlsa_error_set(err, TLSA_ETRUNC, off,
			      "%s: frame %" PRIu64 ": truncated dump file; tried to read "
			      "%" PRIu32 " captured bytes, only got %zu",
			      name, frame, caplen, left);
}

/* The record at the reading position (header and data) is not all there: 0 when reading
   was stopped, else the error. */
static int short_record(struct tlsa_capture *c, struct rbuf *b, const struct pcap_file *pf,
			const char *name, uint64_t frame, uint32_t caplen, struct tlsa_error *err)
{
	int rc = capture_short(c, b, name, frame, err);
	if (rc != RB_END)
		return rc;
	size_t left = rb_avail(b);
	if (left < pf->hdrlen)
		return short_header(err, name, frame, rb_off(b), pf->hdrlen, left);
	return bad_caplen(err, name, frame, rb_off(b), caplen, pf->snaplen, left - pf->hdrlen);
}

/* The 24-byte file header; 0, or the error. */
static int file_header(struct tlsa_capture *c, struct rbuf *b, struct pcap_file *pf,
		       const char *name, struct tlsa_error *err)
{
	const uint8_t *fh = rb_need(b, 24);
	if (fh == NULL) {
		int rc = capture_short(c, b, name, 1, err);
		if (rc != RB_END)
			return rc == 0 ? 1 : rc;
		return tlsa_error_set(
			err, TLSA_ETRUNC, 0,
			"%s: truncated dump file; tried to read 24 file header bytes, "
			"only got %zu",
			name, rb_avail(b));
	}
	int rc = read_file_header(fh, pf, name, err);
	rb_skip(b, 24);
	return rc;
}

/* Long: the per-packet loop of the most common input, kept in one piece. */
int capture_read_pcap_buf(struct tlsa_capture *c, struct rbuf *b, const char *name,
			  uint32_t file_index, struct tlsa_error *err)
{
	struct pcap_file pf;
	int rc = file_header(c, b, &pf, name, err);
	if (rc != 0)
		return rc == 1 ? 0 : rc; /* 1: stopped */
	bool swapped = pf.swapped;
	uint32_t mult = pf.mult, units = pf.units;
	size_t hdrlen = pf.hdrlen;
	int dlt = pf.dlt;
	struct bpf_program prog;
	bool filter = c->o.bpf != NULL && c->o.bpf[0] != '\0';
	if (filter) {
		rc = compile_filter(c, dlt, &prog, name, err);
		if (rc != 0)
			return rc;
	}
	c->cur.file_index = file_index;
	c->cur.frame = 0;
	for (;;) {
		uint64_t frame = c->cur.frame + 1;
		const uint8_t *h = rb_need(b, hdrlen);
		if (h == NULL) {
			if (rb_avail(b) > 0 || b->failed || b->nomem)
				rc = short_record(c, b, &pf, name, frame, 0, err);
			break; /* else the end of the input (or a stop) between two records */
		}
		uint32_t caplen = get32(h + 8, swapped);
		if (caplen > MAX_CAPLEN) {
			rc = bad_caplen(err, name, frame, rb_off(b), caplen, pf.snaplen,
					rb_avail(b) - hdrlen);
			break;
		}
		h = rb_need(b, hdrlen + caplen);
		if (h == NULL) {
			rc = short_record(c, b, &pf, name, frame, caplen, err);
			break;
		}
		rb_skip(b, hdrlen + caplen);
		const uint8_t *data = h + hdrlen;
		c->cur.frame = frame;
		if (filter) {
			struct pcap_pkthdr ph;
			memset(&ph, 0, sizeof(ph));
			ph.caplen = caplen;
			ph.len = get32(h + 12, swapped);
			if (pcap_offline_filter(&prog, &ph, data) == 0)
				continue;
		}
		/* a fraction of a second of 10^6 (10^9) units or more carries into the seconds:
		   never above 2^32 + 4294 s, so no clamp is needed */
		uint32_t sec = get32(h, swapped), frac = get32(h + 4, swapped);
		uint64_t s = sec;
		if (frac >= units) {
			s += frac / units;
			frac %= units;
		}
		c->cur.ts_sec = (int64_t)s;
		c->cur.ts_nsec = frac * mult;
		c->st.packets++;
		c->st.bytes += caplen;
		pkt_decode(c, dlt, data, caplen);
	}
	if (filter)
		pcap_freecode(&prog);
	return rc;
}
