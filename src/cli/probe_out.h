/*
 * `tlsalert probe`'s output shared by its two files: cmd_probe.c (options, the
 * run, one line per probe) and probe_summary.c (the summary by topic and the
 * certificate as clients judge it).
 */
#ifndef TLSA_PROBE_OUT_H
#define TLSA_PROBE_OUT_H

#include "cli.h"
#include "evidence.h"
#include "tlsalert/probe.h"

struct pctx {
	struct cli *c;
	struct tlsa_probe_target t;
	struct tlsa_probe_addr addr;
	const char *sni;		      /* --sni */
	bool no_sni;			      /* --no-sni */
	const char *alpn;		      /* --alpn */
	const char *only;		      /* --probes */
	const char *ca;			      /* --ca */
	const char *client_cert, *client_key; /* --client-cert, --key */
	const char *as;			      /* --as */
	const char *as_probe;		      /* the name of its probe, "as-go" */
	struct evidence *ev;		      /* --capture-out, --keylog-out, or NULL */
	unsigned timeout_ms, delay_ms, max_conn;
	unsigned budget_ms; /* --budget: no connection starts after this long */
	bool all;	    /* --all: every probe, whatever else chooses some */
	bool seeded;
	uint64_t seed;
	bool dry_run;
	size_t n_run;
};

/* One probe run: its catalogue name and what came back. */
struct done {
	const char *name;
	struct tlsa_probe_result r;
};

/* --hello-from: the replayed record (malloc'ed), where it came from. */
struct probe_replay {
	uint8_t *rec;
	size_t len;
	uint64_t frame;
	char changes[256];
};

/* Reads the ClientHello of CAPTURE[:FRAME] (probe_replay.c); 0, or a message and EXIT_ERROR. */
int probe_hello_from(struct cli *c, const char *spec, struct probe_replay *out);

/* One outcome in words: the server's choices, its alert, or what ended it. */
void probe_outcome_text(const struct tlsa_probe_result *r, char *buf, size_t cap);

/* The summary after the probes, text or JSON. */
void probe_text_summary(struct pctx *x, const struct done *d, size_t n);
void probe_json_summary(struct pctx *x, const struct done *d, size_t n);

#endif
