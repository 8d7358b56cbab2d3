/*
 * `tlsalert serve`: one connection as text (what was sent, what the peer did,
 * the verdict and the RFC rule it rests on) or as one JSON object
 * (docs/json.md).
 */
#include <string.h>

#include "serve_out.h"

static const char *version_text(uint16_t v)
{
	return v == 0 ? NULL : tlsa_version_name(tlsa_version_from_wire(v));
}

void serve_alert_text(const struct tlsa_serve_alert *a, char *buf, size_t cap)
{
	const char *lv = tlsa_level_name(a->level);
	char level[24];
	if (lv != NULL)
		snprintf(level, sizeof(level), "%s", lv);
	else
		snprintf(level, sizeof(level), "level %u (bogus)", a->level);
	snprintf(buf, cap, "%s %s (%u)", level, tlsa_alert_get(a->code)->name, a->code);
	size_t n = strlen(buf);
	if (a->shape == TLSA_SHAPE_REPEAT)
		snprintf(buf + n, cap - n, " x %u", a->repeat);
	else if (a->shape != TLSA_SHAPE_NORMAL)
		snprintf(buf + n, cap - n, ", %s", tlsa_serve_shape_name(a->shape));
	n = strlen(buf);
	if (a->plaintext)
		snprintf(buf + n, cap - n, ", plaintext on purpose");
}

/* The peer's first alert: "fatal decode_error (50)". */
static void peer_alert_text(const struct tlsa_serve_reaction *re, char *buf, size_t cap)
{
	const char *lv = tlsa_level_name(re->alert_level);
	char level[16];
	if (lv != NULL)
		snprintf(level, sizeof(level), "%s", lv);
	else
		snprintf(level, sizeof(level), "level %u", re->alert_level);
	snprintf(buf, cap, "%s %s (%u)%s", level, tlsa_alert_get(re->alert_code)->name,
		 re->alert_code, re->alert_encrypted ? ", encrypted" : "");
}

static const char *end_text(tlsa_serve_end e)
{
	switch (e) {
	case TLSA_SERVE_END_FIN: return "closed (FIN)";
	case TLSA_SERVE_END_RST: return "reset (RST)";
	case TLSA_SERVE_END_TIMEOUT: return "left the connection open";
	default: return "?";
	}
}

void serve_reaction_text(const struct tlsa_serve_result *r, bool fallback, char *buf, size_t cap)
{
	const struct tlsa_serve_reaction *re = &r->reaction;
	char al[96];
	if (fallback) {
		snprintf(buf, cap, "came back with a lower version (an insecure fallback)");
		return;
	}
	if (!r->alert_sent) {
		snprintf(buf, cap, "nothing to watch: the alert was not sent");
		return;
	}
	switch (re->kind) {
	case TLSA_REACT_ALERT:
	case TLSA_REACT_CLOSE_NOTIFY:
		peer_alert_text(re, al, sizeof(al));
		snprintf(buf, cap, "its own alert, %s, then %s", al, end_text(re->end));
		break;
	case TLSA_REACT_CONTINUE:
		snprintf(buf, cap,
			 "went on: %u handshake, %u change_cipher_spec, %u application data "
			 "record(s), then %s",
			 re->handshake_records, re->ccs_records, re->appdata_records,
			 end_text(re->end));
		break;
	case TLSA_REACT_OPAQUE:
		snprintf(buf, cap, "sent %u record(s) serve could not read, then %s",
			 re->undecryptable + re->oversized, end_text(re->end));
		break;
	case TLSA_REACT_CLOSE: snprintf(buf, cap, "%s without an alert", end_text(re->end)); break;
	case TLSA_REACT_HANG: snprintf(buf, cap, "nothing: %s", end_text(re->end)); break;
	default: snprintf(buf, cap, "?"); break;
	}
	size_t n = strlen(buf);
	if (re->end_ms >= 0 && re->end != TLSA_SERVE_END_TIMEOUT)
		snprintf(buf + n, cap - n, " after %lld ms", (long long)re->end_ms);
}

int serve_verdict_status(const struct tlsa_serve_result *r)
{
	return r->reaction.verdict == TLSA_VERDICT_VIOLATES ? 1 : 0;
}

/* The verdict as a JSON/CSV token. */
const char *serve_verdict_token(const struct tlsa_serve_result *r, bool fallback)
{
	if (fallback)
		return "violates";
	if (!r->alert_sent)
		return NULL;
	switch (r->reaction.verdict) {
	case TLSA_VERDICT_FOLLOWS: return "follows";
	case TLSA_VERDICT_VIOLATES: return "violates";
	default: return "no_rule";
	}
}

/* The reaction as a JSON/CSV token: react's kind, or "fallback". */
const char *serve_reaction_token(const struct tlsa_serve_result *r, bool fallback)
{
	if (fallback)
		return "fallback";
	if (!r->alert_sent)
		return NULL;
	return tlsa_reaction_kind_name(r->reaction.kind);
}

/* "sent" line: the alert as it went, or why it did not. */
static void sent_text(struct sctx *x, const struct tlsa_serve_result *r, char *buf, size_t cap)
{
	char al[128];
	serve_alert_text(&x->o.alert, al, sizeof(al));
	if (!r->alert_sent) {
		snprintf(buf, cap, "nothing: the handshake did not reach %s%s%s",
			 tlsa_serve_step_name(x->o.step), r->detail[0] ? ": " : "", r->detail);
		size_t k = strlen(buf);
		if (r->peer_code >= 0)
			snprintf(buf + k, cap - k, "; the %s sent %s %s (%d) first",
				 x->o.client_role ? "server" : "client",
				 tlsa_level_name(r->peer_level) ? tlsa_level_name(r->peer_level)
								: "level?",
				 tlsa_alert_get((uint8_t)r->peer_code)->name, r->peer_code);
		return;
	}
	snprintf(buf, cap, "%s at %s, %s", al, tlsa_serve_step_name(x->o.step),
		 r->alert_encrypted ? "encrypted" : "in plaintext");
	size_t n = strlen(buf);
	if (r->alert_encrypted)
		snprintf(buf + n, cap - n, ", sequence number %llu",
			 (unsigned long long)r->alert_seq);
	n = strlen(buf);
	if (r->alert_records > 1)
		snprintf(buf + n, cap - n, ", %u records", r->alert_records);
}

static void verdict_text(const struct tlsa_serve_result *r, bool fallback, char *buf, size_t cap)
{
	const struct tlsa_serve_reaction *re = &r->reaction;
	if (fallback) {
		snprintf(buf, cap,
			 "violates: RFC 7507 / RFC 8446 4.1.3: a client that retries with a lower "
			 "version after an alert can be downgraded by anyone who forges one");
		return;
	}
	snprintf(buf, cap, "%s", tlsa_verdict_name(re->verdict));
	size_t n = strlen(buf);
	if (re->rule != NULL && re->rule->rfc != NULL)
		snprintf(buf + n, cap - n, ": %s: %s", re->rule->rfc,
			 re->rule->says != NULL ? re->rule->says : "");
	n = strlen(buf);
	if (re->reason[0] != '\0')
		snprintf(buf + n, cap - n, " (%s)", re->reason);
}

static void text_line(struct sctx *x, const char *label, enum cli_color col, const char *text)
{
	struct cli *c = x->c;
	fprintf(c->out, "  %s%-8s%s ", cli_c(c, col), label, cli_c(c, C_RESET));
	cli_wrap(c->out, text, 11, 11, c->width);
}

static void text_conn(struct sctx *x, const struct tlsa_serve_result *r, unsigned n, bool fallback)
{
	struct cli *c = x->c;
	char buf[640];
	const char *v = version_text(r->version);
	const char *suite = r->suite != 0 ? tlsa_cipher_suite_name(r->suite) : NULL;
	const struct tlsa_probe_addr *peer = &r->remote;
	snprintf(buf, sizeof(buf), "%s %s port %u%s%s%s%s%s%s%s%s",
		 x->o.client_role ? "server" : "client", peer->text, peer->port, v ? ", " : "",
		 v ? v : "", suite ? ", " : "", suite ? suite : "", r->sni[0] ? ", SNI=" : "",
		 r->sni, r->alpn[0] ? ", ALPN=" : "", r->alpn);
	int col = fprintf(c->out, "connection %u:", n);
	cli_wrap(c->out, buf, col, 4, c->width);
	sent_text(x, r, buf, sizeof(buf));
	text_line(x, "sent", C_BLUE, buf);
	if (!r->alert_sent && !fallback)
		return;
	serve_reaction_text(r, fallback, buf, sizeof(buf));
	text_line(x, "peer", C_YELLOW, buf);
	verdict_text(r, fallback, buf, sizeof(buf));
	bool bad = fallback || r->reaction.verdict == TLSA_VERDICT_VIOLATES;
	text_line(x, "verdict", bad ? C_RED : C_GREEN, buf);
}

static void json_alert(struct jw *w, const char *prefix, uint8_t level, uint8_t code)
{
	char k[32];
	snprintf(k, sizeof(k), "%slevel", prefix);
	jw_int(w, k, level);
	snprintf(k, sizeof(k), "%scode", prefix);
	jw_int(w, k, code);
	snprintf(k, sizeof(k), "%sname", prefix);
	jw_str(w, k, tlsa_alert_get(code)->name);
}

/* The peer's side: the reaction object of docs/json.md. */
static void json_reaction(struct jw *w, const struct tlsa_serve_result *r, bool fallback)
{
	const struct tlsa_serve_reaction *re = &r->reaction;
	jw_str(w, "reaction", serve_reaction_token(r, fallback));
	jw_bool(w, "fallback", fallback);
	if (!r->alert_sent) {
		jw_null(w, "verdict");
		return;
	}
	jw_str(w, "end", tlsa_reaction_end_name(re->end));
	if (re->alerts > 0) {
		json_alert(w, "peer_alert_", re->alert_level, re->alert_code);
		jw_bool(w, "peer_alert_encrypted", re->alert_encrypted);
	} else {
		jw_null(w, "peer_alert_level");
		jw_null(w, "peer_alert_code");
		jw_null(w, "peer_alert_name");
		jw_null(w, "peer_alert_encrypted");
	}
	jw_uint(w, "peer_alerts", re->alerts);
	jw_uint(w, "peer_records", re->records);
	jw_uint(w, "peer_handshake_records", re->handshake_records);
	jw_uint(w, "peer_appdata_records", re->appdata_records);
	jw_uint(w, "peer_unreadable_records", re->undecryptable);
	jw_uint(w, "peer_bytes", re->bytes);
	if (re->end_ms >= 0)
		jw_int(w, "end_ms", re->end_ms);
	else
		jw_null(w, "end_ms");
	jw_str(w, "verdict", serve_verdict_token(r, fallback));
	jw_str(w, "rule", re->rule != NULL ? re->rule->id : NULL);
	jw_str(w, "rfc", fallback ? "RFC 7507" : re->rule != NULL ? re->rule->rfc : NULL);
	jw_str(w, "rfc_says", re->rule != NULL && !fallback ? re->rule->says : NULL);
	jw_str(w, "reason", re->reason[0] ? re->reason : NULL);
}

static void json_conn(struct sctx *x, const struct tlsa_serve_result *r, unsigned n, bool fallback)
{
	struct jw w;
	char hex[8];
	const struct tlsa_serve_alert *a = &x->o.alert;
	jw_begin(&w, x->c->out);
	jw_str(&w, "type", "serve");
	jw_uint(&w, "connection", n);
	jw_str(&w, "role", x->o.client_role ? "client" : "server");
	jw_str(&w, "local", r->local.text);
	jw_uint(&w, "local_port", r->local.port);
	jw_str(&w, "peer", r->remote.text);
	jw_uint(&w, "peer_port", r->remote.port);
	jw_str(&w, "version", version_text(r->version));
	if (r->suite != 0) {
		snprintf(hex, sizeof(hex), "0x%04x", r->suite);
		jw_str(&w, "cipher_suite", hex);
		jw_str(&w, "cipher_suite_name", tlsa_cipher_suite_name(r->suite));
	} else {
		jw_null(&w, "cipher_suite");
		jw_null(&w, "cipher_suite_name");
	}
	jw_str(&w, "sni", r->sni[0] ? r->sni : NULL);
	jw_str(&w, "alpn", r->alpn[0] ? r->alpn : NULL);
	jw_str(&w, "step", tlsa_serve_step_name(x->o.step));
	jw_bool(&w, "reached", r->reached);
	jw_bool(&w, "alert_sent", r->alert_sent);
	json_alert(&w, "", a->level, a->code);
	jw_str(&w, "shape", tlsa_serve_shape_name(a->shape));
	jw_uint(&w, "repeat", a->shape == TLSA_SHAPE_REPEAT ? a->repeat : 1);
	jw_bool(&w, "plaintext", a->plaintext);
	jw_bool(&w, "encrypted", r->alert_encrypted);
	if (r->alert_encrypted)
		jw_uint(&w, "seq", r->alert_seq);
	else
		jw_null(&w, "seq");
	jw_uint(&w, "alert_records", r->alert_records);
	json_reaction(&w, r, fallback);
	if (r->peer_code >= 0) {
		jw_int(&w, "early_peer_alert_level", r->peer_level);
		jw_int(&w, "early_peer_alert_code", r->peer_code);
		jw_str(&w, "early_peer_alert_name", tlsa_alert_get((uint8_t)r->peer_code)->name);
	} else {
		jw_null(&w, "early_peer_alert_level");
		jw_null(&w, "early_peer_alert_code");
		jw_null(&w, "early_peer_alert_name");
	}
	jw_str(&w, "detail", r->detail[0] ? r->detail : NULL);
	jw_uint(&w, "elapsed_ms", r->elapsed_ms);
	jw_end(&w);
}

void serve_print(struct sctx *x, const struct tlsa_serve_result *r, unsigned n, bool fallback)
{
	if (x->c->fmt == OUT_JSON)
		json_conn(x, r, n, fallback);
	else
		text_conn(x, r, n, fallback);
}
