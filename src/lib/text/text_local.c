/*
 * Local errors: a line where a TLS stack says why it sent an alert ("no shared cipher",
 * "SSL_ERROR_NO_CYPHER_OVERLAP" ...) shows the cause rule that fired.  The fragments are the
 * `logline` texts of the cause rules, generated for this layer by tools/gen_localerrors.py
 * (localerrors_data.h: fragment, rule id, stack, alert, weight, rule order).
 *
 * They are looked for on the lines where stage 1 found a gate anchor ("error:",
 * "exception", ...): one pass over the line tests each 2-byte and 4-byte window (ASCII
 * case folded) against bit sets of the rarest four bytes of each fragment, and only a hit
 * compares a fragment.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/common.h"
#include "tlsalert/text.h"

#include "text_int.h"

#include "localerrors_data.h"

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

/*
 * Where fragment f is hashed: the rarest four bytes of any of its pieces (the generator
 * guarantees a piece of at least four).  False when it has none.
 */
static bool lx_key(struct lx_frag *f, size_t len)
{
	const char *low = f->low;
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
	if (rare == ~0u)
		return false;
	f->hash = lx_hash(low + f->kp + f->key);
	return true;
}

/* Indexes every fragment of localerrors_data.h: t->lx, sorted by hash. */
int text_lx_build(struct tlsa_text *t)
{
	size_t bytes = 0;

	for (size_t i = 0; i < LX_N_SOURCES; i++)
		bytes += 2 * (strlen(lx_sources[i].text) + 1);
	if (LX_N_SOURCES == 0)
		return 0;
	t->lx = calloc(LX_N_SOURCES, sizeof(*t->lx));
	t->lx_pool = malloc(bytes);
	if (t->lx == NULL || t->lx_pool == NULL)
		return -1;
	char *pool = t->lx_pool;
	for (size_t i = 0; i < LX_N_SOURCES; i++) {
		const struct lx_source *src = &lx_sources[i];
		struct lx_frag f = {.src = src, .order = src->order};
		size_t len = strlen(src->text);
		/* A copy of its own: a mention's rule_fragment tells fragments apart by address. */
		char *text = pool, *low = pool + len + 1;
		memcpy(text, src->text, len + 1);
		for (size_t k = 0; k <= len; k++)
			low[k] = (char)ascii_lower((unsigned char)text[k]);
		pool += 2 * (len + 1);
		f.text = text;
		f.low = low;
		for (size_t k = 0; k < len; k++)
			f.lit += low[k] != '*';
		if (!lx_key(&f, len))
			continue;
		unsigned pair = lx_pair_of(low + f.kp + f.key);
		t->lx_pair[pair / 64] |= 1ull << (pair % 64);
		t->lx_bits[f.hash / 64] |= 1ull << (f.hash % 64);
		t->lx[t->n_lx++] = f;
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
	    !ascii_same_ci((const unsigned char *)line + at, low + f->kp, f->kp_len))
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

/* Is a better than b: more literal bytes, then a notls rule, then the rule's weight, then
 * data order? */
static bool lx_better(const struct lx_frag *a, const struct lx_frag *b)
{
	if (a->lit != b->lit)
		return a->lit > b->lit;
	if (a->src->notls != b->src->notls)
		return a->src->notls; /* same words: "not TLS" explains more (no alert came) */
	if (a->src->weight != b->src->weight)
		return a->src->weight > b->src->weight;
	return a->order < b->order;
}

/* Would f join one of the line's alert mentions (one not received, of f's code or, for a
 * rule with a pre13 rule, of that one's)? */
static bool lx_joins(const struct lx_frag *f, const struct line_state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct tlsa_text_mention *m = &st->m[i];
		if (m->dir != TLSA_TEXT_RECEIVED &&
		    (m->code == (int)f->src->alert ||
		     (f->src->pre13 != NULL && m->code == f->src->pre13_alert)))
			return true;
	}
	return false;
}

/* Is a better than b for this line: on a line that names alerts, a fragment whose rule
 * joins one of them first (rules share texts across versions and stacks: Go's "client
 * didn't provide a certificate" is 116 in Go 1.25's TLS 1.3, 42 in Go 1.19's, 40 in TLS
 * 1.2; the line's CRYPTO_ERROR 0x12a tells which), then lx_better(). */
static bool lx_prefer(const struct lx_frag *a, const struct lx_frag *b, const struct line_state *st)
{
	if (st->n > 0) {
		bool ja = lx_joins(a, st), jb = lx_joins(b, st);
		if (ja != jb)
			return ja;
	}
	return lx_better(a, b);
}

/* The best local error in line[0, len) for the line's mentions st, or NULL; its span in
 * *ms, *me. */
static const struct lx_frag *lx_best(const struct tlsa_text *t, const char *line, size_t len,
				     const struct line_state *st, size_t *ms, size_t *me)
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
			if (i < f->key || (best != NULL && !lx_prefer(f, best, st)))
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

/*
 * The protocol version a line shows, for a local error whose alert depends on it: 13 for
 * TLS 1.3, 12 for TLS 1.0-1.2, 0 when it names none or several.  Only looked for when such
 * an error matched (rare), so a plain scan of the line is enough.  OpenSSL's "sslv3 alert"
 * and "tlsv1 alert" wordings name no version (they are used under every one): not read.
 */
static int line_version(const char *line, size_t len)
{
	static const struct {
		const char *text;
		int v;
	} names[] = {
		{"tlsv1.3", 13}, {"tls 1.3", 13}, {"tls1.3", 13},  {"tlsv1.2", 12},
		{"tls 1.2", 12}, {"tls1.2", 12},  {"tlsv1.1", 12}, {"tls 1.1", 12},
		{"tls1.1", 12},	 {"tlsv1.0", 12}, {"tls 1.0", 12}, {"tls1.0", 12},
	};
	int seen = 0;
	for (size_t i = 0; i < N_ELEMS(names); i++) {
		size_t n = strlen(names[i].text);
		if (find_lit(line, 0, len, names[i].text, n, true) >= len)
			continue;
		if (seen != 0 && seen != names[i].v)
			return 0;
		seen = names[i].v;
	}
	return seen;
}

/*
 * A local error of a TLS 1.3 rule with a pre13 rule: the line's version picks one, or the
 * mention carries both.
 */
static void pick_version(struct tlsa_text_mention *m, const struct lx_frag *f, const char *line,
			 size_t len)
{
	m->pre13 = false;
	m->code_pre13 = -1;
	m->rule_id_pre13 = NULL;
	if (f->src->pre13 == NULL)
		return;
	int v = line_version(line, len);
	if (v == 12) {
		m->code = f->src->pre13_alert;
		m->rule_id = f->src->pre13;
	} else if (v == 0) {
		m->pre13 = true;
		m->code_pre13 = f->src->pre13_alert;
		m->rule_id_pre13 = f->src->pre13;
	}
}

/*
 * Joins the best local error of the line (a gate was seen) to the mentions: to the
 * mention of its alert that was sent or says no direction, or, on a line that mentions
 * no alert, as a mention of its own.
 */
void text_add_local(const struct tlsa_text *t, const char *buf, size_t ls, size_t len,
		    struct line_state *st)
{
	size_t ms = 0, me = 0;
	const struct lx_frag *f = lx_best(t, buf + ls, len, st, &ms, &me);

	if (f == NULL)
		return;
	if (st->n == 0) {
		struct tlsa_text_mention *m = &st->m[st->n++];
		m->start = ls + ms;
		m->end = ls + me;
		m->line_start = ls;
		m->line_end = ls + len;
		m->span_start = ls;
		m->span_end = ls + len;
		m->code = f->src->alert;
		m->dir = TLSA_TEXT_SENT;
		m->implementation = f->src->stack;
		m->transport = NULL;
		m->pattern = LP_N_PATTERNS;
		m->pattern_id = TLSA_TEXT_LOCAL_ID;
		m->rule_id = f->src->rule_id;
		m->rule_fragment = f->text;
		pick_version(m, f, buf + ls, len);
		if (f->src->peerclosed) { /* nothing was sent: the connection was gone */
			m->dir = TLSA_TEXT_UNKNOWN;
			m->pattern_id = TLSA_TEXT_PEER_CLOSED_ID;
		}
		return;
	}
	if (f->src->peerclosed)
		return; /* not why an alert the line names was sent */
	for (size_t i = 0; i < st->n; i++) {
		struct tlsa_text_mention *m = &st->m[i];
		if (m->dir == TLSA_TEXT_RECEIVED)
			continue;
		/* the line names the alert: it tells which of a version pair was sent */
		if (m->code == (int)f->src->alert)
			m->rule_id = f->src->rule_id;
		else if (f->src->pre13 != NULL && m->code == f->src->pre13_alert)
			m->rule_id = f->src->pre13;
		else
			continue;
		m->dir = TLSA_TEXT_SENT;
		m->rule_fragment = f->text;
	}
}