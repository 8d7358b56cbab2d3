/*
 * The output thread of one file's scan.  Formatting the output (JSON above
 * all) is about a fifth of a scan's work, so a second thread does it while
 * the tracker goes on.  The tracker reuses the memory its events point to, so
 * each event is copied with everything it points to (tlsa_alert_event_copy)
 * into a slot of a ring; the output thread takes the slots in order and
 * writes them through scan_out_alert/scan_out_conn, exactly as the tracker's
 * thread would have.
 */
#ifndef TLSA_SCAN_RING_H
#define TLSA_SCAN_RING_H

#include "scan_out.h"

struct scan_ring;

/* Starts an output thread writing through w, which it then owns until
 * scan_ring_stop; NULL (write in the caller's thread) on failure.  `flush`
 * (a stream): the output is flushed each time the ring is written out, so an
 * event is out as soon as it is written. */
struct scan_ring *scan_ring_start(struct scan_writer *w, bool flush);

/* Waits until everything queued is written, then ends the thread and frees q
 * (NULL: nothing to do). */
void scan_ring_stop(struct scan_ring *q);

/* Queue one event; waits while the ring is full. */
void scan_ring_alert(struct scan_ring *q, const struct tlsa_alert_event *ev);
void scan_ring_conn(struct scan_ring *q, const struct tlsa_conn_event *ev);

#endif
