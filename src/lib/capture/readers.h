/*
 * The capture file readers; not a public header.  reader.c is their front
 * end: it opens the input once (a file, "-", a FIFO, /dev/fd/N, gzip or
 * not, through gz.c's source), reads it sequentially in large chunks into
 * one reused buffer (struct rbuf: a record that straddles two chunks is
 * carried over to the start of the buffer), and hands the buffer, by the
 * first four bytes, to the reader of its format: pcap.c (classic pcap) or
 * pcapng.c.  They call only down (packet.c, notice.c) and never each other;
 * what they share is inline here.  libpcap reads files only when asked
 * (tlsa_capture_opts.libpcap_reader, a cross-check: capture_read_pcap).
 */
#ifndef TLSA_CAPTURE_READERS_H
#define TLSA_CAPTURE_READERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture_int.h"
#include "gz.h"

/* The read buffer: one chunk of the input, or more when a record is larger. */
#define CAPTURE_CHUNK	   (1u << 20)
#define CAPTURE_MAX_RECORD (16u << 20) /* the largest pcapng block read, as libpcap's */

struct rbuf {
	struct capture_src *src;
	volatile sig_atomic_t *stop; /* tlsa_capture_opts.stop: seen at every refill */
	uint8_t *buf;
	size_t cap, pos, end; /* the bytes not yet consumed are buf[pos, end) */
	uint64_t base;	      /* input offset of buf[0] */
	bool eof;	      /* the source has no more bytes (or failed, or was stopped) */
	bool failed;	      /* the source reported an error */
	bool nomem;	      /* the buffer could not grow for a record */
};

/* Slow path of rb_need: moves the unconsumed bytes to the start and reads more. */
const uint8_t *rb_fill(struct rbuf *b, size_t n);

/* n contiguous bytes at the reading position, valid until the next rb_need; NULL when the
   input ends (or fails) before them: rb_avail() bytes are left. */
static inline const uint8_t *rb_need(struct rbuf *b, size_t n)
{
	if (b->end - b->pos >= n)
		return b->buf + b->pos;
	return rb_fill(b, n);
}

static inline void rb_skip(struct rbuf *b, size_t n)
{
	b->pos += n;
}

static inline size_t rb_avail(const struct rbuf *b)
{
	return b->end - b->pos;
}

/* Input offset of the reading position. */
static inline uint64_t rb_off(const struct rbuf *b)
{
	return b->base + b->pos;
}

#define RB_END 1 /* capture_short: the input simply ended; the caller words the message */

/* After rb_need returned NULL for frame `frame`: 0 when reading was stopped (not an error),
   a TLSA_E* code with err set when the source failed (a read or gzip error: named at the
   frame it fell in, or after the last one when it fell between records) or memory ran out,
   RB_END when the input just ended. */
int capture_short(const struct tlsa_capture *c, const struct rbuf *b, const char *name,
		  uint64_t frame, struct tlsa_error *err);

/* Latest time kept, 9999-12-31T23:59:59.999999999Z: an ISO 8601 date keeps four digits. */
#define CAPTURE_TS_MAX 253402300799LL

/* Sets the current packet's time from whole seconds `sec` (before the offset), an offset in
   seconds and nanoseconds `nsec` (< 10^9).  A time before 1970 or after CAPTURE_TS_MAX is
   clamped to the nearest end, with a notice (docs/capture.md, "Time stamps"). */
void capture_set_time(struct tlsa_capture *c, uint64_t sec, int64_t offset, uint32_t nsec);

struct pcap;
/* Reads every packet of an opened libpcap handle (libpcap_reader and the fuzzer). */
int capture_read_pcap(struct tlsa_capture *c, struct pcap *p, const char *name, uint32_t file_index,
		      struct tlsa_error *err);
/* Reads the input of b with the reader its first bytes name (pcap.c, pcapng.c). */
int capture_read_buf(struct tlsa_capture *c, struct rbuf *b, const char *name, uint32_t file_index,
		     struct tlsa_error *err);
/* The whole input of src through capture_read_buf, then closes src (the fuzzer, reader.c). */
int capture_read_src(struct tlsa_capture *c, struct capture_src *src, const char *name,
		     uint32_t file_index, struct tlsa_error *err);

/* pcap.c: classic (or modified) pcap after its 4-byte magic number. */
int capture_read_pcap_buf(struct tlsa_capture *c, struct rbuf *b, const char *name,
			  uint32_t file_index, struct tlsa_error *err);

/* pcapng.c: pcapng from its first block. */
int capture_read_pcapng_buf(struct tlsa_capture *c, struct rbuf *b, const char *name,
			    uint32_t file_index, struct tlsa_error *err);

#endif
