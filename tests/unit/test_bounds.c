/*
 * The memory accounting behind the bound of docs/capture.md ("Memory"): over
 * every capture of the corpus, at the defaults and with small caps, the
 * handshake memory the tracker counts and the out-of-order memory the capture
 * counts go back to zero once every flow is closed (a count that leaked would
 * starve later flows), what a flow counts is what it holds at each alert, the
 * caps are never passed, and small caps drop
 * messages (counted) while the defaults drop none.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#include "capture/capture_int.h"
#include "session/session_int.h"

static size_t peak_flow, peak_total; /* the most handshake memory seen at an alert */

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct tlsa_tracker *t = ctx;
	const struct conn *c = ev->flow->user;
	if (c == NULL)
		return;
	/* what the flow counts is what it holds (the facts of an empty Certificate are the
	   tracker's one blank, held by no flow) */
	size_t held = c->d[0].hs_cap + c->d[1].hs_cap;
	for (int i = 0; i < 2; i++)
		held += (c->cert_msg[i] != NULL ? c->cert_msg_len[i] : 0) +
			(c->cert[i] != NULL && c->cert[i] != &t->cert_empty ? sizeof(*c->cert[i])
									    : 0);
	CHECK_INT(c->hs_mem, held);
	if (c->hs_mem > peak_flow)
		peak_flow = c->hs_mem;
	if (t->hs_mem > peak_total)
		peak_total = t->hs_mem;
}

/* Scans one file; returns the handshake messages dropped. */
static uint64_t scan(const char *path, size_t max_hs, size_t max_total)
{
	struct tlsa_tracker_opts to = {.sz = sizeof(to)};
	to.max_handshake = max_hs;
	to.max_handshake_total = max_total;
	to.on_alert = on_alert;
	struct tlsa_tracker *t = tlsa_tracker_new(&to);
	CHECK(t != NULL);
	if (t == NULL)
		return 0;
	t->o.ctx = t;
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);
	struct tlsa_capture_opts co = {.sz = sizeof(co)};
	co.max_buffer_total = 4096;
	struct tlsa_capture *cap = tlsa_capture_new(&co, &h);
	CHECK(cap != NULL);
	struct tlsa_error err;
	(void)tlsa_capture_file(cap, path, 0, &err);
	tlsa_capture_finish(cap);
	CHECK_INT(cap->ooo_total, 0);
	CHECK_INT(t->hs_mem, 0);
	struct tlsa_tracker_stats st;
	tlsa_tracker_get_stats(t, &st);
	tlsa_capture_free(cap);
	tlsa_tracker_free(t);
	return st.hs_msgs_dropped;
}

int main(void)
{
	const char *dir = "tests/data/corpus";
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	if (d == NULL)
		return CHECK_DONE();
	struct dirent *e;
	int files = 0;
	uint64_t small = 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".pcap") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		peak_flow = peak_total = 0;
		if (scan(path, 0, 0) != 0) {
			fprintf(stderr, "%s: handshake messages dropped at the defaults\n", path);
			CHECK(0);
		}
		peak_flow = peak_total = 0;
		small += scan(path, 1024, 1 << 20);
		/* a flow's first 64 bytes per direction are taken outside the cap */
		CHECK(peak_flow <= 1024 + 128);
		peak_total = 0;
		scan(path, 0, 2048);
		CHECK(peak_total <= 2048 + 2 * 64);
		files++;
	}
	closedir(d);
	CHECK(files >= 30);
	CHECK(small > 0); /* certificate chains do not fit 1 KiB */
	return CHECK_DONE();
}
