/*
 * Fuzz target for the record decoder.  The first byte picks the options
 * (protocol version, bare mode); the rest is the record bytes.  Every
 * decoded alert is checked against the input it came from, and the same
 * bytes, read as text, go through the -msg transcript decoder.
 */
#include <stdlib.h>
#include <string.h>

#include "tlsalert.h"

struct fz {
	size_t len;
};

static int check_alert(void *ctx, const struct tlsa_decoded *d)
{
	const struct fz *f = ctx;
	if (d->offset >= f->len && f->len > 0)
		abort();
	if (d->encrypted && (d->level != -1 || d->description != -1))
		abort();
	if (d->level > 255 || d->description > 255 || d->level < -1 || d->description < -1)
		abort();
	if (d->record_type != TLSA_RECORD_TLS && d->record_type != TLSA_RECORD_DTLS &&
	    d->record_type != TLSA_RECORD_BARE && d->record_type != TLSA_RECORD_SSL2)
		abort();
	if (d->description >= 0) {
		const struct tlsa_alert *a = tlsa_alert_get((uint8_t)d->description);
		(void)tlsa_effective_severity(a->code, d->level, d->rules);
		(void)tlsa_level_remark(a->code, d->level, d->rules);
	}
	if (d->cipher_shapes != NULL && strlen(d->cipher_shapes) == 0)
		abort();
	return 0;
}

static int check_record(void *ctx, const struct tlsa_record_info *r)
{
	const struct fz *f = ctx;
	if (r->offset >= f->len || r->what == NULL || strlen(r->what) >= 200)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_error err;
	struct tlsa_decode_opts o = {sizeof(o), TLSA_VER_UNKNOWN, false, check_record};

	if (size == 0)
		return 0;
	o.version = (tlsa_version)(data[0] % TLSA_VER_COUNT);
	o.bare = (data[0] & 0x80) != 0;
	struct fz f = {size - 1};
	int rc = tlsa_decode_alerts_opt(data + 1, size - 1, &o, check_alert, &f, &err);
	if (rc < 0 && (err.offset > size - 1 || strlen(err.msg) == 0))
		abort();

	/* The same bytes as an s_client -msg transcript (offsets: bytes of hex). */
	struct fz all = {(size_t)-1};
	o.on_record = NULL;
	rc = tlsa_decode_msg((const char *)data, size, &o, check_alert, &all, &err);
	if (rc < 0 && (err.offset > size || strlen(err.msg) == 0))
		abort();
	(void)tlsa_text_is_msg((const char *)data, size);
	return 0;
}
