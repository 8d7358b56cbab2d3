/*
 * The text recogniser: finds alert mentions in logs and error messages.
 *
 * Two stages.  A fast scanner looks for a few case-folded needles ("alert",
 * "error", "tlsv1 ", ...) with SIMD compares of two bytes per needle, then checks
 * the anchors that hold the needle at that spot (plain comparisons).  Only a line
 * with an anchor goes to the second stage: the POSIX regular expressions of the
 * anchored patterns (libc regexec), and the conversion of what they captured into
 * an alert code (text_match.c).  Ordinary log lines never reach a regex.  The
 * patterns are data: data/log-patterns.txt, compiled by tools/gen_logpatterns.py.
 *
 * Local errors (the log fragments of the cause rules, text_local.c) are looked for on
 * the lines where stage 1 found a gate anchor ("error:", "exception", ...).
 *
 * This file holds the API, tlsa_text_new(), stage 1 and the walk over the lines: the
 * per-byte path is one translation unit.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/common.h"
#include "tlsalert/text.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define TEXT_X86 1
#else
#define TEXT_X86 0
#endif

#define LP_TABLES_SCAN /* needles, anchors, patterns, samples */
#include "text_int.h"

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
	text_ctx_free(t);
	free(t->lx);
	free(t->lx_pool);
	free(t);
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
	int crc = text_ctx_build(t, err);
	if (crc != 0) {
		tlsa_text_free(t);
		return crc;
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
			unsigned char u = ascii_upper(c);
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
			/* The anchor is the needle itself: anything may follow, or nothing
			   (the needle ends the line). */
			for (int c = 0; c < 256; c++)
				t->after_ok[an->needle][c] = true;
			t->bare[an->needle] = true;
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
	if (text_lx_build(t) != 0) {
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
	return ascii_same_ci(p, lp_needles[n], t->needle_len[n]);
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
	bool after = p + nl < hi ? t->after_ok[n][ascii_lower(p[nl])] : t->bare[n];
	bool before = p > lo && t->before_ok[n][ascii_lower(p[-1])];
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
		if (ascii_lower(s[probe]) != (unsigned char)an->text[probe] ||
		    !ascii_same_ci(s, an->text, an->len))
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

/*
 * Runs pattern pi over the line (NUL-terminated copy of len bytes that starts at ls in
 * the buffer) from where its anchors allow, and keeps what it finds in st.
 */
static void match_pattern(const struct tlsa_text *t, unsigned pi, const char *line, size_t len,
			  size_t ls, const struct line_set *lset, struct line_state *st, bool all)
{
	const struct lp_pattern *p = &lp_patterns[pi];
	size_t from = lset->from[pi], mlen = t->must_len[pi];

	while (from < len) {
		regmatch_t pm[MAX_GROUPS];
		/* Every match starts with p->must: skip regexec where it is absent. */
		if (mlen > 0) {
			size_t k = find_lit(line, from, len, p->must, mlen, p->icase != 0);
			if (k >= len)
				break;
			/* The boundary byte before it, if the literal is not at the line start
			   (k - 1 would wrap and send regexec to a start of -1: a hang). */
			if (k >= (size_t)p->must_boundary && k - (size_t)p->must_boundary > from)
				from = k - (size_t)p->must_boundary;
		}
		pm[0].rm_so = (regoff_t)from;
		pm[0].rm_eo = (regoff_t)len;
		if (regexec(&t->re[pi], line, t->re[pi].re_nsub + 1, pm, REG_STARTEND) != 0)
			break;
		size_t s = (size_t)pm[0].rm_so, e = (size_t)pm[0].rm_eo;
		int code;
		if (text_match_code(p, line, pm, &code)) {
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
			m.span_start = ls;
			m.span_end = ls + len;
			m.code = code;
			m.dir = p->dir;
			m.implementation = p->stack;
			m.transport = p->transport;
			m.pattern = pi;
			m.pattern_id = p->id;
			m.rule_id = NULL;
			m.rule_fragment = NULL;
			m.pre13 = false;
			m.code_pre13 = -1;
			m.rule_id_pre13 = NULL;
			text_keep(st, &m, all);
		}
		size_t next = (size_t)pm[0].rm_eo > from ? (size_t)pm[0].rm_eo : from + 1;
		/* Search on only if another anchor of this pattern lies ahead. */
		if (lset->last[pi] < next && (size_t)lset->last[pi] != UINT32_MAX)
			break;
		from = next;
	}
}

/* Where a line's scan reads and reports. */
struct scan_out {
	size_t buflen; /* of the whole buffer */
	size_t floor;  /* a record's header may not start before this (a reported line) */
	size_t last;   /* out: the end of the last line of the records reported */
	tlsa_text_fn fn;
	void *ctx;
};

/* Runs the anchored patterns over the line buf[ls, le) and reports what they find; with
 * `gate`, looks for a local error too. */
static int scan_line(const struct tlsa_text *t, const char *buf, size_t ls, size_t le,
		     const struct line_set *lset, bool gate, unsigned flags, struct scan_out *so)
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
	for (unsigned pi = 0; pi < LP_N_PATTERNS; pi++)
		if (lset->set[pi / 64] & (1ull << (pi % 64)))
			match_pattern(t, pi, line, len, ls, lset, &st, all);
	if (line != small)
		free(line);
	if (!all)
		text_drop_unnamed(&st);
local:
	if (gate)
		text_add_local(t, buf, ls, len, &st);
	qsort(st.m, st.n, sizeof(st.m[0]), text_cmp_mention);
	so->last = st.n > 0 ? ls + len : 0;
	for (size_t i = 0; i < st.n; i++) {
		size_t e;
		bool keep = text_ctx_extend(t, buf, so->buflen, so->floor, &st.m[i], &e);
		if (e > so->last)
			so->last = e;
		if (!keep)
			continue;
		int rc = so->fn(so->ctx, &st.m[i]);
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

	struct scan_out so = {len, 0, 0, fn, ctx};
	size_t floor = 0;
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
		so.floor = floor;
		int rc = scan_line(t, buf, (size_t)(lo - b), (size_t)(hi - b), &lset,
				   lset.gate && t->n_lx > 0, flags, &so);
		if (rc != 0)
			return rc;
		/* a record's body below: scanned already (with TLSA_TEXT_ALL every line is
		   scanned: a pattern's record must not hide another's match) */
		if (!(flags & TLSA_TEXT_ALL) && so.last > (size_t)(hi - b))
			hi = memchr(b + so.last, '\n', len - so.last);
		if (hi == NULL)
			hi = end;
		p = hi < end ? hi + 1 : end;
		/* The header of a later record lies below what this line reported. */
		if (so.last > 0)
			floor = (size_t)(p - b);
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
