/*
 * tlsalert serve: a TLS server (or with --connect a client) that runs a normal
 * handshake and, at a chosen step, sends a chosen alert in a chosen shape,
 * then watches what the peer does and judges it against the RFC.  --matrix
 * runs a client command against every alert x step (serve_matrix.c).
 * The handshake, the alert record and the reaction are the library's
 * (tlsalert/serve.h); this file owns the options, the loop over connections,
 * the evidence files and the exit status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve_out.h" /* first: it chooses cli.h's headers */
#include "opts.h"

static void serve_usage(FILE *f)
{
	fputs("usage: tlsalert serve --alert NAME|CODE --at STEP [options]\n"
	      "       tlsalert serve --connect HOST:PORT --alert NAME|CODE --at STEP [options]\n"
	      "       tlsalert serve --matrix --client CMD [--alerts LIST] [--at STEPS] [options]\n"
	      "\n"
	      "Runs a normal TLS handshake with the peer and, at STEP, sends the alert instead\n"
	      "of (or after) what it would send; then watches what the peer does (its own\n"
	      "alert, FIN, reset, silence, more data, a new connection with a lower version)\n"
	      "and says whether that follows RFC 8446 / 5246.  Steps, shapes and verdicts:\n"
	      "docs/serve.md.\n"
	      "\n"
	      "The alert:\n"
	      "  --alert NAME|CODE   the alert: a code 0-255 or a name in any spelling that\n"
	      "                      'tlsalert explain' knows\n"
	      "  --level LEVEL       fatal, warning or any byte 0-255 (default: warning for\n"
	      "                      close_notify, user_canceled and --shape repeat=N, else\n"
	      "                      fatal)\n"
	      "  --at STEP           when: client_hello, server_hello, server_certificate,\n"
	      "                      server_key_exchange, certificate_request,\n"
	      "                      server_hello_done (server_flight), client_certificate,\n"
	      "                      client_key_exchange, change_cipher_spec, finished,\n"
	      "                      application_data, mid_response, closing\n"
	      "  --shape SHAPE       normal (default), fragmented, split, double, repeat=N\n"
	      "                      (N warning alerts, at most 16), empty, coalesced\n"
	      "  --plaintext         send it unencrypted even where the epoch is protected\n"
	      "\n"
	      "The connection:\n"
	      "  --listen ADDR:PORT  where to listen (default 127.0.0.1:4433; ':PORT' is\n"
	      "                      loopback too); an address that is not loopback only here\n"
	      "  --connect HOST:PORT play the client: connect to this one server instead\n"
	      "  --tls VERSION       1.2 or 1.3 (default: 1.3)\n"
	      "  --dtls VERSION      1.2: DTLS over UDP instead of TLS\n"
	      "  --cert FILE         the server's certificate chain (PEM)\n"
	      "  --key FILE          its private key (PEM; default: in --cert's file)\n"
	      "  --sni NAME          without --cert: the name of the self-signed certificate\n"
	      "                      made for this run (default localhost); with --connect:\n"
	      "                      the server name sent (also --name)\n"
	      "  --ca-out FILE       write the certificate to trust (PEM) for the client\n"
	      "  --alpn LIST         ALPN protocols to accept or offer (comma-separated)\n"
	      "  --request-client-cert  ask the client for a certificate\n"
	      "  --once              one connection, then exit (the same as --count 1)\n"
	      "  --count N           N connections, then exit (default 1, at most 10000)\n"
	      "  --idle SEC          the server ends when no connection comes for SEC\n"
	      "                      seconds (default 300)\n"
	      "  --timeout SEC       how long to watch the peer after the alert (default 5);\n"
	      "                      --matrix: the client command's time (default 10)\n"
	      "\n"
	      "Evidence and output:\n"
	      "  --capture-out FILE  write every connection to FILE (pcapng, with its secrets\n"
	      "                      in a Decryption Secrets Block): 'tlsalert scan' reads it\n"
	      "  --keylog-out FILE   append the connections' secrets (NSS key log format)\n"
	      "  --json              JSON Lines: one object per connection (per case)\n"
	      "  --color WHEN        auto (default), always or never (also --colour)\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "The matrix:\n"
	      "  --matrix            for each alert x step, serve on a free loopback port and\n"
	      "                      run the --client command against it\n"
	      "  --client CMD        run by /bin/sh -c, with {port}, {host} and {ca} (a PEM\n"
	      "                      file to trust) replaced\n"
	      "  --alerts LIST       alerts: names, codes, ranges (40-50) or 'all' (0-255);\n"
	      "                      default: a set of common alerts\n"
	      "  --csv, --markdown   the table as CSV or as a Markdown table\n"
	      "\n"
	      "Exit status: 0 every peer reacted as the RFC says (or no rule applies), 1 one\n"
	      "did not, 2 bad usage or an error (no connection, handshake failed before the\n"
	      "step).  --matrix: 0 when every case ran, 2 otherwise.\n",
	      f);
}

enum {
	OPT_LISTEN = 256,
	OPT_ALERT,
	OPT_LEVEL,
	OPT_AT,
	OPT_TLS,
	OPT_DTLS,
	OPT_CERT,
	OPT_KEY,
	OPT_SNI,
	OPT_CA_OUT,
	OPT_ALPN,
	OPT_REQ_CERT,
	OPT_ONCE,
	OPT_COUNT,
	OPT_SHAPE,
	OPT_PLAINTEXT,
	OPT_CONNECT,
	OPT_TIMEOUT,
	OPT_IDLE,
	OPT_CAPTURE_OUT,
	OPT_KEYLOG_OUT,
	OPT_JSON,
	OPT_CSV,
	OPT_MARKDOWN,
	OPT_COLOR,
	OPT_MATRIX,
	OPT_CLIENT,
	OPT_ALERTS,
};

/* What the options said, before it is checked and turned into sctx. */
struct sargs {
	const char *alert, *level, *at, *shape, *tls, *dtls, *cert, *key, *sni, *alpn;
	const char *capture_out, *keylog_out, *color, *count, *timeout, *idle;
	bool once, plaintext, listen_given;
};

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		return false;
	*out = v;
	return true;
}

int serve_alert_parse(const char *s, size_t len, uint8_t *code)
{
	return tlsa_alert_parse(s, len, code) == 0 ? 0 : -1;
}

/* --level: fatal, warning or a byte; the default depends on the alert and shape. */
static int level_option(struct cli *c, const char *arg, struct tlsa_serve_alert *a)
{
	unsigned long v;
	if (arg == NULL) {
		bool closure = a->code == 0 || a->code == 90;
		a->level = closure || a->shape == TLSA_SHAPE_REPEAT ? 1 : 2;
	} else if (strcmp(arg, "fatal") == 0) {
		a->level = 2;
	} else if (strcmp(arg, "warning") == 0) {
		a->level = 1;
	} else if (parse_uint(arg, 255, &v)) {
		a->level = (uint8_t)v;
	} else {
		struct cli_quoted q;
		return cli_fail(c, "--level takes fatal, warning or a number 0-255, not %s",
				cli_quote(&q, arg));
	}
	return 0;
}

/* --shape NAME or repeat=N (at most TLSA_SERVE_REPEAT_MAX). */
static int shape_option(struct cli *c, const char *arg, struct tlsa_serve_alert *a)
{
	struct tlsa_error err = {0};
	a->shape = TLSA_SHAPE_NORMAL;
	a->repeat = 1;
	if (arg != NULL && tlsa_serve_shape_parse(arg, &a->shape, &a->repeat, &err) != 0)
		return cli_fail(c, "--shape: %s", err.msg);
	return 0;
}

/* --tls / --dtls: the version number. */
static int version_option(struct cli *c, const struct sargs *a, struct sctx *x)
{
	struct cli_quoted q;
	if (a->tls != NULL && a->dtls != NULL)
		return cli_fail(c, "give --tls or --dtls, not both");
	if (a->dtls != NULL) {
		if (strcmp(a->dtls, "1.2") != 0)
			return cli_fail(c, "--dtls takes 1.2, not %s", cli_quote(&q, a->dtls));
		x->o.version = 0xfefd;
		x->dtls = true;
	} else if (a->tls == NULL || strcmp(a->tls, "1.3") == 0) {
		x->o.version = 0x0304;
	} else if (strcmp(a->tls, "1.2") == 0) {
		x->o.version = 0x0303;
	} else {
		return cli_fail(c, "--tls takes 1.2 or 1.3, not %s", cli_quote(&q, a->tls));
	}
	return 0;
}

/* --at STEP: known, and possible for this role and version. */
static int step_option(struct cli *c, const char *arg, struct sctx *x)
{
	struct cli_quoted q;
	if (tlsa_serve_step_parse(arg, &x->o.step) != 0)
		return cli_fail(c, "--at %s: not a step (see --help)", cli_quote(&q, arg));
	const char *why = tlsa_serve_step_check(x->o.step, x->o.client_role, x->o.version);
	if (why != NULL)
		return cli_fail(c, "--at %s: %s", arg, why);
	return 0;
}

/*
 * --listen ADDR:PORT, ":PORT" or "PORT": an address literal (or localhost),
 * never a name that resolves elsewhere; loopback unless named here.
 */
static int listen_option(struct cli *c, const char *arg, struct sctx *x)
{
	struct cli_quoted q;
	struct tlsa_probe_target t;
	struct tlsa_error err = {0};
	unsigned long port;
	if (parse_uint(arg[0] == ':' ? arg + 1 : arg, 65535, &port)) {
		snprintf(x->listen_buf, sizeof(x->listen_buf), "127.0.0.1:%lu", port);
		x->listen = x->listen_buf;
		return 0;
	}
	if (tlsa_probe_target_parse(arg, &t, &err) != 0 || t.scheme != NULL)
		return cli_fail(c, "--listen takes ADDR:PORT, not %s", cli_quote(&q, arg));
	if (!t.host_is_address && strcmp(t.host, "localhost") != 0)
		return cli_fail(c, "--listen %s: give an address, not a host name",
				cli_quote(&q, arg));
	if (strchr(arg + (arg[0] == '['), ']') == NULL && strchr(t.host, ':') == NULL &&
	    strchr(arg, ':') == NULL)
		return cli_fail(c, "--listen %s: give the port too (ADDR:PORT)",
				cli_quote(&q, arg));
	snprintf(x->listen_buf, sizeof(x->listen_buf), strchr(t.host, ':') ? "[%s]:%u" : "%s:%u",
		 strcmp(t.host, "localhost") == 0 ? "127.0.0.1" : t.host, t.port);
	x->listen = x->listen_buf;
	return 0;
}

/* A file option names a file this process can read (or is not given). */
static bool readable(struct cli *c, const char *opt, const char *path)
{
	if (path == NULL || access(path, R_OK) == 0)
		return true;
	cli_fail(c, "%s %s: %s", opt, path, strerror(errno));
	return false;
}

/* --count, --once, --timeout, --idle. */
static int number_options(struct cli *c, const struct sargs *a, struct sctx *x)
{
	unsigned long v;
	if (a->once && a->count != NULL)
		return cli_fail(c, "give --once or --count, not both");
	x->count = 1;
	if (a->count != NULL) {
		if (!parse_uint(a->count, SERVE_COUNT_CAP, &v) || v == 0)
			return cli_fail(c, "--count takes 1 to %d connections, not '%s'",
					SERVE_COUNT_CAP, a->count);
		x->count = (unsigned)v;
	}
	x->o.reaction_timeout_ms = 5000;
	x->client_timeout_ms = 10000;
	if (a->timeout != NULL) {
		if (!parse_uint(a->timeout, 600, &v) || v == 0)
			return cli_fail(c, "--timeout takes seconds from 1 to 600, not '%s'",
					a->timeout);
		x->o.reaction_timeout_ms = (unsigned)v * 1000u;
		x->client_timeout_ms = (unsigned)v * 1000u;
	}
	x->o.handshake_timeout_ms = 10000;
	x->idle_ms = 300000;
	if (a->idle != NULL) {
		if (!parse_uint(a->idle, 86400, &v) || v == 0)
			return cli_fail(c, "--idle takes seconds from 1 to 86400, not '%s'",
					a->idle);
		x->idle_ms = (unsigned)v * 1000u;
	}
	return 0;
}

/* Everything the options name that does not depend on the role. */
static int check_common(struct cli *c, const struct sargs *a, struct sctx *x)
{
	if (version_option(c, a, x) != 0 || number_options(c, a, x) != 0)
		return EXIT_ERROR;
	if (shape_option(c, a->shape, &x->o.alert) != 0)
		return EXIT_ERROR;
	x->o.alert.plaintext = a->plaintext;
	x->o.alpn = a->alpn;
	if ((a->key != NULL && a->cert == NULL))
		return cli_fail(c, "--key needs --cert");
	if (!readable(c, "--cert", a->cert) || !readable(c, "--key", a->key))
		return EXIT_ERROR;
	if (x->matrix && (x->connect != NULL || a->listen_given))
		return cli_fail(c, "--matrix serves on a free loopback port: no --listen or "
				   "--connect");
	if (!x->matrix && (x->client != NULL || x->alerts != NULL || x->table == TABLE_CSV ||
			   x->table == TABLE_MARKDOWN))
		return cli_fail(c, "--client, --alerts, --csv and --markdown go with --matrix");
	if (x->connect != NULL && a->listen_given)
		return cli_fail(c, "give --listen (serve) or --connect (play the client), not "
				   "both: serve never relays between two peers");
	if (x->connect != NULL &&
	    (a->cert != NULL || x->ca_out != NULL || x->o.request_client_cert))
		return cli_fail(c, "--cert, --ca-out and --request-client-cert are for the server "
				   "role, not --connect");
	return 0;
}

/* The credentials of the server role: --cert/--key, or made for --sni. */
static int make_creds(struct cli *c, const struct sargs *a, struct sctx *x)
{
	struct tlsa_error err = {0};
	int rc;
	if (a->cert != NULL)
		rc = tlsa_serve_creds_load(a->cert, a->key != NULL ? a->key : a->cert, &x->creds,
					   &err);
	else
		rc = tlsa_serve_creds_self_signed(a->sni != NULL ? a->sni : "localhost", 0,
						  &x->creds, &err);
	if (rc != 0)
		return cli_fail(c, "%s", err.msg);
	x->o.creds = x->creds;
	return 0;
}

/* --ca-out FILE: the certificate a client should trust, PEM. */
int serve_write_ca(struct cli *c, const struct tlsa_serve_creds *cr, const char *path)
{
	size_t len = 0;
	const char *pem = tlsa_serve_creds_ca_pem(cr, &len);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return cli_fail(c, "--ca-out %s: %s", path, strerror(errno));
	bool ok = fwrite(pem, 1, len, f) == len;
	if (fclose(f) != 0 || !ok)
		return cli_fail(c, "--ca-out %s: a write failed: %s", path, strerror(errno));
	return 0;
}

/* The taps of tlsa_serve_opts: libssl's key log and every byte, in the
 * evidence's terms (dir 0 from the client).  The library's dir 0 is what
 * serve sent, so the server role turns it round. */
static void wire_tap(void *ctx, int dir, const uint8_t *p, size_t n)
{
	struct sctx *x = ctx;
	evidence_wire(x->ev, x->o.client_role ? dir : !dir, p, n);
}

static void secret_tap(void *ctx, const char *line)
{
	struct sctx *x = ctx;
	evidence_secret(x->ev, line);
}

/* One connection ended: evidence, output, the status it gives.  `first`
 * holds the hellos of the run's first connection (client_hello false until). */
static int one_done(struct sctx *x, const struct tlsa_serve_result *r, unsigned n,
		    struct tlsa_hs_facts *first)
{
	bool fallback = false;
	if (x->ev != NULL) {
		if (x->o.client_role)
			evidence_conn(x->ev, &r->local, &r->remote, x->dtls);
		else
			evidence_conn(x->ev, &r->remote, &r->local, x->dtls);
	}
	if (!x->o.client_role && r->hs.client_hello) {
		if (!first->client_hello)
			*first = r->hs;
		else /* after our alert the client came back lower */
			fallback = tlsa_reaction_fallback(first, &r->hs);
	}
	serve_print(x, r, n, fallback);
	fflush(x->c->out);
	if (fallback)
		return 1;
	if (!r->alert_sent)
		return EXIT_ERROR;
	return serve_verdict_status(r);
}

/* Connections without a ClientHello that are not counted, at most (then they are). */
#define SERVE_EMPTY_MAX 100

static int run_server(struct sctx *x)
{
	struct cli *c = x->c;
	struct tlsa_serve_listener *l = NULL;
	struct tlsa_error err = {0};
	int lrc = x->dtls ? tlsa_serve_listen_dtls(x->listen, &l, &err)
			  : tlsa_serve_listen(x->listen, &l, &err);
	if (lrc != 0)
		return cli_fail(c, "--listen %s: %s", x->listen, err.msg);
	/* where it listens (the port, for port 0): on stdout, or on stderr beside JSON */
	char what[128];
	serve_alert_text(&x->o.alert, what, sizeof(what));
	char line[320];
	snprintf(line, sizeof(line), "listening on %.*s:%u (%s); at %s: %s",
		 (int)(strrchr(x->listen, ':') - x->listen), x->listen, tlsa_serve_port(l),
		 x->dtls		  ? "DTLS 1.2"
		 : x->o.version == 0x0303 ? "TLS 1.2"
					  : "TLS 1.3",
		 tlsa_serve_step_name(x->o.step), what);
	if (c->fmt == OUT_TEXT) { /* wrapped on a terminal, as the connections below it */
		cli_wrap(c->out, line, 0, 4, c->width);
	} else {
		fprintf(c->err, "tlsalert serve: %s\n", line);
	}
	fflush(c->fmt == OUT_TEXT ? c->out : c->err);
	int status = EXIT_OK;
	struct tlsa_hs_facts first = {0};
	unsigned empty = 0;
	for (unsigned n = 1; n <= x->count; n++) {
		struct tlsa_serve_result r;
		memset(&r, 0, sizeof(r));
		if (tlsa_serve_accept(l, x->idle_ms, &x->o, &r, &err) != 0) {
			cli_fail(c, "%s", err.msg);
			status = EXIT_ERROR;
			break;
		}
		if (!r.hs.client_hello && empty < SERVE_EMPTY_MAX) {
			/* a port check or a scanner, not a TLS client: not counted */
			fprintf(c->err,
				"tlsalert serve: %s port %u closed without a ClientHello (not "
				"counted)\n",
				r.remote.text, r.remote.port);
			empty++;
			n--;
			continue;
		}
		int s = one_done(x, &r, n, &first);
		if (s > status)
			status = s;
	}
	tlsa_serve_listener_free(l);
	return status;
}

static int run_client(struct sctx *x)
{
	struct cli *c = x->c;
	struct tlsa_error err = {0};
	if (tlsa_probe_resolve(&x->t, &x->addr, &err) != 0)
		return cli_fail(c, "%s", err.msg);
	if (x->o.sni == NULL && !x->t.host_is_address)
		x->o.sni = x->t.host;
	int status = EXIT_OK;
	struct tlsa_hs_facts first = {0};
	for (unsigned n = 1; n <= x->count; n++) {
		struct tlsa_serve_result r;
		memset(&r, 0, sizeof(r));
		if (tlsa_serve_connect(&x->addr, &x->o, &r, &err) != 0) {
			cli_fail(c, "%s", err.msg);
			status = EXIT_ERROR;
			break;
		}
		int s = one_done(x, &r, n, &first);
		if (s > status)
			status = s;
	}
	return status;
}

/* The run with the evidence files open and the server's credentials made. */
static int run(struct sctx *x, const struct sargs *a)
{
	struct cli *c = x->c;
	int rc = EXIT_ERROR;
	if (!x->o.client_role && make_creds(c, a, x) != 0)
		return EXIT_ERROR;
	if (x->ca_out != NULL && serve_write_ca(c, x->creds, x->ca_out) != 0)
		goto out;
	if ((a->capture_out != NULL || a->keylog_out != NULL) &&
	    (x->ev = evidence_open(c, a->capture_out, a->keylog_out)) == NULL)
		goto out;
	if (x->ev != NULL) {
		x->o.ctx = x;
		x->o.on_wire = wire_tap;
		x->o.on_secret = secret_tap;
	}
	if (x->matrix)
		rc = serve_matrix(x);
	else if (x->o.client_role)
		rc = run_client(x);
	else
		rc = run_server(x);
	if (evidence_close(c, x->ev) != 0)
		rc = EXIT_ERROR;
out:
	tlsa_serve_creds_free(x->creds);
	return rc;
}

/* The role, the alert and the step, from what the options said. */
static int check_single(struct cli *c, const struct sargs *a, struct sctx *x)
{
	struct cli_quoted q;
	struct tlsa_error err = {0};
	if (a->alert == NULL || a->at == NULL)
		return cli_fail(c, "give the alert to send and when: --alert NAME|CODE --at STEP");
	if (serve_alert_parse(a->alert, strlen(a->alert), &x->o.alert.code) != 0)
		return cli_fail(c, "--alert %s: not an alert code (0-255) or a known alert name",
				cli_quote(&q, a->alert));
	if (level_option(c, a->level, &x->o.alert) != 0 || step_option(c, a->at, x) != 0)
		return EXIT_ERROR;
	if (x->o.step == TLSA_STEP_CERTIFICATE_REQUEST && !x->o.request_client_cert &&
	    !x->o.client_role)
		return cli_fail(c, "--at certificate_request needs --request-client-cert");
	if (x->connect != NULL) {
		if (tlsa_probe_target_parse(x->connect, &x->t, &err) != 0)
			return cli_fail(c, "--connect: %s", err.msg);
		if (x->t.scheme != NULL)
			return cli_fail(c, "--connect takes HOST:PORT, not a URL");
		x->o.sni = a->sni;
	}
	return 0;
}

/* An operand is never an address to listen on: that takes --listen. */
static int no_operands(struct cli *c, int argc, char **argv)
{
	struct cli_quoted q;
	if (argc - optind == 0)
		return 0;
	cli_fail(c,
		 "%s: serve takes no operand; it binds 127.0.0.1:4433 unless --listen ADDR:PORT "
		 "names another address (--connect HOST:PORT plays the client)",
		 cli_quote(&q, argv[optind]));
	serve_usage(c->err);
	return EXIT_ERROR;
}

/* One option into a or x; 1 when it was --help, -1 after a message. */
static int take(struct cli *c, int opt, struct sargs *a, struct sctx *x)
{
	switch (opt) {
	case OPT_LISTEN: a->listen_given = true; return listen_option(c, optarg, x) != 0 ? -1 : 0;
	case OPT_ALERT: a->alert = optarg; break;
	case OPT_LEVEL: a->level = optarg; break;
	case OPT_AT: a->at = optarg; break;
	case OPT_TLS: a->tls = optarg; break;
	case OPT_DTLS: a->dtls = optarg; break;
	case OPT_CERT: a->cert = optarg; break;
	case OPT_KEY: a->key = optarg; break;
	case OPT_SNI: a->sni = optarg; break;
	case OPT_CA_OUT: x->ca_out = optarg; break;
	case OPT_ALPN: a->alpn = optarg; break;
	case OPT_REQ_CERT: x->o.request_client_cert = true; break;
	case OPT_ONCE: a->once = true; break;
	case OPT_COUNT: a->count = optarg; break;
	case OPT_SHAPE: a->shape = optarg; break;
	case OPT_PLAINTEXT: a->plaintext = true; break;
	case OPT_CONNECT: x->connect = optarg; break;
	case OPT_TIMEOUT: a->timeout = optarg; break;
	case OPT_IDLE: a->idle = optarg; break;
	case OPT_CAPTURE_OUT: a->capture_out = optarg; break;
	case OPT_KEYLOG_OUT: a->keylog_out = optarg; break;
	case OPT_JSON: x->table = TABLE_JSON; break;
	case OPT_CSV: x->table = TABLE_CSV; break;
	case OPT_MARKDOWN: x->table = TABLE_MARKDOWN; break;
	case OPT_COLOR: a->color = optarg; break;
	case OPT_MATRIX: x->matrix = true; break;
	case OPT_CLIENT: x->client = optarg; break;
	case OPT_ALERTS: x->alerts = optarg; break;
	case 'h': serve_usage(c->out); return 1;
	default: serve_usage(c->err); return -1;
	}
	return 0;
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"alert", required_argument, NULL, OPT_ALERT},
		{"level", required_argument, NULL, OPT_LEVEL},
		{"at", required_argument, NULL, OPT_AT},
		{"tls", required_argument, NULL, OPT_TLS},
		{"dtls", required_argument, NULL, OPT_DTLS},
		{"cert", required_argument, NULL, OPT_CERT},
		{"key", required_argument, NULL, OPT_KEY},
		{"sni", required_argument, NULL, OPT_SNI},
		{"name", required_argument, NULL, OPT_SNI},
		{"ca-out", required_argument, NULL, OPT_CA_OUT},
		{"alpn", required_argument, NULL, OPT_ALPN},
		{"request-client-cert", no_argument, NULL, OPT_REQ_CERT},
		{"once", no_argument, NULL, OPT_ONCE},
		{"count", required_argument, NULL, OPT_COUNT},
		{"shape", required_argument, NULL, OPT_SHAPE},
		{"plaintext", no_argument, NULL, OPT_PLAINTEXT},
		{"connect", required_argument, NULL, OPT_CONNECT},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"idle", required_argument, NULL, OPT_IDLE},
		{"capture-out", required_argument, NULL, OPT_CAPTURE_OUT},
		{"keylog-out", required_argument, NULL, OPT_KEYLOG_OUT},
		{"json", no_argument, NULL, OPT_JSON},
		{"csv", no_argument, NULL, OPT_CSV},
		{"markdown", no_argument, NULL, OPT_MARKDOWN},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"matrix", no_argument, NULL, OPT_MATRIX},
		{"client", required_argument, NULL, OPT_CLIENT},
		{"alerts", required_argument, NULL, OPT_ALERTS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sctx x = {.c = c, .listen = "127.0.0.1:4433"};
	struct sargs a = {0};
	x.o.sz = sizeof(x.o);
	if (argc < 2) { /* nothing asked: how to ask */
		serve_usage(c->err);
		return EXIT_ERROR;
	}
	int opt;
	while ((opt = opts_next(c, argc, argv, opts)) != OPTS_DONE) {
		int t = take(c, opt, &a, &x);
		if (t != 0)
			return t > 0 ? EXIT_OK : EXIT_ERROR;
	}
	if (no_operands(c, argc, argv) != 0)
		return EXIT_ERROR;
	c->fmt = x.table == TABLE_JSON ? OUT_JSON : x.table == TABLE_CSV ? OUT_CSV : OUT_TEXT;
	c->color = c->fmt == OUT_TEXT && x.table == TABLE_TEXT && cli_want_color(c->out, a.color);
	x.o.client_role = x.connect != NULL;
	if (check_common(c, &a, &x) != 0)
		return EXIT_ERROR;
	if (x.matrix) {
		if (x.client == NULL)
			return cli_fail(c, "--matrix needs --client CMD");
		if (a.alert != NULL || a.level != NULL)
			return cli_fail(c, "--matrix takes --alerts LIST, not --alert/--level");
		x.steps = a.at;
		/* the client gets --timeout; watching it after the alert, half of that */
		x.o.reaction_timeout_ms = x.client_timeout_ms / 2;
	} else if (check_single(c, &a, &x) != 0) {
		return EXIT_ERROR;
	}
	return run(&x, &a);
}
