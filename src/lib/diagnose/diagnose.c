/*
 * The diagnosis engine: ranks the per-stack cause rules (data/causes*.txt,
 * generated into causes_data.h) against what is known about one alert.
 * docs/causes.md describes the scoring; the constants below are its numbers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tlsalert/diagnose.h"
#include "tlsalert/session.h"
#include "tlsalert/registry.h"
#include "base/ascii.h"
#include "base/opts.h"

#include "causes_data.h"

enum {
	SCORE_STACK = 20,	 /* the rule is the sender's stack's own */
	SCORE_STEP = 15,	 /* the step is one the rule lists */
	SCORE_STEP_OFF = -25,	 /* the step is not one the rule lists */
	SCORE_VERSION = 5,	 /* a version-specific rule, version matches */
	SCORE_VERSION_OFF = -30, /* a version-specific rule, other version */
	SCORE_FACT = 20,	 /* each condition the facts confirm */
	SCORE_FACT_OFF = -60,	 /* each condition the facts contradict */
	SCORE_OTHER_STACK = -15, /* fallback: rule of another stack */
	SCORE_LOGGED = 60,	 /* the sender's log shows the rule's error text */
	SCORE_MAX = 100,
	SCORE_PROVEN = 40,   /* a decisive fact proves the cause (and it ranks first) */
	SCORE_FAVOURED = 30, /* a fact that favours (or disfavours) a cause: strong, not proof */
	SCORE_RULED_OUT = 5, /* at most this for a cause a fact rules out (and it ranks last) */
};

/* Where the decisive facts put a cause: below, among or above the others. */
enum tier { TIER_RULED_OUT, TIER_OPEN, TIER_PROVEN };

size_t tlsa_cause_rule_count(void)
{
	return N_ELEMS(tlsa_cz_rules);
}

const struct tlsa_cause_rule *tlsa_cause_rule_at(size_t i)
{
	return i < N_ELEMS(tlsa_cz_rules) ? &tlsa_cz_rules[i] : NULL;
}

const struct tlsa_cause_rule *tlsa_cause_rule_get(const char *id)
{
	for (size_t i = 0; id != NULL && i < N_ELEMS(tlsa_cz_rules); i++)
		if (strcmp(tlsa_cz_rules[i].id, id) == 0)
			return &tlsa_cz_rules[i];
	return NULL;
}

size_t tlsa_cause_never_count(void)
{
	return N_ELEMS(tlsa_cz_nevers);
}

const struct tlsa_cause_never *tlsa_cause_never_at(size_t i)
{
	return i < N_ELEMS(tlsa_cz_nevers) ? &tlsa_cz_nevers[i] : NULL;
}

size_t tlsa_cause_def_count(void)
{
	return N_ELEMS(tlsa_cz_causes);
}

const struct tlsa_cause_def *tlsa_cause_def_at(size_t i)
{
	return i < N_ELEMS(tlsa_cz_causes) ? &tlsa_cz_causes[i] : NULL;
}

const struct tlsa_cause_def *tlsa_cause_def_get(const char *id)
{
	for (size_t i = 0; id != NULL && i < N_ELEMS(tlsa_cz_causes); i++)
		if (strcmp(tlsa_cz_causes[i].id, id) == 0)
			return &tlsa_cz_causes[i];
	return NULL;
}

size_t tlsa_step_count(void)
{
	return N_ELEMS(tlsa_cz_steps);
}

const struct tlsa_step_def *tlsa_step_at(size_t i)
{
	return i < N_ELEMS(tlsa_cz_steps) ? &tlsa_cz_steps[i] : NULL;
}

size_t tlsa_stack_count(void)
{
	return N_ELEMS(tlsa_cz_stacks);
}

const struct tlsa_stack_def *tlsa_stack_at(size_t i)
{
	return i < N_ELEMS(tlsa_cz_stacks) ? &tlsa_cz_stacks[i] : NULL;
}

const char *tlsa_cause_fact_names(void)
{
	return TLSA_CZ_FACT_NAMES;
}

/* True when `word` (len bytes) is one of the space-separated words of `list`. */
static bool word_in(const char *list, const char *word, size_t len)
{
	const char *p = list;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e != '\0' && *e != ' ')
			e++;
		if ((size_t)(e - p) == len && len > 0 && memcmp(p, word, len) == 0)
			return true;
		p = e;
	}
	return false;
}

bool tlsa_cause_rule_has_stack(const struct tlsa_cause_rule *r, const char *stack)
{
	if (strcmp(r->stacks, "*") == 0)
		return true;
	return stack != NULL && word_in(r->stacks, stack, strlen(stack));
}

/* Lower-cases `s` into buf (NUL-terminated); '-' and ' ' become '_' if
 * `underscores`.  Returns false when it does not fit. */
static bool normalise(const char *s, size_t len, char *buf, size_t cap, bool underscores)
{
	if (len + 1 > cap)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = (char)ascii_lower((unsigned char)s[i]);
		if (underscores && (ch == '-' || ch == ' '))
			ch = '_';
		buf[i] = ch;
	}
	buf[len] = '\0';
	return true;
}

const char *tlsa_step_parse(const char *s)
{
	char buf[64];

	if (s == NULL || !normalise(s, strlen(s), buf, sizeof(buf), true))
		return NULL;
	for (size_t i = 0; i < N_ELEMS(tlsa_cz_steps); i++)
		if (strcmp(tlsa_cz_steps[i].token, buf) == 0 ||
		    word_in(tlsa_cz_steps[i].aliases, buf, strlen(buf)))
			return tlsa_cz_steps[i].token;
	return NULL;
}

static const struct tlsa_stack_def *stack_lookup(const char *s, size_t len)
{
	char buf[64];

	while (len > 0 && s[0] == ' ')
		s++, len--;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (len == 0 || !normalise(s, len, buf, sizeof(buf), false))
		return NULL;
	for (size_t i = 0; i < N_ELEMS(tlsa_cz_stacks); i++)
		if (strcmp(tlsa_cz_stacks[i].token, buf) == 0 ||
		    word_in(tlsa_cz_stacks[i].aliases, buf, len))
			return &tlsa_cz_stacks[i];
	return NULL;
}

const struct tlsa_stack_def *tlsa_stack_parse(const char *s)
{
	const struct tlsa_stack_def *d;

	if (s == NULL)
		return NULL;
	/* "python-ssl(openssl)", "curl (OpenSSL 3.0)": the library in brackets. */
	const char *open = strchr(s, '(');
	if (open != NULL) {
		const char *close = strchr(open, ')');
		if (close != NULL) {
			size_t n = (size_t)(close - open - 1);
			if ((d = stack_lookup(open + 1, n)) != NULL)
				return d;
			const char *sp = memchr(open + 1, ' ', n);
			if (sp != NULL && (d = stack_lookup(open + 1, (size_t)(sp - open - 1))))
				return d;
		}
		return stack_lookup(s, (size_t)(open - s));
	}
	if ((d = stack_lookup(s, strlen(s))) != NULL)
		return d;
	/* "OpenSSL 3.0.8", "Go 1.19": the first word. */
	const char *sp = strchr(s, ' ');
	return sp != NULL ? stack_lookup(s, (size_t)(sp - s)) : NULL;
}

const struct tlsa_stack_def *tlsa_stack_from_text(const char *text, size_t len)
{
	if (text == NULL)
		return NULL;
	for (size_t i = 0; i < N_ELEMS(tlsa_cz_stacks); i++) {
		const struct tlsa_stack_def *d = &tlsa_cz_stacks[i];
		for (size_t w = 0; w < d->n_wording; w++) {
			size_t wl = strlen(d->wording[w]);
			for (size_t at = 0; wl <= len && at <= len - wl; at++)
				if (memcmp(text + at, d->wording[w], wl) == 0)
					return d;
		}
	}
	return NULL;
}

static int tri(tlsa_tri t)
{
	return t == TLSA_TRI_YES ? 1 : t == TLSA_TRI_NO ? 0 : -1;
}

/* The tri-state fact at offset `off` of ctx as 1, 0 or -1. */
static int tri_at(const struct tlsa_diag_ctx *c, size_t off)
{
	tlsa_tri t;
	memcpy(&t, (const char *)c + off, sizeof(t));
	return tri(t);
}

/* A fact known by version rank, or -1. */
static long rank_or_unknown(tlsa_version v)
{
	return tlsa_version_rank(v) == 0 ? -1 : tlsa_version_rank(v);
}

/*
 * The value of `fact` for ctx: tri-state facts give 1, 0 or -1 (unknown);
 * numeric facts their number, or -1 when unknown; -2 for a name that is no
 * fact.  The facts are enum tlsa_cz_fact, generated from the one list in
 * tools/causes_data.py: the switch has no default, so a fact added there
 * without a case here fails the build (-Wswitch).
 */
static long fact_value(const struct tlsa_diag_ctx *c, const char *fact)
{
#define T(f) tri_at(c, offsetof(struct tlsa_diag_ctx, f))
	size_t i = 0;
	while (i < TLSA_CZ_N_FACTS && strcmp(tlsa_cz_fact_names[i], fact) != 0)
		i++;
	switch ((enum tlsa_cz_fact)i) {
	case TLSA_CZ_FACT_CIPHER_OVERLAP: return T(cipher_overlap);
	case TLSA_CZ_FACT_GROUP_OVERLAP: return T(group_overlap);
	case TLSA_CZ_FACT_ALPN_OFFERED: return T(alpn_offered);
	case TLSA_CZ_FACT_ALPN_SELECTED: return T(alpn_selected);
	case TLSA_CZ_FACT_SNI_SENT: return T(sni_sent);
	case TLSA_CZ_FACT_FALLBACK_SCSV: return T(fallback_scsv);
	case TLSA_CZ_FACT_CERT_REQUESTED: return T(cert_requested);
	case TLSA_CZ_FACT_CLIENT_CERT_SENT: return T(client_cert_sent);
	case TLSA_CZ_FACT_ENCRYPTED: return T(encrypted);
	case TLSA_CZ_FACT_INFERRED: return T(inferred);
	case TLSA_CZ_FACT_HELLO_MALFORMED: return T(hello_malformed);
	case TLSA_CZ_FACT_KEYSHARE_INVALID: return T(keyshare_invalid);
	case TLSA_CZ_FACT_APP_DATA_SEEN: return T(app_data_seen);
	case TLSA_CZ_FACT_RENEGOTIATING: return T(renegotiating);
	case TLSA_CZ_FACT_HANDSHAKE_DONE: return T(handshake_done);
	case TLSA_CZ_FACT_CERT_EXPIRED: return T(cert_expired);
	case TLSA_CZ_FACT_CERT_NAME_MISMATCH: return T(cert_name_mismatch);
	case TLSA_CZ_FACT_CERT_SELF_SIGNED: return T(cert_self_signed);
	case TLSA_CZ_FACT_EMS_OFFERED: return T(ems_offered);
	case TLSA_CZ_FACT_RENEG_INFO_OFFERED: return T(reneg_info_offered);
	case TLSA_CZ_FACT_PEER_PLAINTEXT: return T(peer_plaintext);
	case TLSA_CZ_FACT_WEAK_DH: return c->dh_bits == 0 ? -1 : c->dh_bits < 2048;
	case TLSA_CZ_FACT_RECORD_OVER_LIMIT: {
		/* 2^14 plaintext; ciphertext +256 (TLS 1.3) or +2048 (TLS 1.2). */
		uint32_t limit = tlsa_version_rank(c->version) == 6 ? 16384 + 256 : 16384 + 2048;
		if (c->record_len == 0)
			return -1;
		return c->record_len > limit ? 1 : c->record_len <= 16384 ? 0 : -1;
	}
	case TLSA_CZ_FACT_VERSION_SELECTED_OFFERED: {
		int s = tlsa_version_rank(c->selected), lo = tlsa_version_rank(c->offered_min),
		    hi = tlsa_version_rank(c->offered_max);
		if (s == 0 || hi == 0)
			return -1;
		return s <= hi && (lo == 0 || s >= lo);
	}
	case TLSA_CZ_FACT_CERT_NOT_YET_VALID: return T(cert_not_yet_valid);
	case TLSA_CZ_FACT_CERT_ISSUER_MISSING: return T(cert_issuer_missing);
	case TLSA_CZ_FACT_CERT_WEAK_KEY: return T(cert_weak_key);
	case TLSA_CZ_FACT_CERT_CHAIN_MISORDERED: return T(cert_chain_misordered);
	case TLSA_CZ_FACT_CERT_NAME_CN_ONLY: return T(cert_name_cn_only);
	case TLSA_CZ_FACT_QUIC: return T(quic);
	case TLSA_CZ_FACT_ALPN_H3_DRAFT: return T(alpn_h3_draft);
	case TLSA_CZ_FACT_VERSIONS_NARROW: return T(versions_narrow);
	case TLSA_CZ_FACT_GROUPS_NARROW: return T(groups_narrow);
	case TLSA_CZ_FACT_SIGALGS_NARROW: return T(sigalgs_narrow);
	case TLSA_CZ_FACT_SUITES_NARROW: return T(suites_narrow);
	case TLSA_CZ_FACT_VERIFIES_CLIENT_CERT: return T(verifies_client_cert);
	case TLSA_CZ_FACT_LEVEL_WARNING: return c->level == 1 ? 1 : c->level == 2 ? 0 : -1;
	case TLSA_CZ_FACT_RECORD_LEN: return c->record_len == 0 ? -1 : (long)c->record_len;
	case TLSA_CZ_FACT_DH_BITS: return c->dh_bits == 0 ? -1 : (long)c->dh_bits;
	case TLSA_CZ_FACT_OFFERED_MAX: return rank_or_unknown(c->offered_max);
	case TLSA_CZ_FACT_OFFERED_MIN: return rank_or_unknown(c->offered_min);
	case TLSA_CZ_N_FACTS: break;
	}
#undef T
	return -2;
}

/* Appends to a bounded string; silently truncates. */
static void addf(char *buf, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void addf(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

static const char *cond_text(const struct tlsa_cause_cond *k, char *buf, size_t cap)
{
	static const char *const vnames[] = {"",       "",	 "ssl3",  "tls1.0",
					     "tls1.1", "tls1.2", "tls1.3"};
	bool ver = strcmp(k->fact, "offered_max") == 0 || strcmp(k->fact, "offered_min") == 0;

	if (k->op == '=' && (k->value == 0 || k->value == 1) && !ver &&
	    strcmp(k->fact, "record_len") != 0 && strcmp(k->fact, "dh_bits") != 0)
		snprintf(buf, cap, "%s=%s", k->fact, k->value ? "yes" : "no");
	else if (ver && k->value >= 2 && k->value <= 6)
		snprintf(buf, cap, "%s%c%s", k->fact, k->op, vnames[k->value]);
	else
		snprintf(buf, cap, "%s%c%d", k->fact, k->op, k->value);
	return buf;
}

static bool cond_holds(const struct tlsa_cause_cond *k, long v)
{
	return k->op == '=' ? v == k->value : k->op == '<' ? v < k->value : v > k->value;
}

/* RFC 3339 UTC text of a time in seconds. */
static const char *time_text(int64_t t, char *buf, size_t cap)
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, cap, "?");
	return buf;
}

/* The certificate's names the SNI was compared with: "SAN a, b, c" or "CN x". */
static void cert_names(const struct tlsa_cert_info *ci, char *buf, size_t cap)
{
	if (ci->san_count == 0) {
		snprintf(buf, cap, "CN %.100s (no SAN)", ci->cn[0] ? ci->cn : "(none)");
		return;
	}
	snprintf(buf, cap, "SAN ");
	for (int i = 0; i < ci->san_count && i < 3; i++)
		addf(buf, cap, "%s%s", i > 0 ? ", " : "", ci->san[i]);
	if (ci->san_count > 3)
		addf(buf, cap, " (+%d)", ci->san_count - 3);
}

/* The detail behind a certificate fact, or "" (the fact's name and value say it all). */
static void cert_note(const struct tlsa_diag_ctx *c, int fact, long v, char *buf, size_t cap)
{
	const struct tlsa_cert_info *ci = c->cert;
	char t1[24], t2[24], names[160];
	buf[0] = '\0';
	if (ci == NULL)
		return;
	switch (fact) {
	case TLSA_CZ_FACT_CERT_EXPIRED:
		if (ci->not_after[0] != '\0' && c->capture_time != 0)
			snprintf(buf, cap, "notAfter %s, capture time %s", ci->not_after,
				 time_text(c->capture_time, t1, sizeof(t1)));
		break;
	case TLSA_CZ_FACT_CERT_NOT_YET_VALID:
		if (ci->not_before[0] != '\0' && c->capture_time != 0)
			snprintf(buf, cap, "notBefore %s, capture time %s", ci->not_before,
				 time_text(c->capture_time, t2, sizeof(t2)));
		break;
	case TLSA_CZ_FACT_CERT_NAME_MISMATCH:
	case TLSA_CZ_FACT_CERT_NAME_CN_ONLY:
		if (c->sni != NULL && fact == TLSA_CZ_FACT_CERT_NAME_CN_ONLY && v) {
			snprintf(buf, cap,
				 "SNI %.60s matches only the commonName of a certificate "
				 "without subjectAltName",
				 c->sni);
		} else if (c->sni != NULL) {
			cert_names(ci, names, sizeof(names));
			snprintf(buf, cap, "SNI %.60s %s the certificate's %.100s", c->sni,
				 v ? "is not among" : "matches", names);
		}
		break;
	case TLSA_CZ_FACT_CERT_SELF_SIGNED:
	case TLSA_CZ_FACT_CERT_ISSUER_MISSING:
		snprintf(buf, cap, "issuer %.100s, chain of %d", ci->issuer, ci->chain_length);
		break;
	case TLSA_CZ_FACT_CERT_WEAK_KEY:
		if (ci->key_type[0] != '\0')
			snprintf(buf, cap, "key %s %d", ci->key_type, ci->key_bits);
		break;
	default: break;
	}
}

/* The values behind a narrow offer (only its facts that hold are named). */
static void offer_note(const struct tlsa_diag_ctx *c, int fact, long v, char *buf, size_t cap)
{
	static const char *const keys[] = {"", "RSA", "ECDSA/EdDSA", "DSA or other"};
	buf[0] = '\0';
	if (v != 1)
		return;
	switch ((enum tlsa_cz_fact)fact) {
	case TLSA_CZ_FACT_VERSIONS_NARROW:
		if (c->narrow_version != 0)
			snprintf(buf, cap, "the client offered only %s",
				 tlsa_version_name(tlsa_version_from_wire(c->narrow_version)));
		break;
	case TLSA_CZ_FACT_GROUPS_NARROW:
		for (size_t i = 0; i < 2 && c->narrow_groups[i] != 0; i++) {
			const char *nm = tlsa_group_name(c->narrow_groups[i]);
			if (i == 0)
				snprintf(buf, cap, "the client offered only ");
			if (nm != NULL)
				addf(buf, cap, "%s%s", i > 0 ? ", " : "", nm);
			else
				addf(buf, cap, "%s0x%04x", i > 0 ? ", " : "", c->narrow_groups[i]);
		}
		break;
	case TLSA_CZ_FACT_SIGALGS_NARROW:
		if (c->narrow_sigalg_key >= 1 && c->narrow_sigalg_key <= 3)
			snprintf(buf, cap, "the client offered only %s signature algorithms",
				 keys[c->narrow_sigalg_key]);
		break;
	case TLSA_CZ_FACT_SUITES_NARROW:
		snprintf(buf, cap, "the client offered %u cipher suite%s",
			 (unsigned)c->narrow_suites, c->narrow_suites == 1 ? "" : "s");
		if (c->narrow_suite_cipher != 0 &&
		    tlsa_cipher_suite_name(c->narrow_suite_cipher) != NULL) {
			const char *nm = tlsa_cipher_suite_name(c->narrow_suite_cipher);
			const char *with = strstr(nm, "_WITH_");
			addf(buf, cap, ", all %s", with != NULL ? with + 6 : nm + 4);
		}
		break;
	default: break;
	}
}

/* "fact=value", with the values behind it for the certificate facts. */
static const char *fact_note(const struct tlsa_diag_ctx *c, const char *fact, long v, char *buf,
			     size_t cap)
{
	size_t i = 0;
	char detail[200];
	while (i < TLSA_CZ_N_FACTS && strcmp(tlsa_cz_fact_names[i], fact) != 0)
		i++;
	if (i < TLSA_CZ_N_TRI_FACTS)
		snprintf(buf, cap, "%s=%s", fact, v ? "yes" : "no");
	else
		snprintf(buf, cap, "%s=%ld", fact, v);
	cert_note(c, (int)i, v, detail, sizeof(detail));
	if (detail[0] == '\0')
		offer_note(c, (int)i, v, detail, sizeof(detail));
	if (detail[0] != '\0')
		addf(buf, cap, " (%s)", detail);
	return buf;
}

static bool party_fits(const char *rule_sender, tlsa_party p)
{
	if (p == TLSA_PARTY_UNKNOWN || strcmp(rule_sender, "either") == 0)
		return true;
	return strcmp(rule_sender, p == TLSA_PARTY_CLIENT ? "client" : "server") == 0;
}

/* True when `step` or a step it covers is in the rule's list. */
static bool step_fits(const char *steps, const char *step)
{
	if (word_in(steps, step, strlen(step)))
		return true;
	for (size_t i = 0; i < N_ELEMS(tlsa_cz_steps); i++) {
		if (strcmp(tlsa_cz_steps[i].token, step) != 0)
			continue;
		const char *p = tlsa_cz_steps[i].covers;
		while (*p != '\0') {
			while (*p == ' ')
				p++;
			size_t n = strcspn(p, " ");
			if (n > 0 && word_in(steps, p, n))
				return true;
			p += n;
		}
	}
	return false;
}

/* Scores rule r for ctx into *score and evidence; false if it does not apply. */
static bool score_rule(const struct tlsa_diag_ctx *c, const struct tlsa_cause_rule *r,
		       const struct tlsa_stack_def *stack, const char *step, bool other_stack,
		       int *score, char *ev, size_t evcap)
{
	char cb[64], nb[200];
	int s = r->weight;

	if (r->alert != c->alert || !party_fits(r->sender, c->sender))
		return false;
	ev[0] = '\0';
	addf(ev, evcap, "base %d", r->weight);
	if (stack != NULL && !other_stack) {
		s += SCORE_STACK;
		addf(ev, evcap, "; sent by %s (+%d)", stack->token, SCORE_STACK);
	} else if (other_stack) {
		s += SCORE_OTHER_STACK;
		addf(ev, evcap, "; rule of %s, not %s (%d)", r->stacks, stack->token,
		     SCORE_OTHER_STACK);
	}
	if (c->sender != TLSA_PARTY_UNKNOWN && strcmp(r->sender, "either") != 0)
		addf(ev, evcap, "; sender %s", r->sender);
	if (step != NULL && r->steps[0] != '\0') {
		/* The evidence names the step as the caller gave it (the event's
		 * stage, say server_hello_done), not the token it stands for. */
		const char *shown = c->step != NULL ? c->step : step;
		if (step_fits(r->steps, step)) {
			s += SCORE_STEP;
			addf(ev, evcap, "; step %s (+%d)", shown, SCORE_STEP);
		} else {
			s += SCORE_STEP_OFF;
			addf(ev, evcap, "; step %s is not one of %s (%d)", shown, r->steps,
			     SCORE_STEP_OFF);
		}
	}
	int rank = tlsa_version_rank(c->version);
	if (rank != 0 && r->version_mask != 0) {
		if (r->version_mask & (1u << rank)) {
			s += SCORE_VERSION;
			addf(ev, evcap, "; version %s (+%d)", tlsa_version_token(c->version),
			     SCORE_VERSION);
		} else {
			s += SCORE_VERSION_OFF;
			addf(ev, evcap, "; holds for %s, not %s (%d)", r->versions,
			     tlsa_version_token(c->version), SCORE_VERSION_OFF);
		}
	}
	for (size_t i = 0; i < r->n_conds; i++) {
		const struct tlsa_cause_cond *k = &r->conds[i];
		long v = fact_value(c, k->fact);
		if (v < 0)
			continue; /* unknown (or, never for generated data, unnamed) */
		if (cond_holds(k, v)) {
			s += SCORE_FACT;
			addf(ev, evcap, "; %s (+%d)", fact_note(c, k->fact, v, nb, sizeof(nb)),
			     SCORE_FACT);
		} else {
			s += SCORE_FACT_OFF;
			addf(ev, evcap, "; facts contradict %s: %s (%d)",
			     cond_text(k, cb, sizeof(cb)), fact_note(c, k->fact, v, nb, sizeof(nb)),
			     SCORE_FACT_OFF);
		}
	}
	if (c->rule != NULL && strcmp(c->rule, r->id) == 0) {
		s += SCORE_LOGGED;
		if (c->rule_text != NULL)
			addf(ev, evcap, "; the log shows \"%s\" (+%d)", c->rule_text, SCORE_LOGGED);
		else
			addf(ev, evcap, "; the log shows its error text (+%d)", SCORE_LOGGED);
		if (s <= 0)
			s = 1;
	}
	if (s <= 0)
		return false;
	*score = s > SCORE_MAX ? SCORE_MAX : s;
	return true;
}

/* Adds `tok` to a ", "-separated list unless present. */
static void add_stack(char *list, size_t cap, const char *tok)
{
	size_t tl = strlen(tok);
	const char *p = list;

	while ((p = strstr(p, tok)) != NULL) {
		bool start = p == list || p[-1] == ' ';
		bool end = p[tl] == '\0' || p[tl] == ',';
		if (start && end)
			return;
		p += tl;
	}
	if (strlen(list) + tl + 3 > cap)
		return;
	addf(list, cap, "%s%s", list[0] != '\0' ? ", " : "", tok);
}

static void add_rule_stacks(char *list, size_t cap, const struct tlsa_cause_rule *r,
			    const struct tlsa_stack_def *stack, bool other_stack)
{
	if (stack != NULL && !other_stack) {
		add_stack(list, cap, stack->token);
		return;
	}
	if (strcmp(r->stacks, "*") == 0) {
		add_stack(list, cap, "any");
		return;
	}
	char tok[32];
	const char *p = r->stacks;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (n > 0 && n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			add_stack(list, cap, tok);
		}
		p += n;
	}
}

/* The never-entry of `stack` for this alert and context, if any. */
static const struct tlsa_cause_never *never_for(const struct tlsa_diag_ctx *c,
						const struct tlsa_stack_def *stack)
{
	int rank = tlsa_version_rank(c->version);

	for (size_t i = 0; stack != NULL && i < N_ELEMS(tlsa_cz_nevers); i++) {
		const struct tlsa_cause_never *nv = &tlsa_cz_nevers[i];
		if (nv->alert != c->alert || strcmp(nv->stack, stack->token) != 0 ||
		    !party_fits(nv->sender, c->sender))
			continue;
		if (rank != 0 && nv->version_mask != 0 && !(nv->version_mask & (1u << rank)))
			continue;
		return nv;
	}
	return NULL;
}

/* Is this cause the one of the rule whose error text the log showed? */
static bool logged(const struct tlsa_diag_ctx *c, const struct tlsa_cause *k)
{
	return c->rule != NULL && k->rule_id != NULL && strcmp(c->rule, k->rule_id) == 0;
}

/* The first condition of conds[0..n) that the facts show to hold, or NULL. */
static const struct tlsa_cause_cond *holding(const struct tlsa_diag_ctx *c,
					     const struct tlsa_cause_cond *conds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long v = fact_value(c, conds[i].fact);
		if (v >= 0 && cond_holds(&conds[i], v))
			return &conds[i];
	}
	return NULL;
}

/* Is cause `id` proven by a decisive fact (and not ruled out by another)? */
static bool proven(const struct tlsa_diag_ctx *c, const char *id)
{
	const struct tlsa_cause_def *d = tlsa_cause_def_get(id);
	return d != NULL && holding(c, d->proven, d->n_proven) != NULL &&
	       holding(c, d->ruled_out, d->n_ruled_out) == NULL;
}

/* The strong, not decisive, facts of cause k: each that holds moves its score
 * by SCORE_FAVOURED, and the evidence names it. */
static void favour(const struct tlsa_diag_ctx *c, const struct tlsa_cause_def *d,
		   struct tlsa_cause *k)
{
	char nb[200];
	for (int sign = 1; sign >= -1; sign -= 2) {
		const struct tlsa_cause_cond *conds = sign > 0 ? d->favoured : d->disfavoured;
		size_t n = sign > 0 ? d->n_favoured : d->n_disfavoured;
		for (size_t i = 0; i < n; i++) {
			long v = fact_value(c, conds[i].fact);
			if (v < 0 || !cond_holds(&conds[i], v))
				continue;
			int s = k->score + sign * SCORE_FAVOURED;
			k->score = s > SCORE_MAX ? SCORE_MAX : s < 1 ? 1 : s;
			addf(k->evidence, sizeof(k->evidence), "; %s %s (%+d)",
			     sign > 0 ? "favoured by" : "against it:",
			     fact_note(c, conds[i].fact, v, nb, sizeof(nb)), sign * SCORE_FAVOURED);
		}
	}
}

/*
 * The decisive facts of cause k (docs/causes.md, "Facts decide"): a fact that
 * rules it out sinks it, one that proves it raises it; the evidence says which,
 * by name and value.  Returns its tier.
 */
static enum tier decide(const struct tlsa_diag_ctx *c, struct tlsa_cause *k)
{
	const struct tlsa_cause_def *d = tlsa_cause_def_get(k->id);
	char nb[200];
	if (d == NULL)
		return TIER_OPEN;
	favour(c, d, k);
	const struct tlsa_cause_cond *f = holding(c, d->ruled_out, d->n_ruled_out);
	if (f != NULL) {
		addf(k->evidence, sizeof(k->evidence), "; ruled out by %s: not %s",
		     fact_note(c, f->fact, fact_value(c, f->fact), nb, sizeof(nb)), k->id);
		if (k->score > SCORE_RULED_OUT)
			k->score = SCORE_RULED_OUT;
		return TIER_RULED_OUT;
	}
	f = holding(c, d->proven, d->n_proven);
	if (f == NULL)
		return TIER_OPEN;
	addf(k->evidence, sizeof(k->evidence), "; decisive: %s (+%d)",
	     fact_note(c, f->fact, fact_value(c, f->fact), nb, sizeof(nb)), SCORE_PROVEN);
	k->score = k->score + SCORE_PROVEN > SCORE_MAX ? SCORE_MAX : k->score + SCORE_PROVEN;
	return TIER_PROVEN;
}

/* Index of cause `id` in out[0..n), or n. */
static size_t cause_index(const struct tlsa_cause *out, size_t n, const char *id)
{
	size_t j = 0;
	while (j < n && strcmp(out[j].id, id) != 0)
		j++;
	return j;
}

/* Ranks the rules into out[n..]: those of `stack` (all with stack NULL), or
 * with other_stack those of the other stacks; with only_proven, only the rules
 * of proven causes that out[0..n) does not hold yet. */
static size_t rank_pass(const struct tlsa_diag_ctx *c, const struct tlsa_stack_def *stack,
			const char *step, bool other_stack, bool only_proven,
			struct tlsa_cause *out, size_t max, size_t *order, size_t n)
{
	char ev[TLSA_CAUSE_EVIDENCE_MAX];
	size_t n0 = n;

	for (size_t i = 0; i < N_ELEMS(tlsa_cz_rules); i++) {
		const struct tlsa_cause_rule *r = &tlsa_cz_rules[i];
		int score;
		if (stack != NULL && !other_stack && !tlsa_cause_rule_has_stack(r, stack->token))
			continue;
		if (only_proven && (r->alert != c->alert || cause_index(out, n0, r->cause) < n0 ||
				    !proven(c, r->cause)))
			continue;
		if (!score_rule(c, r, stack, step, other_stack, &score, ev, sizeof(ev)))
			continue;
		size_t j = cause_index(out, n, r->cause);
		if (j == n) {
			if (n == max)
				continue;
			const struct tlsa_cause_def *d = tlsa_cause_def_get(r->cause);
			memset(&out[n], 0, sizeof(out[n]));
			out[n].id = r->cause;
			out[n].title = d != NULL ? d->title : r->cause;
			out[n].score = 0;
			order[n] = i;
			n++;
		}
		add_rule_stacks(out[j].stacks, sizeof(out[j].stacks), r, stack, other_stack);
		bool shown = c->rule != NULL && strcmp(c->rule, r->id) == 0;
		if (shown || (score > out[j].score && !logged(c, &out[j]))) {
			const struct tlsa_cause_def *d = tlsa_cause_def_get(r->cause);
			out[j].rule_id = r->id;
			out[j].sender = r->sender;
			out[j].reason = r->situation;
			out[j].error = r->error;
			out[j].fix = r->fix != NULL ? r->fix : d != NULL ? d->fix : "";
			out[j].score = score;
			order[j] = i;
			memcpy(out[j].evidence, ev, sizeof(ev));
		}
	}
	return n;
}

/* Best first: the rule the log showed leads; then proven causes, open ones,
 * ruled-out ones; within a tier by score; ties keep the data's order. */
static void sort_causes(const struct tlsa_diag_ctx *c, struct tlsa_cause *out, size_t *order,
			enum tier *tier, size_t k)
{
	for (size_t i = 1; i < k; i++) {
		for (size_t j = i; j > 0; j--) {
			bool pin = logged(c, &out[j]), pin_prev = logged(c, &out[j - 1]);
			bool ahead =
				tier[j] > tier[j - 1] ||
				(tier[j] == tier[j - 1] &&
				 (out[j].score > out[j - 1].score ||
				  (out[j].score == out[j - 1].score && order[j] < order[j - 1])));
			if (!((pin && !pin_prev) || (pin == pin_prev && ahead)))
				break;
			struct tlsa_cause t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
			size_t o = order[j];
			order[j] = order[j - 1];
			order[j - 1] = o;
			enum tier tt = tier[j];
			tier[j] = tier[j - 1];
			tier[j - 1] = tt;
		}
	}
}

int tlsa_diagnose(const struct tlsa_diag_ctx *caller, struct tlsa_cause *out, size_t max, size_t *n,
		  struct tlsa_error *err)
{
	struct tlsa_diag_ctx ctx;
	opts_load(&ctx, sizeof(ctx), caller); /* facts the caller did not know are unknown */
	const struct tlsa_diag_ctx *c = &ctx;
	size_t order[N_ELEMS(tlsa_cz_causes)];
	const char *step = NULL;
	const struct tlsa_stack_def *stack = NULL;
	bool unknown_stack = false;

	*n = 0;
	if (c->step != NULL && c->step[0] != '\0') {
		step = tlsa_step_parse(c->step);
		if (step == NULL)
			return tlsa_error_set(
				err, TLSA_EINVAL, 0,
				"unknown step '%s' (expected a step of docs/causes.md, "
				"e.g. client_hello, server_certificate, application)",
				c->step);
	}
	if (c->stack != NULL && c->stack[0] != '\0') {
		stack = tlsa_stack_parse(c->stack);
		unknown_stack = stack == NULL;
	}
	if (max > N_ELEMS(order))
		max = N_ELEMS(order);

	size_t k = rank_pass(c, stack, step, false, false, out, max, order, 0);
	const struct tlsa_cause_never *nv = NULL;
	if (k == 0 && stack != NULL) {
		/* The stack's tables do not have this alert here: say what it does
		 * instead, and rank the other stacks' reasons lower. */
		nv = never_for(c, stack);
		k = rank_pass(c, stack, step, true, false, out, max, order, 0);
	} else if (stack != NULL) {
		/* A cause a fact proves, which the stack's own rules for this alert
		 * do not name: another stack's rule for it comes in. */
		k = rank_pass(c, stack, step, true, true, out, max, order, k);
	}
	enum tier tier[N_ELEMS(tlsa_cz_causes)];
	for (size_t i = 0; i < k; i++)
		tier[i] = decide(c, &out[i]);
	sort_causes(c, out, order, tier, k);
	/* The rule the log showed leads: its score is at least the next one's. */
	if (k > 1 && logged(c, &out[0]) && out[0].score < out[1].score)
		out[0].score = out[1].score;
	/* Scores read best first too: a cause never scores above one ranked before
	 * it, and below a change of tier (proven, open, ruled out) strictly less. */
	for (size_t i = 1; i < k; i++) {
		int limit = out[i - 1].score - (tier[i] != tier[i - 1] && !logged(c, &out[i - 1]));
		if (out[i].score > limit)
			out[i].score = limit > 1 ? limit : 1;
		if (tier[i] == TIER_OPEN && tier[0] == TIER_PROVEN)
			addf(out[i].evidence, sizeof(out[i].evidence),
			     "; ranked below %s, which the facts prove", out[0].id);
	}
	for (size_t i = 0; i < k; i++) {
		if (unknown_stack)
			addf(out[i].evidence, sizeof(out[i].evidence),
			     "; stack '%s' is not in the tables", c->stack);
		if (nv != NULL)
			addf(out[i].evidence, sizeof(out[i].evidence), "; %s", nv->text);
	}
	*n = k;
	return 0;
}
