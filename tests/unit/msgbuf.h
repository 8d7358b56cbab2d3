/*
 * A byte builder for hand-made TLS messages in unit tests: u8/u16 append
 * big-endian values, fix16 fills in a 16-bit length reserved earlier.  Define
 * MSGBUF_SIZE before including it for a larger buffer.
 */
#ifndef TLSA_MSGBUF_H
#define TLSA_MSGBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef MSGBUF_SIZE
#define MSGBUF_SIZE 4096
#endif

struct buf {
	uint8_t b[MSGBUF_SIZE];
	size_t n;
};

static inline void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static inline void u8(struct buf *b, unsigned v)
{
	b->b[b->n++] = (uint8_t)v;
}

static inline void u16(struct buf *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v & 0xff);
}

/* Writes a 16-bit length for the bytes added since `at` (reserved with u16). */
static inline void fix16(struct buf *b, size_t at)
{
	size_t len = b->n - at - 2;
	b->b[at] = (uint8_t)(len >> 8);
	b->b[at + 1] = (uint8_t)len;
}

#endif
