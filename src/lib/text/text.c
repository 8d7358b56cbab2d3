/*
 * The text recogniser: finds alert mentions in logs and error messages.
 *
 * Two stages.  A fast scanner looks for a few case-folded needles ("alert",
 * "error", "tlsv1 ", ...) with SIMD compares of two bytes per needle, then checks
 * the anchors that hold the needle at that spot (plain comparisons).  Only a line
 * with an anchor goes to the second stage: the POSIX regular expressions of the
 * anchored patterns (libc regexec), and the conversion of what they captured into
 * an alert code.  Ordinary log lines never reach a regex.  The patterns are data:
 * data/log-patterns.txt, compiled by tools/gen_logpatterns.py.
 *
 * Local errors (the `logline` fragments of the cause rules) are looked for on the
 * lines where stage 1 found a gate anchor ("error:", "exception", ...): one pass
 * over the line tests each 2-byte and 4-byte window (ASCII case folded) against bit
 * sets of the rarest four bytes of each fragment, and only a hit compares a fragment.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/diagnose.h"
#include "tlsalert/registry.h"
#include "tlsalert/text.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TEXT_X86 1
#else
#define TEXT_X86 0
#endif

enum lp_kind {
	LP_NAME,
	LP_NAMEX,
	LP_NAMEOPT,
	LP_NAMENUM,
	LP_NUM,
	LP_HEXNUM,
	LP_REASON,
	LP_HEXREASON,
	LP_DECREASON,
	LP_CURL,
	LP_QUIC,
	LP_MAP,
	LP_FIXED,
	LP_NONE
};

struct lp_map_entry {
	const char *key;
	int code;
};

struct lp_map {
	const char *name;
	const struct lp_map_entry *entries;
	size_t n;
};

struct lp_pattern {
	const char *id;
	const char *stack;
	tlsa_text_dir dir;
	enum lp_kind kind;
	int group;
	int arg;
	int map;
	int icase;
	const char *regex;
	const char *must;  /* literal every match starts with ("" if none), folded when icase */
	int must_boundary; /* 1: one boundary byte precedes it */
};

struct lp_anchor {
	const char *text; /* lower case */
	unsigned len;
	unsigned needle;
	unsigned at; /* offset of the needle inside the anchor */
	unsigned pattern;
	unsigned lookback; /* a match starts at most this many bytes before the anchor */
};

struct lp_sample {
	unsigned pattern;
	int code;
	const char *text;
};

#include "logpatterns_data.h"

#define N_ELEMS(a)    (sizeof(a) / sizeof((a)[0]))
#define MAX_GROUPS    10
#define LINE_MENTIONS 32
#define PATTERN_WORDS ((LP_N_PATTERNS + 63) / 64)

/* One local-error fragment of a cause rule. */
struct lx_frag {
	const struct tlsa_cause_rule *rule;
	const char *text;  /* as written in the data (NUL-terminated, in the pool) */
	const char *low;   /* lower case, '*' between the literal pieces */
	const char *stack; /* the rule's first stack: the implementation reported */
	size_t kp;	   /* the piece holding the four bytes hashed: its offset in low */
	size_t kp_len;	   /* and its length */
	size_t key;	   /* offset of the hashed bytes in that piece */
	size_t lit;	   /* literal bytes: the more, the more specific */
	size_t order;	   /* rule index: earlier wins a tie */
	uint32_t hash;	   /* of the four bytes at low + kp + key, see lx_hash() */
};

#define LX_BITS 65536u

struct tlsa_text {
	regex_t re[LP_N_PATTERNS];
	bool lead_boundary[LP_N_PATTERNS];  /* regex starts "(^|": group 1 is not the alert */
	bool trail_boundary[LP_N_PATTERNS]; /* regex ends "|$)": the last group is not either */
	size_t n_compiled;
	/* The scanner: fingerprint tables, see stage 1. */
	unsigned char lo[3][16], hi[3][16];
	unsigned char bucket_of[LP_N_NEEDLES];
	size_t needle_len[LP_N_NEEDLES];
	size_t must_len[LP_N_PATTERNS];
	/* Per needle: bytes that may follow it / precede it in some anchor (folded). */
	bool after_ok[LP_N_NEEDLES][256], before_ok[LP_N_NEEDLES][256];
	int simd; /* 0 scalar, 1 SSSE3, 2 AVX2 */
	/* Local errors: fragments sorted by hash, the hashes present, and the first two bytes
	 * of the hashed windows (a cheaper test first). */
	struct lx_frag *lx;
	size_t n_lx;
	char *lx_pool;
	uint64_t lx_bits[LX_BITS / 64];
	uint64_t lx_pair[65536 / 64]; /* the first two bytes of a hashed window, folded */
};

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Case-folded compare of `n` lower-case bytes. */
static bool same_ci(const unsigned char *s, const char *lc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != (unsigned char)lc[i])
			return false;
	return true;
}

const char *tlsa_text_dir_name(tlsa_text_dir d)
{
	switch (d) {
	case TLSA_TEXT_RECEIVED: return "received";
	case TLSA_TEXT_SENT: return "sent";
	default: return "unknown";
	}
}

size_t tlsa_text_pattern_count(void)
{
	return LP_N_PATTERNS;
}

int tlsa_text_pattern_info(size_t i, struct tlsa_text_pattern_info *info)
{
	if (i >= LP_N_PATTERNS)
		return TLSA_EINVAL;
	info->id = lp_patterns[i].id;
	info->implementation = lp_patterns[i].stack;
	info->dir = lp_patterns[i].dir;
	info->regex = lp_patterns[i].regex;
	info->sample = NULL;
	for (size_t s = 0; s < N_ELEMS(lp_samples); s++) {
		if (lp_samples[s].pattern == i) {
			info->sample = lp_samples[s].text;
			break;
		}
	}
	return 0;
}

size_t tlsa_text_sample_count(void)
{
	return N_ELEMS(lp_samples);
}

int tlsa_text_sample(size_t i, const char **text, unsigned *pattern, int *code)
{
	if (i >= N_ELEMS(lp_samples))
		return TLSA_EINVAL;
	*text = lp_samples[i].text;
	*pattern = lp_samples[i].pattern;
	*code = lp_samples[i].code;
	return 0;
}

void tlsa_text_free(struct tlsa_text *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_compiled; i++)
		regfree(&t->re[i]);
	free(t->lx);
	free(t->lx_pool);
	free(t);
}

/* ---- local errors: the rules' logline fragments ----------------------------------------- */

static size_t find_lit(const char *s, size_t from, size_t len, const char *lit, size_t n,
		       bool fold);

/* The hash of four bytes at p, ASCII letters folded ('|' 0x20 folds other bytes too, the
 * same way on both sides, and the fragment is compared exactly afterwards). */
static uint32_t lx_hash(const void *p)
{
	uint32_t w;
	memcpy(&w, p, sizeof(w));
	return ((w | 0x20202020u) * 2654435761u) >> 16;
}

/*
 * How common four lower-case bytes are in ordinary log text (lower is rarer): letters by
 * English frequency, white space and a few punctuation marks very common; upper case
 * was folded, so '_', digits and ':' count as fairly rare.  The rarest window of any
 * piece of a fragment is hashed, so that common words ("the ", "error", "server")
 * rarely send a line to the comparisons.
 */
static unsigned commonness(const char *p)
{
	static const char order[] = " etaoinsrhldcumfpgwybvkxjqz";
	unsigned c = 0;
	for (int i = 0; i < 4; i++) {
		const char *at = p[i] != '\0' ? strchr(order, p[i]) : NULL;
		c += at != NULL			  ? 30u - (unsigned)(at - order)
		     : p[i] == '.' || p[i] == '-' ? 20u
						  : 4u;
		if (p[i] == ' ')
			c += 30;
	}
	return c;
}

/* Two bytes at p, folded as lx_hash() folds them: a direct index. */
static unsigned lx_pair_of(const void *p)
{
	uint16_t w;
	memcpy(&w, p, sizeof(w));
	return (unsigned)(w | 0x2020u);
}

static int cmp_lx(const void *a, const void *b)
{
	const struct lx_frag *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Splits every rule's logline into fragments: t->lx, sorted by hash. */
static int lx_build(struct tlsa_text *t)
{
	size_t n = 0, bytes = 0, nr = tlsa_cause_rule_count();

	for (size_t i = 0; i < nr; i++) {
		const char *l = tlsa_cause_rule_at(i)->logline;
		if (l[0] == '\0')
			continue;
		n++;
		for (const char *p = l; (p = strstr(p, " | ")) != NULL; p += 3)
			n++;
		bytes += 2 * (strlen(l) + 1) + strlen(tlsa_cause_rule_at(i)->stacks) + 1;
	}
	if (n == 0)
		return 0;
	t->lx = calloc(n, sizeof(*t->lx));
	t->lx_pool = malloc(bytes);
	if (t->lx == NULL || t->lx_pool == NULL)
		return -1;
	char *pool = t->lx_pool;
	for (size_t i = 0; i < nr; i++) {
		const struct tlsa_cause_rule *r = tlsa_cause_rule_at(i);
		const char *p = r->logline;
		const char *stack = pool;
		if (*p != '\0') {
			size_t sl = strcspn(r->stacks, " ");
			memcpy(pool, r->stacks, sl);
			pool[sl] = '\0';
			pool += sl + 1;
		}
		while (*p != '\0') {
			const char *e = strstr(p, " | ");
			size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
			struct lx_frag *f = &t->lx[t->n_lx];
			char *text = pool, *low = pool + len + 1;
			memcpy(text, p, len);
			text[len] = '\0';
			for (size_t k = 0; k <= len; k++)
				low[k] = (char)lower((unsigned char)text[k]);
			pool += 2 * (len + 1);
			f->rule = r;
			f->stack = stack;
			f->text = text;
			f->low = low;
			for (size_t k = 0; k < len; k++)
				f->lit += low[k] != '*';
			f->order = i;
			/* The rarest four bytes of any piece (the generator guarantees a piece
			 * of at least four). */
			unsigned rare = ~0u;
			for (size_t ps = 0; ps < len; ps += strcspn(low + ps, "*") + 1) {
				size_t pl = strcspn(low + ps, "*");
				for (size_t k = 0; k + 4 <= pl; k++) {
					unsigned c = commonness(low + ps + k);
					if (c < rare) {
						rare = c;
						f->kp = ps;
						f->kp_len = pl;
						f->key = k;
					}
				}
			}
			if (rare != ~0u) {
				f->hash = lx_hash(low + f->kp + f->key);
				unsigned pair = lx_pair_of(low + f->kp + f->key);
				t->lx_pair[pair / 64] |= 1ull << (pair % 64);
				t->lx_bits[f->hash / 64] |= 1ull << (f->hash % 64);
				t->n_lx++;
			}
			p += len;
			if (e != NULL)
				p += 3;
		}
	}
	qsort(t->lx, t->n_lx, sizeof(t->lx[0]), cmp_lx);
	return 0;
}

/*
 * Does fragment f match the line, with its hashed piece starting at `at`?  The pieces
 * before it must occur in order before `at`, the ones after it in order after it (the
 * leftmost occurrences: if any placement fits, that one does).  Sets the span.
 */
static bool lx_match(const char *line, size_t at, size_t len, const struct lx_frag *f,
		     size_t *start, size_t *end)
{
	const char *low = f->low;
	size_t pos = 0;

	if (at + f->kp_len > len ||
	    !same_ci((const unsigned char *)line + at, low + f->kp, f->kp_len))
		return false;
	*start = at;
	for (size_t ps = 0; ps < f->kp; ps += strcspn(low + ps, "*") + 1) {
		size_t pl = strcspn(low + ps, "*");
		if (pl == 0)
			continue;
		size_t k = find_lit(line, pos, at, low + ps, pl, true);
		if (k >= at)
			return false;
		if (ps == 0)
			*start = k;
		pos = k + pl;
	}
	pos = at + f->kp_len;
	for (const char *p = low + f->kp + f->kp_len; *p == '*';) {
		p++;
		size_t pl = strcspn(p, "*");
		if (pl > 0) {
			size_t k = find_lit(line, pos, len, p, pl, true);
			if (k >= len)
				return false;
			pos = k + pl;
		}
		p += pl;
	}
	*end = pos;
	return true;
}

/* Is a better than b: more literal bytes, then the rule's weight, then data order? */
static bool lx_better(const struct lx_frag *a, const struct lx_frag *b)
{
	if (a->lit != b->lit)
		return a->lit > b->lit;
	if (a->rule->weight != b->rule->weight)
		return a->rule->weight > b->rule->weight;
	return a->order < b->order;
}

/* The best local error in line[0, len), or NULL; its span in *ms, *me. */
static const struct lx_frag *lx_best(const struct tlsa_text *t, const char *line, size_t len,
				     size_t *ms, size_t *me)
{
	const struct lx_frag *best = NULL;

	for (size_t i = 0; i + 4 <= len; i++) {
		unsigned pair = lx_pair_of(line + i);
		if (!(t->lx_pair[pair / 64] & (1ull << (pair % 64))))
			continue;
		uint32_t h = lx_hash(line + i);
		if (!(t->lx_bits[h / 64] & (1ull << (h % 64))))
			continue;
		size_t lo = 0, hi = t->n_lx;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (t->lx[mid].hash < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t j = lo; j < t->n_lx && t->lx[j].hash == h; j++) {
			const struct lx_frag *f = &t->lx[j];
			size_t start, end;
			if (i < f->key || (best != NULL && !lx_better(f, best)))
				continue;
			if (lx_match(line, i - f->key, len, f, &start, &end)) {
				best = f;
				*ms = start;
				*me = end;
			}
		}
	}
	return best;
}

int tlsa_text_new(struct tlsa_text **out, struct tlsa_error *err)
{
	struct tlsa_text *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (t == NULL)
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory compiling log patterns");
	for (size_t i = 0; i < LP_N_PATTERNS; i++) {
		const struct lp_pattern *p = &lp_patterns[i];
		int flags = REG_EXTENDED | (p->icase ? REG_ICASE : 0);
		int rc = regcomp(&t->re[i], p->regex, flags);
		if (rc != 0) {
			char why[96];
			regerror(rc, &t->re[i], why, sizeof(why));
			tlsa_text_free(t);
			return tlsa_error_set(err, TLSA_EINVAL, i,
					      "log pattern %s does not compile: %s", p->id, why);
		}
		t->n_compiled++;
		t->must_len[i] = strlen(p->must);
		size_t rl = strlen(p->regex);
		t->lead_boundary[i] = strncmp(p->regex, "(^|", 3) == 0;
		t->trail_boundary[i] = rl >= 3 && strcmp(p->regex + rl - 3, "|$)") == 0;
		size_t nsub = t->re[i].re_nsub;
		if (nsub + 1 > MAX_GROUPS || (size_t)p->group > nsub) {
			tlsa_text_free(t);
			return tlsa_error_set(err, TLSA_EINVAL, i,
					      "log pattern %s: group %d of %zu, at most %d", p->id,
					      p->group, nsub, MAX_GROUPS - 1);
		}
	}
	const char *prints[8];
	unsigned nprints = 0;
	for (size_t n = 0; n < LP_N_NEEDLES; n++) {
		const char *fp = lp_needles[n] + lp_needle_at[n];
		unsigned b = 0;
		t->needle_len[n] = strlen(lp_needles[n]);
		while (b < nprints && memcmp(prints[b], fp, 3) != 0)
			b++;
		if (b == nprints)
			prints[nprints++] = fp; /* the generator allows at most 8 */
		t->bucket_of[n] = (unsigned char)b;
		for (int k = 0; k < 3; k++) {
			unsigned char c = (unsigned char)fp[k];
			unsigned char u = c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c;
			t->lo[k][c & 15] |= (unsigned char)(1u << b);
			t->hi[k][c >> 4] |= (unsigned char)(1u << b);
			t->lo[k][u & 15] |= (unsigned char)(1u << b);
			t->hi[k][u >> 4] |= (unsigned char)(1u << b);
		}
	}
	for (size_t a = 0; a < N_ELEMS(lp_anchors); a++) {
		const struct lp_anchor *an = &lp_anchors[a];
		size_t nl = t->needle_len[an->needle];
		if (an->at > 0)
			t->before_ok[an->needle][(unsigned char)an->text[an->at - 1]] = true;
		if (an->at + nl < an->len) {
			t->after_ok[an->needle][(unsigned char)an->text[an->at + nl]] = true;
		} else if (an->at == 0) {
			/* The anchor is the needle itself: anything may follow. */
			for (int c = 0; c < 256; c++)
				t->after_ok[an->needle][c] = true;
		}
		/* An anchor ending with the needle, with bytes before it, is covered
		 * by before_ok; one starting with it by after_ok. */
	}
#if TEXT_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		t->simd = 2;
	else if (__builtin_cpu_supports("ssse3"))
		t->simd = 1;
#endif
	if (lx_build(t) != 0) {
		tlsa_text_free(t);
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory compiling local errors");
	}
	*out = t;
	return 0;
}

/* ---- stage 1: needles ---------------------------------------------------------------- */

/*
 * Each needle has a three-byte fingerprint (data/log-patterns.txt says where).
 * Up to eight distinct fingerprints get one bit each; for each of the three
 * fingerprint bytes two 16-entry tables give, by the byte's low and high nibble,
 * the fingerprints whose byte it can be (both ASCII cases).  AND-ing the six
 * lookups gives, per input position, the fingerprints that start there: a few
 * shuffles per 16 or 32 bytes, whatever the number of needles.
 */
struct hit {
	const unsigned char *fp;    /* where the fingerprint starts */
	const unsigned char *start; /* where the needle starts */
	unsigned needle;
};

/* Is needle `n` at p (p + needle_len <= end)? */
static bool needle_at(const struct tlsa_text *t, const unsigned char *p, size_t n)
{
	return same_ci(p, lp_needles[n], t->needle_len[n]);
}

/* The needle whose fingerprint (one of `bits`) is at fp, inside [lo, end). */
static bool check_fp(const struct tlsa_text *t, const unsigned char *lo, const unsigned char *end,
		     const unsigned char *fp, unsigned bits, struct hit *h)
{
	for (unsigned n = 0; n < LP_N_NEEDLES; n++) {
		if (!(bits & (1u << t->bucket_of[n])))
			continue;
		size_t at = lp_needle_at[n];
		if ((size_t)(fp - lo) < at)
			continue;
		const unsigned char *s = fp - at;
		if ((size_t)(end - s) < t->needle_len[n] || !needle_at(t, s, n))
			continue;
		h->fp = fp;
		h->start = s;
		h->needle = n;
		return true;
	}
	return false;
}

static unsigned fp_bits(const struct tlsa_text *t, const unsigned char *p)
{
	unsigned bits = 0xff;
	for (int k = 0; k < 3; k++)
		bits &= (unsigned)(t->lo[k][p[k] & 15] & t->hi[k][p[k] >> 4]);
	return bits;
}

static bool next_needle_scalar(const struct tlsa_text *t, const unsigned char *lo,
			       const unsigned char *p, const unsigned char *end, struct hit *h)
{
	for (; p + 3 <= end; p++) {
		unsigned bits = fp_bits(t, p);
		if (bits != 0 && check_fp(t, lo, end, p, bits, h))
			return true;
	}
	return false;
}

#if TEXT_X86
__attribute__((target("ssse3"))) static bool
next_needle_ssse3(const struct tlsa_text *t, const unsigned char *lo, const unsigned char *p,
		  const unsigned char *end, struct hit *h)
{
	const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
	__m128i tl[3], th[3];
	for (int k = 0; k < 3; k++) {
		tl[k] = _mm_loadu_si128((const __m128i *)(const void *)t->lo[k]);
		th[k] = _mm_loadu_si128((const __m128i *)(const void *)t->hi[k]);
	}
	while ((size_t)(end - p) >= 16 + 2) {
		__m128i r = _mm_set1_epi8((char)0xff);
		for (int k = 0; k < 3; k++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
			__m128i l = _mm_shuffle_epi8(tl[k], _mm_and_si128(v, nib));
			__m128i hh =
				_mm_shuffle_epi8(th[k], _mm_and_si128(_mm_srli_epi16(v, 4), nib));
			r = _mm_and_si128(r, _mm_and_si128(l, hh));
		}
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(r, zero)) ^ 0xffffu;
		if (mask != 0) {
			unsigned char bits[16];
			_mm_storeu_si128((__m128i *)(void *)bits, r);
			while (mask != 0) {
				unsigned i = (unsigned)__builtin_ctz(mask);
				mask &= mask - 1;
				if (check_fp(t, lo, end, p + i, bits[i], h))
					return true;
			}
		}
		p += 16;
	}
	return next_needle_scalar(t, lo, p, end, h);
}

__attribute__((target("avx2"))) static bool
next_needle_avx2(const struct tlsa_text *t, const unsigned char *lo, const unsigned char *p,
		 const unsigned char *end, struct hit *h)
{
	const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
	__m256i tl[3], th[3];
	for (int k = 0; k < 3; k++) {
		tl[k] = _mm256_broadcastsi128_si256(
			_mm_loadu_si128((const __m128i *)(const void *)t->lo[k]));
		th[k] = _mm256_broadcastsi128_si256(
			_mm_loadu_si128((const __m128i *)(const void *)t->hi[k]));
	}
	while ((size_t)(end - p) >= 32 + 2) {
		__m256i r = _mm256_set1_epi8((char)0xff);
		for (int k = 0; k < 3; k++) {
			__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + k));
			__m256i l = _mm256_shuffle_epi8(tl[k], _mm256_and_si256(v, nib));
			__m256i hh = _mm256_shuffle_epi8(
				th[k], _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
			r = _mm256_and_si256(r, _mm256_and_si256(l, hh));
		}
		unsigned mask = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(r, zero));
		if (mask != 0) {
			unsigned char bits[32];
			_mm256_storeu_si256((__m256i *)(void *)bits, r);
			while (mask != 0) {
				unsigned i = (unsigned)__builtin_ctz(mask);
				mask &= mask - 1;
				if (check_fp(t, lo, end, p + i, bits[i], h))
					return true;
			}
		}
		p += 32;
	}
	return next_needle_scalar(t, lo, p, end, h);
}
#endif

/* The first needle whose fingerprint is at or after p; needles start at or after lo. */
static bool next_needle(const struct tlsa_text *t, const unsigned char *lo, const unsigned char *p,
			const unsigned char *end, struct hit *h)
{
#if TEXT_X86
	if (t->simd == 2)
		return next_needle_avx2(t, lo, p, end, h);
	if (t->simd == 1)
		return next_needle_ssse3(t, lo, p, end, h);
#endif
	return next_needle_scalar(t, lo, p, end, h);
}

/* The patterns anchored in one line, and where in the line their search starts. */
struct line_set {
	bool gate; /* a gate anchor: search the line for local errors */
	uint64_t set[PATTERN_WORDS];
	uint32_t from[LP_N_PATTERNS]; /* search start, from the line start */
	uint32_t last[LP_N_PATTERNS]; /* start of the last anchor seen */
};

/*
 * Checks the anchors that hold needle `n` found at p; each must lie inside [lo, hi).
 * With `ls` NULL answers whether any does; otherwise marks their patterns in it
 * (lo is then the line start).
 */
static bool mark_anchors(const struct tlsa_text *t, const unsigned char *lo,
			 const unsigned char *hi, const unsigned char *p, unsigned n,
			 struct line_set *ls)
{
	bool any = false;
	size_t nl = t->needle_len[n];
	/* Most needles in ordinary text ("alerts/", "errors") fail on a neighbour byte. */
	bool after = p + nl < hi && t->after_ok[n][lower(p[nl])];
	bool before = p > lo && t->before_ok[n][lower(p[-1])];
	if (!after && !before)
		return false;
	for (unsigned a = lp_needle_first[n]; a < lp_needle_first[n + 1]; a++) {
		const struct lp_anchor *an = &lp_anchors[a];
		if ((size_t)(p - lo) < an->at)
			continue;
		const unsigned char *s = p - an->at;
		if ((size_t)(hi - s) < an->len)
			continue;
		/* The byte next to the needle rejects most anchors at once. */
		size_t probe = an->at > 0 ? an->at - 1
					  : (an->len > t->needle_len[n] ? t->needle_len[n] : 0);
		if (lower(s[probe]) != (unsigned char)an->text[probe] ||
		    !same_ci(s, an->text, an->len))
			continue;
		if (ls == NULL)
			return true;
		unsigned pi = an->pattern;
		if (pi >= LP_N_PATTERNS) { /* a gate */
			ls->gate = true;
			any = true;
			continue;
		}
		size_t off = (size_t)(s - lo);
		uint32_t from = off > an->lookback ? (uint32_t)(off - an->lookback) : 0;
		if (off > UINT32_MAX)
			from = UINT32_MAX; /* lines beyond 4 GiB: searched from their start */
		if (!(ls->set[pi / 64] & (1ull << (pi % 64)))) {
			ls->set[pi / 64] |= 1ull << (pi % 64);
			ls->from[pi] = from;
			ls->last[pi] = (uint32_t)(off > UINT32_MAX ? UINT32_MAX : off);
		} else {
			if (from < ls->from[pi])
				ls->from[pi] = from;
			ls->last[pi] = (uint32_t)(off > UINT32_MAX ? UINT32_MAX : off);
		}
		any = true;
	}
	return any;
}

/* ---- stage 2: patterns on one line --------------------------------------------------- */

static int parse_dec(const char *s, size_t len, unsigned long *v)
{
	unsigned long x = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int parse_hex(const char *s, size_t len, unsigned long *v)
{
	unsigned long x = 0;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (len == 0 || len > 8)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = lower((unsigned char)s[i]);
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return -1;
		x = x * 16 + d;
	}
	*v = x;
	return 0;
}

/* The alert in an OpenSSL/BoringSSL packed error code, or -1 for a local error. */
static int packed_reason(unsigned long v)
{
	unsigned long reason;
	if ((v >> 24) == 0x14) /* OpenSSL 1.x, LibreSSL: lib 20 << 24 | func << 12 | reason */
		reason = v & 0xfff;
	else if ((v >> 23) == 0x14) /* OpenSSL 3.x: lib 20 << 23 | reason */
		reason = v & 0x7fffff;
	else if ((v >> 24) == 0x10 && ((v >> 12) & 0xfff) == 0) /* BoringSSL: lib 16 << 24 */
		reason = v & 0xfff;
	else
		return -1;
	return reason >= 1000 && reason <= 1255 ? (int)(reason - 1000) : -1;
}

static bool name_sep(char c)
{
	return c == ' ' || c == '_' || c == '-' || c == '/' || c == '\t';
}

/*
 * An alert name at s: the longest run of leading words tlsa_alert_parse()
 * knows, or the whole text only when `exact`.  Numbers are not names.
 */
static int name_code(const char *s, size_t len, bool exact)
{
	uint8_t code;
	if (len > 80)
		len = 80;
	while (len > 0) {
		if (!(s[0] >= '0' && s[0] <= '9') && tlsa_alert_parse(s, len, &code) == 0)
			return code;
		if (exact)
			return -1;
		while (len > 0 && !name_sep(s[len - 1]))
			len--;
		while (len > 0 && name_sep(s[len - 1]))
			len--;
	}
	return -1;
}

static int map_code(int map, const char *s, size_t len)
{
	if (map < 0 || (size_t)map >= N_ELEMS(lp_maps))
		return -1;
	const struct lp_map *m = &lp_maps[map];
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->entries[i].key;
		if (strlen(k) == len && same_ci((const unsigned char *)s, k, len))
			return m->entries[i].code;
	}
	return -1;
}

/* Reads the code of a match; false when the match is not an alert after all. */
static bool match_code(const struct lp_pattern *p, const char *line, const regmatch_t *pm,
		       int *code)
{
	const char *g = NULL;
	size_t glen = 0;
	unsigned long v;

	if (p->group > 0) {
		if (pm[p->group].rm_so < 0)
			return false;
		g = line + pm[p->group].rm_so;
		glen = (size_t)(pm[p->group].rm_eo - pm[p->group].rm_so);
	}
	*code = -1;
	switch (p->kind) {
	case LP_NAME: *code = name_code(g, glen, false); return *code >= 0;
	case LP_NAMEX: *code = name_code(g, glen, true); return *code >= 0;
	case LP_NAMEOPT: *code = name_code(g, glen, false); return true;
	case LP_NAMENUM:
		if (glen == 0 || g[0] < '0' || g[0] > '9') {
			*code = name_code(g, glen, false);
			return *code >= 0;
		}
		/* digits: the code itself */
		if (parse_dec(g, glen, &v) != 0 || v > 255)
			return false;
		*code = (int)v;
		return true;
	case LP_NUM:
		if (parse_dec(g, glen, &v) != 0 || v > 255)
			return false;
		*code = (int)v;
		return true;
	case LP_HEXNUM:
		if (parse_hex(g, glen, &v) != 0 || v > 255)
			return false;
		*code = (int)v;
		return true;
	case LP_REASON:
		if (parse_dec(g, glen, &v) != 0 || v < 1000 || v > 1255)
			return false;
		*code = (int)(v - 1000);
		return true;
	case LP_HEXREASON:
		if (parse_hex(g, glen, &v) != 0)
			return false;
		*code = packed_reason(v);
		return *code >= 0;
	case LP_DECREASON:
		if (parse_dec(g, glen, &v) != 0)
			return false;
		*code = packed_reason(v);
		return *code >= 0;
	case LP_CURL:
		if (parse_dec(g, glen, &v) != 0 || v < 256 || v > 767)
			return false;
		*code = (int)(v & 0xff);
		return true;
	case LP_QUIC:
		if (parse_hex(g, glen, &v) != 0 || v < 0x100 || v > 0x1ff)
			return false;
		*code = (int)(v & 0xff);
		return true;
	case LP_MAP: *code = map_code(p->map, g, glen); return *code >= 0;
	case LP_FIXED: *code = p->arg; return true;
	case LP_NONE: return true;
	}
	return false;
}

struct line_state {
	struct tlsa_text_mention m[LINE_MENTIONS];
	size_t n;
};

/* Is mention a a better report of its alert than b? */
static bool better(const struct tlsa_text_mention *a, const struct tlsa_text_mention *b)
{
	bool ak = a->dir != TLSA_TEXT_UNKNOWN, bk = b->dir != TLSA_TEXT_UNKNOWN;
	if (ak != bk)
		return ak;
	return a->pattern < b->pattern;
}

/* "openssl-3" refines "openssl": the packed code tells the version the words do not. */
static const char *refine(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (lb > la && memcmp(a, b, la) == 0 && b[la] == '-')
		return b;
	return a;
}

static void keep(struct line_state *ls, const struct tlsa_text_mention *m, bool all)
{
	if (!all) {
		for (size_t i = 0; i < ls->n; i++) {
			if (ls->m[i].code != m->code)
				continue;
			const char *impl = refine(ls->m[i].implementation, m->implementation);
			impl = refine(impl, ls->m[i].implementation);
			if (better(m, &ls->m[i]))
				ls->m[i] = *m;
			ls->m[i].implementation = refine(ls->m[i].implementation, impl);
			return;
		}
	}
	if (ls->n < LINE_MENTIONS)
		ls->m[ls->n++] = *m;
}

static int cmp_mention(const void *a, const void *b)
{
	const struct tlsa_text_mention *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->pattern < y->pattern ? -1 : x->pattern > y->pattern;
}

/* The first occurrence of `lit` (n bytes, lower case when `fold`) in s[from, len), or len. */
static size_t find_lit(const char *s, size_t from, size_t len, const char *lit, size_t n, bool fold)
{
	if (n == 0)
		return from;
	for (size_t i = from; i + n <= len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((fold ? lower(c) : c) != (unsigned char)lit[0])
			continue;
		if (fold ? same_ci((const unsigned char *)s + i, lit, n)
			 : memcmp(s + i, lit, n) == 0)
			return i;
	}
	return len;
}

/*
 * Joins the best local error of the line (a gate was seen) to the mentions: to the
 * mention of its alert that was sent or says no direction, or, on a line that mentions
 * no alert, as a mention of its own.
 */
static void add_local(const struct tlsa_text *t, const char *buf, size_t ls, size_t len,
		      struct line_state *st)
{
	size_t ms = 0, me = 0;
	const struct lx_frag *f = lx_best(t, buf + ls, len, &ms, &me);

	if (f == NULL)
		return;
	if (st->n == 0) {
		struct tlsa_text_mention *m = &st->m[st->n++];
		m->start = ls + ms;
		m->end = ls + me;
		m->line_start = ls;
		m->line_end = ls + len;
		m->code = f->rule->alert;
		m->dir = TLSA_TEXT_SENT;
		m->implementation = f->stack;
		m->pattern = LP_N_PATTERNS;
		m->pattern_id = TLSA_TEXT_LOCAL_ID;
		m->rule_id = f->rule->id;
		m->rule_fragment = f->text;
		return;
	}
	for (size_t i = 0; i < st->n; i++) {
		struct tlsa_text_mention *m = &st->m[i];
		if (m->code != (int)f->rule->alert || m->dir == TLSA_TEXT_RECEIVED)
			continue;
		m->dir = TLSA_TEXT_SENT;
		m->rule_id = f->rule->id;
		m->rule_fragment = f->text;
	}
}

/* Runs the anchored patterns over the line buf[ls, le) and reports what they find; with
 * `gate`, looks for a local error too. */
static int scan_line(const struct tlsa_text *t, const char *buf, size_t ls, size_t le,
		     const struct line_set *lset, bool gate, unsigned flags, tlsa_text_fn fn,
		     void *ctx)
{
	struct line_state st;
	size_t len = le - ls;
	bool all = (flags & TLSA_TEXT_ALL) != 0;
	char small[4096], *line = small;
	bool any = false;

	st.n = 0;
	while (len > 0 && buf[ls + len - 1] == '\r')
		len--;
	for (size_t w = 0; w < PATTERN_WORDS; w++)
		any |= lset->set[w] != 0;
	if (!any)
		goto local;
	/*
	 * regexec() gets a NUL-terminated copy: REG_STARTEND bounds the match, but
	 * sanitizer interceptors and some libcs still read up to a NUL.  Only lines
	 * with an anchor get here; those longer than the stack buffer are copied to
	 * the heap (and skipped if that fails).
	 */
	if (len >= sizeof(small)) {
		line = malloc(len + 1);
		if (line == NULL)
			return 0;
	}
	memcpy(line, buf + ls, len);
	line[len] = '\0';
	for (unsigned pi = 0; pi < LP_N_PATTERNS; pi++) {
		if (!(lset->set[pi / 64] & (1ull << (pi % 64))))
			continue;
		const struct lp_pattern *p = &lp_patterns[pi];
		size_t from = lset->from[pi], mlen = t->must_len[pi];
		while (from < len) {
			regmatch_t pm[MAX_GROUPS];
			/* Every match starts with p->must: skip regexec where it is absent. */
			if (mlen > 0) {
				size_t k = find_lit(line, from, len, p->must, mlen, p->icase != 0);
				if (k >= len)
					break;
				if (k - (size_t)p->must_boundary > from)
					from = k - (size_t)p->must_boundary;
			}
			pm[0].rm_so = (regoff_t)from;
			pm[0].rm_eo = (regoff_t)len;
			if (regexec(&t->re[pi], line, t->re[pi].re_nsub + 1, pm, REG_STARTEND) != 0)
				break;
			size_t s = (size_t)pm[0].rm_so, e = (size_t)pm[0].rm_eo;
			int code;
			if (match_code(p, line, pm, &code)) {
				struct tlsa_text_mention m;
				size_t last = t->re[pi].re_nsub;
				if (t->lead_boundary[pi] && pm[1].rm_eo >= 0)
					s = (size_t)pm[1].rm_eo;
				if (t->trail_boundary[pi] && last > 0 && pm[last].rm_so >= 0)
					e = (size_t)pm[last].rm_so;
				if (e < s)
					e = s;
				m.start = ls + s;
				m.end = ls + e;
				m.line_start = ls;
				m.line_end = ls + len;
				m.code = code;
				m.dir = p->dir;
				m.implementation = p->stack;
				m.pattern = pi;
				m.pattern_id = p->id;
				m.rule_id = NULL;
				m.rule_fragment = NULL;
				keep(&st, &m, all);
			}
			size_t next = (size_t)pm[0].rm_eo > from ? (size_t)pm[0].rm_eo : from + 1;
			/* Search on only if another anchor of this pattern lies ahead. */
			if (lset->last[pi] < next && (size_t)lset->last[pi] != UINT32_MAX)
				break;
			from = next;
		}
	}
	if (line != small)
		free(line);
	if (!all) {
		/* A line that names its alert does not also report an unnamed one. */
		bool named = false;
		for (size_t i = 0; i < st.n; i++)
			named |= st.m[i].code >= 0;
		if (named) {
			size_t w = 0;
			for (size_t i = 0; i < st.n; i++)
				if (st.m[i].code >= 0)
					st.m[w++] = st.m[i];
			st.n = w;
		}
	}
local:
	if (gate)
		add_local(t, buf, ls, len, &st);
	qsort(st.m, st.n, sizeof(st.m[0]), cmp_mention);
	for (size_t i = 0; i < st.n; i++) {
		int rc = fn(ctx, &st.m[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The start of the line holding q: just after the last '\n' in [b, q), or b. */
static const unsigned char *line_begin(const unsigned char *b, const unsigned char *q)
{
#if TEXT_X86
	const __m128i nl = _mm_set1_epi8('\n');
	while ((size_t)(q - b) >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(q - 16));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));
		if (m != 0)
			return q - 16 + (31 - __builtin_clz(m)) + 1;
		q -= 16;
	}
#endif
	while (q > b && q[-1] != '\n')
		q--;
	return q;
}

int tlsa_text_scan(const struct tlsa_text *t, const char *buf, size_t len, unsigned flags,
		   tlsa_text_fn fn, void *ctx)
{
	const unsigned char *b = (const unsigned char *)buf, *end = b + len, *p = b;

	struct hit h;
	while (p < end && next_needle(t, b, p, end, &h)) {
		if (!mark_anchors(t, b, end, h.start, h.needle, NULL)) {
			p = h.fp + 1;
			continue;
		}
		/* An anchored line: collect every anchored pattern in it, then match. */
		const unsigned char *lo = line_begin(b, h.start);
		const unsigned char *hi = memchr(h.start, '\n', (size_t)(end - h.start));
		if (hi == NULL)
			hi = end;
		struct line_set lset;
		memset(lset.set, 0, sizeof(lset.set));
		lset.gate = false;
		struct hit h2;
		const unsigned char *r = lo;
		while (r < hi && next_needle(t, lo, r, hi, &h2)) {
			mark_anchors(t, lo, hi, h2.start, h2.needle, &lset);
			r = h2.fp + 1;
		}
		int rc = scan_line(t, buf, (size_t)(lo - b), (size_t)(hi - b), &lset,
				   lset.gate && t->n_lx > 0, flags, fn, ctx);
		if (rc != 0)
			return rc;
		p = hi < end ? hi + 1 : end;
	}
	return 0;
}

#if TEXT_X86
__attribute__((target("avx2"))) static size_t count_nl_avx2(const char *buf, size_t len,
							    size_t *done)
{
	const __m256i nl = _mm256_set1_epi8('\n'), zero = _mm256_setzero_si256();
	__m256i total = _mm256_setzero_si256();
	size_t i = 0;
	while (i + 32 <= len) {
		/* Each round adds at most 255 to a byte counter. */
		__m256i acc = _mm256_setzero_si256();
		for (int k = 0; k < 255 && i + 32 <= len; k++, i += 32) {
			__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(buf + i));
			acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(v, nl));
		}
		total = _mm256_add_epi64(total, _mm256_sad_epu8(acc, zero));
	}
	uint64_t lanes[4];
	_mm256_storeu_si256((__m256i *)(void *)lanes, total);
	*done = i;
	return (size_t)(lanes[0] + lanes[1] + lanes[2] + lanes[3]);
}

static size_t count_nl_sse2(const char *buf, size_t len, size_t *done)
{
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	__m128i total = _mm_setzero_si128();
	size_t i = 0;
	while (i + 16 <= len) {
		__m128i acc = _mm_setzero_si128();
		for (int k = 0; k < 255 && i + 16 <= len; k++, i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
		}
		total = _mm_add_epi64(total, _mm_sad_epu8(acc, zero));
	}
	uint64_t lanes[2];
	_mm_storeu_si128((__m128i *)(void *)lanes, total);
	*done = i;
	return (size_t)(lanes[0] + lanes[1]);
}
#endif

size_t tlsa_text_count_lines(const char *buf, size_t len)
{
	size_t n = 0, i = 0;
#if TEXT_X86
	if (__builtin_cpu_supports("avx2"))
		n = count_nl_avx2(buf, len, &i);
	else
		n = count_nl_sse2(buf, len, &i);
#endif
	for (; i < len; i++)
		n += buf[i] == '\n';
	return n;
}
