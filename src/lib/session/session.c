/*
 * The session tracker: TLS/DTLS connections seen through the capture layer.
 * This file holds the tracker object, the connection objects and the capture
 * callbacks; session_int.h lists the other parts.
 *
 * Per TCP direction a small state machine finds where TLS starts (first
 * segment, after a STARTTLS-style request, after the peer's ClientHello,
 * after a gap or in the middle of a record), then frames records by their
 * 5-byte headers.  Bodies of application-data records are skipped by
 * counting; only handshake and alert bodies are looked at.  Handshake
 * messages are reassembled across records into a per-direction buffer.
 *
 * Alert records produce events at once.  TLS 1.3 alerts travel inside
 * application-data records; when a connection ends, the last record of each
 * direction is checked for the size and position of an encrypted alert and
 * reported as an inferred alert with its evidence (docs/scan.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/opts.h"
#include "session_int.h"
#include "tlsalert/quic.h"

const char *tlsa_role_source_name(tlsa_role_source s)
{
	switch (s) {
	case TLSA_ROLES_SYN: return "syn";
	case TLSA_ROLES_CLIENT_HELLO: return "client_hello";
	case TLSA_ROLES_SERVER_HELLO: return "server_hello";
	case TLSA_ROLES_PORT: return "port";
	default: return "none";
	}
}

const char *tlsa_outcome_name(tlsa_outcome o)
{
	return o == TLSA_OUT_ESTABLISHED ? "established"
	       : o == TLSA_OUT_FAILED	 ? "failed"
	       : o == TLSA_OUT_PLAINTEXT ? "plaintext"
					 : "incomplete";
}

bool tlsa_tls_header_plausible(const uint8_t *p)
{
	return header_plausible(p);
}

/* ------------------------------------------------------------- callbacks */

/* ------------------------------------------------------------- callbacks */

/* A new connection object for flow f (conn_get() in session_int.h). */
struct conn *ses_conn_new(struct tlsa_tracker *t, struct tlsa_flow *f,
			  const struct tlsa_pktinfo *pkt)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->ch_dir = c->sh_dir = -1;
	c->plain_dir = -1;
	c->d[0].ended = c->d[1].ended = -1;
	c->file_index = pkt->file_index;
	c->first_frame = pkt->frame;
	c->ts_sec = pkt->ts_sec;
	c->ts_nsec = pkt->ts_nsec;
	f->user = c;
	t->st.flows++;
	return c;
}

static void cb_flow_open(void *ctx, struct tlsa_flow *f, const struct tlsa_pktinfo *pkt)
{
	(void)conn_get(ctx, f, pkt);
}

static void cb_tcp_end(void *ctx, struct tlsa_flow *f, int dir, enum tlsa_stream_end how,
		       const struct tlsa_pktinfo *pkt)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = conn_get(t, f, pkt);
	if (c == NULL || (dir != 0 && dir != 1) || c->d[dir].ended >= 0)
		return;
	c->d[dir].ended = (int)how;
	if (c->tls && (how == TLSA_END_FIN || how == TLSA_END_RST))
		hist_add(c, dir, how == TLSA_END_FIN ? 'N' : 'J');
}

static void cb_udp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			const struct tlsa_pktinfo *pkt)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = conn_get(t, f, pkt);
	if (c == NULL || (dir != 0 && dir != 1))
		return;
	t->st.bytes += len;
	c->last_frame = pkt->frame;
	if (!ses_quic_maybe(c, data, len) || !ses_quic_datagram(t, c, f, dir, data, len, pkt))
		ses_dtls_datagram(t, c, f, dir, data, len, pkt);
	c->d[dir].segs++;
}

static bool established(const struct conn *c)
{
	if (c->quic != NULL)
		return ses_quic_established(c);
	if (c->rejected)
		return false;
	if (is_tls13(c) && !c->dtls) {
		if (c->dec != NULL && (c->d[0].finished || c->d[1].finished))
			return c->d[0].finished && c->d[1].finished; /* decrypted Finished */
		return c->d[0].n_enc > 0 && c->d[1].n_enc > 0;
	}
	return (c->d[0].finished && c->d[1].finished) || (c->d[0].n_enc > 0 && c->d[1].n_enc > 0);
}

static void cb_flow_close(void *ctx, struct tlsa_flow *f)
{
	struct tlsa_tracker *t = ctx;
	struct conn *c = f->user;
	if (c == NULL)
		return;
	if (c->quic != NULL)
		ses_quic_end(t, c, f);
	else if (c->tls && !c->dtls && !t->o.no_infer) {
		/* report in frame order */
		int first = c->d[0].last_pkt.frame <= c->d[1].last_pkt.frame ? 0 : 1;
		bool unseen = !c->hs->client_hello && !c->hs->server_hello;
		void (*infer)(struct tlsa_tracker *, struct conn *, struct tlsa_flow *, int) =
			unseen	      ? ses_infer_unseen
			: is_tls13(c) ? ses_infer13
				      : NULL;
		if (infer != NULL) {
			infer(t, c, f, first);
			infer(t, c, f, 1 - first);
		}
	}
	if (c->tls && t->o.on_conn) {
		struct tlsa_conn_event sum = {0};
		struct tlsa_conn_event *s = &sum;
		s->flow = f;
		s->file_index = c->file_index;
		s->first_frame = c->first_frame;
		s->last_frame = c->last_frame;
		s->ts_sec = c->ts_sec;
		s->ts_nsec = c->ts_nsec;
		s->client_dir = client_dir(c, f, &s->role_source);
		s->starttls = c->starttls;
		s->dtls = c->dtls;
		s->version = ses_conn_version(c, 0, &s->version_negotiated);
		s->n_alerts = c->n_alerts;
		s->have_alert = c->have_alert;
		s->outcome = established(c)		    ? TLSA_OUT_ESTABLISHED
			     : ses_answered_in_plaintext(c) ? TLSA_OUT_PLAINTEXT
			     : c->have_alert || c->rejected ? TLSA_OUT_FAILED
							    : TLSA_OUT_INCOMPLETE;
		if (s->outcome == TLSA_OUT_PLAINTEXT && c->plaintext != NULL) {
			memcpy(s->plaintext, c->plaintext, strlen(c->plaintext) + 1);
			s->plaintext_frame = c->plaintext_frame;
		}
		s->alert_description = c->first.description;
		s->alert_level = c->first.level;
		s->alert_encrypted = c->first.encrypted;
		s->alert_inferred = c->first.inferred;
		s->alert_likely = c->first.likely;
		s->alert_sender = c->first.sender;
		s->alert_stage = c->first.stage;
		s->alert_frame = c->first.frame;
		s->history = ses_hist_render(t, c, f, c->nhist);
		s->hs = c->hs;
		s->keylog = t->kl != NULL;
		s->decrypting = c->dec != NULL;
		s->n_decrypted = c->n_decrypted;
		s->decrypt_error = c->dec_error;
		if (c->alert_fatal) {
			s->client_cert = ses_cert_get(t, c, 0);
			s->server_cert = ses_cert_get(t, c, 1);
		}
		if (c->quic != NULL)
			ses_quic_conn_event(c, s);
		t->o.on_conn(t->o.ctx, s);
	}
	if (c->user != NULL && t->o.on_release != NULL)
		t->o.on_release(t->o.ctx, c->user);
	if (c->hs != &t->hs_blank)
		free(c->hs);
	t->hs_mem -= c->hs_mem;
	ses_quic_free(t, c, c->quic);
	free(c->plaintext);
	free(c->d[0].hs);
	free(c->d[1].hs);
	free(c->d[0].rec);
	free(c->d[1].rec);
	sdec_free(c->dec);
	for (int side = 0; side < 2; side++)
		if (c->cert[side] != &t->cert_empty)
			free(c->cert[side]);
	free(c->cert_msg[0]);
	free(c->cert_msg[1]);
	free(c);
	f->user = NULL;
}

static void cb_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	notice(ctx, pkt, msg);
}

static void dsb_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	char buf[300];
	snprintf(buf, sizeof(buf), "%s, line %lu: %s", origin, line, msg);
	notice(ctx, NULL, buf);
}

/* pcapng Decryption Secrets Block: kept in the tracker's own key log. */
static void cb_secrets(void *ctx, uint32_t type, const uint8_t *data, size_t len)
{
	struct tlsa_tracker *t = ctx;
	if (type != TLSA_DSB_TLS_KEYLOG) {
		notice(t, NULL,
		       "pcapng Decryption Secrets Block of a type other than TLS key log: "
		       "ignored");
		return;
	}
	if (t->own_kl == NULL && (t->own_kl = tlsa_keylog_new()) == NULL) {
		notice(t, NULL, "out of memory reading a pcapng Decryption Secrets Block");
		return;
	}
	if (t->kl == NULL)
		t->kl = t->own_kl;
	struct tlsa_error err;
	int rc = tlsa_keylog_add_dsb(t->own_kl, type, data, len, "pcapng Decryption Secrets Block",
				     dsb_warn, t, &err);
	if (rc < 0)
		notice(t, NULL,
		       "pcapng Decryption Secrets Block not read completely (too many "
		       "connections or out of memory)");
}

/* ------------------------------------------------------------------- API */

struct tlsa_tracker *tlsa_tracker_new(const struct tlsa_tracker_opts *o)
{
	struct tlsa_tracker *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	opts_load(&t->o, sizeof(t->o), o);
	t->kl = t->o.keylog;
	if (t->o.max_handshake == 0)
		t->o.max_handshake = HS_FLOW_DEFAULT;
	if (t->o.max_handshake_total == 0)
		t->o.max_handshake_total = HS_TOTAL_DEFAULT;
	tlsa_hs_facts_init(&t->hs_blank);
	return t;
}

void tlsa_tracker_handler(struct tlsa_tracker *t, struct tlsa_capture_handler *h)
{
	memset(h, 0, sizeof(*h));
	h->ctx = t;
	h->flow_open = cb_flow_open;
	h->tcp_data = ses_tcp_data;
	h->tcp_gap = ses_tcp_gap;
	h->tcp_end = cb_tcp_end;
	h->udp_data = cb_udp_data;
	h->flow_close = cb_flow_close;
	h->notice = cb_notice;
	h->secrets = cb_secrets;
}

void tlsa_tracker_get_stats(const struct tlsa_tracker *t, struct tlsa_tracker_stats *out)
{
	*out = t->st;
	out->dsb_keys = tlsa_keylog_count(t->own_kl);
}

void tlsa_tracker_free(struct tlsa_tracker *t)
{
	if (t == NULL)
		return;
	tlsa_keylog_free(t->own_kl);
	tlsa_crypto_cache_free(t->cc);
	tlsa_quic_ctx_free(t->qctx);
	free(t->qbuf);
	free(t->dbuf);
	free(t);
}
