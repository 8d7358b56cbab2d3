/*
 * Handshake messages of the session tracker: plaintext (and decrypted TLS
 * 1.3) handshake bytes reassembled into whole messages in a per-direction
 * buffer, and what each message tells: the hellos (parsed into the
 * connection's handshake facts), certificates, the handshake step and the
 * history letter.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rd.h"
#include "session_int.h"

static int count_certs(const uint8_t *body, size_t len, bool tls13)
{
	struct rd r = rd_init(body, len);
	if (tls13)
		(void)rd_block(&r, 1); /* certificate_request_context */
	struct rd list = rd_block(&r, 3);
	if (!rd_ok(&r))
		return -1;
	int n = 0;
	while (rd_left(&list) > 0) {
		(void)rd_block(&list, 3);
		if (tls13)
			(void)rd_block(&list, 2); /* extensions */
		if (!rd_ok(&list))
			break;
		n++;
	}
	return n;
}

/* Type 1: the ClientHello, parsed into the handshake facts. */
static void client_hello_msg(struct tlsa_tracker *t, struct conn *c, int dir, const uint8_t *body,
			     size_t len, bool complete, const struct tlsa_pktinfo *pkt)
{
	struct tlsa_error err;
	char msg[240];
	if (c->ch_dir < 0)
		c->ch_dir = dir;
	hist_add(c, dir, 'H');
	set_step(c, S_CLIENT_HELLO);
	struct tlsa_hs_facts *hs = complete ? ses_hs_w(t, c) : NULL;
	if (hs != NULL && tlsa_parse_client_hello(body, len, c->dtls, hs, &err) != 0) {
		snprintf(msg, sizeof(msg), "malformed ClientHello at byte %zu: %s", err.offset,
			 err.msg);
		notice(t, pkt, msg);
	}
}

/* Type 2: the ServerHello or a HelloRetryRequest, parsed into the handshake facts. */
static void server_hello_msg(struct tlsa_tracker *t, struct conn *c, int dir, const uint8_t *body,
			     size_t len, bool complete, const struct tlsa_pktinfo *pkt)
{
	struct tlsa_error err;
	char msg[240];
	if (c->sh_dir < 0)
		c->sh_dir = dir;
	if (complete && len >= 34 && tlsa_is_hello_retry_random(body + 2)) {
		hist_add(c, dir, 'R');
		set_step(c, S_HRR);
	} else {
		hist_add(c, dir, 'H');
		set_step(c, S_SERVER_HELLO);
	}
	if (complete && t->kl != NULL && !c->hs->hello_retry)
		c->etm = sdec_server_hello_etm(body, len, c->dtls);
	struct tlsa_hs_facts *hs = complete ? ses_hs_w(t, c) : NULL;
	if (hs != NULL && tlsa_parse_server_hello(body, len, c->dtls, hs, &err) != 0) {
		snprintf(msg, sizeof(msg), "malformed ServerHello at byte %zu: %s", err.offset,
			 err.msg);
		notice(t, pkt, msg);
	}
}

/* The Certificate message of a side, kept whole (the chain facts need every
 * certificate) until an event needs its facts (ses_cert_get()). */
static void keep_cert_msg(struct tlsa_tracker *t, struct conn *c, int side, const uint8_t *body,
			  size_t len)
{
	const uint8_t *der;
	size_t n;
	if (c->cert[side] != NULL && c->cert[side] != &t->cert_empty) {
		hs_mem_give(t, c, sizeof(*c->cert[side]));
		free(c->cert[side]);
	}
	c->cert[side] = NULL;
	if (c->cert_msg[side] != NULL)
		hs_mem_give(t, c, c->cert_msg_len[side]);
	free(c->cert_msg[side]);
	c->cert_msg[side] = NULL;
	c->cert_chain[side] = sdec_cert_first(body, len, is_tls13(c), &der, &n);
	if (n == 0 && c->cert_chain[side] == 0) {
		c->cert[side] = &t->cert_empty; /* nothing to parse, nothing to keep */
		return;
	}
	/* counted in the flow's handshake memory: the message while it waits, the facts
	   once parsed (ses_cert_get()); what does not fit is not kept */
	size_t need = n > 0 ? len : sizeof(*c->cert[side]);
	if (!hs_mem_take(t, c, need)) {
		t->st.hs_msgs_dropped++;
		return;
	}
	if (n > 0 && (c->cert_msg[side] = malloc(len)) != NULL) {
		memcpy(c->cert_msg[side], body, len);
		c->cert_msg_len[side] = len;
		c->cert_tls13[side] = is_tls13(c);
	} else if (n == 0 && (c->cert[side] = calloc(1, sizeof(*c->cert[side]))) != NULL) {
		c->cert[side]->chain_length = c->cert_chain[side]; /* empty: nothing to parse */
	} else {
		hs_mem_give(t, c, need);
	}
}

/* Type 11: a Certificate message of either side. */
static void certificate_msg(struct tlsa_tracker *t, struct conn *c, int dir, bool from_client,
			    const uint8_t *body, size_t len, bool complete)
{
	hist_add(c, dir, 'C');
	if (complete)
		keep_cert_msg(t, c, from_client ? 0 : 1, body, len);
	struct tlsa_hs_facts *hs = ses_hs_w(t, c);
	if (from_client) {
		int n = complete ? count_certs(body, len, is_tls13(c)) : 1;
		if (hs != NULL)
			hs->client_cert_sent = n > 0 ? 1 : n == 0 ? 0 : hs->client_cert_sent;
		set_step(c, S_CLIENT_CERT);
	} else {
		if (complete && hs != NULL)
			hs->server_certs = count_certs(body, len, is_tls13(c));
		set_step(c, S_SERVER_CERT);
	}
}

/* Type 8, EncryptedExtensions of a QUIC connection (opened with the key log): the ALPN
 * the server chose, which TLS 1.3 sends here rather than in the ServerHello.  (QUIC
 * only for now: TLS 1.3 over TCP leaves alpn_selected as its outputs always had it.) */
static void encrypted_extensions_msg(struct tlsa_tracker *t, struct conn *c, const uint8_t *body,
				     size_t len)
{
	struct rd r = rd_init(body, len);
	struct rd exts = rd_block(&r, 2);
	while (rd_ok(&exts) && rd_left(&exts) >= 4) {
		uint16_t type = rd_u16(&exts);
		struct rd e = rd_block(&exts, 2);
		struct rd list = rd_block(&e, 2);
		struct rd name = rd_block(&list, 1);
		if (type != 16 || !rd_ok(&list) || rd_left(&name) == 0)
			continue;
		struct tlsa_hs_facts *hs = ses_hs_w(t, c);
		size_t n = rd_left(&name), k = 0;
		for (size_t i = 0; hs != NULL && i < n && k + 1 < sizeof(hs->alpn_selected); i++)
			hs->alpn_selected[k++] =
				name.p[i] >= 0x20 && name.p[i] < 0x7f ? (char)name.p[i] : '?';
		if (hs != NULL)
			hs->alpn_selected[k] = '\0';
		return;
	}
}

/* One handshake message from direction dir: its history letter, the step it
 * sets and what it tells. */
void ses_handshake_msg(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		       uint8_t type, const uint8_t *body, size_t len, bool complete,
		       const struct tlsa_pktinfo *pkt)
{
	tlsa_role_source src;
	bool from_client;

	if (type == 1) {
		client_hello_msg(t, c, dir, body, len, complete, pkt);
		return;
	}
	if (type == 2) {
		server_hello_msg(t, c, dir, body, len, complete, pkt);
		return;
	}
	from_client = role_of(c, f, dir, &src) == TLSA_ROLE_CLIENT;
	switch (type) {
	case 0: hist_add(c, dir, 'Z'); break; /* HelloRequest */
	case 3: hist_add(c, dir, 'W'); break; /* HelloVerifyRequest */
	case 4: hist_add(c, dir, 'T'); break; /* NewSessionTicket */
	case 5: hist_add(c, dir, 'O'); break; /* EndOfEarlyData (decrypted) */
	case 8: /* EncryptedExtensions (decrypted) */
		hist_add(c, dir, 'Y');
		if (complete && c->quic != NULL)
			encrypted_extensions_msg(t, c, body, len);
		break;
	case 24:			      /* KeyUpdate (decrypted) */
		hist_add(c, dir, 'U');
		c->d[dir].key_update = true;
		break;
	case 11: certificate_msg(t, c, dir, from_client, body, len, complete); break;
	case 12:
		hist_add(c, dir, 'K');
		set_step(c, S_SERVER_KX);
		break;
	case 13:
		hist_add(c, dir, 'Q');
		if (ses_hs_w(t, c) != NULL)
			c->hs->client_cert_requested = true;
		set_step(c, S_CERT_REQUEST);
		break;
	case 14:
		hist_add(c, dir, 'D');
		set_step(c, S_SERVER_DONE);
		break;
	case 15:
		hist_add(c, dir, 'V');
		if (!(c->in_dec13 && !from_client))
			set_step(c, S_CERT_VERIFY);
		break;
	case 16:
		hist_add(c, dir, 'K');
		set_step(c, S_CLIENT_KX);
		break;
	case 20:
		hist_add(c, dir, 'F');
		c->d[dir].finished = true;
		if (!(c->in_dec13 && !from_client))
			set_step(c, S_FINISHED);
		break;
	case 22: hist_add(c, dir, 'S'); break; /* CertificateStatus */
	default: hist_add(c, dir, '?'); break;
	}
}

/* The message being reassembled in direction dir will not fit: its type is noted, the
 * rest of it skipped and counted (ses_handshake_bytes()). */
static void hs_drop(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
		    size_t mlen, const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	ses_handshake_msg(t, c, f, dir, d->hs[0], NULL, 0, false, pkt);
	t->st.hs_bytes_dropped += d->hs_len;
	d->hs_skip = mlen + 4 - d->hs_len;
	d->hs_skip_seen = d->hs_len;
	d->hs_len = 0;
}

/* Grows direction dir's buffer to hold `want` bytes of a message of mlen + 4: to twice
 * its size, at least `want`, at most the message; false when the flow's handshake
 * memory cannot take it. */
static bool hs_grow(struct tlsa_tracker *t, struct conn *c, int dir, size_t want, size_t mlen)
{
	struct dirstate *d = &c->d[dir];
	size_t cap = d->hs_cap * 2 > want ? d->hs_cap * 2 : want;
	if (cap < HS_START)
		cap = HS_START;
	if (cap > mlen + 4)
		cap = mlen + 4;
	if (cap <= d->hs_cap)
		return true;
	if (d->hs == NULL) {
		/* the first HS_START bytes are part of the flow's fixed cost (docs/capture.md):
		   taken even when all flows' handshake memory is in use, so that a message
		   too large for what is left is still seen, and counted, as one message */
		c->hs_mem += cap;
		t->hs_mem += cap;
	} else if (!hs_mem_take(t, c, cap - d->hs_cap)) {
		return false;
	}
	uint8_t *nb = realloc(d->hs, cap);
	if (nb == NULL) {
		hs_mem_give(t, c, cap - d->hs_cap);
		return false;
	}
	d->hs = nb;
	d->hs_cap = cap;
	return true;
}

/*
 * Plaintext handshake bytes of a TLS record: reassembles messages.  The buffer
 * grows with the bytes that arrive, not with the length a header claims, so a
 * flow that sends a fragment of a hello holds no more than that fragment; all
 * of it is counted in the flow's handshake memory (hs_mem_take()).
 */
void ses_handshake_bytes(struct tlsa_tracker *t, struct conn *c, struct tlsa_flow *f, int dir,
			 const uint8_t *p, size_t n, const struct tlsa_pktinfo *pkt)
{
	struct dirstate *d = &c->d[dir];
	while (n > 0) {
		if (d->hs_skip > 0) {
			size_t k = n < d->hs_skip ? n : d->hs_skip;
			d->hs_skip -= k;
			t->st.hs_bytes_dropped += k;
			if (d->hs_skip_seen < t->o.max_handshake &&
			    (d->hs_skip_seen += k) >= t->o.max_handshake)
				t->st.hs_msgs_dropped++; /* as much came as the flow may keep */
			p += k;
			n -= k;
			continue;
		}
		if (d->hs == NULL && !hs_grow(t, c, dir, HS_START, SIZE_MAX - 4)) {
			t->st.hs_bytes_dropped += n;
			return; /* out of memory: these bytes are lost to the handshake */
		}
		/* the 4-byte header first */
		if (d->hs_len < 4) {
			size_t k = 4 - d->hs_len;
			if (k > n)
				k = n;
			memcpy(d->hs + d->hs_len, p, k);
			d->hs_len += k;
			p += k;
			n -= k;
			if (d->hs_len < 4)
				return;
		}
		size_t mlen = (size_t)d->hs[1] << 16 | (size_t)d->hs[2] << 8 | d->hs[3];
		if (mlen + 4 > t->o.max_handshake) {
			hs_drop(t, c, f, dir, mlen, pkt); /* too large to keep whatever comes */
			continue;
		}
		size_t want = mlen + 4 - d->hs_len;
		size_t k = n < want ? n : want;
		if (d->hs_len + k > d->hs_cap && !hs_grow(t, c, dir, d->hs_len + k, mlen)) {
			/* the flow's or all flows' handshake memory is used up: a message that
			   fits the cap is lost, counted now */
			t->st.hs_msgs_dropped++;
			hs_drop(t, c, f, dir, mlen, pkt);
			d->hs_skip_seen = t->o.max_handshake + 1;
			continue;
		}
		memcpy(d->hs + d->hs_len, p, k);
		d->hs_len += k;
		p += k;
		n -= k;
		if (d->hs_len == mlen + 4) {
			ses_handshake_msg(t, c, f, dir, d->hs[0], d->hs + 4, mlen, true, pkt);
			d->hs_len = 0;
		}
	}
}
