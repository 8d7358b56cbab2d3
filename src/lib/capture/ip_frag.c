/*
 * IP fragment reassembly for IPv4 and IPv6.
 *
 * At most 64 datagrams are reassembled at once, each up to 64 KiB; one whose
 * first fragment is older than FRAG_TIMEOUT seconds of capture time is
 * dropped, and when all slots are busy the oldest is dropped.  Coverage is
 * tracked in 8-byte units (the unit of the fragment offset field), so
 * overlapping and duplicated fragments are harmless: the first copy of a
 * byte wins.  A complete datagram leaves the table and goes back to the
 * caller (packet.c), which decodes its payload: nothing here calls up.
 */
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

#define FRAG_TIMEOUT 30

/* Drops slot i, counting its fragments as dropped. */
static void frag_drop(struct tlsa_capture *c, size_t i)
{
	struct ip_frag_table *t = &c->frags;
	c->st.frags_dropped += t->slot[i]->nfrags;
	c->st.frag_bytes_dropped += t->slot[i]->nbytes;
	free(t->slot[i]);
	t->slot[i] = t->slot[t->used - 1];
	t->slot[t->used - 1] = NULL;
	t->used--;
}

void ip_frag_free_all(struct tlsa_capture *c)
{
	while (c->frags.used > 0)
		frag_drop(c, 0);
}

static bool complete(const struct ip_frag *f)
{
	if (f->total == 0)
		return false;
	size_t units = (f->total + 7) / 8;
	for (size_t u = 0; u < units; u++)
		if (!(f->have[u / 8] & (1u << (u % 8))))
			return false;
	return true;
}

void ip_frag_free(struct ip_frag *f)
{
	free(f);
}

struct ip_frag *ip_frag_add(struct tlsa_capture *c, uint8_t family, const uint8_t *src,
			    const uint8_t *dst, uint32_t id, uint8_t proto, uint32_t offset,
			    bool more, const uint8_t *p, size_t len)
{
	struct ip_frag_table *t = &c->frags;
	size_t alen = family == 4 ? 4 : 16;
	int64_t now = c->cur.ts_sec;

	if ((size_t)offset + len > IP_FRAG_MAX || (more && (len % 8) != 0)) {
		c->st.undecoded++;
		c->st.frags_dropped++;
		c->st.frag_bytes_dropped += len;
		cap_notice(c, NK_FRAG, &c->cur,
			   "IP fragment at offset %u with %zu bytes is invalid; dropped", offset,
			   len);
		return NULL;
	}
	struct ip_frag *f = NULL;
	for (size_t i = 0; i < t->used;) {
		struct ip_frag *g = t->slot[i];
		if (now - g->first_ts > FRAG_TIMEOUT || g->first_ts - now > FRAG_TIMEOUT) {
			frag_drop(c, i);
			continue;
		}
		if (g->family == family && g->id == id && g->proto == proto &&
		    memcmp(g->src, src, alen) == 0 && memcmp(g->dst, dst, alen) == 0)
			f = g;
		i++;
	}
	if (f == NULL) {
		if (t->used == sizeof(t->slot) / sizeof(t->slot[0])) {
			size_t oldest = 0;
			for (size_t i = 1; i < t->used; i++)
				if (t->slot[i]->first_ts < t->slot[oldest]->first_ts)
					oldest = i;
			frag_drop(c, oldest);
			cap_notice(c, NK_FRAG, &c->cur,
				   "too many IP datagrams in reassembly; the oldest was dropped");
		}
		f = malloc(sizeof(*f));
		if (f == NULL)
			return NULL;
		f->family = family;
		f->proto = proto;
		memset(f->src, 0, sizeof(f->src));
		memset(f->dst, 0, sizeof(f->dst));
		memcpy(f->src, src, alen);
		memcpy(f->dst, dst, alen);
		f->id = id;
		f->first_ts = now;
		f->total = 0;
		f->nfrags = 0;
		f->nbytes = 0;
		memset(f->have, 0, sizeof(f->have));
		t->slot[t->used++] = f;
	}
	f->nfrags++;
	f->nbytes += len;
	if (!more)
		f->total = offset + len;
	/* copy only units not seen before */
	for (size_t u = offset / 8; u * 8 < offset + len; u++) {
		if (f->have[u / 8] & (1u << (u % 8)))
			continue;
		size_t from = u * 8, to = from + 8 < offset + len ? from + 8 : offset + len;
		memcpy(f->data + from, p + (from - offset), to - from);
		f->have[u / 8] |= (uint8_t)(1u << (u % 8));
	}
	if (!complete(f))
		return NULL;
	/* out of the table: the caller owns it now */
	for (size_t i = 0; i < t->used; i++) {
		if (t->slot[i] == f) {
			t->slot[i] = t->slot[t->used - 1];
			t->slot[--t->used] = NULL;
			break;
		}
	}
	return f;
}
