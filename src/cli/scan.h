/*
 * tlsalert scan, split by job: cmd_scan.c (options, the run, the report),
 * scan_out.c (writers of alerts and connections), scan_text.c (the text form
 * of an alert), scan_ring.c (the output thread), scan_jobs.c (one tracker per
 * file, the worker pool and its spooled output), scan_summary.c (counting,
 * --summary order), scan_input.c (progress, key logs) and scan_causes.c
 * (ranked causes).
 */
#ifndef TLSA_SCAN_H
#define TLSA_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "scan_causes.h"

/* A run's settings: set while parsing options, read-only afterwards (every
 * thread of the run reads them). */
struct scan_settings {
	char **files; /* the capture files; with -i, the interface's name alone */
	size_t nfiles;
	bool summary, verbose, progress, brief;
	bool out_thread;	   /* each file's output is formatted by a thread of its own */
	int width;		   /* of the file:frame column of --summary lines */
	struct scan_stacks stacks; /* --client-stack/--server-stack: stack tokens, or NULL */
};

#endif
