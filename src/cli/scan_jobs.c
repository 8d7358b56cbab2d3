/* tlsalert scan: one tracker per file, the worker pool and its spooled output (scan_jobs.h). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan_jobs.h"
#include "scan_out.h"
#include "scan_ring.h"

/* The scan of one file, as its tracker's callbacks see it. */
struct scan_worker {
	struct scan_writer out; /* the output thread's while q runs */
	struct scan_ring *q;	/* the output thread, or NULL */
	struct scan_progress prog;
	bool flush;	       /* a stream: each event is flushed out as soon as it is written */
	uint64_t no_handshake; /* TLS connections in which neither hello was seen */
	uint64_t no_hello_quic; /* of which QUIC (their first Initial is always seen) */
	uint64_t server_hellos; /* connections that got as far as a ServerHello */
	uint64_t conns_unwritten; /* connection events the output thread only had to count */
};

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct scan_worker *w = ctx;
	w->prog.seen++;
	if (w->q != NULL)
		scan_ring_alert(w->q, ev);
	else {
		scan_out_alert(&w->out, ev);
		if (w->flush)
			fflush(w->out.c->out);
	}
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	struct scan_worker *w = ctx;
	if (ev->hs == NULL || (!ev->hs->client_hello && !ev->hs->server_hello)) {
		w->no_handshake++;
		w->no_hello_quic += ev->quic_version != 0;
	}
	w->server_hellos += ev->hs != NULL && ev->hs->server_hello;
	if (w->q != NULL && !scan_out_conn_writes(&w->out, ev))
		w->conns_unwritten++; /* not copied through the ring (8 KB each) to be counted */
	else if (w->q != NULL)
		scan_ring_conn(w->q, ev);
	else {
		scan_out_conn(&w->out, ev);
		if (w->flush)
			fflush(w->out.c->out);
	}
}

static void on_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	struct scan_worker *w = ctx;
	if (!w->out.set->verbose)
		return;
	if (pkt != NULL)
		fprintf(w->out.c->err, "tlsalert scan: %s: frame %" PRIu64 ": %s\n",
			w->out.set->files[pkt->file_index], pkt->frame, msg);
	else
		fprintf(w->out.c->err, "tlsalert scan: %s\n", msg);
}

/* Set by SIGINT and SIGTERM: every capture of the run stops reading (tlsa_capture_opts.stop),
 * the workers take no more files, and what was found is written. */
static volatile sig_atomic_t stop_scan;
static void on_stop_signal(int sig)
{
	(void)sig;
	stop_scan = 1;
}

volatile sig_atomic_t *scan_stop_flag(void)
{
	return &stop_scan;
}

void scan_signals_catch(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	/* SA_RESTART: a write to stdout that the signal interrupts goes on (stdio would drop it);
	 * reading stops by the flag, which the capture checks at least every 0.1 s */
	sa.sa_flags = SA_RESTART | SA_RESETHAND; /* a second Ctrl-C ends the process at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Input that arrives over time (stdin or a FIFO that is not a file, an interface): its
 * events are flushed out one by one instead of when a buffer fills. */
static bool is_stream(const char *file, bool live)
{
	struct stat st;
	if (live)
		return true;
	if (strcmp(file, "-") == 0)
		return fstat(0, &st) != 0 || !S_ISREG(st.st_mode);
	return stat(file, &st) == 0 && !S_ISREG(st.st_mode);
}

/* One file's scan: the worker and its results. */
struct job {
	struct scan_worker w;
	struct cli cli;		/* writes to `out`/`err` when they are set */
	FILE *out, *err;	/* temporary files of a worker, or NULL */
	struct scan_totals tot; /* this file's library counters */
	int spool_errno;	/* the temporary files could not be made */
	bool failed;
	bool skipped; /* not scanned: the run was interrupted before it */
	bool done;    /* set under scan_pool.lock */
};

static void job_free(struct job *j)
{
	if (j->out != NULL)
		fclose(j->out);
	if (j->err != NULL)
		fclose(j->err);
	j->out = j->err = NULL;
	scan_counts_free(&j->w.out.counts);
}

/* The tracker and capture of one file, calling back into w; false when out of memory. */
static bool worker_open(struct scan_worker *w, const struct scan_run *r, struct tlsa_tracker **t,
			struct tlsa_capture **cap)
{
	struct tlsa_tracker_opts to = *r->topts;
	to.ctx = w;
	to.on_alert = on_alert;
	to.on_conn = on_conn;
	to.on_notice = on_notice;
	*cap = NULL;
	*t = tlsa_tracker_new(&to);
	if (*t == NULL)
		return false;
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(*t, &h);
	if (r->set->progress)
		scan_progress_wrap(&w->prog, &h);
	*cap = tlsa_capture_new(r->copts, &h);
	return *cap != NULL;
}

/* Reads file number i (or, when `live`, the interface named files[0]) through cap. */
static void job_read(struct job *j, struct tlsa_capture *cap, size_t i, bool live)
{
	struct scan_worker *w = &j->w;
	struct cli *c = w->out.c;
	const char *file = w->out.set->files[i];
	struct tlsa_error err = {0};
	int rc = live ? tlsa_capture_live(cap, file, NULL, &err)
		      : tlsa_capture_file(cap, file, (uint32_t)i, &err);
	bool stopped = stop_scan != 0;
	/* the flows of the file end here: after an error too, their alerts are
	 * still reported */
	tlsa_capture_finish(cap);
	scan_ring_stop(w->q); /* all written before any message about the file */
	w->q = NULL;
	w->out.counts.nconns += w->conns_unwritten;
	w->conns_unwritten = 0;
	if (stopped && !live && rc == 0) {
		struct tlsa_capture_stats cs;
		tlsa_capture_get_stats(cap, &cs);
		fflush(c->out);
		if (w->out.set->progress && j->err == NULL)
			fputs("\r\033[K", c->err);
		fprintf(c->err,
			"tlsalert scan: %s: interrupted after %" PRIu64
			" packets; the results up to there are written\n",
			file, cs.packets);
	}
	if (rc != 0) {
		if (w->out.set->progress && j->err == NULL)
			fputs("\r\033[K", c->err);
		if (strncmp(err.msg, file, strlen(file)) == 0)
			cli_fail(c, "%s", err.msg); /* already names the file */
		else
			cli_fail(c, "%s: %s", file, err.msg);
		j->failed = true;
	}
}

/* Scans file number i (or, when `live`, the interface named files[0]) into job j. */
static void run_file(struct job *j, const struct scan_run *r, size_t i, bool live)
{
	struct scan_worker *w = &j->w;
	*w = (struct scan_worker){
		.out = {.c = &j->cli, .set = r->set, .memo = scan_memo_new(&r->set->stacks)},
		.prog = {.set = r->set, .sh = r->sh}};
	/* a spooled file's output is copied out when it is done: no use flushing it */
	w->flush = j->out == NULL && is_stream(r->set->files[i], live);
	struct tlsa_tracker *t;
	struct tlsa_capture *cap;
	bool ok = worker_open(w, r, &t, &cap);
	if (ok && r->set->out_thread)
		w->q = scan_ring_start(&w->out,
				       w->flush); /* if it fails, the output is written here */
	if (!ok) {
		cli_fail(w->out.c, "%s: out of memory", r->set->files[i]);
		j->failed = true;
	} else {
		job_read(j, cap, i, live);
		struct tlsa_tracker_stats ts;
		struct tlsa_capture_stats cs;
		tlsa_tracker_get_stats(t, &ts);
		tlsa_capture_get_stats(cap, &cs);
		scan_totals_add(&j->tot, &ts, &cs);
		j->tot.no_handshake += w->no_handshake;
		j->tot.no_hello_quic += w->no_hello_quic;
		j->tot.server_hellos += w->server_hellos;
	}
	if (r->set->progress)
		scan_progress_report(&w->prog); /* this file's last counts */
	tlsa_capture_free(cap);
	tlsa_tracker_free(t);
	scan_memo_free(w->out.memo);
	w->out.memo = NULL;
	scan_out_finish(&w->out);
	scan_pending_free(&w->out.pend);
	fflush(w->out.c->out);
}

/* Adds a finished file's counts to the run's. */
static void job_merge(struct scan_run *r, struct job *j)
{
	scan_counts_merge(&r->counts, &j->w.out.counts);
	scan_totals_add(&r->tot, &j->tot.ts, &j->tot.cs);
	r->tot.no_handshake += j->tot.no_handshake;
	r->tot.no_hello_quic += j->tot.no_hello_quic;
	r->tot.server_hellos += j->tot.server_hellos;
	r->failed |= j->failed;
}

/* Workers take files in order; the main thread writes each file's output in order. */
struct scan_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a job finished, or one was written out */
	struct job *jobs;
	size_t njobs;
	size_t next;	/* the next file to take */
	size_t written; /* files written out so far */
	size_t ahead;	/* at most this many files are scanned ahead of the writer */
	const struct scan_run *run;
};

static void *worker_main(void *arg)
{
	struct scan_pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->next < p->njobs && p->next >= p->written + p->ahead)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->next >= p->njobs)
			break;
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);

		struct job *j = &p->jobs[i];
		if (stop_scan)
			j->skipped = true;
		else if ((j->out = tmpfile()) == NULL || (j->err = tmpfile()) == NULL) {
			j->spool_errno = errno;
			j->failed = true;
		} else {
			j->cli.out = j->out;
			j->cli.err = j->err;
			run_file(j, p->run, i, false);
		}

		pthread_mutex_lock(&p->lock);
		j->done = true;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Copies a spooled stream to `to`. */
static void spool_copy(FILE *from, FILE *to)
{
	char buf[1 << 16];
	size_t n;
	if (from == NULL)
		return;
	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

/* Waits for a worker to finish file number i, then writes its spooled output. */
static void pool_write(struct scan_pool *p, const struct scan_run *r, size_t i)
{
	struct cli *c = r->c;
	struct job *j = &p->jobs[i];
	pthread_mutex_lock(&p->lock);
	while (!j->done)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	if (j->spool_errno != 0)
		cli_fail(c, "%s: not scanned: no temporary file for its output (%s)",
			 r->set->files[i], strerror(j->spool_errno));
	/* a full /tmp loses output: an error, like a full disk under stdout */
	if (j->out != NULL && (fflush(j->out) != 0 || ferror(j->out))) {
		cli_fail(c, "%s: output lost: its temporary file could not be written",
			 r->set->files[i]);
		j->failed = true;
	}
	spool_copy(j->out, c->out);
	fflush(c->out);
	if (r->set->progress && j->err != NULL && ftell(j->err) > 0)
		fputs("\r\033[K", c->err);
	spool_copy(j->err, c->err);
}

/* Starts up to `jobs` workers (one per file at most); how many started. */
static size_t pool_start(struct scan_pool *p, pthread_t *tid, size_t max, unsigned jobs)
{
	size_t nthreads = 0;
	if (jobs <= 1 || p->njobs <= 1)
		return 0;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (jobs > p->njobs)
		jobs = (unsigned)p->njobs;
	while (nthreads < jobs && nthreads < max &&
	       pthread_create(&tid[nthreads], NULL, worker_main, p) == 0)
		nthreads++;
	return nthreads;
}

/*
 * Scans every file of the run with up to `jobs` threads, one file per thread
 * at a time.  Each file's output is spooled and written out in the order of
 * the command line, so the output does not depend on `jobs`.
 */
void scan_files(struct scan_run *r)
{
	const struct scan_settings *set = r->set;
	struct job *all = calloc(set->nfiles, sizeof(*all));
	if (all == NULL) {
		cli_fail(r->c, "out of memory");
		r->failed = true;
		return;
	}
	for (size_t i = 0; i < set->nfiles; i++)
		all[i].cli = *r->c;

	struct scan_pool p = {
		.jobs = all, .njobs = set->nfiles, .ahead = 2 * (size_t)r->jobs, .run = r};
	pthread_t tid[64];
	size_t nthreads = pool_start(&p, tid, sizeof(tid) / sizeof(tid[0]), r->jobs);
	size_t skipped = 0;
	for (size_t i = 0; i < set->nfiles; i++) {
		struct job *j = &all[i];
		if (nthreads == 0 && stop_scan)
			j->skipped = true;
		else if (nthreads == 0)
			run_file(j, r, i, false); /* straight to the output */
		else
			pool_write(&p, r, i);
		skipped += j->skipped;
		job_merge(r, j);
		job_free(j);
		if (nthreads > 0) {
			pthread_mutex_lock(&p.lock);
			p.written++;
			pthread_cond_broadcast(&p.cond);
			pthread_mutex_unlock(&p.lock);
		}
	}
	if (skipped > 0)
		fprintf(r->c->err, "tlsalert scan: interrupted: %zu file%s not scanned\n", skipped,
			skipped == 1 ? "" : "s");
	for (size_t k = 0; k < nthreads; k++)
		pthread_join(tid[k], NULL);
	if (nthreads > 0) {
		pthread_cond_destroy(&p.cond);
		pthread_mutex_destroy(&p.lock);
	}
	free(all);
}

void scan_live(struct scan_run *r)
{
	fprintf(r->c->err, "tlsalert scan: listening on %s (Ctrl-C to stop)\n", r->set->files[0]);
	struct job j = {.cli = *r->c};
	run_file(&j, r, 0, true);
	job_merge(r, &j);
	job_free(&j);
}
