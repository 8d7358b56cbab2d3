/*
 * serve's vocabulary (steps, aliases, which role and version may use each,
 * shapes), its credentials, and a loopback round trip of the engine
 * against itself (our server, our client).  With arguments it is the driver
 * of tests/scripts/serve_engine.sh:
 *
 *   test_serve serve ADDR:PORT VERSION STEP LEVEL CODE SHAPE [plaintext] [rcc]
 *                    [alpn=LIST] [ca=FILE] [keylog=FILE] [count=N] [timeout=MS] [codes=all]
 *   test_serve connect ADDR PORT VERSION STEP LEVEL CODE SHAPE [plaintext] [keylog=FILE]
 *
 * `serve` prints "port N" once it listens, then one line per connection.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/serve.h"

static void test_steps(void)
{
	tlsa_serve_step s;
	for (int i = 0; i < TLSA_STEP_COUNT; i++) {
		CHECK(tlsa_serve_step_parse(tlsa_serve_step_name((tlsa_serve_step)i), &s) == 0);
		CHECK_INT(s, i);
	}
	CHECK_STR(tlsa_serve_step_name(TLSA_STEP_COUNT), "?");
	CHECK(tlsa_serve_step_parse("server_flight", &s) == 0 && s == TLSA_STEP_SERVER_HELLO_DONE);
	CHECK(tlsa_serve_step_parse("Server-Hello", &s) == 0 && s == TLSA_STEP_SERVER_HELLO);
	CHECK(tlsa_serve_step_parse("ccs", &s) == 0 && s == TLSA_STEP_CHANGE_CIPHER_SPEC);
	CHECK(tlsa_serve_step_parse("nonsense", &s) == TLSA_EINVAL);
	CHECK(tlsa_serve_step_parse("", &s) == TLSA_EINVAL);
	CHECK(tlsa_serve_step_parse(NULL, &s) == TLSA_EINVAL);
	/* the table's "-": refused with a reason */
	CHECK(tlsa_serve_step_check(TLSA_STEP_SERVER_HELLO, false, 0x0304) == NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_SERVER_HELLO, true, 0x0304) != NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_CHANGE_CIPHER_SPEC, false, 0x0303) == NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_CHANGE_CIPHER_SPEC, false, 0x0304) != NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_CLIENT_KEY_EXCHANGE, true, 0x0303) == NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_CLIENT_KEY_EXCHANGE, false, 0x0303) != NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_CLIENT_KEY_EXCHANGE, true, 0x0304) != NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_MID_RESPONSE, true, 0x0304) != NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_CLOSING, true, 0x0304) == NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_CLIENT_HELLO, false, 0x0302) != NULL);
	CHECK(tlsa_serve_step_check(TLSA_STEP_COUNT, false, 0x0304) != NULL);
}

static void test_shapes(void)
{
	tlsa_serve_shape sh;
	unsigned n;
	struct tlsa_error err;
	for (int i = 0; i < TLSA_SHAPE_COUNT; i++) {
		if (i == TLSA_SHAPE_REPEAT)
			continue;
		CHECK(tlsa_serve_shape_parse(tlsa_serve_shape_name((tlsa_serve_shape)i), &sh, &n,
					     &err) == 0);
		CHECK_INT(sh, i);
		CHECK_INT(n, 1);
	}
	CHECK(tlsa_serve_shape_parse("repeat=4", &sh, &n, &err) == 0);
	CHECK(sh == TLSA_SHAPE_REPEAT && n == 4);
	CHECK(tlsa_serve_shape_parse("repeat=16", &sh, &n, &err) == 0 && n == 16);
	CHECK(tlsa_serve_shape_parse("repeat=17", &sh, &n, &err) == TLSA_EINVAL);
	CHECK(strstr(err.msg, "1 to 16") != NULL);
	CHECK(tlsa_serve_shape_parse("repeat=0", &sh, &n, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_shape_parse("repeat=x", &sh, &n, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_shape_parse("repeat=4x", &sh, &n, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_shape_parse("square", &sh, &n, &err) == TLSA_EINVAL);
	CHECK(strstr(err.msg, "coalesced") != NULL);
}

static void test_creds(void)
{
	struct tlsa_serve_creds *c = NULL;
	struct tlsa_error err;
	size_t len;
	CHECK(tlsa_serve_creds_self_signed("localhost", 0, &c, &err) == 0);
	const char *pem = tlsa_serve_creds_ca_pem(c, &len);
	CHECK(pem != NULL && len > 100 && strncmp(pem, "-----BEGIN CERTIFICATE-----", 27) == 0);
	CHECK(strlen(pem) == len);
	tlsa_serve_creds_free(c);
	CHECK(tlsa_serve_creds_self_signed("127.0.0.1", 1, &c, &err) == 0);
	tlsa_serve_creds_free(c);
	CHECK(tlsa_serve_creds_self_signed("::1", 1, &c, &err) == 0);
	tlsa_serve_creds_free(c);
	c = NULL;
	CHECK(tlsa_serve_creds_self_signed("a,DNS:evil", 1, &c, &err) == TLSA_EINVAL && c == NULL);
	CHECK(tlsa_serve_creds_self_signed("", 1, &c, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_creds_self_signed("x", 4000, &c, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_creds_load("/nonexistent/c.pem", NULL, &c, &err) < 0 && c == NULL);
	tlsa_serve_creds_free(NULL);
	CHECK(tlsa_serve_creds_ca_pem(NULL, &len) == NULL && len == 0);
}

static void test_listen(void)
{
	struct tlsa_serve_listener *l = NULL;
	struct tlsa_error err;
	CHECK(tlsa_serve_listen("127.0.0.1", &l, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_listen("127.0.0.1:99999", &l, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_listen("::1:80", &l, &err) == TLSA_EINVAL);
	CHECK(tlsa_serve_listen("127.0.0.1:0", &l, &err) == 0);
	CHECK(tlsa_serve_port(l) != 0);
	struct tlsa_serve_opts o = {.sz = sizeof(o)};
	struct tlsa_serve_result r;
	/* no creds: refused before waiting */
	CHECK(tlsa_serve_accept(l, 10, &o, &r, &err) == TLSA_EINVAL);
	struct tlsa_serve_creds *c = NULL;
	CHECK(tlsa_serve_creds_self_signed("localhost", 1, &c, &err) == 0);
	o.creds = c;
	o.version = TLSA_SERVE_VERSION_DTLS12; /* DTLS on a TCP listener */
	CHECK(tlsa_serve_accept(l, 10, &o, &r, &err) == TLSA_EINVAL);
	CHECK(strstr(err.msg, "UDP") != NULL);
	o.version = 0;
	CHECK(tlsa_serve_accept(l, 10, &o, &r, &err) == TLSA_EIO); /* nobody came */
	tlsa_serve_listener_free(l);
	CHECK(tlsa_serve_listen_dtls("127.0.0.1:0", &l, &err) == 0);
	CHECK(tlsa_serve_port(l) != 0);
	CHECK(tlsa_serve_accept(l, 10, &o, &r, &err) == TLSA_EINVAL); /* TLS on UDP */
	o.version = TLSA_SERVE_VERSION_DTLS12;
	o.alert.shape = TLSA_SHAPE_SPLIT;
	CHECK(tlsa_serve_accept(l, 10, &o, &r, &err) == TLSA_EINVAL);
	o.alert.shape = TLSA_SHAPE_NORMAL;
	CHECK(tlsa_serve_accept(l, 10, &o, &r, &err) == TLSA_EIO);
	tlsa_serve_listener_free(l);
	tlsa_serve_creds_free(c);
	tlsa_serve_listener_free(NULL);
}

/* ---- the loopback round trip: our client against our server ---- */

struct peer {
	struct tlsa_serve_opts o;
	struct tlsa_serve_result r;
	struct tlsa_serve_listener *l;
	int rc;
};

static void *server_thread(void *arg)
{
	struct peer *p = arg;
	struct tlsa_error err;
	p->rc = tlsa_serve_accept(p->l, 5000, &p->o, &p->r, &err);
	if (p->rc != 0)
		fprintf(stderr, "server: %s\n", err.msg);
	return NULL;
}

/* our server sends (level, code) at step; our client (finishing the handshake) sees it */
static void round_trip(uint16_t version, tlsa_serve_step step, uint8_t level, uint8_t code,
		       tlsa_serve_shape shape, const struct tlsa_serve_creds *creds)
{
	struct peer s;
	memset(&s, 0, sizeof(s));
	struct tlsa_error err;
	if (tlsa_serve_listen("127.0.0.1:0", &s.l, &err) != 0) {
		CHECK(!"listen");
		return;
	}
	s.o = (struct tlsa_serve_opts){.sz = sizeof(s.o),
				       .version = version,
				       .step = step,
				       .alert = {.level = level, .code = code, .shape = shape},
				       .creds = creds,
				       .reaction_timeout_ms = 2000};
	pthread_t t;
	pthread_create(&t, NULL, server_thread, &s);
	/* the client plays its part to the end: its step is closing, after the answer */
	struct tlsa_serve_opts co = {.sz = sizeof(co),
				     .version = version,
				     .step = TLSA_STEP_CLOSING,
				     .alert = {.level = 1, .code = 0},
				     .sni = "localhost",
				     .reaction_timeout_ms = 500};
	struct tlsa_probe_addr a = {.family = 2 /* AF_INET */,
				    .addr = {127, 0, 0, 1},
				    .port = tlsa_serve_port(s.l),
				    .text = "127.0.0.1"};
	struct tlsa_serve_result cr;
	CHECK(tlsa_serve_connect(&a, &co, &cr, &err) == 0);
	pthread_join(t, NULL);
	CHECK_INT(s.rc, 0);
	CHECK(s.r.reached && s.r.alert_sent);
	CHECK_INT(s.r.version, version);
	CHECK_STR(s.r.sni, "localhost");
	/* what the client read: the alert, opened with its keys */
	bool prot = step != TLSA_STEP_CLIENT_HELLO &&
		    (version == 0x0304 ? step != TLSA_STEP_CLIENT_HELLO
				       : step >= TLSA_STEP_CHANGE_CIPHER_SPEC);
	CHECK_INT(s.r.alert_encrypted, prot);
	if (shape != TLSA_SHAPE_EMPTY && shape != TLSA_SHAPE_FRAGMENTED) {
		CHECK_INT(cr.reaction.alerts > 0 ? cr.reaction.alert_code : cr.peer_code, code);
	}
	/* a warning: the connection goes on, libssl's later records re-sealed after it
	   (the client reads the answer with its own libssl: a wrong number fails it) */
	if (level == 1)
		CHECK(cr.reached && s.r.continued && s.r.completed);
	tlsa_serve_listener_free(s.l);
}

static void test_round_trips(void)
{
	struct tlsa_serve_creds *c = NULL;
	struct tlsa_error err;
	if (tlsa_serve_creds_self_signed("localhost", 1, &c, &err) != 0) {
		CHECK(!"creds");
		return;
	}
	static const tlsa_serve_step steps[] = {TLSA_STEP_SERVER_HELLO, TLSA_STEP_SERVER_HELLO_DONE,
						TLSA_STEP_FINISHED, TLSA_STEP_CLOSING};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		round_trip(0x0304, steps[i], 2, 48, TLSA_SHAPE_NORMAL, c);
		round_trip(0x0303, steps[i], 2, 48, TLSA_SHAPE_NORMAL, c);
	}
	/* regression: the alert's sealing used to move the numbering libssl's next record
	   was opened with, so that record went out unopened, at the wrong number */
	round_trip(0x0303, TLSA_STEP_FINISHED, 1, 112, TLSA_SHAPE_NORMAL, c);
	round_trip(0x0303, TLSA_STEP_SERVER_HELLO_DONE, 1, 112, TLSA_SHAPE_NORMAL, c);
	tlsa_serve_creds_free(c);
}

/* ---- the driver of tests/scripts/serve_engine.sh ---- */

static void keylog_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
	fflush(ctx);
}

static void print_result(const struct tlsa_serve_result *r)
{
	const struct tlsa_serve_reaction *re = &r->reaction;
	printf("reached=%d sent=%d encrypted=%d seq=%llu records=%u version=%04x suite=%04x "
	       "sni=%s alpn=%s peer_alert=%d continued=%d completed=%d | kind=%s end=%s "
	       "alert=%u:%d:%d hs=%u data=%u inflight=%u continued=%u undecryptable=%u "
	       "verdict=%s detail=%s\n",
	       r->reached, r->alert_sent, r->alert_encrypted, (unsigned long long)r->alert_seq,
	       r->alert_records, r->version, r->suite, r->sni, r->alpn, r->peer_code, r->continued,
	       r->completed, tlsa_reaction_kind_name(re->kind), tlsa_reaction_end_name(re->end),
	       re->alerts, re->alert_level, re->alert_code, re->handshake_records,
	       re->appdata_records, re->inflight_records, re->continued_records, re->undecryptable,
	       tlsa_verdict_name(re->verdict), r->detail);
	fflush(stdout);
}

/* Long: argument parsing of the driver, one flag per line. */
static int driver(int argc, char **argv)
{
	bool client = strcmp(argv[1], "connect") == 0;
	int base = client ? 4 : 3;
	if (argc < base + 5)
		return 2;
	struct tlsa_serve_opts o = {.sz = sizeof(o), .reaction_timeout_ms = 3000};
	struct tlsa_error err;
	o.version = (uint16_t)strtoul(argv[base], NULL, 16);
	if (tlsa_serve_step_parse(argv[base + 1], &o.step) != 0 ||
	    tlsa_serve_shape_parse(argv[base + 4], &o.alert.shape, &o.alert.repeat, &err) != 0) {
		fprintf(stderr, "bad step or shape\n");
		return 2;
	}
	o.alert.level = (uint8_t)atoi(argv[base + 2]);
	o.alert.code = (uint8_t)atoi(argv[base + 3]);
	unsigned count = 1;
	bool all_codes = false; /* connection i sends code i % 256 */
	const char *ca = NULL;
	FILE *kl = NULL;
	for (int i = base + 5; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "plaintext") == 0)
			o.alert.plaintext = true;
		else if (strcmp(a, "rcc") == 0)
			o.request_client_cert = true;
		else if (strncmp(a, "alpn=", 5) == 0)
			o.alpn = a + 5;
		else if (strncmp(a, "sni=", 4) == 0)
			o.sni = a + 4;
		else if (strncmp(a, "ca=", 3) == 0)
			ca = a + 3;
		else if (strcmp(a, "codes=all") == 0)
			all_codes = true;
		else if (strncmp(a, "count=", 6) == 0)
			count = (unsigned)atoi(a + 6);
		else if (strncmp(a, "timeout=", 8) == 0)
			o.reaction_timeout_ms = (unsigned)atoi(a + 8);
		else if (strncmp(a, "keylog=", 7) == 0 && (kl = fopen(a + 7, "a")) != NULL) {
			o.ctx = kl;
			o.on_secret = keylog_line;
		}
	}
	struct tlsa_serve_result r;
	int rc = 0;
	if (client) {
		struct tlsa_probe_target t;
		struct tlsa_probe_addr addr;
		char hp[300];
		snprintf(hp, sizeof(hp), "%s:%s", argv[2], argv[3]);
		if (tlsa_probe_target_parse(hp, &t, &err) != 0 ||
		    tlsa_probe_resolve(&t, &addr, &err) != 0 ||
		    tlsa_serve_connect(&addr, &o, &r, &err) != 0) {
			fprintf(stderr, "connect: %s\n", err.msg);
			return 2;
		}
		print_result(&r);
		return 0;
	}
	struct tlsa_serve_creds *creds = NULL;
	struct tlsa_serve_listener *l = NULL;
	if (tlsa_serve_creds_self_signed("localhost", 1, &creds, &err) != 0 ||
	    (o.version == TLSA_SERVE_VERSION_DTLS12 ? tlsa_serve_listen_dtls(argv[2], &l, &err)
						    : tlsa_serve_listen(argv[2], &l, &err)) != 0) {
		fprintf(stderr, "serve: %s\n", err.msg);
		return 2;
	}
	o.creds = creds;
	if (ca != NULL) {
		FILE *f = fopen(ca, "w");
		size_t n;
		const char *pem = tlsa_serve_creds_ca_pem(creds, &n);
		if (f != NULL) {
			fwrite(pem, 1, n, f);
			fclose(f);
		}
	}
	printf("port %u\n", tlsa_serve_port(l));
	fflush(stdout);
	for (unsigned i = 0; i < count && rc == 0; i++) {
		if (all_codes)
			o.alert.code = (uint8_t)i;
		rc = tlsa_serve_accept(l, 20000, &o, &r, &err);
		if (rc != 0)
			fprintf(stderr, "serve: %s\n", err.msg);
		else if (count <= 20 || all_codes)
			print_result(&r);
	}
	if (kl != NULL)
		fclose(kl);
	tlsa_serve_listener_free(l);
	tlsa_serve_creds_free(creds);
	return rc == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return strcmp(argv[1], "serve") == 0 || strcmp(argv[1], "connect") == 0
			       ? driver(argc, argv)
			       : 2;
	test_steps();
	test_shapes();
	test_creds();
	test_listen();
	test_round_trips();
	return CHECK_DONE();
}
