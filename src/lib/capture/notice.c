/*
 * Notices: the non-fatal things the capture layer tells its user (a corrupt
 * header, an unsupported link type, a dropped fragment, an evicted flow).
 * At most NOTICE_LIMIT of each kind are passed on, then one line saying that
 * the rest are not shown.  The bottom of the capture layer: every other file
 * may call it, it calls only the handler.
 */
#include <stdarg.h>
#include <stdio.h>

#include "capture_int.h"

#define NOTICE_LIMIT 20

void cap_notice(struct tlsa_capture *c, enum notice_kind k, const struct tlsa_pktinfo *pkt,
		const char *fmt, ...)
{
	if (c->h.notice == NULL)
		return;
	unsigned n = ++c->notices[k];
	if (n > NOTICE_LIMIT + 1)
		return;
	char msg[256];
	if (n == NOTICE_LIMIT + 1) {
		snprintf(msg, sizeof(msg), "further notices of this kind are not shown");
	} else {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	c->h.notice(c->h.ctx, pkt, msg);
}
