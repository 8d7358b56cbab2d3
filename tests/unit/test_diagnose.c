/*
 * The diagnosis engine: every rule of data/causes*.txt is reachable from a
 * context built from it, hand-written contexts rank as documented, and every
 * alert of the shared corpus (tests/data/diagnose/corpus.tsv) gets its
 * scenario's cause first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/diagnose.h"
#include "tlsalert/session.h"

static tlsa_version version_of(const char *s)
{
	tlsa_version v = TLSA_VER_UNKNOWN;
	if (strcmp(s, "-") != 0 && tlsa_version_parse(s, &v) != 0)
		fprintf(stderr, "bad version '%s'\n", s);
	return v;
}

/* Sets one FIELD=VALUE of the context; false if the field is unknown. */
static bool set_field(struct tlsa_diag_ctx *c, const char *kv)
{
	static const struct {
		const char *name;
		size_t off;
	} tris[] = {
#define T(f) {#f, offsetof(struct tlsa_diag_ctx, f)}
		T(cipher_overlap),
		T(group_overlap),
		T(alpn_offered),
		T(alpn_selected),
		T(sni_sent),
		T(fallback_scsv),
		T(cert_requested),
		T(client_cert_sent),
		T(hello_malformed),
		T(keyshare_invalid),
		T(app_data_seen),
		T(renegotiating),
		T(handshake_done),
		T(cert_expired),
		T(cert_name_mismatch),
		T(cert_self_signed),
		T(encrypted),
		T(inferred),
		T(ems_offered),
		T(reneg_info_offered),
		T(peer_plaintext),
		T(cert_not_yet_valid),
		T(cert_issuer_missing),
		T(cert_weak_key),
		T(cert_chain_misordered),
		T(versions_narrow),
		T(groups_narrow),
		T(sigalgs_narrow),
		T(suites_narrow),
		T(verifies_client_cert),
		T(cert_name_cn_only),
		T(quic),
		T(alpn_h3_draft),
#undef T
	};
	const char *eq = strchr(kv, '=');
	if (eq == NULL)
		return false;
	size_t n = (size_t)(eq - kv);
	const char *v = eq + 1;
	for (size_t i = 0; i < sizeof(tris) / sizeof(tris[0]); i++) {
		if (strlen(tris[i].name) == n && memcmp(tris[i].name, kv, n) == 0) {
			tlsa_tri t = strcmp(v, "yes") == 0 ? TLSA_TRI_YES : TLSA_TRI_NO;
			memcpy((char *)c + tris[i].off, &t, sizeof(t));
			return strcmp(v, "yes") == 0 || strcmp(v, "no") == 0;
		}
	}
#define IS(f) (n == strlen(f) && memcmp(kv, f, n) == 0)
	if (IS("record_len"))
		c->record_len = (uint32_t)strtoul(v, NULL, 10);
	else if (IS("dh_bits"))
		c->dh_bits = (uint32_t)strtoul(v, NULL, 10);
	else if (IS("level"))
		c->level = atoi(v);
	else if (IS("offered_max"))
		c->offered_max = version_of(v);
	else if (IS("offered_min"))
		c->offered_min = version_of(v);
	else if (IS("selected"))
		c->selected = version_of(v);
	else
		return false;
#undef IS
	return true;
}

static const tlsa_version rank_version[] = {TLSA_VER_UNKNOWN, TLSA_VER_UNKNOWN, TLSA_VER_SSL3,
					    TLSA_VER_TLS10,   TLSA_VER_TLS11,	TLSA_VER_TLS12,
					    TLSA_VER_TLS13};

/* Makes the facts satisfy one rule condition. */
static bool satisfy(struct tlsa_diag_ctx *c, const struct tlsa_cause_cond *k)
{
	char kv[64];
	int v = k->value;

	if (strcmp(k->fact, "weak_dh") == 0)
		return set_field(c, v ? "dh_bits=1024" : "dh_bits=4096");
	if (strcmp(k->fact, "record_over_limit") == 0)
		return set_field(c, v ? "record_len=20000" : "record_len=100");
	if (strcmp(k->fact, "level_warning") == 0)
		return set_field(c, v ? "level=1" : "level=2");
	if (strcmp(k->fact, "version_selected_offered") == 0) {
		c->offered_min = TLSA_VER_TLS12;
		c->offered_max = TLSA_VER_TLS13;
		c->selected = v ? TLSA_VER_TLS12 : TLSA_VER_TLS10;
		return true;
	}
	if (strcmp(k->fact, "offered_max") == 0 || strcmp(k->fact, "offered_min") == 0) {
		int r = k->op == '<' ? v - 1 : k->op == '>' ? v + 1 : v;
		if (r < 2 || r > 6)
			return false;
		if (k->fact[8] == 'a')
			c->offered_max = rank_version[r];
		else
			c->offered_min = rank_version[r];
		return true;
	}
	if (k->op == '=' && strcmp(k->fact, "record_len") != 0 && strcmp(k->fact, "dh_bits") != 0) {
		snprintf(kv, sizeof(kv), "%s=%s", k->fact, v ? "yes" : "no");
		return set_field(c, kv);
	}
	snprintf(kv, sizeof(kv), "%s=%d", k->fact, k->op == '<' ? v - 1 : v + 1);
	return set_field(c, kv);
}

static char first_word[64];

static const char *first_of(const char *list)
{
	size_t n = strcspn(list, " ");
	if (n == 0 || n >= sizeof(first_word))
		return NULL;
	memcpy(first_word, list, n);
	first_word[n] = '\0';
	return first_word;
}

/* Every rule, given the context it describes, is the reason chosen for its
 * cause, and that cause ranks in the top three. */
static void test_every_rule(void)
{
	struct tlsa_cause out[48];
	char stack[64], step[64];

	CHECK(tlsa_cause_rule_count() > 150);
	for (size_t i = 0; i < tlsa_cause_rule_count(); i++) {
		const struct tlsa_cause_rule *r = tlsa_cause_rule_at(i);
		struct tlsa_diag_ctx c = {0};
		struct tlsa_error err;
		size_t n = 0;

		c.alert = r->alert;
		snprintf(stack, sizeof(stack), "%s",
			 strcmp(r->stacks, "*") == 0 ? "nss" : first_of(r->stacks));
		c.stack = stack;
		c.sender = strcmp(r->sender, "client") == 0   ? TLSA_PARTY_CLIENT
			   : strcmp(r->sender, "server") == 0 ? TLSA_PARTY_SERVER
							      : TLSA_PARTY_UNKNOWN;
		if (r->steps[0] != '\0') {
			snprintf(step, sizeof(step), "%s", first_of(r->steps));
			c.step = step;
		}
		if (r->versions[0] != '\0')
			c.version = version_of(first_of(r->versions));
		for (size_t k = 0; k < r->n_conds; k++)
			CHECK(satisfy(&c, &r->conds[k]));
		CHECK_INT(tlsa_diagnose(&c, out, 48, &n, &err), 0);
		/* Rare reasons that no visible fact singles out (weight < 20, no
		 * conditions) need only be ranked; the rest must be in the top 3. */
		size_t top = r->weight >= 20 || r->n_conds > 0 ? 3 : n;
		bool found = false;
		for (size_t k = 0; k < n && k < top; k++) {
			if (strcmp(out[k].rule_id, r->id) == 0) {
				found = true;
				/* each condition counted for, none against */
				const char *p = out[k].evidence;
				size_t plus = 0;
				while ((p = strstr(p, "(+20)")) != NULL)
					plus++, p++;
				if (strstr(out[k].evidence, "sent by ") != NULL)
					plus--; /* the stack's own bonus */
				CHECK_INT(plus, r->n_conds);
				CHECK(strstr(out[k].evidence, "contradict") == NULL);
			}
		}
		if (!found) {
			fprintf(stderr, "rule %s is not ranked high enough for its own context:\n",
				r->id);
			for (size_t k = 0; k < n && k < 3; k++)
				fprintf(stderr, "  %d %s (%s): %s\n", out[k].score, out[k].id,
					out[k].rule_id, out[k].evidence);
		}
		CHECK(found);
		CHECK(tlsa_cause_def_get(r->cause) != NULL);
	}
}

static void test_vocabulary(void)
{
	/* Every cause of the minimum vocabulary exists. */
	static const char *const ids[] = {
		"version-mismatch",	 "no-shared-cipher",	  "alpn-mismatch",
		"sni-unknown",		 "fallback-scsv",	  "weak-key",
		"malformed-hello",	 "record-too-large",	  "unexpected-message",
		"untrusted-ca",		 "cert-expired",	  "cert-hostname-mismatch",
		"client-cert-missing",	 "client-cert-untrusted", "tampered-record",
		"renegotiation-refused", "normal-close",	  "peer-internal-error"};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		CHECK(tlsa_cause_def_get(ids[i]) != NULL);
	CHECK(tlsa_cause_def_get("no-such-cause") == NULL);
	CHECK(tlsa_cause_def_get(NULL) == NULL);
	CHECK(tlsa_cause_rule_at(tlsa_cause_rule_count()) == NULL);
	CHECK(tlsa_cause_never_at(tlsa_cause_never_count()) == NULL);
	CHECK(tlsa_cause_def_at(tlsa_cause_def_count()) == NULL);
	CHECK(tlsa_step_at(tlsa_step_count()) == NULL);
	CHECK(tlsa_stack_at(tlsa_stack_count()) == NULL);

	/* Steps: tokens, aliases, case and separators. */
	CHECK_STR(tlsa_step_parse("client_hello"), "client_hello");
	CHECK_STR(tlsa_step_parse("Before-Server-Hello"), "client_hello");
	CHECK_STR(tlsa_step_parse("post handshake"), "application");
	CHECK_STR(tlsa_step_parse("teardown"), "close");
	CHECK(tlsa_step_parse("lunch") == NULL);
	CHECK(tlsa_step_parse("") == NULL);
	CHECK(tlsa_step_parse(NULL) == NULL);
	for (size_t i = 0; i < tlsa_step_count(); i++)
		CHECK_STR(tlsa_step_parse(tlsa_step_at(i)->token), tlsa_step_at(i)->token);
	/* Every stage name `tlsalert scan` reports is a step of the cause tables. */
	CHECK(tlsa_stage_count() > 10);
	for (size_t i = 0; i < tlsa_stage_count(); i++)
		CHECK(tlsa_step_parse(tlsa_stage_at(i)) != NULL);
	CHECK(tlsa_stage_at(tlsa_stage_count()) == NULL);
	CHECK_STR(tlsa_step_parse("server_hello_done"), "server_flight");

	/* Stacks: tokens, aliases, the corpus's sender_impl spellings. */
	CHECK_STR(tlsa_stack_parse("OpenSSL")->token, "openssl");
	CHECK_STR(tlsa_stack_parse("python-ssl(openssl)")->token, "openssl");
	CHECK_STR(tlsa_stack_parse("curl(openssl)")->token, "openssl");
	CHECK_STR(tlsa_stack_parse("go-crypto/tls")->token, "go");
	CHECK_STR(tlsa_stack_parse("JSSE")->token, "java");
	CHECK_STR(tlsa_stack_parse("OpenSSL 1.1.1")->token, "openssl");
	CHECK_STR(tlsa_stack_parse("openssl-1.1.1")->token, "openssl-1.1.1");
	CHECK_STR(tlsa_stack_parse("Go 1.19")->token, "go");
	CHECK_STR(tlsa_stack_parse("gnutls")->name, "GnuTLS");
	CHECK(tlsa_stack_parse("wolfssl") == NULL);
	CHECK(tlsa_stack_parse("") == NULL);
	CHECK(tlsa_stack_parse(NULL) == NULL);
	for (size_t i = 0; i < tlsa_stack_count(); i++)
		CHECK(tlsa_stack_parse(tlsa_stack_at(i)->token) == tlsa_stack_at(i));

	/* Wording: the stack that wrote a message. */
	static const struct {
		const char *text, *stack;
	} words[] = {
		{"error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca", "openssl"},
		{"error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE",
		 "boringssl"},
		{"http: TLS handshake error from 1.2.3.4:5: remote error: tls: bad certificate",
		 "go"},
		{"javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_unknown",
		 "java"},
		{"*** Fatal error: GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR", "gnutls"},
		{"SSL_ERROR_BAD_CERT_ALERT", "nss"},
		{"received fatal alert: UnknownCA (rustls)", "rustls"},
		{"A call to SSPI failed: SEC_E_UNTRUSTED_ROOT", "schannel"},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const struct tlsa_stack_def *d =
			tlsa_stack_from_text(words[i].text, strlen(words[i].text));
		CHECK(d != NULL && strcmp(d->token, words[i].stack) == 0);
	}
	CHECK(tlsa_stack_from_text("nothing to see", 14) == NULL);
	CHECK(tlsa_stack_from_text("SSL routines", 3) == NULL); /* only `len` bytes count */
	CHECK(tlsa_stack_from_text(NULL, 0) == NULL);

	/* Facts: every name the rules may use is one the engine reads. */
	const char *names = tlsa_cause_fact_names();
	CHECK(strstr(names, "cipher_overlap") != NULL && strstr(names, "offered_min") != NULL);
	for (size_t i = 0; i < tlsa_cause_rule_count(); i++) {
		const struct tlsa_cause_rule *r = tlsa_cause_rule_at(i);
		for (size_t k = 0; k < r->n_conds; k++)
			CHECK(strstr(names, r->conds[k].fact) != NULL);
	}
	/* And this test can set every one of them (set_field() and satisfy() know it): the
	 * list is tools/causes_data.py's, a fact added there needs a case here. */
	for (const char *p = names; *p != '\0';) {
		size_t n = strcspn(p, " ");
		char fact[64];
		CHECK(n > 0 && n < sizeof(fact));
		memcpy(fact, p, n);
		fact[n] = '\0';
		static const struct {
			char op;
			int value;
		} tries[] = {{'=', 1}, {'=', 0}, {'<', 5}, {'>', 3}};
		bool set = false;
		for (size_t t = 0; t < sizeof(tries) / sizeof(tries[0]) && !set; t++) {
			struct tlsa_diag_ctx c = {0};
			struct tlsa_cause_cond k = {fact, tries[t].op, tries[t].value};
			set = satisfy(&c, &k);
		}
		if (!set)
			fprintf(stderr, "fact %s: the test cannot set it\n", fact);
		CHECK(set);
		p += n;
		p += strspn(p, " ");
	}
}

static size_t diag(struct tlsa_diag_ctx *c, struct tlsa_cause *out)
{
	struct tlsa_error err;
	size_t n = 0;
	CHECK_INT(tlsa_diagnose(c, out, 48, &n, &err), 0);
	return n;
}

static void test_cases(void)
{
	struct tlsa_cause out[48];
	struct tlsa_error err = {0};
	size_t n;

	/* No context at all: the commonest reason across stacks. */
	struct tlsa_diag_ctx c = {.alert = 40};
	n = diag(&c, out);
	CHECK(n >= 5);
	CHECK_STR(out[0].id, "no-shared-cipher");
	CHECK(strstr(out[0].stacks, "openssl") != NULL && strstr(out[0].stacks, "go") != NULL);
	for (size_t i = 1; i < n; i++)
		CHECK(out[i].score <= out[i - 1].score);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			CHECK(strcmp(out[i].id, out[j].id) != 0);

	/* A TLS 1.2 server that asked for a certificate and got none. */
	c = (struct tlsa_diag_ctx){.alert = 40,
				   .sender = TLSA_PARTY_SERVER,
				   .step = "client_certificate",
				   .version = TLSA_VER_TLS12,
				   .cert_requested = TLSA_TRI_YES,
				   .client_cert_sent = TLSA_TRI_NO};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "client-cert-missing") == 0);
	CHECK(n > 0 && strstr(out[0].evidence, "cert_requested=yes (+20)") != NULL);

	/* The same alert when the facts say the opposite: no longer first. */
	c.client_cert_sent = TLSA_TRI_YES;
	n = diag(&c, out);
	CHECK(n == 0 || strcmp(out[0].id, "client-cert-missing") != 0);

	/* Go clients answer every server-certificate failure with 42. */
	c = (struct tlsa_diag_ctx){.alert = 42,
				   .sender = TLSA_PARTY_CLIENT,
				   .stack = "go",
				   .step = "server_certificate"};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "untrusted-ca") == 0);
	CHECK(n > 0 && strcmp(out[0].stacks, "go") == 0);
	c.cert_expired = TLSA_TRI_YES;
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "cert-expired") == 0);
	CHECK(n > 0 && strcmp(out[0].rule_id, "go-42-client-expired") == 0);

	/* ... and never 48: a Go client "sending" 48 falls back to the other
	 * stacks' reasons, and the evidence says what Go does instead. */
	c = (struct tlsa_diag_ctx){.alert = 48, .sender = TLSA_PARTY_CLIENT, .stack = "go"};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "untrusted-ca") == 0);
	CHECK(n > 0 && strstr(out[0].evidence, "never sends 48") != NULL);
	CHECK(n > 0 && strstr(out[0].evidence, "not go") != NULL);

	/* A Go server does send 48, for a client certificate. */
	c.sender = TLSA_PARTY_SERVER;
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "client-cert-untrusted") == 0);
	CHECK(n > 0 && strstr(out[0].evidence, "never") == NULL);

	/* Java never sends 116. */
	c = (struct tlsa_diag_ctx){.alert = 116, .stack = "java", .version = TLSA_VER_TLS13};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "client-cert-missing") == 0);
	CHECK(n > 0 && strstr(out[0].evidence, "Java (JSSE) never sends 116") != NULL);

	/* Java sends 46 for an untrusted server certificate; OpenSSL 48. */
	c = (struct tlsa_diag_ctx){.alert = 46, .stack = "JSSE", .sender = TLSA_PARTY_CLIENT};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "untrusted-ca") == 0);

	/* An 80 from OpenSSL is the peer's own failure. */
	c = (struct tlsa_diag_ctx){.alert = 80, .stack = "openssl"};
	n = diag(&c, out);
	CHECK(n == 1 && strcmp(out[0].id, "peer-internal-error") == 0);

	/* Record length decides record_overflow. */
	c = (struct tlsa_diag_ctx){.alert = 22, .record_len = 18500};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "record-too-large") == 0);
	CHECK(n > 0 && strstr(out[0].evidence, "record_over_limit=yes") != NULL);

	/* A step outside a rule's list lowers it: 45 from a server is about a
	 * client certificate for Go. */
	c = (struct tlsa_diag_ctx){.alert = 45, .stack = "go", .sender = TLSA_PARTY_SERVER};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "client-cert-untrusted") == 0);

	/* Version-specific rules: 116 from BoringSSL in TLS 1.2 scores lower. */
	c = (struct tlsa_diag_ctx){.alert = 116, .stack = "boringssl", .version = TLSA_VER_TLS13};
	n = diag(&c, out);
	int s13 = n > 0 ? out[0].score : 0;
	c.version = TLSA_VER_TLS12;
	n = diag(&c, out);
	CHECK(n > 0 && out[0].score < s13);
	CHECK(n > 0 && strstr(out[0].evidence, "holds for tls1.3, not tls1.2") != NULL);

	/* A broad step fits the steps it covers. */
	c = (struct tlsa_diag_ctx){
		.alert = 48, .sender = TLSA_PARTY_CLIENT, .step = "server_flight"};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "untrusted-ca") == 0);
	CHECK(n > 0 && strstr(out[0].evidence, "step server_flight (+15)") != NULL);
	c.step = "close";
	n = diag(&c, out);
	CHECK(n > 0 && strstr(out[0].evidence, "step close is not one of") != NULL);

	/* Unknown stack: ignored, and said so. */
	c = (struct tlsa_diag_ctx){.alert = 70, .stack = "wolfssl"};
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "version-mismatch") == 0);
	CHECK(n > 0 && strstr(out[0].evidence, "'wolfssl' is not in the tables") != NULL);

	/* Unknown step: an error with a message. */
	c = (struct tlsa_diag_ctx){.alert = 70, .step = "lunch"};
	n = 99;
	CHECK_INT(tlsa_diagnose(&c, out, 48, &n, &err), TLSA_EINVAL);
	CHECK_INT(n, 0);
	CHECK(strstr(err.msg, "unknown step 'lunch'") != NULL);

	/* An alert no table covers, and a small output array. */
	c = (struct tlsa_diag_ctx){.alert = 255};
	CHECK_INT(diag(&c, out), 0);
	c = (struct tlsa_diag_ctx){.alert = 40};
	CHECK_INT(tlsa_diagnose(&c, out, 2, &n, &err), 0);
	CHECK_INT(n, 2);
	CHECK_STR(out[0].id, "no-shared-cipher");
	CHECK_INT(tlsa_diagnose(&c, out, 0, &n, &err), 0);
	CHECK_INT(n, 0);
}

/* Splits a TSV line in place; returns the number of fields. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

static void test_corpus(void)
{
	FILE *fp = fopen("tests/data/diagnose/corpus.tsv", "r");
	char line[2048];
	size_t rows = 0;

	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *f[12];
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0' || strncmp(line, "file\t", 5) == 0)
			continue;
		if (split(line, f, 12) != 10) {
			fprintf(stderr, "corpus.tsv: bad line '%s'\n", line);
			CHECK(0);
			continue;
		}
		struct tlsa_diag_ctx c = {0};
		struct tlsa_cause out[48];
		c.alert = (uint8_t)atoi(f[2]);
		c.level = strcmp(f[3], "-") == 0 ? -1 : atoi(f[3]);
		c.sender = strcmp(f[4], "client") == 0 ? TLSA_PARTY_CLIENT : TLSA_PARTY_SERVER;
		c.step = f[5];
		c.version = version_of(f[6]);
		c.stack = f[7];
		if (strcmp(f[8], "-") != 0) {
			for (char *kv = strtok(f[8], " "); kv != NULL; kv = strtok(NULL, " "))
				CHECK(set_field(&c, kv));
		}
		size_t n = diag(&c, out);
		bool ok = n > 0 && strcmp(out[0].id, f[9]) == 0;
		if (!ok)
			fprintf(stderr, "%s frame %s: want %s, got %s (%s)\n", f[0], f[1], f[9],
				n ? out[0].id : "nothing", n ? out[0].evidence : "");
		CHECK(ok);
		rows++;
	}
	fclose(fp);
	CHECK_INT(rows, 45);
}

/* Session events become contexts: the corpus's TLS 1.2 client-certificate
 * case as the tracker reports it. */
static void test_from_event(void)
{
	struct tlsa_hs_facts hs;
	struct tlsa_alert_event ev;
	struct tlsa_diag_ctx c;
	struct tlsa_cause out[48];

	memset(&hs, 0, sizeof(hs));
	memset(&ev, 0, sizeof(ev));
	hs.client_hello = hs.server_hello = true;
	hs.versions_offered[0] = 0x0a0a; /* GREASE: ignored */
	hs.versions_offered[1] = 0x0303;
	hs.versions_offered[2] = 0x0302;
	hs.n_versions_offered = 3;
	hs.version_selected = 0x0303;
	hs.suite_selected_set = true;
	hs.client_cert_requested = true;
	hs.client_cert_sent = 0;
	snprintf(hs.sni, sizeof(hs.sni), "localhost");
	ev.sender = TLSA_ROLE_SERVER;
	ev.version = TLSA_VER_TLS12;
	ev.level = 2;
	ev.description = 40;
	ev.likely = -1;
	ev.stage = "finished";
	ev.hs = &hs;
	CHECK(tlsa_diag_ctx_from_event(&c, &ev));
	CHECK_INT(c.alert, 40);
	CHECK_INT(c.level, 2);
	CHECK_INT(c.sender, TLSA_PARTY_SERVER);
	CHECK_STR(c.step, "finished");
	CHECK_INT(c.offered_max, TLSA_VER_TLS12);
	CHECK_INT(c.offered_min, TLSA_VER_TLS11);
	CHECK_INT(c.selected, TLSA_VER_TLS12);
	CHECK_INT(c.cipher_overlap, TLSA_TRI_YES);
	CHECK_INT(c.cert_requested, TLSA_TRI_YES);
	CHECK_INT(c.client_cert_sent, TLSA_TRI_NO);
	CHECK_INT(c.sni_sent, TLSA_TRI_YES);
	CHECK_INT(c.alpn_offered, TLSA_TRI_NO);
	CHECK_INT(c.alpn_selected, TLSA_TRI_NO);
	CHECK_INT(c.encrypted, TLSA_TRI_NO);
	CHECK(c.stack == NULL);
	c.stack = "openssl";
	size_t n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "client-cert-missing") == 0);

	/* An encrypted TLS 1.3 alert: the likely code; an unknown stage is dropped. */
	ev.description = -1;
	ev.likely = 116;
	ev.level = -1;
	ev.encrypted = ev.inferred = true;
	ev.stage = "some_new_stage";
	ev.version = TLSA_VER_TLS13;
	hs.version_selected = 0x0304;
	CHECK(tlsa_diag_ctx_from_event(&c, &ev));
	CHECK_INT(c.alert, 116);
	CHECK_INT(c.level, -1);
	CHECK(c.step == NULL);
	CHECK_INT(c.inferred, TLSA_TRI_YES);
	CHECK_INT(c.alpn_selected, TLSA_TRI_UNKNOWN); /* encrypted in TLS 1.3 */
	n = diag(&c, out);
	CHECK(n > 0 && strcmp(out[0].id, "client-cert-missing") == 0);

	/* No code at all. */
	ev.likely = -1;
	CHECK(!tlsa_diag_ctx_from_event(&c, &ev));
	CHECK_INT(c.alert, 0);
}

int main(void)
{
	test_vocabulary();
	test_every_rule();
	test_cases();
	test_corpus();
	test_from_event();
	return CHECK_DONE();
}
