/*
 * What scan reads besides the captures, and what it tells while reading
 * them: key logs (--keylog, $SSLKEYLOGFILE) and the progress line on stderr.
 */
#ifndef TLSA_SCAN_INPUT_H
#define TLSA_SCAN_INPUT_H

#include <stdatomic.h>

#include "cli.h"
#include "scan.h"
#include "tlsalert/capture.h"
#include "tlsalert/keylog.h"

/*
 * The key logs named by --keylog (n of them), else the file $SSLKEYLOGFILE
 * names (skipped with a warning when it cannot be read); *out is NULL when
 * there is none.  0, or the exit status of a failure (then *out is NULL).
 */
int scan_keylogs_load(struct cli *c, const char *const *paths, size_t n, struct tlsa_keylog **out);

#define PROGRESS_STEP (64ull << 20) /* the progress line is redrawn every 64 MB */

/* The progress line's totals, shared by the workers of one run. */
struct scan_shared {
	FILE *err;		     /* the real stderr */
	atomic_ullong bytes;	     /* payload bytes scanned, every worker */
	atomic_ullong alerts;	     /* alerts found, as of each worker's last report */
	atomic_ullong next_progress; /* byte count at which the line is next redrawn */
};

/* One worker's part of the progress (the tracker's thread only). */
struct scan_progress {
	const struct scan_settings *set;
	struct scan_shared *sh;
	unsigned long long bytes, bytes_reported; /* this worker's payload bytes */
	size_t seen;				  /* alerts found */
	size_t alerts_reported;
	struct tlsa_capture_handler inner; /* the tracker's handler, when wrapped */
};

/* Makes *h count payload bytes into p on their way to the handler it held. */
void scan_progress_wrap(struct scan_progress *p, struct tlsa_capture_handler *h);

/* Adds this worker's news to the shared totals; redraws the line every 64 MB. */
void scan_progress_report(struct scan_progress *p);

#endif
