/* tlsalert scan: the output thread and its ring of copied events (scan_ring.h). */
#include <pthread.h>
#include <stdlib.h>

#include "scan_ring.h"

#define RING_SLOTS 256
/* Events filled before a sleeping output thread is woken (a file's; a stream's
 * go out one by one): a wake-up costs both threads more CPU than writing an
 * event, and waking it for each one doubled the CPU of a scan with many alerts. */
#define RING_BATCH 64

struct ring_slot {
	bool conn;
	union {
		struct tlsa_alert_event_copy a;
		struct tlsa_conn_event_copy c;
	} u;
};

struct scan_ring {
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	size_t head, tail; /* slots filled, slots written out (head - tail <= RING_SLOTS) */
	bool closed;
	bool flush;   /* a stream: flush after each batch written */
	bool waiting; /* the output thread sleeps until `more` */
	struct scan_writer *w;
	pthread_t tid;
	struct ring_slot slot[RING_SLOTS];
};

static void *ring_main(void *arg)
{
	struct scan_ring *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->tail == q->head && !q->closed) {
			q->waiting = true;
			pthread_cond_wait(&q->more, &q->lock);
		}
		q->waiting = false;
		size_t end = q->head;
		if (q->tail == end)
			break; /* closed and drained */
		pthread_mutex_unlock(&q->lock);
		for (size_t i = q->tail; i != end; i++) {
			struct ring_slot *e = &q->slot[i % RING_SLOTS];
			if (e->conn)
				scan_out_conn(q->w, &e->u.c.ev);
			else
				scan_out_alert(q->w, &e->u.a.ev);
		}
		if (q->flush)
			fflush(q->w->c->out);
		pthread_mutex_lock(&q->lock);
		q->tail = end;
		pthread_cond_signal(&q->room);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct scan_ring *scan_ring_start(struct scan_writer *w, bool flush)
{
	struct scan_ring *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return NULL;
	q->w = w;
	q->flush = flush;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	if (pthread_create(&q->tid, NULL, ring_main, q) != 0) {
		pthread_cond_destroy(&q->room);
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return NULL;
	}
	return q;
}

void scan_ring_stop(struct scan_ring *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->tid, NULL);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* A free slot, waiting for the output thread if the ring is full. */
static struct ring_slot *ring_slot(struct scan_ring *q)
{
	pthread_mutex_lock(&q->lock);
	while (q->head - q->tail == RING_SLOTS)
		pthread_cond_wait(&q->room, &q->lock);
	struct ring_slot *e = &q->slot[q->head % RING_SLOTS];
	pthread_mutex_unlock(&q->lock);
	return e;
}

static void ring_publish(struct scan_ring *q)
{
	pthread_mutex_lock(&q->lock);
	q->head++;
	if (q->waiting && (q->flush || q->head - q->tail >= RING_BATCH))
		pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

void scan_ring_alert(struct scan_ring *q, const struct tlsa_alert_event *ev)
{
	struct ring_slot *e = ring_slot(q);
	e->conn = false;
	tlsa_alert_event_copy(&e->u.a, ev);
	ring_publish(q);
}

void scan_ring_conn(struct scan_ring *q, const struct tlsa_conn_event *ev)
{
	struct ring_slot *e = ring_slot(q);
	e->conn = true;
	tlsa_conn_event_copy(&e->u.c, ev);
	ring_publish(q);
}
