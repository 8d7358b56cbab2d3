/*
 * The session tracker driven directly through its capture handler: framing
 * across segments, roles, STARTTLS, mid-stream starts, gaps, encrypted and
 * inferred alerts, DTLS, and silence on non-TLS traffic.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/session.h"

#define MAXEV 16

struct got {
	int n;
	uint64_t frame[MAXEV];
	tlsa_role sender[MAXEV];
	int level[MAXEV], desc[MAXEV], likely[MAXEV];
	bool enc[MAXEV], inferred[MAXEV];
	char stage[MAXEV][32];
	char history[MAXEV][64];
	const char *starttls[MAXEV];
	tlsa_role_source src[MAXEV];
	size_t len[MAXEV];
	int conns;
	tlsa_outcome outcome;
	char sni[256];
	char plaintext[TLSA_PLAINTEXT_MAX + 1];
	uint64_t plaintext_frame;
};

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct got *g = ctx;
	if (g->n >= MAXEV)
		return;
	int i = g->n++;
	g->frame[i] = ev->pkt->frame;
	g->sender[i] = ev->sender;
	g->level[i] = ev->level;
	g->desc[i] = ev->description;
	g->likely[i] = ev->likely;
	g->enc[i] = ev->encrypted;
	g->inferred[i] = ev->inferred;
	g->starttls[i] = ev->starttls;
	g->src[i] = ev->role_source;
	g->len[i] = ev->record_length;
	snprintf(g->stage[i], sizeof(g->stage[i]), "%s", ev->stage);
	snprintf(g->history[i], sizeof(g->history[i]), "%s", ev->history);
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	struct got *g = ctx;
	g->conns++;
	g->outcome = ev->outcome;
	snprintf(g->sni, sizeof(g->sni), "%s", ev->hs->sni);
	snprintf(g->plaintext, sizeof(g->plaintext), "%s", ev->plaintext);
	g->plaintext_frame = ev->plaintext_frame;
}

struct sim {
	struct tlsa_tracker *t;
	struct tlsa_capture_handler h;
	struct tlsa_flow f;
	struct got g;
	uint64_t frame;
};

static void sim_open(struct sim *s, int syn_dir, uint8_t transport)
{
	memset(s, 0, sizeof(*s));
	struct tlsa_tracker_opts o = {
		.sz = sizeof(o), .ctx = &s->g, .on_alert = on_alert, .on_conn = on_conn};
	s->t = tlsa_tracker_new(&o);
	tlsa_tracker_handler(s->t, &s->h);
	s->f.addr[0].family = s->f.addr[1].family = 4;
	s->f.addr[0].bytes[0] = 10;
	s->f.addr[1].bytes[0] = 192;
	s->f.port[0] = 40000;
	s->f.port[1] = 443;
	s->f.transport = transport;
	s->f.syn_dir = syn_dir;
	s->f.id = 1;
	struct tlsa_pktinfo p = {.frame = 1};
	s->h.flow_open(s->h.ctx, &s->f, &p);
	s->frame = 1;
}

static void sim_data(struct sim *s, int dir, const void *data, size_t len)
{
	struct tlsa_pktinfo p = {.frame = ++s->frame};
	if (s->f.transport == 17)
		s->h.udp_data(s->h.ctx, &s->f, dir, data, len, &p);
	else
		s->h.tcp_data(s->h.ctx, &s->f, dir, data, len, &p);
}

static void sim_gap(struct sim *s, int dir, uint64_t n)
{
	struct tlsa_pktinfo p = {.frame = ++s->frame};
	s->h.tcp_gap(s->h.ctx, &s->f, dir, n, &p);
}

static void sim_close(struct sim *s, enum tlsa_stream_end how)
{
	struct tlsa_pktinfo p = {.frame = ++s->frame};
	s->h.tcp_end(s->h.ctx, &s->f, 0, how, &p);
	s->h.tcp_end(s->h.ctx, &s->f, 1, how, &p);
	s->h.flow_close(s->h.ctx, &s->f);
	tlsa_tracker_free(s->t);
}

/* Records ------------------------------------------------------------- */

struct buf {
	uint8_t b[20000];
	size_t n;
};

static void u8(struct buf *b, unsigned v)
{
	b->b[b->n++] = (uint8_t)v;
}
static void u16(struct buf *b, unsigned v)
{
	u8(b, v >> 8);
	u8(b, v & 0xff);
}
static void u24(struct buf *b, unsigned v)
{
	u8(b, v >> 16);
	u16(b, v & 0xffff);
}

static void record(struct buf *b, unsigned type, const uint8_t *body, size_t n)
{
	u8(b, type);
	u16(b, 0x0303);
	u16(b, (unsigned)n);
	if (body)
		memcpy(b->b + b->n, body, n);
	else
		memset(b->b + b->n, 0x5a, n);
	b->n += n;
}

/* A ClientHello record; tls13 adds supported_versions and SNI "a.test". */
static void client_hello(struct buf *b, bool tls13)
{
	struct buf m = {.n = 0};
	u8(&m, 1);
	u24(&m, 0); /* fixed below */
	u16(&m, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(&m, 7);
	u8(&m, 0);
	u16(&m, 2);
	u16(&m, tls13 ? 0x1301 : 0xc02f);
	u8(&m, 1);
	u8(&m, 0);
	u16(&m, tls13 ? 4 + 11 + 4 + 3 : 4 + 11);
	u16(&m, 0); /* server_name */
	u16(&m, 11);
	u16(&m, 9);
	u8(&m, 0);
	u16(&m, 6);
	memcpy(m.b + m.n, "a.test", 6);
	m.n += 6;
	if (tls13) {
		u16(&m, 43);
		u16(&m, 3);
		u8(&m, 2);
		u16(&m, 0x0304);
	}
	size_t len = m.n - 4;
	m.b[1] = (uint8_t)(len >> 16);
	m.b[2] = (uint8_t)(len >> 8);
	m.b[3] = (uint8_t)len;
	record(b, 22, m.b, m.n);
}

static void server_hello(struct buf *b, bool tls13)
{
	struct buf m = {.n = 0};
	u8(&m, 2);
	u24(&m, 0);
	u16(&m, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(&m, 9);
	u8(&m, 0);
	u16(&m, tls13 ? 0x1301 : 0xc02f);
	u8(&m, 0);
	if (tls13) {
		u16(&m, 6);
		u16(&m, 43);
		u16(&m, 2);
		u16(&m, 0x0304);
	} else {
		u16(&m, 0);
	}
	size_t len = m.n - 4;
	m.b[3] = (uint8_t)len;
	m.b[2] = (uint8_t)(len >> 8);
	record(b, 22, m.b, m.n);
}

static const uint8_t alert_hs_failure[7] = {21, 3, 3, 0, 2, 2, 40};

/* Tests --------------------------------------------------------------- */

static void test_plain_alert_split(void)
{
	struct sim s;
	struct buf b = {.n = 0};
	sim_open(&s, 0, 6);
	client_hello(&b, false);
	/* the ClientHello in two segments, cut inside the handshake header */
	sim_data(&s, 0, b.b, 7);
	sim_data(&s, 0, b.b + 7, b.n - 7);
	/* the alert cut after 3 bytes: the frame completing it counts */
	sim_data(&s, 1, alert_hs_failure, 3);
	sim_data(&s, 1, alert_hs_failure + 3, 4);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.frame[0], 5);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_SERVER);
	CHECK_INT(s.g.src[0], TLSA_ROLES_SYN);
	CHECK_INT(s.g.level[0], 2);
	CHECK_INT(s.g.desc[0], 40);
	CHECK(!s.g.enc[0]);
	CHECK_STR(s.g.stage[0], "client_hello");
	CHECK_STR(s.g.history[0], "H");
	sim_close(&s, TLSA_END_FIN);
	CHECK_INT(s.g.conns, 1);
	CHECK_INT(s.g.outcome, TLSA_OUT_FAILED);
	CHECK_STR(s.g.sni, "a.test");
}

static void test_roles_without_syn(void)
{
	struct sim s;
	struct buf b = {.n = 0};
	/* no SYN seen; dir 0 is the server (port 40000 vs 443 says otherwise,
	   but the ClientHello from dir 1 decides) */
	sim_open(&s, -1, 6);
	client_hello(&b, false);
	sim_data(&s, 1, b.b, b.n);
	sim_data(&s, 0, alert_hs_failure, 7);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_SERVER);
	CHECK_INT(s.g.src[0], TLSA_ROLES_CLIENT_HELLO);
	sim_close(&s, TLSA_END_FIN);

	/* only an alert, no handshake: the port decides (443 = server) */
	sim_open(&s, -1, 6);
	sim_data(&s, 1, alert_hs_failure, 7);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_SERVER);
	CHECK_INT(s.g.src[0], TLSA_ROLES_PORT);
	sim_close(&s, TLSA_END_FIN);
}

static void test_not_tls(void)
{
	struct sim s;
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n";
	sim_open(&s, 0, 6);
	sim_data(&s, 0, req, sizeof(req) - 1);
	sim_data(&s, 1, resp, sizeof(resp) - 1);
	/* a body segment that happens to hold alert-shaped bytes mid-stream */
	static const uint8_t body[] = {'x', 21, 3, 3, 0, 2, 2, 40, 'y'};
	sim_data(&s, 1, body, sizeof(body));
	sim_data(&s, 1, alert_hs_failure, 7); /* even at a segment start */
	CHECK_INT(s.g.n, 0);
	sim_close(&s, TLSA_END_FIN);
	CHECK_INT(s.g.conns, 0);
}

static void test_starttls(void)
{
	struct sim s;
	struct buf b = {.n = 0};
	sim_open(&s, 0, 6);
	s.f.port[1] = 25;
	sim_data(&s, 1, "220 mx ESMTP\r\n", 14);
	sim_data(&s, 0, "EHLO c\r\n", 8);
	sim_data(&s, 1, "250-mx\r\n250 STARTTLS\r\n", 22);
	sim_data(&s, 0, "STARTTLS\r\n", 10);
	sim_data(&s, 1, "220 go ahead\r\n", 14);
	client_hello(&b, false);
	sim_data(&s, 0, b.b, b.n);
	sim_data(&s, 1, alert_hs_failure, 7);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.frame[0], 8);
	CHECK_STR(s.g.starttls[0], "smtp");
	CHECK_INT(s.g.desc[0], 40);
	sim_close(&s, TLSA_END_FIN);
}

/* A ClientHello answered in plain text: outcome plaintext with the first line, cut at
 * TLSA_PLAINTEXT_MAX; a banner before the ClientHello counts; binary bytes or STARTTLS
 * do not. */
static void plain_case(const char *banner, const char *reply, tlsa_outcome want, const char *line,
		       uint64_t frame)
{
	struct sim s;
	struct buf b = {.n = 0};
	sim_open(&s, 0, 6);
	if (banner != NULL)
		sim_data(&s, 1, banner, strlen(banner));
	client_hello(&b, true);
	sim_data(&s, 0, b.b, b.n);
	if (reply != NULL)
		sim_data(&s, 1, reply, strlen(reply));
	sim_close(&s, TLSA_END_FIN);
	CHECK_INT(s.g.conns, 1);
	CHECK_INT(s.g.outcome, want);
	CHECK_STR(s.g.plaintext, line);
	CHECK_INT(s.g.plaintext_frame, frame);
	CHECK_STR(tlsa_outcome_name(TLSA_OUT_PLAINTEXT), "plaintext");
}

static void test_plaintext_answer(void)
{
	plain_case(NULL, "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n", TLSA_OUT_PLAINTEXT,
		   "HTTP/1.1 400 Bad Request", 3);
	plain_case("220 mx ESMTP ready\r\n", "500 unrecognized\r\n", TLSA_OUT_PLAINTEXT,
		   "220 mx ESMTP ready", 2);
	plain_case(NULL, "SSH-2.0-OpenSSH_9.6\r\n", TLSA_OUT_PLAINTEXT, "SSH-2.0-OpenSSH_9.6", 3);
	plain_case(NULL, "+OK\tready", TLSA_OUT_PLAINTEXT, "+OK ready", 3); /* no line end */
	char longline[200], want[TLSA_PLAINTEXT_MAX + 1];
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	memset(want, 'a', TLSA_PLAINTEXT_MAX - 3);
	memcpy(want + TLSA_PLAINTEXT_MAX - 3, "...", 4);
	plain_case(NULL, longline, TLSA_OUT_PLAINTEXT, want, 3);
	/* not text: a control byte in the first line, or too short a line */
	plain_case(NULL, "HT\x01TP/1.1 400\r\n", TLSA_OUT_INCOMPLETE, "", 0);
	plain_case(NULL, "ok\r\nmore text\r\n", TLSA_OUT_INCOMPLETE, "", 0);
	plain_case(NULL, NULL, TLSA_OUT_INCOMPLETE, "", 0); /* no answer at all */

	/* the client's alert after the text (Java's unexpected_message): still plain text */
	struct sim j;
	struct buf jb = {.n = 0};
	sim_open(&j, 0, 6);
	client_hello(&jb, true);
	sim_data(&j, 0, jb.b, jb.n);
	sim_data(&j, 1, "HTTP/1.1 400 Bad Request\r\n", 26);
	static const uint8_t unexpected[7] = {21, 3, 3, 0, 2, 2, 10};
	sim_data(&j, 0, unexpected, sizeof(unexpected));
	sim_close(&j, TLSA_END_FIN);
	CHECK_INT(j.g.n, 1);
	CHECK_INT(j.g.outcome, TLSA_OUT_PLAINTEXT);
	CHECK_STR(j.g.plaintext, "HTTP/1.1 400 Bad Request");

	/* after STARTTLS, text before TLS is the protocol: a refused handshake is not plain text */
	struct sim s;
	struct buf b = {.n = 0};
	sim_open(&s, 0, 6);
	s.f.port[1] = 25;
	sim_data(&s, 1, "220 mx ESMTP\r\n", 14);
	sim_data(&s, 0, "STARTTLS\r\n", 10);
	sim_data(&s, 1, "220 go ahead\r\n", 14);
	client_hello(&b, false);
	sim_data(&s, 0, b.b, b.n);
	sim_close(&s, TLSA_END_FIN);
	CHECK_INT(s.g.outcome, TLSA_OUT_INCOMPLETE);
	CHECK_STR(s.g.plaintext, "");
}

static void test_postgresql(void)
{
	struct sim s;
	struct buf b = {.n = 0}, sv = {.n = 0};
	static const uint8_t sslrequest[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	sim_open(&s, 0, 6);
	s.f.port[1] = 5432;
	sim_data(&s, 0, sslrequest, 8);
	sim_data(&s, 1, "S", 1); /* the server agrees with one byte */
	client_hello(&b, false);
	sim_data(&s, 0, b.b, b.n);
	server_hello(&sv, false);
	sim_data(&s, 1, sv.b, sv.n);
	sim_data(&s, 1, alert_hs_failure, 7);
	CHECK_INT(s.g.n, 1);
	CHECK_STR(s.g.starttls[0], "postgresql");
	CHECK_STR(s.g.stage[0], "server_hello");
	CHECK_STR(s.g.history[0], "Hh");
	sim_close(&s, TLSA_END_FIN);
}

static void test_sslv2_hello(void)
{
	struct sim s;
	uint8_t rec[2 + 9 + 3 + 16] = {0x80, 9 + 3 + 16, 1, 3, 1, 0, 3, 0, 0, 0, 16, 0, 0, 0x2f};
	sim_open(&s, -1, 6);
	s.f.port[0] = 443; /* ports alone would make dir 1 the client */
	s.f.port[1] = 40000;
	sim_data(&s, 0, rec, sizeof(rec));
	sim_data(&s, 1, alert_hs_failure, 7);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_SERVER);
	CHECK_INT(s.g.src[0], TLSA_ROLES_CLIENT_HELLO);
	CHECK_STR(s.g.stage[0], "client_hello");
	sim_close(&s, TLSA_END_FIN);
}

static void test_midstream(void)
{
	struct sim s;
	struct buf b = {.n = 0};
	sim_open(&s, -1, 6);
	/* the tail of an earlier record, an application-data record, an alert */
	memset(b.b, 0xee, 9);
	b.n = 9;
	record(&b, 23, NULL, 40);
	record(&b, 21, (const uint8_t *)"\x01\x00", 2);
	sim_data(&s, 1, b.b, b.n);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.level[0], 1);
	CHECK_INT(s.g.desc[0], 0);
	sim_close(&s, TLSA_END_FIN);
}

static void test_tls12_encrypted_and_gap(void)
{
	struct sim s;
	struct buf c = {.n = 0}, sv = {.n = 0}, x = {.n = 0};
	sim_open(&s, 0, 6);
	client_hello(&c, false);
	sim_data(&s, 0, c.b, c.n);
	server_hello(&sv, false);
	sim_data(&s, 1, sv.b, sv.n);
	record(&x, 20, (const uint8_t *)"\x01", 1);
	record(&x, 22, NULL, 40); /* encrypted Finished */
	sim_data(&s, 0, x.b, x.n);
	sim_data(&s, 1, x.b, x.n);
	/* a 16 KB application-data record with bytes lost in its middle */
	struct buf big = {.n = 0};
	record(&big, 23, NULL, 16000);
	sim_data(&s, 1, big.b, 1000);
	sim_gap(&s, 1, 5000);
	sim_data(&s, 1, big.b + 6000, big.n - 6000);
	struct buf a = {.n = 0};
	record(&a, 21, NULL, 26);
	sim_data(&s, 1, a.b, a.n);
	CHECK_INT(s.g.n, 1);
	CHECK(s.g.enc[0]);
	CHECK_INT(s.g.level[0], -1);
	CHECK_INT(s.g.desc[0], -1);
	CHECK_INT(s.g.len[0], 26);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_SERVER);
	CHECK_STR(s.g.stage[0], "application_data");
	CHECK_STR(s.g.history[0], "HhXFxfga");
	sim_close(&s, TLSA_END_FIN);
	CHECK_INT(s.g.outcome, TLSA_OUT_ESTABLISHED);
}

static void test_gap_lost_header(void)
{
	struct sim s;
	struct buf c = {.n = 0}, r = {.n = 0};
	sim_open(&s, 0, 6);
	client_hello(&c, false);
	sim_data(&s, 0, c.b, c.n);
	record(&r, 23, NULL, 100);
	sim_data(&s, 1, r.b, r.n);
	/* lose a whole record header: framing is found again at the alert */
	sim_gap(&s, 1, 105);
	memset(r.b, 0x11, 30);
	r.n = 30;
	sim_data(&s, 1, r.b, 17); /* the tail of a lost record */
	r.n = 0;
	record(&r, 21, (const uint8_t *)"\x02\x14", 2);
	record(&r, 23, NULL, 10);
	sim_data(&s, 1, r.b, r.n);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.desc[0], 20);
	sim_close(&s, TLSA_END_RST);
}

static void test_tls13_inferred(void)
{
	struct sim s;
	struct buf c = {.n = 0}, sv = {.n = 0}, x = {.n = 0};
	sim_open(&s, 0, 6);
	client_hello(&c, true);
	sim_data(&s, 0, c.b, c.n);
	server_hello(&sv, true);
	record(&sv, 20, (const uint8_t *)"\x01", 1);
	record(&sv, 23, NULL, 1200); /* EncryptedExtensions .. Finished */
	sim_data(&s, 1, sv.b, sv.n);
	record(&x, 20, (const uint8_t *)"\x01", 1);
	record(&x, 23, NULL, 19); /* an alert instead of the Finished */
	sim_data(&s, 0, x.b, x.n);
	CHECK_INT(s.g.n, 0); /* decided only when the connection ends */
	sim_close(&s, TLSA_END_FIN);
	CHECK_INT(s.g.n, 1);
	CHECK(s.g.inferred[0]);
	CHECK(s.g.enc[0]);
	CHECK_INT(s.g.level[0], -1);
	CHECK_INT(s.g.desc[0], -1);
	CHECK_INT(s.g.frame[0], 4);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_CLIENT);
	CHECK_STR(s.g.stage[0], "server_flight");
	CHECK_INT(s.g.outcome, TLSA_OUT_FAILED);

	/* a session closed by both sides: close_notify is the likely guess */
	struct buf d = {.n = 0};
	sim_open(&s, 0, 6);
	sim_data(&s, 0, c.b, c.n);
	sim_data(&s, 1, sv.b, sv.n);
	x.n = 0;
	record(&x, 23, NULL, 53); /* Finished */
	record(&x, 23, NULL, 300);
	sim_data(&s, 0, x.b, x.n);
	record(&d, 23, NULL, 500);
	sim_data(&s, 1, d.b, d.n);
	d.n = 0;
	record(&d, 23, NULL, 19);
	sim_data(&s, 0, d.b, d.n);
	sim_data(&s, 1, d.b, d.n);
	sim_close(&s, TLSA_END_FIN);
	CHECK_INT(s.g.n, 2);
	CHECK_INT(s.g.likely[0], 0);
	CHECK_INT(s.g.likely[1], 0);
	CHECK_STR(s.g.stage[1], "closing");
	CHECK_INT(s.g.outcome, TLSA_OUT_ESTABLISHED);

	/* the same, but still open at the end of the capture: nothing inferred */
	sim_open(&s, 0, 6);
	sim_data(&s, 0, c.b, c.n);
	sim_data(&s, 1, sv.b, sv.n);
	sim_data(&s, 0, x.b, x.n);
	sim_data(&s, 0, d.b, d.n);
	sim_close(&s, TLSA_END_EOF);
	CHECK_INT(s.g.n, 0);
}

static void test_dtls(void)
{
	struct sim s;
	sim_open(&s, -1, 17);
	/* DTLS 1.2 ClientHello fragment header only (type 1, whole message) */
	uint8_t ch[13 + 12 + 40];
	memset(ch, 0, sizeof(ch));
	ch[0] = 22;
	ch[1] = 0xfe;
	ch[2] = 0xfd;
	ch[12] = 52;
	ch[13] = 1;
	ch[16] = 40; /* length */
	ch[24] = 40; /* fragment length */
	ch[25] = 0xfe;
	ch[26] = 0xfd;
	sim_data(&s, 0, ch, sizeof(ch));
	/* two records in one datagram: an alert after a handshake record */
	uint8_t dg[13 + 3 + 13 + 2] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3, 0, 0, 0,
				       21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 2, 40};
	sim_data(&s, 1, dg, sizeof(dg));
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.desc[0], 40);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_SERVER);
	CHECK_INT(s.g.src[0], TLSA_ROLES_CLIENT_HELLO);
	/* epoch 1: encrypted */
	uint8_t enc[13 + 26] = {21, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 26};
	sim_data(&s, 0, enc, sizeof(enc));
	CHECK_INT(s.g.n, 2);
	CHECK(s.g.enc[1]);
	/* DTLS 1.3 unified header (001 C=0 S=1 L=1 epoch 3): counted, not opened */
	struct tlsa_tracker_stats st0, st1;
	tlsa_tracker_get_stats(s.t, &st0);
	uint8_t uh[5 + 20] = {0x2f, 0x00, 0x07, 0x00, 20};
	sim_data(&s, 0, uh, sizeof(uh));
	tlsa_tracker_get_stats(s.t, &st1);
	CHECK_INT(st1.records, st0.records + 1);
	CHECK_INT(s.g.n, 2);
	/* a datagram that is not DTLS is ignored */
	uint8_t junk[20] = {21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 3, 0, 50};
	sim_data(&s, 1, junk, sizeof(junk));
	CHECK_INT(s.g.n, 2);
	sim_close(&s, TLSA_END_EOF);
}

static void test_big_stream_split_everywhere(void)
{
	/* every record boundary and header split across segments of 1 byte */
	struct sim s;
	struct buf b = {.n = 0};
	sim_open(&s, 0, 6);
	client_hello(&b, false);
	record(&b, 23, NULL, 300);
	record(&b, 21, (const uint8_t *)"\x01\x00", 2);
	for (size_t i = 0; i < b.n; i++)
		sim_data(&s, 0, b.b + i, 1);
	CHECK_INT(s.g.n, 1);
	CHECK_INT(s.g.frame[0], 1 + b.n);
	CHECK_INT(s.g.sender[0], TLSA_ROLE_CLIENT);
	sim_close(&s, TLSA_END_FIN);
}

static void test_coalesced(void)
{
	struct sim s;
	struct buf b = {.n = 0}, a = {.n = 0};
	sim_open(&s, 0, 6);
	client_hello(&b, false);
	sim_data(&s, 0, b.b, b.n);
	/* two plaintext alerts in one record: warning unrecognized_name, fatal handshake_failure */
	record(&a, 21, (const uint8_t *)"\x01\x70\x02\x28", 4);
	sim_data(&s, 1, a.b, a.n);
	CHECK_INT(s.g.n, 2);
	CHECK_INT(s.g.level[0], 1);
	CHECK_INT(s.g.desc[0], 112);
	CHECK_INT(s.g.level[1], 2);
	CHECK_INT(s.g.desc[1], 40);
	CHECK_INT(s.g.frame[1], 3);
	CHECK(!s.g.enc[1]);
	/* a 4-byte record that is not made of alerts stays "encrypted" */
	a.n = 0;
	record(&a, 21, (const uint8_t *)"\x07\x70\x02\x28", 4);
	sim_data(&s, 1, a.b, a.n);
	CHECK_INT(s.g.n, 3);
	CHECK(s.g.enc[2]);
	sim_close(&s, TLSA_END_FIN);
}

struct hook {
	int records, released;
	size_t total;
	uint64_t last_seq[2];
	uint8_t last_type;
	int user_tag;
};

static void on_record(void *ctx, const struct tlsa_record_event *ev)
{
	struct hook *h = ctx;
	h->records++;
	h->total += ev->len;
	h->last_seq[ev->dir] = ev->seq;
	h->last_type = ev->type;
	/* the record handed over is whole: its header length matches */
	CHECK_INT(((size_t)ev->record[3] << 8 | ev->record[4]) + 5, ev->len);
	if (*ev->conn_user == NULL)
		*ev->conn_user = &h->user_tag;
}

static void on_release(void *ctx, void *user)
{
	struct hook *h = ctx;
	if (user == &h->user_tag)
		h->released++;
}

static void test_record_hook(void)
{
	struct hook h = {0};
	struct tlsa_tracker_opts o = {
		.sz = sizeof(o), .ctx = &h, .on_record = on_record, .on_release = on_release};
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	struct tlsa_capture_handler ch;
	tlsa_tracker_handler(t, &ch);
	struct tlsa_flow f;
	memset(&f, 0, sizeof(f));
	f.port[0] = 40000;
	f.port[1] = 443;
	f.transport = 6;
	f.syn_dir = 0;
	struct tlsa_pktinfo p = {.frame = 1};
	ch.flow_open(ch.ctx, &f, &p);
	struct buf b = {.n = 0};
	client_hello(&b, false);
	record(&b, 23, NULL, 5000);
	record(&b, 21, NULL, 26);
	/* in pieces of 777 bytes: records are still handed over whole */
	for (size_t i = 0; i < b.n; i += 777)
		ch.tcp_data(ch.ctx, &f, 0, b.b + i, b.n - i < 777 ? b.n - i : 777, &p);
	CHECK_INT(h.records, 3);
	CHECK_INT(h.total, b.n);
	CHECK_INT(h.last_seq[0], 2);
	CHECK_INT(h.last_type, 21);
	ch.tcp_end(ch.ctx, &f, 0, TLSA_END_FIN, &p);
	ch.tcp_end(ch.ctx, &f, 1, TLSA_END_FIN, &p);
	ch.flow_close(ch.ctx, &f);
	CHECK_INT(h.released, 1);
	tlsa_tracker_free(t);
}

int main(void)
{
	test_record_hook();
	test_coalesced();
	test_plain_alert_split();
	test_roles_without_syn();
	test_not_tls();
	test_starttls();
	test_plaintext_answer();
	test_postgresql();
	test_sslv2_hello();
	test_midstream();
	test_tls12_encrypted_and_gap();
	test_gap_lost_header();
	test_tls13_inferred();
	test_dtls();
	test_big_stream_split_everywhere();
	return CHECK_DONE();
}
