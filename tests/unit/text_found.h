/*
 * The mentions one tlsa_text_scan() call reports, collected for the text recogniser's unit
 * tests (test_text_patterns, test_text_local).  Include after check.h.
 */
#ifndef TLSA_TEXT_FOUND_H
#define TLSA_TEXT_FOUND_H

#include "tlsalert/text.h"

struct found {
	struct tlsa_text_mention m[64];
	size_t n;
};

static int collect(void *ctx, const struct tlsa_text_mention *m)
{
	struct found *f = ctx;
	if (f->n < 64)
		f->m[f->n++] = *m;
	return 0;
}

/* Scans s[0, len) with `flags`; the scan itself must return 0. */
static struct found scan(const struct tlsa_text *t, const char *s, size_t len, unsigned flags)
{
	struct found f;
	f.n = 0;
	CHECK_INT(tlsa_text_scan(t, s, len, flags, collect, &f), 0);
	return f;
}

#endif
