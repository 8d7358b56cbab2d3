/*
 * tlsalert probe: ask one live server which alert it sends to which hello,
 * one changed setting at a time, and say what it requires and refuses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "causes_out.h"
#include "cli.h"
#include "opts.h"
#include "probe_out.h"
#include "tlsalert/diagnose.h"
#include "tlsalert/probe.h"
#include "tlsalert/session.h"

#define MAX_CONNECTIONS_CAP 500

static void probe_usage(FILE *f)
{
	fputs("usage: tlsalert probe [options] TARGET\n"
	      "\n"
	      "Connects to the one server TARGET names, sends a baseline ClientHello and then\n"
	      "hellos that each change one thing (version, SNI, ALPN, group, signature scheme,\n"
	      "cipher suites, extensions, malformed fields), and reports what the server\n"
	      "answers to each: its choices, or the alert it sends (TLS 1.3 alerts are read\n"
	      "with the probe's own keys), with the likeliest cause.  Then a summary of what\n"
	      "the server requires and refuses.\n"
	      "\n"
	      "TARGET: HOST[:PORT] (port 443 by default), [IPv6]:PORT, or a URL: https://,\n"
	      "smtps://, imaps://, pop3s://, ldaps://, ftps:// (TLS at once); smtp://,\n"
	      "submission://, imap://, pop3://, ftp://, postgres:// (STARTTLS first).\n"
	      "One host only: lists, ranges and CIDR blocks are refused.\n"
	      "\n"
	      "Options:\n"
	      "  --sni NAME          the server name to send (default: the target's name;\n"
	      "                      none for an address)\n"
	      "  --no-sni            send no server name in any probe\n"
	      "  --alpn LIST         the ALPN protocols of the baseline (default h2,http/1.1)\n"
	      "  --probes LIST       only these probes (comma-separated names; see --dry-run)\n"
	      "  --all               every probe (the default, and with --hello-from too)\n"
	      "  --budget SEC        start no connection after SEC seconds (default 300)\n"
	      "  --ca FILE           trusted CAs (PEM) for the verify probe (default: the\n"
	      "                      system store)\n"
	      "  --capture-out FILE  write every probe connection to FILE (pcapng, with its\n"
	      "                      secrets in a Decryption Secrets Block)\n"
	      "  --keylog-out FILE   append the secrets the probe knows (NSS key log format)\n"
	      "  --client-cert FILE  a client certificate chain (PEM) that the verify and\n"
	      "                      renegotiation probes present when asked for one\n"
	      "  --key FILE          its private key (PEM; default: in --client-cert's file)\n"
	      "  --as CLIENT         also send the ClientHello of a common client: openssl,\n"
	      "                      curl, python, go, gnutls, nss, java (captured with\n"
	      "                      their default settings); runs baseline and it unless\n"
	      "                      --probes or --all say otherwise\n"
	      "  --hello-from CAPTURE[:FRAME]\n"
	      "                      send the ClientHello of a capture (the first, or the one\n"
	      "                      in packet FRAME) with the target's name: what does the\n"
	      "                      server answer that client?  Runs baseline and replay\n"
	      "                      unless --probes names others\n"
	      "  --timeout SEC       read timeout per probe (default 10; connect: 5)\n"
	      "  --delay MS          pause between connections (default 100)\n"
	      "  --max-connections N at most N connections (default 60, at most 500)\n"
	      "  --seed N            derive every hello's random from N: the same hellos\n"
	      "                      (and so the same answers) every run\n"
	      "  --dry-run           list the probes and their hellos' sizes, connect to nothing\n"
	      "  --json              JSON Lines: one object per probe, then a summary\n"
	      "  --csv               CSV with a header line\n"
	      "  --color WHEN        auto (default), always or never (also --colour)\n"
	      "  -h, --help          this help\n"
	      "\n"
	      "Exit status: 0 the server answered the baseline, 1 it refused the baseline,\n"
	      "2 bad usage or no connection at all (refused, unreachable, unresolvable).\n",
	      f);
}

/* The probe as it is sent: the catalogue's, with the user's SNI and ALPN in the
 * probes that do not change them. */
static struct tlsa_probe_def adjust(const struct pctx *x, const struct tlsa_probe_def *p)
{
	static const char base_alpn[] = "h2,http/1.1";
	struct tlsa_probe_def d = *p;
	bool sni_probe = !p->hello.sni || p->hello.sni_name != NULL ||
			 p->hello.malform == TLSA_MALFORM_EMPTY_SNI;
	if (!sni_probe) {
		if (x->no_sni || (x->t.host_is_address && x->sni == NULL))
			d.hello.sni = false;
		else if (x->sni != NULL)
			d.hello.sni_name = x->sni;
	}
	if (x->alpn != NULL && p->hello.alpn != NULL && strcmp(p->hello.alpn, base_alpn) == 0)
		d.hello.alpn = x->alpn;
	return d;
}

static bool selected(const struct pctx *x, const char *name)
{
	if (x->as_probe != NULL && strcmp(name, x->as_probe) == 0)
		return true; /* --as always runs its client */
	if (x->only == NULL)
		return true;
	size_t n = strlen(name);
	for (const char *s = x->only; *s != '\0';) {
		size_t k = strcspn(s, ",");
		if (k == n && strncmp(s, name, n) == 0)
			return true;
		s += k + (s[k] == ',');
	}
	return false;
}

/* 32 bytes of hello random: from the seed and the probe's index, else fresh. */
static void seeded_random(const struct pctx *x, size_t i, uint8_t out[32])
{
	uint64_t v = x->seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
	for (int k = 0; k < 32; k++) {
		v ^= v << 13; /* xorshift64: reproducible, not secret (a probe's random) */
		v ^= v >> 7;
		v ^= v << 17;
		out[k] = (uint8_t)(v >> 24);
	}
}

/* ---------------------------------------------------------------- diagnosis */

/*
 * A probe changes one thing, so that is where a refusal points: the narrow-offer
 * facts of the other dimensions are cleared (a TLS 1.3-only hello also offers
 * only three suites, which is not what it tests), and a malformed hello is one.
 */
static void topic_facts(struct tlsa_diag_ctx *ctx, tlsa_probe_topic t)
{
	tlsa_tri *mine = t == TLSA_TOPIC_VERSION  ? &ctx->versions_narrow
			 : t == TLSA_TOPIC_GROUP  ? &ctx->groups_narrow
			 : t == TLSA_TOPIC_SIGALG ? &ctx->sigalgs_narrow
			 : t == TLSA_TOPIC_SUITE  ? &ctx->suites_narrow
						  : NULL;
	tlsa_tri *dims[] = {&ctx->versions_narrow, &ctx->groups_narrow, &ctx->sigalgs_narrow,
			    &ctx->suites_narrow};
	for (size_t i = 0; i < sizeof(dims) / sizeof(dims[0]); i++)
		if (dims[i] != mine)
			*dims[i] = TLSA_TRI_NO;
	if (t == TLSA_TOPIC_MALFORMED)
		ctx->hello_malformed = TLSA_TRI_YES;
}

/* The cause a refusal of this probe points to when the server accepted the
 * baseline (the probe changes only that), or NULL. */
static const char *differential_cause(const struct tlsa_probe_def *p)
{
	switch (p->topic) {
	case TLSA_TOPIC_VERSION: return "version-mismatch";
	case TLSA_TOPIC_SNI: return p->hello.sni ? "sni-unknown" : "missing-extension";
	case TLSA_TOPIC_ALPN: return "alpn-mismatch";
	case TLSA_TOPIC_GROUP: return "no-shared-group";
	case TLSA_TOPIC_SIGALG: return "no-shared-sigalg";
	case TLSA_TOPIC_SUITE: return "no-shared-cipher";
	case TLSA_TOPIC_FALLBACK: return "fallback-scsv";
	case TLSA_TOPIC_CLIENT_CERT: return "client-cert-missing";
	case TLSA_TOPIC_RENEGOTIATION: return "renegotiation-refused";
	case TLSA_TOPIC_MALFORMED:
		return p->hello.malform == TLSA_MALFORM_KEY_SHARE_LEN ? "bad-key-share"
								      : "malformed-hello";
	default: return NULL;
	}
}

/*
 * The server answered the baseline and refused this probe, which changes one
 * thing: a controlled experiment, stronger than any prior.  That thing's cause
 * goes first (the others move down, without a second copy of it).
 */
static size_t put_differential(const struct tlsa_probe_def *p, const struct tlsa_probe_result *r,
			       struct tlsa_cause *cs, size_t n, size_t max)
{
	const char *id = differential_cause(p);
	if (p->topic == TLSA_TOPIC_RENEGOTIATION && !r->handshake_done)
		return n; /* refused before the renegotiation: not about it */
	if (id == NULL || tlsa_cause_def_get(id) == NULL || (n > 0 && strcmp(cs[0].id, id) == 0))
		return n;
	size_t k = 0;
	while (k < n && strcmp(cs[k].id, id) != 0)
		k++;
	if (k == n) /* not ranked at all: make room for it */
		k = n < max ? n++ : n - 1;
	memmove(cs + 1, cs, k * sizeof(*cs));
	causes_outcome(&cs[0], id, "server");
	snprintf(cs[0].evidence, sizeof(cs[0].evidence),
		 "the server answered the baseline hello and refused this one, which only %s: "
		 "the change is what it refuses",
		 p->changes);
	return n;
}

/* The ranked causes of an alert the server sent to a probe, from the probe's own
 * hello and what the server answered before the alert. */
static size_t diagnose(const struct tlsa_probe_def *p, const struct tlsa_probe_result *r,
		       struct tlsa_cause *cs, size_t max)
{
	struct tlsa_pktinfo pkt = {.frame = 0, .ts_sec = (int64_t)time(NULL)};
	struct tlsa_alert_event ev;
	struct tlsa_diag_ctx ctx;
	size_t n = 0;
	memset(&ev, 0, sizeof(ev));
	ev.pkt = &pkt;
	ev.sender = TLSA_ROLE_SERVER;
	ev.level = r->level;
	ev.description = r->description;
	ev.likely = -1;
	ev.stage = r->step;
	ev.hs = &r->hs;
	ev.encrypted = r->alert_encrypted;
	ev.decrypted = r->alert_encrypted && r->description >= 0;
	ev.version = tlsa_version_from_wire(r->version != 0 ? r->version : 0x0303);
	ev.version_negotiated = r->server_hello;
	if (!tlsa_diag_ctx_from_event(&ctx, &ev))
		return 0;
	topic_facts(&ctx, p->topic);
	if (tlsa_diagnose(&ctx, cs, max, &n, NULL) != 0)
		return 0;
	return n;
}

/* ---------------------------------------------------------------- output */

static void chosen_text(const struct tlsa_probe_result *r, char *buf, size_t cap)
{
	const char *suite = r->suite != 0 ? tlsa_cipher_suite_name(r->suite) : NULL;
	const char *group = r->group != 0 ? tlsa_group_name(r->group) : NULL;
	snprintf(buf, cap, "%s%s%s%s%s%s%s", tlsa_version_name(tlsa_version_from_wire(r->version)),
		 suite ? ", " : "", suite ? suite : "", group ? ", " : "", group ? group : "",
		 r->alpn[0] ? ", ALPN " : "", r->alpn);
}

static void alert_text(const struct tlsa_probe_result *r, char *buf, size_t cap)
{
	if (r->description < 0) {
		snprintf(buf, cap, "encrypted alert (not readable) after %s", r->step);
		return;
	}
	const char *lv = tlsa_level_name(r->level);
	snprintf(buf, cap, "%s %s (%d)%s at %s", lv != NULL ? lv : "level?",
		 tlsa_alert_get((uint8_t)r->description)->name, r->description,
		 r->alert_encrypted ? ", encrypted" : "", r->step);
}

/* What a libssl probe that succeeded learnt. */
static void full_text(const struct tlsa_probe_def *p, const struct tlsa_probe_result *r, char *buf,
		      size_t cap)
{
	size_t n = strlen(buf);
	if (p->kind == TLSA_KIND_VERIFY && r->verify_result >= 0)
		snprintf(buf + n, cap - n, "; certificate %s: %s (%ld)", r->cert_subject,
			 r->verify_result == 0 ? "verified" : r->verify_error, r->verify_result);
	else if (p->kind == TLSA_KIND_NO_CLIENT_CERT)
		snprintf(buf + n, cap - n, "; %s",
			 r->cert_requested ? "a client certificate was asked for, none needed"
					   : "no client certificate asked for");
	else if (p->kind == TLSA_KIND_RENEGOTIATE)
		snprintf(buf + n, cap - n, "; renegotiation accepted");
}

void probe_outcome_text(const struct tlsa_probe_result *r, char *buf, size_t cap)
{
	switch (r->outcome) {
	case TLSA_PROBE_OK: chosen_text(r, buf, cap); break;
	case TLSA_PROBE_ALERT: alert_text(r, buf, cap); break;
	case TLSA_PROBE_HRR:
		snprintf(buf, cap, "asks for a key share of %s (HelloRetryRequest)",
			 r->group ? tlsa_group_name(r->group) : "another group");
		break;
	case TLSA_PROBE_CLOSED:
		snprintf(buf, cap, "closed without an alert after %s%s%s", r->step,
			 r->detail[0] ? ": " : "", r->detail);
		break;
	case TLSA_PROBE_RESET: snprintf(buf, cap, "connection reset after %s", r->step); break;
	case TLSA_PROBE_TIMEOUT: snprintf(buf, cap, "no answer after %s", r->step); break;
	default: snprintf(buf, cap, "%s", r->detail); break;
	}
}

static void text_probe(struct pctx *x, const struct tlsa_probe_def *p,
		       const struct tlsa_probe_result *r, const struct tlsa_cause *cs, size_t ncs)
{
	struct cli *c = x->c;
	char buf[512];
	enum cli_color col = r->outcome == TLSA_PROBE_OK      ? C_GREEN
			     : r->outcome == TLSA_PROBE_ALERT ? C_RED
							      : C_YELLOW;
	probe_outcome_text(r, buf, sizeof(buf));
	if (r->outcome == TLSA_PROBE_OK && p->kind != TLSA_KIND_HELLO)
		full_text(p, r, buf, sizeof(buf));
	fprintf(c->out, "%-20s %s%-8s%s ", p->name, cli_c(c, col),
		tlsa_probe_outcome_name(r->outcome), cli_c(c, C_RESET));
	cli_wrap(c->out, buf, 30, 30, c->width);
	fprintf(c->out, "%s", cli_c(c, C_DIM));
	if (ncs > 0)
		snprintf(buf, sizeof(buf), "%s; likely cause: %s (%s)", p->changes, cs[0].id,
			 cs[0].title);
	else
		snprintf(buf, sizeof(buf), "%s", p->changes);
	fputs("    ", c->out);
	cli_wrap(c->out, buf, 4, 6, c->width);
	fprintf(c->out, "%s", cli_c(c, C_RESET));
}

static void json_probe(struct pctx *x, const struct tlsa_probe_def *p,
		       const struct tlsa_probe_result *r, const struct tlsa_cause *cs, size_t ncs)
{
	struct jw w;
	jw_begin(&w, x->c->out);
	jw_str(&w, "type", "probe");
	jw_str(&w, "target", x->t.host);
	jw_str(&w, "address", x->addr.text);
	jw_uint(&w, "port", x->addr.port);
	jw_str(&w, "probe", p->name);
	jw_str(&w, "changes", p->changes);
	jw_str(&w, "outcome", tlsa_probe_outcome_name(r->outcome));
	char hex[8];
	if (r->server_hello) {
		jw_str(&w, "version", tlsa_version_name(tlsa_version_from_wire(r->version)));
		snprintf(hex, sizeof(hex), "0x%04x", r->suite);
		jw_str(&w, "cipher_suite", hex);
		jw_str(&w, "cipher_suite_name", tlsa_cipher_suite_name(r->suite));
		if (r->group != 0) {
			snprintf(hex, sizeof(hex), "0x%04x", r->group);
			jw_str(&w, "group", hex);
			jw_str(&w, "group_name", tlsa_group_name(r->group));
		} else {
			jw_null(&w, "group");
			jw_null(&w, "group_name");
		}
		jw_str(&w, "alpn", r->alpn[0] ? r->alpn : NULL);
	} else {
		jw_null(&w, "version");
		jw_null(&w, "cipher_suite");
		jw_null(&w, "cipher_suite_name");
		jw_null(&w, "group");
		jw_null(&w, "group_name");
		jw_null(&w, "alpn");
	}
	if (r->outcome == TLSA_PROBE_ALERT && r->description >= 0) {
		jw_int(&w, "level", r->level);
		jw_int(&w, "code", r->description);
		jw_str(&w, "name", tlsa_alert_get((uint8_t)r->description)->name);
	} else {
		jw_null(&w, "level");
		jw_null(&w, "code");
		jw_null(&w, "name");
	}
	jw_bool(&w, "encrypted", r->alert_encrypted);
	jw_str(&w, "step", r->step);
	jw_str(&w, "detail", r->detail[0] ? r->detail : NULL);
	jw_uint(&w, "bytes_received", r->bytes_in);
	if (p->kind != TLSA_KIND_HELLO) {
		jw_bool(&w, "handshake_done", r->handshake_done);
		jw_bool(&w, "client_cert_requested", r->cert_requested);
	}
	if (p->kind == TLSA_KIND_VERIFY && r->verify_result >= 0) {
		jw_int(&w, "verify_result", r->verify_result);
		jw_str(&w, "verify_error", r->verify_result != 0 ? r->verify_error : NULL);
		jw_str(&w, "cert_subject", r->cert_subject);
		jw_str(&w, "cert_issuer", r->cert_issuer);
		jw_str(&w, "cert_not_after", r->cert_not_after[0] ? r->cert_not_after : NULL);
		jw_int(&w, "chain_length", r->chain_length);
	}
	jw_uint(&w, "elapsed_ms", r->elapsed_ms);
	causes_json(&w, "causes", cs, ncs);
	jw_end(&w);
}

static void csv_probe(struct pctx *x, const struct tlsa_probe_def *p,
		      const struct tlsa_probe_result *r, const struct tlsa_cause *cs, size_t ncs)
{
	FILE *f = x->c->out;
	bool alert = r->outcome == TLSA_PROBE_ALERT && r->description >= 0;
	csv_field(f, p->name, true);
	csv_field(f, tlsa_probe_outcome_name(r->outcome), false);
	csv_field(f, r->server_hello ? tlsa_version_name(tlsa_version_from_wire(r->version)) : NULL,
		  false);
	csv_field(f, r->server_hello ? tlsa_cipher_suite_name(r->suite) : NULL, false);
	csv_field(f, r->group ? tlsa_group_name(r->group) : NULL, false);
	csv_field(f, r->alpn[0] ? r->alpn : NULL, false);
	if (alert)
		csv_int(f, r->description, false);
	else
		csv_field(f, NULL, false);
	csv_field(f, alert ? tlsa_alert_get((uint8_t)r->description)->name : NULL, false);
	csv_field(f, r->step, false);
	csv_field(f, ncs > 0 ? cs[0].id : NULL, false);
	csv_end(f);
}

/* ---------------------------------------------------------------- run */

/* One probe of --dry-run in JSON: its hello's bytes, or null for a libssl probe (hello NULL). */
static int dry_json(struct pctx *x, const struct tlsa_probe_def *p, const uint8_t *hello,
		    size_t len)
{
	struct jw w;
	char *hex = NULL;
	if (hello != NULL && (hex = malloc(len * 2 + 1)) == NULL)
		return cli_fail(x->c, "out of memory");
	for (size_t k = 0; hex != NULL && k < len; k++)
		snprintf(hex + 2 * k, 3, "%02x", hello[k]);
	jw_begin(&w, x->c->out);
	jw_str(&w, "type", "probe");
	jw_str(&w, "probe", p->name);
	jw_str(&w, "changes", p->changes);
	if (hello != NULL)
		jw_uint(&w, "hello_bytes", len);
	else
		jw_null(&w, "hello_bytes");
	jw_str(&w, "hello_hex", hex);
	jw_end(&w);
	free(hex);
	return 0;
}

static int dry_run(struct pctx *x, const struct tlsa_probe_def *cat, size_t ncat)
{
	uint8_t buf[4096], random[32] = {0};
	for (size_t i = 0; i < ncat; i++) {
		if (!selected(x, cat[i].name))
			continue;
		struct tlsa_probe_def p = adjust(x, &cat[i]);
		size_t len = 0;
		struct tlsa_error err = {0};
		bool libssl = p.kind != TLSA_KIND_HELLO; /* libssl writes those hellos */
		if (!libssl &&
		    tlsa_probe_hello_encode(&p.hello, x->t.host_is_address ? "" : x->t.host, random,
					    NULL, buf, sizeof(buf), &len, &err) != 0)
			return cli_fail(x->c, "probe %s: %s", p.name, err.msg);
		if (x->c->fmt == OUT_JSON && dry_json(x, &p, libssl ? NULL : buf, len) != 0)
			return EXIT_ERROR;
		if (x->c->fmt != OUT_JSON && libssl)
			fprintf(x->c->out, "%-20s %-11s %s\n", p.name, "(libssl)", p.changes);
		else if (x->c->fmt != OUT_JSON)
			fprintf(x->c->out, "%-20s %4zu bytes  %s\n", p.name, len, p.changes);
	}
	return EXIT_OK;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void pause_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int run_probes(struct pctx *x, const struct tlsa_probe_def *cat, size_t ncat)
{
	struct cli *c = x->c;
	struct done *d = calloc(ncat, sizeof(*d));
	size_t n = 0;
	bool any_connected = false, baseline_ok = false;
	int status = EXIT_OK;
	if (d == NULL)
		return cli_fail(c, "out of memory");
	if (c->fmt == OUT_CSV)
		fputs("probe,outcome,version,cipher_suite,group,alpn,code,name,step,cause\n",
		      c->out);
	uint64_t start = now_ms();
	for (size_t i = 0; i < ncat && x->n_run < x->max_conn; i++) {
		if (!selected(x, cat[i].name))
			continue;
		if (x->n_run > 0)
			pause_ms(x->delay_ms);
		if (now_ms() - start >= x->budget_ms) {
			size_t left = 0;
			for (size_t k = i; k < ncat; k++)
				left += selected(x, cat[k].name);
			fprintf(c->err,
				"tlsalert probe: the --budget of %u s is spent: %zu probe%s not "
				"run\n",
				x->budget_ms / 1000, left, left == 1 ? "" : "s");
			break;
		}
		struct tlsa_probe_def p = adjust(x, &cat[i]);
		uint8_t random[32];
		struct tlsa_probe_opts o = {.sz = sizeof(o),
					    .read_timeout_ms = x->timeout_ms,
					    .random = x->seeded ? random : NULL,
					    .ca_file = x->ca,
					    .client_cert_file = x->client_cert,
					    .client_key_file = x->client_key,
					    .ctx = x->ev,
					    .on_wire = x->ev != NULL ? evidence_wire : NULL,
					    .on_secret =
						    x->ev != NULL ? evidence_secret : NULL};
		struct tlsa_error err = {0};
		struct tlsa_cause cs[3];
		if (x->seeded)
			seeded_random(x, i, random);
		struct tlsa_probe_result *r = &d[n].r;
		if (tlsa_probe_run(&x->addr, &x->t, &p, &o, r, &err) != 0) {
			free(d);
			return cli_fail(c, "probe %s: %s", p.name, err.msg);
		}
		x->n_run++;
		d[n++].name = cat[i].name;
		if (x->ev != NULL)
			evidence_conn(x->ev, &r->local, &r->remote, false);
		if (r->outcome == TLSA_PROBE_CONNECT && !any_connected) {
			/* the first connection failed: the target is not there, stop */
			cli_fail(c, "%s", r->detail);
			free(d);
			return EXIT_ERROR;
		}
		if (!any_connected &&
		    c->fmt == OUT_TEXT) /* the target is there: say what follows */
			fprintf(c->out,
				"probing %s port %u (%s), one connection at a time, %u ms apart\n",
				x->t.host, x->addr.port, x->addr.text, x->delay_ms);
		any_connected = true;
		size_t ncs = r->outcome == TLSA_PROBE_ALERT ? diagnose(&p, r, cs, 3) : 0;
		if (r->outcome == TLSA_PROBE_ALERT && baseline_ok)
			ncs = put_differential(&p, r, cs, ncs, 3);
		if (c->fmt == OUT_JSON)
			json_probe(x, &p, r, cs, ncs);
		else if (c->fmt == OUT_CSV)
			csv_probe(x, &p, r, cs, ncs);
		else
			text_probe(x, &p, r, cs, ncs);
		if (strcmp(p.name, "baseline") == 0) {
			baseline_ok = r->outcome == TLSA_PROBE_OK;
			status = baseline_ok ? EXIT_OK : EXIT_NONE;
		}
		fflush(c->out);
	}
	if (c->fmt == OUT_JSON)
		probe_json_summary(x, d, n);
	else if (c->fmt == OUT_TEXT)
		probe_text_summary(x, d, n);
	free(d);
	return status;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

/* Every name of --probes is a probe: a typo would otherwise probe nothing. */
static bool known_names(struct cli *c, const char *list, const struct tlsa_probe_def *cat,
			size_t ncat)
{
	for (const char *s = list; *s != '\0';) {
		size_t k = strcspn(s, ","), i = 0;
		while (i < ncat && !(strlen(cat[i].name) == k && strncmp(cat[i].name, s, k) == 0))
			i++;
		if (i == ncat) {
			cli_fail(c, "unknown probe '%.*s' (--dry-run lists them)", (int)k, s);
			return false;
		}
		s += k + (s[k] == ',');
	}
	return true;
}

/* A file option names a file this process can read (or is not given). */
static bool readable(struct cli *c, const char *opt, const char *path)
{
	if (path == NULL || access(path, R_OK) == 0)
		return true;
	cli_fail(c, "%s %s: %s", opt, path, strerror(errno));
	return false;
}

static int not_one_target(struct cli *c, int n)
{
	cli_fail(c, n == 0 ? "no target: give one HOST[:PORT] or URL" : "one target only (got %d)",
		 n);
	probe_usage(c->err);
	return EXIT_ERROR;
}

/* The probes to run: the catalogue, and the replayed hello of --hello-from. */
/* The client of --as NAME, or NULL with a message listing the known ones. */
static const struct tlsa_probe_client *as_client(struct cli *c, const char *name)
{
	size_t n = 0;
	char known[256] = "";
	const struct tlsa_probe_client *cl = tlsa_probe_clients(&n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cl[i].as, name) == 0)
			return &cl[i];
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 i ? ", " : "", cl[i].as);
	}
	cli_fail(c, "--as %s: not a known client (%s)", name, known);
	return NULL;
}

static int run_all(struct pctx *x, const char *hello_from)
{
	struct cli *c = x->c;
	struct tlsa_error err = {0};
	size_t ncat = 0;
	const struct tlsa_probe_def *cat = tlsa_probe_catalogue(&ncat);
	struct probe_replay rep = {0};
	struct tlsa_probe_def *defs = calloc(ncat + 2, sizeof(*defs));
	char as_name[32], as_changes[256];
	if (defs == NULL)
		return cli_fail(c, "out of memory");
	memcpy(defs, cat, ncat * sizeof(*defs));
	if (hello_from != NULL) {
		if (probe_hello_from(c, hello_from, &rep) != 0) {
			free(defs);
			return EXIT_ERROR;
		}
		defs[ncat++] = (struct tlsa_probe_def){
			.name = "replay",
			.changes = rep.changes,
			.topic = TLSA_TOPIC_REPLAY,
			.hello = {.sni = true, .raw = rep.rec, .raw_len = rep.len},
		};
		if (x->only == NULL && !x->all)
			x->only = "baseline,replay";
	}
	if (x->as != NULL) {
		const struct tlsa_probe_client *cl = as_client(c, x->as);
		if (cl == NULL) {
			free(rep.rec);
			free(defs);
			return EXIT_ERROR;
		}
		snprintf(as_name, sizeof(as_name), "as-%s", cl->as);
		snprintf(as_changes, sizeof(as_changes), "the ClientHello of %s (%s)", cl->name,
			 cl->source);
		defs[ncat++] = (struct tlsa_probe_def){
			.name = as_name,
			.changes = as_changes,
			.topic = TLSA_TOPIC_REPLAY,
			.hello = {.sni = true, .raw = cl->hello, .raw_len = cl->hello_len},
		};
		if (x->only == NULL && !x->all)
			x->only = "baseline";
		x->as_probe = as_name;
	}
	int rc = EXIT_ERROR;
	if (x->only != NULL && !known_names(c, x->only, defs, ncat))
		;
	else if (x->dry_run)
		rc = dry_run(x, defs, ncat);
	else if (tlsa_probe_resolve(&x->t, &x->addr, &err) != 0)
		cli_fail(c, "%s", err.msg);
	else
		rc = run_probes(x, defs, ncat);
	free(rep.rec);
	free(defs);
	return rc;
}

/* run_all() with the evidence files of --capture-out and --keylog-out open. */
static int run_with_evidence(struct pctx *x, const char *hello_from, const char *capture_out,
			     const char *keylog_out)
{
	if (!x->dry_run && (capture_out != NULL || keylog_out != NULL) &&
	    (x->ev = evidence_open(x->c, capture_out, keylog_out)) == NULL)
		return EXIT_ERROR;
	int rc = run_all(x, hello_from);
	if (evidence_close(x->c, x->ev) != 0)
		rc = EXIT_ERROR;
	return rc;
}

/* The options of cmd_probe (file scope: number_option() shares them). */
enum {
	OPT_SNI = 256,
	OPT_NO_SNI,
	OPT_ALPN,
	OPT_PROBES,
	OPT_TIMEOUT,
	OPT_DELAY,
	OPT_MAX,
	OPT_SEED,
	OPT_DRY,
	OPT_JSON,
	OPT_CSV,
	OPT_COLOR,
	OPT_CA,
	OPT_HELLO_FROM,
	OPT_CAPTURE_OUT,
	OPT_KEYLOG_OUT,
	OPT_BUDGET,
	OPT_ALL,
	OPT_CLIENT_CERT,
	OPT_KEY,
	OPT_AS
};

/* --timeout, --delay, --max-connections, --seed, --budget: 0, or a message and EXIT_ERROR. */
static int number_option(struct cli *c, int opt, const char *arg, struct pctx *x)
{
	unsigned long v;
	switch (opt) {
	case OPT_TIMEOUT:
		if (!parse_uint(arg, 600, &v) || v == 0)
			return cli_fail(c, "--timeout takes seconds from 1 to 600, not '%s'", arg);
		x->timeout_ms = (unsigned)v * 1000u;
		break;
	case OPT_DELAY:
		if (!parse_uint(arg, 60000, &v))
			return cli_fail(c, "--delay takes milliseconds from 0 to 60000, not '%s'",
					arg);
		x->delay_ms = (unsigned)v;
		break;
	case OPT_MAX:
		if (!parse_uint(arg, MAX_CONNECTIONS_CAP, &v) || v == 0)
			return cli_fail(c, "--max-connections takes 1 to %d, not '%s'",
					MAX_CONNECTIONS_CAP, arg);
		x->max_conn = (unsigned)v;
		break;
	case OPT_SEED:
		if (!parse_uint(arg, ~0ul, &v))
			return cli_fail(c, "--seed takes a number, not '%s'", arg);
		x->seed = v;
		x->seeded = true;
		break;
	case OPT_BUDGET:
		if (!parse_uint(arg, 3600, &v) || v == 0)
			return cli_fail(c, "--budget takes seconds from 1 to 3600, not '%s'", arg);
		x->budget_ms = (unsigned)v * 1000u;
		break;
	}
	return 0;
}

int cmd_probe(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"sni", required_argument, NULL, OPT_SNI},
		{"no-sni", no_argument, NULL, OPT_NO_SNI},
		{"alpn", required_argument, NULL, OPT_ALPN},
		{"probes", required_argument, NULL, OPT_PROBES},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"delay", required_argument, NULL, OPT_DELAY},
		{"max-connections", required_argument, NULL, OPT_MAX},
		{"seed", required_argument, NULL, OPT_SEED},
		{"ca", required_argument, NULL, OPT_CA},
		{"hello-from", required_argument, NULL, OPT_HELLO_FROM},
		{"capture-out", required_argument, NULL, OPT_CAPTURE_OUT},
		{"keylog-out", required_argument, NULL, OPT_KEYLOG_OUT},
		{"budget", required_argument, NULL, OPT_BUDGET},
		{"all", no_argument, NULL, OPT_ALL},
		{"client-cert", required_argument, NULL, OPT_CLIENT_CERT},
		{"key", required_argument, NULL, OPT_KEY},
		{"as", required_argument, NULL, OPT_AS},
		{"dry-run", no_argument, NULL, OPT_DRY},
		{"json", no_argument, NULL, OPT_JSON},
		{"csv", no_argument, NULL, OPT_CSV},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct pctx x = {
		.c = c, .timeout_ms = 10000, .delay_ms = 100, .max_conn = 60, .budget_ms = 300000};
	const char *color = NULL, *hello_from = NULL, *capture_out = NULL, *keylog_out = NULL;
	int opt;
	while ((opt = opts_next(c, argc, argv, opts)) != OPTS_DONE) {
		switch (opt) {
		case OPT_SNI: x.sni = optarg; break;
		case OPT_NO_SNI: x.no_sni = true; break;
		case OPT_ALPN: x.alpn = optarg; break;
		case OPT_PROBES: x.only = optarg; break;
		case OPT_TIMEOUT:
		case OPT_DELAY:
		case OPT_MAX:
		case OPT_SEED:
		case OPT_BUDGET:
			if (number_option(c, opt, optarg, &x) != 0)
				return EXIT_ERROR;
			break;
		case OPT_DRY: x.dry_run = true; break;
		case OPT_CA: x.ca = optarg; break;
		case OPT_HELLO_FROM: hello_from = optarg; break;
		case OPT_CAPTURE_OUT: capture_out = optarg; break;
		case OPT_KEYLOG_OUT: keylog_out = optarg; break;
		case OPT_ALL: x.all = true; break;
		case OPT_CLIENT_CERT: x.client_cert = optarg; break;
		case OPT_KEY: x.client_key = optarg; break;
		case OPT_AS: x.as = optarg; break;
		case OPT_JSON: c->fmt = OUT_JSON; break;
		case OPT_CSV: c->fmt = OUT_CSV; break;
		case OPT_COLOR: color = optarg; break;
		case 'h': probe_usage(c->out); return EXIT_OK;
		case OPTS_ERROR: probe_usage(c->err); return EXIT_ERROR;
		}
	}
	c->color = c->fmt == OUT_TEXT && cli_want_color(c->out, color);
	if (argc - optind != 1)
		return not_one_target(c, argc - optind);
	if (x.all && x.only != NULL)
		return cli_fail(c, "give --probes or --all, not both");
	if (!readable(c, "--ca", x.ca) || !readable(c, "--client-cert", x.client_cert) ||
	    !readable(c, "--key", x.client_key))
		return EXIT_ERROR;
	struct tlsa_error err = {0};
	if (tlsa_probe_target_parse(argv[optind], &x.t, &err) != 0)
		return cli_fail(c, "%s", err.msg);
	return run_with_evidence(&x, hello_from, capture_out, keylog_out);
}
