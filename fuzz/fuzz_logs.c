/*
 * Fuzz target for the text recogniser: any bytes as a log.  Checks the contract of
 * every mention (spans inside the buffer and inside their line, codes in range,
 * mentions in buffer order, a record's span around its line) with and without
 * TLSA_TEXT_ALL, and that scanning the input in two pieces cut after a newline gives
 * the same mentions as one piece unless a record over several lines (the bounded
 * window of data/log-patterns.txt `follow` and `before` lines) spans the cut.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/text.h"

struct seen {
	size_t len;
	size_t n;
	size_t last_start;
	uint64_t sum;
	size_t cut; /* a record spanning this offset makes the pieces differ */
	bool crosses;
};

static int check(void *ctx, const struct tlsa_text_mention *m)
{
	struct seen *s = ctx;
	if (m->start > m->end || m->end > s->len || m->line_start > m->start ||
	    m->end > m->line_end || m->line_end > s->len)
		abort();
	if (m->code < -1 || m->code > 255 || m->implementation == NULL || m->pattern_id == NULL ||
	    m->pattern > tlsa_text_pattern_count())
		abort();
	/* A local error alone has no pattern; a rule id always comes with its text; the
	 * alert of a local error was sent, unless the connection had ended (peer-closed). */
	bool closed = strcmp(m->pattern_id, TLSA_TEXT_PEER_CLOSED_ID) == 0;
	if (m->pattern == tlsa_text_pattern_count() &&
	    (m->rule_id == NULL || (strcmp(m->pattern_id, TLSA_TEXT_LOCAL_ID) != 0 && !closed)))
		abort();
	if ((m->rule_id == NULL) != (m->rule_fragment == NULL) ||
	    (m->rule_id != NULL &&
	     (m->dir != (closed ? TLSA_TEXT_UNKNOWN : TLSA_TEXT_SENT) || m->code < 0)))
		abort();
	if (m->span_start > m->line_start || m->span_end < m->line_end || m->span_end > s->len)
		abort();
	if (s->n > 0 && m->line_start < s->last_start)
		abort();
	if (m->span_start < s->cut && m->span_end > s->cut)
		s->crosses = true;
	s->last_start = m->line_start;
	s->n++;
	s->sum += (uint64_t)(m->code + 1) * 31 + m->start;
	return 0;
}

static struct tlsa_text *rec;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (rec == NULL) {
		struct tlsa_error err;
		if (tlsa_text_new(&rec, &err) != 0)
			abort();
	}
	/* A private copy without slack after it, so reads past the end are caught. */
	char *buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);

	const char *nl = size > 1 ? memchr(buf + size / 2, '\n', size - size / 2) : NULL;
	size_t cut = nl != NULL ? (size_t)(nl - buf) + 1 : 0;
	struct seen whole = {size, 0, 0, 0, cut, false}, all = {size, 0, 0, 0, 0, false};
	tlsa_text_scan(rec, buf, size, 0, check, &whole);
	tlsa_text_scan(rec, buf, size, TLSA_TEXT_ALL, check, &all);
	if (all.n < whole.n)
		abort();

	/* Cut after the first newline in the middle: same mentions, shifted, unless a
	   record over several lines spans the cut. */
	if (nl != NULL && !whole.crosses) {
		struct seen a = {cut, 0, 0, 0, 0, false}, b = {size - cut, 0, 0, 0, 0, false};
		tlsa_text_scan(rec, buf, cut, 0, check, &a);
		char *rest = malloc(size - cut ? size - cut : 1);
		if (rest != NULL) {
			memcpy(rest, buf + cut, size - cut);
			tlsa_text_scan(rec, rest, size - cut, 0, check, &b);
			/* Records apart: same count, same codes at the same offsets. */
			if (a.n + b.n != whole.n ||
			    a.sum + b.sum + (uint64_t)b.n * cut != whole.sum)
				abort();
			free(rest);
		}
	}
	(void)tlsa_text_count_lines(buf, size);
	free(buf);
	return 0;
}
