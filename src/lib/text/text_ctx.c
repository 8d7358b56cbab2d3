/*
 * Records over several lines: a Java debug block, `openssl s_client -msg` with its hex
 * body, a rustls Message dump, SChannel event XML, a hex dump after its "read"/"write"
 * header.  A pattern's match is one line of such a record; the `follow` lines of
 * data/log-patterns.txt find its body below it (the alert code when the match named
 * none) and the `before` lines its header above it (the direction when the pattern
 * does not say).  Both look at a few lines only, and only around a line that already
 * gave a mention of such a pattern, so ordinary lines never get here.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/common.h"
#include "tlsalert/text.h"

#define LP_TABLES_CTX /* lp_ctx */
#include "text_int.h"

int text_ctx_build(struct tlsa_text *t, struct tlsa_error *err)
{
	for (size_t i = 0; i < N_ELEMS(lp_ctx); i++) {
		const struct lp_ctx *c = &lp_ctx[i];
		int rc = regcomp(&t->cre[i], c->regex, REG_EXTENDED | REG_ICASE);
		if (rc != 0) {
			char why[96];
			regerror(rc, &t->cre[i], why, sizeof(why));
			return tlsa_error_set(
				err, TLSA_EINVAL, i,
				"log pattern %u: a follow/before line does not compile: %s",
				c->pattern, why);
		}
		t->n_ctx_compiled++;
		if ((size_t)c->group > t->cre[i].re_nsub || t->cre[i].re_nsub + 1 > MAX_GROUPS)
			return tlsa_error_set(err, TLSA_EINVAL, i,
					      "log pattern %u: follow group %d of %zu", c->pattern,
					      c->group, t->cre[i].re_nsub);
		if (c->pattern < LP_N_PATTERNS)
			t->has_ctx[c->pattern] = true;
	}
	return 0;
}

void text_ctx_free(struct tlsa_text *t)
{
	for (size_t i = 0; i < t->n_ctx_compiled; i++)
		regfree(&t->cre[i]);
	t->n_ctx_compiled = 0;
}

/* The line buf[s, e) without a trailing '\r', as a NUL-terminated copy in `out`
 * (false when it does not fit: such a line is no part of a record). */
static bool copy_line(const char *buf, size_t s, size_t e, char *out, size_t cap)
{
	while (e > s && buf[e - 1] == '\r')
		e--;
	if (e - s >= cap)
		return false;
	memcpy(out, buf + s, e - s);
	out[e - s] = '\0';
	return true;
}

/* Does context line i of `pi` at distance `dist` match `line`?  Fills *code for a follow. */
static bool ctx_match(const struct tlsa_text *t, size_t i, const char *line, int *code)
{
	const struct lp_ctx *c = &lp_ctx[i];
	regmatch_t pm[MAX_GROUPS];
	if (regexec(&t->cre[i], line, t->cre[i].re_nsub + 1, pm, 0) != 0)
		return false;
	*code = -1;
	if (!c->follow || c->kind == LP_NONE)
		return true;
	struct lp_pattern p = {"", "", c->dir, c->kind, c->group, c->arg, c->map, 1, "", "", 0, NULL};
	int k;
	if (!text_match_code(&p, line, pm, &k))
		return false;
	*code = k;
	return true;
}

/* The record's body below m: the first follow line within reach. */
static size_t extend_down(const struct tlsa_text *t, const char *buf, size_t len,
			  struct tlsa_text_mention *m)
{
	char line[4096];
	size_t pos = m->line_end;
	for (unsigned dist = 1; dist <= LP_CTX_MAX_LINES; dist++) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (nl == NULL)
			break;
		size_t s = (size_t)(nl - buf) + 1;
		const char *nl2 = memchr(buf + s, '\n', len - s);
		size_t e = nl2 != NULL ? (size_t)(nl2 - buf) : len;
		pos = e;
		if (!copy_line(buf, s, e, line, sizeof(line)))
			continue;
		bool any = false;
		for (size_t i = 0; i < N_ELEMS(lp_ctx); i++) {
			const struct lp_ctx *c = &lp_ctx[i];
			int code;
			if (c->pattern != m->pattern || !c->follow)
				continue;
			any |= c->lines >= dist;
			if (c->lines < dist || !ctx_match(t, i, line, &code))
				continue;
			if (m->code < 0 && code >= 0)
				m->code = code;
			while (e > s && buf[e - 1] == '\r')
				e--;
			m->span_end = e;
			return e;
		}
		if (!any)
			break;
	}
	return m->line_end;
}

/* The record's header above m: the nearest before line within reach, not before floor. */
static void extend_up(const struct tlsa_text *t, const char *buf, size_t floor,
		      struct tlsa_text_mention *m)
{
	char line[4096];
	size_t pos = m->line_start; /* start of the line below the one looked at */
	for (unsigned dist = 1; dist <= LP_CTX_MAX_LINES && pos > floor; dist++) {
		size_t e = pos - 1, s = e; /* buf[e] is the '\n' ending the line above */
		while (s > floor && buf[s - 1] != '\n')
			s--;
		pos = s;
		if (!copy_line(buf, s, e, line, sizeof(line)))
			continue;
		bool any = false;
		for (size_t i = 0; i < N_ELEMS(lp_ctx); i++) {
			const struct lp_ctx *c = &lp_ctx[i];
			int code;
			if (c->pattern != m->pattern || c->follow)
				continue;
			any |= c->lines >= dist;
			if (c->lines < dist || !ctx_match(t, i, line, &code))
				continue;
			if (m->dir == TLSA_TEXT_UNKNOWN)
				m->dir = c->dir;
			m->span_start = s;
			return;
		}
		if (!any)
			return;
	}
}

bool text_ctx_extend(const struct tlsa_text *t, const char *buf, size_t len, size_t floor,
		     struct tlsa_text_mention *m, size_t *last)
{
	*last = m->line_end;
	if (m->pattern >= LP_N_PATTERNS || !t->has_ctx[m->pattern])
		return true;
	if (floor < m->line_start)
		extend_up(t, buf, floor, m);
	*last = extend_down(t, buf, len, m);
	/* A pattern of kind `body` (a hex row holding a record header alone) is an alert
	   only with the body that names it. */
	return !(lp_kind_body[m->pattern] && m->code < 0);
}
