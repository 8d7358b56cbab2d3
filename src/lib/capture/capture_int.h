/*
 * Internals of the capture layer (not a public header): the capture object
 * and the packet path.  The file readers' own declarations are in readers.h.
 *
 * The files, top to bottom.  Each calls only files below it, never up or
 * sideways, so a change low down cannot loop back:
 *
 *   reader.c     the capture object (tlsa_capture_*), file and live input: maps
 *                a file and picks its in-place reader by the magic number,
 *                reads everything else through libpcap (gzip through gz.c)
 *   pcap.c       classic pcap read in place     (readers.h; called by reader.c)
 *   pcapng.c     pcapng read in place           (readers.h; called by reader.c)
 *   gz.c         the stream libpcap reads       (gz.h; called by reader.c)
 *   packet.c     link layers, IP, tunnels, TCP/UDP headers: hands a fragment to
 *                ip_frag.c, decodes the datagram it gets back, feeds flow.c
 *   ip_frag.c    IP fragment reassembly
 *   flow.c       the flow table: 5-tuple lookup, LRU, idle timeout, eviction
 *   tcp_reasm.c  TCP reassembly per direction: what is delivered, held, lost
 *   tcp_ooo.c    the waiting bytes of a direction: sorted runs, merged
 *   notice.c     rate-limited notices to the handler
 *
 * Calls between them: reader.c -> pcap.c, pcapng.c, gz.c, packet.c, ip_frag.c,
 * flow.c; pcap.c -> packet.c; pcapng.c -> packet.c, notice.c; packet.c ->
 * ip_frag.c, flow.c, notice.c; ip_frag.c -> notice.c; flow.c -> tcp_reasm.c,
 * tcp_ooo.c, notice.c; tcp_reasm.c -> tcp_ooo.c.  tcp_reasm.c and notice.c call only the
 * handler's callbacks.
 * The declarations below follow the same order, bottom first.
 */
#ifndef TLSA_CAPTURE_INT_H
#define TLSA_CAPTURE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/capture.h"

/* TCP flag bits as on the wire. */
enum { TCPF_FIN = 0x01, TCPF_SYN = 0x02, TCPF_RST = 0x04, TCPF_PSH = 0x08, TCPF_ACK = 0x10 };

/* One transport-layer packet, as the decoder hands it to the flow table. */
struct pkt_l4 {
	uint8_t family;	    /* 4 or 6 */
	uint8_t proto;	    /* 6 TCP, 17 UDP */
	uint8_t flags;	    /* TCP flags */
	const uint8_t *src; /* 4 or 16 bytes */
	const uint8_t *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;   /* TCP */
	const uint8_t *data; /* payload as captured */
	size_t len;	     /* captured payload bytes */
	size_t wire_len;     /* payload bytes on the wire (>= len when the capture was cut) */
};

/* A run of contiguous bytes of one direction waiting for the bytes before it
   (adjacent segments are merged into one run). */
struct tcp_blk {
	uint32_t seq;		 /* sequence number of the first byte */
	uint32_t len;		 /* bytes held, at data[off] */
	uint32_t off, cap;	 /* data[] is cap bytes: room on both sides to grow */
	struct tlsa_pktinfo pkt; /* the latest packet that added bytes to the run */
	uint8_t data[];
};

/* The waiting runs of one direction, allocated while there are any: sorted by
   sequence number, disjoint and never adjacent, in b[head .. head + n). */
struct tcp_ooo {
	size_t bytes; /* sum of the runs' lengths */
	uint32_t head, n, cap;
	bool held;	   /* b[head] is a tiny segment at next_seq held back (tcp_reasm.c) */
	uint32_t far_next; /* the byte after the latest segment far ahead (tcp_reasm.c), */
	uint32_t far_segs; /* and how many far segments in a row ended there */
	size_t mem;	   /* what this object and its runs cost (TCP_OOO_COST, TCP_SEG_COST),
			      counted in the capture's ooo_total */
	struct tcp_blk *b[];
};

/* What memory the waiting bytes cost, as counted against max_buffer_total: a run whose data[]
 * is cap bytes (its bytes, the room it keeps to grow, its header and the allocator's own),
 * and a direction's array of ncap run pointers.  Against max_flow_buffer a direction counts
 * its bytes plus TCP_SEG_COST(0) per run. */
#define TCP_SEG_COST(cap)  (sizeof(struct tcp_blk) + (size_t)(cap) + 16)
#define TCP_OOO_COST(ncap) (sizeof(struct tcp_ooo) + (size_t)(ncap) * sizeof(struct tcp_blk *) + 16)

/* One direction of a TCP connection. */
struct tcp_dir {
	uint32_t next_seq; /* next byte to deliver */
	uint32_t isn;	   /* sequence number of the SYN, if seen */
	uint32_t fin_seq;  /* sequence number just after the last byte, once a FIN is seen */
	uint32_t acked;	   /* highest ACK the other side sent for this direction */
	bool started, syn_seen, fin_seen, has_ack, ended;
	struct tcp_ooo *ooo; /* NULL when nothing waits */
};

/* Canonical 5-tuple: the lower (address, port) first, so both directions match. */
struct flow_key {
	uint8_t a[16], b[16];
	uint16_t pa, pb;
	uint8_t family, transport;
	uint8_t pad[2];
};

struct cap_flow {
	struct tlsa_flow pub;
	struct flow_key key;
	uint64_t hash;
	struct cap_flow *lru_prev, *lru_next; /* least recently seen first (to the second) */
	int64_t lru_ts;			      /* capture second when last moved to the tail */
	struct tlsa_pktinfo last;	      /* the latest packet of this flow */
	bool closed; /* flow_close was called; kept to swallow stragglers */
	struct tcp_dir dir[2];
};

/* IP fragment reassembly (ip_frag.c). */
#define IP_FRAG_MAX 65535 /* largest datagram payload reassembled */
struct ip_frag {
	uint8_t family, proto;
	uint8_t src[16], dst[16]; /* IPv4: the first 4 bytes, the rest zero */
	uint32_t id;
	int64_t first_ts;
	size_t total;	 /* payload length, known once the last fragment arrived; 0 before */
	uint32_t nfrags; /* fragments taken in, and their payload bytes (counted when dropped) */
	size_t nbytes;
	uint8_t have[((IP_FRAG_MAX + 7) / 8 + 7) / 8]; /* 8-byte units received, one bit each */
	uint8_t data[IP_FRAG_MAX];
};
struct ip_frag_table {
	struct ip_frag *slot[64];
	size_t used;
};

enum notice_kind { NK_DECODE, NK_LINK, NK_FRAG, NK_FLOWS, NK_GAP, NK_TIME, NK__COUNT };

struct tlsa_capture {
	struct tlsa_capture_opts o;
	struct tlsa_capture_handler h;
	struct tlsa_capture_stats st;
	/* flow table: open addressing, linear probing, power-of-two size */
	struct cap_flow **slots;
	size_t nslots, nflows, max_slots;
	struct cap_flow *lru_head, *lru_tail;
	uint64_t next_id;
	struct ip_frag_table frags;
	size_t ooo_total; /* out-of-order memory of all flows (TCP_OOO_COST, TCP_SEG_COST) */
	unsigned notices[NK__COUNT];
	struct tlsa_pktinfo cur; /* the packet being decoded */
};

/* The caller's stop flag (tlsa_capture_opts.stop) is set: reading ends as at end of input. */
static inline bool capture_stopped(const struct tlsa_capture *c)
{
	return c->o.stop != NULL && *c->o.stop != 0;
}

/* notice.c: passes a notice to the handler, at most 20 of each kind. */
void cap_notice(struct tlsa_capture *c, enum notice_kind k, const struct tlsa_pktinfo *pkt,
		const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* tcp_ooo.c: the waiting runs of a direction, their memory counted in c->ooo_total.  ooo_add
   copies a segment in (bytes already held win); OOO_NOMEM when out of memory, OOO_FULL when
   it would pass max_buffer_total (the bytes before the failure may be in).  ooo_first is the
   earliest run or NULL; ooo_pop takes it out, uncounted (the caller frees it).  tcp_dir_free
   frees them all. */
enum ooo_res { OOO_OK, OOO_NOMEM, OOO_FULL };
enum ooo_res ooo_add(struct tlsa_capture *c, struct tcp_dir *d, uint32_t seq, const uint8_t *p,
		     size_t len, const struct tlsa_pktinfo *pkt);
struct tcp_blk *ooo_first(const struct tcp_dir *d);
struct tcp_blk *ooo_pop(struct tlsa_capture *c, struct tcp_dir *d);
void tcp_dir_free(struct tlsa_capture *c, struct tcp_dir *d);

/* tcp_reasm.c */
void tcp_input(struct tlsa_capture *c, struct cap_flow *f, int dir, const struct pkt_l4 *l4);
/* Ends direction dir: flushes buffered bytes (reporting gaps), calls tcp_end. */
void tcp_dir_end(struct tlsa_capture *c, struct cap_flow *f, int dir, enum tlsa_stream_end how,
		 const struct tlsa_pktinfo *pkt);

/* flow.c */
int flow_table_init(struct tlsa_capture *c);
void flow_input(struct tlsa_capture *c, const struct pkt_l4 *l4);
/* Closes every flow (how = TLSA_END_EOF), freeing all flow memory. */
void flow_close_all(struct tlsa_capture *c);
/* Ends the flow: tcp_end for directions still open, then flow_close; keeps the entry. */
void flow_end(struct tlsa_capture *c, struct cap_flow *f, enum tlsa_stream_end how);
void flow_table_free(struct tlsa_capture *c);

/* ip_frag.c: adds one fragment.  Returns NULL while the datagram is incomplete (or the
   fragment was dropped); once complete, returns it out of the table: the caller decodes
   data[0, total) and frees it with ip_frag_free. */
struct ip_frag *ip_frag_add(struct tlsa_capture *c, uint8_t family, const uint8_t *src,
			    const uint8_t *dst, uint32_t id, uint8_t proto, uint32_t offset,
			    bool more, const uint8_t *p, size_t len);
void ip_frag_free(struct ip_frag *f);
void ip_frag_free_all(struct tlsa_capture *c);

/* packet.c: true when the link type is one the decoder handles. */
bool pkt_linktype_supported(int linktype);
/* Decodes one captured frame of the given link type and feeds the flow table. */
void pkt_decode(struct tlsa_capture *c, int linktype, const uint8_t *p, size_t len);

#endif
