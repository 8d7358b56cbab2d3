/* Writers for ranked causes and per-stack cause tables (docs/causes.md). */
#include <string.h>

#include "causes_out.h"

size_t causes_rank(struct cli *c, const struct tlsa_diag_ctx *ctx, struct tlsa_cause *cs, int *rc)
{
	struct tlsa_error err = {0};
	size_t n = 0;

	if (tlsa_diagnose(ctx, cs, CAUSES_MAX, &n, &err) != 0) {
		*rc = cli_fail(c, "%s", err.msg);
		return 0;
	}
	return n;
}

/* Writes the words of a space- or ", "-separated list as a JSON array. */
static void json_words(struct jw *w, const char *key, const char *list)
{
	const char *p = list;

	jw_arr_open(w, key);
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, " ,");
		if (n > 0)
			jw_strn(w, NULL, p, n);
		p += n;
	}
	jw_arr_close(w);
}

void causes_json(struct jw *w, const char *key, const struct tlsa_cause *cs, size_t n)
{
	jw_arr_open(w, key);
	for (size_t i = 0; i < n; i++) {
		const struct tlsa_cause *k = &cs[i];
		jw_obj_open(w, NULL);
		jw_str(w, "id", k->id);
		jw_str(w, "title", k->title);
		jw_int(w, "score", k->score);
		jw_str(w, "stack", k->stacks);
		json_words(w, "stacks", k->stacks);
		jw_str(w, "sender", k->sender);
		jw_str(w, "reason", k->reason);
		jw_str(w, "error", k->error);
		jw_str(w, "evidence", k->evidence);
		jw_str(w, "fix", k->fix);
		jw_str(w, "rule_id", k->rule_id);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

void causes_text_brief(struct cli *c, const struct tlsa_cause *cs, size_t n, size_t limit)
{
	FILE *f = c->out;
	const char *d = cli_c(c, C_DIM), *r = cli_c(c, C_RESET), *b = cli_c(c, C_BOLD);
	char line[512];

	if (n == 0)
		return;
	fprintf(f, "%s  likely causes:%s", d, r);
	cli_wrap(f, "(score, cause; stacks whose tables give it; --stack NAME for one stack)", 16,
		 4, c->width);
	for (size_t i = 0; i < n && i < limit; i++) {
		fprintf(f, "    %3d %s%s%s ", cs[i].score, b, cs[i].id, r);
		snprintf(line, sizeof(line), "%s [%s]", cs[i].title, cs[i].stacks);
		cli_wrap(f, line, 9 + (int)strlen(cs[i].id), 8, c->width);
	}
}

static const char *version_words(const char *v)
{
	return v[0] != '\0' ? v : "every version";
}

void causes_stack_text(struct cli *c, uint8_t code, const struct tlsa_stack_def *st)
{
	FILE *f = c->out;
	const char *d = cli_c(c, C_DIM), *r = cli_c(c, C_RESET);
	const struct tlsa_alert *a = tlsa_alert_get(code);
	char buf[1024];
	size_t shown = 0;

	for (size_t i = 0; i < tlsa_cause_rule_count(); i++) {
		const struct tlsa_cause_rule *ru = tlsa_cause_rule_at(i);
		if (ru->alert != code || !tlsa_cause_rule_has_stack(ru, st->token))
			continue;
		if (shown++ == 0)
			fprintf(f, "%s  %s sends %d (%s) when:%s\n", d, st->name, code, a->name, r);
		snprintf(buf, sizeof(buf), "%s [%s%s%s%s%s; %s]: %s", ru->cause, ru->sender,
			 ru->steps[0] != '\0' ? "; at " : "", ru->steps,
			 ru->when[0] != '\0' ? "; when " : "", ru->when,
			 version_words(ru->versions), ru->situation);
		fputs("    - ", f);
		cli_wrap(f, buf, 6, 6, c->width);
		fprintf(f, "      %serror:%s ", d, r);
		cli_wrap(f, ru->error, 13, 13, c->width);
		if (ru->fix != NULL) {
			fprintf(f, "      %sfix:%s ", d, r);
			cli_wrap(f, ru->fix, 11, 11, c->width);
		}
	}
	size_t nevers = 0;
	for (size_t i = 0; i < tlsa_cause_never_count(); i++) {
		const struct tlsa_cause_never *nv = tlsa_cause_never_at(i);
		if (nv->alert != code || strcmp(nv->stack, st->token) != 0)
			continue;
		if (nevers++ == 0)
			fprintf(f, "%s  what %s does not do:%s\n", d, st->name, r);
		fputs("    - ", f);
		cli_wrap(f, nv->text, 6, 6, c->width);
	}
	if (shown == 0 && nevers == 0) {
		snprintf(buf, sizeof(buf),
			 "The %s tables list no situation in which it sends %d (%s).", st->name,
			 code, a->name);
		fputs("  ", f);
		cli_wrap(f, buf, 2, 2, c->width);
	}
}

void causes_stack_json(struct jw *w, uint8_t code, const struct tlsa_stack_def *st)
{
	jw_str(w, "stack", st->token);
	jw_str(w, "stack_name", st->name);
	jw_arr_open(w, "stack_situations");
	for (size_t i = 0; i < tlsa_cause_rule_count(); i++) {
		const struct tlsa_cause_rule *ru = tlsa_cause_rule_at(i);
		if (ru->alert != code || !tlsa_cause_rule_has_stack(ru, st->token))
			continue;
		jw_obj_open(w, NULL);
		jw_str(w, "rule_id", ru->id);
		jw_str(w, "cause", ru->cause);
		jw_str(w, "sender", ru->sender);
		json_words(w, "versions", ru->versions);
		json_words(w, "steps", ru->steps);
		json_words(w, "when", ru->when);
		jw_str(w, "situation", ru->situation);
		jw_str(w, "error", ru->error);
		jw_str(w, "fix", ru->fix != NULL ? ru->fix : tlsa_cause_def_get(ru->cause)->fix);
		jw_int(w, "weight", ru->weight);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_arr_open(w, "stack_never");
	for (size_t i = 0; i < tlsa_cause_never_count(); i++) {
		const struct tlsa_cause_never *nv = tlsa_cause_never_at(i);
		if (nv->alert != code || strcmp(nv->stack, st->token) != 0)
			continue;
		jw_obj_open(w, NULL);
		jw_str(w, "sender", nv->sender);
		json_words(w, "versions", nv->versions);
		jw_arr_open(w, "instead");
		for (size_t k = 0; k < nv->n_instead; k++)
			if (nv->instead[k] != 0 || nv->n_instead > 1)
				jw_int(w, NULL, nv->instead[k]);
		jw_arr_close(w);
		jw_str(w, "text", nv->text);
		jw_obj_close(w);
	}
	jw_arr_close(w);
}

void causes_stack_list(char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < tlsa_stack_count(); i++) {
		int k = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "",
				 tlsa_stack_at(i)->token);
		if (k < 0 || (size_t)k >= cap - len)
			break;
		len += (size_t)k;
	}
}

const struct tlsa_cause_rule *causes_notls_rule(const struct tlsa_text_mention *m)
{
	const struct tlsa_cause_rule *r =
		m->rule_id != NULL ? tlsa_cause_rule_get(m->rule_id) : NULL;
	return r != NULL && r->notls ? r : NULL;
}

const struct tlsa_cause_rule *causes_peerclosed_rule(const struct tlsa_text_mention *m)
{
	const struct tlsa_cause_rule *r =
		m->rule_id != NULL ? tlsa_cause_rule_get(m->rule_id) : NULL;
	return r != NULL && r->peerclosed != NULL ? r : NULL;
}

size_t causes_peerclosed(const struct tlsa_cause_rule *r, struct tlsa_cause *k, size_t max)
{
	size_t n = 0;
	if (max == 0)
		return 0;
	causes_outcome(&k[n], r->cause, r->sender);
	k[n].rule_id = r->id;
	k[n].reason = r->situation;
	k[n].error = r->error;
	if (r->fix != NULL)
		k[n].fix = r->fix;
	snprintf(k[n++].stacks, sizeof(k[0].stacks), "%s", r->stacks);
	for (const char *p = r->peerclosed; *p != '\0' && n < max;) {
		size_t len = strcspn(p, " ");
		char id[64];
		snprintf(id, sizeof(id), "%.*s", (int)len, p);
		const struct tlsa_cause_def *d = tlsa_cause_def_get(id);
		if (d != NULL)
			causes_outcome(&k[n++], d->id, "either");
		p += len;
		p += strspn(p, " ");
	}
	return n;
}

void causes_outcome(struct tlsa_cause *k, const char *id, const char *sender)
{
	const struct tlsa_cause_def *d = tlsa_cause_def_get(id);
	memset(k, 0, sizeof(*k));
	k->id = id;
	k->title = d != NULL ? d->title : k->id;
	k->sender = sender;
	k->reason = d != NULL ? d->summary : "";
	k->error = NULL; /* no rule: no log line of a stack */
	k->fix = d != NULL ? d->fix : "";
	k->score = 100;
}

void causes_plaintext(struct tlsa_cause *k, const char *sender, const char *said, uint64_t frame)
{
	causes_outcome(k, "plaintext-service", sender);
	snprintf(k->evidence, sizeof(k->evidence),
		 "the %s answered the ClientHello in plain text at frame %llu: \"%s\"; no TLS "
		 "record came back, so no alert was exchanged",
		 sender, (unsigned long long)frame, said);
}

void causes_json_pre13(struct jw *w, const struct tlsa_text_mention *m)
{
	if (m->pre13) {
		jw_int(w, "code_pre13", m->code_pre13);
		jw_str(w, "name_pre13", tlsa_alert_get((uint8_t)m->code_pre13)->name);
	} else {
		jw_null(w, "code_pre13");
		jw_null(w, "name_pre13");
	}
}
