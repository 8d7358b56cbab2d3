/*
 * The capture file readers; not a public header.  reader.c is their front
 * end: it opens the file, maps it when it can, picks the reader by the first
 * four bytes (capture_read_mem), unmaps it, and sends everything else
 * (gzip, stdin, pipes, other formats) through libpcap (capture_read_pcap).
 * pcap.c and pcapng.c walk a classic pcap / pcapng file in place; they call
 * only down (packet.c, notice.c) and never each other or reader.c.
 */
#ifndef TLSA_CAPTURE_READERS_H
#define TLSA_CAPTURE_READERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture_int.h"

/* reader.c */
struct pcap;
/* Reads every packet of an opened libpcap handle (used by tlsa_capture_file and the fuzzer). */
int capture_read_pcap(struct tlsa_capture *c, struct pcap *p, const char *name, uint32_t file_index,
		      struct tlsa_error *err);
/* Reads a whole capture held in memory with the in-place reader its magic number names.
   Returns 1 (nothing done) when the input is shorter than 24 bytes or neither classic pcap
   nor pcapng, so the caller falls back to libpcap.  `mapped`: buf is a private file mapping
   whose pages the reader may drop behind itself (capture_release). */
int capture_read_mem(struct tlsa_capture *c, const uint8_t *buf, size_t len, bool mapped,
		     const char *name, uint32_t file_index, struct tlsa_error *err);

/* pcap.c: classic pcap read in place; 1 (nothing done) when not a version 2 file. */
int capture_read_pcap_mem(struct tlsa_capture *c, const uint8_t *buf, size_t len, bool mapped,
			  const char *name, uint32_t file_index, struct tlsa_error *err);

/* pcapng.c: pcapng read in place. */
int capture_read_pcapng_mem(struct tlsa_capture *c, const uint8_t *buf, size_t len, bool mapped,
			    const char *name, uint32_t file_index, struct tlsa_error *err);

#define CAPTURE_RELEASE_CHUNK (8u << 20) /* release behind the reader every 8 MiB */

/* Drops mapped pages in [*released, upto) from the process; the page cache keeps them.
   Inline so that both in-place readers use it without calling each other. */
static inline void capture_release(const uint8_t *base, size_t *released, size_t upto)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end = upto / page * page;
	if (end > *released) {
		madvise((void *)(base + *released), end - *released, MADV_DONTNEED);
		*released = end;
	}
}

/* Where an in-place reader stands, for capture_checkpoint(). */
struct reader_pos {
	size_t released;     /* mapped bytes already dropped */
	size_t next_release; /* offset of the next checkpoint */
};

/* Called before each record at offset `off`: every CAPTURE_RELEASE_CHUNK bytes
   (and at the start) drops the mapped pages behind the reader and sees whether
   the caller asked to stop.  True: stop reading. */
static inline bool capture_checkpoint(const struct tlsa_capture *c, const uint8_t *buf,
				      bool mapped, struct reader_pos *p, size_t off)
{
	if (off < p->next_release)
		return false;
	if (mapped)
		capture_release(buf, &p->released, off);
	p->next_release = off + CAPTURE_RELEASE_CHUNK;
	return capture_stopped(c);
}

#endif
