/*
 * TLS 1.3 alerts inferred without keys: when a connection ends, the last
 * record of each direction is checked for the size and position of an
 * encrypted alert (docs/scan.md, "inferred alerts").
 */
#include "session_int.h"
#include "tlsalert/decode.h"

/* ---------------------------------------------------------------- records */

static bool alert_sized13(uint32_t len)
{
	/* 2 alert bytes + inner type + 16-byte tag (GCM, ChaCha20, CCM), or 8-byte tag (CCM_8) */
	return len == 19 || len == 11;
}

/* The direction ended with FIN or RST (not idle or end of capture). */
static bool closed(const struct dirstate *d)
{
	return d->ended == TLSA_END_FIN || d->ended == TLSA_END_RST;
}

/*
 * Direction dir's last record may be an encrypted alert: of type 23, alert-sized,
 * not opened with a key log, and a side closed after it.  Then *ev is the event of
 * that record, but for the version, the evidence and the stage.
 */
static bool alert_candidate(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			    struct tlsa_alert_event *ev)
{
	struct dirstate *d = &c->d[dir];
	struct dirstate *peer = &c->d[1 - dir];
	if (d->last_type != 23 || !alert_sized13(d->last_len) || (!closed(d) && !closed(peer)))
		return false;
	if (d->dec_last)
		return false; /* opened with the key log (or failed authentication) */
	ses_base_event(t, ev, c, f, dir, &d->last_pkt);
	ev->content_type = 23;
	ev->record_version = d->last_ver;
	ev->record_length = d->last_len;
	ev->record_seq = d->last_seq;
	ev->encrypted = true;
	ev->inferred = true;
	ev->cipher_shapes = tlsa_encrypted_alert_shapes(d->last_len, true);
	ev->history = ses_hist_render(t, c, f, d->last_hist);
	return true;
}

void ses_infer13(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir)
{
	struct dirstate *d = &c->d[dir];
	struct dirstate *peer = &c->d[1 - dir];
	struct tlsa_alert_event ev;
	if (!alert_candidate(t, c, f, dir, &ev))
		return;
	ev.version = ses_conn_version(c, d->last_ver, &ev.version_negotiated);
	ev.stage = ses_step_names[d->last_step];

	if (ev.sender == TLSA_ROLE_CLIENT && d->n_enc == 1 && peer->n_enc > 0) {
		ev.evidence =
			"TLS 1.3: the client's first encrypted record has the size of an "
			"encrypted alert instead of its Finished, and the client then closed "
			"the connection: the client rejected the server's flight, most likely "
			"its certificate";
		ev.stage = ses_step_names[S_SERVER_FLIGHT];
		c->rejected = true;
	} else if (ev.sender == TLSA_ROLE_SERVER && d->n_enc_after_peer == 1 && peer->n_enc > 0 &&
		   peer->n_enc <= 3 && peer->last_len != 19) {
		ev.evidence = "TLS 1.3: after the client's Finished, the server's first record has "
			      "the size of an encrypted alert and the server then closed the "
			      "connection: the server rejected the client's flight";
		if (peer->empty_cert_shape) {
			ev.likely = 116;
			ev.evidence =
				"TLS 1.3: the client's flight holds a record the size of an "
				"empty Certificate; the server's first record after the "
				"client's Finished has the size of an encrypted alert and the "
				"server then closed the connection: the server required a "
				"client certificate (certificate_required)";
		}
		ev.stage = ses_step_names[S_FINISHED];
		c->rejected = true;
	} else if (peer->last_type == 23 && alert_sized13(peer->last_len)) {
		ev.likely = 0;
		ev.evidence = "TLS 1.3: the last record of each side has the size of an encrypted "
			      "alert and the connection then closed: a close_notify exchange";
		bool second = peer->last_pkt.frame < d->last_pkt.frame;
		ev.stage = second ? STAGE_CLOSING : ses_step_names[S_APPDATA];
	} else {
		ev.evidence =
			"TLS 1.3: the sender's last record has the size of an encrypted alert "
			"and the sender then closed the connection: close_notify or an error "
			"alert";
		if (d->last_step < S_APPDATA)
			ev.stage = ses_step_names[d->last_step];
		else
			ev.stage = ses_step_names[S_APPDATA];
	}
	ses_note_alert(t, c, &ev);
}

/*
 * A connection whose handshake is not in the capture (the capture began after
 * it): the version is unknown.  Alerts of TLS 1.2 and earlier travel in records
 * of type 21 and are reported as they come; a last record of type 23 with the
 * size of a TLS 1.3 encrypted alert, after which the sender closed, is inferred
 * as an alert whose code cannot be read.  No key log helps: the keys are found
 * by the ClientHello's random.
 */
void ses_infer_unseen(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir)
{
	struct dirstate *d = &c->d[dir];
	struct dirstate *peer = &c->d[1 - dir];
	struct tlsa_alert_event ev;
	if (!alert_candidate(t, c, f, dir, &ev))
		return;
	ev.version = TLSA_VER_UNKNOWN;
	ev.version_negotiated = false;
	ev.stage = ses_step_names[S_APPDATA];

	if (peer->last_type == 23 && alert_sized13(peer->last_len)) {
		ev.likely = 0;
		ev.evidence = "the handshake is not in this capture; the last record of each "
			      "side has the size of a TLS 1.3 encrypted alert and the connection "
			      "then closed: a close_notify exchange";
		bool second = peer->last_pkt.frame < d->last_pkt.frame;
		ev.stage = second ? STAGE_CLOSING : ses_step_names[S_APPDATA];
	} else if (d->ccs && !d->finished && d->n_enc == 1) {
		/* TLS 1.3 in middlebox compatibility mode: a ChangeCipherSpec, then the
		   sender's first encrypted record where its Finished was due (a TLS 1.2
		   Finished is a record of type 22) */
		ev.evidence = "the handshake is not in this capture; the sender's first record "
			      "after its ChangeCipherSpec has the size of a TLS 1.3 encrypted "
			      "alert instead of its Finished, and the sender then closed the "
			      "connection: it most likely rejected the peer's handshake flight "
			      "(its certificate?), with an alert whose code cannot be read";
		ev.stage = ses_step_names[S_SERVER_FLIGHT];
		c->rejected = true;
	} else {
		ev.evidence = "the handshake is not in this capture; the sender's last record has "
			      "the size of a TLS 1.3 encrypted alert and the sender then closed "
			      "the connection: close_notify or an error alert, whose code cannot "
			      "be read";
	}
	ses_note_alert(t, c, &ev);
}
