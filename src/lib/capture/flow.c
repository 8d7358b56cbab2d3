/*
 * The flow table: open addressing with linear probing over a power-of-two
 * array of flow pointers, keyed by the canonical 5-tuple, plus a list of
 * flows ordered by the time of their latest packet (least recent first) for
 * idle expiry and eviction.  A flow that ended stays in the table (closed)
 * until it idles out, so retransmissions after a FIN or RST do not start a
 * new flow; a SYN on it starts one.
 */
#include <stdlib.h>
#include <string.h>

#include "capture_int.h"

/* Closed flows are forgotten after this many seconds, if idle_timeout is longer. */
#define CLOSED_LINGER 60

static uint64_t key_hash(const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 0x243f6a8885a308d3u;
	for (size_t i = 0; i < sizeof(*k); i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15u;
		h ^= h >> 29;
	}
	return h ^ (h >> 32);
}

int flow_table_init(struct tlsa_capture *c)
{
	size_t max = 16;
	while (max < c->o.max_flows * 2 && max < ((size_t)1 << 40))
		max <<= 1;
	c->max_slots = max;
	c->nslots = max < 1024 ? max : 1024;
	c->slots = calloc(c->nslots, sizeof(*c->slots));
	return c->slots != NULL ? 0 : TLSA_ENOMEM;
}

static void table_insert(struct cap_flow **slots, size_t n, struct cap_flow *f)
{
	size_t i = (size_t)f->hash & (n - 1);
	while (slots[i] != NULL)
		i = (i + 1) & (n - 1);
	slots[i] = f;
}

static void table_grow(struct tlsa_capture *c)
{
	size_t n = c->nslots * 2;
	struct cap_flow **ns = calloc(n, sizeof(*ns));
	if (ns == NULL)
		return; /* keep the smaller table; max_flows still bounds it */
	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i] != NULL)
			table_insert(ns, n, c->slots[i]);
	free(c->slots);
	c->slots = ns;
	c->nslots = n;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void table_remove(struct tlsa_capture *c, struct cap_flow *f)
{
	size_t mask = c->nslots - 1, i = (size_t)f->hash & mask;
	while (c->slots[i] != f) {
		if (c->slots[i] == NULL)
			return;
		i = (i + 1) & mask;
	}
	size_t j = i;
	for (;;) {
		c->slots[i] = NULL;
		for (;;) {
			j = (j + 1) & mask;
			if (c->slots[j] == NULL)
				return;
			size_t home = (size_t)c->slots[j]->hash & mask;
			/* move slots[j] into the hole unless its home lies in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		c->slots[i] = c->slots[j];
		i = j;
	}
}

static void lru_unlink(struct tlsa_capture *c, struct cap_flow *f)
{
	if (f->lru_prev != NULL)
		f->lru_prev->lru_next = f->lru_next;
	else
		c->lru_head = f->lru_next;
	if (f->lru_next != NULL)
		f->lru_next->lru_prev = f->lru_prev;
	else
		c->lru_tail = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct tlsa_capture *c, struct cap_flow *f)
{
	f->lru_prev = c->lru_tail;
	f->lru_next = NULL;
	if (c->lru_tail != NULL)
		c->lru_tail->lru_next = f;
	else
		c->lru_head = f;
	c->lru_tail = f;
}

void flow_end(struct tlsa_capture *c, struct cap_flow *f, enum tlsa_stream_end how)
{
	if (f->closed)
		return;
	if (f->pub.transport == 6) {
		tcp_dir_end(c, f, 0, how, &f->last);
		tcp_dir_end(c, f, 1, how, &f->last);
	}
	tcp_dir_free(c, &f->dir[0]);
	tcp_dir_free(c, &f->dir[1]);
	f->closed = true;
	if (c->h.flow_close != NULL)
		c->h.flow_close(c->h.ctx, &f->pub);
	f->pub.user = NULL;
}

static void flow_destroy(struct tlsa_capture *c, struct cap_flow *f, enum tlsa_stream_end how)
{
	flow_end(c, f, how);
	table_remove(c, f);
	lru_unlink(c, f);
	c->nflows--;
	free(f);
}

/* The public side of a new flow: its endpoints as seen in the first packet, a new id. */
static void flow_init_pub(struct tlsa_capture *c, struct cap_flow *f, const struct pkt_l4 *l4)
{
	size_t alen = l4->family == 4 ? 4 : 16;
	for (int i = 0; i < 2; i++)
		f->pub.addr[i].family = l4->family;
	memcpy(f->pub.addr[0].bytes, l4->src, alen);
	memcpy(f->pub.addr[1].bytes, l4->dst, alen);
	f->pub.port[0] = l4->sport;
	f->pub.port[1] = l4->dport;
	f->pub.transport = l4->proto;
	f->pub.syn_dir = -1;
	f->pub.id = ++c->next_id;
}

/*
 * The list is ordered by lru_ts, which a flow refreshes at most once per
 * capture second; a head flow whose latest packet is newer than its place
 * says is moved to the tail instead of expiring.
 */
static void expire_idle(struct tlsa_capture *c, int64_t now)
{
	int64_t idle = c->o.idle_timeout;
	int64_t linger = idle < CLOSED_LINGER ? idle : CLOSED_LINGER;
	for (size_t n = c->nflows; n > 0 && c->lru_head != NULL; n--) {
		struct cap_flow *f = c->lru_head;
		if (now - f->lru_ts <= linger)
			break;
		int64_t limit = f->closed ? linger : idle;
		if (now - f->last.ts_sec <= limit) {
			if (f->last.ts_sec == f->lru_ts)
				break; /* in place and not idle: nothing behind it is either */
			lru_unlink(c, f);
			lru_append(c, f);
			f->lru_ts = f->last.ts_sec;
			continue;
		}
		flow_destroy(c, f, TLSA_END_IDLE);
	}
}

static inline bool key_eq(const struct flow_key *x, const struct flow_key *y)
{
	uint64_t a[5], b[5];
	memcpy(a, x, sizeof(a));
	memcpy(b, y, sizeof(b));
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4])) == 0;
}

static void make_key(const struct pkt_l4 *l4, struct flow_key *k, bool *swapped)
{
	size_t alen = l4->family == 4 ? 4 : 16;
	int cmp = memcmp(l4->src, l4->dst, alen);
	bool sw = cmp > 0 || (cmp == 0 && l4->sport > l4->dport);
	memset(k, 0, sizeof(*k));
	memcpy(k->a, sw ? l4->dst : l4->src, alen);
	memcpy(k->b, sw ? l4->src : l4->dst, alen);
	k->pa = sw ? l4->dport : l4->sport;
	k->pb = sw ? l4->sport : l4->dport;
	k->family = l4->family;
	k->transport = l4->proto;
	*swapped = sw;
}

static struct cap_flow *lookup(struct tlsa_capture *c, const struct flow_key *k, uint64_t h)
{
	size_t mask = c->nslots - 1, i = (size_t)h & mask;
	for (;;) {
		struct cap_flow *f = c->slots[i];
		if (f == NULL)
			return NULL;
		if (f->hash == h && key_eq(&f->key, k))
			return f;
		i = (i + 1) & mask;
	}
}

static struct cap_flow *flow_new(struct tlsa_capture *c, const struct pkt_l4 *l4,
				 const struct flow_key *k, uint64_t h)
{
	if (c->nflows >= c->o.max_flows && c->lru_head != NULL) {
		struct cap_flow *old = c->lru_head;
		if (!old->closed) {
			c->st.flows_evicted++;
			cap_notice(c, NK_FLOWS, &c->cur,
				   "flow table full (%zu flows): the least recently active flow "
				   "is closed early",
				   c->o.max_flows);
		}
		flow_destroy(c, old, TLSA_END_IDLE);
	}
	if ((c->nflows + 1) * 2 > c->nslots && c->nslots < c->max_slots)
		table_grow(c);
	if ((c->nflows + 1) * 4 > c->nslots * 3)
		return NULL; /* table could not grow: drop rather than degrade */
	struct cap_flow *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->key = *k;
	f->hash = h;
	flow_init_pub(c, f, l4);
	f->lru_ts = c->cur.ts_sec;
	table_insert(c->slots, c->nslots, f);
	lru_append(c, f);
	c->nflows++;
	c->st.flows++;
	return f;
}

/* Reuses a closed entry (or a live one whose port pair a new SYN claims) for a new flow. */
static void flow_restart(struct tlsa_capture *c, struct cap_flow *f, const struct pkt_l4 *l4)
{
	flow_end(c, f, TLSA_END_EOF);
	struct flow_key k = f->key;
	uint64_t h = f->hash;
	struct cap_flow *p = f->lru_prev, *n = f->lru_next;
	memset(f, 0, sizeof(*f));
	f->key = k;
	f->hash = h;
	f->lru_prev = p;
	f->lru_next = n;
	f->lru_ts = c->cur.ts_sec - 1; /* moved to the tail by the caller */
	flow_init_pub(c, f, l4);
	c->st.flows++;
}

void flow_input(struct tlsa_capture *c, const struct pkt_l4 *l4)
{
	struct flow_key k;
	bool swapped;
	make_key(l4, &k, &swapped);
	uint64_t h = key_hash(&k);

	int64_t linger = c->o.idle_timeout < CLOSED_LINGER ? c->o.idle_timeout : CLOSED_LINGER;
	if (c->lru_head != NULL && c->cur.ts_sec - c->lru_head->lru_ts > linger)
		expire_idle(c, c->cur.ts_sec);

	struct cap_flow *f = lookup(c, &k, h);
	bool fresh = false;
	bool syn = l4->proto == 6 && (l4->flags & (TCPF_SYN | TCPF_ACK | TCPF_RST)) == TCPF_SYN;
	if (f == NULL) {
		f = flow_new(c, l4, &k, h);
		if (f == NULL)
			return;
		fresh = true;
	} else if (f->closed) {
		if (!syn) {
			f->last = c->cur;
			return; /* a straggler of a finished connection */
		}
		flow_restart(c, f, l4);
		fresh = true;
	}
	size_t alen = l4->family == 4 ? 4 : 16;
	int dir = (l4->sport == f->pub.port[0] && memcmp(l4->src, f->pub.addr[0].bytes, alen) == 0)
			  ? 0
			  : 1;
	if (!fresh && syn) {
		/* a new connection on the same ports: a SYN with another initial sequence number,
		   or, on a stream picked up without its SYN, one far from where the stream is */
		struct tcp_dir *d = &f->dir[dir];
		int32_t dist = (int32_t)(l4->seq + 1 - d->next_seq);
		bool far = dist > (1 << 20) || dist < -(1 << 20);
		if ((d->syn_seen && d->isn != l4->seq) || (!d->syn_seen && d->started && far)) {
			flow_restart(c, f, l4);
			fresh = true;
			dir = 0;
		}
	}
	f->last = c->cur;
	if (f->lru_ts != c->cur.ts_sec) {
		f->lru_ts = c->cur.ts_sec;
		if (c->lru_tail != f) {
			lru_unlink(c, f);
			lru_append(c, f);
		}
	}
	if (fresh && c->h.flow_open != NULL)
		c->h.flow_open(c->h.ctx, &f->pub, &c->cur);

	if (l4->proto == 6) {
		tcp_input(c, f, dir, l4);
		if (f->dir[0].ended && f->dir[1].ended)
			flow_end(c, f, TLSA_END_FIN);
	} else if (c->h.udp_data != NULL) {
		c->h.udp_data(c->h.ctx, &f->pub, dir, l4->data, l4->len, &c->cur);
	}
}

void flow_close_all(struct tlsa_capture *c)
{
	while (c->lru_head != NULL)
		flow_destroy(c, c->lru_head, TLSA_END_EOF);
}

void flow_table_free(struct tlsa_capture *c)
{
	/* without callbacks: the consumer may already be gone */
	struct cap_flow *f = c->lru_head;
	while (f != NULL) {
		struct cap_flow *n = f->lru_next;
		tcp_dir_free(c, &f->dir[0]);
		tcp_dir_free(c, &f->dir[1]);
		free(f);
		f = n;
	}
	c->lru_head = c->lru_tail = NULL;
	free(c->slots);
	c->slots = NULL;
	c->nflows = 0;
}
