/*
 * tlsalert explain for QUIC spellings: "0x178", "CRYPTO_ERROR 0x178", "crypto_error_0x12a",
 * MsQuic's 0x8041012a, neqo's Transport(376), Chromium's QUIC_TLS_* (tlsa_quic_error_parse()).
 * One that carries an alert is explained as that alert, after what QUIC made of it; any
 * other QUIC error (a transport error, an HTTP/3 code, an idle timeout) is named as what
 * it is, never as an alert.
 */
#include <ctype.h>
#include <stdlib.h>
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

	if (tlsa_quic_error_parse(input, strlen(input), &q) != 0)
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

	if (tlsa_quic_error_parse(joined, strlen(joined), &q) != 0)
		return false;
	if (c->fmt == OUT_CSV)
		alert_csv_header(c->out);
	return explain_quic(c, o, joined, &first);
}

bool explain_is_code(const char *s, size_t len)
{
	uint8_t code;
	struct tlsa_quic_error q;

	return tlsa_alert_parse(s, len, &code) == 0 || tlsa_quic_error_parse(s, len, &q) == 0;
}

/* An application close's code after `lit` in s: ngtcp2 "CONNECTION_CLOSE(0x1d)
 * error_code=NAME(0x100)", quic-go "Application error 0x100", quiche "is_app: true,
 * error_code: 256", lsquic "application-level code: 256".  -1 when absent. */
static long long app_code(const char *s)
{
	static const char *const lits[] = {
		"CONNECTION_CLOSE(0x1d) error_code=", "Application error ",
		"is_app: true, error_code: ", "application-level code: "};
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		const char *p = strstr(s, lits[i]);
		if (p == NULL)
			continue;
		p += strlen(lits[i]);
		const char *h = i == 0 ? strstr(p, "(0x") : p; /* ngtcp2: the name, then (0x..) */
		if (h == NULL || h - p > 40)
			continue;
		h += i == 0 ? 1 : 0;
		char *end;
		unsigned long long v = strtoull(h, &end, 0);
		if (end != h)
			return (long long)(v & 0x3fffffffffffffffull);
	}
	return -1;
}

/*
 * A pasted text with no alert may still name QUIC closes that are not alerts: an
 * application close (HTTP/3 codes), a transport error, an MsQuic status, Chromium's
 * QUIC_NETWORK_IDLE_TIMEOUT.  Each is named (at most 6), so that the reader learns what
 * ended the connection; the caller still says that no alert was found.
 */
void explain_quic_closes(struct cli *c, const char *input, bool *first)
{
	const char *seen[6];
	size_t n = 0;
	struct tlsa_quic_error q;
	long long app = app_code(input);
	/* Transport error names are also HTTP/2's (NO_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR)
	 * or common words (CONNECTION_REFUSED): named only where the text is QUIC's. */
	bool quic = strstr(input, "QUIC") != NULL || strstr(input, "quic") != NULL ||
		    strstr(input, "CONNECTION_CLOSE") != NULL ||
		    strstr(input, " (remote)") != NULL || strstr(input, " (local)") != NULL;

	if (app >= 0) {
		tlsa_quic_error_describe((uint64_t)app, 1, &q);
		seen[n++] = q.name;
		explain_not_alert(c, input, &q, first);
	}
	for (const char *p = input; *p != '\0' && n < 6;) {
		size_t len = 0;
		while (p[len] != '\0' && (isalnum((unsigned char)p[len]) || strchr("_:.", p[len])))
			len++;
		while (len > 0 && (p[len - 1] == '.' || p[len - 1] == ':'))
			len--;
		/* names only: a bare number in prose is not read as a QUIC code */
		if (len > 0 && memchr(p, '_', len) != NULL && !isdigit((unsigned char)p[0]) &&
		    tlsa_quic_error_parse(p, len, &q) == 0 && q.alert < 0 &&
		    q.kind != TLSA_QUIC_CRYPTO && (quic || q.kind != TLSA_QUIC_TRANSPORT)) {
			bool dup = false;
			for (size_t i = 0; i < n; i++)
				dup |= strcmp(seen[i], q.name) == 0;
			if (!dup) {
				char token[128];
				snprintf(token, sizeof(token), "%.*s", (int)(len < 127 ? len : 127),
					 p);
				seen[n++] = q.name;
				explain_not_alert(c, token, &q, first);
			}
		}
		p += len > 0 ? len : 1;
		while (*p != '\0' && (isalnum((unsigned char)*p) || *p == '_') && len > 0)
			p++; /* the rest of a token cut at a trailing '.' or ':' */
	}
}
