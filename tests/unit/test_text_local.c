/*
 * Local errors in the text recogniser: a line showing the error a stack logs when it
 * sends an alert (a cause rule's `logline` fragment) gives one mention, direction sent,
 * with the rule's code and id; the rule joins an alert mention of the same code instead
 * of adding a second one; received alerts are never joined; only gated lines are
 * searched; fragments match ASCII case-insensitively with their pieces in order.  And
 * the diagnosis ranks the shown rule's cause first.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "text_found.h"
#include "tlsalert/diagnose.h"
#include "tlsalert/text.h"

/* Scans one line or several (default flags). */
static struct found scan_text(const struct tlsa_text *t, const char *s)
{
	return scan(t, s, strlen(s), 0);
}

/* One mention: the local error of `rule` alone, code `code`, span = `span`. */
static void check_local(const struct tlsa_text *t, const char *line, const char *rule, int code,
			const char *span)
{
	struct found f = scan_text(t, line);
	CHECK_INT((int)f.n, 1);
	if (f.n != 1)
		return;
	const struct tlsa_text_mention *m = &f.m[0];
	CHECK_STR(m->rule_id, rule);
	CHECK_INT(m->code, code);
	CHECK_INT(m->dir, TLSA_TEXT_SENT);
	CHECK_STR(m->pattern_id, TLSA_TEXT_LOCAL_ID);
	CHECK(m->pattern == tlsa_text_pattern_count());
	CHECK(m->end - m->start == strlen(span) &&
	      memcmp(line + m->start, span, strlen(span)) == 0);
	const struct tlsa_cause_rule *r = tlsa_cause_rule_get(rule);
	CHECK(r != NULL && r->alert == code);
}

static void check_none(const struct tlsa_text *t, const char *line)
{
	struct found f = scan_text(t, line);
	CHECK_INT((int)f.n, 0);
}

static void lines(const struct tlsa_text *t)
{
	/* nginx on OpenSSL 3: the reason after the packed code. */
	check_local(t,
		    "2026/11/27 10:00:40 [info] 31#31: *5 SSL_do_handshake() failed (SSL: "
		    "error:0A0000C1:SSL routines::no shared cipher) while SSL handshaking",
		    "openssl-40-no-shared-cipher", 40, "no shared cipher");
	/* Case is ignored; the implementation is the rule's first stack. */
	struct found f = scan_text(t, "ERROR: NO SHARED CIPHER");
	CHECK_INT((int)f.n, 1);
	CHECK_STR(f.m[0].implementation, "openssl");
	/* Go's server log. */
	check_local(t,
		    "2026/11/27 10:02:40 http: TLS handshake error from 192.0.2.40:50140: tls: no "
		    "cipher suite supported by both client and server; client offered: [c02f]",
		    "go-40-no-cipher", 40,
		    "tls: no cipher suite supported by both client and server");
	/* A wildcard fragment: its pieces in order, with text between them. */
	check_local(t, "ssl.SSLError: error:0A00009F:SSL routines:tls_get_more_records:bad length",
		    "openssl-50-message", 50, "SSL routines:tls_get_more_records:bad length");
	check_none(t, "ssl.SSLError: bad length, then SSL routines: no colon after");
	/* The longer (more specific) fragment wins: Go's server form of 48, not 42. */
	check_local(t,
		    "http: TLS handshake error from 192.0.2.1:4: tls: failed to verify "
		    "certificate: x509: certificate signed by unknown authority",
		    "go-48-server", 48,
		    "TLS handshake error from 192.0.2.1:4: tls: failed to verify certificate: "
		    "x509: certificate signed by unknown authority");
	check_local(
		t,
		"level=error error=\"Get \\\"https://a/\\\": tls: failed to verify certificate: "
		"x509: certificate signed by unknown authority\"",
		"go-42-client-verify", 42,
		"tls: failed to verify certificate: x509: certificate signed by unknown "
		"authority");
	/* Java: the exception is the gate. */
	check_local(t, "javax.net.ssl.SSLHandshakeException: Empty client certificate chain",
		    "java-42-client-cert-missing", 42, "Empty client certificate chain");
	/* No gate word on the line: not looked at. */
	check_none(t, "could not accept SSL connection: no shared cipher");
	check_none(t, "GET /api/errors/no-shared-cipher HTTP/1.1");
}

static void joins(const struct tlsa_text *t)
{
	/* Go's "local error:" is an alert mention (sent, 20): the rule joins it. */
	struct found f = scan_text(
		t, "http: TLS handshake error from 192.0.2.1:2: local error: tls: bad record MAC");
	CHECK_INT((int)f.n, 1);
	CHECK_STR(f.m[0].pattern_id, "go.local");
	CHECK_STR(f.m[0].rule_id, "go-20-bad-mac");
	CHECK_INT(f.m[0].code, 20);
	/* A received alert names the peer's reason: no local rule, no second mention. */
	f = scan_text(t, "SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert "
			 "handshake failure:SSL alert number 40)");
	CHECK_INT((int)f.n, 1);
	CHECK(f.m[0].rule_id == NULL && f.m[0].rule_fragment == NULL);
	CHECK_INT(f.m[0].dir, TLSA_TEXT_RECEIVED);
	/* Rules that share a text: the rule of the alert the line names joins it.  quic-go 0.29
	 * (Go 1.19's TLS) sends 42 where Go 1.25 sends 116 (and 40 in TLS 1.2); only the line's
	 * CRYPTO_ERROR code tells them apart. */
	f = scan_text(t, "CRYPTO_ERROR (0x12a): tls: client didn't provide a certificate");
	CHECK_INT((int)f.n, 1);
	CHECK_INT(f.m[0].code, 42);
	CHECK_INT(f.m[0].dir, TLSA_TEXT_SENT);
	CHECK_STR(f.m[0].rule_id, "go-42-cert-required-old");
	f = scan_text(t, "CRYPTO_ERROR 0x174 (local): tls: client didn't provide a certificate");
	CHECK(f.n == 1 && f.m[0].code == 116);
	CHECK_STR(f.m[0].rule_id, "go-116-cert-required");
	/* A line naming an alert of another code keeps only the alert mention. */
	f = scan_text(t, "error: no shared cipher; Received fatal alert: unknown_ca");
	CHECK_INT((int)f.n, 1);
	CHECK_INT(f.m[0].code, 48);
	CHECK(f.m[0].rule_id == NULL);
}

/* Lines are independent; a local error on a line longer than the 4 KiB stack copy. */
static void long_line(const struct tlsa_text *t)
{
	size_t n = 9000;
	char *buf = malloc(n + 64);
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	memset(buf, 'a', n);
	memcpy(buf, "first line\nerror: ", 18);
	strcpy(buf + n, " no shared cipher\nlast");
	struct found f = scan_text(t, buf);
	CHECK_INT((int)f.n, 1);
	CHECK_STR(f.m[0].rule_id, "openssl-40-no-shared-cipher");
	CHECK(f.m[0].line_start == 11 && f.m[0].start == n + 1);
	free(buf);
}

static void diagnosis(void)
{
	/* The shown rule's cause leads, with that rule, even against a heavier one. */
	struct tlsa_diag_ctx c = {0};
	struct tlsa_cause out[32];
	size_t n = 0;
	c.alert = 40;
	c.stack = "openssl";
	c.rule = "openssl-40-dh-small";
	c.rule_text = "dh key too small";
	CHECK_INT(tlsa_diagnose(&c, out, 32, &n, NULL), 0);
	CHECK(n > 1);
	CHECK_STR(out[0].id, "weak-key");
	CHECK_STR(out[0].rule_id, "openssl-40-dh-small");
	CHECK(strstr(out[0].evidence, "the log shows \"dh key too small\"") != NULL);
	for (size_t i = 1; i < n; i++)
		CHECK(out[i].score <= out[i - 1].score);
	/* Without the rule, the same context ranks another cause first. */
	c.rule = NULL;
	CHECK_INT(tlsa_diagnose(&c, out, 32, &n, NULL), 0);
	CHECK(n > 0 && strcmp(out[0].id, "weak-key") != 0);
	CHECK(tlsa_cause_rule_get("no-such-rule") == NULL);
}

/*
 * A local error whose alert depends on the version (`pre13` in the data): the line's
 * version picks the rule; without one the mention carries both; a line naming the alert
 * picks by its code.  Errors that mean the peer did not speak TLS (`notls`) win a tie of
 * words and carry their rule.
 */
static void versions(const struct tlsa_text *t)
{
	static const char err[] = "error:0A0000C7:SSL routines::peer did not return a certificate";
	char line[256];
	struct found f = scan_text(t, err);
	CHECK_INT((int)f.n, 1);
	CHECK_INT(f.m[0].code, 116);
	CHECK_STR(f.m[0].rule_id, "openssl-116-cert-required");
	CHECK(f.m[0].pre13);
	CHECK_INT(f.m[0].code_pre13, 40);
	CHECK_STR(f.m[0].rule_id_pre13, "openssl-40-client-cert-tls12");

	snprintf(line, sizeof(line), "%s while SSL handshaking (TLSv1.2)", err);
	f = scan_text(t, line);
	CHECK_INT((int)f.n, 1);
	CHECK_INT(f.m[0].code, 40);
	CHECK_STR(f.m[0].rule_id, "openssl-40-client-cert-tls12");
	CHECK(!f.m[0].pre13 && f.m[0].code_pre13 == -1 && f.m[0].rule_id_pre13 == NULL);

	snprintf(line, sizeof(line), "TLS 1.3 handshake: %s", err);
	f = scan_text(t, line);
	CHECK_INT((int)f.n, 1);
	CHECK_INT(f.m[0].code, 116);
	CHECK(!f.m[0].pre13);

	/* two versions named: unknown, both reported */
	snprintf(line, sizeof(line), "TLSv1.3 failed, TLSv1.2 failed: %s", err);
	f = scan_text(t, line);
	CHECK_INT((int)f.n, 1);
	CHECK(f.m[0].pre13 && f.m[0].code == 116 && f.m[0].code_pre13 == 40);

	/* the line names handshake_failure: the pre-1.3 rule joins it */
	snprintf(line, sizeof(line), "SSL3 alert write:fatal:handshake failure %s", err);
	f = scan_text(t, line);
	CHECK_INT((int)f.n, 1);
	CHECK_INT(f.m[0].code, 40);
	CHECK_STR(f.m[0].rule_id, "openssl-40-client-cert-tls12");

	/* Go: 116 / 40 as well; NSS: 116 / 42 */
	f = scan_text(t, "http: TLS handshake error from 192.0.2.1:5000: tls: client didn't "
			 "provide a certificate");
	CHECK(f.n == 1 && f.m[0].pre13 && f.m[0].code == 116 && f.m[0].code_pre13 == 40);
	f = scan_text(t, "error: SSL_ERROR_NO_CERTIFICATE");
	CHECK(f.n == 1 && f.m[0].pre13 && f.m[0].code_pre13 == 42);

	/* not TLS */
	f = scan_text(t, "curl: (35) error:0A00010B:SSL routines::wrong version number");
	CHECK_INT((int)f.n, 1);
	CHECK_STR(f.m[0].rule_id, "openssl-notls-first-record");
	const struct tlsa_cause_rule *r = tlsa_cause_rule_get("openssl-notls-first-record");
	CHECK(r != NULL && r->notls && strcmp(r->cause, "plaintext-service") == 0);
	f = scan_text(t, "*** Fatal error: An unexpected TLS packet was received.");
	CHECK(f.n == 1 && strcmp(f.m[0].rule_id, "gnutls-notls-first-record") == 0);
	r = tlsa_cause_rule_get("openssl-116-cert-required");
	CHECK(r != NULL && r->pre13 != NULL &&
	      strcmp(r->pre13, "openssl-40-client-cert-tls12") == 0);
}

int main(void)
{
	struct tlsa_text *t = NULL;
	struct tlsa_error err;

	CHECK_INT(tlsa_text_new(&t, &err), 0);
	if (t == NULL)
		return CHECK_DONE();
	lines(t);
	joins(t);
	long_line(t);
	versions(t);
	diagnosis();
	tlsa_text_free(t);
	return CHECK_DONE();
}
