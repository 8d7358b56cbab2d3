/* Writers for QUIC spellings of alerts, shared by `explain` and `logs` (quic_out.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "quic_out.h"

bool quic_from_mention(const struct tlsa_text_mention *m, struct tlsa_quic_error *q)
{
	if (m->transport == NULL || strcmp(m->transport, "quic") != 0 || m->code < 0)
		return false;
	tlsa_quic_error_describe(0x100u + (unsigned)m->code, 0, q);
	q->stack = m->implementation;
	return true;
}

/* "transport error 0x0a", "application error 0x100", "status 0x80410005", "name". */
static void kind_words(char *buf, size_t cap, const struct tlsa_quic_error *q)
{
	switch (q->kind) {
	case TLSA_QUIC_TRANSPORT:
		snprintf(buf, cap, "transport error 0x%02" PRIx64 ", in CONNECTION_CLOSE 0x1c",
			 q->value);
		break;
	case TLSA_QUIC_APPLICATION:
		snprintf(buf, cap, "HTTP/3 or QPACK application error 0x%" PRIx64, q->value);
		break;
	case TLSA_QUIC_STATUS:
		snprintf(buf, cap, "%s status 0x%08" PRIx64, q->stack, q->value);
		break;
	default: snprintf(buf, cap, "%s", q->stack); break;
	}
}

void quic_headline(char *buf, size_t cap, const struct tlsa_quic_error *q)
{
	char kind[96];

	if (q->alert >= 0) {
		const struct tlsa_alert *a = tlsa_alert_get((uint8_t)q->alert);
		char how[128] = "";
		if (strcmp(q->name, "CRYPTO_ERROR") != 0 && q->value != 0)
			/* MsQuic's statuses are HRESULTs (hex), Chromium's codes decimal */
			snprintf(how, sizeof(how),
				 strcmp(q->stack, "msquic") == 0 ? "%s 0x%" PRIx64 " (%s) = "
								 : "%s %" PRIu64 " (%s) = ",
				 q->name, q->value, q->stack);
		else if (strcmp(q->name, "CRYPTO_ERROR") != 0)
			snprintf(how, sizeof(how), "%s (%s) = ", q->name, q->stack);
		snprintf(buf, cap, "%sCRYPTO_ERROR 0x%" PRIx64 " = 0x100 + %d %s", how,
			 (uint64_t)q->wire, q->alert, a->name);
		return;
	}
	if (q->kind == TLSA_QUIC_CRYPTO) { /* QUIC_STATUS_TLS_ALERT without its alert */
		snprintf(buf, cap, "%s (%s): a TLS alert, which one not given", q->name, q->stack);
		return;
	}
	kind_words(kind, sizeof(kind), q);
	snprintf(buf, cap, "%s (%s): not a TLS alert", q->name, kind);
}

void quic_text(struct cli *c, const struct tlsa_quic_error *q)
{
	char head[256];

	quic_headline(head, sizeof(head), q);
	fprintf(c->out, "%sQUIC %s%s\n  ", cli_c(c, C_BOLD), head, cli_c(c, C_RESET));
	cli_wrap(c->out, q->meaning, 2, 2, c->width);
	if (q->note != NULL) {
		fprintf(c->out, "%s  also:%s ", cli_c(c, C_DIM), cli_c(c, C_RESET));
		cli_wrap(c->out, q->note, 8, 8, c->width);
	}
}

void quic_json_fields(struct jw *w, const struct tlsa_quic_error *q)
{
	char hex[24];

	jw_str(w, "transport", "quic");
	/* QUIC_STATUS_TLS_ALERT alone: an alert, which one not said (code null) */
	jw_bool(w, "quic_alert", q->alert >= 0 || q->kind == TLSA_QUIC_CRYPTO);
	if (q->wire >= 0) {
		snprintf(hex, sizeof(hex), "0x%" PRIx64, (uint64_t)q->wire);
		jw_int(w, "quic_error_code", q->wire);
		jw_str(w, "quic_error_hex", hex);
	} else {
		jw_null(w, "quic_error_code");
		jw_null(w, "quic_error_hex");
	}
	jw_str(w, "quic_error_name", q->name);
	jw_str(w, "quic_error_kind", tlsa_quic_kind_name(q->kind));
	jw_str(w, "quic_stack", q->stack);
	if (q->value != 0)
		jw_uint(w, "quic_value", q->value);
	else
		jw_null(w, "quic_value");
	jw_str(w, "quic_meaning", q->meaning);
	jw_str(w, "quic_note", q->note);
}
