/*
 * A capture handler for tests that records every callback: the stream bytes
 * of each direction of each flow, and a compact event log
 * ("open1 d0:10 d1:7 g0:5 e1F e0F close1 u0:23 ...").
 */
#ifndef TLSA_CAPTURE_REC_H
#define TLSA_CAPTURE_REC_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsalert/capture.h"

#define REC_FLOWS 8
#define REC_BYTES 4096

struct rec {
	struct {
		uint64_t id;
		int syn_dir;
		struct tlsa_flow copy;
		size_t len[2];
		uint8_t data[2][REC_BYTES];
		uint64_t last_frame[2];
		int64_t last_sec[2];
		uint32_t last_nsec[2];
	} f[REC_FLOWS];
	int nflows, opens, closes, notices, gaps, udps;
	uint64_t gap_bytes;
	char log[8192];
	char last_notice[256];
	uint64_t last_notice_frame;
};

static void rec_log(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec_log(struct rec *r, const char *fmt, ...)
{
	size_t n = strlen(r->log);
	if (n > 0 && n + 1 < sizeof(r->log))
		r->log[n++] = ' ';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->log + n, sizeof(r->log) - n, fmt, ap);
	va_end(ap);
}

static int rec_slot(struct rec *r, const struct tlsa_flow *f)
{
	for (int i = 0; i < r->nflows; i++)
		if (r->f[i].id == f->id)
			return i;
	return -1;
}

static void rec_open(void *ctx, struct tlsa_flow *f, const struct tlsa_pktinfo *pkt)
{
	struct rec *r = ctx;
	(void)pkt;
	r->opens++;
	if (r->nflows < REC_FLOWS) {
		r->f[r->nflows].id = f->id;
		r->f[r->nflows].copy = *f;
		r->nflows++;
	}
	f->user = r;
	rec_log(r, "open%llu", (unsigned long long)f->id);
}

static void rec_tcp(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
		    const struct tlsa_pktinfo *pkt)
{
	struct rec *r = ctx;
	int i = rec_slot(r, f);
	rec_log(r, "d%d:%zu", dir, len);
	if (i < 0)
		return;
	r->f[i].syn_dir = f->syn_dir;
	size_t room = REC_BYTES - r->f[i].len[dir];
	size_t n = len < room ? len : room;
	memcpy(r->f[i].data[dir] + r->f[i].len[dir], data, n);
	r->f[i].len[dir] += n;
	r->f[i].last_frame[dir] = pkt->frame;
	r->f[i].last_sec[dir] = pkt->ts_sec;
	r->f[i].last_nsec[dir] = pkt->ts_nsec;
}

static void rec_gap(void *ctx, struct tlsa_flow *f, int dir, uint64_t missing,
		    const struct tlsa_pktinfo *pkt)
{
	struct rec *r = ctx;
	(void)f;
	(void)pkt;
	r->gaps++;
	r->gap_bytes += missing;
	rec_log(r, "g%d:%llu", dir, (unsigned long long)missing);
}

static void rec_end(void *ctx, struct tlsa_flow *f, int dir, enum tlsa_stream_end how,
		    const struct tlsa_pktinfo *pkt)
{
	struct rec *r = ctx;
	(void)pkt;
	int i = rec_slot(r, f);
	if (i >= 0)
		r->f[i].syn_dir = f->syn_dir;
	rec_log(r, "e%d%c", dir, "FRIE"[how]);
}

static void rec_udp(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
		    const struct tlsa_pktinfo *pkt)
{
	struct rec *r = ctx;
	(void)data;
	(void)pkt;
	(void)f;
	r->udps++;
	rec_log(r, "u%d:%zu", dir, len);
}

static void rec_close(void *ctx, struct tlsa_flow *f)
{
	struct rec *r = ctx;
	r->closes++;
	rec_log(r, "close%llu", (unsigned long long)f->id);
}

static void rec_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	struct rec *r = ctx;
	r->notices++;
	snprintf(r->last_notice, sizeof(r->last_notice), "%s", msg);
	r->last_notice_frame = pkt != NULL ? pkt->frame : 0;
}

static inline struct tlsa_capture_handler rec_handler(struct rec *r)
{
	struct tlsa_capture_handler h = {r,	  rec_open,  rec_tcp,	 rec_gap, rec_end,
					 rec_udp, rec_close, rec_notice, NULL};
	memset(r, 0, sizeof(*r));
	return h;
}

#endif
