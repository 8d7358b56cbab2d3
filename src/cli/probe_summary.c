/*
 * The summary of `tlsalert probe`: per topic, each probe's outcome in a word,
 * and the server's certificate as clients judge it -- libcrypto's verify
 * result, its cause, and the alert each common client stack sends for that
 * cause (from the per-stack cause tables of data/).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe_out.h"
#include "tlsalert/diagnose.h"

struct row {
	const char *probe, *label;
};

/* The summary's lines: a topic and the probes that answer it. */
static const struct {
	const char *topic;
	struct row rows[6];
} topics[] = {
	{"versions",
	 {{"tls1.3-only", "TLS 1.3"},
	  {"tls1.2-only", "TLS 1.2"},
	  {"tls1.1-only", "TLS 1.1"},
	  {"tls1.0-only", "TLS 1.0"},
	  {"ssl3", "SSL 3.0"}}},
	{"SNI", {{"no-sni", "none"}, {"wrong-sni", "unknown name"}, {"empty-sni", "empty"}}},
	{"ALPN",
	 {{"alpn-h2", "h2"},
	  {"alpn-http1.1", "http/1.1"},
	  {"alpn-unknown", "unknown"},
	  {"no-alpn", "none"}}},
	{"groups",
	 {{"group-x25519", "X25519"},
	  {"group-p256", "P-256"},
	  {"group-p384", "P-384"},
	  {"group-ffdhe2048", "ffdhe2048"}}},
	{"signatures",
	 {{"sig-rsa-pss", "RSA-PSS"},
	  {"sig-rsa-pkcs1", "RSA PKCS#1"},
	  {"sig-ecdsa", "ECDSA"},
	  {"sig-ed25519", "Ed25519"}}},
	{"suites",
	 {{"suites-aes-gcm", "AES-GCM"},
	  {"suites-chacha20", "ChaCha20"},
	  {"suites-cbc", "CBC"},
	  {"suites-rsa-kx", "RSA key exchange"}}},
	{"fallback", {{"fallback-scsv", "TLS 1.2 with TLS_FALLBACK_SCSV"}}},
	{"client cert",
	 {{"client-cert-none-1.3", "none sent, TLS 1.3"}, {"client-cert-none-1.2", "TLS 1.2"}}},
	{"renegotiate", {{"renegotiation", "client-initiated, TLS 1.2"}}},
	{"tolerance",
	 {{"grease", "GREASE"},
	  {"record-size-limit", "record_size_limit"},
	  {"max-fragment", "max_fragment_length"},
	  {"no-padding", "hello of 256-511 bytes"},
	  {"version-intolerance", "legacy_version 0x0305"}}},
	{"replay", {{"replay", "the captured client's hello"}}},
	{"malformed",
	 {{"bad-key-share", "short key share"},
	  {"duplicate-extension", "duplicate extension"},
	  {"truncated-extensions", "truncated extensions"}}},
};

static const struct tlsa_probe_result *result_of(const struct done *d, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].name, name) == 0)
			return &d[i].r;
	return NULL;
}

/* One word for an outcome: "ok", the alert's name, "closed", ... */
static const char *word(const struct tlsa_probe_result *r)
{
	if (r->outcome == TLSA_PROBE_ALERT && r->description >= 0)
		return tlsa_alert_get((uint8_t)r->description)->name;
	if (r->outcome == TLSA_PROBE_ALERT)
		return "encrypted alert";
	return tlsa_probe_outcome_name(r->outcome);
}

/* The cause of a certificate a client would refuse, from libcrypto's verify result. */
static const char *verify_cause(long v)
{
	switch (v) {
	case 0: return NULL;
	case 9: return "cert-not-yet-valid";
	case 10: return "cert-expired";
	case 23: return "cert-revoked";
	case 62: return "cert-hostname-mismatch";
	case 66:
	case 67:
	case 68: return "weak-key";
	case 2:
	case 18:
	case 19:
	case 20:
	case 21:
	case 24:
	case 27: return "untrusted-ca";
	default: return "cert-bad";
	}
}

#define N_CLIENT_STACKS 7

/*
 * What common client stacks send for a certificate problem: for each, its
 * likeliest rule (highest weight) of that cause that a client sends, from the
 * per-stack cause tables; NULL for a stack without one.
 */
static void client_rules(const char *cause, const struct tlsa_cause_rule *best[N_CLIENT_STACKS],
			 const struct tlsa_stack_def *st[N_CLIENT_STACKS])
{
	static const char *const stacks[N_CLIENT_STACKS] = {"openssl", "go",	 "java",    "nss",
							    "gnutls",  "rustls", "schannel"};
	for (size_t k = 0; k < N_CLIENT_STACKS; k++) {
		best[k] = NULL;
		st[k] = tlsa_stack_parse(stacks[k]);
		for (size_t i = 0; i < tlsa_cause_rule_count(); i++) {
			const struct tlsa_cause_rule *r = tlsa_cause_rule_at(i);
			if (strcmp(r->cause, cause) != 0 || strcmp(r->sender, "server") == 0 ||
			    strcmp(r->stacks, "*") == 0 || !tlsa_cause_rule_has_stack(r, stacks[k]))
				continue;
			if (best[k] == NULL || r->weight > best[k]->weight)
				best[k] = r;
		}
		if (st[k] == NULL)
			best[k] = NULL;
	}
}

/* "OpenSSL 3.x unknown_ca (48), Go crypto/tls bad_certificate (42), ..." */
static void client_alerts(const char *cause, char *buf, size_t cap)
{
	const struct tlsa_cause_rule *best[N_CLIENT_STACKS];
	const struct tlsa_stack_def *st[N_CLIENT_STACKS];
	size_t len = 0;
	buf[0] = '\0';
	client_rules(cause, best, st);
	for (size_t k = 0; k < N_CLIENT_STACKS; k++) {
		if (best[k] == NULL)
			continue;
		int w = snprintf(buf + len, cap - len, "%s%s %s (%d)", len ? ", " : "", st[k]->name,
				 tlsa_alert_get(best[k]->alert)->name, best[k]->alert);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

/* The summary's "certificate" object (JSON). */
static void json_certificate(struct jw *w, const struct tlsa_probe_result *r)
{
	const char *cause = verify_cause(r->verify_result);
	jw_obj_open(w, "certificate");
	jw_str(w, "subject", r->cert_subject);
	jw_str(w, "issuer", r->cert_issuer);
	jw_str(w, "not_after", r->cert_not_after[0] ? r->cert_not_after : NULL);
	jw_int(w, "chain_length", r->chain_length);
	jw_int(w, "verify_result", r->verify_result);
	jw_str(w, "verify_error", r->verify_result != 0 ? r->verify_error : NULL);
	jw_str(w, "cause", cause);
	jw_arr_open(w, "client_alerts");
	if (cause != NULL) {
		const struct tlsa_cause_rule *best[N_CLIENT_STACKS];
		const struct tlsa_stack_def *st[N_CLIENT_STACKS];
		client_rules(cause, best, st);
		for (size_t k = 0; k < N_CLIENT_STACKS; k++) {
			if (best[k] == NULL)
				continue;
			jw_obj_open(w, NULL);
			jw_str(w, "stack", st[k]->token);
			jw_int(w, "code", best[k]->alert);
			jw_str(w, "name", tlsa_alert_get(best[k]->alert)->name);
			jw_str(w, "rule_id", best[k]->id);
			jw_obj_close(w);
		}
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

static void text_certificate(struct pctx *x, const struct tlsa_probe_result *r)
{
	struct cli *c = x->c;
	char buf[1024], alerts[600];
	const char *cause = verify_cause(r->verify_result);
	snprintf(buf, sizeof(buf), "%s, issuer %s, valid to %s, chain of %d: %s (%ld)",
		 r->cert_subject, r->cert_issuer, r->cert_not_after, r->chain_length,
		 r->verify_result == 0 ? "verified" : r->verify_error, r->verify_result);
	if (cause != NULL) {
		client_alerts(cause, alerts, sizeof(alerts));
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "; cause %s; clients abort with: %s", cause,
			 alerts[0] ? alerts : "(no stack rule)");
	}
	fprintf(c->out, "  %-11s ", "certificate");
	cli_wrap(c->out, buf, 14, 14, c->width);
}

/* Appends ", " (or "") and the printf text to the verdict in v. */
static void say(char *v, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *v, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(v);
	if (len + 3 >= cap)
		return;
	if (len > 0) {
		memcpy(v + len, "; ", 3);
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v + len, cap - len, fmt, ap);
	va_end(ap);
}

static bool refused(const struct tlsa_probe_result *r)
{
	return r != NULL && r->outcome != TLSA_PROBE_OK && r->outcome != TLSA_PROBE_HRR;
}

/*
 * The verdict in words: what the server requires and refuses, read off the
 * probes that differ from an accepted baseline (nothing when it was refused:
 * then every probe differs for the same reason).
 */
static void verdict(const struct done *d, size_t n, char *v, size_t cap)
{
	static const struct {
		const char *probe, *label;
	} vers[] = {{"tls1.3-only", "1.3"},
		    {"tls1.2-only", "1.2"},
		    {"tls1.1-only", "1.1"},
		    {"tls1.0-only", "1.0"},
		    {"ssl3", "SSL 3.0"}};
	const struct tlsa_probe_result *r, *base = result_of(d, n, "baseline");
	char ok[64] = "";
	v[0] = '\0';
	if (base == NULL || base->outcome != TLSA_PROBE_OK)
		return;
	for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++)
		if ((r = result_of(d, n, vers[i].probe)) != NULL && r->outcome == TLSA_PROBE_OK)
			snprintf(ok + strlen(ok), sizeof(ok) - strlen(ok), "%s%s",
				 ok[0] ? ", " : "", vers[i].label);
	if (ok[0] != '\0')
		say(v, cap, "TLS versions %s", ok);
	if (refused(r = result_of(d, n, "no-sni")))
		say(v, cap, "requires SNI (%s without it)", word(r));
	if (refused(r = result_of(d, n, "wrong-sni")))
		say(v, cap, "refuses names it does not serve (%s)", word(r));
	if (refused(r = result_of(d, n, "alpn-unknown")))
		say(v, cap, "ALPN strictly (%s for an unknown protocol)", word(r));
	/* a refusal that followed the server's CertificateRequest, not one of the version */
	if (((r = result_of(d, n, "client-cert-none-1.3")) != NULL && refused(r) &&
	     r->cert_requested) ||
	    ((r = result_of(d, n, "client-cert-none-1.2")) != NULL && refused(r) &&
	     r->cert_requested))
		say(v, cap, "requires a client certificate (%s without one)", word(r));
	/* a TLS 1.2 hello is a fallback only for a server that has TLS 1.3 */
	if ((r = result_of(d, n, "fallback-scsv")) != NULL && base->version == 0x0304)
		say(v, cap, "%s TLS_FALLBACK_SCSV",
		    r->outcome == TLSA_PROBE_ALERT && r->description == 86 ? "honours" : "ignores");
	if (refused(r = result_of(d, n, "renegotiation")) && r->handshake_done)
		say(v, cap, "refuses client renegotiation (%s)", word(r));
	static const char *const tolerant[] = {"grease", "record-size-limit", "max-fragment",
					       "no-padding", "version-intolerance"};
	for (size_t i = 0; i < sizeof(tolerant) / sizeof(tolerant[0]); i++)
		if (refused(r = result_of(d, n, tolerant[i])))
			say(v, cap, "intolerant: %s (%s)", tolerant[i], word(r));
	static const char *const malformed[] = {"bad-key-share", "duplicate-extension",
						"truncated-extensions"};
	size_t tried = 0, named = 0;
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		/* a key share matters only to a server that picks TLS 1.3 */
		bool tls13_only = strcmp(malformed[i], "bad-key-share") == 0;
		if ((r = result_of(d, n, malformed[i])) == NULL)
			continue;
		tried++;
		named += r->outcome == TLSA_PROBE_ALERT && r->description >= 0;
		if (r->outcome == TLSA_PROBE_OK && (!tls13_only || r->version == 0x0304))
			say(v, cap, "accepts a malformed hello: %s", malformed[i]);
	}
	if (tried > 0 && named == tried)
		say(v, cap, "answers malformed hellos with a named alert, as the RFCs ask");
}

void probe_text_summary(struct pctx *x, const struct done *d, size_t n)
{
	struct cli *c = x->c;
	char buf[1024];
	const struct tlsa_probe_result *base = result_of(d, n, "baseline");
	fprintf(c->out, "\n%ssummary%s for %s port %u (%s):\n", cli_c(c, C_BOLD), cli_c(c, C_RESET),
		x->t.host, x->addr.port, x->addr.text);
	if (base != NULL) {
		probe_outcome_text(base, buf, sizeof(buf));
		const char *head = base->outcome == TLSA_PROBE_OK ? "ok:" : "refused:";
		fprintf(c->out, "  %-11s %s", "baseline", head); /* cli_wrap puts the space */
		cli_wrap(c->out, buf, 14 + (int)strlen(head), 14, c->width);
	}
	verdict(d, n, buf, sizeof(buf));
	if (buf[0] != '\0') {
		fprintf(c->out, "  %-11s ", "verdict");
		cli_wrap(c->out, buf, 14, 14, c->width);
	}
	const struct tlsa_probe_result *v = result_of(d, n, "verify");
	if (v != NULL && v->verify_result >= 0)
		text_certificate(x, v);
	for (size_t t = 0; t < sizeof(topics) / sizeof(topics[0]); t++) {
		size_t len = 0;
		buf[0] = '\0';
		for (size_t i = 0; i < 6 && topics[t].rows[i].probe != NULL; i++) {
			const struct tlsa_probe_result *r =
				result_of(d, n, topics[t].rows[i].probe);
			if (r == NULL)
				continue;
			int k = snprintf(
				buf + len, sizeof(buf) - len, "%s%s %s%s%s%s", len ? "; " : "",
				topics[t].rows[i].label, word(r),
				r->outcome == TLSA_PROBE_OK && r->alpn[0] && t == 2 ? " (" : "",
				r->outcome == TLSA_PROBE_OK && t == 2 ? r->alpn : "",
				r->outcome == TLSA_PROBE_OK && r->alpn[0] && t == 2 ? ")" : "");
			if (k < 0 || (size_t)k >= sizeof(buf) - len)
				break;
			len += (size_t)k;
		}
		if (len == 0)
			continue;
		fprintf(c->out, "  %-11s ", topics[t].topic);
		cli_wrap(c->out, buf, 14, 14, c->width);
	}
}

void probe_json_summary(struct pctx *x, const struct done *d, size_t n)
{
	struct jw w;
	jw_begin(&w, x->c->out);
	jw_str(&w, "type", "summary");
	jw_str(&w, "target", x->t.host);
	jw_str(&w, "address", x->addr.text);
	jw_uint(&w, "port", x->addr.port);
	jw_uint(&w, "connections", x->n_run);
	char verdict_text[1024];
	verdict(d, n, verdict_text, sizeof(verdict_text));
	jw_str(&w, "verdict", verdict_text[0] ? verdict_text : NULL);
	const struct tlsa_probe_result *v = result_of(d, n, "verify");
	if (v != NULL && v->verify_result >= 0)
		json_certificate(&w, v);
	else
		jw_null(&w, "certificate");
	for (size_t t = 0; t < sizeof(topics) / sizeof(topics[0]); t++) {
		jw_obj_open(&w, topics[t].topic);
		for (size_t i = 0; i < 6 && topics[t].rows[i].probe != NULL; i++) {
			const struct tlsa_probe_result *r =
				result_of(d, n, topics[t].rows[i].probe);
			if (r != NULL)
				jw_str(&w, topics[t].rows[i].label, word(r));
		}
		jw_obj_close(&w);
	}
	jw_end(&w);
}
