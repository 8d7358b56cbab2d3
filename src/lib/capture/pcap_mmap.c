/*
 * A fast path for the most common input: an uncompressed classic pcap file
 * (not pcapng) on disk.  The file is mapped and its records walked in place,
 * so packet bytes are never copied (libpcap reads through stdio, which costs
 * a kernel copy and a user-space copy per byte).  The pages already read are
 * dropped from the mapping as the walk advances, so resident memory does not
 * grow with the file.  Anything else (pcapng, gzip, stdin, pipes, the
 * modified/Kuznetzov format) goes through libpcap.  Live capture and BPF
 * compilation always use libpcap; a filter runs through pcap_offline_filter.
 *
 * Benchmark (docs/capture.md, "Performance"): on the 1 GB bench/scan capture
 * this path needs 197 ms of CPU against 354 ms through libpcap.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_int.h"
#include "base/rd.h"

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

void capture_release(const uint8_t *base, size_t *released, size_t upto)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = upto / page * page;
	if (end > *released) {
		madvise((void *)(base + *released), end - *released, MADV_DONTNEED);
		*released = end;
	}
}

int capture_read_mem(struct tlsa_capture *c, const uint8_t *buf, size_t len, bool mapped,
		     const char *name, uint32_t file_index, struct tlsa_error *err)
{
	if (len < 24)
		return 1;
	uint32_t magic;
	memcpy(&magic, buf, 4);
	bool swapped, nsec;
	switch (magic) {
	case 0xa1b2c3d4: swapped = false, nsec = false; break;
	case 0xa1b23c4d: swapped = false, nsec = true; break;
	case 0xd4c3b2a1: swapped = true, nsec = false; break;
	case 0x4d3cb2a1: swapped = true, nsec = true; break;
	case 0x0a0d0d0a: return capture_read_pcapng_mem(c, buf, len, mapped, name, file_index, err);
	default: return 1; /* modified pcap, not a capture: libpcap decides */
	}
	uint16_t major;
	memcpy(&major, buf + 4, 2);
	if (swapped)
		major = (uint16_t)((major >> 8) | (major << 8));
	if (major != 2)
		return 1;
	uint32_t snaplen = get32(buf + 16, swapped);
	if (snaplen == 0 || snaplen > MAX_CAPLEN)
		snaplen = MAX_CAPLEN;
	int dlt = (int)(get32(buf + 20, swapped) & 0x03ffffff); /* upper bits: FCS length */
	if (dlt == LINKTYPE_RAW)
		dlt = 12;
	if (!pkt_linktype_supported(dlt))
		return tlsa_error_set(err, TLSA_EUNSUPP, 0,
				      "%s: link-layer type %d (%s) is not supported", name, dlt,
				      pcap_datalink_val_to_name(dlt)
					      ? pcap_datalink_val_to_name(dlt)
					      : "unknown");
	struct bpf_program prog;
	pcap_t *dead = NULL;
	bool filter = c->o.bpf != NULL && c->o.bpf[0] != '\0';
	if (filter) {
		dead = pcap_open_dead(dlt, (int)MAX_CAPLEN);
		if (dead == NULL)
			return tlsa_error_set(err, TLSA_ENOMEM, 0, "%s: out of memory", name);
		if (pcap_compile(dead, &prog, c->o.bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			int rc = tlsa_error_set(err, TLSA_EINVAL, 0, "%s: BPF filter \"%s\": %s",
						name, c->o.bpf, pcap_geterr(dead));
			pcap_close(dead);
			return rc;
		}
	}
	c->cur.file_index = file_index;
	c->cur.frame = 0;
	uint32_t mult = nsec ? 1 : 1000;
	size_t off = 24, released = 0, next_release = CAPTURE_RELEASE_CHUNK;
	int rc = 0;
	while (off < len) {
		if (mapped && off >= next_release) {
			capture_release(buf, &released, off);
			next_release = off + CAPTURE_RELEASE_CHUNK;
		}
		size_t left = len - off;
		uint64_t frame = c->cur.frame + 1;
		if (left < 16) {
			/* the wording follows libpcap's, so both readers report alike */
			rc = tlsa_error_set(err, TLSA_ETRUNC, off,
					    "%s: frame %" PRIu64
					    ": truncated dump file; tried to read "
					    "16 header bytes, only got %zu",
					    name, frame, left);
			break;
		}
		const uint8_t *h = buf + off;
		uint32_t sec = get32(h, swapped), frac = get32(h + 4, swapped);
		uint32_t caplen = get32(h + 8, swapped), wirelen = get32(h + 12, swapped);
		if (caplen > MAX_CAPLEN) {
			rc = tlsa_error_set(
				err, TLSA_EINVAL, off,
				"%s: frame %" PRIu64 ": invalid packet capture length %" PRIu32
				", bigger than %s of %" PRIu32,
				name, frame, caplen, caplen > snaplen ? "snaplen" : "maximum",
				caplen > snaplen ? snaplen : MAX_CAPLEN);
			break;
		}
		if (left - 16 < caplen) {
			rc = tlsa_error_set(err, TLSA_ETRUNC, off,
					    "%s: frame %" PRIu64
					    ": truncated dump file; tried to read "
					    "%" PRIu32 " captured bytes, only got %zu",
					    name, frame, caplen, left - 16);
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
	if (filter) {
		pcap_freecode(&prog);
		pcap_close(dead);
	}
	return rc;
}

int capture_read_mapped(struct tlsa_capture *c, int fd, const char *name, uint32_t file_index,
			struct tlsa_error *err)
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
