/*
 * Ranked causes for the alerts `scan` reports, remembered per diagnosis context.
 * The sender's stack puts that stack's rules first: the stack the user gave for
 * that side, else the guess from the shape of the hello it sent
 * (tlsa_stack_guess).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scan_causes.h"
#include "tlsalert/fingerprint.h"

#define MEMO_MAX 256

struct memo_entry {
	struct tlsa_diag_ctx ctx; /* zero-filled by tlsa_diag_ctx_from_event: memcmp is exact */
	bool ok;
	struct scan_causes causes;
};

struct scan_memo {
	struct scan_stacks given;
	struct memo_entry e[MEMO_MAX];
	size_t n;
	struct scan_causes scratch;
};

struct scan_memo *scan_memo_new(const struct scan_stacks *given)
{
	struct scan_memo *m = calloc(1, sizeof(struct scan_memo));
	if (m != NULL && given != NULL)
		m->given = *given;
	return m;
}

void scan_memo_free(struct scan_memo *m)
{
	free(m);
}

const char *scan_stack_of(const struct scan_memo *m, const struct tlsa_hs_facts *hs, tlsa_role side,
			  enum scan_stack_source *src)
{
	const char *given = NULL;
	if (m != NULL)
		given = side == TLSA_ROLE_CLIENT   ? m->given.client
			: side == TLSA_ROLE_SERVER ? m->given.server
						   : NULL;
	const char *stack = given;
	if (stack == NULL && hs != NULL)
		stack = side == TLSA_ROLE_CLIENT   ? hs->client_stack
			: side == TLSA_ROLE_SERVER ? hs->server_stack
						   : NULL;
	if (src != NULL)
		*src = given != NULL ? STACK_GIVEN : stack != NULL ? STACK_GUESSED : STACK_NONE;
	return stack;
}

const char *scan_stack_source_name(enum scan_stack_source src)
{
	return src == STACK_GIVEN ? "given" : src == STACK_GUESSED ? "guessed" : NULL;
}

int scan_stack_option(struct cli *c, const char *opt, const char *arg, const char **out)
{
	const struct tlsa_stack_def *d = tlsa_stack_parse(arg);
	if (d != NULL) {
		*out = d->token;
		return 0;
	}
	char names[256] = "";
	size_t at = 0;
	for (size_t i = 0; i < tlsa_stack_count() && at < sizeof(names); i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", i ? ", " : "",
				       tlsa_stack_at(i)->token);
	return cli_fail(c,
			"%s: unknown stack '%s'; valid names: %s (or a common alias such as "
			"golang, jsse, firefox, python)",
			opt, arg, names);
}

static void rank(const struct tlsa_diag_ctx *ctx, enum scan_stack_source src,
		 struct scan_causes *out)
{
	struct tlsa_cause all[CAUSES_MAX];
	size_t n = 0;

	if (tlsa_diagnose(ctx, all, CAUSES_MAX, &n, NULL) != 0)
		n = 0;
	out->n = n < SCAN_CAUSES ? n : SCAN_CAUSES;
	memcpy(out->cs, all, out->n * sizeof(all[0]));
	if (ctx->stack == NULL)
		return;
	bool server = ctx->sender == TLSA_PARTY_SERVER;
	for (size_t i = 0; i < out->n; i++) {
		char *e = out->cs[i].evidence;
		size_t at = strlen(e), room = sizeof(out->cs[i].evidence) - at;
		if (at >= sizeof(out->cs[i].evidence))
			continue;
		if (src == STACK_GIVEN)
			snprintf(e + at, room,
				 "; sender's stack %s given on the command line (--%s)", ctx->stack,
				 server ? "server-stack" : "client-stack");
		else
			snprintf(e + at, room, "; sender's stack %s guessed from its %s shape",
				 ctx->stack, server ? "ServerHello" : "ClientHello");
	}
}

/*
 * An encrypted alert whose code cannot be read because the connection's
 * handshake is not in the capture: no rule can rank anything, the capture
 * itself is the cause.  Its evidence is the tracker's.
 */
static bool unseen(const struct tlsa_alert_event *ev, struct scan_causes *out)
{
	if (!ev->encrypted || (ev->hs != NULL && (ev->hs->client_hello || ev->hs->server_hello)))
		return false;
	struct tlsa_cause *k = &out->cs[0];
	causes_outcome(k, "handshake-not-captured", tlsa_role_name(ev->sender));
	snprintf(k->evidence, sizeof(k->evidence), "%s",
		 ev->evidence != NULL ? ev->evidence : "the handshake is not in this capture");
	out->n = 1;
	return true;
}

const struct scan_causes *scan_causes_of(struct scan_memo *m, const struct tlsa_alert_event *ev)
{
	static const struct scan_causes none;
	struct tlsa_diag_ctx ctx;
	enum scan_stack_source src = STACK_NONE;

	if (!tlsa_diag_ctx_from_event(&ctx, ev))
		return m != NULL && unseen(ev, &m->scratch) ? &m->scratch : &none;
	if (ev->sender == TLSA_ROLE_CLIENT || ev->sender == TLSA_ROLE_SERVER)
		ctx.stack = scan_stack_of(m, ev->hs, ev->sender, &src);
	if (m == NULL)
		return &none;
	if (ctx.cert != NULL) {
		/* The evidence names this certificate's values (dates, names): not
		 * shared with another alert.  Few alerts have one (failures only). */
		rank(&ctx, src, &m->scratch);
		return &m->scratch;
	}
	for (size_t i = 0; i < m->n; i++)
		if (memcmp(&m->e[i].ctx, &ctx, sizeof(ctx)) == 0)
			return &m->e[i].causes;
	struct scan_causes *out = &m->scratch;
	if (m->n < MEMO_MAX) {
		m->e[m->n].ctx = ctx;
		out = &m->e[m->n++].causes;
	}
	rank(&ctx, src, out);
	return out;
}
