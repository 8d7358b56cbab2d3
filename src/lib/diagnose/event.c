/* From a session tracker's alert event to a diagnosis context (diagnose.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tlsalert/diagnose.h"
#include "tlsalert/registry.h"
#include "tlsalert/session.h"
#include "tlsalert/text.h"
#include "base/ascii.h"

static tlsa_tri yes_no(bool b)
{
	return b ? TLSA_TRI_YES : TLSA_TRI_NO;
}

/* Of a comma-separated ALPN list: HTTP/3 draft tokens ("h3-29") and no "h3". */
static tlsa_tri h3_draft_only(const char *list)
{
	bool draft = false, final = false;
	for (const char *p = list; *p != '\0';) {
		size_t n = strcspn(p, ",");
		if (n == 2 && memcmp(p, "h3", 2) == 0)
			final = true;
		else if (n > 3 && memcmp(p, "h3-", 3) == 0)
			draft = true;
		p += n;
		if (*p == ',')
			p++;
	}
	return yes_no(draft && !final);
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
			if (tlsa_version_rank(c->offered_max) == 0 ||
			    tlsa_version_rank(v) > tlsa_version_rank(c->offered_max))
				c->offered_max = v;
			if (tlsa_version_rank(c->offered_min) == 0 ||
			    tlsa_version_rank(v) < tlsa_version_rank(c->offered_min))
				c->offered_min = v;
		}
		c->alpn_offered = yes_no(hs->alpn_offered[0] != '\0');
		if (hs->alpn_offered[0] != '\0')
			c->alpn_h3_draft = h3_draft_only(hs->alpn_offered);
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
	else if (hs->server_hello && tlsa_version_rank(c->selected) != 0 &&
		 tlsa_version_rank(c->selected) < 6)
		c->alpn_selected = TLSA_TRI_NO;
	if (hs->client_cert_requested)
		c->cert_requested = TLSA_TRI_YES;
	if (hs->client_cert_sent == 0)
		c->client_cert_sent = TLSA_TRI_NO;
	else if (hs->client_cert_sent == 1)
		c->client_cert_sent = TLSA_TRI_YES;
}

/* GREASE (RFC 8701): 0x?a?a with equal bytes. */
static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* The key type a signature scheme signs with: 1 RSA, 2 ECDSA or EdDSA, 3
 * other (DSA, GOST...), 0 unknown or GREASE. */
static int sigalg_key(uint16_t v)
{
	uint8_t hi = (uint8_t)(v >> 8), lo = (uint8_t)v;
	if (grease(v))
		return 0;
	if (hi == 0x08)
		return lo >= 0x04 && lo <= 0x06	  ? 1 /* rsa_pss_rsae_* */
		       : lo >= 0x09 && lo <= 0x0b ? 1 /* rsa_pss_pss_* */
		       : lo == 0x07 || lo == 0x08 ? 2 /* ed25519, ed448 */
		       : lo >= 0x1a && lo <= 0x1c ? 2 /* ecdsa_brainpool*_tls13 */
						  : 0;
	if (hi >= 0x01 && hi <= 0x06)
		return lo == 0x01 ? 1 : lo == 0x03 ? 2 : lo == 0x02 ? 3 : 0;
	return 0;
}

/* The cipher a suite protects records with: its IANA name after "_WITH_" (TLS
 * 1.2 and earlier), or after "TLS_" (TLS 1.3); NULL for a suite not named. */
static const char *suite_cipher(uint16_t v)
{
	const char *nm = tlsa_cipher_suite_name(v);
	if (nm == NULL || strncmp(nm, "TLS_", 4) != 0)
		return NULL;
	const char *with = strstr(nm, "_WITH_");
	return with != NULL ? with + 6 : nm + 4;
}

/* Do two suites protect records with the same cipher (and MAC)?  Suites that
 * differ only in their key exchange, as TLS 1.2 offers list them, do: an offer
 * of AES_128_GCM_SHA256 with ECDHE_ECDSA, ECDHE_RSA, RSA and DHE_RSA is narrow
 * in its cipher however many suites spell it. */
static bool same_cipher(uint16_t a, uint16_t b)
{
	const char *x = suite_cipher(a), *y = suite_cipher(b);
	return x != NULL && y != NULL && strcmp(x, y) == 0;
}

/*
 * How narrow the client's offer is, in each dimension (docs/causes.md, "Narrow
 * offers"), only when no ServerHello answered it: a server that refuses a
 * ClientHello most likely refuses it for the dimension in which it is narrow.
 */
static void offer_shape(struct tlsa_diag_ctx *c, const struct tlsa_hs_facts *hs)
{
	if (!hs->client_hello || hs->server_hello)
		return;
	size_t nv = 0, kept = hs->n_versions_offered;
	uint16_t one = 0;
	if (kept > sizeof(hs->versions_offered) / sizeof(hs->versions_offered[0]))
		kept = sizeof(hs->versions_offered) / sizeof(hs->versions_offered[0]);
	for (size_t i = 0; i < kept; i++) {
		if (tlsa_version_rank(tlsa_version_from_wire(hs->versions_offered[i])) == 0)
			continue;
		nv++;
		one = hs->versions_offered[i];
	}
	if (nv > 0)
		c->versions_narrow = yes_no(nv == 1 && hs->n_versions_offered == kept);
	if (c->versions_narrow == TLSA_TRI_YES)
		c->narrow_version = one;
	size_t ng = 0;
	bool common = false;
	uint16_t two[2] = {0, 0};
	for (size_t i = 0; i < hs->n_groups && i < TLSA_HS_MAX_LIST; i++) {
		uint16_t g = hs->groups[i];
		if (grease(g))
			continue;
		if (ng < 2)
			two[ng] = g;
		ng++;
		common = common || g == 0x001d || g == 0x0017; /* x25519, secp256r1 */
	}
	if (hs->n_groups > 0)
		c->groups_narrow =
			yes_no(hs->n_groups <= TLSA_HS_MAX_LIST && ng >= 1 && ng <= 2 && !common);
	if (c->groups_narrow == TLSA_TRI_YES)
		memcpy(c->narrow_groups, two, sizeof(two));
	int key = 0;
	bool mixed = false;
	for (size_t i = 0; i < hs->n_sigalgs && i < TLSA_HS_MAX_LIST; i++) {
		int k = sigalg_key(hs->sigalgs[i]);
		if (k != 0 && key != 0 && k != key)
			mixed = true;
		if (k != 0)
			key = k;
	}
	if (key != 0)
		c->sigalgs_narrow = yes_no(!mixed && hs->n_sigalgs <= TLSA_HS_MAX_LIST);
	if (c->sigalgs_narrow == TLSA_TRI_YES)
		c->narrow_sigalg_key = (uint8_t)key;
	size_t ns = 0;
	uint16_t first = 0;
	bool one_cipher = true;
	for (size_t i = 0; i < hs->n_suites && i < TLSA_HS_MAX_LIST; i++) {
		uint16_t v = hs->suites[i];
		if (grease(v) || v == 0x00ff || v == 0x5600)
			continue; /* SCSVs are no suites */
		ns++;
		if (first == 0)
			first = v;
		else
			one_cipher = one_cipher && same_cipher(first, v);
	}
	if (hs->n_suites > 0)
		c->suites_narrow =
			yes_no(hs->n_suites <= TLSA_HS_MAX_LIST && (ns <= 3 || one_cipher));
	if (c->suites_narrow == TLSA_TRI_YES) {
		c->narrow_suites = (uint8_t)(ns > 255 ? 255 : ns);
		c->narrow_suite_cipher = ns > 3 ? first : 0;
	}
}

/* Case-insensitive equality of n bytes (ASCII). */
static bool same_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

/*
 * RFC 6125 6.4: does the certificate's DNS name `pattern` match `host`?  ASCII
 * case is ignored and a final dot too.  A wildcard counts only as the whole
 * left-most label ("*.example.com"), stands for exactly one non-empty label
 * (not "a.b.example.com", not the bare "example.com"), and needs two labels
 * after it; a partial-label wildcard ("w*.example.com") or one elsewhere
 * matches nothing.
 */
static bool dns_name_matches(const char *pattern, const char *host)
{
	size_t pl = strlen(pattern), hl = strlen(host);
	if (pl > 0 && pattern[pl - 1] == '.')
		pl--;
	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (pl == 0 || hl == 0)
		return false;
	if (pl > 2 && pattern[0] == '*' && pattern[1] == '.') {
		const char *dot = memchr(host, '.', hl);
		size_t rest = dot != NULL ? hl - (size_t)(dot - host) : 0;
		return dot != NULL && dot != host && rest == pl - 1 &&
		       memchr(pattern + 2, '.', pl - 2) != NULL &&
		       memchr(pattern + 1, '*', pl - 1) == NULL && same_ci(dot, pattern + 1, rest);
	}
	return memchr(pattern, '*', pl) == NULL && pl == hl && same_ci(pattern, host, hl);
}

/* Is `host` (the SNI) one of the certificate's names: its DNS SAN entries, or,
 * only when it has no SAN, its commonName?  Unknown when the name could be
 * among the SAN entries not kept, and when only the commonName matches: Go
 * (since 1.15), browsers and Python built without the fallback no longer read
 * the commonName, OpenSSL's and GnuTLS's checks still do, so a match there does
 * not rule a name mismatch out. */
static tlsa_tri name_mismatch(const struct tlsa_cert_info *ci, const char *host)
{
	if (ci->san_count == 0)
		return ci->cn[0] == '\0' || !dns_name_matches(ci->cn, host) ? TLSA_TRI_YES
									    : TLSA_TRI_UNKNOWN;
	for (int i = 0; i < ci->san_count && i < TLSA_CERT_SAN_MAX; i++)
		if (!(ci->san_ip & (1u << i)) && dns_name_matches(ci->san[i], host))
			return TLSA_TRI_NO;
	return ci->san_count > TLSA_CERT_SAN_MAX ? TLSA_TRI_UNKNOWN : TLSA_TRI_YES;
}

/* A key too small for today's verifiers: RSA or DSA under 2048 bits, EC under 224. */
static tlsa_tri weak_key(const struct tlsa_cert_info *ci)
{
	if (ci->key_bits <= 0)
		return TLSA_TRI_UNKNOWN;
	if (strcmp(ci->key_type, "EC") == 0)
		return yes_no(ci->key_bits < 224);
	if (strncmp(ci->key_type, "RSA", 3) == 0 || strcmp(ci->key_type, "DSA") == 0)
		return yes_no(ci->key_bits < 2048);
	return TLSA_TRI_NO; /* Ed25519, Ed448 */
}

/* Validity against the capture time, from the string times when the DER times
 * were not read (both are RFC 3339 UTC, so they compare as strings). */
static void validity(struct tlsa_diag_ctx *c, const struct tlsa_cert_info *ci, int64_t now)
{
	if (ci->times_known) {
		c->cert_expired = yes_no(now > ci->not_after_unix);
		c->cert_not_yet_valid = yes_no(now < ci->not_before_unix);
		return;
	}
	char text[24];
	struct tm tm;
	time_t t = (time_t)now;
	if (ci->not_after[0] == '\0' || ci->not_before[0] == '\0' || gmtime_r(&t, &tm) == NULL ||
	    strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return;
	c->cert_expired = yes_no(strcmp(text, ci->not_after) > 0);
	c->cert_not_yet_valid = yes_no(strcmp(text, ci->not_before) < 0);
}

/*
 * Facts about the certificate the alert's sender was verifying (the peer's),
 * whenever the capture showed it: validity at the time of the alert's packet
 * (not the clock of the machine reading the capture), the SNI against its
 * names, self-signed, its issuer missing from the chain, chain order, key size.
 */
static void cert_facts(struct tlsa_diag_ctx *c, const struct tlsa_alert_event *ev)
{
	const struct tlsa_cert_info *ci = ev->sender == TLSA_ROLE_CLIENT   ? ev->server_cert
					  : ev->sender == TLSA_ROLE_SERVER ? ev->client_cert
									   : NULL;
	/* The values for the evidence are set only with a certificate: a context
	 * without one stays the same for alike alerts (scan remembers their causes). */
	if (ci == NULL || !ci->parsed || ev->pkt == NULL)
		return;
	c->cert = ci;
	c->capture_time = ev->pkt->ts_sec;
	if (ev->hs != NULL && ev->hs->sni[0] != '\0')
		c->sni = ev->hs->sni;
	validity(c, ci, ev->pkt->ts_sec);
	if (!ci->facts_read) {
		if (ci->subject[0] != '\0')
			c->cert_self_signed = yes_no(strcmp(ci->subject, ci->issuer) == 0);
		return;
	}
	c->cert_self_signed = yes_no(ci->self_signed);
	c->cert_issuer_missing = yes_no(!ci->self_signed && !ci->issuer_in_chain);
	if (ci->chain_length > 1)
		c->cert_chain_misordered = yes_no(!ci->chain_ordered);
	c->cert_weak_key = weak_key(ci);
	if (ev->sender == TLSA_ROLE_CLIENT && c->sni != NULL) {
		c->cert_name_mismatch = name_mismatch(ci, c->sni);
		c->cert_name_cn_only = yes_no(ci->san_count == 0 && ci->cn[0] != '\0' &&
					      dns_name_matches(ci->cn, c->sni));
	}
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
	/* The event's own stage, when the step vocabulary knows it: the evidence
	 * names it as the event did ("server_hello_done", not "server_flight"). */
	const char *step = tlsa_step_parse(ev->stage);
	c->step = step != NULL ? ev->stage : NULL;
	/* A server verifies only the client's certificate, a client only the server's. */
	if (c->sender != TLSA_PARTY_UNKNOWN)
		c->verifies_client_cert = yes_no(c->sender == TLSA_PARTY_SERVER);
	c->version = ev->version;
	c->encrypted = yes_no(ev->encrypted);
	c->inferred = yes_no(ev->inferred);
	/* Application data before any ServerHello is a protocol error, not a
	 * session that was in use. */
	if (step != NULL && strcmp(step, "application") == 0 && ev->hs != NULL &&
	    ev->hs->server_hello)
		c->app_data_seen = TLSA_TRI_YES;
	if (step != NULL && strcmp(step, "renegotiation") == 0)
		c->renegotiating = TLSA_TRI_YES;
	if (ev->hs != NULL) {
		hello_facts(c, ev->hs);
		offer_shape(c, ev->hs);
	}
	/* Plain text answered the ClientHello, or not: the tracker reads the first
	 * bytes of both directions, so a capture that shows no plain-text answer
	 * rules the plain-text service out (a DTLS flow never has one). */
	c->peer_plaintext = yes_no(ev->peer_plaintext);
	c->quic = yes_no(ev->quic);
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
	/* Every QUIC wording a log pattern knows says so (m->transport); a mention
	 * without it is TLS over TCP, and QUIC's own causes do not apply. */
	c->quic = m->transport != NULL && strcmp(m->transport, "quic") == 0 ? TLSA_TRI_YES
									    : TLSA_TRI_NO;
	return true;
}
