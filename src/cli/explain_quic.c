/*
 * tlsalert explain for QUIC spellings: "0x178", "CRYPTO_ERROR 0x178", "crypto_error_0x12a",
 * MsQuic's 0x8041012a, neqo's Transport(376), Chromium's QUIC_TLS_* (tlsa_quic_parse()).
 * One that carries an alert is explained as that alert, after what QUIC made of it; any
 * other QUIC error (a transport error, an HTTP/3 code, an idle timeout) is named as what
 * it is, never as an alert.
 */
#include <string.h>

#include "alertout.h"
#include "explain.h"
#include "quic_out.h"

/* A QUIC error that is no alert (or an alert that the spelling does not name). */
static void explain_not_alert(struct cli *c, const char *input, const struct tlsa_quic_error *q,
			      bool *first)
{
	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "input", input);
		jw_null(&w, "code");
		jw_null(&w, "name");
		quic_json_fields(&w, q);
		jw_end(&w);
	} else if (c->fmt == OUT_TEXT) {
		if (!*first)
			fputc('\n', c->out);
		quic_text(c, q);
	} /* CSV: rows are alerts; none here */
	*first = false;
}

bool explain_quic(struct cli *c, const struct explain_opts *o, const char *input, bool *first)
{
	struct tlsa_quic_error q;
	struct explain_opts qo = *o;

	if (tlsa_quic_parse(input, strlen(input), &q) != 0)
		return false;
	if (q.alert < 0) {
		explain_not_alert(c, input, &q, first);
		return true;
	}
	qo.quic = &q;
	explain_one(c, &qo, input, tlsa_alert_get((uint8_t)q.alert), first);
	return true;
}

bool explain_quic_joined(struct cli *c, const struct explain_opts *o, const char *joined)
{
	struct tlsa_quic_error q;
	bool first = true;

	if (tlsa_quic_parse(joined, strlen(joined), &q) != 0)
		return false;
	if (c->fmt == OUT_CSV)
		alert_csv_header(c->out);
	return explain_quic(c, o, joined, &first);
}

bool explain_is_code(const char *s, size_t len)
{
	uint8_t code;
	struct tlsa_quic_error q;

	return tlsa_alert_parse(s, len, &code) == 0 || tlsa_quic_parse(s, len, &q) == 0;
}
