/*
 * Alert events of the session tracker: the stage vocabulary, the history
 * string, the version an event reports, and the filling and delivery of
 * struct tlsa_alert_event for alerts read from records (plaintext,
 * protected or decrypted).  Inferred alerts: ses_infer13.c.
 */
#include <stdlib.h>
#include <string.h>

#include "base/ascii.h"
#include "session_int.h"
#include "tlsalert/decode.h"

const char *const ses_step_names[S_COUNT] = {
	"start",
	"client_hello",
	"hello_retry_request",
	"server_hello",
	"server_certificate",
	"server_key_exchange",
	"certificate_request",
	"server_hello_done",
	"server_flight",
	"client_certificate",
	"client_key_exchange",
	"certificate_verify",
	"change_cipher_spec",
	"finished",
	"application_data",
	"renegotiation",
};

/* Upper case for the client, lower case for the server (dir 0 = upper when
 * the roles are unknown). */
const char *ses_hist_render(struct tlsa_tracker *t, const struct conn *c, const struct tlsa_flow *f,
			    size_t n)
{
	tlsa_role_source src;
	int cd = client_dir(c, f, &src);
	if (cd < 0)
		cd = 0;
	if (n > c->nhist)
		n = c->nhist;
	for (size_t i = 0; i < n; i++) {
		int dir = c->hist[i] >> 7;
		char l = (char)(c->hist[i] & 0x7f);
		t->histbuf[i] = dir != cd ? (char)ascii_lower((unsigned char)l) : l;
	}
	t->histbuf[n] = '\0';
	return t->histbuf;
}

/* The negotiated version, else the highest one offered, else the record's. */
tlsa_version ses_conn_version(const struct conn *c, uint16_t record_version, bool *negotiated)
{
	*negotiated = false;
	if (c->hs->server_hello) {
		uint16_t v = c->hs->version_selected;
		if (v >= 0x7f00 && v <= 0x7fff)
			v = 0x0304; /* TLS 1.3 drafts */
		tlsa_version tv = tlsa_version_from_wire(v);
		if (tv != TLSA_VER_UNKNOWN) {
			*negotiated = true;
			return tv;
		}
	}
	if (c->hs->client_hello) {
		tlsa_version best = TLSA_VER_UNKNOWN;
		for (size_t i = 0; i < c->hs->n_versions_offered && i < 16; i++) {
			uint16_t v = c->hs->versions_offered[i];
			if (v >= 0x7f00 && v <= 0x7fff)
				v = 0x0304;
			tlsa_version tv = tlsa_version_from_wire(v);
			if (tv > best)
				best = tv;
		}
		if (best != TLSA_VER_UNKNOWN)
			return best;
	}
	return tlsa_version_from_wire(record_version);
}

size_t tlsa_stage_count(void)
{
	return S_COUNT + 1;
}

const char *tlsa_stage_at(size_t i)
{
	return i < S_COUNT ? ses_step_names[i] : i == S_COUNT ? STAGE_CLOSING : NULL;
}

const char *ses_stage_for(const struct conn *c, int dir)
{
	const struct dirstate *peer = &c->d[1 - dir];
	if (c->step == S_APPDATA &&
	    (peer->alerted_late || peer->ended == TLSA_END_FIN || peer->ended == TLSA_END_RST))
		return STAGE_CLOSING;
	return ses_step_names[c->step];
}

/* The certificate facts of one side (0 client, 1 server), parsed at the first
 * need: d2i_X509 costs more than everything else a connection takes. */
const struct tlsa_cert_info *ses_cert_get(struct tlsa_tracker *t, struct conn *c, int side)
{
	if (c->cert[side] == NULL && c->cert_msg[side] != NULL) {
		/* the facts take the place of the message in the flow's handshake memory */
		hs_mem_give(t, c, c->cert_msg_len[side]);
		if (hs_mem_take(t, c, sizeof(*c->cert[side])))
			c->cert[side] = malloc(sizeof(*c->cert[side]));
		else
			t->st.hs_msgs_dropped++;
		if (c->cert[side] != NULL) {
			const uint8_t *der;
			size_t n;
			bool tls13 = c->cert_tls13[side];
			int chain = sdec_cert_first(c->cert_msg[side], c->cert_msg_len[side], tls13,
						    &der, &n);
			(void)sdec_cert_info_der(der, n, chain, c->cert[side]);
			ses_cert_facts(c->cert_msg[side], c->cert_msg_len[side], tls13,
				       c->cert[side]);
		}
		free(c->cert_msg[side]);
		c->cert_msg[side] = NULL;
	}
	return c->cert[side];
}

void ses_note_alert(struct tlsa_tracker *t, struct conn *c, struct tlsa_alert_event *ev)
{
	int code = ev->description >= 0 ? ev->description : ev->likely;
	/* A client that closes as soon as the handshake is done, before any
	 * request, often rejected the server after it (curl checks the host name
	 * itself, after the handshake, and sends close_notify): that close needs
	 * the server's certificate too.  Rare in bulk traffic, so still cheap. */
	bool early_close = code == 0 && ev->sender == TLSA_ROLE_CLIENT && c->step == S_FINISHED;
	if ((code > 0 && code != 90) || early_close) {
		/* not a closure (nor an encrypted alert of unknown code, most often a
		 * close_notify): the peer's certificate may be why */
		if (ev->sender != TLSA_ROLE_SERVER)
			ev->server_cert = ses_cert_get(t, c, 1);
		if (ev->sender != TLSA_ROLE_CLIENT)
			ev->client_cert = ses_cert_get(t, c, 0);
	}
	ev->peer_plaintext = ses_answered_in_plaintext(c);
	c->n_alerts++;
	t->st.alerts++;
	if (ev->inferred)
		t->st.inferred++;
	bool fatal = ev->level == 2 || (ev->inferred && ev->likely != 0);
	if (ev->level == -1 && !ev->inferred)
		fatal = false; /* encrypted: could be close_notify */
	if (!c->have_alert || (fatal && !c->alert_fatal)) {
		c->have_alert = true;
		c->alert_fatal = fatal;
		c->first.description = ev->description;
		c->first.level = ev->level;
		c->first.encrypted = ev->encrypted;
		c->first.inferred = ev->inferred;
		c->first.likely = ev->likely;
		c->first.sender = ev->sender;
		c->first.stage = ev->stage;
		c->first.frame = ev->pkt ? ev->pkt->frame : 0;
	}
	if (t->o.on_alert)
		t->o.on_alert(t->o.ctx, ev);
}

void ses_base_event(struct tlsa_tracker *t, struct tlsa_alert_event *ev, struct conn *c,
		    const struct tlsa_flow *f, int dir, const struct tlsa_pktinfo *pkt)
{
	memset(ev, 0, sizeof(*ev));
	ev->keylog = t->kl != NULL;
	ev->decrypt_error = c->dec_error;
	ev->pkt = pkt;
	ev->flow = f;
	ev->dir = dir;
	ev->sender = role_of(c, f, dir, &ev->role_source);
	ev->starttls = c->starttls;
	ev->dtls = c->dtls;
	ev->level = -1;
	ev->description = -1;
	ev->likely = -1;
	ev->hs = c->hs;
}

/* decrypted: `body` is the plaintext of a protected record of outer type ctype */
void ses_emit_record_alert(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			   uint16_t rver, uint32_t rlen, const uint8_t *body, bool encrypted,
			   uint16_t epoch, uint64_t seq, const struct tlsa_pktinfo *pkt,
			   uint8_t ctype, bool decrypted)
{
	struct tlsa_alert_event ev;
	ses_base_event(t, &ev, c, f, dir, pkt);
	ev.content_type = ctype;
	ev.record_version = rver;
	ev.record_length = rlen;
	ev.record_seq = seq;
	ev.epoch = epoch;
	ev.version = ses_conn_version(c, rver, &ev.version_negotiated);
	ev.encrypted = encrypted;
	ev.decrypted = decrypted;
	if (!encrypted || decrypted) {
		ev.level = body[0];
		ev.description = body[1];
	} else {
		ev.cipher_shapes = tlsa_encrypted_alert_shapes(rlen, false);
		ev.evidence = c->dtls	  ? "alert record of a non-zero epoch: protected"
			      : rlen != 2 ? "alert record longer than 2 bytes: protected"
					  : "alert record sent after the sender's ChangeCipherSpec";
	}
	ev.stage = ses_stage_for(c, dir);
	ev.history = ses_hist_render(t, c, f, c->nhist);
	c->d[dir].alerted = true;
	if (c->step >= S_APPDATA)
		c->d[dir].alerted_late = true;
	c->d[dir].alert_frame = pkt->frame;
	hist_add(c, dir, 'L');
	ses_note_alert(t, c, &ev);
}

/* Alerts read from a decrypted record (pairs of level, description). */
void ses_emit_decrypted(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			uint16_t rver, uint32_t rlen, const uint8_t *pt, size_t plen,
			uint16_t epoch, uint64_t seq, const struct tlsa_pktinfo *pkt, uint8_t ctype)
{
	for (size_t i = 0; i + 1 < plen; i += 2) {
		t->st.dec_alerts++;
		if (pt[i] == 2 && c->step < S_APPDATA)
			c->rejected = true; /* a fatal alert ended the handshake */
		ses_emit_record_alert(t, c, f, dir, rver, rlen, pt + i, true, epoch, seq, pkt,
				      ctype, true);
	}
}
