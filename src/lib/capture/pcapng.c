/*
 * pcapng from the read buffer (reader.c), one whole block at a time: libpcap
 * 1.10 refuses a file whose interfaces have different link-layer types.  Every section
 * (either byte order), interface (link type, snap length, if_tsresol,
 * if_tsoffset), Enhanced, Simple and obsolete Packet Block is handled; other
 * blocks are skipped.  Frame numbers count packet blocks, as Wireshark does.
 * An interface whose link type tlsalert does not decode has its packets
 * skipped with a notice; when nothing else was decoded the file is reported
 * as unsupported.  A block whose trailing length differs from its header's
 * is an error, as in libpcap and tshark; a block over 16 MiB too (libpcap's
 * limit).  Records longer than the interface's snap length are read whole,
 * as tshark does.  Time stamps out of range are clamped (capture_set_time).
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "readers.h"

#define MAX_IFACES   256
#define MAX_CAPLEN   262144u
#define LINKTYPE_RAW 101

#define BT_SHB 0x0a0d0d0au
#define BT_IDB 1u
#define BT_PB  2u
#define BT_SPB 3u
#define BT_EPB 6u
#define BT_DSB 10u

struct iface {
	int dlt;
	bool supported;
	bool noticed;
	uint32_t snaplen;
	bool binary;	/* if_tsresol is a power of 2 */
	unsigned exp;	/* resolution exponent (10^-exp or 2^-exp seconds) */
	int64_t offset; /* if_tsoffset, seconds */
	bool has_prog;
	struct bpf_program prog;
};

struct ng {
	struct tlsa_capture *c;
	const uint8_t *buf; /* the current block, whole */
	uint64_t off;	    /* its input offset */
	bool sw;	    /* section byte order differs from ours */
	struct iface *ifs;
	size_t nifs;
	const char *name;
	struct tlsa_error *err;
	uint64_t skipped, decoded;
	int first_bad_dlt;
	bool section; /* a section header was seen */
};

static uint32_t sw32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

static uint32_t u32at(const struct ng *g, size_t off)
{
	uint32_t v;
	memcpy(&v, g->buf + off, 4);
	return g->sw ? sw32(v) : v;
}

static uint16_t u16at(const struct ng *g, size_t off)
{
	uint16_t v;
	memcpy(&v, g->buf + off, 2);
	return g->sw ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

static void drop_ifaces(struct ng *g)
{
	for (size_t i = 0; i < g->nifs; i++)
		if (g->ifs[i].has_prog)
			pcap_freecode(&g->ifs[i].prog);
	g->nifs = 0;
}

static int fail(struct ng *g, int code, uint64_t frame, const char *what)
{
	return tlsa_error_set(g->err, code, g->off,
			      "%s: frame %" PRIu64 ": %s (pcapng block at offset %" PRIu64 ")",
			      g->name, frame, what, g->off);
}

/* Interface Description Block body [b, e). */
static int add_iface(struct ng *g, size_t b, size_t e, uint64_t frame)
{
	if (e - b < 8)
		return fail(g, TLSA_EINVAL, frame, "interface description block too short");
	if (g->nifs == MAX_IFACES)
		return fail(g, TLSA_ELIMIT, frame, "more than 256 interfaces in one section");
	struct iface *f = &g->ifs[g->nifs];
	memset(f, 0, sizeof(*f));
	f->dlt = u16at(g, b);
	if (f->dlt == LINKTYPE_RAW)
		f->dlt = 12;
	f->supported = pkt_linktype_supported(f->dlt);
	f->snaplen = u32at(g, b + 4);
	if (f->snaplen == 0 || f->snaplen > MAX_CAPLEN)
		f->snaplen = MAX_CAPLEN;
	f->exp = 6;
	for (size_t o = b + 8; o + 4 <= e;) {
		uint16_t code = u16at(g, o), olen = u16at(g, o + 2);
		size_t padded = ((size_t)olen + 3) & ~(size_t)3;
		if (code == 0 || padded > e - o - 4)
			break;
		if (code == 9 && olen >= 1) {
			uint8_t r = g->buf[o + 4];
			f->binary = (r & 0x80) != 0;
			f->exp = r & 0x7f;
		} else if (code == 14 && olen >= 8) {
			uint64_t v;
			memcpy(&v, g->buf + o + 4, 8);
			if (g->sw)
				v = ((uint64_t)sw32((uint32_t)v) << 32) | sw32((uint32_t)(v >> 32));
			f->offset = (int64_t)v;
		}
		o += 4 + padded;
	}
	if (f->binary ? f->exp > 63 : f->exp > 19)
		return fail(g, TLSA_EINVAL, frame, "interface time resolution out of range");
	struct tlsa_capture *c = g->c;
	if (f->supported && c->o.bpf != NULL && c->o.bpf[0] != '\0') {
		pcap_t *dead = pcap_open_dead(f->dlt, (int)MAX_CAPLEN);
		if (dead == NULL)
			return tlsa_error_set(g->err, TLSA_ENOMEM, 0, "%s: out of memory", g->name);
		if (pcap_compile(dead, &f->prog, c->o.bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
			int rc = tlsa_error_set(g->err, TLSA_EINVAL, 0, "%s: BPF filter \"%s\": %s",
						g->name, c->o.bpf, pcap_geterr(dead));
			pcap_close(dead);
			return rc;
		}
		pcap_close(dead);
		f->has_prog = true;
	}
	g->nifs++;
	return 0;
}

/* Splits a time stamp in interface units into seconds and nanoseconds. */
static void split_ts(const struct iface *f, uint64_t ts, uint64_t *sec, uint32_t *nsec)
{
	if (f->binary) {
		unsigned k = f->exp;
		uint64_t whole = k < 64 ? ts >> k : 0;
		uint64_t frac = k == 0 ? 0 : ts & ((k < 64 ? ((uint64_t)1 << k) : 0) - 1);
		if (k > 34) { /* keep frac * 10^9 within 64 bits */
			frac >>= k - 34;
			k = 34;
		}
		*sec = whole;
		*nsec = (uint32_t)((frac * 1000000000u) >> k);
	} else {
		uint64_t ups = 1;
		for (unsigned i = 0; i < f->exp; i++)
			ups *= 10;
		uint64_t frac = ts % ups;
		*sec = ts / ups;
		if (f->exp <= 9) {
			uint64_t m = 1;
			for (unsigned i = f->exp; i < 9; i++)
				m *= 10;
			*nsec = (uint32_t)(frac * m);
		} else {
			uint64_t d = 1;
			for (unsigned i = 9; i < f->exp; i++)
				d *= 10;
			*nsec = (uint32_t)(frac / d);
		}
	}
}

static void packet(struct ng *g, uint32_t ifid, uint64_t ts, const uint8_t *data, uint32_t caplen,
		   uint32_t wirelen, bool has_ts)
{
	struct tlsa_capture *c = g->c;
	struct iface *f = &g->ifs[ifid];
	if (!f->supported) {
		g->skipped++;
		if (g->first_bad_dlt < 0)
			g->first_bad_dlt = f->dlt;
		if (!f->noticed) {
			f->noticed = true;
			const char *n = pcap_datalink_val_to_name(f->dlt);
			cap_notice(c, NK_LINK, &c->cur,
				   "interface %" PRIu32
				   " has link-layer type %d (%s), which is not "
				   "supported; its packets are skipped",
				   ifid, f->dlt, n != NULL ? n : "unknown");
		}
		return;
	}
	if (f->has_prog) {
		struct pcap_pkthdr ph;
		memset(&ph, 0, sizeof(ph));
		ph.caplen = caplen;
		ph.len = wirelen;
		if (pcap_offline_filter(&f->prog, &ph, data) == 0)
			return;
	}
	if (has_ts) {
		uint64_t sec;
		uint32_t nsec;
		split_ts(f, ts, &sec, &nsec);
		capture_set_time(c, sec, f->offset, nsec);
	}
	g->decoded++;
	c->st.packets++;
	c->st.bytes += caplen;
	pkt_decode(c, f->dlt, data, caplen);
}

#define NG_STOP 2 /* reading was stopped (not an error) */

/* The header of the block at the reading position: its type (in the section's byte order,
   which a section header sets) and total length.  Returns 0, RB_END at the end of the input,
   NG_STOP, or the error. */
static int block_header(struct ng *g, struct rbuf *b, uint64_t frame, uint32_t *type,
			uint32_t *blen)
{
	g->off = rb_off(b);
	const uint8_t *h = rb_need(b, 12);
	if (h == NULL) {
		int rc = capture_short(g->c, b, g->name, frame, g->err);
		if (rc != RB_END || rb_avail(b) == 0)
			return rc == 0 ? NG_STOP : rc;
		return fail(g, TLSA_ETRUNC, frame,
			    "truncated: the file ends inside a block header");
	}
	g->buf = h;
	memcpy(type, h, 4); /* the SHB type reads the same in both byte orders */
	if (*type == BT_SHB) {
		uint32_t bom;
		memcpy(&bom, h + 8, 4);
		if (bom == 0x1a2b3c4d)
			g->sw = false;
		else if (bom == 0x4d3c2b1a)
			g->sw = true;
		else
			return fail(g, TLSA_EINVAL, frame,
				    "section header with an unknown byte-order magic");
		drop_ifaces(g);
		g->section = true;
	} else {
		*type = u32at(g, 0);
	}
	if (!g->section)
		return fail(g, TLSA_EINVAL, frame, "not a pcapng section header");
	*blen = u32at(g, 4);
	if (*blen < 12 || (*blen & 3) != 0)
		return fail(g, TLSA_EINVAL, frame, "block length not a multiple of 4 or below 12");
	if (*blen > CAPTURE_MAX_RECORD)
		return fail(g, TLSA_EINVAL, frame, "block longer than 16 MiB");
	return 0;
}

/* The whole block of length blen at the reading position into g->buf; 0, NG_STOP or the
   error. */
static int whole_block(struct ng *g, struct rbuf *b, uint64_t frame, uint32_t blen)
{
	const uint8_t *p = rb_need(b, blen);
	if (p == NULL) {
		int rc = capture_short(g->c, b, g->name, frame, g->err);
		if (rc != RB_END)
			return rc == 0 ? NG_STOP : rc;
		return fail(g, TLSA_ETRUNC, frame, "truncated: the file ends inside a block");
	}
	g->buf = p;
	uint32_t trail = u32at(g, blen - 4);
	if (trail != blen) {
		char m[128];
		snprintf(m, sizeof(m),
			 "block length %" PRIu32 " in the header but %" PRIu32 " at the end", blen,
			 trail);
		return fail(g, TLSA_EINVAL, frame, m);
	}
	return 0;
}

/* Enhanced or obsolete Packet Block body [b, e). */
static int packet_block(struct ng *g, uint32_t type, size_t b, size_t e, uint64_t frame)
{
	if (e - b < 20)
		return fail(g, TLSA_EINVAL, frame, "packet block too short");
	uint32_t ifid = type == BT_EPB ? u32at(g, b) : u16at(g, b);
	uint64_t ts = ((uint64_t)u32at(g, b + 4) << 32) | u32at(g, b + 8);
	uint32_t caplen = u32at(g, b + 12), wirelen = u32at(g, b + 16);
	g->c->cur.frame = frame;
	if (caplen > e - b - 20)
		return fail(g, TLSA_EINVAL, frame, "captured length larger than its packet block");
	if (ifid >= g->nifs)
		return fail(g, TLSA_EINVAL, frame, "packet of an interface that was not described");
	packet(g, ifid, ts, g->buf + b + 20, caplen, wirelen, true);
	return 0;
}

/* Simple Packet Block body [b, e): interface 0, no time stamp. */
static int simple_packet_block(struct ng *g, size_t b, size_t e, uint64_t frame)
{
	if (e - b < 4)
		return fail(g, TLSA_EINVAL, frame, "simple packet block too short");
	g->c->cur.frame = frame;
	if (g->nifs == 0)
		return fail(g, TLSA_EINVAL, frame, "packet of an interface that was not described");
	uint32_t wirelen = u32at(g, b);
	size_t room = e - b - 4;
	uint32_t caplen = wirelen < room ? wirelen : (uint32_t)room;
	packet(g, 0, 0, g->buf + b + 4, caplen, wirelen, false);
	return 0;
}

/* Decryption Secrets Block body [b, e): to the handler; a short one is ignored. */
static void secrets_block(struct ng *g, size_t b, size_t e)
{
	struct tlsa_capture *c = g->c;
	if (e - b >= 8 && c->h.secrets != NULL) {
		uint32_t stype = u32at(g, b), slen = u32at(g, b + 4);
		if (slen <= e - b - 8)
			c->h.secrets(c->h.ctx, stype, g->buf + b + 8, slen);
	}
}

/* After the last block: a file whose packets were all skipped for their link type is
   unsupported. */
static int finish(struct ng *g, int rc)
{
	if (rc == 0 && g->decoded == 0 && g->skipped > 0) {
		const char *n = pcap_datalink_val_to_name(g->first_bad_dlt);
		rc = tlsa_error_set(g->err, TLSA_EUNSUPP, 0,
				    "%s: link-layer type %d (%s) is not supported", g->name,
				    g->first_bad_dlt, n != NULL ? n : "unknown");
	}
	drop_ifaces(g);
	free(g->ifs);
	return rc;
}

/* One block [0, blen) in g->buf, by its type. */
static int one_block(struct ng *g, uint32_t type, uint32_t blen, uint64_t frame)
{
	size_t b = 8, e = blen - 4;
	if (type == BT_SHB) {
		if (e - b < 16 || u16at(g, b + 4) != 1)
			return fail(g, TLSA_EINVAL, frame, "unsupported section header version");
	} else if (type == BT_IDB) {
		return add_iface(g, b, e, frame);
	} else if (type == BT_EPB || type == BT_PB) {
		return packet_block(g, type, b, e, frame);
	} else if (type == BT_DSB) {
		secrets_block(g, b, e);
	} else if (type == BT_SPB) {
		return simple_packet_block(g, b, e, frame);
	}
	return 0;
}

int capture_read_pcapng_buf(struct tlsa_capture *c, struct rbuf *rb, const char *name,
			    uint32_t file_index, struct tlsa_error *err)
{
	struct ng g = {c, NULL, 0, false, NULL, 0, name, err, 0, 0, -1, false};
	g.ifs = malloc(sizeof(*g.ifs) * MAX_IFACES);
	if (g.ifs == NULL)
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "%s: out of memory", name);
	c->cur.file_index = file_index;
	c->cur.frame = 0;
	c->cur.ts_sec = 0;
	c->cur.ts_nsec = 0;
	int rc = 0;
	for (;;) {
		uint64_t frame = c->cur.frame + 1;
		uint32_t type = 0, blen = 0; /* set unless block_header fails */
		rc = block_header(&g, rb, frame, &type, &blen);
		if (rc == 0)
			rc = whole_block(&g, rb, frame, blen);
		if (rc == RB_END || rc == NG_STOP) {
			rc = 0; /* the end of the input between blocks, or a stop */
			break;
		}
		if (rc != 0)
			break;
		rc = one_block(&g, type, blen, frame);
		rb_skip(rb, blen);
		if (rc != 0)
			break;
	}
	return finish(&g, rc);
}
