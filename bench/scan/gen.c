/*
 * gen: builds the scan benchmark capture from the one-connection templates in
 * /work/shared/bench-templates (see their README.md and bench/scan/README.md).
 *
 * Every copy of a template gets its own client address and port and its own
 * server address; IPv4 and TCP checksums are recomputed; copies start after
 * exponential gaps (mean 1.5 ms) and the packets of concurrent copies are
 * merged in time order.  Templates are drawn at random (fixed seed) but
 * held to the reference mix (see pick()); 3% of the flows are failing ones,
 * equally spread over the fail-* templates.  With -k, a key log is written: TLS 1.3 copies get
 * unique client and server randoms (patched into the hello messages) and matching key log lines;
 * TLS 1.2 copies keep their randoms (the record keys are derived from both randoms, so changing
 * them would break decryption) and share one CLIENT_RANDOM line per template.
 *
 * Usage: gen -t TEMPLATE_DIR -o OUT.pcap [-k OUT.keylog] [-b BYTES] [-s SEED]
 *            [-n PARTS] [-m MANIFEST.tsv]
 * With -n N > 1, OUT must contain one "%d": copy i goes to part (i % N) + 1,
 * so every connection is whole in one part and the parts together hold
 * exactly the connections of the single file made with the same seed.
 *
 * Standalone (no project headers): cc -O2 -o gen gen.c -lm
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER_PORT 443
#define MEAN_GAP_US 1500.0
#define FAIL_SHARE  0.03
#define MAX_PARTS   64

/* The reference mix (bench-templates/README.md), weights of the ok flows. */
static const struct {
	const char *name;
	double weight;
} ok_mix[] = {
	{"ok-curl13-2k", 30},  {"ok-gnutls13-http", 10}, {"ok-go13-echo", 10},
	{"ok-curl12-20k", 15}, {"ok-python12-20k", 10},	 {"ok-curl13-100k", 15},
	{"ok-curl12-500k", 4}, {"ok-curl13-1m", 2},
};

struct pkt {
	uint32_t rel_us;  /* time since the template's first packet */
	uint32_t len;	  /* captured length == original length */
	uint32_t off;	  /* offset of the frame in tmpl.data */
	uint16_t ip_off;  /* offset of the IPv4 header in the frame */
	uint16_t tcp_off; /* offset of the TCP header in the frame */
	uint16_t tcp_len; /* TCP header + payload */
	bool from_client;
	int32_t rnd_off; /* offset in frame of a hello random to patch, or -1 */
};

struct tmpl {
	char name[128];
	bool fail;
	double weight;
	double share; /* fraction of all copies */
	unsigned char *data;
	size_t data_len;
	struct pkt *pkts;
	size_t npkts;
	uint64_t bytes; /* record headers + frames, as written to the output */
	unsigned char client_random[32];
	bool have_cr;
	bool patch;   /* randoms are rewritten per copy */
	char *keylog; /* template key log text or NULL */
	bool keylog_written;
	uint64_t copies, out_pkts, out_bytes;
};

struct copy {
	uint64_t next_us; /* timestamp of the next packet */
	uint64_t start_us;
	uint32_t idx; /* copy number */
	uint32_t pos; /* next packet */
	struct tmpl *t;
};

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	unsigned char *b = xmalloc(cap + 1);
	for (;;) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		cap *= 2;
		b = xrealloc(b, cap + 1);
	}
	if (ferror(f))
		die("%s: read error", path);
	fclose(f);
	b[n] = 0;
	*len = n;
	return b;
}

static uint32_t rd16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}
static uint32_t rd32le(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint32_t rd32be(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void wr16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}
static void wr32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* TLS 1.3 HelloRetryRequest "random" (RFC 8446, 4.1.3): never patched. */
static const unsigned char hrr_random[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
					     0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
					     0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
					     0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* Reads one template pcap: classic pcap, Ethernet, IPv4/TCP only. */
static void load_pcap(struct tmpl *t, const char *path)
{
	size_t len;
	unsigned char *b = slurp(path, &len);
	if (!b)
		die("%s: %s", path, strerror(errno));
	if (len < 24)
		die("%s: too short for a pcap header", path);
	bool nsec;
	uint32_t magic = rd32le(b);
	if (magic == 0xa1b2c3d4)
		nsec = false;
	else if (magic == 0xa1b23c4d)
		nsec = true;
	else
		die("%s: not a little-endian classic pcap (magic %08" PRIx32 ")", path, magic);
	if (rd32le(b + 20) != 1)
		die("%s: link type %" PRIu32 ", expected 1 (Ethernet)", path, rd32le(b + 20));
	t->data = b;
	t->data_len = len;
	size_t cap = 64;
	t->pkts = xmalloc(cap * sizeof(*t->pkts));
	uint64_t first = 0;
	uint32_t client_ip = 0;
	bool have_client = false;
	size_t off = 24;
	while (off < len) {
		if (len - off < 16)
			die("%s: truncated record header at offset %zu", path, off);
		const unsigned char *h = b + off;
		uint64_t ts = (uint64_t)rd32le(h) * 1000000u +
			      (nsec ? rd32le(h + 4) / 1000u : rd32le(h + 4));
		uint32_t incl = rd32le(h + 8), orig = rd32le(h + 12);
		if (incl > len - off - 16)
			die("%s: record at offset %zu runs past the end", path, off);
		if (incl != orig)
			die("%s: record at offset %zu is truncated (%u of %u bytes)", path, off,
			    incl, orig);
		const unsigned char *f = h + 16;
		if (incl < 14 + 20 + 20 || rd16(f + 12) != 0x0800)
			die("%s: record at offset %zu is not Ethernet/IPv4", path, off);
		const unsigned char *ip = f + 14;
		uint32_t ihl = (ip[0] & 15u) * 4, tot = rd16(ip + 2);
		if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6 || tot < ihl + 20 ||
		    tot > incl - 14)
			die("%s: record at offset %zu is not a whole IPv4/TCP packet", path, off);
		const unsigned char *tcp = ip + ihl;
		uint32_t doff = (tcp[12] >> 4) * 4u;
		if (doff < 20 || doff > tot - ihl)
			die("%s: record at offset %zu has a bad TCP header length", path, off);
		if (t->npkts == cap) {
			cap *= 2;
			t->pkts = xrealloc(t->pkts, cap * sizeof(*t->pkts));
		}
		if (t->npkts == 0)
			first = ts;
		if (ts < first)
			die("%s: packets out of time order at offset %zu", path, off);
		uint32_t sport = rd16(tcp), dport = rd16(tcp + 2);
		bool syn_only = (tcp[13] & 0x12) == 0x02;
		if (!have_client && (syn_only || dport == SERVER_PORT || sport == SERVER_PORT)) {
			client_ip = sport == SERVER_PORT && !syn_only ? rd32be(ip + 16)
								      : rd32be(ip + 12);
			have_client = true;
		}
		struct pkt *p = &t->pkts[t->npkts++];
		p->rel_us = (uint32_t)(ts - first);
		p->len = incl;
		p->off = (uint32_t)(off + 16);
		p->ip_off = 14;
		p->tcp_off = (uint16_t)(14 + ihl);
		p->tcp_len = (uint16_t)(tot - ihl);
		/* Loopback: both addresses are equal, so the port decides. */
		p->from_client = dport == SERVER_PORT ||
				 (sport != SERVER_PORT && rd32be(ip + 12) == client_ip);
		p->rnd_off = -1;
		const unsigned char *pl = tcp + doff;
		uint32_t plen = tot - ihl - doff;
		/* A hello record at the start of a segment: type 22, hs type 1/2. */
		if (plen >= 43 && pl[0] == 22 && pl[1] == 3 &&
		    ((p->from_client && pl[5] == 1) ||
		     (!p->from_client && pl[5] == 2 && memcmp(pl + 11, hrr_random, 32) != 0))) {
			p->rnd_off = (int32_t)(pl + 11 - f);
			if (p->from_client && !t->have_cr) {
				memcpy(t->client_random, pl + 11, 32);
				t->have_cr = true;
			}
		}
		t->bytes += 16 + incl;
		off += 16 + incl;
	}
	if (t->npkts == 0)
		die("%s: no packets", path);
}

static void hex32(char *out, const unsigned char *r)
{
	static const char d[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = d[r[i] >> 4];
		out[2 * i + 1] = d[r[i] & 15];
	}
	out[64] = 0;
}

/* The random written into copy `idx`: the template's, first 8 bytes replaced
 * by the copy number (client) or its complement (server), so every copy's
 * randoms are unique and recognisable. */
static void copy_random(unsigned char *r, uint32_t idx, bool client)
{
	uint64_t v = client ? (uint64_t)idx + 1 : ~((uint64_t)idx + 1);
	for (int i = 0; i < 8; i++)
		r[i] = (unsigned char)(v >> (56 - 8 * i));
}

static void load_keylog(struct tmpl *t, const char *path)
{
	size_t len;
	unsigned char *k = slurp(path, &len);
	if (!k)
		return;
	t->keylog = (char *)k;
	/* TLS 1.2 (CLIENT_RANDOM master secret): key expansion hashes both
	 * randoms, so they must stay as captured. */
	t->patch = strstr(t->keylog, "CLIENT_RANDOM ") == NULL;
	if (!t->have_cr)
		die("%s: key log but no ClientHello found in the capture", path);
	char want[65];
	hex32(want, t->client_random);
	if (!strstr(t->keylog, want))
		die("%s: no line for the capture's client random %s", path, want);
}

/* ---- random numbers: splitmix64, fixed seed ---- */
static uint64_t rng_state;
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}
/* Uniform in (0, 1]. */
static double rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 1.0) / 9007199254740992.0;
}

/* ---- checksums ---- */
static uint32_t sum_bytes(uint32_t s, const unsigned char *p, size_t n)
{
	uint64_t acc = s;
	while (n >= 2) {
		acc += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		n -= 2;
	}
	if (n)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* ---- output ---- */
struct out {
	FILE *f;
	char *path;
};

static void out_open(struct out *o, const char *path)
{
	o->path = strdup(path);
	o->f = fopen(path, "wb");
	if (!o->f)
		die("%s: %s", path, strerror(errno));
	setvbuf(o->f, NULL, _IOFBF, 1 << 22);
	unsigned char h[24];
	wr32le(h, 0xa1b2c3d4);
	h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;
	memset(h + 8, 0, 8);
	wr32le(h + 16, 262144);
	wr32le(h + 20, 1);
	fwrite(h, 1, 24, o->f);
}

static void out_close(struct out *o)
{
	if (fclose(o->f) != 0)
		die("%s: write error: %s", o->path, strerror(errno));
	free(o->path);
}

/* Writes packet c->pos of copy c, rewritten for that copy. */
static void emit(struct out *o, const struct copy *c, unsigned char *buf)
{
	const struct tmpl *t = c->t;
	const struct pkt *p = &t->pkts[c->pos];
	unsigned char *h = buf, *f = buf + 16;
	uint64_t ts = c->next_us;
	wr32le(h, (uint32_t)(ts / 1000000u));
	wr32le(h + 4, (uint32_t)(ts % 1000000u));
	wr32le(h + 8, p->len);
	wr32le(h + 12, p->len);
	memcpy(f, t->data + p->off, p->len);

	/* Addresses: client 10.0.0.0/8, server 172.16.0.0/12, by copy number. */
	uint32_t n = c->idx + 1;
	unsigned char cli[4] = {10, (unsigned char)(n >> 16), (unsigned char)(n >> 8),
				(unsigned char)n};
	unsigned char srv[4] = {172, (unsigned char)(16 + ((n >> 16) & 15)),
				(unsigned char)(n >> 8), (unsigned char)n};
	uint32_t cport = 1024 + (uint32_t)(((uint64_t)c->idx * 40503u) % 64000u);
	unsigned char *ip = f + p->ip_off, *tcp = f + p->tcp_off;
	memcpy(ip + 12, p->from_client ? cli : srv, 4);
	memcpy(ip + 16, p->from_client ? srv : cli, 4);
	wr16(tcp + (p->from_client ? 0 : 2), cport);
	if (p->rnd_off >= 0 && t->patch)
		copy_random(f + p->rnd_off, c->idx, p->from_client);

	uint32_t ihl = (uint32_t)(p->tcp_off - p->ip_off);
	wr16(ip + 10, 0);
	wr16(ip + 10, fold(sum_bytes(0, ip, ihl)));
	wr16(tcp + 16, 0);
	uint32_t s = sum_bytes(0, ip + 12, 8);
	s += 6 + p->tcp_len;
	s = sum_bytes(s, tcp, p->tcp_len);
	wr16(tcp + 16, fold(s));
	if (fwrite(buf, 1, 16 + p->len, o->f) != 16 + p->len)
		die("%s: write error: %s", o->path, strerror(errno));
}

static void write_keylog(FILE *k, struct tmpl *t, uint32_t idx)
{
	if (!t->keylog || (!t->patch && t->keylog_written))
		return;
	t->keylog_written = true;
	char from[65], to[65];
	hex32(from, t->client_random);
	unsigned char r[32];
	memcpy(r, t->client_random, 32);
	if (t->patch)
		copy_random(r, idx, true);
	hex32(to, r);
	for (const char *l = t->keylog; *l;) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		if (n && l[0] != '#') {
			const char *m = NULL;
			for (const char *q = l; q + 64 <= l + n; q++) {
				if (memcmp(q, from, 64) == 0) {
					m = q;
					break;
				}
			}
			if (m) {
				fwrite(l, 1, (size_t)(m - l), k);
				fwrite(to, 1, 64, k);
				fwrite(m + 64, 1, n - (size_t)(m - l) - 64, k);
				fputc('\n', k);
			}
		}
		l += n + (e ? 1 : 0);
	}
}

/* ---- min-heap of active copies by (next_us, idx) ---- */
static bool before(const struct copy *a, const struct copy *b)
{
	return a->next_us < b->next_us || (a->next_us == b->next_us && a->idx < b->idx);
}

static void heap_push(struct copy *h, size_t *n, struct copy c)
{
	size_t i = (*n)++;
	h[i] = c;
	while (i && before(&h[i], &h[(i - 1) / 2])) {
		struct copy tmp = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

static void heap_down(struct copy *h, size_t n)
{
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && before(&h[l], &h[m]))
			m = l;
		if (r < n && before(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		struct copy tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

/* Picks the template of copy number n: a random draw weighted by how far
 * each template is behind its share of the mix, so the counts never stray
 * more than about one copy from the reference mix while the order stays
 * random. */
static struct tmpl *pick(struct tmpl *ts, size_t nt, uint32_t n)
{
	double sum = 0;
	for (size_t i = 0; i < nt; i++) {
		double behind = ts[i].share * ((double)n + 1) - (double)ts[i].copies;
		sum += behind > 0 ? behind : 0;
	}
	double x = rng_unit() * sum;
	struct tmpl *last = NULL;
	for (size_t i = 0; i < nt; i++) {
		double behind = ts[i].share * ((double)n + 1) - (double)ts[i].copies;
		if (behind <= 0)
			continue;
		last = &ts[i];
		x -= behind;
		if (x <= 0)
			break;
	}
	return last;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct tmpl *)a)->name, ((const struct tmpl *)b)->name);
}

static void usage(void)
{
	fputs("usage: gen -t TEMPLATE_DIR -o OUT.pcap [-k OUT.keylog] [-b BYTES] [-s SEED]\n"
	      "           [-n PARTS] [-m MANIFEST.tsv]\n"
	      "  -b BYTES  stop starting new copies once this many bytes are planned "
	      "(default 1e9)\n"
	      "  -n PARTS  split by connection into PARTS files; OUT then needs one %d\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *outpat = NULL, *keypath = NULL, *manpath = NULL;
	double target = 1e9;
	uint64_t seed = 20261127;
	int parts = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc || a[0] != '-' || a[1] == 0 || a[2] != 0)
			usage();
		const char *v = argv[++i];
		char *end;
		switch (a[1]) {
		case 't': dir = v; break;
		case 'o': outpat = v; break;
		case 'k': keypath = v; break;
		case 'm': manpath = v; break;
		case 'b':
			target = strtod(v, &end);
			if (*end || !(target > 0))
				die("-b: bad size '%s'", v);
			break;
		case 's':
			seed = strtoull(v, &end, 0);
			if (*end)
				die("-s: bad seed '%s'", v);
			break;
		case 'n':
			parts = (int)strtol(v, &end, 10);
			if (*end || parts < 1 || parts > MAX_PARTS)
				die("-n: want 1..%d parts, got '%s'", MAX_PARTS, v);
			break;
		default: usage();
		}
	}
	if (!dir || !outpat)
		usage();
	if (parts > 1) {
		const char *pc = strchr(outpat, '%');
		if (!pc || pc[1] != 'd' || strchr(pc + 1, '%'))
			die("-o: with -n, the name needs exactly one %%d");
	}
	rng_state = seed;

	/* Load every template named in the mix, plus all fail-*.pcap. */
	DIR *d = opendir(dir);
	if (!d)
		die("%s: %s", dir, strerror(errno));
	struct tmpl *ts = NULL;
	size_t nt = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 6 || l >= 120 || strcmp(de->d_name + l - 5, ".pcap") != 0)
			continue;
		char base[128];
		memcpy(base, de->d_name, l - 5);
		base[l - 5] = 0;
		bool fail = strncmp(base, "fail-", 5) == 0;
		double w = 0;
		for (size_t i = 0; i < sizeof(ok_mix) / sizeof(ok_mix[0]); i++)
			if (strcmp(ok_mix[i].name, base) == 0)
				w = ok_mix[i].weight;
		if (!fail && w == 0)
			continue;
		ts = xrealloc(ts, (nt + 1) * sizeof(*ts));
		memset(&ts[nt], 0, sizeof(ts[nt]));
		snprintf(ts[nt].name, sizeof(ts[nt].name), "%s", base);
		ts[nt].fail = fail;
		ts[nt].weight = w;
		ts[nt].patch = true;
		nt++;
	}
	closedir(d);
	qsort(ts, nt, sizeof(*ts), by_name);
	double okw = 0;
	size_t nfail = 0;
	for (size_t i = 0; i < nt; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.pcap", dir, ts[i].name);
		load_pcap(&ts[i], path);
		snprintf(path, sizeof(path), "%s/%s.keylog", dir, ts[i].name);
		load_keylog(&ts[i], path);
		okw += ts[i].weight;
		nfail += ts[i].fail;
	}
	for (size_t i = 0; i < sizeof(ok_mix) / sizeof(ok_mix[0]); i++) {
		bool found = false;
		for (size_t j = 0; j < nt; j++)
			found |= strcmp(ts[j].name, ok_mix[i].name) == 0;
		if (!found)
			die("%s: template %s.pcap is missing", dir, ok_mix[i].name);
	}
	if (nfail == 0)
		die("%s: no fail-*.pcap template", dir);
	for (size_t i = 0; i < nt; i++)
		ts[i].share = ts[i].fail ? FAIL_SHARE / (double)nfail
					 : (1 - FAIL_SHARE) * ts[i].weight / okw;

	struct out outs[MAX_PARTS];
	for (int i = 0; i < parts; i++) {
		char path[4096];
		if (parts > 1) {
			const char *pc = strstr(outpat, "%d");
			snprintf(path, sizeof(path), "%.*s%d%s", (int)(pc - outpat), outpat, i + 1,
				 pc + 2);
		} else
			snprintf(path, sizeof(path), "%s", outpat);
		out_open(&outs[i], path);
	}
	FILE *kf = NULL;
	if (keypath) {
		kf = fopen(keypath, "w");
		if (!kf)
			die("%s: %s", keypath, strerror(errno));
		setvbuf(kf, NULL, _IOFBF, 1 << 20);
	}

	size_t maxlen = 0;
	for (size_t i = 0; i < nt; i++)
		for (size_t j = 0; j < ts[i].npkts; j++)
			if (ts[i].pkts[j].len > maxlen)
				maxlen = ts[i].pkts[j].len;
	unsigned char *buf = xmalloc(16 + maxlen);

	/* 2026-11-27 00:00:00 UTC */
	const uint64_t base_us = 1795737600ull * 1000000u;
	double start = 0;
	double planned = 24;
	uint32_t ncopies = 0;
	bool creating = true;
	size_t hcap = 1024, hn = 0;
	struct copy *heap = xmalloc(hcap * sizeof(*heap));
	uint64_t npk = 0;
	while (creating || hn) {
		uint64_t next_start = base_us + (uint64_t)llround(start);
		if (creating && (hn == 0 || next_start <= heap[0].next_us)) {
			struct tmpl *t = pick(ts, nt, ncopies);
			if (hn == hcap) {
				hcap *= 2;
				heap = xrealloc(heap, hcap * sizeof(*heap));
			}
			struct copy c = {.next_us = next_start,
					 .start_us = next_start,
					 .idx = ncopies++,
					 .pos = 0,
					 .t = t};
			heap_push(heap, &hn, c);
			t->copies++;
			if (kf)
				write_keylog(kf, t, c.idx);
			planned += (double)t->bytes;
			if (planned >= target)
				creating = false;
			else
				start += -log(rng_unit()) * MEAN_GAP_US;
			continue;
		}
		struct copy *c = &heap[0];
		emit(&outs[c->idx % (uint32_t)parts], c, buf);
		c->t->out_pkts++;
		c->t->out_bytes += 16 + c->t->pkts[c->pos].len;
		npk++;
		if (++c->pos < c->t->npkts) {
			c->next_us = c->start_us + c->t->pkts[c->pos].rel_us;
			heap_down(heap, hn);
		} else {
			heap[0] = heap[--hn];
			heap_down(heap, hn);
		}
	}
	for (int i = 0; i < parts; i++)
		out_close(&outs[i]);
	if (kf && fclose(kf) != 0)
		die("%s: write error", keypath);

	uint64_t total = 24ull * (uint64_t)parts;
	for (size_t i = 0; i < nt; i++)
		total += ts[i].out_bytes;
	FILE *m = stderr;
	if (manpath) {
		m = fopen(manpath, "w");
		if (!m)
			die("%s: %s", manpath, strerror(errno));
	}
	fprintf(m, "template\tcopies\tpackets\tbytes\trandoms_patched\n");
	for (size_t i = 0; i < nt; i++)
		fprintf(m, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%s\n", ts[i].name,
			ts[i].copies, ts[i].out_pkts, ts[i].out_bytes, ts[i].patch ? "yes" : "no");
	fprintf(m, "TOTAL\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu64 "\t-\n", ncopies, npk, total);
	if (manpath && fclose(m) != 0)
		die("%s: write error", manpath);
	for (size_t i = 0; i < nt; i++) {
		free(ts[i].data);
		free(ts[i].pkts);
		free(ts[i].keylog);
	}
	free(ts);
	free(heap);
	free(buf);
	return 0;
}
