/* From a session tracker's alert event to a diagnosis context (diagnose.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tlsalert/diagnose.h"
#include "tlsalert/session.h"
#include "tlsalert/text.h"

static tlsa_tri yes_no(bool b)
{
	return b ? TLSA_TRI_YES : TLSA_TRI_NO;
}

static void hello_facts(struct tlsa_diag_ctx *c, const struct tlsa_hs_facts *hs)
{
	if (hs->client_hello) {
		size_t n = hs->n_versions_offered;
		if (n > sizeof(hs->versions_offered) / sizeof(hs->versions_offered[0]))
			n = sizeof(hs->versions_offered) / sizeof(hs->versions_offered[0]);
		for (size_t i = 0; i < n; i++) {
			tlsa_version v = tlsa_version_from_wire(hs->versions_offered[i]);
			if (tlsa_version_rank(v) == 0)
				continue; /* GREASE and unknown values */
			if (tlsa_version_rank(c->offered_max) == 0 || tlsa_version_rank(v) > tlsa_version_rank(c->offered_max))
				c->offered_max = v;
			if (tlsa_version_rank(c->offered_min) == 0 || tlsa_version_rank(v) < tlsa_version_rank(c->offered_min))
				c->offered_min = v;
		}
		c->alpn_offered = yes_no(hs->alpn_offered[0] != '\0');
		c->sni_sent = yes_no(hs->sni[0] != '\0');
		c->fallback_scsv = yes_no(hs->fallback_scsv);
		c->keyshare_invalid = yes_no(hs->key_share_invalid);
	}
	if (hs->version_selected != 0)
		c->selected = tlsa_version_from_wire(hs->version_selected);
	if (hs->suite_selected_set)
		c->cipher_overlap = TLSA_TRI_YES;
	/* ALPN sits in the encrypted EncryptedExtensions in TLS 1.3: only its
	 * presence can be told there. */
	if (hs->alpn_selected[0] != '\0')
		c->alpn_selected = TLSA_TRI_YES;
	else if (hs->server_hello && tlsa_version_rank(c->selected) != 0 && tlsa_version_rank(c->selected) < 6)
		c->alpn_selected = TLSA_TRI_NO;
	if (hs->client_cert_requested)
		c->cert_requested = TLSA_TRI_YES;
	if (hs->client_cert_sent == 0)
		c->client_cert_sent = TLSA_TRI_NO;
	else if (hs->client_cert_sent == 1)
		c->client_cert_sent = TLSA_TRI_YES;
}

/*
 * Facts about the certificate the alert's sender was verifying (the peer's),
 * when decryption showed it: expired or not yet valid at the time of the
 * alert, and self-signed.  Both times are RFC 3339 UTC, so they compare as
 * strings.
 */
static void cert_facts(struct tlsa_diag_ctx *c, const struct tlsa_alert_event *ev)
{
	const struct tlsa_cert_info *ci = ev->sender == TLSA_ROLE_CLIENT   ? ev->server_cert
					  : ev->sender == TLSA_ROLE_SERVER ? ev->client_cert
									   : NULL;
	if (ci == NULL || !ci->parsed || ev->pkt == NULL)
		return;
	if (ci->not_after[0] != '\0' && ci->not_before[0] != '\0') {
		char now[24];
		struct tm tm;
		time_t t = (time_t)ev->pkt->ts_sec;
		if (gmtime_r(&t, &tm) != NULL &&
		    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0) {
			bool outside = strcmp(now, ci->not_after) > 0 ||
				       strcmp(now, ci->not_before) < 0;
			c->cert_expired = yes_no(outside);
		}
	}
	if (ci->subject[0] != '\0')
		c->cert_self_signed = yes_no(strcmp(ci->subject, ci->issuer) == 0);
}

bool tlsa_diag_ctx_from_event(struct tlsa_diag_ctx *c, const struct tlsa_alert_event *ev)
{
	*c = (struct tlsa_diag_ctx){.sz = sizeof(*c)};
	int code = ev->description >= 0 ? ev->description : ev->likely;
	if (code < 0 || code > 255)
		return false;
	c->alert = (uint8_t)code;
	c->level = ev->level == 1 || ev->level == 2 ? ev->level : -1;
	c->sender = ev->sender == TLSA_ROLE_CLIENT   ? TLSA_PARTY_CLIENT
		    : ev->sender == TLSA_ROLE_SERVER ? TLSA_PARTY_SERVER
						     : TLSA_PARTY_UNKNOWN;
	c->step = tlsa_step_parse(ev->stage);
	c->version = ev->version;
	c->encrypted = yes_no(ev->encrypted);
	c->inferred = yes_no(ev->inferred);
	/* Application data before any ServerHello is a protocol error, not a
	 * session that was in use. */
	if (c->step != NULL && strcmp(c->step, "application") == 0 && ev->hs != NULL &&
	    ev->hs->server_hello)
		c->app_data_seen = TLSA_TRI_YES;
	if (c->step != NULL && strcmp(c->step, "renegotiation") == 0)
		c->renegotiating = TLSA_TRI_YES;
	if (ev->hs != NULL)
		hello_facts(c, ev->hs);
	/* Plain text answered the ClientHello, or not: the tracker reads the first
	 * bytes of both directions, so a capture that shows no plain-text answer
	 * rules the plain-text service out (a DTLS flow never has one). */
	c->peer_plaintext = yes_no(ev->peer_plaintext);
	cert_facts(c, ev);
	return true;
}

bool tlsa_diag_ctx_from_mention(struct tlsa_diag_ctx *c, const struct tlsa_text_mention *m)
{
	*c = (struct tlsa_diag_ctx){.sz = sizeof(*c)};
	if (m->code < 0 || m->code > 255)
		return false;
	c->alert = (uint8_t)m->code;
	c->seen = m->dir == TLSA_TEXT_RECEIVED ? TLSA_SEEN_RECEIVED
		  : m->dir == TLSA_TEXT_SENT   ? TLSA_SEEN_SENT
					       : TLSA_SEEN_UNKNOWN;
	const struct tlsa_stack_def *st = tlsa_stack_parse(m->implementation);
	if (m->dir == TLSA_TEXT_SENT && st != NULL)
		c->stack = st->token;
	c->rule = m->rule_id;
	c->rule_text = m->rule_fragment;
	return true;
}
