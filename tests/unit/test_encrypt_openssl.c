/*
 * Sealing against OpenSSL itself: a libssl client and server talk over
 * memory BIOs (TLS 1.3, TLS 1.2 with GCM, CCM, ChaCha20-Poly1305 and CBC
 * with and without encrypt-then-MAC, TLS 1.0 and 1.1 CBC with their IVs,
 * DTLS 1.2 and 1.0).  The direction states come from the key log callback (and the
 * hello randoms); every protected record libssl wrote must open with them,
 * which also counts the sequence numbers.  Then records sealed here join
 * the stream: application data each side must read, and a fatal alert the
 * client must take as the peer's alert (SSL_read fails with SSL_ERROR_SSL,
 * the info callback sees the alert read).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"

struct end {
	SSL *ssl;
	BIO *in, *out;	       /* in: what it reads; out: what it wrote */
	uint8_t sent[1 << 16]; /* every byte it wrote, in order */
	size_t sent_len;
};

static char keylog[16][300];
static int nkeylog, read_alert = -1;

static void on_keylog(const SSL *ssl, const char *line)
{
	(void)ssl;
	if (nkeylog < 16)
		snprintf(keylog[nkeylog++], sizeof(keylog[0]), "%s", line);
}

static void on_info(const SSL *ssl, int where, int ret)
{
	(void)ssl;
	if (where & SSL_CB_READ_ALERT)
		read_alert = ret;
}

/* The secret of the key log line with this label, its length or 0. */
static size_t keylog_secret(const char *label, uint8_t *out, size_t cap)
{
	size_t ll = strlen(label);
	for (int i = 0; i < nkeylog; i++)
		if (strncmp(keylog[i], label, ll) == 0 && keylog[i][ll] == ' ')
			return unhex(keylog[i] + ll + 1 + 64 + 1, out, cap);
	return 0;
}

/* Moves what `from` wrote to what `to` reads, keeping a copy. */
static void move(struct end *from, struct end *to)
{
	uint8_t buf[4096];
	int n;
	while ((n = BIO_read(from->out, buf, sizeof(buf))) > 0) {
		BIO_write(to->in, buf, n);
		if (from->sent_len + (size_t)n <= sizeof(from->sent)) {
			memcpy(from->sent + from->sent_len, buf, (size_t)n);
			from->sent_len += (size_t)n;
		}
	}
}

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	bool ok = x != NULL && n != NULL &&
		  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
					     (const unsigned char *)"seal.test", -1, -1, 0) == 1 &&
		  X509_set_version(x, 2) == 1 &&
		  ASN1_INTEGER_set(X509_get_serialNumber(x), 7) == 1 &&
		  X509_set_subject_name(x, n) == 1 && X509_set_issuer_name(x, n) == 1 &&
		  X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
		  X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL &&
		  X509_set_pubkey(x, key) == 1 && X509_sign(x, key, EVP_sha256()) > 0;
	X509_NAME_free(n);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

struct kase {
	const char *name;
	bool dtls;
	int version;	     /* TLS1_2_VERSION ... */
	const char *ciphers; /* TLS 1.2 and older: the cipher list; TLS 1.3: the suites */
	bool no_etm;
};

static EVP_PKEY *key;
static X509 *cert;

static SSL_CTX *make_ctx(const struct kase *k, bool server)
{
	const SSL_METHOD *m = k->dtls ? DTLS_method() : TLS_method();
	SSL_CTX *ctx = SSL_CTX_new(m);
	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_security_level(ctx, 0); /* TLS 1.0 and 1.1 */
	SSL_CTX_set_min_proto_version(ctx, k->version);
	SSL_CTX_set_max_proto_version(ctx, k->version);
	if (k->version == TLS1_3_VERSION)
		SSL_CTX_set_ciphersuites(ctx, k->ciphers);
	else
		SSL_CTX_set_cipher_list(ctx, k->ciphers);
	if (k->no_etm)
		SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (server) /* one end's key log holds every secret */
		SSL_CTX_set_keylog_callback(ctx, on_keylog);
	if (server &&
	    (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static bool make_end(struct end *e, SSL_CTX *ctx, bool server, bool dtls)
{
	memset(e, 0, sizeof(*e));
	e->ssl = SSL_new(ctx);
	e->in = BIO_new(BIO_s_mem());
	e->out = BIO_new(BIO_s_mem());
	if (e->ssl == NULL || e->in == NULL || e->out == NULL)
		return false;
	BIO_set_mem_eof_return(e->in, -1); /* empty: "try again", not end of file */
	BIO_set_mem_eof_return(e->out, -1);
	SSL_set_bio(e->ssl, e->in, e->out);
	if (dtls) {
		SSL_set_options(e->ssl, SSL_OP_NO_QUERY_MTU);
		SSL_set_mtu(e->ssl, 1400);
	}
	if (server)
		SSL_set_accept_state(e->ssl);
	else
		SSL_set_connect_state(e->ssl);
	return true;
}

/* Opens every protected record e wrote with its direction states (TLS 1.3:
 * handshake, then application); they then stand at the next sequence number.
 * The number of records opened, or -1 when one did not open. */
static int open_all(const struct end *e, bool dtls, bool tls13, struct tlsa_cipher_dir *hs,
		    struct tlsa_cipher_dir *app)
{
	size_t hdr = dtls ? 13 : 5, at = 0;
	bool protected_ = false;
	int n = 0;
	static uint8_t out[1 << 15];
	while (at + hdr <= e->sent_len) {
		const uint8_t *r = e->sent + at;
		size_t len = hdr + ((size_t)r[hdr - 2] << 8 | r[hdr - 1]), ol;
		uint8_t type;
		if (at + len > e->sent_len)
			return -1;
		at += len;
		if (dtls)
			protected_ = r[3] != 0 || r[4] != 0; /* epoch */
		if (!tls13 && !dtls && r[0] == 20) {
			protected_ = true; /* after the ChangeCipherSpec */
			continue;
		}
		if ((tls13 && r[0] != 23) || (!tls13 && !protected_))
			continue;
		struct tlsa_cipher_dir *d = tls13 && hs->ready ? hs : app;
		int rc = tlsa_dir_decrypt(d, r, len, out, sizeof(out), &ol, &type, NULL);
		if (rc == TLSA_EAUTH && d == hs) { /* the first application record */
			tlsa_dir_free(hs);
			rc = tlsa_dir_decrypt(app, r, len, out, sizeof(out), &ol, &type, NULL);
		}
		if (rc != 0)
			return -1;
		n++;
	}
	if (dtls) /* the next sequence number after the last record opened */
		app->seq = (app->last_seq & 0xffffffffffffu) + 1;
	return n;
}

/* Seals a record on d into what `to` reads. */
static void inject(struct tlsa_cipher_dir *d, struct end *to, uint8_t type, const void *p, size_t n)
{
	uint8_t rec[512];
	size_t rl = 0;
	struct tlsa_error err = {0};
	int rc = tlsa_dir_encrypt(d, type, p, n, rec, sizeof(rec), &rl, &err);
	if (rc != 0)
		fprintf(stderr, "seal: %s\n", err.msg);
	CHECK_INT(rc, 0);
	BIO_write(to->in, rec, (int)rl);
}

/* The direction states of both ends from the key log; 0 or -1. */
static int states(const struct kase *k, struct end *c, struct end *s, struct tlsa_cipher_dir d[4])
{
	uint16_t suite = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(s->ssl));
	uint8_t secret[64];
	size_t sl;
	if (k->version == TLS1_3_VERSION) {
		static const char *labels[4] = {
			"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
			"SERVER_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0"};
		for (int i = 0; i < 4; i++)
			if ((sl = keylog_secret(labels[i], secret, sizeof(secret))) == 0 ||
			    tlsa_dir_init_tls13(&d[i], suite, secret, sl) != 0)
				return -1;
		return 0;
	}
	uint8_t cr[32], sr[32];
	if (keylog_secret("CLIENT_RANDOM", secret, sizeof(secret)) != 48 ||
	    SSL_get_client_random(c->ssl, cr, 32) != 32 ||
	    SSL_get_server_random(s->ssl, sr, 32) != 32)
		return -1;
	/* OpenSSL negotiates encrypt-then-MAC for CBC suites unless told not to */
	return tlsa_dir_init_tls12(&d[1], &d[3], (uint16_t)SSL_version(s->ssl), suite, secret, cr,
				   sr, !k->no_etm);
}

/* Long: one case from the handshake to the alert read, each step checked. */
static void run(const struct kase *k)
{
	SSL_CTX *cctx = make_ctx(k, false), *sctx = make_ctx(k, true);
	static struct end c, s;
	struct tlsa_cipher_dir d[4]; /* client hs, client, server hs, server */
	memset(d, 0, sizeof(d));
	nkeylog = 0;
	read_alert = -1;
	CHECK(cctx != NULL && sctx != NULL);
	if (cctx == NULL || sctx == NULL || !make_end(&c, cctx, false, k->dtls) ||
	    !make_end(&s, sctx, true, k->dtls))
		goto out;
	SSL_set_info_callback(c.ssl, on_info);
	for (int i = 0; i < 40 && !(SSL_is_init_finished(c.ssl) && SSL_is_init_finished(s.ssl));
	     i++) {
		SSL_do_handshake(c.ssl);
		move(&c, &s);
		SSL_do_handshake(s.ssl);
		move(&s, &c);
	}
	bool done = SSL_is_init_finished(c.ssl) && SSL_is_init_finished(s.ssl);
	if (!done)
		fprintf(stderr, "%s: no handshake\n", k->name);
	CHECK(done);
	if (!done)
		goto out;
	/* one record of application data each way, written by libssl */
	char buf[64];
	CHECK_INT(SSL_write(s.ssl, "hello", 5), 5);
	move(&s, &c);
	CHECK_INT(SSL_read(c.ssl, buf, sizeof(buf)), 5);
	CHECK_INT(SSL_write(c.ssl, "hi", 2), 2);
	move(&c, &s);
	CHECK_INT(SSL_read(s.ssl, buf, sizeof(buf)), 2);

	int rc = states(k, &c, &s, d);
	if (rc != 0)
		fprintf(stderr, "%s: no direction state from the key log\n", k->name);
	CHECK_INT(rc, 0);
	bool tls13 = k->version == TLS1_3_VERSION;
	int nc = open_all(&c, k->dtls, tls13, &d[0], &d[1]);
	int ns = open_all(&s, k->dtls, tls13, &d[2], &d[3]);
	if (nc < 2 || ns < 2)
		fprintf(stderr, "%s: opened %d client and %d server records\n", k->name, nc, ns);
	CHECK(nc >= 2 && ns >= 2); /* Finished and the data at least */

	/* sealed here: data each way, then the server's fatal alert */
	inject(&d[1], &s, 23, "ping", 4);
	memset(buf, 0, sizeof(buf));
	CHECK_INT(SSL_read(s.ssl, buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "ping", 4) == 0);
	inject(&d[3], &c, 23, "pong!", 5);
	memset(buf, 0, sizeof(buf));
	CHECK_INT(SSL_read(c.ssl, buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "pong!", 5) == 0);
	static const uint8_t alert[2] = {2, 47}; /* fatal illegal_parameter */
	inject(&d[3], &c, 21, alert, 2);
	int r = SSL_read(c.ssl, buf, sizeof(buf));
	CHECK(r <= 0);
	CHECK_INT(SSL_get_error(c.ssl, r), SSL_ERROR_SSL);
	if (read_alert != (2 << 8 | 47))
		fprintf(stderr, "%s: the client read alert %#x\n", k->name, (unsigned)read_alert);
	CHECK_INT(read_alert, 2 << 8 | 47);
	printf("%s: %d + %d records of libssl opened; data and alert sealed here read by libssl\n",
	       k->name, nc, ns);
out:
	SSL_free(c.ssl);
	SSL_free(s.ssl);
	SSL_CTX_free(cctx);
	SSL_CTX_free(sctx);
	for (int i = 0; i < 4; i++)
		tlsa_dir_free(&d[i]);
}

int main(void)
{
	static const struct kase cases[] = {
		{"TLS 1.3 AES-128-GCM", false, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", false},
		{"TLS 1.3 AES-256-GCM", false, TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", false},
		{"TLS 1.3 ChaCha20", false, TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256", false},
		{"TLS 1.2 GCM", false, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", false},
		{"TLS 1.2 CCM", false, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-CCM", false},
		{"TLS 1.2 CCM8", false, TLS1_2_VERSION, "ECDHE-ECDSA-AES256-CCM8", false},
		{"TLS 1.2 ChaCha20", false, TLS1_2_VERSION, "ECDHE-ECDSA-CHACHA20-POLY1305", false},
		{"TLS 1.2 CBC EtM", false, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA256", false},
		{"TLS 1.2 CBC", false, TLS1_2_VERSION, "ECDHE-ECDSA-AES256-SHA384", true},
		{"TLS 1.1 CBC", false, TLS1_1_VERSION, "ECDHE-ECDSA-AES128-SHA", true},
		{"TLS 1.0 CBC", false, TLS1_VERSION, "ECDHE-ECDSA-AES256-SHA", true},
		{"TLS 1.0 CBC EtM", false, TLS1_VERSION, "ECDHE-ECDSA-AES128-SHA", false},
		{"DTLS 1.2 GCM", true, DTLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", false},
		{"DTLS 1.2 CBC EtM", true, DTLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA", false},
		{"DTLS 1.2 CBC", true, DTLS1_2_VERSION, "ECDHE-ECDSA-AES128-SHA", true},
		{"DTLS 1.0 CBC", true, DTLS1_VERSION, "ECDHE-ECDSA-AES256-SHA", true},
	};
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	cert = key != NULL ? self_signed(key) : NULL;
	CHECK(cert != NULL);
	if (cert != NULL)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run(&cases[i]);
	X509_free(cert);
	EVP_PKEY_free(key);
	return CHECK_DONE();
}
