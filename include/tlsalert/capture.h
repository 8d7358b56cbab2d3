/*
 * libtlsalert: the capture layer.
 *
 * Reads pcap / pcapng files (optionally gzip-compressed; "-" = stdin; FIFOs and
 * pipes too, each opened once and read front to back) or a live interface
 * (through libpcap), strips link layers and tunnels, reassembles
 * IP fragments and TCP streams per direction, keeps a bounded flow table, and
 * hands ordered stream bytes and UDP datagrams to a consumer through the
 * callbacks of struct tlsa_capture_handler.  See docs/capture.md.
 */
#ifndef TLSALERT_CAPTURE_H
#define TLSALERT_CAPTURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a callback's bytes came from. */
struct tlsa_pktinfo {
	uint64_t frame;	     /* 1-based packet number within its file, as Wireshark counts */
	int64_t ts_sec;	     /* capture time, seconds since 1970 UTC */
	uint32_t ts_nsec;    /* nanoseconds */
	uint32_t file_index; /* which input file (index given to tlsa_capture_file) */
};

struct tlsa_addr {
	uint8_t family; /* 4 or 6 */
	uint8_t bytes[16];
};

struct tlsa_flow {
	struct tlsa_addr addr[2]; /* [0] = the side that sent the first packet seen of the flow */
	uint16_t port[2];
	uint8_t transport; /* 6 TCP, 17 UDP */
	int syn_dir;	   /* direction (0 or 1) that sent a SYN without ACK, -1 when not seen;
			      if only a SYN+ACK was seen, the direction that did NOT send it */
	uint64_t id;	   /* unique within one tlsa_capture */
	void *user;	   /* owned by the consumer */
};

enum tlsa_stream_end { TLSA_END_FIN, TLSA_END_RST, TLSA_END_IDLE, TLSA_END_EOF };

/*
 * Callbacks; any may be NULL.  `f` stays valid from flow_open to flow_close.
 * Data pointers are valid only during the call.
 */
struct tlsa_capture_handler {
	void *ctx;
	void (*flow_open)(void *ctx, struct tlsa_flow *f, const struct tlsa_pktinfo *pkt);
	/* TCP: new in-order bytes of direction dir (0 = sent by addr[0]); each byte delivered once
	   (retransmissions and overlaps removed); pkt = the packet whose arrival made them
	   available */
	void (*tcp_data)(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			 const struct tlsa_pktinfo *pkt);
	/* TCP: `missing` bytes of direction dir will never arrive (capture loss); data resumes
	 * after */
	void (*tcp_gap)(void *ctx, struct tlsa_flow *f, int dir, uint64_t missing,
			const struct tlsa_pktinfo *pkt);
	/* TCP: direction dir ended (FIN, RST, idle timeout, end of input) */
	void (*tcp_end)(void *ctx, struct tlsa_flow *f, int dir, enum tlsa_stream_end how,
			const struct tlsa_pktinfo *pkt);
	/* UDP: one datagram payload of direction dir */
	void (*udp_data)(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			 const struct tlsa_pktinfo *pkt);
	/* last call for f (after tcp_end of both directions, idle, or end of input): free f->user
	 */
	void (*flow_close)(void *ctx, struct tlsa_flow *f);
	/* something non-fatal worth telling the user (gap, corrupt header, unknown link type);
	   pkt may be NULL */
	void (*notice)(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg);
	/* pcapng Decryption Secrets Block: secrets type and payload (for key logs,
	   tlsalert/keylog.h; given before the packets that follow the block) */
	void (*secrets)(void *ctx, uint32_t secrets_type, const uint8_t *data, size_t len);
};

/* Every member left 0 takes its default. */
struct tlsa_capture_opts {
	size_t sz;	  /* sizeof(struct tlsa_capture_opts), or 0 (tlsalert/common.h) */
	size_t max_flows; /* live flows kept (oldest/idle evicted beyond); 0 = default 65536 */
	size_t max_flow_buffer; /* out-of-order bytes buffered per direction; 0 = default 256 KiB */
	uint32_t idle_timeout;	/* seconds of capture time after which a flow is closed; 0 = 300 */
	const char *bpf;	/* BPF filter (libpcap syntax) or NULL */
	int libpcap_reader;	/* non-zero: read files through libpcap (a cross-check; slower) */
	/* When non-NULL, reading stops once *stop is non-zero (a signal handler may set it):
	   tlsa_capture_file and tlsa_capture_live return 0 as at the end of the input, with
	   every packet read so far delivered; then call tlsa_capture_finish as usual.  Seen
	   between packets, and within 0.1 s while a pipe, FIFO, terminal or interface has no
	   data. */
	volatile sig_atomic_t *stop;
	/* Out-of-order bytes buffered by all flows together, each segment's bookkeeping
	   counted too (docs/capture.md, "Memory"); 0 = default 16 MiB.  When full, a
	   direction gives up its hole as when its own buffer is full. */
	size_t max_buffer_total;
};

/* Counters, for statistics output and tests. */
struct tlsa_capture_stats {
	uint64_t packets;	/* packets read */
	uint64_t bytes;		/* captured bytes read */
	uint64_t undecoded;	/* packets skipped: unknown link type, not IP, corrupt headers */
	uint64_t fragments;	/* IP fragments seen */
	uint64_t tunnels;	/* packets decapsulated from a tunnel */
	uint64_t flows;		/* flows opened */
	uint64_t flows_evicted; /* flows closed early because max_flows was reached */
	uint64_t tcp_gaps;	/* tcp_gap calls */
	uint64_t tcp_gap_bytes; /* bytes reported missing */
	uint64_t tcp_dup_bytes; /* retransmitted / overlapping bytes dropped */
	/* What a bound made the reader give up (docs/capture.md, "Memory"): */
	uint64_t frags_dropped;	     /* IP fragments dropped: invalid, timed out, table full,
					never completed by the end of the input */
	uint64_t frag_bytes_dropped; /* their payload bytes */
	uint64_t tcp_buffer_full;    /* holes given up because max_flow_buffer or
					max_buffer_total was reached (each also a tcp_gap),
					counted once per segment that forced them */
	uint64_t overlap_conflicts;  /* segments whose bytes contradict another copy of the same
					sequence numbers (docs/capture.md: which copy wins) */
	uint64_t tcp_other_copy;     /* segments ignored as another copy of a stream in a far
					sequence space (a capture on both sides of a middlebox) */
};

struct tlsa_capture;

/* NULL on allocation failure.  `o` may be NULL (all defaults); `h` is copied. */
struct tlsa_capture *tlsa_capture_new(const struct tlsa_capture_opts *o,
				      const struct tlsa_capture_handler *h);
/* Reads a whole pcap/pcapng file ("-" = stdin; gzip-compressed accepted); calls the handler as it
   goes.  Stdin, pipes and FIFOs are decoded as their bytes arrive (each packet as soon as it
   is complete), so a stream written by `tcpdump -U -w -` is followed as it is written. On a
   malformed/truncated file: returns a TLSA_E* code, err names the frame and what was wrong; all
   callbacks for packets before the error have been made.  Does not close flows (call
   tlsa_capture_finish). */
int tlsa_capture_file(struct tlsa_capture *c, const char *path, uint32_t file_index,
		      struct tlsa_error *err);
/* Live capture on an interface until *stop (or the options' *stop) becomes non-zero, or an
   error; `stop` may be NULL. */
int tlsa_capture_live(struct tlsa_capture *c, const char *iface, volatile int *stop,
		      struct tlsa_error *err);
/* Ends every live flow (tcp_end with TLSA_END_EOF, then flow_close).  c may be NULL (does
   nothing). */
void tlsa_capture_finish(struct tlsa_capture *c);
/* Frees c and every flow still in its table without calling the handler (call
   tlsa_capture_finish first to have them ended).  c may be NULL (does nothing). */
void tlsa_capture_free(struct tlsa_capture *c);
/* Counters so far. */
void tlsa_capture_get_stats(const struct tlsa_capture *c, struct tlsa_capture_stats *out);

#ifdef __cplusplus
}
#endif

#endif
