/*
 * What scan counts: the alerts and connections written, the --summary
 * tallies and their totals, the library's counters that -v prints, and the
 * merging of each file's counts into the run's.
 */
#ifndef TLSA_SCAN_SUMMARY_H
#define TLSA_SCAN_SUMMARY_H

#include "cli.h"
#include "scan_causes.h"
#include "tlsalert/capture.h"
#include "tlsalert/session.h"

struct count {
	char *key;
	size_t n;
};

struct counts {
	struct count *v;
	size_t n, cap;
};

/* What one file (or, merged, the run) wrote out. */
struct scan_counts {
	size_t nalerts, nconns;
	/* --summary only */
	struct counts by_alert, by_sender, by_server, by_outcome;
};

/* --summary: tallies an alert by name and sender. */
void scan_counts_alert(struct scan_counts *k, const struct tlsa_alert_event *ev);

/* --summary: tallies a connection by outcome, and a failed one by `server` ("addr:port"). */
void scan_counts_conn(struct scan_counts *k, const struct tlsa_conn_event *ev, const char *server);

void scan_counts_merge(struct scan_counts *dst, const struct scan_counts *src);
void scan_counts_free(struct scan_counts *k);

/* --summary: the totals after the connection lines (text or JSON; nothing for CSV). */
struct scan_totals;
/* The totals: text or JSON (with t's drop counters) on c->out. */
void scan_summary_write(struct cli *c, struct scan_counts *k, const struct scan_totals *t);

/* --summary: the causes of an alert, kept until its connection is reported. */
struct scan_pending {
	struct pending *v;
	size_t n, cap;
};

void scan_pending_add(struct scan_pending *p, const struct tlsa_alert_event *ev,
		      const struct scan_causes *causes);

/* The causes of the alert that ended a connection; forgets the connection's alerts. */
struct scan_causes scan_pending_take(struct scan_pending *p, uint64_t flow_id, uint64_t frame);

void scan_pending_free(struct scan_pending *p);

/*
 * --summary: connection lines in the order of their first frame.  The tracker
 * reports a connection when it ends, so a long one that began early comes
 * after short ones that began later; its lines are held in a temporary file
 * until the file's end, then written sorted (by first frame, then as they came).
 */
struct scan_order {
	FILE *spool; /* NULL until the first connection; or when it could not be made */
	bool failed; /* no temporary file: lines go straight out, unsorted */
	struct held *v;
	size_t n, cap;
};

/* Where a connection's lines go: the spool (after scan_order_begin), else `out`. */
FILE *scan_order_begin(struct scan_order *q, FILE *out);
/* Records the lines written since scan_order_begin as those of the connection at `first_frame`. */
void scan_order_end(struct scan_order *q, uint64_t first_frame);
/* Writes the held lines to `out` in order and forgets them. */
void scan_order_flush(struct scan_order *q, FILE *out);

/* The library's counters, summed over the files of the run (the ones -v prints). */
struct scan_totals {
	struct tlsa_tracker_stats ts;
	struct tlsa_capture_stats cs;
	uint64_t no_handshake; /* TLS connections in which neither hello was seen */
	uint64_t no_hello_quic; /* of which QUIC: the client's Initial seen, not its whole hello */
	uint64_t server_hellos; /* connections that got as far as a ServerHello */
};

void scan_totals_add(struct scan_totals *t, const struct tlsa_tracker_stats *ts,
		     const struct tlsa_capture_stats *cs);

/* The limits the run had, as the drop message names them. */
struct scan_limits {
	uint64_t max_flows, max_handshake;
};

/* The counter lines on stderr: with -v, and for records that failed to decrypt; always,
 * one line when a bound made the run give something up. */
void scan_totals_report(FILE *err, const struct scan_totals *t, bool verbose, bool keylog,
			const struct scan_limits *lim);

/* Why a run found what it found, when that may puzzle: what scan_explain writes about. */
struct scan_explain_in {
	const struct scan_totals *tot;
	size_t nalerts;
	size_t nfiles;
	bool filter;	       /* a BPF filter was given */
	bool failed;	       /* a file could not be read: an empty result says nothing */
	const char *iface;     /* -i: the interface, else NULL */
	bool keylog;	       /* a key log was given (--keylog, SSLKEYLOGFILE) */
	uint64_t keylog_conns; /* connections the given key log has secrets for */
};

/* One line on stderr for each: no packets, no TLS, no handshake (when no alert was found),
 * and a key log (given or in pcapng blocks) that matched no connection (always). */
void scan_explain(FILE *err, const struct scan_explain_in *in);

#endif
