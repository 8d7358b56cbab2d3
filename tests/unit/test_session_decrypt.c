/*
 * The session tracker with a key log: the corpus captures of
 * tests/data/corpus with their key logs (next to the captures, copied
 * from the shared corpus) give every encrypted alert of truth.tsv with its
 * real level and description, decrypted; a wrong key log gives
 * authentication failures and no decrypted alert; no key log gives the
 * inference as before; decrypted TLS 1.3 handshakes give certificate facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check.h"
#include "session/conn_decrypt.h"
#include "tlsalert/capture.h"
#include "tlsalert/decrypt.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

#define MAXEV 16

struct got {
	int n;
	uint64_t frame[MAXEV];
	tlsa_role sender[MAXEV];
	int level[MAXEV], desc[MAXEV];
	bool enc[MAXEV], inferred[MAXEV], decrypted[MAXEV];
	char stage[MAXEV][32];
	const char *dec_error;
	int notices_auth;
	int conns;
	tlsa_outcome outcome;
	bool cert_seen;
	char server_subject[256];
	int server_chain;
	int client_cert_sent;
	bool client_cert_requested;
};

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct got *g = ctx;
	if (ev->decrypt_error != NULL)
		g->dec_error = ev->decrypt_error;
	if (g->n >= MAXEV)
		return;
	int i = g->n++;
	g->frame[i] = ev->pkt->frame;
	g->sender[i] = ev->sender;
	g->level[i] = ev->level;
	g->desc[i] = ev->description;
	g->enc[i] = ev->encrypted;
	g->inferred[i] = ev->inferred;
	g->decrypted[i] = ev->decrypted;
	snprintf(g->stage[i], sizeof(g->stage[i]), "%s", ev->stage);
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	struct got *g = ctx;
	g->conns++;
	g->outcome = ev->outcome;
	if (ev->decrypt_error != NULL)
		g->dec_error = ev->decrypt_error;
	if (ev->server_cert != NULL && ev->server_cert->parsed) {
		g->cert_seen = true;
		snprintf(g->server_subject, sizeof(g->server_subject), "%s",
			 ev->server_cert->subject);
		g->server_chain = ev->server_cert->chain_length;
	}
	g->client_cert_sent = ev->hs->client_cert_sent;
	g->client_cert_requested = ev->hs->client_cert_requested;
}

static void on_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	struct got *g = ctx;
	(void)pkt;
	if (strstr(msg, "does not authenticate") != NULL)
		g->notices_auth++;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = malloc(1 << 20);
	*len = buf != NULL ? fread(buf, 1, 1 << 20, f) : 0;
	fclose(f);
	return buf;
}

static struct tlsa_keylog *load_keylog(const char *name)
{
	char path[512];
	size_t len = 0;
	snprintf(path, sizeof(path), "tests/data/corpus/%s", name);
	char *text = slurp(path, &len);
	CHECK(text != NULL);
	struct tlsa_keylog *kl = tlsa_keylog_new();
	if (text != NULL && kl != NULL)
		CHECK(tlsa_keylog_add_text(kl, text, len, name, NULL, NULL, NULL) > 0);
	free(text);
	return kl;
}

/* Runs one corpus capture through the tracker with the key log (may be NULL). */
static void run(const char *capture, struct tlsa_keylog *kl, struct got *g)
{
	memset(g, 0, sizeof(*g));
	struct tlsa_tracker_opts o = {.sz = sizeof(o),
				      .ctx = g,
				      .on_alert = on_alert,
				      .on_conn = on_conn,
				      .on_notice = on_notice,
				      .keylog = kl};
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);
	struct tlsa_capture *c = tlsa_capture_new(NULL, &h);
	char path[512];
	snprintf(path, sizeof(path), "tests/data/corpus/%s", capture);
	struct tlsa_error err;
	CHECK_INT(tlsa_capture_file(c, path, 0, &err), 0);
	tlsa_capture_finish(c);
	tlsa_capture_free(c);
	tlsa_tracker_free(t);
}

/* An event at this frame, decrypted, with this sender, level and description. */
static bool has(const struct got *g, uint64_t frame, tlsa_role sender, int level, int desc)
{
	for (int i = 0; i < g->n; i++)
		if (g->frame[i] == frame && g->sender[i] == sender && g->level[i] == level &&
		    g->desc[i] == desc && g->decrypted[i] && g->enc[i] && !g->inferred[i])
			return true;
	return false;
}

struct want {
	const char *capture, *keylog;
	uint64_t frame;
	tlsa_role sender;
	int level, desc;
};

#define C TLSA_ROLE_CLIENT
#define S TLSA_ROLE_SERVER

/* The encrypted rows of tests/data/corpus/truth.tsv (decrypted_code column;
 * levels from tshark with the key logs). */
static const struct want wants[] = {
	{"sni-unrecognized-name-warning-tls12.pcap", "sni-unrecognized-name-warning-tls12.keylog",
	 14, C, 1, 0},
	{"sni-unrecognized-name-warning-tls12.pcap", "sni-unrecognized-name-warning-tls12.keylog",
	 17, S, 1, 0},
	{"tls12-close-notify-openssl.pcap", "tls12-close-notify-openssl.keylog", 12, C, 1, 0},
	{"tls12-close-notify-openssl.pcap", "tls12-close-notify-openssl.keylog", 14, S, 1, 0},
	{"tls12-renegotiation-refused-openssl.pcap", "tls12-renegotiation-refused-openssl.keylog",
	 12, S, 1, 100},
	{"tls12-renegotiation-refused-openssl.pcap", "tls12-renegotiation-refused-openssl.keylog",
	 14, C, 2, 40},
	{"tls12-close-notify-gnutls-chacha20.pcap", "tls12-close-notify-gnutls-chacha20.keylog", 13,
	 C, 1, 0},
	{"tls12-close-notify-gnutls-chacha20.pcap", "tls12-close-notify-gnutls-chacha20.keylog", 14,
	 S, 1, 0},
	{"tls12-bad-record-mac-tampered-openssl.pcap",
	 "tls12-bad-record-mac-tampered-openssl.keylog", 11, S, 2, 20},
	{"tls13-certificate-required-openssl-server.pcap",
	 "tls13-certificate-required-openssl-server.keylog", 9, S, 2, 116},
	{"tls13-close-notify-openssl.pcap", "tls13-close-notify-openssl.keylog", 13, C, 1, 0},
	{"tls13-close-notify-openssl.pcap", "tls13-close-notify-openssl.keylog", 15, S, 1, 0},
	{"tls13-close-notify-curl-https.pcap", "tls13-close-notify-curl-https.keylog", 13, S, 1, 0},
	{"tls13-close-notify-curl-https.pcap", "tls13-close-notify-curl-https.keylog", 15, C, 1, 0},
	{"tls13-bad-record-mac-tampered-python-server.pcap",
	 "tls13-bad-record-mac-tampered-python-server.keylog", 12, S, 2, 20},
	{"tls13-close-notify-python-both.pcapng", "tls13-close-notify-python-both.keylog", 13, C, 1,
	 0},
	{"tls13-close-notify-python-both.pcapng", "tls13-close-notify-python-both.keylog", 14, S, 1,
	 0},
	{"tls13-certificate-required-gnutls.pcap", "tls13-certificate-required-gnutls.keylog", 11,
	 S, 2, 116},
	{"tls13-bad-certificate-gnutls-client-expired.pcap",
	 "tls13-bad-certificate-gnutls-client-expired.keylog", 9, C, 2, 42},
};

static void test_corpus(void)
{
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];
		struct tlsa_keylog *kl = load_keylog(w->keylog);
		struct got g;
		run(w->capture, kl, &g);
		bool ok = has(&g, w->frame, w->sender, w->level, w->desc);
		if (!ok) {
			fprintf(stderr, "%s frame %llu: want %d/%d decrypted; got", w->capture,
				(unsigned long long)w->frame, w->level, w->desc);
			for (int k = 0; k < g.n; k++)
				fprintf(stderr, " [frame %llu %d/%d dec=%d inf=%d]",
					(unsigned long long)g.frame[k], g.level[k], g.desc[k],
					g.decrypted[k], g.inferred[k]);
			fprintf(stderr, "\n");
		}
		CHECK(ok);
		/* nothing inferred and no authentication failure in these captures */
		for (int k = 0; k < g.n; k++)
			CHECK(!g.inferred[k]);
		if (strstr(w->capture, "tampered") == NULL) {
			CHECK_INT(g.notices_auth, 0);
			CHECK(g.dec_error == NULL);
		}
		tlsa_keylog_free(kl);
	}
}

/* The key log of another connection: nothing found, inference as before. */
static void test_no_matching_keys(void)
{
	struct tlsa_keylog *kl = load_keylog("tls12-close-notify-openssl.keylog");
	struct got g, plain;
	run("tls13-close-notify-openssl.pcap", kl, &g);
	run("tls13-close-notify-openssl.pcap", NULL, &plain);
	CHECK_INT(g.n, plain.n);
	CHECK(g.n == 2);
	for (int k = 0; k < g.n && k < plain.n; k++) {
		CHECK(g.inferred[k] && plain.inferred[k]);
		CHECK(!g.decrypted[k]);
		CHECK_INT(g.frame[k], plain.frame[k]);
	}
	tlsa_keylog_free(kl);
}

/* Right client random, wrong secrets: authentication failures, never an alert. */
static void test_wrong_secrets(void)
{
	size_t len = 0;
	char *text = slurp("tests/data/corpus/tls13-close-notify-openssl.keylog", &len);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	/* flip the last hex digit of every secret */
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n' && i > 0)
			text[i - 1] = text[i - 1] == '0' ? '1' : '0';
	struct tlsa_keylog *kl = tlsa_keylog_new();
	CHECK(tlsa_keylog_add_text(kl, text, len, "flipped", NULL, NULL, NULL) > 0);
	struct got g;
	run("tls13-close-notify-openssl.pcap", kl, &g);
	CHECK(g.notices_auth > 0);
	CHECK_STR(g.dec_error, "authentication failed: wrong key log or tampered record");
	for (int k = 0; k < g.n; k++)
		CHECK(!g.decrypted[k] && !g.inferred[k]);
	CHECK_INT(g.n, 0);
	tlsa_keylog_free(kl);
	free(text);
}

/* TLS 1.3 handshake facts only visible decrypted. */
static void test_tls13_facts(void)
{
	struct tlsa_keylog *kl = load_keylog("tls13-certificate-required-openssl-server.keylog");
	struct got g;
	run("tls13-certificate-required-openssl-server.pcap", kl, &g);
	CHECK(g.client_cert_requested);
	CHECK_INT(g.client_cert_sent, 0);
	CHECK(g.cert_seen);
	CHECK(g.server_chain >= 1);
	CHECK(g.server_subject[0] != '\0');
	CHECK_INT(g.outcome, TLSA_OUT_FAILED);
	tlsa_keylog_free(kl);

	kl = load_keylog("tls13-bad-certificate-gnutls-client-expired.keylog");
	run("tls13-bad-certificate-gnutls-client-expired.pcap", kl, &g);
	CHECK(g.cert_seen);
	CHECK(g.n >= 1);
	if (g.n >= 1)
		CHECK_STR(g.stage[0], "server_flight");
	tlsa_keylog_free(kl);
}

/* Keys derived through the shared cache equal those of the plain functions. */
static void test_cache_same_keys(void)
{
	struct tlsa_crypto_cache *cc = tlsa_crypto_cache_new();
	CHECK(cc != NULL);
	uint8_t master[48], cr[32], sr[32], secret[48];
	for (int i = 0; i < 48; i++)
		master[i] = secret[i] = (uint8_t)(i * 7 + 1);
	for (int i = 0; i < 32; i++) {
		cr[i] = (uint8_t)i;
		sr[i] = (uint8_t)(255 - i);
	}
	static const uint16_t s12[] = {0xc02f, 0xc030, 0xcca8, 0xc013, 0xc027, 0xc028, 0xc0a0};
	for (size_t k = 0; k < sizeof(s12) / sizeof(s12[0]); k++) {
		struct tlsa_cipher_dir a[2], b[2];
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		CHECK_INT(tlsa_dir_init_tls12(&a[0], &a[1], 0x0303, s12[k], master, cr, sr, false),
			  0);
		CHECK_INT(tlsa_dir_init_tls12_cached(&b[0], &b[1], cc, 0x0303, s12[k], master, cr,
						     sr, false),
			  0);
		for (int d = 0; d < 2; d++) {
			CHECK(memcmp(a[d].key, b[d].key, sizeof(a[d].key)) == 0);
			CHECK(memcmp(a[d].iv, b[d].iv, sizeof(a[d].iv)) == 0);
			CHECK(memcmp(a[d].mac_key, b[d].mac_key, sizeof(a[d].mac_key)) == 0);
			tlsa_dir_free(&a[d]);
			tlsa_dir_free(&b[d]);
		}
	}
	static const uint16_t s13[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
	for (size_t k = 0; k < sizeof(s13) / sizeof(s13[0]); k++) {
		struct tlsa_cipher_dir a, b;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		size_t n = s13[k] == 0x1302 ? 48 : 32;
		CHECK_INT(tlsa_dir_init_tls13(&a, s13[k], secret, n), 0);
		CHECK_INT(tlsa_dir_init_tls13_cached(&b, cc, s13[k], secret, n), 0);
		CHECK(memcmp(a.key, b.key, sizeof(a.key)) == 0);
		CHECK(memcmp(a.iv, b.iv, sizeof(a.iv)) == 0);
		tlsa_dir_free(&a);
		tlsa_dir_free(&b);
	}
	tlsa_crypto_cache_free(cc);
}

/* A self-signed certificate made here (version 1 or 3; names O=Example,
 * OU=ou, CN=cn); DER in an OPENSSL_malloc'd buffer, *len its size. */
static uint8_t *make_cert(EVP_PKEY *key, long version, const char *ou, const char *cn, size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	uint8_t *der = NULL;
	int k = -1;
	if (x != NULL && n != NULL &&
	    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Example", -1,
				       -1, 0) == 1 &&
	    X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)ou, -1, -1,
				       0) == 1 &&
	    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
				       0) == 1 &&
	    X509_set_version(x, version) == 1 &&
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242) == 1 &&
	    X509_set_subject_name(x, n) == 1 && X509_set_issuer_name(x, n) == 1 &&
	    ASN1_TIME_set_string(X509_getm_notBefore(x), "20261127215724Z") == 1 &&
	    ASN1_TIME_set_string(X509_getm_notAfter(x), "20510101000000Z") == 1 &&
	    X509_set_pubkey(x, key) == 1 && X509_sign(x, key, EVP_sha256()) > 0)
		k = i2d_X509(x, &der);
	X509_NAME_free(n);
	X509_free(x);
	*len = k > 0 ? (size_t)k : 0;
	return k > 0 ? der : NULL;
}

/* Certificate facts read from the DER without decoding the public key agree
 * with what the certificate says; shapes that are not a certificate are not
 * "parsed". */
static void test_cert_info(void)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	CHECK(key != NULL);
	if (key == NULL)
		return;
	char a60[61], b60[61]; /* names over 127 bytes: long-form DER lengths */
	memset(a60, 'a', 60);
	memset(b60, 'b', 60);
	a60[60] = b60[60] = '\0';
	const char *ous[] = {"Unit", a60}, *cns[] = {"server.example", b60};
	for (int v = 0; v <= 2; v += 2) {
		for (int i = 0; i < 2; i++) {
			size_t len = 0;
			uint8_t *der = make_cert(key, v, ous[i], cns[i], &len);
			CHECK(der != NULL);
			if (der == NULL)
				continue;
			struct tlsa_cert_info ci;
			char want[300];
			snprintf(want, sizeof(want), "CN=%s,OU=%s,O=Example", cns[i], ous[i]);
			CHECK_INT(sdec_cert_info_der(der, len, 3, &ci), 0);
			CHECK(ci.parsed);
			CHECK_INT(ci.chain_length, 3);
			CHECK_STR(ci.subject, want);
			CHECK_STR(ci.issuer, want);
			CHECK_STR(ci.not_before, "2026-11-27T21:57:24Z");
			CHECK_STR(ci.not_after, "2051-01-01T00:00:00Z");
			/* cut short: not a certificate; bytes after it are ignored (as
			 * d2i_X509 does) */
			CHECK_INT(sdec_cert_info_der(der, len - 1, 1, &ci), -1);
			CHECK(!ci.parsed && ci.subject[0] == '\0' && ci.chain_length == 1);
			uint8_t *more = malloc(len + 1);
			CHECK(more != NULL);
			if (more != NULL) {
				memcpy(more, der, len);
				more[len] = 0;
				CHECK_INT(sdec_cert_info_der(more, len + 1, 1, &ci), 0);
				CHECK_STR(ci.subject, want);
				free(more);
			}
			/* the public key's algorithm identifier broken: d2i_X509 refuses
			 * the certificate, the facts read without decoding the key are
			 * still there */
			uint8_t *alg = NULL;
			for (size_t k = 2; k + 9 <= len && alg == NULL; k++)
				if (memcmp(der + k, "\x06\x07\x2a\x86\x48\xce\x3d\x02\x01", 9) == 0)
					alg = der + k - 2; /* SEQUENCE { id-ecPublicKey, ... } */
			CHECK(alg != NULL && alg[0] == 0x30);
			if (alg != NULL) {
				const unsigned char *p = der;
				alg[0] = 0x31;
				X509 *x = d2i_X509(NULL, &p, (long)len);
				CHECK(x == NULL);
				X509_free(x);
				CHECK_INT(sdec_cert_info_der(der, len, 1, &ci), 0);
				CHECK(ci.parsed);
				CHECK_STR(ci.subject, want);
				alg[0] = 0x30;
			}
			/* an attribute type of the issuer broken: the DER walk gives up, and so
			 * does d2i_X509 */
			uint8_t *o = NULL;
			for (size_t k = 0; k + 4 < len && o == NULL; k++)
				if (memcmp(der + k, "\x06\x03\x55\x04\x03", 5) == 0)
					o = der + k; /* the first CN attribute: the issuer's */
			CHECK(o != NULL);
			if (o != NULL) {
				o[0] = 0x04;
				CHECK_INT(sdec_cert_info_der(der, len, 1, &ci), -1);
				CHECK(!ci.parsed);
			}
			OPENSSL_free(der);
		}
	}
	struct tlsa_cert_info none;
	CHECK_INT(sdec_cert_info_der(NULL, 0, 0, &none), -1);
	CHECK(!none.parsed);
	EVP_PKEY_free(key);
}

int main(void)
{
	test_cert_info();
	test_cache_same_keys();
	test_corpus();
	test_no_matching_keys();
	test_wrong_secrets();
	test_tls13_facts();
	return CHECK_DONE();
}
