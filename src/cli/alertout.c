/* Writers for registry entries, shared by `explain` and `list`. */
#include <string.h>

#include "alertout.h"

/* Versions as the level summary groups them (DTLS follows TLS; see data/alerts.txt). */
static const tlsa_version text_versions[] = {
	TLSA_VER_SSL3, TLSA_VER_TLS10, TLSA_VER_TLS11, TLSA_VER_TLS12, TLSA_VER_TLS13,
};

void alert_json_fields(struct jw *w, const struct tlsa_alert *a)
{
	jw_int(w, "code", a->code);
	jw_str(w, "name", a->name);
	jw_str(w, "status", tlsa_status_name(a->status));
	jw_arr_open(w, "rfcs");
	for (size_t i = 0; i < a->n_rfcs; i++)
		jw_str(w, NULL, a->rfcs[i]);
	jw_arr_close(w);
	jw_str(w, "since", a->since[0] ? a->since : NULL);
	jw_str(w, "tls13", tlsa_rule_name(tlsa_alert_rule(a, TLSA_VER_TLS13)));
	jw_obj_open(w, "levels");
	for (int v = TLSA_VER_SSL3; v < TLSA_VER_COUNT; v++)
		jw_str(w, tlsa_version_token((tlsa_version)v),
		       tlsa_rule_name(tlsa_alert_rule(a, (tlsa_version)v)));
	jw_obj_close(w);
	jw_str(w, "sender", a->sender);
	jw_str(w, "stage", a->stage[0] ? a->stage : NULL);
	jw_str(w, "meaning", a->summary);
	jw_str(w, "sender_says", a->says);
	jw_str(w, "receiver_checks", a->check);
	jw_str(w, "tls13_note", a->tls13note);
	jw_arr_open(w, "common_causes");
	for (size_t i = 0; i < a->n_causes; i++)
		jw_str(w, NULL, a->causes[i]);
	jw_arr_close(w);
}

void alert_levels_text(FILE *f, const struct tlsa_alert *a, int col, int indent, int width)
{
	char buf[512];
	size_t n = 0;
	size_t nv = sizeof(text_versions) / sizeof(text_versions[0]);

	buf[0] = '\0';
	for (size_t i = 0; i < nv;) {
		tlsa_rule r = tlsa_alert_rule(a, text_versions[i]);
		size_t j = i;
		while (j + 1 < nv && tlsa_alert_rule(a, text_versions[j + 1]) == r &&
		       text_versions[j + 1] != TLSA_VER_TLS13)
			j++;
		const char *from = tlsa_version_name(text_versions[i]);
		const char *to = tlsa_version_name(text_versions[j]);
		int w;
		if (i == j)
			w = snprintf(buf + n, sizeof(buf) - n, "%s%s: %s", n ? "; " : "", from,
				     tlsa_rule_text(r));
		else
			w = snprintf(buf + n, sizeof(buf) - n, "%s%s-%s: %s", n ? "; " : "", from,
				     to + 4, tlsa_rule_text(r));
		if (w < 0 || (size_t)w >= sizeof(buf) - n)
			break;
		n += (size_t)w;
		i = j + 1;
	}
	tlsa_rule d13 = tlsa_alert_rule(a, TLSA_VER_DTLS13);
	if (d13 != tlsa_alert_rule(a, TLSA_VER_TLS13))
		snprintf(buf + n, sizeof(buf) - n, "; DTLS 1.3: %s", tlsa_rule_text(d13));
	cli_wrap(f, buf, col, indent, width);
}

void alert_csv_header(FILE *f)
{
	fputs("code,name,status,rfcs,tls13,sender,stage,meaning\n", f);
}

void alert_csv_row(FILE *f, const struct tlsa_alert *a)
{
	char rfcs[256];
	size_t n = 0;

	rfcs[0] = '\0';
	for (size_t i = 0; i < a->n_rfcs && n < sizeof(rfcs); i++) {
		int w = snprintf(rfcs + n, sizeof(rfcs) - n, "%s%s", i ? " " : "", a->rfcs[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	csv_int(f, a->code, true);
	csv_field(f, a->name, false);
	csv_field(f, tlsa_status_name(a->status), false);
	csv_field(f, rfcs, false);
	csv_field(f, tlsa_rule_name(tlsa_alert_rule(a, TLSA_VER_TLS13)), false);
	csv_field(f, a->sender, false);
	csv_field(f, a->stage, false);
	csv_field(f, a->summary, false);
	csv_end(f);
}
