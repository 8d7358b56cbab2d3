/*
 * `tlsalert serve`, shared by its files: cmd_serve.c (options, one server or
 * client run), serve_out.c (one connection as text or JSON) and
 * serve_matrix.c (--matrix: a client command against every alert x step).
 */
#ifndef TLSA_SERVE_OUT_H
#define TLSA_SERVE_OUT_H

#include "cli.h"
#include "evidence.h"
#include "tlsalert/probe.h"
#include "tlsalert/reaction.h"
#include "tlsalert/serve.h"

#define SERVE_COUNT_CAP 10000 /* --count: connections of one run, at most */
#define SERVE_LIST_MAX	256   /* --alerts / --at of --matrix: entries, at most */

enum serve_table { TABLE_TEXT, TABLE_JSON, TABLE_CSV, TABLE_MARKDOWN };

struct sctx {
	struct cli *c;
	struct tlsa_serve_opts o;	/* what every connection does */
	struct tlsa_serve_creds *creds; /* --cert/--key or made for --sni */
	const char *listen;		/* "127.0.0.1:4433" (normalised --listen) */
	char listen_buf[TLSA_PROBE_HOST_MAX + 16];
	const char *connect;	     /* --connect HOST:PORT, or NULL: the server role */
	struct tlsa_probe_target t;  /* --connect, parsed */
	struct tlsa_probe_addr addr; /* ... and resolved */
	const char *ca_out;	     /* --ca-out FILE */
	struct evidence *ev;	     /* --capture-out, --keylog-out, or NULL */
	unsigned count;		     /* connections to serve */
	unsigned idle_ms;	     /* server: wait this long for a connection */
	bool dtls;

	/* --matrix */
	bool matrix;
	const char *client;	    /* --client CMD */
	const char *alerts;	    /* --alerts LIST */
	const char *steps;	    /* --at, a list under --matrix */
	enum serve_table table;	    /* --json, --csv, --markdown */
	unsigned client_timeout_ms; /* --timeout: the client command's time */
};

/* One connection in words or as one JSON object (serve_out.c).  `n` counts
 * the connections of the run from 1; `fallback` is set when this connection
 * offered a lower version than the first after the alert (docs/serve.md). */
void serve_print(struct sctx *x, const struct tlsa_serve_result *r, unsigned n, bool fallback);

/* The alert as sent: "fatal handshake_failure (40)", "level 7 (bogus) ..." */
void serve_alert_text(const struct tlsa_serve_alert *a, char *buf, size_t cap);

/* What the peer did, in a few words: "its own alert: fatal decode_error (50)". */
void serve_reaction_text(const struct tlsa_serve_result *r, bool fallback, char *buf, size_t cap);

/* The exit status a connection's verdict gives: 0 follows / no rule, 1 violates. */
int serve_verdict_status(const struct tlsa_serve_result *r);

/* JSON/CSV tokens: "follows", "violates", "no_rule"; react's kind or
 * "fallback"; NULL when no alert was sent. */
const char *serve_verdict_token(const struct tlsa_serve_result *r, bool fallback);
const char *serve_reaction_token(const struct tlsa_serve_result *r, bool fallback);

/* --ca-out, and {ca} of --matrix: the certificate to trust, as PEM. */
int serve_write_ca(struct cli *c, const struct tlsa_serve_creds *cr, const char *path);

/* --matrix (serve_matrix.c): every alert x step against the client command. */
int serve_matrix(struct sctx *x);

/* Parses one alert name or code ("48", "unknown_ca", "TLS1_AD_UNKNOWN_CA"): 0 or -1. */
int serve_alert_parse(const char *s, size_t len, uint8_t *code);

#endif
