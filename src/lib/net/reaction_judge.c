/*
 * The reaction judge: what kind of reaction the parser's counts are, which
 * rule of data/serve-rules.txt governs the case (first match), its verdict,
 * and a one-line reason.  Also the fallback helpers for the CLI, which
 * compares connections.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reaction_int.h"
#include "tlsalert/registry.h"

#include "serverules_data.h"

const char *tlsa_reaction_kind_name(tlsa_reaction_kind k)
{
	static const char *const names[] = {"continue", "alert", "close_notify",
					    "opaque",	"close", "hang"};
	return (unsigned)k < TLSA_REACT_COUNT ? names[k] : "?";
}

const char *tlsa_reaction_end_name(tlsa_serve_end e)
{
	static const char *const names[] = {"none", "fin", "rst", "timeout"};
	return (unsigned)e <= TLSA_SERVE_END_TIMEOUT ? names[e] : "?";
}

const char *tlsa_verdict_name(tlsa_serve_verdict v)
{
	static const char *const names[] = {"follows", "violates", "no rule"};
	return (unsigned)v <= TLSA_VERDICT_NO_RULE ? names[v] : "?";
}

const struct tlsa_reaction_rule *tlsa_reaction_rules(size_t *n)
{
	if (n != NULL)
		*n = sizeof(serve_rules) / sizeof(serve_rules[0]);
	return serve_rules;
}

static unsigned version_bit(uint16_t wire)
{
	switch (tlsa_version_from_wire(wire)) {
	case TLSA_VER_TLS10:
	case TLSA_VER_TLS11:
	case TLSA_VER_TLS12: return TLSA_RV_TLS12;
	case TLSA_VER_TLS13: return TLSA_RV_TLS13;
	case TLSA_VER_DTLS10:
	case TLSA_VER_DTLS12: return TLSA_RV_DTLS12;
	default: return TLSA_RV_OTHER;
	}
}

static unsigned code_bit(uint8_t code, uint16_t wire)
{
	if (code == 0)
		return TLSA_RC_CLOSE_NOTIFY;
	if (code == 90)
		return TLSA_RC_USER_CANCELED;
	tlsa_rule rule = tlsa_alert_rule(tlsa_alert_get(code), tlsa_version_from_wire(wire));
	return rule == TLSA_RULE_ABSENT ? TLSA_RC_UNKNOWN : TLSA_RC_KNOWN;
}

const struct tlsa_reaction_rule *tlsa_reaction_rule_for(const struct tlsa_reaction_case *c)
{
	unsigned v = version_bit(c->version);
	unsigned l = c->level == 1   ? TLSA_RL_WARNING
		     : c->level == 2 ? TLSA_RL_FATAL
				     : TLSA_RL_BOGUS;
	unsigned k = code_bit(c->code, c->version);
	unsigned s = (unsigned)c->shape < TLSA_SHAPE_COUNT ? 1u << c->shape : 0;
	unsigned p = c->plaintext ? 2 : 1;
	size_t n = sizeof(serve_rules) / sizeof(serve_rules[0]);
	for (size_t i = 0; i < n; i++) {
		const struct tlsa_reaction_rule *r = &serve_rules[i];
		if ((r->versions & v) && (r->levels & l) && (r->codes & k) && (r->shapes & s) &&
		    (r->plaintext & p))
			return r;
	}
	return &serve_rules[n - 1];
}

tlsa_serve_verdict tlsa_reaction_judge(const struct tlsa_reaction_case *c, tlsa_reaction_kind k,
				       const struct tlsa_reaction_rule **rule)
{
	const struct tlsa_reaction_rule *r = tlsa_reaction_rule_for(c);
	if (rule != NULL)
		*rule = r;
	unsigned bit = (unsigned)k < TLSA_REACT_COUNT ? 1u << k : 0;
	if (r->follows & bit)
		return TLSA_VERDICT_FOLLOWS;
	if (r->violates & bit)
		return TLSA_VERDICT_VIOLATES;
	return TLSA_VERDICT_NO_RULE;
}

static tlsa_reaction_kind kind_of(const struct tlsa_reaction_case *c, const struct react_counts *n,
				  const struct tlsa_serve_reaction *s)
{
	bool closed = s->end == TLSA_SERVE_END_FIN || s->end == TLSA_SERVE_END_RST;
	if (s->continued_records > 0)
		return TLSA_REACT_CONTINUE;
	if (s->alerts == 0 && c->peer_alerted_first && (closed || c->peer_first_level == 2))
		return c->peer_first_code == 0 ? TLSA_REACT_CLOSE_NOTIFY : TLSA_REACT_ALERT;
	if (n->error_alert && (n->ending_alert || closed))
		return TLSA_REACT_ALERT;
	if (n->close_notify)
		return TLSA_REACT_CLOSE_NOTIFY;
	if (s->undecryptable > 0 || s->garbage_bytes > 0 || s->oversized > 0 ||
	    s->other_records > 0 || (n->partial && !n->error_alert))
		return TLSA_REACT_OPAQUE;
	return closed ? TLSA_REACT_CLOSE : TLSA_REACT_HANG;
}

/* "a fatal handshake_failure(40) alert", "an empty alert record", ... */
static void our_alert(const struct tlsa_reaction_case *c, unsigned sent, char *buf, size_t cap)
{
	const char *name = tlsa_alert_get(c->code)->name;
	char level[24];
	if (c->shape == TLSA_SHAPE_EMPTY) {
		snprintf(buf, cap, "an empty alert record");
		return;
	}
	if (c->level == 1 || c->level == 2)
		snprintf(level, sizeof(level), "%s", c->level == 1 ? "warning" : "fatal");
	else
		snprintf(level, sizeof(level), "level-%u", c->level);
	const char *how = c->shape == TLSA_SHAPE_FRAGMENTED ? " fragmented"
			  : c->shape == TLSA_SHAPE_DOUBLE   ? " doubled"
			  : c->plaintext		    ? " unprotected"
							    : "";
	if (c->shape == TLSA_SHAPE_REPEAT && sent > 1)
		snprintf(buf, cap, "%u %s %s(%u) alerts", sent, level, name, c->code);
	else
		snprintf(buf, cap, "a%s %s %s(%u) alert", how, level, name, c->code);
}

static const char *end_words(tlsa_serve_end e)
{
	switch (e) {
	case TLSA_SERVE_END_FIN: return "closed (FIN)";
	case TLSA_SERVE_END_RST: return "reset the connection (RST)";
	case TLSA_SERVE_END_TIMEOUT: return "left the connection open until the timeout";
	default: return "is still connected";
	}
}

/* "2 application data and 1 handshake records" */
static void data_words(const struct react_counts *n, char *buf, size_t cap)
{
	const unsigned v[3] = {n->cont_app, n->cont_hs, n->cont_ccs};
	const char *w[3] = {"application data", "handshake", "ChangeCipherSpec"};
	size_t used = 0;
	unsigned total = 0, parts = 0;
	buf[0] = '\0';
	for (int i = 0; i < 3; i++)
		parts += v[i] > 0;
	for (int i = 0; i < 3 && used < cap; i++) {
		if (v[i] == 0)
			continue;
		total += v[i];
		parts--;
		int k = snprintf(buf + used, cap - used, "%u %s%s", v[i], w[i],
				 parts > 1    ? ", "
				 : parts == 1 ? " and "
					      : "");
		used += k > 0 ? (size_t)k : 0;
	}
	if (used < cap)
		snprintf(buf + used, cap - used, " record%s", total == 1 ? "" : "s");
}

/* The reason, cut to fit: names of unassigned codes make it long. */
static void say(struct tlsa_serve_reaction *s, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
static void say(struct tlsa_serve_reaction *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

static void reason(const struct tlsa_reaction_case *c, const struct react_counts *n,
		   struct tlsa_serve_reaction *s)
{
	const char *who = c->peer_is_client ? "the client" : "the server";
	char ours[96], what[96];
	our_alert(c, s->warnings_sent, ours, sizeof(ours));
	if (s->alerts == 0 && c->peer_alerted_first &&
	    (s->kind == TLSA_REACT_ALERT || s->kind == TLSA_REACT_CLOSE_NOTIFY)) {
		const char *lv = tlsa_level_name(c->peer_first_level);
		say(s, "%s had sent its own %s %s(%u) before %s, and %s", who,
		    lv != NULL ? lv : "bogus-level", tlsa_alert_get(c->peer_first_code)->name,
		    c->peer_first_code, ours, end_words(s->end));
		return;
	}
	switch (s->kind) {
	case TLSA_REACT_CONTINUE:
		data_words(n, what, sizeof(what));
		say(s, "%s sent %s after %s", who, what, ours);
		break;
	case TLSA_REACT_ALERT:
		say(s, "%s answered %s with its own %s %s(%u)%s and %s", who, ours,
		    tlsa_level_name(s->alert_level) ? tlsa_level_name(s->alert_level)
						    : "bogus-level",
		    tlsa_alert_get(s->alert_code)->name, s->alert_code,
		    s->alert_encrypted ? " (encrypted)" : "", end_words(s->end));
		break;
	case TLSA_REACT_CLOSE_NOTIFY:
		say(s, "%s answered %s with close_notify and %s", who, ours, end_words(s->end));
		break;
	case TLSA_REACT_OPAQUE:
		say(s,
		    "nothing %s sent after %s could be read (%u undecryptable, %u oversized "
		    "records, %llu bytes not TLS); it %s",
		    who, ours, s->undecryptable, s->oversized, (unsigned long long)s->garbage_bytes,
		    end_words(s->end));
		break;
	case TLSA_REACT_CLOSE:
		say(s, "%s %s without an alert after %s", who, end_words(s->end), ours);
		break;
	default:
		say(s, "%s sent nothing%s after %s and %s", who,
		    s->inflight_records > 0 ? " but data in flight" : "", ours, end_words(s->end));
		break;
	}
}

void react_judge(const struct tlsa_reaction_case *c, const struct react_counts *n,
		 struct tlsa_serve_reaction *out)
{
	out->kind = kind_of(c, n, out);
	if (out->alerts == 0 && c->peer_alerted_first &&
	    (out->kind == TLSA_REACT_ALERT || out->kind == TLSA_REACT_CLOSE_NOTIFY)) {
		out->alert_level = c->peer_first_level; /* its answer came before ours */
		out->alert_code = c->peer_first_code;
	}
	out->verdict = tlsa_reaction_judge(c, out->kind, &out->rule);
	reason(c, n, out);
}

uint16_t tlsa_reaction_max_offered(const struct tlsa_hs_facts *hs)
{
	const size_t cap = sizeof(hs->versions_offered) / sizeof(hs->versions_offered[0]);
	size_t n = hs->n_versions_offered < cap ? hs->n_versions_offered : cap;
	const uint16_t *v = n > 0 ? hs->versions_offered : &hs->client_version;
	uint16_t best = 0;
	int best_rank = 0;
	for (size_t i = 0; i < (n > 0 ? n : 1); i++) {
		int rank = tlsa_version_rank(tlsa_version_from_wire(v[i]));
		if (rank > best_rank) {
			best_rank = rank;
			best = v[i];
		}
	}
	return best;
}

bool tlsa_reaction_fallback(const struct tlsa_hs_facts *first, const struct tlsa_hs_facts *later)
{
	int a = tlsa_version_rank(tlsa_version_from_wire(tlsa_reaction_max_offered(first)));
	int b = tlsa_version_rank(tlsa_version_from_wire(tlsa_reaction_max_offered(later)));
	return (b > 0 && b < a) || (later->fallback_scsv && !first->fallback_scsv);
}
