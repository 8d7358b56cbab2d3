/*
 * --hello-from CAPTURE[:FRAME]: the ClientHello of a capture, for `probe` to
 * send again.  The capture is read by the library's reader and tracker; the
 * first record holding a whole ClientHello (or the one completed by packet
 * FRAME) is copied out.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "probe_out.h"
#include "tlsalert/capture.h"
#include "tlsalert/session.h"

struct find {
	uint64_t frame; /* 0: the first */
	uint8_t *rec;
	size_t len;
	uint64_t found_frame;
};

static void on_record(void *ctx, const struct tlsa_record_event *ev)
{
	struct find *f = ctx;
	if (f->rec != NULL || ev->dtls || ev->type != 22 || ev->len < 9 || ev->record[5] != 1)
		return;
	if (f->frame != 0 && ev->pkt->frame != f->frame)
		return;
	/* one whole message in this record */
	size_t mlen = (size_t)ev->record[6] << 16 | (size_t)ev->record[7] << 8 | ev->record[8];
	if (mlen + 9 != ev->len)
		return;
	f->rec = malloc(ev->len);
	if (f->rec == NULL)
		return;
	memcpy(f->rec, ev->record, ev->len);
	f->len = ev->len;
	f->found_frame = ev->pkt->frame;
}

/* Splits "PATH:FRAME" (FRAME all digits) from a plain path. */
static void split(const char *spec, char *path, size_t cap, uint64_t *frame)
{
	const char *colon = strrchr(spec, ':');
	*frame = 0;
	snprintf(path, cap, "%s", spec);
	if (colon == NULL || colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return;
	*frame = strtoull(colon + 1, NULL, 10);
	path[colon - spec < (ptrdiff_t)cap ? colon - spec : (ptrdiff_t)cap - 1] = '\0';
}

int probe_hello_from(struct cli *c, const char *spec, struct probe_replay *out)
{
	char path[4096];
	struct find f = {0};
	struct tlsa_error err = {0};
	split(spec, path, sizeof(path), &f.frame);
	struct tlsa_tracker_opts to = {.sz = sizeof(to), .ctx = &f, .on_record = on_record};
	struct tlsa_tracker *t = tlsa_tracker_new(&to);
	struct tlsa_capture_handler h;
	if (t == NULL)
		return cli_fail(c, "out of memory");
	tlsa_tracker_handler(t, &h);
	struct tlsa_capture *cap = tlsa_capture_new(NULL, &h);
	if (cap == NULL) {
		tlsa_tracker_free(t);
		return cli_fail(c, "out of memory");
	}
	int rc = tlsa_capture_file(cap, path, 0, &err);
	tlsa_capture_finish(cap);
	tlsa_capture_free(cap);
	tlsa_tracker_free(t);
	if (f.rec == NULL) {
		if (rc != 0)
			return cli_fail(c, "--hello-from %s: %s", path, err.msg);
		if (f.frame != 0)
			return cli_fail(c,
					"--hello-from %s: no whole ClientHello in frame %" PRIu64,
					path, f.frame);
		return cli_fail(c, "--hello-from %s: no ClientHello in one record in this capture",
				path);
	}
	out->rec = f.rec;
	out->len = f.len;
	out->frame = f.found_frame;
	snprintf(out->changes, sizeof(out->changes),
		 "the ClientHello of %.200s frame %" PRIu64 ", server name rewritten", path,
		 f.found_frame);
	return 0;
}
