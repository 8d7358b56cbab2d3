/* tlsalert explain: what an alert means, under every version or one. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "alertout.h"
#include "causes_out.h"
#include "explain.h"
#include "opts.h"
#include "quic_out.h"
#include "tlsalert/text.h"

static void explain_usage(FILE *f)
{
	fputs("usage: tlsalert explain [options] ALERT...\n"
	      "\n"
	      "Explains alerts given by code (48, 0x30) or by name in any spelling:\n"
	      "unknown_ca, UNKNOWN_CA, UnknownCA, \"unknown ca\", TLS1_AD_UNKNOWN_CA,\n"
	      "SSL_ERROR_UNKNOWN_CA_ALERT, \"tlsv1 alert unknown ca\", errSSLPeerUnknownCA ...\n"
	      "and QUIC's: 0x178, CRYPTO_ERROR_0x128, MsQuic 0x8041012a, Transport(376) ...\n"
	      "A pasted error message or log excerpt (an argument with spaces or newlines, or\n"
	      "'-' for standard input) is read as `tlsalert logs` reads a log and answered\n"
	      "once: the alerts in it, or what the error means when no alert was received.\n"
	      "'-' with one alert code or name per line explains each.\n"
	      "\n"
	      "Options:\n"
	      "  --version V       the rules of protocol version V (tls1.0 ... tls1.3, dtls1.2);\n"
	      "                    also --tls-version V\n"
	      "  --stack NAME      why stack NAME sends it: openssl, openssl-1.1.1,\n"
	      "                    boringssl, libressl, go, rustls, java, gnutls, nss,\n"
	      "                    schannel (docs/causes.md)\n"
	      "  --json            JSON Lines, one object per alert (fields: docs/json.md)\n"
	      "  --csv             CSV with a header line\n"
	      "  --color WHEN      auto (default), always or never; NO_COLOR is respected\n"
	      "                    (also --colour WHEN)\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 every input explained, 1 a pasted message holds no alert,\n"
	      "2 an input was not an alert or could not be read.\n",
	      f);
}


static void explain_text(struct cli *c, const struct explain_opts *o, const struct tlsa_alert *a)
{
	FILE *f = c->out;
	const char *b = cli_c(c, C_BOLD), *r = cli_c(c, C_RESET), *d = cli_c(c, C_DIM);

	fprintf(f, "%s%d %s%s  (%s", b, a->code, a->name, r, tlsa_status_name(a->status));
	for (size_t i = 0; i < a->n_rfcs; i++)
		fprintf(f, "%s%s", i ? ", " : "; ", a->rfcs[i]);
	fputs(")\n", f);
	fputs("  ", f);
	cli_wrap(f, a->summary, 2, 2, c->width);
	fprintf(f, "%s  sender says:%s  ", d, r);
	cli_wrap(f, a->says, 16, 16, c->width);
	fprintf(f, "%s  check:%s        ", d, r);
	cli_wrap(f, a->check, 16, 16, c->width);
	if (a->stage[0] != '\0') {
		char who[256];
		snprintf(who, sizeof(who), "%s%s, at %s",
			 strcmp(a->sender, "either") == 0 ? "either side" : "the ",
			 strcmp(a->sender, "either") == 0 ? "" : a->sender, a->stage);
		fprintf(f, "%s  sent by:%s      ", d, r);
		cli_wrap(f, who, 16, 16, c->width);
	}
	if (o->ver != TLSA_VER_UNKNOWN) {
		char rule[512];
		tlsa_rule ru = tlsa_alert_rule(a, o->ver);
		bool v13 = o->ver == TLSA_VER_TLS13 || o->ver == TLSA_VER_DTLS13;
		snprintf(rule, sizeof(rule), "%s.%s%s", tlsa_rule_text(ru), v13 ? " " : "",
			 v13 ? a->tls13note : "");
		fprintf(f, "%s  in %-9s%s ", d, tlsa_version_name(o->ver), r);
		cli_wrap(f, rule, 16, 16, c->width);
	} else {
		fprintf(f, "%s  levels:%s       ", d, r);
		alert_levels_text(f, a, 16, 16, c->width);
		fprintf(f, "%s  TLS 1.3:%s      ", d, r);
		cli_wrap(f, a->tls13note, 16, 16, c->width);
	}
	if (a->n_causes > 0) {
		fprintf(f, "%s  common causes:%s\n", d, r);
		for (size_t i = 0; i < a->n_causes; i++) {
			fputs("    - ", f);
			cli_wrap(f, a->causes[i], 6, 6, c->width);
		}
	}
}

/* The ranked causes of an alert with no context but --version, --stack and what a
 * pasted message tells (the writer's side and stack, its local error text). */
static size_t explain_rank(const struct explain_opts *o, const struct tlsa_alert *a,
			   struct tlsa_cause *cs)
{
	struct tlsa_diag_ctx ctx = {.sz = sizeof(ctx)};
	struct tlsa_error err;
	size_t n = 0;

	if (o->mention != NULL)
		tlsa_diag_ctx_from_mention(&ctx, o->mention);
	ctx.alert = a->code;
	ctx.version = o->ver;
	if (o->stack != NULL)
		ctx.stack = o->stack->token;
	if (tlsa_diagnose(&ctx, cs, CAUSES_MAX, &n, &err) != 0)
		return 0;
	return n;
}

static void explain_causes_text(struct cli *c, const struct explain_opts *o,
				const struct tlsa_alert *a)
{
	struct tlsa_cause cs[CAUSES_MAX];

	if (o->stack != NULL)
		causes_stack_text(c, a->code, o->stack);
	else
		causes_text_brief(c, cs, explain_rank(o, a, cs), 5);
}

static void explain_causes_json(struct jw *w, const struct explain_opts *o,
				const struct tlsa_alert *a)
{
	struct tlsa_cause cs[CAUSES_MAX];

	causes_json(w, "causes", cs, explain_rank(o, a, cs));
	if (o->stack != NULL)
		causes_stack_json(w, a->code, o->stack);
}

/* The JSON fields of one explained alert: the registry's, the version's rule, the causes. */
static void explain_json_fields(struct jw *w, const struct explain_opts *o,
				const struct tlsa_alert *a)
{
	alert_json_fields(w, a);
	if (o->quic != NULL)
		quic_json_fields(w, o->quic);
	if (o->ver != TLSA_VER_UNKNOWN) {
		tlsa_rule ru = tlsa_alert_rule(a, o->ver);
		jw_str(w, "version", tlsa_version_name(o->ver));
		jw_str(w, "rule", tlsa_rule_name(ru));
		jw_str(w, "rule_text", tlsa_rule_text(ru));
	}
	explain_causes_json(w, o, a);
}

void explain_one(struct cli *c, const struct explain_opts *o, const char *input,
		 const struct tlsa_alert *a, bool *first)
{
	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "input", input);
		explain_json_fields(&w, o, a);
		jw_end(&w);
	} else if (c->fmt == OUT_CSV) {
		alert_csv_row(c->out, a);
	} else {
		if (!*first)
			fputc('\n', c->out);
		if (o->quic != NULL) { /* how QUIC carried it, then the alert */
			quic_text(c, o->quic);
			fputc('\n', c->out);
		}
		explain_text(c, o, a);
		explain_causes_text(c, o, a);
	}
	*first = false;
}

/*
 * Mentions of alerts in a pasted error message (tlsa_text_scan), one per alert and
 * direction: a paste often says the same thing twice (curl -v prints the alert it sent,
 * then its own error for it), and the paste gets one answer.  The scan runs line by line;
 * `base` is where the line scanned starts in the paste, `shift` the bytes put before it
 * (GATE), `hits` counts every mention, kept or not.
 */
struct msg_mentions {
	struct tlsa_text_mention m[16];
	size_t n;
	size_t base, shift;
	size_t hits;
};

static int msg_collect(void *ctx, const struct tlsa_text_mention *m)
{
	struct msg_mentions *mm = ctx;
	struct tlsa_text_mention k = *m;

	mm->hits++;
	k.start = (k.start > mm->shift ? k.start - mm->shift : 0) + mm->base;
	k.end = (k.end > mm->shift ? k.end - mm->shift : 0) + mm->base;
	k.line_start = (k.line_start > mm->shift ? k.line_start - mm->shift : 0) + mm->base;
	k.line_end = (k.line_end > mm->shift ? k.line_end - mm->shift : 0) + mm->base;
	for (size_t i = 0; i < mm->n; i++) {
		struct tlsa_text_mention *o = &mm->m[i];
		if (o->dir == k.dir && (o->code == k.code || k.code < 0)) {
			/* said before (an unnamed alert adds nothing to a named one); a local
			 * error of it tells why it was sent */
			if (o->code == k.code && o->rule_id == NULL && k.rule_id != NULL) {
				o->rule_id = k.rule_id;
				o->rule_fragment = k.rule_fragment;
			}
			return 0;
		}
		if (o->dir == k.dir && o->code < 0) {
			*o = k; /* the alert now named */
			return 0;
		}
	}
	if (mm->n < sizeof(mm->m) / sizeof(mm->m[0]))
		mm->m[mm->n++] = k;
	return 0;
}

/* What a mention means for the person who pasted the message: their side is the
 * program that printed it. */
static void reader_view(char *out, size_t cap, const struct tlsa_text_mention *m,
			const struct tlsa_alert *a)
{
	if (a == NULL) {
		snprintf(
			out, cap, "%s",
			m->dir == TLSA_TEXT_RECEIVED
				? "your side received an alert from the peer; the message does not "
				  "say which one"
			: m->dir == TLSA_TEXT_SENT
				? "your side sent an alert to the peer; the message does not say "
				  "which one"
				: "an alert passed between your side and the peer; the message "
				  "does "
				  "not say which one, nor who sent it");
	} else if (m->dir == TLSA_TEXT_RECEIVED) {
		snprintf(out, cap,
			 "your side received %s (%d) from the peer: the peer is telling you \"%s\"",
			 a->name, a->code, a->says);
	} else if (m->dir == TLSA_TEXT_SENT && m->pre13 && tlsa_alert_get((uint8_t)m->code_pre13)) {
		const struct tlsa_alert *b = tlsa_alert_get((uint8_t)m->code_pre13);
		snprintf(out, cap,
			 "your side sent %s (%d) to the peer under TLS 1.3, %s (%d) before TLS 1.3 "
			 "(the message does not show the version; --version picks one): your side "
			 "is telling the peer \"%s\"",
			 a->name, a->code, b->name, b->code, a->says);
	} else if (m->dir == TLSA_TEXT_SENT) {
		snprintf(out, cap,
			 "your side sent %s (%d) to the peer: your side is telling the peer \"%s\"",
			 a->name, a->code, a->says);
	} else {
		snprintf(out, cap,
			 "%s (%d) passed between your side and the peer; the message does not say "
			 "who sent it.  Its sender says \"%s\"",
			 a->name, a->code, a->says);
	}
}

/*
 * A local error alone (no alert named on the line): the pasting side found something wrong
 * and is the one that sent the alert; nothing was received.  Said as such, with what the
 * peer was rejected for (the rule's cause) and, since the same fault is answered with
 * different alerts by different stacks, every stack's alert for that cause.
 */
static bool local_only(const struct tlsa_text_mention *m)
{
	return m->dir == TLSA_TEXT_SENT && m->rule_id != NULL &&
	       strcmp(m->pattern_id, TLSA_TEXT_LOCAL_ID) == 0;
}

/* Causes that mean "the certificate was rejected" (their ids in data/causes.txt). */
static bool cert_cause(const char *id)
{
	return strncmp(id, "cert-", 5) == 0 || strcmp(id, "untrusted-ca") == 0 ||
	       strcmp(id, "client-cert-untrusted") == 0 || strcmp(id, "weak-key") == 0;
}

/* One stack's alerts for a cause, at most a few distinct codes. */
struct stack_alerts {
	const struct tlsa_stack_def *st;
	uint8_t codes[6];
	size_t n;
};

/*
 * For every stack (data order), the alerts its rules of the cause of rule `own` send when
 * the sender fits `sender` ("client", "server" or "either"); close_notify only from `own`
 * (an application's own check closes whatever the stack).  Returns how many stacks have one.
 */
static size_t alerts_by_stack(const struct tlsa_cause_rule *own, const char *sender,
			      struct stack_alerts *out, size_t cap)
{
	size_t n = 0;
	for (size_t s = 0; s < tlsa_stack_count() && n < cap; s++) {
		struct stack_alerts *sa = &out[n];
		sa->st = tlsa_stack_at(s);
		sa->n = 0;
		for (size_t i = 0; i < tlsa_cause_rule_count(); i++) {
			const struct tlsa_cause_rule *r = tlsa_cause_rule_at(i);
			if (strcmp(r->cause, own->cause) != 0 || strcmp(r->stacks, "*") == 0 ||
			    (r->alert == 0 && r != own) ||
			    !tlsa_cause_rule_has_stack(r, sa->st->token))
				continue;
			if (strcmp(sender, "either") != 0 && strcmp(r->sender, "either") != 0 &&
			    strcmp(r->sender, sender) != 0)
				continue;
			bool seen = false;
			for (size_t k = 0; k < sa->n; k++)
				seen |= sa->codes[k] == r->alert;
			if (!seen && sa->n < sizeof(sa->codes))
				sa->codes[sa->n++] = r->alert;
		}
		if (sa->n > 0)
			n++;
	}
	return n;
}

/*
 * "unknown_ca (48): OpenSSL 3.x, rustls; bad_certificate (42): Go crypto/tls" into buf:
 * the alerts in the order the stacks first send them, each with the stacks that do.
 * Returns how many distinct alerts.
 */
static size_t stack_alerts_text(char *buf, size_t cap, const struct stack_alerts *sa, size_t n)
{
	uint8_t codes[32];
	size_t nc = 0, o = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sa[i].n; k++) {
			bool seen = false;
			for (size_t j = 0; j < nc; j++)
				seen |= codes[j] == sa[i].codes[k];
			if (!seen && nc < sizeof(codes))
				codes[nc++] = sa[i].codes[k];
		}
	buf[0] = '\0';
	for (size_t j = 0; j < nc && o < cap; j++) {
		o += (size_t)snprintf(buf + o, cap - o, "%s%s (%d):", j ? "; " : "",
				      tlsa_alert_get(codes[j])->name, codes[j]);
		bool any = false;
		for (size_t i = 0; i < n && o < cap; i++)
			for (size_t k = 0; k < sa[i].n && o < cap; k++)
				if (sa[i].codes[k] == codes[j]) {
					o += (size_t)snprintf(buf + o, cap - o, "%s %s",
							      any ? "," : "", sa[i].st->name);
					any = true;
				}
	}
	return nc;
}

/* "stack_alerts": [{"stack", "stack_name", "codes": [..], "names": [..]}, ...] */
static void stack_alerts_json(struct jw *w, const struct stack_alerts *sa, size_t n)
{
	jw_arr_open(w, "stack_alerts");
	for (size_t i = 0; i < n; i++) {
		jw_obj_open(w, NULL);
		jw_str(w, "stack", sa[i].st->token);
		jw_str(w, "stack_name", sa[i].st->name);
		jw_arr_open(w, "codes");
		for (size_t k = 0; k < sa[i].n; k++)
			jw_int(w, NULL, sa[i].codes[k]);
		jw_arr_close(w);
		jw_arr_open(w, "names");
		for (size_t k = 0; k < sa[i].n; k++)
			jw_str(w, NULL, tlsa_alert_get(sa[i].codes[k])->name);
		jw_arr_close(w);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

/* The reader's view of a local error alone: what the pasting side did and sent. */
static void local_view(char *out, size_t cap, const struct tlsa_text_mention *m,
		       const struct tlsa_alert *a, struct stack_alerts *sa, size_t *n_sa)
{
	const struct tlsa_cause_rule *r = tlsa_cause_rule_get(m->rule_id);
	const struct tlsa_cause_def *d = r != NULL ? tlsa_cause_def_get(r->cause) : NULL;
	const char *sender = r != NULL ? r->sender : "either";
	bool client = strcmp(sender, "client") == 0, server = strcmp(sender, "server") == 0;
	char what[256], list[1024];

	*n_sa = 0;
	if (r == NULL || d == NULL || a == NULL) {
		snprintf(out, cap,
			 "no alert was received: this error is your side's own, and it "
			 "sent an alert to the peer");
		return;
	}
	char title[128];
	snprintf(title, sizeof(title), "%s", d->title);
	title[0] = (char)tolower((unsigned char)title[0]);
	if (cert_cause(r->cause))
		snprintf(what, sizeof(what), "%s rejected the %s certificate (%s)",
			 client	  ? "your client"
			 : server ? "your server"
				  : "your side",
			 client	  ? "server's"
			 : server ? "client's"
				  : "peer's",
			 title);
	else
		snprintf(what, sizeof(what), "%s stopped the handshake (%s)",
			 client	  ? "your client"
			 : server ? "your server"
				  : "your side",
			 title);
	*n_sa = alerts_by_stack(r, sender, sa, 16);
	if (stack_alerts_text(list, sizeof(list), sa, *n_sa) > 1)
		snprintf(out, cap,
			 "no alert was received: %s and sends %s (%d) to the peer (%s's answer) "
			 "-- which alert depends on the stack: %s.",
			 what, a->name, a->code, m->implementation, list);
	else
		snprintf(out, cap, "no alert was received: %s and sends %s (%d) to the peer.", what,
			 a->name, a->code);
}

/*
 * A local error that means the peer's bytes were not TLS ("wrong version number", Go's
 * "first record does not look like a TLS handshake"): no alert was received, whatever
 * code the rule files it under, so the alert's own explanation is not shown; the causes
 * are ranked with that rule (plaintext-service first) and the situation says whether
 * this side sent anything.
 */

/* "In this message (stack: "matched text"):" and the reader's view of it, wrapped. */
static void message_head(struct cli *c, const struct tlsa_text_mention *m, const char *input,
			 const char *view)
{
	fprintf(c->out, "%sIn this message%s (%s: \"%.*s\"):\n  ", cli_c(c, C_BOLD),
		cli_c(c, C_RESET), m->implementation, (int)(m->end - m->start), input + m->start);
	cli_wrap(c->out, view, 2, 2, c->width);
}

static void explain_notls(struct cli *c, const struct explain_opts *o, const char *input,
			  const struct tlsa_text_mention *m, const struct tlsa_cause_rule *r)
{
	const struct tlsa_alert *a = tlsa_alert_get(r->alert);
	static const char view[] =
		"no alert was received: this error means the peer's first bytes were not a TLS "
		"record, so the peer does not speak TLS on this port (a plain-text service such "
		"as HTTP, SMTP or SSH answered).";

	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "input", input);
		jw_null(&w, "code");
		jw_null(&w, "name");
		jw_bool(&w, "not_tls", true);
		jw_str(&w, "direction", tlsa_text_dir_name(m->dir));
		jw_str(&w, "implementation", m->implementation);
		jw_strn(&w, "matched", input + m->start, m->end - m->start);
		jw_str(&w, "reader_view", view);
		jw_str(&w, "situation", r->situation);
		explain_causes_json(&w, o, a);
		jw_end(&w);
		return;
	}
	if (c->fmt == OUT_CSV)
		return; /* no alert: no row */
	message_head(c, m, input, view);
	fputs("  ", c->out);
	cli_wrap(c->out, r->situation, 2, 2, c->width);
	explain_causes_text(c, o, a);
}

/*
 * A local error that means the connection ended under the pasting side (OpenSSL's
 * "unexpected eof while reading", SSL_ERROR_SYSCALL, a reset): no alert was received and
 * none could be sent, whatever the stack files it under.  Said so, with the causes that fit
 * (the rule's `peerclosed`).
 */
static void explain_closed(struct cli *c, const char *input, const struct tlsa_text_mention *m,
			   const struct tlsa_cause_rule *r)
{
	struct tlsa_cause cs[4];
	size_t n = causes_peerclosed(r, cs, 4);
	const struct tlsa_alert *a = tlsa_alert_get(r->alert);
	char view[512];

	snprintf(view, sizeof(view),
		 "no alert was received, and none was sent: the connection ended under your side "
		 "(the peer closed it without close_notify, or it was reset) before any alert "
		 "could pass.  %s files this error under %s (%d), which never reached the peer.",
		 m->implementation, a != NULL ? a->name : "an alert", r->alert);
	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "input", input);
		jw_null(&w, "code");
		jw_null(&w, "name");
		jw_bool(&w, "not_tls", false);
		jw_bool(&w, "peer_closed", true);
		jw_str(&w, "direction", tlsa_text_dir_name(m->dir));
		jw_str(&w, "implementation", m->implementation);
		jw_str(&w, "pattern", m->pattern_id);
		jw_strn(&w, "matched", input + m->start, m->end - m->start);
		jw_str(&w, "reader_view", view);
		jw_bool(&w, "received", false);
		jw_str(&w, "situation", r->situation);
		causes_json(&w, "causes", cs, n);
		jw_end(&w);
		return;
	}
	if (c->fmt == OUT_CSV)
		return; /* no alert: no row */
	message_head(c, m, input, view);
	fprintf(c->out, "%s  causes that fit:%s\n", cli_c(c, C_DIM), cli_c(c, C_RESET));
	for (size_t i = 0; i < n; i++) {
		char line[256];
		snprintf(line, sizeof(line), "%s (%s)", cs[i].title, cs[i].id);
		fputs("    - ", c->out);
		cli_wrap(c->out, line, 6, 6, c->width);
		fputs("      ", c->out);
		cli_wrap(c->out, cs[i].fix, 6, 6, c->width);
	}
}

/* One alert recognised in a pasted message: the explanation of a plain code plus
 * direction, implementation, matched text and the reader's view. */
static void explain_mention(struct cli *c, const struct explain_opts *run, const char *input,
			    const struct tlsa_text_mention *m, bool *first)
{
	struct tlsa_text_mention vm = *m;
	if (m->pre13 && run->ver != TLSA_VER_UNKNOWN) {
		/* --version says which of the pair the stack sent */
		if (tlsa_version_rank(run->ver) < tlsa_version_rank(TLSA_VER_TLS13)) {
			vm.code = m->code_pre13;
			vm.rule_id = m->rule_id_pre13;
		}
		vm.pre13 = false;
		vm.code_pre13 = -1;
		vm.rule_id_pre13 = NULL;
	}
	m = &vm;
	const struct tlsa_alert *a = m->code >= 0 ? tlsa_alert_get((uint8_t)m->code) : NULL;
	struct explain_opts mo = *run;
	const struct explain_opts *o = &mo;
	char view[2048]; /* local_view(): what + the stack list + words */

	mo.mention = m;
	struct tlsa_quic_error mq;
	mo.quic = quic_from_mention(m, &mq) ? &mq : NULL;
	const struct tlsa_cause_rule *pr = causes_peerclosed_rule(m);
	if (pr != NULL) {
		if (!*first && c->fmt == OUT_TEXT)
			fputc('\n', c->out);
		explain_closed(c, input, m, pr);
		*first = false;
		return;
	}
	const struct tlsa_cause_rule *nr = causes_notls_rule(m);
	if (nr != NULL) {
		if (!*first && c->fmt == OUT_TEXT)
			fputc('\n', c->out);
		explain_notls(c, o, input, m, nr);
		*first = false;
		return;
	}

	struct stack_alerts sa[16];
	size_t n_sa = 0;
	const struct tlsa_cause_rule *lr = local_only(m) ? tlsa_cause_rule_get(m->rule_id) : NULL;
	if (local_only(m))
		local_view(view, sizeof(view), m, a, sa, &n_sa);
	else
		reader_view(view, sizeof(view), m, a);
	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "input", input);
		if (a != NULL) {
			explain_json_fields(&w, o, a);
		} else {
			jw_null(&w, "code");
			jw_null(&w, "name");
		}
		jw_bool(&w, "not_tls", false);
		causes_json_pre13(&w, m);
		jw_str(&w, "direction", tlsa_text_dir_name(m->dir));
		jw_str(&w, "implementation", m->implementation);
		jw_strn(&w, "matched", input + m->start, m->end - m->start);
		jw_str(&w, "reader_view", view);
		jw_bool(&w, "received", m->dir == TLSA_TEXT_RECEIVED);
		if (n_sa > 0)
			stack_alerts_json(&w, sa, n_sa);
		if (lr != NULL)
			jw_str(&w, "situation", lr->situation);
		jw_end(&w);
		*first = false;
		return;
	}
	if (c->fmt == OUT_CSV) {
		if (a != NULL)
			explain_one(c, o, input, a, first);
		return;
	}
	if (!*first)
		fputc('\n', c->out);
	message_head(c, m, input, view);
	if (lr != NULL) { /* the rule's situation: why this stack sends what it sends */
		fputs("  ", c->out);
		cli_wrap(c->out, lr->situation, 2, 2, c->width);
	}
	*first = false;
	if (a != NULL) {
		fputc('\n', c->out);
		*first = true;
		explain_one(c, o, input, a, first);
	}
}

/* What scan_paste() puts before a line of a pasted message that no gate word opened. */
#define GATE "error: "

/*
 * Scans a pasted message line by line into mm.  A pasted message is an error message even
 * without a word the log reader waits for ("error:", "exception"): a line where nothing was
 * found is scanned again after GATE, so that local errors (Go's "tls: first record does not
 * look like a TLS handshake", curl's "SSL certificate problem: ...") are looked for all the
 * same.  Returns -1 when out of memory.
 */
static int scan_paste(const struct tlsa_text *rec, const char *input, size_t len,
		      struct msg_mentions *mm)
{
	char *gated = NULL;
	size_t cap = 0;

	for (size_t ls = 0; ls < len;) {
		const char *nl = memchr(input + ls, '\n', len - ls);
		size_t le = nl != NULL ? (size_t)(nl - input) : len;
		size_t before = mm->hits;
		mm->base = ls;
		mm->shift = 0;
		tlsa_text_scan(rec, input + ls, le - ls, 0, msg_collect, mm);
		if (mm->hits == before && le > ls) {
			size_t need = sizeof(GATE) + (le - ls);
			if (need > cap) {
				char *g = realloc(gated, need);
				if (g == NULL) {
					free(gated);
					return -1;
				}
				gated = g;
				cap = need;
			}
			memcpy(gated, GATE, sizeof(GATE) - 1);
			memcpy(gated + sizeof(GATE) - 1, input + ls, le - ls);
			mm->shift = sizeof(GATE) - 1;
			tlsa_text_scan(rec, gated, sizeof(GATE) - 1 + (le - ls), 0, msg_collect,
				       mm);
		}
		ls = le + 1;
	}
	free(gated);
	return 0;
}

/* A pasted message rather than a mistyped alert name: several lines, or three words or
 * more ("handshake failur" is still a name that was not found). */
static bool is_paste(const char *input)
{
	size_t words = 0;
	for (const char *p = input; *p != '\0'; p++)
		words += (p == input || p[-1] == ' ' || p[-1] == '\t') && *p != ' ' && *p != '\t';
	return strchr(input, '\n') != NULL || words >= 3;
}

/*
 * Explains one input: an alert code or name, or a pasted message (any number of lines)
 * that gets one answer.  Returns 0; EXIT_NONE when a pasted message holds no alert (said
 * in one line); EXIT_ERROR when a single word is not an alert, or on failure.
 */
static int explain_input(struct cli *c, const struct explain_opts *o, const char *input,
			 bool *first)
{
	uint8_t code;
	size_t len = strlen(input);

	if (tlsa_alert_parse(input, len, &code) == 0) {
		explain_one(c, o, input, tlsa_alert_get(code), first);
		return 0;
	}
	if (explain_quic(c, o, input, first))
		return 0;
	struct tlsa_text *rec;
	struct tlsa_error err;
	struct msg_mentions mm = {.n = 0};
	if (tlsa_text_new(&rec, &err) != 0)
		return cli_fail(c, "%s", err.msg);
	if (scan_paste(rec, input, len, &mm) != 0) {
		tlsa_text_free(rec);
		return cli_fail(c, "out of memory");
	}
	for (size_t i = 0; i < mm.n; i++) /* mentions point into rec: free it after */
		explain_mention(c, o, input, &mm.m[i], first);
	tlsa_text_free(rec);
	if (mm.n > 0)
		return 0;
	explain_quic_closes(c, input, first); /* what ended a QUIC connection, if named */
	if (!is_paste(input)) {
		struct cli_quoted q;
		return cli_fail(c, "%s is not an alert code (0-255) or a known alert name",
				cli_quote(&q, input));
	}
	size_t lines = 1;
	for (const char *p = input; (p = strchr(p, '\n')) != NULL && p[1] != '\0'; p++)
		lines++;
	fprintf(c->err,
		"tlsalert explain: no TLS alert in the pasted text (%zu line%s): looked for alert "
		"codes and names, %zu ways TLS stacks print an alert, and the errors they log "
		"when they send one (tlsalert logs --help)\n",
		lines, lines == 1 ? "" : "s", tlsa_text_pattern_count());
	return EXIT_NONE;
}

/* What the steps of cmd_explain return to let it go on. */
enum { GO_ON = -1 };

/* Reads the options into `o` and `color`; returns GO_ON, or the exit status to end with. */
static int explain_options(struct cli *c, int argc, char **argv, struct explain_opts *o,
			   const char **color)
{
	struct cli_quoted q;
	enum { OPT_JSON = 256, OPT_CSV, OPT_VERSION, OPT_COLOR, OPT_STACK };
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"csv", no_argument, NULL, OPT_CSV},
		{"version", required_argument, NULL, OPT_VERSION},
		{"tls-version", required_argument, NULL, OPT_VERSION},
		{"color", required_argument, NULL, OPT_COLOR},
		{"stack", required_argument, NULL, OPT_STACK},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	while ((opt = opts_next(c, argc, argv, opts)) != OPTS_DONE) {
		switch (opt) {
		case OPT_JSON: c->fmt = OUT_JSON; break;
		case OPT_CSV: c->fmt = OUT_CSV; break;
		case OPT_VERSION:
			if (tlsa_version_parse(optarg, &o->ver) != 0)
				return cli_fail(c,
						"unknown protocol version %s (try tls1.2, tls1.3, "
						"dtls1.2)",
						cli_quote(&q, optarg));
			break;
		case OPT_COLOR: *color = optarg; break;
		case OPT_STACK:
			if ((o->stack = tlsa_stack_parse(optarg)) == NULL) {
				char known[256];
				causes_stack_list(known, sizeof(known));
				return cli_fail(c, "unknown stack %s (known: %s)",
						cli_quote(&q, optarg), known);
			}
			break;
		case 'h': explain_usage(c->out); return EXIT_OK;
		case OPTS_ERROR: explain_usage(c->err); return EXIT_ERROR;
		}
	}
	return GO_ON;
}

/*
 * "explain handshake failure" means one alert, not two: when no argument is an
 * alert by itself but all of them joined by spaces are, that one alert is
 * explained.  Returns GO_ON when they are not, else the exit status.
 */
static int explain_joined(struct cli *c, const struct explain_opts *o, int argc, char **argv)
{
	size_t total = 0;
	uint8_t code;

	for (int i = optind; i < argc; i++)
		total += strlen(argv[i]) + 1;
	char *joined = malloc(total);
	if (joined == NULL)
		return cli_fail(c, "out of memory");
	joined[0] = '\0';
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(joined, " ");
		strcat(joined, argv[i]);
	}
	bool whole = true;
	for (int i = optind; i < argc && whole; i++)
		whole = tlsa_alert_parse(argv[i], strlen(argv[i]), &code) != 0;
	if (whole && explain_quic_joined(c, o, joined)) {
		free(joined);
		return EXIT_OK;
	}
	if (whole && tlsa_alert_parse(joined, strlen(joined), &code) == 0) {
		bool first = true;
		if (c->fmt == OUT_CSV)
			alert_csv_header(c->out);
		explain_one(c, o, joined, tlsa_alert_get(code), &first);
		free(joined);
		return EXIT_OK;
	}
	free(joined);
	return GO_ON;
}

/* The most of standard input read as one pasted message. */
#define PASTE_MAX (16u << 20)

/*
 * '-': standard input.  Lines that are alert codes or names are explained one by one as
 * they come (`cut -f3 codes | tlsalert explain -`, or an endless stream); from the first
 * line that is not, the rest is one pasted message, answered once.  Returns as
 * explain_input() does (the worst status).
 */
static int explain_stdin(struct cli *c, const struct explain_opts *o, bool *first)
{
	int rc = 0;
	char *line = NULL, *paste = NULL;
	size_t cap = 0, plen = 0, pcap = 0;
	ssize_t n;
	bool any = false;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		size_t e = (size_t)n;
		while (e > 0 && (line[e - 1] == '\n' || line[e - 1] == '\r'))
			e--;
		if (paste == NULL && e == 0)
			continue;
		any = true;
		if (paste == NULL && memchr(line, '\0', e) == NULL && explain_is_code(line, e)) {
			line[e] = '\0';
			explain_input(c, o, line, first); /* a code, a name or a QUIC spelling */
			continue;
		}
		if (plen + (size_t)n + 1 > pcap) {
			if (plen + (size_t)n + 1 > PASTE_MAX) {
				rc = cli_fail(c, "standard input: a pasted message over %u MiB",
					      PASTE_MAX >> 20);
				break;
			}
			size_t nc = pcap ? pcap * 2 : 4096;
			while (nc < plen + (size_t)n + 1)
				nc *= 2;
			char *np = realloc(paste, nc);
			if (np == NULL) {
				rc = cli_fail(c, "out of memory");
				break;
			}
			paste = np;
			pcap = nc;
		}
		memcpy(paste + plen, line, (size_t)n);
		plen += (size_t)n;
		paste[plen] = '\0';
	}
	free(line);
	if (rc == 0 && ferror(stdin))
		rc = cli_fail(c, "standard input: read error");
	if (rc == 0 && !any)
		rc = cli_fail(c, "standard input is empty");
	if (rc == 0 && paste != NULL) {
		if (strlen(paste) < plen)
			plen = strlen(paste); /* a NUL byte ends the text */
		while (plen > 0 && (paste[plen - 1] == '\n' || paste[plen - 1] == '\r'))
			paste[--plen] = '\0';
		rc = explain_input(c, o, paste, first);
	}
	free(paste);
	return rc;
}

int cmd_explain(struct cli *c, int argc, char **argv)
{
	struct explain_opts o = {TLSA_VER_UNKNOWN};
	const char *color = NULL;
	int rc = explain_options(c, argc, argv, &o, &color);

	if (rc != GO_ON)
		return rc;
	if (optind >= argc) {
		cli_fail(c, "no alert given");
		explain_usage(c->err);
		return EXIT_ERROR;
	}
	c->color = c->fmt == OUT_TEXT && cli_want_color(c->out, color);
	if (argc - optind > 1 && (rc = explain_joined(c, &o, argc, argv)) != GO_ON)
		return rc;

	rc = EXIT_OK;
	bool first = true;
	if (c->fmt == OUT_CSV)
		alert_csv_header(c->out);
	for (int i = optind; i < argc; i++) {
		int one = strcmp(argv[i], "-") == 0 ? explain_stdin(c, &o, &first)
						    : explain_input(c, &o, argv[i], &first);
		rc = one > rc ? one : rc; /* EXIT_ERROR over EXIT_NONE over EXIT_OK */
	}
	return rc;
}
