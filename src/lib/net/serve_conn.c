/*
 * One `serve` connection: libssl runs the handshake over two memory BIOs
 * (what it reads, what it wrote); serve_pump.c frames both ways; at the
 * step the records up to the cut go out, then the alert in its shape, and
 * the peer's bytes until it closes, resets or the reaction timeout are its
 * reaction.  The listener keeps the SSL_CTX, made once for a run.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net_int.h"
#include "serve_int.h"

/* The fixed answer to a request: small, complete, so a client gets a response. */
static const char answer[] = "HTTP/1.1 200 OK\r\n"
			     "Content-Type: text/plain\r\n"
			     "Content-Length: 30\r\n"
			     "Connection: close\r\n"
			     "\r\n"
			     "tlsalert serve: this is data\n\n";
static const char request[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

#define MAX_RECORD (16384 + 2048)
/* a client at `closing` waits this long for an answer to its request */
#define QUIET_MS 1000

void serve_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

static void on_keylog(const SSL *ssl, const char *line)
{
	struct serve_conn *c = SSL_get_ex_data(ssl, 0);
	if (c == NULL)
		return;
	serve_keys_line(&c->keys, line);
	if (c->o->on_secret != NULL)
		c->o->on_secret(c->o->ctx, line);
}

/* "h2,http/1.1" -> ALPN wire format; the length, 0 if none or malformed */
static size_t alpn_wire(const char *list, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (list != NULL && *list != '\0') {
		const char *comma = strchr(list, ',');
		size_t l = comma != NULL ? (size_t)(comma - list) : strlen(list);
		if (l == 0 || l > 255 || n + 1 + l > cap)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, list, l);
		n += l;
		list = comma != NULL ? comma + 1 : NULL;
	}
	return n;
}

static int on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg)
{
	struct serve_conn *c = SSL_get_ex_data(ssl, 0);
	(void)arg;
	uint8_t ours[256];
	size_t n = c != NULL ? alpn_wire(c->o->alpn, ours, sizeof(ours)) : 0;
	if (n == 0)
		return SSL_TLSEXT_ERR_NOACK;
	/* the client's first protocol that we accept */
	for (unsigned i = 0; i < inlen; i += 1u + in[i]) {
		if (i + 1u + in[i] > inlen)
			break;
		for (size_t j = 0; j < n; j += 1u + ours[j])
			if (ours[j] == in[i] && memcmp(ours + j + 1, in + i + 1, in[i]) == 0) {
				*out = in + i + 1;
				*outlen = in[i];
				return SSL_TLSEXT_ERR_OK;
			}
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL; /* what a server with a fixed list answers */
}

static int accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1; /* a client certificate is asked for, never judged */
}

/* The libssl configuration for o (a client's when client). */
static SSL_CTX *make_ctx(const struct tlsa_serve_opts *o, bool client, uint16_t version,
			 struct tlsa_error *err)
{
	bool dtls = version == TLSA_SERVE_VERSION_DTLS12;
	SSL_CTX *x = SSL_CTX_new(dtls	  ? (client ? DTLS_client_method() : DTLS_server_method())
				 : client ? TLS_client_method()
					  : TLS_server_method());
	if (x == NULL)
		goto fail;
	int v = dtls				      ? DTLS1_2_VERSION
		: version == TLSA_SERVE_VERSION_TLS12 ? TLS1_2_VERSION
						      : TLS1_3_VERSION;
	/* the record sealer of serve_rec.c: AES-GCM and ChaCha20-Poly1305 */
	if (SSL_CTX_set_min_proto_version(x, v) != 1 || SSL_CTX_set_max_proto_version(x, v) != 1 ||
	    SSL_CTX_set_cipher_list(x, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1 ||
	    SSL_CTX_set_ciphersuites(x, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
					"TLS_CHACHA20_POLY1305_SHA256") != 1)
		goto fail;
	/* one full handshake per connection, nothing after it but the data */
	/* DTLS over memory BIOs: no MTU to query, the engine's datagrams hold whole records */
	SSL_CTX_set_options(x, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
				       (dtls ? SSL_OP_NO_QUERY_MTU : 0));
	SSL_CTX_set_num_tickets(x, 0);
	SSL_CTX_set_session_cache_mode(x, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_keylog_callback(x, on_keylog);
	if (o->creds != NULL) {
		void *leaf, *chain, *key;
		serve_creds_objects(o->creds, &leaf, &chain, &key);
		if (SSL_CTX_use_certificate(x, leaf) != 1 || SSL_CTX_use_PrivateKey(x, key) != 1)
			goto fail;
		for (int i = 0; i < sk_X509_num(chain); i++)
			if (SSL_CTX_add1_chain_cert(x, sk_X509_value(chain, i)) != 1)
				goto fail;
	}
	if (!client) {
		SSL_CTX_set_alpn_select_cb(x, on_alpn, NULL);
		if (o->request_client_cert)
			SSL_CTX_set_verify(x, SSL_VERIFY_PEER, accept_any);
	}
	return x;
fail:;
	unsigned long e = ERR_get_error();
	tlsa_error_set(err, TLSA_EIO, 0, "libssl: %s",
		       e != 0 ? ERR_reason_error_string(e) : "cannot set up");
	SSL_CTX_free(x);
	return NULL;
}

static int send_bytes(struct serve_conn *c, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	int rc = serve_send(c->fd, p, n, c->deadline);
	if (rc == 0 && c->o->on_wire != NULL)
		c->o->on_wire(c->o->ctx, 0, p, n);
	return rc;
}

/* DTLS: whole records, packed into datagrams of at most DTLS_MTU bytes */
#define DTLS_MTU 1200

static int flush(struct serve_conn *c)
{
	int rc = 0;
	if (!c->dtls) {
		rc = send_bytes(c, c->tx, c->tx_len);
	} else {
		size_t start = 0, at = 0;
		while (at + 13 <= c->tx_len && rc == 0) {
			size_t rl = 13 + ((size_t)c->tx[at + 11] << 8 | c->tx[at + 12]);
			if (at + rl > c->tx_len)
				rl = c->tx_len - at;
			if (at > start && at + rl - start > DTLS_MTU) {
				rc = send_bytes(c, c->tx + start, at - start);
				start = at;
			}
			at += rl;
		}
		if (rc == 0 && at > start)
			rc = send_bytes(c, c->tx + start, at - start);
	}
	c->tx_len = 0;
	return rc;
}

/* The peer's next bytes into libssl and rin: > 0, or 0 closed, < 0 -errno. */
static long pull(struct serve_conn *c, uint64_t deadline)
{
	uint8_t b[16384];
	size_t room = SERVE_BUF_CAP - c->rin_len;
	long k = serve_recv(c->fd, b, room < sizeof(b) ? room : sizeof(b), deadline);
	if (k <= 0)
		return k;
	if (c->o->on_wire != NULL)
		c->o->on_wire(c->o->ctx, 1, b, (size_t)k);
	memcpy(c->rin + c->rin_len, b, (size_t)k);
	c->rin_len += (size_t)k;
	BIO_write(c->rbio, b, (int)k);
	return k;
}

/* Why the connection ended before the step. */
static void ended(struct serve_conn *c, const char *what)
{
	struct tlsa_serve_result *r = c->r;
	if (c->peer_level >= 0)
		snprintf(r->detail, sizeof(r->detail),
			 "the peer sent alert %d (level %d) before the step", c->peer_code,
			 c->peer_level);
	else if (r->detail[0] == '\0')
		snprintf(r->detail, sizeof(r->detail), "%s before the step", what);
}

static const char *why_recv(long k)
{
	return k == 0 ? "the peer closed" : k == -ETIMEDOUT ? "timed out" : "the connection failed";
}

enum { GO_ON, AT_STEP, FAILED };

/* Long: the handshake loop, with the three places the step can fall. */
static int handshake(struct serve_conn *c)
{
	SSL *ssl = c->ssl;
	for (;;) {
		ERR_clear_error();
		int rc = SSL_do_handshake(ssl);
		int e = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc);
		serve_in_pump(c);
		if (c->trigger) /* the peer's flight: the alert instead of our answer */
			return AT_STEP;
		if (serve_out_pump(c))
			return AT_STEP;
		if (c->overflow) {
			snprintf(c->r->detail, sizeof(c->r->detail), "over the %d-byte buffer",
				 SERVE_BUF_CAP);
			return FAILED;
		}
		if (rc == 1 && c->o->step < TLSA_STEP_FINISHED) {
			/* e.g. client_certificate when the server asked for none */
			snprintf(c->r->detail, sizeof(c->r->detail),
				 "the handshake completed without reaching %s",
				 tlsa_serve_step_name(c->o->step));
			return FAILED;
		}
		if (rc == 1)
			return c->o->step == TLSA_STEP_FINISHED ? AT_STEP
								: (flush(c) == 0 ? GO_ON : FAILED);
		if (flush(c) != 0) {
			ended(c, "the connection failed");
			return FAILED;
		}
		if (e != SSL_ERROR_WANT_READ) {
			unsigned long le = ERR_peek_last_error();
			if (c->peer_level < 0 && le != 0)
				snprintf(c->r->detail, sizeof(c->r->detail),
					 "libssl stopped before the step: %s",
					 ERR_reason_error_string(le));
			ended(c, "the handshake failed");
			return FAILED;
		}
		long k = pull(c, c->deadline);
		if (k <= 0) {
			ended(c, why_recv(k));
			return FAILED;
		}
	}
}

/* After the handshake: the steps in the data. */
static int data(struct serve_conn *c)
{
	SSL *ssl = c->ssl;
	tlsa_serve_step s = c->o->step;
	uint64_t deadline = c->deadline;
	if (c->client) {
		if (SSL_write(ssl, request, (int)strlen(request)) <= 0)
			return FAILED;
		serve_out_pump(c);
		if (s == TLSA_STEP_APPLICATION_DATA)
			return AT_STEP;
		if (flush(c) != 0)
			return FAILED;
		/* closing: after the answer, or a quiet second when none comes */
		if (net_now_ms() + QUIET_MS < deadline)
			deadline = net_now_ms() + QUIET_MS;
	}
	for (;;) {
		char b[4096];
		int n = SSL_read(ssl, b, sizeof(b));
		serve_in_pump(c);
		serve_out_pump(c);
		if (n > 0 && c->client) /* the answer came: closing */
			return AT_STEP;
		if (n > 0) {
			if (s == TLSA_STEP_APPLICATION_DATA)
				return AT_STEP;
			size_t half = s == TLSA_STEP_MID_RESPONSE ? (sizeof(answer) - 1) / 2
								  : sizeof(answer) - 1;
			if (SSL_write(ssl, answer, (int)half) <= 0)
				return FAILED;
			serve_out_pump(c);
			return AT_STEP;
		}
		if (flush(c) != 0)
			return FAILED;
		if (SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ) {
			ended(c, "the connection ended");
			return FAILED;
		}
		long k = pull(c, deadline);
		if (k == -ETIMEDOUT && c->client && deadline < c->deadline)
			return AT_STEP;
		if (k <= 0) {
			ended(c, why_recv(k));
			return FAILED;
		}
	}
}

static int send_alert(struct serve_conn *c)
{
	uint8_t a[TLSA_SERVE_REPEAT_MAX * 64 + MAX_RECORD];
	size_t len, split;
	if (serve_alert_records(c, a, sizeof(a), &len, &split) != 0) {
		snprintf(c->r->detail, sizeof(c->r->detail), "cannot seal the alert");
		return FAILED;
	}
	if (c->o->alert.shape == TLSA_SHAPE_COALESCED) {
		serve_tx_add(c, a, len);
		return flush(c) == 0 ? GO_ON : FAILED;
	}
	if (flush(c) != 0)
		return FAILED;
	if (split > 0) {
		if (send_bytes(c, a, split) != 0)
			return FAILED;
		poll(NULL, 0, 20); /* two segments: TCP_NODELAY and a pause */
		return send_bytes(c, a + split, len - split) == 0 ? GO_ON : FAILED;
	}
	return send_bytes(c, a, len) == 0 ? GO_ON : FAILED;
}

/* After our alert: libssl goes on reading (so the keys of the peer's next epoch are
 * known); when the connection carries on, its output goes out and the data is
 * exchanged, else it is dropped. */
static void go_on(struct serve_conn *c, bool *dead, bool *asked)
{
	SSL *ssl = c->ssl;
	uint8_t b[4096];
	ERR_clear_error();
	int n = SSL_read(ssl, b, sizeof(b));
	if (n <= 0 && SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ)
		*dead = true;
	if (!c->carry_on) {
		(void)BIO_reset((BIO *)c->wbio);
		return;
	}
	/* before the answer: the read that completes the handshake may carry the request */
	if (SSL_is_init_finished(ssl))
		c->r->completed = true;
	if (c->r->completed && !*asked && (c->client || n > 0)) {
		*asked = true; /* the client's request, the server's answer */
		if (c->client)
			SSL_write(ssl, request, (int)strlen(request));
		else
			SSL_write(ssl, answer, (int)strlen(answer));
	}
	serve_out_pump(c);
	flush(c);
}

/* Sets up the peer's directions the reaction parser opens its records with. */
static void rx_keys(struct serve_conn *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->rx_ok[i] || c->rx_epoch[i] == 0)
			continue;
		struct serve_dir t;
		memset(&t, 0, sizeof(t));
		t.client = c->peer.client;
		if (serve_dir_enter(&t, &c->keys, c->rx_epoch[i]) == 0) {
			c->rx[i] = t.d; /* moved */
			c->rx_ok[i] = true;
		}
	}
}

/* [0] the peer's epoch now (its state moved over, sequence number included), or the
 * one it protects with next; [1] the one after (TLS 1.3 handshake -> traffic). */
static void rx_setup(struct serve_conn *c)
{
	struct serve_dir *p = &c->peer;
	bool v13 = c->keys.version == 0x0304;
	if (p->keyed) {
		c->rx[0] = p->d;
		memset(&p->d, 0, sizeof(p->d));
		p->keyed = false;
		c->rx_ok[0] = true;
		c->rx_epoch[0] = p->epoch;
	} else if (c->keys.version != 0) {
		c->rx_epoch[0] = v13 ? (p->epoch > 0 ? p->epoch : 1) : 2;
	}
	c->rx_epoch[1] = v13 && c->rx_epoch[0] == 1 ? 2 : 0;
	rx_keys(c);
}

/* Data of the peer within this long of our alert left it before it could read ours. */
#define GRACE_MS 100

/* Long: the watch after the alert, from the parser's setup to its verdict. */
static void watch(struct serve_conn *c, uint64_t t0)
{
	const struct tlsa_serve_opts *o = c->o;
	const struct tlsa_serve_alert *a = &o->alert;
	unsigned tmo = o->reaction_timeout_ms != 0 ? o->reaction_timeout_ms : 3000;
	uint64_t deadline = t0 + tmo;
	bool dead = false, asked = false;
	serve_in_pump(c); /* what arrived before the alert went out (its own alert?) */
	struct tlsa_reaction_case rc = {.version = c->keys.version != 0 ? c->keys.version
						   : o->version != 0	? o->version
									: TLSA_SERVE_VERSION_TLS13,
					.level = a->level,
					.code = a->code,
					.shape = a->shape,
					.plaintext = a->plaintext && c->mine.epoch > 0,
					.peer_is_client = !c->client,
					.peer_protected = c->peer.epoch > 0,
					.peer_alerted_first = c->peer_level >= 0,
					.peer_first_level = (uint8_t)c->peer_level,
					.peer_first_code = (uint8_t)c->peer_code,
					.grace_ms = GRACE_MS};
	rx_setup(c);
	c->after_alert = true;
	struct tlsa_reaction *rr = tlsa_reaction_new(&rc, c->rx_epoch[0] ? &c->rx[0] : NULL,
						     c->rx_epoch[1] ? &c->rx[1] : NULL, t0);
	if (rr == NULL) {
		snprintf(c->r->detail, sizeof(c->r->detail), "out of memory");
		return;
	}
	for (unsigned i = 1; a->shape == TLSA_SHAPE_REPEAT && i < a->repeat; i++)
		tlsa_reaction_sent(rr, t0);
	tlsa_reaction_feed(rr, c->rin, c->rin_len, t0); /* a record begun before */
	c->rin_len = 0;
	c->carry_on = a->level == 1 && a->code != 0 && !c->dtls;
	c->r->continued = c->carry_on;
	c->r->completed = SSL_is_init_finished(c->ssl) == 1;
	if (c->carry_on) { /* what libssl wrote after the step */
		c->cut = false;
		serve_out_pump(c);
		flush(c);
		if (c->client && c->r->completed && o->step < TLSA_STEP_APPLICATION_DATA) {
			asked = true;
			SSL_write(c->ssl, request, (int)strlen(request));
			serve_out_pump(c);
			flush(c);
		}
	}
	if (c->carry_on) /* what libssl holds already: the peer's request may have come with
			    the Finished that triggered the step, and it waits for the answer */
		go_on(c, &dead, &asked);
	long k;
	while ((k = pull(c, deadline)) > 0) {
		if (!dead)
			go_on(c, &dead, &asked);
		rx_keys(c);
		tlsa_reaction_feed(rr, c->rin, c->rin_len, net_now_ms());
		c->rin_len = 0;
	}
	tlsa_reaction_end(rr,
			  k == 0	    ? TLSA_SERVE_END_FIN
			  : k == -ETIMEDOUT ? TLSA_SERVE_END_TIMEOUT
					    : TLSA_SERVE_END_RST,
			  net_now_ms());
	tlsa_reaction_result(rr, &c->r->reaction);
	tlsa_reaction_free(rr);
}

/* Long: one connection from the SSL object to the end of the watch. */
static int run(struct serve_conn *c, SSL_CTX *ctx, struct tlsa_error *err)
{
	struct tlsa_serve_result *r = c->r;
	int rc = 0;
	c->wout = malloc(SERVE_BUF_CAP);
	c->tx = malloc(SERVE_BUF_CAP);
	c->rin = malloc(SERVE_BUF_CAP);
	c->scratch = malloc(MAX_RECORD);
	c->ssl = SSL_new(ctx);
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	if (c->wout == NULL || c->tx == NULL || c->rin == NULL || c->scratch == NULL ||
	    c->ssl == NULL || c->rbio == NULL || c->wbio == NULL) {
		BIO_free(c->rbio);
		BIO_free(c->wbio);
		rc = tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory");
		goto out;
	}
	SSL *ssl = c->ssl;
	SSL_set_bio(ssl, c->rbio, c->wbio);
	if (c->first_len > 0) { /* UDP: the datagram the listener read */
		if (c->o->on_wire != NULL)
			c->o->on_wire(c->o->ctx, 1, c->first, c->first_len);
		memcpy(c->rin, c->first, c->first_len);
		c->rin_len = c->first_len;
		BIO_write(c->rbio, c->first, (int)c->first_len);
	}
	if (c->dtls)
		SSL_set_mtu(ssl, DTLS_MTU);
	SSL_set_ex_data(ssl, 0, c);
	if (c->client) {
		SSL_set_connect_state(ssl);
		if (c->o->sni != NULL)
			SSL_set_tlsext_host_name(ssl, c->o->sni);
		uint8_t w[256];
		size_t n = alpn_wire(c->o->alpn, w, sizeof(w));
		if (n > 0)
			SSL_set_alpn_protos(ssl, w, (unsigned)n);
	} else {
		SSL_set_accept_state(ssl);
	}
	int st = AT_STEP;
	if (!(c->client && c->o->step == TLSA_STEP_CLIENT_HELLO))
		st = handshake(c);
	if (st == GO_ON)
		st = data(c);
	uint64_t sent_at = 0;
	if (st == AT_STEP) {
		r->reached = true;
		sent_at = net_now_ms();
		st = send_alert(c);
		r->alert_sent = st == GO_ON;
	}
	if (r->alert_sent)
		watch(c, sent_at);
	r->peer_level = c->peer_level;
	r->peer_code = c->peer_code;
	const unsigned char *ap = NULL;
	unsigned al = 0;
	SSL_get0_alpn_selected(ssl, &ap, &al);
	if (al > 0 && al < sizeof(r->alpn)) {
		memcpy(r->alpn, ap, al);
		r->alpn[al] = '\0';
	}
out:
	SSL_free(c->ssl);
	serve_dir_free(&c->mine);
	serve_dir_free(&c->peer);
	for (int i = 0; i < 2; i++)
		if (c->rx_ok[i])
			tlsa_dir_free(&c->rx[i]);
	free(c->wout);
	free(c->tx);
	free(c->rin);
	free(c->scratch);
	return rc;
}

static int check(const struct tlsa_serve_opts *o, bool client, struct tlsa_error *err)
{
	uint16_t v = o->version != 0 ? o->version : TLSA_SERVE_VERSION_TLS13;
	const char *why = tlsa_serve_step_check(o->step, client, v);
	if (why != NULL)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "%s at %s: %s",
				      client ? "client" : "server", tlsa_serve_step_name(o->step),
				      why);
	if (v == TLSA_SERVE_VERSION_DTLS12 && client)
		return tlsa_error_set(err, TLSA_EUNSUPP, 0, "DTLS 1.2 is served, not connected to");
	if (v == TLSA_SERVE_VERSION_DTLS12 && o->alert.shape == TLSA_SHAPE_SPLIT)
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "a datagram cannot be split: no shape split in DTLS");
	if (!client && o->creds == NULL)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "a server needs a certificate");
	if (!client && o->step == TLSA_STEP_CERTIFICATE_REQUEST && !o->request_client_cert)
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "certificate_request needs a client certificate request");
	if (o->alert.shape >= TLSA_SHAPE_COUNT || o->alert.repeat > TLSA_SERVE_REPEAT_MAX)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "no such alert shape");
	return 0;
}

static void conn_init(struct serve_conn *c, const struct tlsa_serve_opts *o,
		      struct tlsa_serve_result *r, bool client, int fd)
{
	memset(c, 0, sizeof(*c));
	memset(r, 0, sizeof(*r));
	tlsa_hs_facts_init(&r->hs);
	c->o = o;
	c->r = r;
	c->client = client;
	c->fd = fd;
	c->peer_level = c->peer_code = -1;
	c->mine.mine = true;
	c->mine.client = client;
	c->peer.client = !client;
	unsigned hs = o->handshake_timeout_ms != 0 ? o->handshake_timeout_ms : 10000;
	c->deadline = net_now_ms() + hs;
	serve_ends(fd, &r->local, &r->remote);
}

int tlsa_serve_accept(struct tlsa_serve_listener *l, unsigned accept_timeout_ms,
		      const struct tlsa_serve_opts *o, struct tlsa_serve_result *r,
		      struct tlsa_error *err)
{
	memset(r, 0, sizeof(*r));
	int rc = check(o, false, err);
	if (rc != 0)
		return rc;
	uint16_t v = o->version != 0 ? o->version : TLSA_SERVE_VERSION_TLS13;
	if ((v == TLSA_SERVE_VERSION_DTLS12) != serve_listener_udp(l))
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      v == TLSA_SERVE_VERSION_DTLS12
					      ? "DTLS needs a UDP listener (tlsa_serve_listen_dtls)"
					      : "TLS needs a TCP listener (tlsa_serve_listen)");
	uint64_t *key;
	void **slot = serve_listener_ctx(l, &key);
	uint64_t want[4] = {(uint64_t)(uintptr_t)o->creds, v, o->request_client_cert, 1};
	if (*slot == NULL || memcmp(key, want, sizeof(want)) != 0) {
		SSL_CTX_free(*slot);
		*slot = make_ctx(o, false, v, err);
		if (*slot == NULL)
			return TLSA_EIO;
		memcpy(key, want, sizeof(want));
	}
	int fd = serve_accept_fd(l, accept_timeout_ms, err);
	if (fd < 0)
		return fd;
	uint64_t t0 = net_now_ms();
	struct serve_conn c;
	conn_init(&c, o, r, false, fd);
	c.dtls = v == TLSA_SERVE_VERSION_DTLS12;
	c.first = serve_listener_first(l, &c.first_len);
	rc = run(&c, *slot, err);
	serve_accept_done(l, fd);
	r->elapsed_ms = (unsigned)(net_now_ms() - t0);
	return rc;
}

int tlsa_serve_connect(const struct tlsa_probe_addr *a, const struct tlsa_serve_opts *o,
		       struct tlsa_serve_result *r, struct tlsa_error *err)
{
	memset(r, 0, sizeof(*r));
	int rc = check(o, true, err);
	if (rc != 0)
		return rc;
	uint16_t v = o->version != 0 ? o->version : TLSA_SERVE_VERSION_TLS13;
	SSL_CTX *ctx = make_ctx(o, true, v, err);
	if (ctx == NULL)
		return TLSA_EIO;
	uint64_t t0 = net_now_ms();
	struct tlsa_probe_result pr;
	memset(&pr, 0, sizeof(pr));
	unsigned hs = o->handshake_timeout_ms != 0 ? o->handshake_timeout_ms : 10000;
	int fd = net_connect(a, hs, &pr);
	if (fd < 0) {
		SSL_CTX_free(ctx);
		r->peer_level = r->peer_code = -1;
		snprintf(r->detail, sizeof(r->detail), "%s", pr.detail);
		return 0;
	}
	struct serve_conn c;
	conn_init(&c, o, r, true, fd);
	rc = run(&c, ctx, err);
	close(fd);
	SSL_CTX_free(ctx);
	r->elapsed_ms = (unsigned)(net_now_ms() - t0);
	return rc;
}
