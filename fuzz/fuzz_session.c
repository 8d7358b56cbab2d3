/*
 * libFuzzer target for the session tracker: the input is a script of
 * segments fed to one flow through the capture handler (session_script.h);
 * bit 4 of the first byte adds the record hook (records copied).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "session_script.h"
#include "tlsalert/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	size_t *n = ctx;
	/* touch what a writer would read */
	*n += ev->record_length + (ev->stage ? strlen(ev->stage) : 0) +
	      (ev->history ? strlen(ev->history) : 0) + strlen(ev->hs->sni) +
	      strlen(ev->hs->alpn_offered);
}

static void on_record(void *ctx, const struct tlsa_record_event *ev)
{
	size_t *n = ctx;
	/* read the whole record handed over */
	for (size_t i = 0; i < ev->len; i++)
		*n += ev->record[i];
	if (*ev->conn_user == NULL)
		*ev->conn_user = n;
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	size_t *n = ctx;
	*n += ev->n_alerts + (ev->history ? strlen(ev->history) : 0) +
	      strnlen(ev->plaintext, sizeof(ev->plaintext));
	if (ev->outcome == TLSA_OUT_PLAINTEXT && ev->plaintext[0] == '\0')
		__builtin_trap(); /* a plain-text outcome always carries its line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t sink = 0;
	struct tlsa_tracker_opts o = {
		.sz = sizeof(o), .ctx = &sink, .on_alert = on_alert, .on_conn = on_conn};
	if (data[0] & 16)
		o.on_record = on_record;
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	if (t == NULL)
		return 0;
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);

	play_session_script(data, size, &h);
	tlsa_tracker_free(t);
	return (int)(sink & 0);
}
