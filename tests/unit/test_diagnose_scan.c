/*
 * End to end: the session tracker reads every corpus capture
 * (tests/data/corpus), each alert event becomes a diagnosis context through
 * tlsa_diag_ctx_from_event with only the facts the capture gave, and the
 * top-ranked cause must be the scenario's (tests/data/diagnose/corpus.tsv).
 *
 * The sender's stack is not in a capture; it is taken from corpus.tsv (the
 * corpus README names it), as a user or a fingerprint would supply it.  The
 * same ranking without any stack is counted too, and must not get worse.
 *
 * Encrypted TLS 1.2 alerts carry no code until the tracker decrypts with a
 * key log (it does not yet, and infers likely codes for TLS 1.3 only): those
 * rows are counted as undiagnosable, and may only become fewer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/capture.h"
#include "tlsalert/diagnose.h"
#include "tlsalert/session.h"

#define MAX_EVENTS 16

struct seen {
	uint64_t frame[MAX_EVENTS];
	struct tlsa_diag_ctx ctx[MAX_EVENTS];
	bool ok[MAX_EVENTS];
	size_t n;
};

static void on_alert(void *vctx, const struct tlsa_alert_event *ev)
{
	struct seen *s = vctx;
	if (s->n == MAX_EVENTS || ev->pkt == NULL)
		return;
	s->frame[s->n] = ev->pkt->frame;
	s->ok[s->n] = tlsa_diag_ctx_from_event(&s->ctx[s->n], ev);
	/* Kept past the callback: drop the pointers into the event (values for the
	 * evidence only; the ranking does not use them). */
	s->ctx[s->n].cert = NULL;
	s->ctx[s->n].sni = NULL;
	s->n++;
}

static bool scan_file(const char *name, struct seen *s)
{
	char path[512];
	struct tlsa_error err = {0};
	struct tlsa_capture_handler h;
	struct tlsa_tracker_opts o = {.sz = sizeof(o), .ctx = s, .on_alert = on_alert};

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "tests/data/corpus/%s", name);
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	if (t == NULL)
		return false;
	tlsa_tracker_handler(t, &h);
	struct tlsa_capture *cap = tlsa_capture_new(NULL, &h);
	int rc = cap != NULL ? tlsa_capture_file(cap, path, 0, &err) : TLSA_ENOMEM;
	if (cap != NULL) {
		tlsa_capture_finish(cap);
		tlsa_capture_free(cap);
	}
	tlsa_tracker_free(t);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", path, err.msg);
	return rc == 0;
}

int main(void)
{
	FILE *fp = fopen("tests/data/diagnose/corpus.tsv", "r");
	char line[2048], last[256] = "";
	struct seen s;
	size_t rows = 0, right = 0, right_nostack = 0, nocode = 0;

	CHECK(fp != NULL);
	if (fp == NULL)
		return CHECK_DONE();
	memset(&s, 0, sizeof(s));
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *f[10];
		size_t nf = 0;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0' || strncmp(line, "file\t", 5) == 0)
			continue;
		for (char *p = line; nf < 10 && p != NULL; nf++) {
			f[nf] = p;
			p = strchr(p, '\t');
			if (p != NULL)
				*p++ = '\0';
		}
		if (nf != 10)
			continue;
		if (strcmp(last, f[0]) != 0) {
			snprintf(last, sizeof(last), "%s", f[0]);
			CHECK(scan_file(f[0], &s));
		}
		rows++;
		uint64_t frame = strtoull(f[1], NULL, 10);
		size_t k = 0;
		while (k < s.n && s.frame[k] != frame)
			k++;
		CHECK(k < s.n); /* the tracker found the alert record */
		if (k == s.n || !s.ok[k]) {
			nocode++;
			continue;
		}
		struct tlsa_diag_ctx c = s.ctx[k];
		struct tlsa_cause out[48];
		struct tlsa_error err;
		size_t n = 0;
		CHECK_INT(c.alert, atoi(f[2]));
		CHECK_INT(tlsa_diagnose(&c, out, 48, &n, &err), 0);
		right_nostack += n > 0 && strcmp(out[0].id, f[9]) == 0;
		if (n > 0 && strcmp(out[0].id, f[9]) != 0)
			printf("without a stack, %s frame %s ranks %s first (want %s)\n", f[0],
			       f[1], out[0].id, f[9]);
		c.stack = f[7];
		CHECK_INT(tlsa_diagnose(&c, out, 48, &n, &err), 0);
		bool ok = n > 0 && strcmp(out[0].id, f[9]) == 0;
		right += ok;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "%s frame %s: want %s, got %s: %s\n", f[0], f[1], f[9],
				n ? out[0].id : "nothing", n ? out[0].evidence : "");
	}
	fclose(fp);
	printf("corpus end to end: %zu rows, %zu without a code (encrypted, no key log); of the "
	       "rest %zu right with the stack, %zu without\n",
	       rows, nocode, right, right_nostack);
	CHECK_INT(rows, 45);
	CHECK(nocode <= 11);
	CHECK(right_nostack + 1 >= rows - nocode);
	return CHECK_DONE();
}
