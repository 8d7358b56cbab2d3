/*
 * tlsalert scan: the text form of an alert (docs/scan.md, "Text output").
 *
 * The first line is short enough for a terminal (under 100 columns for a
 * file name of up to 30 characters): time of day, file:frame, the sender,
 * the alert and the stage.  Unless --brief, indented lines follow: where from
 * and to, the full time, the handshake facts that matter for the alert, what
 * the alert means, the likeliest cause with its fix and the stacks, wrapped to
 * the width of cli_term_width().
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "scan_out.h"

/* The IANA name of a cipher suite (data/cipher-suites.txt), else its number
 * as 0xNNNN. */
const char *scan_suite_name(uint16_t id, char *buf, size_t cap)
{
	const char *name = tlsa_cipher_suite_name(id);
	if (name != NULL)
		return name;
	snprintf(buf, cap, "0x%04x", id);
	return buf;
}

/* Alerts about a certificate: their facts include the rejected certificate. */
static bool is_cert_alert(int code)
{
	switch (code) {
	case 42:  /* bad_certificate */
	case 43:  /* unsupported_certificate */
	case 44:  /* certificate_revoked */
	case 45:  /* certificate_expired */
	case 46:  /* certificate_unknown */
	case 48:  /* unknown_ca */
	case 111: /* certificate_unobtainable */
	case 113: /* bad_certificate_status_response */
	case 114: /* bad_certificate_hash_value */
	case 116: /* certificate_required */ return true;
	default: return false;
	}
}

/* "addr:port", "[addr]:port" for IPv6. */
static void end_text(const struct tlsa_flow *f, int dir, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	bool v6 = f->addr[dir].family == 6;
	inet_ntop(v6 ? AF_INET6 : AF_INET, f->addr[dir].bytes, a, sizeof(a));
	snprintf(buf, cap, "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "", f->port[dir]);
}

/* Appends to a text being built in buf[cap] (*at: its length so far); silently cut short. */
__attribute__((format(printf, 4, 5))) static void add(char *buf, size_t cap, size_t *at,
						      const char *fmt, ...)
{
	if (*at >= cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *at, cap - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at = *at + (size_t)n < cap ? *at + (size_t)n : cap - 1;
}

/* "TLS 1.3, TLS 1.2": the versions a ClientHello offered. */
static void versions_offered(const struct tlsa_hs_facts *hs, char *buf, size_t cap)
{
	size_t at = 0;
	char vb[32];
	buf[0] = '\0';
	for (size_t i = 0; i < hs->n_versions_offered && i < 16; i++)
		add(buf, cap, &at, "%s%s", i ? ", " : "",
		    scan_wire_version_name(hs->versions_offered[i], vb, sizeof(vb)));
}

/* The handshake facts of an alert's connection, "; "-separated. */
static void hs_facts(const struct tlsa_alert_event *ev, char *buf, size_t cap)
{
	const struct tlsa_hs_facts *hs = ev->hs;
	char vb[32], offered[200];
	size_t at = 0;
	buf[0] = '\0';
	versions_offered(hs, offered, sizeof(offered));
	if (hs->server_hello)
		add(buf, cap, &at, "version %s",
		    scan_wire_version_name(hs->version_selected, vb, sizeof(vb)));
	else if (hs->client_hello)
		add(buf, cap, &at, "no ServerHello");
	else
		add(buf, cap, &at, "version %s (from the records; handshake not seen)",
		    tlsa_version_name(ev->version));
	if (hs->client_hello)
		add(buf, cap, &at, " (offered %s)", offered);
	if (hs->client_hello)
		add(buf, cap, &at, hs->sni[0] ? "; SNI %s" : "; no SNI", hs->sni);
	if (hs->alpn_offered[0] && hs->server_hello)
		add(buf, cap, &at, "; ALPN %s (offered %s)",
		    hs->alpn_selected[0] ? hs->alpn_selected : "none selected", hs->alpn_offered);
	else if (hs->alpn_offered[0])
		add(buf, cap, &at, "; ALPN offered %s", hs->alpn_offered);
	if (hs->suite_selected_set)
		add(buf, cap, &at, "; suite %s",
		    scan_suite_name(hs->suite_selected, vb, sizeof(vb)));
	else if (hs->client_hello)
		add(buf, cap, &at, "; %zu cipher suite%s offered", hs->n_suites,
		    hs->n_suites == 1 ? "" : "s");
	int code = ev->description >= 0 ? ev->description : ev->likely;
	/* the certificate the sender rejected: its peer's */
	const struct tlsa_cert_info *ci = ev->sender == TLSA_ROLE_CLIENT   ? ev->server_cert
					  : ev->sender == TLSA_ROLE_SERVER ? ev->client_cert
									   : NULL;
	/* a close_notify carries the certificate only when the client closed right
	 * after the handshake (the library reads it then: a rejection after it) */
	if ((is_cert_alert(code) || code == 0) && ci != NULL && ci->parsed) {
		const char *side = ev->sender == TLSA_ROLE_CLIENT ? "server" : "client";
		if (ci->self_signed)
			add(buf, cap, &at, "; %s certificate %s, self-signed", side, ci->subject);
		else
			add(buf, cap, &at, "; %s certificate %s, issuer %s", side, ci->subject,
			    ci->issuer);
		if (ci->not_before[0] || ci->not_after[0])
			add(buf, cap, &at, ", valid %s to %s",
			    ci->not_before[0] ? ci->not_before : "?",
			    ci->not_after[0] ? ci->not_after : "?");
		add(buf, cap, &at, ", chain of %d", ci->chain_length);
	}
}

/* "2026-11-27T21:57:24.099182Z" into full, "21:57:24" into clock. */
static void times(const struct tlsa_pktinfo *pkt, char *full, size_t fcap, char *clock, size_t ccap)
{
	time_t t = (time_t)pkt->ts_sec;
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(full, fcap, "%" PRId64, pkt->ts_sec);
		snprintf(clock, ccap, "%" PRId64, pkt->ts_sec);
		return;
	}
	size_t n = strftime(full, fcap, "%Y-%m-%dT%H:%M:%S", &tm);
	if (pkt->ts_nsec % 1000 == 0)
		snprintf(full + n, fcap - n, ".%06" PRIu32 "Z", pkt->ts_nsec / 1000);
	else
		snprintf(full + n, fcap - n, ".%09" PRIu32 "Z", pkt->ts_nsec);
	strftime(clock, ccap, "%H:%M:%S", &tm);
}

/* Where from and to, when, and the handshake facts; first the stage when it did not fit
 * on the alert line. */
static void facts_text(struct scan_writer *o, const struct tlsa_alert_event *ev,
		       const char *full_time, bool stage)
{
	struct cli *c = o->c;
	char from[64], to[64], buf[2048];
	size_t at = 0;
	if (stage)
		add(buf, sizeof(buf), &at, "at %s: ", ev->stage);
	end_text(ev->flow, ev->dir, from, sizeof(from));
	end_text(ev->flow, 1 - ev->dir, to, sizeof(to));
	add(buf, sizeof(buf), &at, "%s -> %s %s", from, to,
	    ev->quic ? "quic" : ev->flow->transport == 17 ? "udp" : "tcp");
	if (ev->quic && !ev->inferred)
		add(buf, sizeof(buf), &at, " (CONNECTION_CLOSE CRYPTO_ERROR 0x%" PRIx64 " in a%s %s packet)",
		    ev->quic_error, ev->quic_space[0] == 'i' ? "n" : "", ev->quic_space);
	if (ev->starttls != NULL)
		add(buf, sizeof(buf), &at, " (%s STARTTLS)", ev->starttls);
	add(buf, sizeof(buf), &at, ", %s", full_time);
	if (ev->quic && ev->quic_reason[0] != '\0') /* the closer's own words */
		add(buf, sizeof(buf), &at, ", reason \"%s%s\"", ev->quic_reason,
		    strlen(ev->quic_reason) == TLSA_QUIC_REASON_MAX ? "..." : "");
	if (ev->description < 0)
		add(buf, sizeof(buf), &at, ", %s of %zu bytes", ev->quic ? "packet" : "record",
		    ev->record_length);
	fputs("    ", c->out);
	cli_wrap(c->out, buf, 4, 6, c->width);
	hs_facts(ev, buf, sizeof(buf));
	fputs("    ", c->out);
	cli_wrap(c->out, buf, 4, 6, c->width);
}

/*
 * Why the code of an encrypted alert cannot be read, from what the capture
 * shows: no key helps when the handshake is not in it (the keys are found by
 * the ClientHello's random), a key log given may simply lack this connection.
 */
static const char *unreadable_why(const struct tlsa_alert_event *ev)
{
	if (ev->hs == NULL || !ev->hs->client_hello)
		return "Its code cannot be read: the handshake is not in this capture (it "
		       "started after the connection began), and without the ClientHello no key "
		       "log can be matched.";
	if (ev->hs->server_hello && ev->hs->compression_selected > 1)
		return "Its code cannot be read: the records are compressed with a method "
		       "tlsalert cannot inflate (only DEFLATE).";
	if (ev->keylog)
		return "Its code cannot be read: the key log has no secrets for this "
		       "connection (its ClientHello random is not in it).";
	return "The session keys (an SSLKEYLOGFILE) would tell which.";
}

/*
 * The explanation under the facts: what the alert means (for an inferred
 * alert, the likely one), from whom to whom, and the likeliest cause.
 */
static void explain_alert_text(struct scan_writer *o, const struct tlsa_alert_event *ev)
{
	struct cli *c = o->c;
	char buf[1024];
	int code = ev->description >= 0 ? ev->description : ev->likely;
	const char *peer = ev->sender == TLSA_ROLE_CLIENT   ? "the server"
			   : ev->sender == TLSA_ROLE_SERVER ? "the client"
							    : "the peer";
	const char *who = ev->sender == TLSA_ROLE_CLIENT   ? "The client"
			  : ev->sender == TLSA_ROLE_SERVER ? "The server"
							   : "The sender";

	if (code < 0) {
		snprintf(buf, sizeof(buf), "%s %s. %s", who,
			 ev->quic && ev->inferred
				 ? "most likely closed the connection with an alert in a QUIC "
				   "Handshake packet, from the packets each side sent"
			 : ev->inferred ? "most likely sent an alert: an encrypted record of alert "
					  "size, then the connection closed"
					: "sent an alert under encryption",
			 unreadable_why(ev));
	} else {
		const struct tlsa_alert *a = tlsa_alert_get((uint8_t)code);
		char lead[128] = "";
		if (ev->description < 0)
			snprintf(lead, sizeof(lead), "Inferred, most likely %s: ", a->name);
		if (code == 0 || code == 90)
			snprintf(buf, sizeof(buf), "%s%s %s: %s", lead, who,
				 code == 0 ? "closed its side" : "cancelled", a->summary);
		else
			snprintf(buf, sizeof(buf), "%s%s rejected %s: %s", lead, who, peer,
				 a->summary);
	}
	fprintf(c->out, "    %s", cli_c(c, C_DIM));
	cli_wrap(c->out, buf, 4, 4, c->width);
	const struct scan_causes *sc = scan_causes_of(o->memo, ev);
	if (sc->n > 0) {
		snprintf(buf, sizeof(buf), "likely cause: %s (%s)", sc->cs[0].id, sc->cs[0].title);
		fputs("    ", c->out);
		cli_wrap(c->out, buf, 4, 4, c->width);
		fputs("    fix: ", c->out);
		cli_wrap(c->out, sc->cs[0].fix, 9, 9, c->width);
	}
	enum scan_stack_source csrc, ssrc;
	const struct tlsa_stack_def *cst =
		tlsa_stack_parse(scan_stack_of(o->memo, ev->hs, TLSA_ROLE_CLIENT, &csrc));
	const struct tlsa_stack_def *sst =
		tlsa_stack_parse(scan_stack_of(o->memo, ev->hs, TLSA_ROLE_SERVER, &ssrc));
	if (cst != NULL || sst != NULL) {
		/* with a given stack, each side says where its stack comes from */
		bool given = csrc == STACK_GIVEN || ssrc == STACK_GIVEN;
		const char *cfrom = csrc == STACK_GIVEN ? " (given)" : " (from its hello shape)";
		const char *sfrom = ssrc == STACK_GIVEN ? " (given)" : " (from its hello shape)";
		char cw[96] = "", sw[96] = "";
		if (cst != NULL)
			snprintf(cw, sizeof(cw), "client %s %s%s",
				 csrc == STACK_GIVEN ? "runs" : "looks like", cst->name,
				 given ? cfrom : "");
		if (sst != NULL)
			snprintf(sw, sizeof(sw), "server %s %s%s",
				 ssrc == STACK_GIVEN ? "runs" : "looks like", sst->name,
				 given ? sfrom : "");
		snprintf(buf, sizeof(buf), "%s%s%s%s", cw, cst && sst ? ", " : "", sw,
			 given ? "" : " (from the hello shapes)");
		fputs("    ", c->out);
		cli_wrap(c->out, buf, 4, 4, c->width);
	}
	fputs(cli_c(c, C_RESET), c->out);
}

void scan_text_alert(struct scan_writer *o, const struct tlsa_alert_event *ev)
{
	struct cli *c = o->c;
	char full[64], clock[32], what[96];
	times(ev->pkt, full, sizeof(full), clock, sizeof(clock));
	enum cli_color col = C_YELLOW;
	if (ev->description >= 0) {
		const char *lv = tlsa_level_name(ev->level);
		snprintf(what, sizeof(what), "%s %s (%d)", lv ? lv : "level?",
			 scan_alert_name(ev->description), ev->description);
		col = ev->level == 2 ? C_RED : ev->description == 0 ? C_GREEN : C_YELLOW;
	} else if (ev->inferred) {
		snprintf(what, sizeof(what), "inferred%s%s",
			 ev->likely >= 0 ? ", likely " : " alert",
			 ev->likely >= 0 ? scan_alert_name(ev->likely) : "");
		col = C_MAGENTA;
	} else {
		snprintf(what, sizeof(what), "encrypted alert");
		col = C_CYAN;
	}
	const char *file = o->set->files[ev->pkt->file_index];
	const char *role = tlsa_role_name(ev->sender);
	/* a line that would pass 100 columns (or a narrower terminal) leaves its stage to
	   the next line, unless --brief */
	int len = snprintf(NULL, 0, "%s %s:%" PRIu64 " %-6s %s  %s", clock, file, ev->pkt->frame,
			   role, what, ev->stage);
	int limit = c->width > 0 && c->width < 100 ? c->width : 100;
	bool stage_below = !o->set->brief && len > limit;
	fprintf(c->out, "%s %s:%" PRIu64 " %-6s %s%s%s%s%s\n", clock, file, ev->pkt->frame, role,
		cli_c(c, col), what, cli_c(c, C_RESET), stage_below ? "" : "  ",
		stage_below ? "" : ev->stage);
	if (o->set->brief)
		return;
	facts_text(o, ev, full, stage_below);
	explain_alert_text(o, ev);
}
