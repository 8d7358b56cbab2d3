/*
 * Scanning the files of a run.  A file gets its own tracker and capture, so
 * its flows, flow ids and diagnoses do not depend on the other files or on how
 * many workers run: the output is the same whatever --jobs says.  With several
 * files and --jobs > 1, workers scan files ahead into temporary files, and
 * each file's output is copied out in command-line order.
 */
#ifndef TLSA_SCAN_JOBS_H
#define TLSA_SCAN_JOBS_H

#include <signal.h>

#include "scan_input.h"
#include "scan_summary.h"
#include "tlsalert/session.h"

/* One run: what its files share, and its results, merged file by file. */
struct scan_run {
	struct cli *c;
	const struct scan_settings *set;
	const struct tlsa_capture_opts *copts;
	const struct tlsa_tracker_opts *topts; /* callbacks and ctx are set per file */
	struct scan_shared *sh;
	unsigned jobs; /* threads at most */
	bool live;     /* -i: files[0] names the interface */
	/* results */
	struct scan_counts counts;
	struct scan_totals tot;
	bool failed;
};

/* SIGINT and SIGTERM stop the scan (the second one ends the process): reading ends, the
 * open connections are closed, and what was found is written. */
void scan_signals_catch(void);
/* The flag those signals set: for tlsa_capture_opts.stop. */
volatile sig_atomic_t *scan_stop_flag(void);

/* Scans every file of r->set, writing the output of each in order; a file not scanned
 * because of a signal is named in a line on stderr. */
void scan_files(struct scan_run *r);

/* Captures live on the interface r->set->files[0] until SIGINT or SIGTERM. */
void scan_live(struct scan_run *r);

#endif
