/*
 * Certificate facts without a key log: the TLS 1.2 Certificate message is
 * plaintext, so the tracker reads it (leaf subject, SAN, validity as seconds,
 * key, signature algorithm, chain facts) for the alert events of corpus
 * captures whose certificates are known (tests/data/corpus/README.md).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tlsalert/capture.h"
#include "tlsalert/session.h"

struct got {
	bool seen;
	struct tlsa_cert_info server, client;
	bool have_server, have_client;
};

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct got *g = ctx;
	if (g->seen)
		return;
	g->seen = true;
	if ((g->have_server = ev->server_cert != NULL))
		g->server = *ev->server_cert;
	if ((g->have_client = ev->client_cert != NULL))
		g->client = *ev->client_cert;
}

static void scan(const char *name, struct got *g)
{
	char path[256];
	struct tlsa_error err = {0};
	struct tlsa_capture_handler h;
	struct tlsa_tracker_opts o = {.sz = sizeof(o), .ctx = g, .on_alert = on_alert};
	memset(g, 0, sizeof(*g));
	snprintf(path, sizeof(path), "tests/data/corpus/%s", name);
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	tlsa_tracker_handler(t, &h);
	struct tlsa_capture *cap = tlsa_capture_new(NULL, &h);
	CHECK(cap != NULL);
	if (cap != NULL) {
		CHECK_INT(tlsa_capture_file(cap, path, 0, &err), 0);
		tlsa_capture_finish(cap);
		tlsa_capture_free(cap);
	}
	tlsa_tracker_free(t);
	CHECK(g->seen);
}

int main(void)
{
	struct got g;

	/* Python client, expired leaf (2020-01-01 .. 2020-01-31) of the corpus CA. */
	scan("tls12-certificate-expired-python-client.pcap", &g);
	CHECK(g.have_server && g.server.parsed && g.server.facts_read);
	CHECK_STR(g.server.subject, "CN=localhost");
	CHECK_STR(g.server.cn, "localhost");
	CHECK(g.server.times_known);
	CHECK(g.server.not_before_unix == 1577836800); /* 2020-01-01T00:00:00Z */
	CHECK(g.server.not_after_unix == 1577836800 + 30 * 86400);
	CHECK_INT(g.server.san_count, 3);
	CHECK_STR(g.server.san[0], "localhost");
	CHECK_STR(g.server.san[1], "127.0.0.1");
	CHECK_STR(g.server.san[2], "::1");
	CHECK_INT(g.server.san_ip, 6); /* the two addresses */
	CHECK_STR(g.server.key_type, "RSA");
	CHECK_INT(g.server.key_bits, 2048);
	CHECK_STR(g.server.key_curve, "");
	CHECK_STR(g.server.sig_alg, "sha256WithRSAEncryption");
	CHECK(!g.server.self_signed);
	CHECK_INT(g.server.chain_length, 1);
	CHECK(!g.server.issuer_in_chain); /* the CA was not sent */
	CHECK(g.server.chain_ordered);
	CHECK(!g.have_client); /* the client sent the alert: only the peer's certificate */

	/* OpenSSL server asking for a client certificate: the server sends leaf and CA. */
	scan("tls12-client-cert-missing-openssl-server.pcap", &g);
	CHECK(g.have_client && !g.client.parsed && g.client.chain_length == 0);
	CHECK(!g.have_server);

	/* An unknown CA: the issuer is not in the chain, the leaf not self-signed. */
	scan("tls12-unknown-ca-openssl-client.pcap", &g);
	CHECK(g.have_server && g.server.facts_read);
	CHECK_STR(g.server.issuer, "CN=Untrusted Root CA,O=Untrusted");
	CHECK(!g.server.self_signed && !g.server.issuer_in_chain);
	return CHECK_DONE();
}
