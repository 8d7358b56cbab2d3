/*
 * The probes that need a whole handshake, made by libssl: certificate
 * verification as a client sees it, a server that asks for a client
 * certificate and gets none, a client renegotiation.  libssl's message
 * callback shows what the server sent (handshake messages, its alert, read
 * from the protected records too) and its verify result what a client
 * would think of the certificate.  The socket is blocking with timeouts.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "net_int.h"

struct watch {
	struct tlsa_probe_result *r;
	const char *after; /* after the first handshake: the step an alert now answers */
	const struct tlsa_probe_opts *o;
};

/* The socket's bytes, both ways, for o->on_wire (a BIO callback). */
static long on_bio(BIO *b, int oper, const char *argp, size_t len, int argi, long argl, int ret,
		   size_t *processed)
{
	void *arg = BIO_get_callback_arg(b); /* our struct watch, given as a char * */
	const struct watch *w = arg;
	(void)len;
	(void)argi;
	(void)argl;
	if (w == NULL || w->o->on_wire == NULL || ret <= 0 || processed == NULL || *processed == 0)
		return ret;
	if (oper == (BIO_CB_READ | BIO_CB_RETURN))
		w->o->on_wire(w->o->ctx, 1, (const uint8_t *)argp, *processed);
	else if (oper == (BIO_CB_WRITE | BIO_CB_RETURN))
		w->o->on_wire(w->o->ctx, 0, (const uint8_t *)argp, *processed);
	return ret;
}

/* libssl's key log lines, for o->on_secret. */
static void on_keylog(const SSL *ssl, const char *line)
{
	const struct watch *w = SSL_get_ex_data(ssl, 0);
	if (w != NULL && w->o->on_secret != NULL)
		w->o->on_secret(w->o->ctx, line);
}

static void on_msg(int write_p, int version, int content_type, const void *buf, size_t len,
		   SSL *ssl, void *arg)
{
	struct watch *w = arg;
	const uint8_t *b = buf;
	(void)version;
	(void)ssl;
	if (content_type == SSL3_RT_HANDSHAKE && len > 4 && (b[0] == 1 || b[0] == 2)) {
		/* the hellos, for the diagnosis, as the tracker reads them */
		if (b[0] == 1 && write_p && !w->r->hs.client_hello)
			tlsa_parse_client_hello(b + 4, len - 4, false, &w->r->hs, NULL);
		else if (b[0] == 2 && !write_p && !w->r->hs.server_hello)
			tlsa_parse_server_hello(b + 4, len - 4, false, &w->r->hs, NULL);
	}
	if (write_p)
		return;
	if (content_type == SSL3_RT_ALERT && len >= 2 && w->r->description < 0) {
		w->r->outcome = TLSA_PROBE_ALERT;
		w->r->level = b[0];
		w->r->description = b[1];
		w->r->alert_encrypted = SSL_version(ssl) == TLS1_3_VERSION || w->after != NULL;
		if (w->after != NULL)
			w->r->step = w->after;
	} else if (content_type == SSL3_RT_HANDSHAKE && len >= 1) {
		const char *step = net_server_step(b[0]);
		if (step != NULL)
			w->r->step = step;
		if (b[0] == 13)
			w->r->cert_requested = true;
	}
}

static void timeouts(int fd, unsigned ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (long)(ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* The leaf certificate and the verify result, for the summary. */
static void cert_facts(SSL *ssl, struct tlsa_probe_result *r)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	r->chain_length = chain != NULL ? sk_X509_num(chain) : 0;
	r->verify_result = SSL_get_verify_result(ssl);
	snprintf(r->verify_error, sizeof(r->verify_error), "%s",
		 X509_verify_cert_error_string(r->verify_result));
	if (leaf == NULL)
		return;
	X509_NAME_oneline(X509_get_subject_name(leaf), r->cert_subject, sizeof(r->cert_subject));
	X509_NAME_oneline(X509_get_issuer_name(leaf), r->cert_issuer, sizeof(r->cert_issuer));
	struct tm tm;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) == 1)
		snprintf(r->cert_not_after, sizeof(r->cert_not_after),
			 "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The configuration of one libssl probe, or NULL with r->detail set. */
static SSL_CTX *context(const struct tlsa_probe_def *p, const struct tlsa_probe_opts *o,
			struct tlsa_probe_result *r)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		goto fail;
	if (p->kind == TLSA_KIND_NO_CLIENT_CERT && p->hello.n_versions > 0) {
		SSL_CTX_set_min_proto_version(ctx, p->hello.versions[0]);
		SSL_CTX_set_max_proto_version(ctx, p->hello.versions[0]);
	} else if (p->kind == TLSA_KIND_RENEGOTIATE) {
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	}
	if (p->kind != TLSA_KIND_NO_CLIENT_CERT && o->client_cert_file != NULL &&
	    (SSL_CTX_use_certificate_chain_file(ctx, o->client_cert_file) != 1 ||
	     SSL_CTX_use_PrivateKey_file(
		     ctx, o->client_key_file != NULL ? o->client_key_file : o->client_cert_file,
		     SSL_FILETYPE_PEM) != 1)) {
		snprintf(r->detail, sizeof(r->detail), "cannot load the client certificate %s%s%s",
			 o->client_cert_file, o->client_key_file ? " with the key " : "",
			 o->client_key_file ? o->client_key_file : "");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (p->kind == TLSA_KIND_VERIFY) {
		int ok = o->ca_file != NULL ? SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL)
					    : SSL_CTX_set_default_verify_paths(ctx);
		if (ok != 1) {
			snprintf(r->detail, sizeof(r->detail), "cannot load the trusted CAs%s%s",
				 o->ca_file ? " of " : "", o->ca_file ? o->ca_file : "");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
fail:
	snprintf(r->detail, sizeof(r->detail), "libssl: %s",
		 ERR_reason_error_string(ERR_get_error()));
	return NULL;
}

/*
 * TLS 1.3 with a CertificateRequest: the server judges the client's (empty)
 * certificate after the client's Finished, so its alert comes after the
 * handshake.  Wait for it a short while; silence means it accepted.
 */
static void listen_after(int fd, SSL *ssl, struct tlsa_probe_result *r)
{
	char b[256];
	if (!r->cert_requested || SSL_version(ssl) != TLS1_3_VERSION) {
		r->outcome = TLSA_PROBE_OK;
		return;
	}
	timeouts(fd, 3000);
	int n = SSL_read(ssl, b, sizeof(b));
	if (r->outcome == TLSA_PROBE_ALERT)
		return;
	r->outcome = n <= 0 && SSL_get_error(ssl, n) == SSL_ERROR_SYSCALL && errno == ECONNRESET
			     ? TLSA_PROBE_RESET
			     : TLSA_PROBE_OK;
}

static void renegotiate(SSL *ssl, struct watch *w)
{
	struct tlsa_probe_result *r = w->r;
	w->after = r->step = "renegotiation";
	if (SSL_renegotiate(ssl) != 1 || SSL_do_handshake(ssl) != 1) {
		if (r->outcome != TLSA_PROBE_ALERT)
			r->outcome = TLSA_PROBE_CLOSED;
		return;
	}
	/* the server answers the new ClientHello: a ServerHello, or an alert */
	char b[256];
	for (int i = 0; i < 4 && r->outcome != TLSA_PROBE_ALERT; i++) {
		int n = SSL_read(ssl, b, sizeof(b));
		if (SSL_renegotiate_pending(ssl) == 0) {
			r->renegotiated = true;
			break;
		}
		if (n <= 0 && SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ)
			break;
	}
	if (r->outcome != TLSA_PROBE_ALERT)
		r->outcome = r->renegotiated ? TLSA_PROBE_OK : TLSA_PROBE_CLOSED;
}

/* Long: one libssl connection from setup to the classification of its end. */
void net_full_handshake(int fd, const struct tlsa_probe_target *t, const struct tlsa_probe_def *p,
			const struct tlsa_probe_opts *o, unsigned timeout_ms,
			struct tlsa_probe_result *r)
{
	struct watch w = {.r = r, .o = o};
	SSL_CTX *ctx = context(p, o, r);
	SSL *ssl = ctx != NULL ? SSL_new(ctx) : NULL;
	if (ssl == NULL) {
		r->outcome = TLSA_PROBE_NOT_TLS;
		if (r->detail[0] == '\0')
			snprintf(r->detail, sizeof(r->detail),
				 "libssl could not make a connection");
		SSL_CTX_free(ctx);
		return;
	}
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	timeouts(fd, timeout_ms);
	SSL_set_fd(ssl, fd);
	SSL_set_ex_data(ssl, 0, &w);
	SSL_CTX_set_keylog_callback(ctx, on_keylog);
	BIO *bio = SSL_get_rbio(ssl); /* the socket BIO, both ways */
	if (bio != NULL && o->on_wire != NULL) {
		BIO_set_callback_arg(bio, (char *)&w);
		BIO_set_callback_ex(bio, on_bio);
	}
	SSL_set_msg_callback(ssl, on_msg);
	SSL_set_msg_callback_arg(ssl, &w);
	const char *name = p->hello.sni_name != NULL ? p->hello.sni_name : t->host;
	if (p->hello.sni && !t->host_is_address)
		SSL_set_tlsext_host_name(ssl, name);
	if (p->kind == TLSA_KIND_VERIFY) {
		SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL); /* record the result, finish anyway */
		SSL_set1_host(ssl, t->host);
	}
	r->step = "client_hello";
	int rc = SSL_connect(ssl);
	if (rc == 1) {
		r->handshake_done = true;
		r->version = (uint16_t)SSL_version(ssl);
		const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
		r->suite = c != NULL ? SSL_CIPHER_get_protocol_id(c) : 0;
		r->server_hello = true;
		const unsigned char *alpn = NULL;
		unsigned alen = 0;
		SSL_get0_alpn_selected(ssl, &alpn, &alen);
		if (alen > 0 && alen < sizeof(r->alpn)) {
			memcpy(r->alpn, alpn, alen);
			r->alpn[alen] = '\0';
		}
		cert_facts(ssl, r);
		w.after = "finished";
		if (p->kind == TLSA_KIND_NO_CLIENT_CERT || p->kind == TLSA_KIND_VERIFY)
			listen_after(fd, ssl, r); /* a TLS 1.3 server judges a client cert now */
		else if (p->kind == TLSA_KIND_RENEGOTIATE)
			renegotiate(ssl, &w);
		else
			r->outcome = TLSA_PROBE_OK;
	} else if (r->outcome != TLSA_PROBE_ALERT) {
		int e = SSL_get_error(ssl, rc);
		r->outcome = e == SSL_ERROR_SYSCALL ? TLSA_PROBE_RESET : TLSA_PROBE_CLOSED;
		snprintf(r->detail, sizeof(r->detail), "%s",
			 ERR_reason_error_string(ERR_peek_last_error()) != NULL
				 ? ERR_reason_error_string(ERR_peek_last_error())
				 : "");
	}
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}
