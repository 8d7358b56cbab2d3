/*
 * Ranked causes for the alerts `scan` reports, remembered per diagnosis context.
 * The sender's stack, when its hello has the shape of one stack
 * (tlsa_stack_guess), puts that stack's rules first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_causes.h"
#include "tlsalert/fingerprint.h"

#define MEMO_MAX 256

struct memo_entry {
	struct tlsa_diag_ctx ctx; /* zero-filled by tlsa_diag_ctx_from_event: memcmp is exact */
	bool ok;
	struct scan_causes causes;
};

struct scan_memo {
	struct memo_entry e[MEMO_MAX];
	size_t n;
	struct scan_causes scratch;
};

struct scan_memo *scan_memo_new(void)
{
	return calloc(1, sizeof(struct scan_memo));
}

void scan_memo_free(struct scan_memo *m)
{
	free(m);
}

static void rank(const struct tlsa_diag_ctx *ctx, struct scan_causes *out)
{
	struct tlsa_cause all[CAUSES_MAX];
	size_t n = 0;

	if (tlsa_diagnose(ctx, all, CAUSES_MAX, &n, NULL) != 0)
		n = 0;
	out->n = n < SCAN_CAUSES ? n : SCAN_CAUSES;
	memcpy(out->cs, all, out->n * sizeof(all[0]));
	if (ctx->stack == NULL)
		return;
	const char *hello = ctx->sender == TLSA_PARTY_SERVER ? "ServerHello" : "ClientHello";
	for (size_t i = 0; i < out->n; i++) {
		char *e = out->cs[i].evidence;
		size_t at = strlen(e);
		if (at < sizeof(out->cs[i].evidence))
			snprintf(e + at, sizeof(out->cs[i].evidence) - at,
				 "; sender's stack %s guessed from its %s shape", ctx->stack,
				 hello);
	}
}

/* The stack of the alert's sender, from the shape of the hello it sent; NULL if unsure. */
static const char *sender_stack(const struct tlsa_alert_event *ev)
{
	if (ev->hs == NULL || (ev->sender != TLSA_ROLE_CLIENT && ev->sender != TLSA_ROLE_SERVER))
		return NULL;
	return tlsa_stack_guess(ev->hs, ev->sender, NULL);
}

const struct scan_causes *scan_causes_of(struct scan_memo *m, const struct tlsa_alert_event *ev)
{
	static const struct scan_causes none;
	struct tlsa_diag_ctx ctx;

	if (!tlsa_diag_ctx_from_event(&ctx, ev))
		return &none;
	ctx.stack = sender_stack(ev);
	if (m == NULL)
		return &none;
	for (size_t i = 0; i < m->n; i++)
		if (memcmp(&m->e[i].ctx, &ctx, sizeof(ctx)) == 0)
			return &m->e[i].causes;
	struct scan_causes *out = &m->scratch;
	if (m->n < MEMO_MAX) {
		m->e[m->n].ctx = ctx;
		out = &m->e[m->n++].causes;
	}
	rank(&ctx, out);
	return out;
}
