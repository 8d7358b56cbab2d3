/*
 * Facts decide, priors break ties (issue 11): the certificate facts that
 * tlsa_diag_ctx_from_event computes (validity at the capture time, the SNI
 * against SAN/CN with the RFC 6125 wildcard rules, weak key, issuer missing,
 * chain order) with known answers, and the ranking they drive: a proven cause
 * first whatever the stack's priors, a ruled-out cause last with the evidence
 * saying why, the evidence naming the event's own stage.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tlsalert/diagnose.h"
#include "tlsalert/session.h"

/* 2026-11-27T21:57:27Z */
#define NOW 1795816647

struct fixture {
	struct tlsa_hs_facts hs;
	struct tlsa_cert_info cert;
	struct tlsa_pktinfo pkt;
	struct tlsa_alert_event ev;
};

/* A client's alert 42 at server_hello_done (TLS 1.2) about the server's certificate:
 * CN=localhost, SAN localhost and 127.0.0.1, RSA 2048, valid around NOW. */
static void setup(struct fixture *f, const char *sni)
{
	memset(f, 0, sizeof(*f));
	f->hs.client_hello = f->hs.server_hello = true;
	f->hs.versions_offered[0] = 0x0303;
	f->hs.n_versions_offered = 1;
	f->hs.version_selected = 0x0303;
	f->hs.client_cert_sent = -1;
	snprintf(f->hs.sni, sizeof(f->hs.sni), "%s", sni);
	f->cert.parsed = f->cert.facts_read = f->cert.times_known = true;
	snprintf(f->cert.subject, sizeof(f->cert.subject), "CN=localhost");
	snprintf(f->cert.issuer, sizeof(f->cert.issuer), "CN=Test CA");
	snprintf(f->cert.cn, sizeof(f->cert.cn), "localhost");
	snprintf(f->cert.not_before, sizeof(f->cert.not_before), "2026-01-01T00:00:00Z");
	snprintf(f->cert.not_after, sizeof(f->cert.not_after), "2027-01-01T00:00:00Z");
	f->cert.not_before_unix = 1767225600;
	f->cert.not_after_unix = 1798761600;
	f->cert.san_count = 2;
	snprintf(f->cert.san[0], sizeof(f->cert.san[0]), "localhost");
	snprintf(f->cert.san[1], sizeof(f->cert.san[1]), "127.0.0.1");
	f->cert.san_ip = 2;
	snprintf(f->cert.key_type, sizeof(f->cert.key_type), "RSA");
	f->cert.key_bits = 2048;
	f->cert.chain_length = 2;
	f->cert.issuer_in_chain = f->cert.chain_ordered = true;
	f->pkt.ts_sec = NOW;
	f->ev.pkt = &f->pkt;
	f->ev.sender = TLSA_ROLE_CLIENT;
	f->ev.version = TLSA_VER_TLS12;
	f->ev.version_negotiated = true;
	f->ev.level = 2;
	f->ev.description = 42;
	f->ev.likely = -1;
	f->ev.stage = "server_hello_done";
	f->ev.hs = &f->hs;
	f->ev.server_cert = &f->cert;
}

/* cert_name_mismatch for a SAN list of one DNS name (or none: the CN) and an SNI. */
static tlsa_tri mismatch(const char *san, const char *cn, const char *sni)
{
	struct fixture f;
	struct tlsa_diag_ctx c;
	setup(&f, sni);
	f.cert.san_count = san != NULL ? 1 : 0;
	f.cert.san_ip = 0;
	snprintf(f.cert.san[0], sizeof(f.cert.san[0]), "%s", san != NULL ? san : "");
	snprintf(f.cert.cn, sizeof(f.cert.cn), "%s", cn);
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	return c.cert_name_mismatch;
}

/* cert_name_cn_only for the same certificates. */
static tlsa_tri cn_only(const char *san, const char *cn, const char *sni)
{
	struct fixture f;
	struct tlsa_diag_ctx c;
	setup(&f, sni);
	f.cert.san_count = san != NULL ? 1 : 0;
	f.cert.san_ip = 0;
	snprintf(f.cert.san[0], sizeof(f.cert.san[0]), "%s", san != NULL ? san : "");
	snprintf(f.cert.cn, sizeof(f.cert.cn), "%s", cn);
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	return c.cert_name_cn_only;
}

static void test_names(void)
{
	/* RFC 6125 6.4.3: one left-most label, whole label only, not the bare domain. */
	CHECK_INT(mismatch("*.example.com", "", "a.example.com"), TLSA_TRI_NO);
	CHECK_INT(mismatch("*.example.com", "", "A.Example.COM."), TLSA_TRI_NO);
	CHECK_INT(mismatch("*.example.com", "", "example.com"), TLSA_TRI_YES);
	CHECK_INT(mismatch("*.example.com", "", "a.b.example.com"), TLSA_TRI_YES);
	CHECK_INT(mismatch("*.example.com", "", ".example.com"), TLSA_TRI_YES);
	CHECK_INT(mismatch("w*.example.com", "", "www.example.com"), TLSA_TRI_YES);
	CHECK_INT(mismatch("www.*.com", "", "www.example.com"), TLSA_TRI_YES);
	CHECK_INT(mismatch("*.com", "", "example.com"), TLSA_TRI_YES);
	CHECK_INT(mismatch("www.example.com", "", "www.example.com"), TLSA_TRI_NO);
	CHECK_INT(mismatch("www.example.com", "", "www.example.org"), TLSA_TRI_YES);
	/* The CN counts only without a SAN, and then a match does not rule a mismatch out:
	 * Go (1.15 on) and browsers no longer read the CN (scenario cn-only-go-client-tls12). */
	CHECK_INT(mismatch(NULL, "localhost", "localhost"), TLSA_TRI_UNKNOWN);
	CHECK_INT(cn_only(NULL, "localhost", "localhost"), TLSA_TRI_YES);
	CHECK_INT(cn_only(NULL, "localhost", "wrong.example"), TLSA_TRI_NO);
	CHECK_INT(cn_only("localhost", "localhost", "localhost"), TLSA_TRI_NO);
	CHECK_INT(mismatch(NULL, "localhost", "wrong.example"), TLSA_TRI_YES);
	CHECK_INT(mismatch("other.example", "localhost", "localhost"), TLSA_TRI_YES);

	struct fixture f;
	struct tlsa_diag_ctx c;
	/* An IP address SAN is not a DNS name. */
	setup(&f, "127.0.0.1");
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_name_mismatch, TLSA_TRI_YES);
	/* More SAN entries than kept: a name not among the first ones is unknown. */
	setup(&f, "far.example");
	f.cert.san_count = TLSA_CERT_SAN_MAX + 3;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_name_mismatch, TLSA_TRI_UNKNOWN);
	/* No SNI: nothing to compare. */
	setup(&f, "");
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_name_mismatch, TLSA_TRI_UNKNOWN);
	/* A server's alert: the client certificate is not checked against the SNI. */
	setup(&f, "wrong.example");
	f.ev.sender = TLSA_ROLE_SERVER;
	f.ev.client_cert = &f.cert;
	f.ev.server_cert = NULL;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_name_mismatch, TLSA_TRI_UNKNOWN);
	CHECK_INT(c.cert_expired, TLSA_TRI_NO);
}

static void test_cert_facts(void)
{
	struct fixture f;
	struct tlsa_diag_ctx c;

	setup(&f, "localhost");
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_expired, TLSA_TRI_NO);
	CHECK_INT(c.cert_not_yet_valid, TLSA_TRI_NO);
	CHECK_INT(c.cert_name_mismatch, TLSA_TRI_NO);
	CHECK_INT(c.cert_self_signed, TLSA_TRI_NO);
	CHECK_INT(c.cert_issuer_missing, TLSA_TRI_NO);
	CHECK_INT(c.cert_chain_misordered, TLSA_TRI_NO);
	CHECK_INT(c.cert_weak_key, TLSA_TRI_NO);
	CHECK(c.capture_time == NOW && c.cert == &f.cert);
	CHECK_STR(c.sni, "localhost");
	CHECK_STR(c.step, "server_hello_done"); /* the event's own stage */

	/* The capture's time decides, not the reader's clock. */
	f.pkt.ts_sec = f.cert.not_before_unix - 1;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_not_yet_valid, TLSA_TRI_YES);
	CHECK_INT(c.cert_expired, TLSA_TRI_NO);
	f.pkt.ts_sec = f.cert.not_after_unix + 1;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_not_yet_valid, TLSA_TRI_NO);
	CHECK_INT(c.cert_expired, TLSA_TRI_YES);
	/* Without the DER times, the RFC 3339 strings. */
	f.cert.times_known = false;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_expired, TLSA_TRI_YES);

	setup(&f, "localhost");
	f.cert.key_bits = 1024;
	f.cert.issuer_in_chain = false;
	f.cert.chain_ordered = false;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_weak_key, TLSA_TRI_YES);
	CHECK_INT(c.cert_issuer_missing, TLSA_TRI_YES);
	CHECK_INT(c.cert_chain_misordered, TLSA_TRI_YES);
	snprintf(f.cert.key_type, sizeof(f.cert.key_type), "EC");
	f.cert.key_bits = 256;
	f.cert.self_signed = true;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.cert_weak_key, TLSA_TRI_NO);
	CHECK_INT(c.cert_self_signed, TLSA_TRI_YES);
	CHECK_INT(c.cert_issuer_missing, TLSA_TRI_NO); /* self-signed: its own issuer */
}

static size_t rank(struct fixture *f, const char *stack, struct tlsa_cause *out)
{
	struct tlsa_diag_ctx c;
	struct tlsa_error err;
	size_t n = 0;
	CHECK(tlsa_diag_ctx_from_event(&c, &f->ev));
	c.stack = stack;
	CHECK_INT(tlsa_diagnose(&c, out, 48, &n, &err), 0);
	CHECK(n > 0);
	for (size_t i = 1; i < n; i++)
		CHECK(out[i].score <= out[i - 1].score);
	return n;
}

static const struct tlsa_cause *find(const struct tlsa_cause *out, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i].id, id) == 0)
			return &out[i];
	return NULL;
}

static void test_ranking(void)
{
	struct fixture f;
	struct tlsa_cause out[48];
	size_t n;

	/* Issue 11: notBefore after the capture time, the SNI matches: not yet valid,
	 * and the name mismatch ruled out (OpenSSL's prior puts it first). */
	setup(&f, "localhost");
	f.cert.not_before_unix = NOW + 86400 * 90;
	snprintf(f.cert.not_before, sizeof(f.cert.not_before), "2027-02-25T21:57:27Z");
	n = rank(&f, "openssl", out);
	CHECK_STR(out[0].id, "cert-not-yet-valid");
	CHECK(strstr(out[0].evidence,
		     "decisive: cert_not_yet_valid=yes (notBefore "
		     "2027-02-25T21:57:27Z, capture time 2026-11-27T21:57:27Z)") != NULL);
	CHECK(strstr(out[0].evidence, "step server_hello_done (+15)") != NULL);
	const struct tlsa_cause *m = find(out, n, "cert-hostname-mismatch");
	CHECK(m != NULL && m == &out[n - 1] && m->score <= 5);
	CHECK(m != NULL && strstr(m->evidence, "SNI localhost matches the certificate's SAN "
					       "localhost, 127.0.0.1") != NULL);
	CHECK(m != NULL && strstr(m->evidence, "not cert-hostname-mismatch") != NULL);
	/* GnuTLS sends 42 for it too. */
	rank(&f, "gnutls", out);
	CHECK_STR(out[0].id, "cert-not-yet-valid");
	/* Go's tables have no 42 rule for it: another stack's rule comes in. */
	rank(&f, "go", out);
	CHECK_STR(out[0].id, "cert-not-yet-valid");

	/* gnutls-cli, trusted CA, wrong SNI: a name mismatch, not untrusted-ca. */
	setup(&f, "wrong.example");
	n = rank(&f, "gnutls", out);
	CHECK_STR(out[0].id, "cert-hostname-mismatch");
	CHECK(strstr(out[0].evidence, "SNI wrong.example is not among the certificate's SAN") !=
	      NULL);
	CHECK(find(out, n, "cert-expired") == &out[n - 1] || find(out, n, "cert-expired") == NULL ||
	      find(out, n, "cert-expired")->score <= 5);

	/* Nothing decisive: the prior stays (an untrusted CA for GnuTLS's 42). */
	setup(&f, "localhost");
	rank(&f, "gnutls", out);
	CHECK_STR(out[0].id, "untrusted-ca");

	/* A 1024-bit RSA key and OpenSSL's 42: weak-key. */
	f.cert.key_bits = 1024;
	rank(&f, "openssl", out);
	CHECK_STR(out[0].id, "weak-key");
	CHECK(strstr(out[0].evidence, "cert_weak_key=yes (key RSA 1024)") != NULL);
}

/* A server's alert 40 at client_hello: a ClientHello, no ServerHello, an offer broad in
 * every dimension (three versions, x25519 and more, RSA and ECDSA, 6 suites + SCSV). */
static void setup_refused(struct fixture *f)
{
	static const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xcca9, 0x00ff};
	static const uint16_t groups[] = {0x0a0a, 0x001d, 0x0017, 0x0018};
	static const uint16_t sigalgs[] = {0x0403, 0x0804, 0x0401, 0x0807};
	static const uint16_t versions[] = {0x3a3a, 0x0304, 0x0303, 0x0302};
	setup(f, "localhost");
	f->hs.server_hello = false;
	f->hs.version_selected = 0;
	memcpy(f->hs.suites, suites, sizeof(suites));
	f->hs.n_suites = sizeof(suites) / sizeof(suites[0]);
	memcpy(f->hs.groups, groups, sizeof(groups));
	f->hs.n_groups = sizeof(groups) / sizeof(groups[0]);
	memcpy(f->hs.sigalgs, sigalgs, sizeof(sigalgs));
	f->hs.n_sigalgs = sizeof(sigalgs) / sizeof(sigalgs[0]);
	memcpy(f->hs.versions_offered, versions, sizeof(versions));
	f->hs.n_versions_offered = sizeof(versions) / sizeof(versions[0]);
	f->ev.sender = TLSA_ROLE_SERVER;
	f->ev.server_cert = NULL;
	f->ev.description = 40;
	f->ev.stage = "client_hello";
	f->ev.version = TLSA_VER_TLS13;
	f->ev.version_negotiated = false;
}

/* The shape of the client's offer: narrow in one dimension, known answers. */
static void test_offer_shape(void)
{
	struct fixture f;
	struct tlsa_diag_ctx c;

	setup_refused(&f);
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.versions_narrow, TLSA_TRI_NO);
	CHECK_INT(c.groups_narrow, TLSA_TRI_NO);
	CHECK_INT(c.sigalgs_narrow, TLSA_TRI_NO);
	CHECK_INT(c.suites_narrow, TLSA_TRI_NO);
	CHECK(c.narrow_version == 0 && c.narrow_groups[0] == 0 && c.narrow_suites == 0);
	/* A ServerHello answered: the server did not refuse the offer, nothing is known. */
	f.hs.server_hello = true;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.versions_narrow, TLSA_TRI_UNKNOWN);
	CHECK_INT(c.groups_narrow, TLSA_TRI_UNKNOWN);
	CHECK_INT(c.sigalgs_narrow, TLSA_TRI_UNKNOWN);
	CHECK_INT(c.suites_narrow, TLSA_TRI_UNKNOWN);
	/* One version beside GREASE; secp384r1 alone (GREASE aside); two groups of which one is
	 * secp256r1 is not narrow. */
	setup_refused(&f);
	f.hs.versions_offered[2] = 0x0a0a;
	f.hs.versions_offered[3] = 0x0304;
	f.hs.groups[1] = 0x0018;
	f.hs.groups[2] = 0x0019;
	f.hs.n_groups = 3;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.versions_narrow, TLSA_TRI_NO); /* 0x0304 twice still counts twice: no */
	CHECK_INT(c.groups_narrow, TLSA_TRI_YES);
	CHECK(c.narrow_groups[0] == 0x0018 && c.narrow_groups[1] == 0x0019);
	f.hs.n_versions_offered = 2;
	f.hs.groups[2] = 0x0017;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.versions_narrow, TLSA_TRI_YES);
	CHECK(c.narrow_version == 0x0304);
	CHECK_INT(c.groups_narrow, TLSA_TRI_NO);
	CHECK(c.narrow_groups[0] == 0);
	/* ECDSA and EdDSA only: one key type; one RSA scheme more breaks it. */
	setup_refused(&f);
	f.hs.sigalgs[1] = 0x0503;
	f.hs.sigalgs[2] = 0x0808;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.sigalgs_narrow, TLSA_TRI_YES);
	CHECK_INT(c.narrow_sigalg_key, 2);
	f.hs.sigalgs[2] = 0x0809; /* rsa_pss_pss_sha256 */
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.sigalgs_narrow, TLSA_TRI_NO);
	/* Three suites and the SCSV: narrow; four: not. */
	setup_refused(&f);
	f.hs.suites[3] = 0x00ff;
	f.hs.n_suites = 4;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.suites_narrow, TLSA_TRI_YES);
	CHECK_INT(c.narrow_suites, 3);
	f.hs.suites[3] = 0xc02b;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.suites_narrow, TLSA_TRI_NO);
	/* Four suites of one cipher (AES_128_GCM_SHA256 with four key exchanges, as GnuTLS
	 * offers +AES-128-GCM alone): narrow, and the evidence names the cipher; one suite of
	 * another cipher breaks it. */
	setup_refused(&f);
	static const uint16_t gcm128[] = {0xc02b, 0xc02f, 0x009c, 0x009e, 0x00ff};
	memcpy(f.hs.suites, gcm128, sizeof(gcm128));
	f.hs.n_suites = sizeof(gcm128) / sizeof(gcm128[0]);
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.suites_narrow, TLSA_TRI_YES);
	CHECK_INT(c.narrow_suites, 4);
	CHECK(c.narrow_suite_cipher == 0xc02b);
	struct tlsa_cause out[48];
	struct tlsa_error err;
	size_t n = 0;
	CHECK(tlsa_diagnose(&c, out, 48, &n, &err) == 0 && n > 0);
	bool named = false;
	for (size_t i = 0; i < n; i++)
		named = named ||
			strstr(out[i].evidence, "4 cipher suites, all AES_128_GCM_SHA256") != NULL;
	CHECK(named);
	f.hs.suites[2] = 0x009d; /* TLS_RSA_WITH_AES_256_GCM_SHA384 */
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.suites_narrow, TLSA_TRI_NO);
	CHECK(c.narrow_suite_cipher == 0);
}

/* The narrow dimension wins over the stack's prior, the evidence names it; a decisive fact
 * still wins over it. */
static void test_offer_ranking(void)
{
	struct fixture f;
	struct tlsa_cause out[48];
	size_t n;

	setup_refused(&f);
	rank(&f, "go", out);
	CHECK_STR(out[0].id, "no-shared-cipher"); /* the prior, nothing narrow */
	f.hs.groups[0] = 0x0018;
	f.hs.n_groups = 1;
	n = rank(&f, "go", out);
	CHECK_STR(out[0].id, "no-shared-group");
	CHECK(strstr(out[0].evidence, "favoured by groups_narrow=yes (the client offered only "
				      "secp384r1) (+30)") != NULL);
	const struct tlsa_cause *k = find(out, n, "no-shared-cipher");
	CHECK(k != NULL && strstr(k->evidence, "against it: groups_narrow=yes") != NULL);
	/* One key type of signature algorithms, OpenSSL's server. */
	setup_refused(&f);
	f.hs.sigalgs[1] = 0x0503;
	f.hs.sigalgs[2] = 0x0807;
	rank(&f, "openssl", out);
	CHECK_STR(out[0].id, "no-shared-sigalg");
	/* TLS 1.2 alone to a TLS 1.3-only server whose stack is not known (GnuTLS's own
	 * tables have no 40 for a version: it says "No supported cipher suites"). */
	setup_refused(&f);
	f.hs.versions_offered[0] = 0x0303;
	f.hs.n_versions_offered = 1;
	f.ev.version = TLSA_VER_TLS12; /* the version attempted */
	rank(&f, NULL, out);
	CHECK_STR(out[0].id, "version-mismatch");
	CHECK(strstr(out[0].evidence, "the client offered only TLS 1.2") != NULL);
	/* A decisive fact outranks the narrow offer (by hand: the tracker knows the offer's
	 * shape only without a ServerHello): one group offered, but a version selected that
	 * was not offered proves the version mismatch. */
	struct tlsa_diag_ctx c = {.sz = sizeof(c),
				  .alert = 40,
				  .sender = TLSA_PARTY_SERVER,
				  .step = "client_hello",
				  .stack = "openssl",
				  .groups_narrow = TLSA_TRI_YES,
				  .offered_min = TLSA_VER_TLS12,
				  .offered_max = TLSA_VER_TLS13,
				  .selected = TLSA_VER_TLS10};
	struct tlsa_error err;
	n = 0;
	CHECK_INT(tlsa_diagnose(&c, out, 48, &n, &err), 0);
	CHECK(n > 1);
	CHECK_STR(out[0].id, "version-mismatch");
	CHECK(strstr(out[0].evidence, "against it: groups_narrow=yes (-30)") != NULL);
	CHECK(strstr(out[0].evidence, "decisive: version_selected_offered=no") != NULL);
	CHECK_STR(out[1].id, "no-shared-group");
}

/* Whose certificate: a server's 42 is about the client's (any stack); GnuTLS's TLS 1.3
 * access_denied for an expired client certificate is cert-expired. */
static void test_client_cert(void)
{
	struct fixture f;
	struct tlsa_diag_ctx c;
	struct tlsa_cause out[48];
	size_t n;

	setup(&f, "localhost");
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.verifies_client_cert, TLSA_TRI_NO);
	f.ev.sender = TLSA_ROLE_SERVER;
	f.ev.server_cert = NULL;
	f.ev.client_cert = &f.cert;
	f.ev.version = TLSA_VER_TLS13;
	f.ev.stage = "finished";
	f.hs.client_cert_sent = 1;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.verifies_client_cert, TLSA_TRI_YES);
	n = rank(&f, NULL, out);
	CHECK_STR(out[0].id, "client-cert-untrusted");
	CHECK(strstr(out[0].evidence, "favoured by verifies_client_cert=yes (+30)") != NULL);
	const struct tlsa_cause *k = find(out, n, "untrusted-ca");
	CHECK(k != NULL &&
	      strstr(k->evidence, "against it: verifies_client_cert=yes (-30)") != NULL);
	f.ev.sender = TLSA_ROLE_UNKNOWN;
	CHECK(tlsa_diag_ctx_from_event(&c, &f.ev));
	CHECK_INT(c.verifies_client_cert, TLSA_TRI_UNKNOWN);

	f.ev.sender = TLSA_ROLE_SERVER;
	f.ev.description = 49;
	f.cert.not_after_unix = NOW - 86400;
	rank(&f, "gnutls", out);
	CHECK_STR(out[0].id, "cert-expired");
	CHECK_STR(out[0].rule_id, "gnutls-49-client-cert");
	rank(&f, NULL, out);
	CHECK_STR(out[0].id, "cert-expired");
}

/* A Go server answers a client's renegotiation with unexpected_message. */
static void test_go_reneg(void)
{
	struct fixture f;
	struct tlsa_cause out[48];

	setup(&f, "localhost");
	f.ev.sender = TLSA_ROLE_SERVER;
	f.ev.server_cert = NULL;
	f.ev.description = 10;
	f.ev.stage = "renegotiation";
	rank(&f, "go", out);
	CHECK_STR(out[0].id, "renegotiation-refused");
	CHECK_STR(out[0].rule_id, "go-10-reneg-server");
	f.ev.stage = "server_hello"; /* the first handshake: out of order, as before */
	rank(&f, "go", out);
	CHECK_STR(out[0].id, "unexpected-message");
}

int main(void)
{
	test_go_reneg();
	test_client_cert();
	test_offer_shape();
	test_offer_ranking();
	test_names();
	test_cert_facts();
	test_ranking();
	return CHECK_DONE();
}
