/*
 * Packet decoding: link layers, VLAN/QinQ, PPPoE, MPLS, IPv4, IPv6 (with
 * extension headers), tunnels (GRE, ERSPAN, VXLAN, Geneve, GTP-U, CAPWAP,
 * IP-in-IP), and the TCP/UDP headers.  Every read goes through the checked
 * reader; a header that does not hold together is reported (rate-limited)
 * and the packet skipped.  A UDP payload that only looks like a tunnel on a
 * tunnel port but fails validation is delivered as plain UDP.
 */
#include <pcap/dlt.h>
#include <string.h>

#include "capture_int.h"
#include "base/rd.h"

#define MAX_DEPTH 6 /* nested encapsulations followed */

#define ETH_IPV4    0x0800
#define ETH_IPV6    0x86dd
#define ETH_VLAN    0x8100
#define ETH_QINQ    0x88a8
#define ETH_QINQ2   0x9100
#define ETH_QINQ3   0x9200
#define ETH_PPPOE   0x8864
#define ETH_MPLS    0x8847
#define ETH_MPLSM   0x8848
#define ETH_TEB	    0x6558
#define ETH_CMD	    0x8909 /* Cisco MetaData (security group tag) */
#define ETH_ERSPAN2 0x88be
#define ETH_ERSPAN3 0x22eb

#define LINKTYPE_IPV4 228
#define LINKTYPE_IPV6 229
#define LINKTYPE_RAW  101
#define LINKTYPE_SLL2 276

static void decode_ether(struct tlsa_capture *c, struct rd *r, int depth);
static void decode_ethertype(struct tlsa_capture *c, uint16_t type, struct rd *r, int depth);

static void corrupt(struct tlsa_capture *c, const char *what)
{
	c->st.undecoded++;
	cap_notice(c, NK_DECODE, &c->cur, "%s; packet skipped", what);
}

bool pkt_linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_EN10MB:
	case DLT_NULL:
	case DLT_LOOP:
	case 12: /* DLT_RAW on most systems; 14 on some BSDs */
	case 14:
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
	case DLT_LINUX_SLL:
	case LINKTYPE_SLL2:
	case DLT_PPP:
	case DLT_PPP_SERIAL: return true;
	default: return false;
	}
}

/* A bare IP packet: the version nibble decides. */
static void pkt_decode_ip(struct tlsa_capture *c, const uint8_t *p, size_t len, int depth);
/* Transport payload of a (reassembled) IP datagram. */
static void pkt_decode_l4(struct tlsa_capture *c, uint8_t family, const uint8_t *src,
			  const uint8_t *dst, uint8_t proto, const uint8_t *p, size_t len,
			  size_t wire_len, int depth);

/* One fragment to ip_frag.c; the datagram it completes, if any, on to the transport layer. */
static void decode_fragment(struct tlsa_capture *c, uint8_t family, const uint8_t *src,
			    const uint8_t *dst, uint32_t id, uint8_t proto, uint32_t off, bool more,
			    const uint8_t *p, size_t len, int depth)
{
	struct ip_frag *f = ip_frag_add(c, family, src, dst, id, proto, off, more, p, len);
	if (f == NULL)
		return;
	pkt_decode_l4(c, f->family, f->src, f->dst, f->proto, f->data, f->total, f->total, depth);
	ip_frag_free(f);
}

static void decode_ipv4(struct tlsa_capture *c, struct rd *r, int depth)
{
	const uint8_t *start = r->p;
	size_t avail = rd_left(r);
	uint8_t vhl = rd_u8(r);
	rd_skip(r, 1);
	uint16_t total = rd_u16(r);
	uint16_t id = rd_u16(r);
	uint16_t frag = rd_u16(r);
	rd_skip(r, 1);
	uint8_t proto = rd_u8(r);
	rd_skip(r, 2);
	const uint8_t *src = rd_bytes(r, 4);
	const uint8_t *dst = rd_bytes(r, 4);
	if (!rd_ok(r)) {
		corrupt(c, "IPv4 header cut short");
		return;
	}
	size_t ihl = (size_t)(vhl & 0x0f) * 4;
	if ((vhl >> 4) != 4 || ihl < 20) {
		corrupt(c, "IPv4 header with a bad version or header length");
		return;
	}
	if (total == 0)
		total = (uint16_t)(avail > 0xffff ? 0xffff : avail); /* segmentation offload */
	if (total < ihl || avail < ihl) {
		corrupt(c, "IPv4 total length smaller than its header");
		return;
	}
	size_t have = total < avail ? total : avail;
	const uint8_t *payload = start + ihl;
	size_t plen = have - ihl, wire = (size_t)total - ihl;
	uint32_t off = (uint32_t)(frag & 0x1fff) * 8;
	bool more = (frag & 0x2000) != 0;
	if (more || off != 0) {
		c->st.fragments++;
		if (plen < wire) {
			corrupt(c, "IPv4 fragment cut short by the capture");
			return;
		}
		decode_fragment(c, 4, src, dst, id, proto, off, more, payload, plen, depth);
		return;
	}
	pkt_decode_l4(c, 4, src, dst, proto, payload, plen, wire, depth);
}

static void decode_ipv6(struct tlsa_capture *c, struct rd *r, int depth)
{
	size_t avail = rd_left(r);
	uint8_t v = rd_u8(r);
	rd_skip(r, 3);
	uint16_t plen_field = rd_u16(r);
	uint8_t next = rd_u8(r);
	rd_skip(r, 1);
	const uint8_t *src = rd_bytes(r, 16);
	const uint8_t *dst = rd_bytes(r, 16);
	if (!rd_ok(r) || (v >> 4) != 6) {
		corrupt(c, "IPv6 header cut short or with a bad version");
		return;
	}
	size_t wire = plen_field != 0 ? plen_field : avail - 40; /* 0: jumbogram */
	size_t have = wire < avail - 40 ? wire : avail - 40;
	struct rd body = rd_sub(r, have);
	for (int n = 0; n < 16; n++) {
		size_t before = rd_left(&body);
		switch (next) {
		case 0:	  /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 139: /* HIP */
		case 140: /* shim6 */ {
			uint8_t nn = rd_u8(&body);
			size_t hl = ((size_t)rd_u8(&body) + 1) * 8;
			if (!rd_skip(&body, hl - 2)) {
				corrupt(c, "IPv6 extension header cut short");
				return;
			}
			next = nn;
			wire -= before - rd_left(&body) <= wire ? before - rd_left(&body) : wire;
			continue;
		}
		case 51: { /* authentication header */
			uint8_t nn = rd_u8(&body);
			size_t hl = ((size_t)rd_u8(&body) + 2) * 4;
			if (!rd_skip(&body, hl - 2)) {
				corrupt(c, "IPv6 authentication header cut short");
				return;
			}
			next = nn;
			wire -= before - rd_left(&body) <= wire ? before - rd_left(&body) : wire;
			continue;
		}
		case 44: { /* fragment */
			uint8_t nn = rd_u8(&body);
			rd_skip(&body, 1);
			uint16_t offm = rd_u16(&body);
			uint32_t id = rd_u32(&body);
			if (!rd_ok(&body)) {
				corrupt(c, "IPv6 fragment header cut short");
				return;
			}
			wire -= 8 <= wire ? 8 : wire;
			uint32_t off = (uint32_t)(offm & 0xfff8);
			bool more = (offm & 1) != 0;
			if (off == 0 && !more) { /* atomic fragment */
				next = nn;
				continue;
			}
			c->st.fragments++;
			if (rd_left(&body) < wire) {
				corrupt(c, "IPv6 fragment cut short by the capture");
				return;
			}
			decode_fragment(c, 6, src, dst, id, nn, off, more, body.p, rd_left(&body),
					depth);
			return;
		}
		default:
			pkt_decode_l4(c, 6, src, dst, next, body.p, rd_left(&body), wire, depth);
			return;
		}
	}
	corrupt(c, "IPv6 packet with too many extension headers");
}

static void pkt_decode_ip(struct tlsa_capture *c, const uint8_t *p, size_t len, int depth)
{
	if (len == 0) {
		corrupt(c, "empty IP packet");
		return;
	}
	struct rd r = rd_init(p, len);
	switch (p[0] >> 4) {
	case 4: decode_ipv4(c, &r, depth); break;
	case 6: decode_ipv6(c, &r, depth); break;
	default: corrupt(c, "IP packet with a version other than 4 or 6"); break;
	}
}

static void decode_ip_rd(struct tlsa_capture *c, struct rd *r, int depth)
{
	pkt_decode_ip(c, r->p, rd_left(r), depth);
}

/* PPP protocol field (1 or 2 bytes, after an optional ff 03). */
static void decode_ppp(struct tlsa_capture *c, struct rd *r, int depth)
{
	if (rd_left(r) >= 2 && r->p[0] == 0xff && r->p[1] == 0x03)
		rd_skip(r, 2);
	uint16_t proto = rd_u8(r);
	if (!(proto & 1))
		proto = (uint16_t)((proto << 8) | rd_u8(r));
	if (!rd_ok(r))
		return;
	if (proto == 0x0021)
		decode_ip_rd(c, r, depth);
	else if (proto == 0x0057)
		decode_ip_rd(c, r, depth);
}

static void decode_mpls(struct tlsa_capture *c, struct rd *r, int depth)
{
	for (int n = 0; n < 16; n++) {
		uint32_t label = rd_u32(r);
		if (!rd_ok(r)) {
			corrupt(c, "MPLS label stack cut short");
			return;
		}
		if (label & 0x100)
			break; /* bottom of stack */
	}
	if (rd_left(r) == 0)
		return;
	switch (r->p[0] >> 4) {
	case 4:
	case 6: decode_ip_rd(c, r, depth); return;
	case 0: /* pseudowire control word, then Ethernet */
		rd_skip(r, 4);
		decode_ether(c, r, depth);
		return;
	default: return;
	}
}

static void decode_ethertype(struct tlsa_capture *c, uint16_t type, struct rd *r, int depth)
{
	for (int tags = 0; tags < 8; tags++) {
		switch (type) {
		case ETH_IPV4:
		case ETH_IPV6: decode_ip_rd(c, r, depth); return;
		case ETH_VLAN:
		case ETH_QINQ:
		case ETH_QINQ2:
		case ETH_QINQ3:
			rd_skip(r, 2);
			type = rd_u16(r);
			if (!rd_ok(r)) {
				corrupt(c, "VLAN tag cut short");
				return;
			}
			continue;
		case ETH_PPPOE: {
			uint8_t vt = rd_u8(r), code = rd_u8(r);
			rd_skip(r, 2);
			uint16_t plen = rd_u16(r);
			if (!rd_ok(r) || vt != 0x11 || code != 0) {
				corrupt(c, "PPPoE session header cut short or invalid");
				return;
			}
			struct rd body = rd_sub(r, plen <= rd_left(r) ? plen : rd_left(r));
			decode_ppp(c, &body, depth);
			return;
		}
		case ETH_CMD: {
			uint8_t ver = rd_u8(r), len8 = rd_u8(r);
			if (ver != 1 || len8 == 0 || !rd_skip(r, (size_t)len8 * 8 - 4)) {
				corrupt(c, "Cisco MetaData header cut short or invalid");
				return;
			}
			type = rd_u16(r);
			if (!rd_ok(r)) {
				corrupt(c, "Cisco MetaData header cut short");
				return;
			}
			continue;
		}
		case ETH_MPLS:
		case ETH_MPLSM: decode_mpls(c, r, depth); return;
		case ETH_TEB: decode_ether(c, r, depth + 1); return;
		default: return; /* ARP, LLDP, ...: not ours */
		}
	}
	corrupt(c, "too many VLAN tags");
}

static void decode_ether(struct tlsa_capture *c, struct rd *r, int depth)
{
	if (depth > MAX_DEPTH) {
		corrupt(c, "too many nested encapsulations");
		return;
	}
	rd_skip(r, 12);
	uint16_t type = rd_u16(r);
	if (!rd_ok(r)) {
		corrupt(c, "Ethernet header cut short");
		return;
	}
	if (type <= 1500) { /* 802.3 length; only LLC/SNAP carries IP */
		const uint8_t *llc = rd_bytes(r, 8);
		if (llc == NULL || llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03)
			return;
		type = (uint16_t)((llc[6] << 8) | llc[7]);
	}
	decode_ethertype(c, type, r, depth);
}

/* GRE (RFC 2784/2890), PPTP's enhanced GRE, ERSPAN types I-III. */
static void decode_gre(struct tlsa_capture *c, struct rd *r, int depth)
{
	uint16_t flags = rd_u16(r);
	uint16_t proto = rd_u16(r);
	if (!rd_ok(r) || (flags & 0x4000) || (flags & 0x0007) > 1) {
		corrupt(c, "GRE header cut short or with unsupported flags");
		return;
	}
	bool ver1 = (flags & 0x0007) == 1;
	if (!ver1 && (flags & 0x8000))
		rd_skip(r, 4);
	if (flags & 0x2000)
		rd_skip(r, 4);
	if (flags & 0x1000)
		rd_skip(r, 4);
	if (ver1 && (flags & 0x0080))
		rd_skip(r, 4);
	if (!rd_ok(r)) {
		corrupt(c, "GRE header cut short");
		return;
	}
	c->st.tunnels++;
	if (ver1) {
		if (proto == 0x880b)
			decode_ppp(c, r, depth);
		return;
	}
	if (proto == ETH_ERSPAN2) {
		if (flags & 0x1000) /* type II: 8-byte header; type I has none */
			rd_skip(r, 8);
		decode_ether(c, r, depth);
		return;
	}
	if (proto == ETH_ERSPAN3) {
		const uint8_t *h = rd_bytes(r, 12);
		if (h != NULL && (h[11] & 1))
			rd_skip(r, 8);
		if (!rd_ok(r)) {
			corrupt(c, "ERSPAN header cut short");
			return;
		}
		decode_ether(c, r, depth);
		return;
	}
	decode_ethertype(c, proto, r, depth);
}

/* VXLAN (RFC 7348): 8 bytes, the I flag set, then Ethernet. */
static bool decode_vxlan(struct tlsa_capture *c, struct rd *r, int depth)
{
	const uint8_t *h = rd_bytes(r, 8);
	if (h == NULL || (h[0] & 0x08) == 0 || h[7] != 0 || rd_left(r) < 14)
		return false;
	c->st.tunnels++;
	decode_ether(c, r, depth);
	return true;
}

/* Geneve (RFC 8926). */
static bool decode_geneve(struct tlsa_capture *c, struct rd *r, int depth)
{
	uint8_t b0 = rd_u8(r);
	rd_skip(r, 1);
	uint16_t proto = rd_u16(r);
	rd_skip(r, 4);
	if (!rd_ok(r) || (b0 >> 6) != 0 || !rd_skip(r, (size_t)(b0 & 0x3f) * 4))
		return false;
	if (proto != ETH_TEB && proto != ETH_IPV4 && proto != ETH_IPV6)
		return false;
	c->st.tunnels++;
	if (proto == ETH_TEB)
		decode_ether(c, r, depth);
	else
		decode_ip_rd(c, r, depth);
	return true;
}

/* GTP-U (3GPP TS 29.281): version 1, G-PDU messages carry an IP packet. */
static bool decode_gtpu(struct tlsa_capture *c, struct rd *r, int depth)
{
	uint8_t fl = rd_u8(r);
	uint8_t type = rd_u8(r);
	uint16_t len = rd_u16(r);
	rd_skip(r, 4);
	if (!rd_ok(r) || (fl >> 5) != 1 || !(fl & 0x10))
		return false;
	struct rd body = rd_sub(r, len <= rd_left(r) ? len : rd_left(r));
	if (type != 0xff)
		return true; /* echo, error indication, end marker: no user data */
	if (fl & 0x07) {
		rd_skip(&body, 3);
		uint8_t next = rd_u8(&body);
		for (int n = 0; next != 0 && n < 16; n++) {
			size_t elen = (size_t)rd_u8(&body) * 4;
			if (elen == 0 || !rd_skip(&body, elen - 2))
				return false;
			next = rd_u8(&body);
		}
		if (!rd_ok(&body) || next != 0)
			return false;
	}
	if (rd_left(&body) == 0 || ((body.p[0] >> 4) != 4 && (body.p[0] >> 4) != 6))
		return false;
	c->st.tunnels++;
	decode_ip_rd(c, &body, depth);
	return true;
}

/* An IEEE 802.11 data frame with LLC/SNAP (as CAPWAP carries it). */
static void decode_80211(struct tlsa_capture *c, struct rd *r, int depth)
{
	uint8_t fc0 = rd_u8(r), fc1 = rd_u8(r);
	if (!rd_ok(r) || ((fc0 >> 2) & 3) != 2 || (fc1 & 0x40))
		return; /* not data, or protected */
	size_t hl = 24 - 2;
	if ((fc1 & 3) == 3)
		hl += 6;
	if (fc0 & 0x80) { /* QoS data */
		hl += 2;
		if (fc1 & 0x80)
			hl += 4;
	}
	rd_skip(r, hl);
	const uint8_t *llc = rd_bytes(r, 8);
	if (llc == NULL || llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03)
		return;
	decode_ethertype(c, (uint16_t)((llc[6] << 8) | llc[7]), r, depth);
}

/* CAPWAP data channel (RFC 5415). */
static bool decode_capwap(struct tlsa_capture *c, struct rd *r, int depth)
{
	uint32_t w = rd_u32(r);
	if (!rd_ok(r) || (w >> 24) != 0)
		return false;
	size_t hlen = (size_t)((w >> 19) & 0x1f) * 4;
	unsigned wbid = (w >> 9) & 0x1f;
	bool t = (w >> 8) & 1, frag = (w >> 7) & 1;
	if (hlen < 8 || !rd_skip(r, hlen - 4))
		return false;
	if (frag)
		return true; /* fragmented payloads are not reassembled */
	c->st.tunnels++;
	if (!t)
		decode_ether(c, r, depth);
	else if (wbid == 1)
		decode_80211(c, r, depth);
	return true;
}

static void decode_udp(struct tlsa_capture *c, struct pkt_l4 *l4, const uint8_t *p, size_t len,
		       size_t wire, int depth)
{
	struct rd r = rd_init(p, len);
	l4->sport = rd_u16(&r);
	l4->dport = rd_u16(&r);
	uint16_t ulen = rd_u16(&r);
	rd_skip(&r, 2);
	if (!rd_ok(&r)) {
		corrupt(c, "UDP header cut short");
		return;
	}
	size_t pl = len - 8, pw = wire >= 8 ? wire - 8 : 0;
	if (ulen >= 8 && (size_t)ulen - 8 < pl)
		pl = (size_t)ulen - 8;
	if (ulen >= 8)
		pw = (size_t)ulen - 8;
	const uint8_t *data = p + 8;
	if (depth < MAX_DEPTH) {
		struct rd t = rd_init(data, pl);
		uint16_t sp = l4->sport, dp = l4->dport;
		if ((dp == 4789 || sp == 4789) && decode_vxlan(c, &t, depth + 1))
			return;
		if ((dp == 6081 || sp == 6081) && decode_geneve(c, &t, depth + 1))
			return;
		if ((dp == 2152 || sp == 2152) && decode_gtpu(c, &t, depth + 1))
			return;
		if ((dp == 5247 || sp == 5247) && decode_capwap(c, &t, depth + 1))
			return;
		if ((dp == 5246 || dp == 5247 || sp == 5246 || sp == 5247) && pl > 4 &&
		    data[0] == 0x01) {
			/* CAPWAP DTLS header: preamble type 1 and 3 reserved bytes, then DTLS */
			data += 4;
			pl -= 4;
			pw = pw >= 4 ? pw - 4 : 0;
		}
	}
	l4->data = data;
	l4->len = pl;
	l4->wire_len = pw;
	flow_input(c, l4);
}

static void pkt_decode_l4(struct tlsa_capture *c, uint8_t family, const uint8_t *src,
			  const uint8_t *dst, uint8_t proto, const uint8_t *p, size_t len,
			  size_t wire_len, int depth)
{
	struct pkt_l4 l4;
	l4.family = family;
	l4.proto = proto;
	l4.flags = 0;
	l4.src = src;
	l4.dst = dst;
	l4.seq = l4.ack = 0;
	switch (proto) {
	case 6: {
		struct rd r = rd_init(p, len);
		l4.sport = rd_u16(&r);
		l4.dport = rd_u16(&r);
		l4.seq = rd_u32(&r);
		l4.ack = rd_u32(&r);
		size_t doff = (size_t)(rd_u8(&r) >> 4) * 4;
		l4.flags = rd_u8(&r);
		if (!rd_ok(&r) || doff < 20 || doff > len) {
			corrupt(c, "TCP header cut short or with a bad data offset");
			return;
		}
		l4.data = p + doff;
		l4.len = len - doff;
		l4.wire_len = wire_len >= doff ? wire_len - doff : l4.len;
		if (l4.wire_len < l4.len)
			l4.wire_len = l4.len;
		flow_input(c, &l4);
		return;
	}
	case 17: decode_udp(c, &l4, p, len, wire_len, depth); return;
	case 47:
		if (depth < MAX_DEPTH) {
			struct rd r = rd_init(p, len);
			decode_gre(c, &r, depth + 1);
		}
		return;
	case 4:
	case 41:
		if (depth < MAX_DEPTH) {
			c->st.tunnels++;
			pkt_decode_ip(c, p, len, depth + 1);
		}
		return;
	default: return;
	}
}

void pkt_decode(struct tlsa_capture *c, int linktype, const uint8_t *p, size_t len)
{
	struct rd r = rd_init(p, len);
	switch (linktype) {
	case DLT_EN10MB: decode_ether(c, &r, 0); return;
	case DLT_NULL:
	case DLT_LOOP:
		/* 4-byte address family in either byte order: the IP version decides */
		if (!rd_skip(&r, 4)) {
			corrupt(c, "loopback header cut short");
			return;
		}
		decode_ip_rd(c, &r, 0);
		return;
	case 12:
	case 14:
	case LINKTYPE_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6: pkt_decode_ip(c, p, len, 0); return;
	case DLT_LINUX_SLL: {
		rd_skip(&r, 14);
		uint16_t type = rd_u16(&r);
		if (!rd_ok(&r)) {
			corrupt(c, "Linux cooked header cut short");
			return;
		}
		decode_ethertype(c, type, &r, 0);
		return;
	}
	case LINKTYPE_SLL2: {
		uint16_t type = rd_u16(&r);
		rd_skip(&r, 18);
		if (!rd_ok(&r)) {
			corrupt(c, "Linux cooked v2 header cut short");
			return;
		}
		decode_ethertype(c, type, &r, 0);
		return;
	}
	case DLT_PPP:
	case DLT_PPP_SERIAL: decode_ppp(c, &r, 0); return;
	default: c->st.undecoded++; return;
	}
}
