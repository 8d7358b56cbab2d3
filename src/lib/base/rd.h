/*
 * A bounds-checked reader over untrusted bytes.  The protocol parsers read
 * through it and never index a buffer directly: TLS/DTLS/SSLv2 records and
 * hello messages (wire/record.c, wire/hello.c), decrypted records
 * (crypto/record_decrypt.c), the session tracker (session/session.c,
 * conn_decrypt.c, starttls.c), the packet decoder (capture/packet.c) and
 * QUIC's packets and frames (crypto/quic_packet.c, quic_frame.c).
 *
 * The in-place capture file readers (capture/pcap.c, capture/pcapng.c) do
 * not: their headers are in the file's byte order, either endianness, where
 * this reader is big-endian only, and they are fixed-size, so each reader
 * checks the bytes left once per record, block or option and then reads the
 * fields at fixed offsets (an unaligned load and, in a file of the other
 * byte order, a swap), which keeps the per-packet loop free of per-field
 * checks.
 *
 * A reader that runs out of bytes becomes "failed": later reads return 0 and
 * leave it failed, so a parser can read a whole structure and check
 * rd_ok() once.  rd_sub() opens a length-prefixed block as a reader of its
 * own, so an inner length can never reach past its container.
 */
#ifndef TLSA_RD_H
#define TLSA_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	const uint8_t *end;
	const uint8_t *start; /* for offsets in error messages */
	bool failed;
};

static inline struct rd rd_init(const uint8_t *p, size_t len)
{
	struct rd r = {p, p + len, p, false};
	return r;
}

static inline size_t rd_left(const struct rd *r)
{
	return (size_t)(r->end - r->p);
}
static inline size_t rd_offset(const struct rd *r)
{
	return (size_t)(r->p - r->start);
}
static inline bool rd_ok(const struct rd *r)
{
	return !r->failed;
}

static inline bool rd_need(struct rd *r, size_t n)
{
	if (r->failed || rd_left(r) < n) {
		r->failed = true;
		return false;
	}
	return true;
}

static inline uint8_t rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return *r->p++;
}

static inline uint16_t rd_u16(struct rd *r)
{
	if (!rd_need(r, 2))
		return 0;
	uint16_t v = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	return v;
}

static inline uint32_t rd_u24(struct rd *r)
{
	if (!rd_need(r, 3))
		return 0;
	uint32_t v = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
	r->p += 3;
	return v;
}

static inline uint32_t rd_u32(struct rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	uint32_t v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
		     ((uint32_t)r->p[2] << 8) | r->p[3];
	r->p += 4;
	return v;
}

static inline uint64_t rd_u48(struct rd *r)
{
	uint64_t hi = rd_u16(r);
	return (hi << 32) | rd_u32(r);
}

/* Points *out at the next n bytes and skips them; NULL when short. */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	if (!rd_need(r, n))
		return NULL;
	const uint8_t *p = r->p;
	r->p += n;
	return p;
}

static inline bool rd_skip(struct rd *r, size_t n)
{
	return rd_bytes(r, n) != NULL || n == 0;
}

/* The next n bytes as a reader of their own. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s = {r->p, r->p, r->start, true};
	const uint8_t *p = rd_bytes(r, n);
	if (p != NULL || n == 0) {
		s.p = p ? p : r->p;
		s.end = s.p + n;
		s.failed = false;
	}
	return s;
}

/* A block preceded by a 1-, 2- or 3-byte big-endian length. */
static inline struct rd rd_block(struct rd *r, int lenbytes)
{
	size_t n = lenbytes == 1 ? rd_u8(r) : lenbytes == 2 ? rd_u16(r) : rd_u24(r);
	if (r->failed) {
		struct rd s = {r->p, r->p, r->start, true};
		return s;
	}
	return rd_sub(r, n);
}

#endif
