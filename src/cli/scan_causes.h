/*
 * Ranked causes for the alerts `scan` reports.  Many alerts of a capture share
 * one diagnosis context (same alert, sender, step, version and facts), so each
 * distinct context is ranked once and remembered.
 */
#ifndef TLSA_SCAN_CAUSES_H
#define TLSA_SCAN_CAUSES_H

#include "causes_out.h"
#include "tlsalert/session.h"

#define SCAN_CAUSES 3 /* causes kept per alert */

struct scan_causes {
	size_t n;
	struct tlsa_cause cs[SCAN_CAUSES];
};

struct scan_memo;

/* A memo of diagnoses; NULL when out of memory (then nothing is remembered). */
struct scan_memo *scan_memo_new(void);
void scan_memo_free(struct scan_memo *m);

/* The likeliest causes of one alert event (n = 0 when the alert has no code). */
const struct scan_causes *scan_causes_of(struct scan_memo *m, const struct tlsa_alert_event *ev);

#endif
