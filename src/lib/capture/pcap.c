/*
 * Classic pcap read in place, the most common input: reader.c maps an
 * uncompressed file on disk (the fuzzer passes memory) and this walks its
 * records without copying packet bytes (libpcap reads through stdio, which
 * costs a kernel copy and a user-space copy per byte).  On a mapped file the
 * pages already read are dropped as the walk advances, so resident memory
 * does not grow with the file.  pcapng has its own in-place reader
 * (pcapng.c); gzip, stdin, pipes and the modified/Kuznetzov format go
 * through libpcap (reader.c).  A BPF filter is compiled by libpcap and run
 * per packet through pcap_offline_filter.
 *
 * Benchmark (docs/capture.md, "Performance"): on the 1 GB bench/scan capture
 * this path needs 197 ms of CPU against 354 ms through libpcap.
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
	uint32_t snaplen; /* bytes beyond it are dropped, as libpcap does */
	int dlt;
};

/* 1 when the input is not a classic pcap version 2 file (libpcap decides). */
static int read_file_header(const uint8_t *buf, size_t len, struct pcap_file *f, const char *name,
			    struct tlsa_error *err)
{
	if (len < 24)
		return 1;
	uint32_t magic;
	memcpy(&magic, buf, 4);
	bool nsec;
	switch (magic) {
	case 0xa1b2c3d4: f->swapped = false, nsec = false; break;
	case 0xa1b23c4d: f->swapped = false, nsec = true; break;
	case 0xd4c3b2a1: f->swapped = true, nsec = false; break;
	case 0x4d3cb2a1: f->swapped = true, nsec = true; break;
	default: return 1; /* modified pcap, not a capture: libpcap decides */
	}
	f->mult = nsec ? 1 : 1000;
	uint16_t major;
	memcpy(&major, buf + 4, 2);
	if (f->swapped)
		major = (uint16_t)((major >> 8) | (major << 8));
	if (major != 2)
		return 1;
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
static int short_header(struct tlsa_error *err, const char *name, uint64_t frame, size_t off,
			size_t left)
{
	return tlsa_error_set(err, TLSA_ETRUNC, off,
			      "%s: frame %" PRIu64 ": truncated dump file; tried to read "
			      "16 header bytes, only got %zu",
			      name, frame, left);
}

/* The record at off claims more bytes than libpcap allows or than the file still has. */
static int bad_caplen(struct tlsa_error *err, const char *name, uint64_t frame, size_t off,
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

int capture_read_pcap_mem(struct tlsa_capture *c, const uint8_t *buf, size_t len, bool mapped,
			  const char *name, uint32_t file_index, struct tlsa_error *err)
{
	struct pcap_file pf;
	int rc = read_file_header(buf, len, &pf, name, err);
	if (rc != 0)
		return rc;
	bool swapped = pf.swapped;
	uint32_t mult = pf.mult, snaplen = pf.snaplen;
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
	size_t off = 24; /* the checkpoint runs first at the start */
	struct reader_pos pos = {0, 0};
	while (off < len) {
		if (capture_checkpoint(c, buf, mapped, &pos, off))
			break;
		size_t left = len - off;
		uint64_t frame = c->cur.frame + 1;
		if (left < 16) {
			rc = short_header(err, name, frame, off, left);
			break;
		}
		const uint8_t *h = buf + off;
		uint32_t sec = get32(h, swapped), frac = get32(h + 4, swapped);
		uint32_t caplen = get32(h + 8, swapped), wirelen = get32(h + 12, swapped);
		if (caplen > MAX_CAPLEN || left - 16 < caplen) {
			rc = bad_caplen(err, name, frame, off, caplen, snaplen, left - 16);
			break;
		}
		const uint8_t *data = h + 16;
		off += 16 + (size_t)caplen;
		if (caplen > snaplen)
			caplen = snaplen; /* as libpcap: bytes beyond the file's snap length are
					     dropped */
		c->cur.frame = frame;
		if (filter) {
			struct pcap_pkthdr ph;
			memset(&ph, 0, sizeof(ph));
			ph.caplen = caplen;
			ph.len = wirelen;
			if (pcap_offline_filter(&prog, &ph, data) == 0)
				continue;
		}
		c->cur.ts_sec = (int64_t)sec;
		c->cur.ts_nsec = frac * mult;
		c->st.packets++;
		c->st.bytes += caplen;
		pkt_decode(c, dlt, data, caplen);
	}
	if (filter)
		pcap_freecode(&prog);
	return rc;
}
