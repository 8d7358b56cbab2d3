/*
 * The writers of `tlsalert scan`: one alert event or connection event as a
 * text line (with its explanation unless --brief), a JSON object or a CSV
 * row (fields: docs/scan.md).  With --summary, alerts are counted and only
 * connections are written.
 */
#ifndef TLSA_SCAN_OUT_H
#define TLSA_SCAN_OUT_H

#include "cli.h"
#include "scan.h"
#include "scan_summary.h"
#include "tlsalert/session.h"

/*
 * What the writers of one file's events use and keep.  Only one thread at a
 * time touches it: the output thread when there is one (scan_ring.h), else the
 * tracker's.
 */
struct scan_writer {
	struct cli *c; /* where this file's output goes */
	const struct scan_settings *set;
	struct scan_memo *memo;	  /* ranked causes per diagnosis context */
	struct scan_pending pend; /* --summary: causes of alerts of connections not yet ended */
	struct scan_counts counts;
	struct scan_order order; /* --summary: connection lines held until the file's end */
};

void scan_out_alert(struct scan_writer *w, const struct tlsa_alert_event *ev);
void scan_out_conn(struct scan_writer *w, const struct tlsa_conn_event *ev);
/* Whether scan_out_conn() writes anything for ev (else it only counts it): reads only the
 * run's settings, so the reading thread may ask while the output thread writes. */
bool scan_out_conn_writes(const struct scan_writer *w, const struct tlsa_conn_event *ev);
/* At the end of a file: writes what was held back (--summary connection lines, in order). */
void scan_out_finish(struct scan_writer *w);

/* --csv: the header line, before any file's rows. */
void scan_out_csv_header(struct cli *c, bool summary);

/* The text form of one alert (scan_text.c): a line, then unless --brief its facts,
 * meaning and likeliest cause. */
void scan_text_alert(struct scan_writer *w, const struct tlsa_alert_event *ev);

/* The name of cipher suite `id`, else "0xNNNN" written into buf. */
const char *scan_suite_name(uint16_t id, char *buf, size_t cap);
/* A version as it is on the wire: "TLS 1.2", "TLS 1.3 draft 28", else 0xNNNN
 * in buf. */
const char *scan_wire_version_name(uint16_t v, char *buf, size_t cap);

/* The registry name of an alert code; NULL outside 0-255. */
const char *scan_alert_name(int code);

#endif
