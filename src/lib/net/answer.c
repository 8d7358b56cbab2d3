/*
 * The server's answer to one probe: its records, read as they come until the
 * answer is decided -- an alert (plaintext, or TLS 1.3 encrypted and opened
 * with the probe's own keys), the server's whole first flight (ok), a
 * HelloRetryRequest, the close, a reset or the read timeout.  Every length
 * comes from the peer and is checked; at most ANSWER_MAX bytes are kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rd.h"
#include "net_int.h"
#include "tlsalert/hello.h"

#define ANSWER_MAX (256u << 10) /* bytes of one answer kept: a long chain fits */
#define HS_MAX	   (128u << 10)

struct answer {
	uint8_t buf[ANSWER_MAX]; /* bytes received, not yet framed into records */
	size_t n;
	uint8_t hs[HS_MAX]; /* handshake bytes (plaintext or decrypted), not yet a whole message */
	size_t hs_n;
	uint8_t transcript[HS_MAX]; /* ClientHello and ServerHello messages (TLS 1.3 keys) */
	size_t t_n;
	struct tlsa_cipher_dir dir; /* the server's handshake traffic keys (TLS 1.3) */
	bool keyed, done;
	const struct tlsa_probe_keys *keys;
	const struct tlsa_probe_opts *tap; /* its on_secret hears the derived secret */
	struct tlsa_probe_result *r;
};

const char *net_server_step(unsigned type)
{
	switch (type) {
	case 2: return "server_hello";
	case 8: return "encrypted_extensions";
	case 11: return "server_certificate";
	case 12: return "server_key_exchange";
	case 13: return "certificate_request";
	case 14: return "server_hello_done";
	case 15: return "certificate_verify";
	case 20: return "finished";
	default: return NULL;
	}
}

/* The server's key share (TLS 1.3 ServerHello extension 51). */
static bool server_share(const uint8_t *body, size_t len, const uint8_t **share, size_t *slen)
{
	struct rd r = rd_init(body, len);
	rd_skip(&r, 2 + 32);
	struct rd sid = rd_block(&r, 1);
	(void)sid;
	rd_skip(&r, 2 + 1);
	struct rd exts = rd_block(&r, 2);
	while (rd_ok(&exts) && rd_left(&exts) >= 4) {
		uint16_t type = rd_u16(&exts);
		struct rd e = rd_block(&exts, 2);
		if (type != 51 || !rd_ok(&e))
			continue;
		rd_u16(&e); /* group */
		struct rd ks = rd_block(&e, 2);
		if (!rd_ok(&ks))
			return false;
		*share = ks.p;
		*slen = rd_left(&ks);
		return true;
	}
	return false;
}

/* The secret as a key log line, for --keylog-out and --capture-out. */
static void tell_secret(const struct answer *a, const uint8_t *secret, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char line[48 + 64 + 1 + 96 + 1], *p = line;
	if (a->tap == NULL || a->tap->on_secret == NULL || !a->r->hs.client_hello)
		return;
	p += snprintf(line, sizeof(line), "SERVER_HANDSHAKE_TRAFFIC_SECRET ");
	for (size_t i = 0; i < 32; i++) {
		*p++ = hex[a->r->hs.client_random[i] >> 4];
		*p++ = hex[a->r->hs.client_random[i] & 15];
	}
	*p++ = ' ';
	for (size_t i = 0; i < len && i < 48; i++) {
		*p++ = hex[secret[i] >> 4];
		*p++ = hex[secret[i] & 15];
	}
	*p = '\0';
	a->tap->on_secret(a->tap->ctx, line);
}

/* TLS 1.3: the keys of the server's encrypted flight, from the ServerHello. */
static void key_tls13(struct answer *a, const uint8_t *msg, size_t mlen)
{
	const uint8_t *share = NULL;
	size_t slen = 0, sl = 0;
	uint8_t secret[48];
	const struct tlsa_suite *s = tlsa_suite_find(a->r->hs.suite_selected);
	if (s == NULL || !s->tls13 || !server_share(msg + 4, mlen - 4, &share, &slen))
		return;
	if (mlen > sizeof(a->transcript) - a->t_n)
		return;
	memcpy(a->transcript + a->t_n, msg, mlen);
	a->t_n += mlen;
	if (net_server_hs_secret(a->keys, a->r->hs.key_share_group, share, slen, s->prf,
				 a->transcript, a->t_n, secret, &sl, NULL) == 0 &&
	    tlsa_dir_init_tls13(&a->dir, s->id, secret, sl) == 0) {
		a->keyed = true;
		tell_secret(a, secret, sl);
	}
	memset(secret, 0, sizeof(secret));
}

static void on_server_hello(struct answer *a, const uint8_t *msg, size_t mlen)
{
	struct tlsa_probe_result *r = a->r;
	if (tlsa_parse_server_hello(msg + 4, mlen - 4, false, &a->r->hs, NULL) != 0)
		return;
	r->server_hello = true;
	r->version = a->r->hs.version_selected;
	r->suite = a->r->hs.suite_selected;
	r->group = a->r->hs.key_share_group;
	snprintf(r->alpn, sizeof(r->alpn), "%s", a->r->hs.alpn_selected);
	if (a->r->hs.hello_retry) {
		r->outcome = TLSA_PROBE_HRR;
		a->done = true;
		return;
	}
	if (r->version == 0x0304) {
		key_tls13(a, msg, mlen);
		if (!a->keyed) {
			/* a replayed hello: its key shares are another client's, so the
			   server's encrypted flight cannot be read; it accepted the hello */
			r->outcome = TLSA_PROBE_OK;
			snprintf(r->detail, sizeof(r->detail),
				 "the encrypted flight is not read: the hello's keys are not ours");
			a->done = true;
		}
	}
}

/* ALPN in TLS 1.3's EncryptedExtensions */
static void on_encrypted_extensions(struct answer *a, const uint8_t *body, size_t len)
{
	struct rd r = rd_init(body, len);
	struct rd exts = rd_block(&r, 2);
	while (rd_ok(&exts) && rd_left(&exts) >= 4) {
		uint16_t type = rd_u16(&exts);
		struct rd e = rd_block(&exts, 2);
		if (type != 16 || !rd_ok(&e))
			continue;
		struct rd list = rd_block(&e, 2);
		struct rd p = rd_block(&list, 1);
		if (rd_ok(&p) && rd_left(&p) < sizeof(a->r->alpn)) {
			memcpy(a->r->alpn, p.p, rd_left(&p));
			a->r->alpn[rd_left(&p)] = '\0';
		}
	}
}

/* Whole handshake messages in a->hs: the step, and the end of the flight. */
static void handshake_messages(struct answer *a)
{
	size_t at = 0;
	while (!a->done && a->hs_n - at >= 4) {
		const uint8_t *m = a->hs + at;
		size_t len = (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3];
		if (len > HS_MAX - 4) {
			a->done = true; /* absurd: the flight is not readable */
			a->r->outcome = TLSA_PROBE_NOT_TLS;
			snprintf(a->r->detail, sizeof(a->r->detail),
				 "a handshake message claims %zu bytes", len);
			return;
		}
		if (a->hs_n - at < 4 + len)
			break;
		const char *step = net_server_step(m[0]);
		if (step != NULL)
			a->r->step = step;
		if (m[0] == 2)
			on_server_hello(a, m, 4 + len);
		else if (m[0] == 8)
			on_encrypted_extensions(a, m + 4, len);
		/* the end of the server's first flight: 1.2 ServerHelloDone, 1.3 Finished */
		if (m[0] == 14 || (m[0] == 20 && a->r->version == 0x0304)) {
			a->r->outcome = TLSA_PROBE_OK;
			a->done = true;
		}
		at += 4 + len;
	}
	memmove(a->hs, a->hs + at, a->hs_n - at);
	a->hs_n -= at;
}

static void add_hs(struct answer *a, const uint8_t *p, size_t n)
{
	if (n > HS_MAX - a->hs_n) {
		a->done = true;
		a->r->outcome = TLSA_PROBE_NOT_TLS;
		snprintf(a->r->detail, sizeof(a->r->detail), "handshake messages over %u bytes",
			 HS_MAX);
		return;
	}
	memcpy(a->hs + a->hs_n, p, n);
	a->hs_n += n;
	handshake_messages(a);
}

static void on_alert(struct answer *a, const uint8_t *body, size_t n, bool encrypted)
{
	if (n < 2)
		return;
	a->r->outcome = TLSA_PROBE_ALERT;
	a->r->level = body[0];
	a->r->description = body[1];
	a->r->alert_encrypted = encrypted;
	a->done = true;
}

/* One whole record rec[0..5+len). */
static void on_record(struct answer *a, const uint8_t *rec, size_t len)
{
	const uint8_t *body = rec + 5;
	switch (rec[0]) {
	case 21: on_alert(a, body, len, len != 2); break;
	case 22: add_hs(a, body, len); break;
	case 23:
		if (a->keyed) {
			uint8_t out[16384 + 256];
			size_t olen = 0;
			uint8_t inner = 0;
			if (tlsa_dir_decrypt(&a->dir, rec, 5 + len, out, sizeof(out), &olen, &inner,
					     NULL) != 0)
				break;
			if (inner == 21)
				on_alert(a, out, olen, true);
			else if (inner == 22)
				add_hs(a, out, olen);
		} else if (a->r->server_hello && a->r->version == 0x0304 && len == 19) {
			/* an encrypted alert the probe could not open (no share of that group) */
			a->r->outcome = TLSA_PROBE_ALERT;
			a->r->alert_encrypted = true;
			a->done = true;
		}
		break;
	default: break; /* ChangeCipherSpec */
	}
}

/* The first bytes are not a TLS record: say what they are. */
static void not_tls(struct answer *a)
{
	struct tlsa_probe_result *r = a->r;
	size_t k = 0;
	r->outcome = TLSA_PROBE_NOT_TLS;
	while (k < a->n && k < 80 && a->buf[k] >= 0x20 && a->buf[k] < 0x7f)
		k++;
	if (k >= 3)
		snprintf(r->detail, sizeof(r->detail), "plain text: \"%.*s\"", (int)k, a->buf);
	else
		snprintf(r->detail, sizeof(r->detail), "not a TLS record (first byte 0x%02x)",
			 a->buf[0]);
	a->done = true;
}

static void frame(struct answer *a)
{
	size_t at = 0;
	while (!a->done && a->n - at >= 5) {
		const uint8_t *h = a->buf + at;
		size_t len = (size_t)h[3] << 8 | h[4];
		if (h[0] < 20 || h[0] > 23 || h[1] != 3 || len > 16384 + 2048) {
			if (at == 0 && !a->r->server_hello) {
				not_tls(a);
				return;
			}
			a->r->outcome = TLSA_PROBE_NOT_TLS;
			snprintf(a->r->detail, sizeof(a->r->detail),
				 "bytes that are not a TLS record");
			a->done = true;
			return;
		}
		if (a->n - at < 5 + len)
			break;
		on_record(a, h, len);
		at += 5 + len;
	}
	memmove(a->buf, a->buf + at, a->n - at);
	a->n -= at;
}

struct answer *net_answer_new(const uint8_t *hello, size_t hlen, const struct tlsa_probe_keys *k,
			      struct tlsa_probe_result *r)
{
	struct answer *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->keys = k;
	a->r = r;
	r->step = "client_hello";
	/* the transcript starts with the ClientHello message (without its record header) */
	if (hlen > 5 && hlen - 5 <= sizeof(a->transcript)) {
		memcpy(a->transcript, hello + 5, hlen - 5);
		a->t_n = hlen - 5;
	}
	return a;
}

void net_answer_tap(struct answer *a, const struct tlsa_probe_opts *o)
{
	a->tap = o;
}

bool net_answer_feed(struct answer *a, const uint8_t *p, size_t n)
{
	while (n > 0 && !a->done) {
		size_t k = n < sizeof(a->buf) - a->n ? n : sizeof(a->buf) - a->n;
		memcpy(a->buf + a->n, p, k);
		a->n += k;
		a->r->bytes_in += k;
		p += k;
		n -= k;
		frame(a);
		if (!a->done && a->n == sizeof(a->buf)) {
			a->r->outcome = TLSA_PROBE_NOT_TLS;
			snprintf(a->r->detail, sizeof(a->r->detail),
				 "a record longer than TLS allows");
			a->done = true;
		}
	}
	return a->done;
}

void net_answer_free(struct answer *a)
{
	if (a == NULL)
		return;
	tlsa_dir_free(&a->dir);
	free(a);
}

void net_read_answer(int fd, const uint8_t *hello, size_t hlen, const struct tlsa_probe_keys *k,
		     uint64_t deadline, const struct tlsa_probe_opts *o,
		     struct tlsa_probe_result *r)
{
	uint8_t buf[16384];
	struct answer *a = net_answer_new(hello, hlen, k, r);
	if (a == NULL) {
		r->outcome = TLSA_PROBE_CLOSED;
		snprintf(r->detail, sizeof(r->detail), "out of memory");
		return;
	}
	net_answer_tap(a, o);
	for (;;) {
		ssize_t got = net_recv(fd, buf, sizeof(buf), deadline, o);
		if (got <= 0) {
			r->outcome = got == 0		  ? TLSA_PROBE_CLOSED
				     : got == -ETIMEDOUT  ? TLSA_PROBE_TIMEOUT
				     : got == -ECONNRESET ? TLSA_PROBE_RESET
							  : TLSA_PROBE_CLOSED;
			if (got < 0 && got != -ETIMEDOUT && got != -ECONNRESET)
				snprintf(r->detail, sizeof(r->detail), "%s", strerror((int)-got));
			break;
		}
		if (net_answer_feed(a, buf, (size_t)got))
			break;
	}
	net_answer_free(a);
}
