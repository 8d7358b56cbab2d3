/*
 * The record decoder: TLS, DTLS and SSLv2 records or bare alert bodies ->
 * one tlsa_decoded per alert.  All reads go through the checked reader of
 * rd.h; no length field is trusted before it is checked against what is
 * left.  The rules (what counts as encrypted, fragments, TLS 1.3 checks) are
 * described in include/tlsalert/decode.h and docs/decode.md.
 */
#include <stdio.h>
#include <string.h>

#include "base/ascii.h"
#include "base/opts.h"
#include "base/rd.h"
#include "tlsalert/decode.h"

/* TLSCiphertext limit of TLS 1.0-1.2 (2^14 + 2048); TLS 1.3 and DTLS are lower. */
#define MAX_RECORD 18432u
/* No protection makes one 2-byte alert shorter than this (TLS 1.3 AES-CCM-8). */
#define MIN_ENCRYPTED 11u

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23 };

struct dec {
	const struct tlsa_decode_opts *o;
	tlsa_decode_fn fn;
	void *ctx;
	struct tlsa_error *err;
	/* The first byte of an alert whose second byte is in a later record. */
	bool pending;
	uint8_t pend_level;
	struct tlsa_decoded pend;
};

const char *tlsa_record_type_name(tlsa_record_type t)
{
	switch (t) {
	case TLSA_RECORD_TLS: return "tls";
	case TLSA_RECORD_DTLS: return "dtls";
	case TLSA_RECORD_BARE: return "bare";
	case TLSA_RECORD_SSL2: return "sslv2";
	}
	return "unknown";
}

static bool is13(tlsa_version v)
{
	return v == TLSA_VER_TLS13 || v == TLSA_VER_DTLS13;
}

static tlsa_version rules_for(const struct dec *s, tlsa_version rec)
{
	return s->o->version != TLSA_VER_UNKNOWN ? s->o->version : rec;
}

static int emit(struct dec *s, struct tlsa_decoded *d)
{
	if (is13(d->rules) && (d->flags & (TLSA_DEC_FRAGMENTED | TLSA_DEC_COALESCED)))
		d->flags |= TLSA_DEC_TLS13_ILLEGAL;
	return s->fn ? s->fn(s->ctx, d) : 0;
}

static int context(struct dec *s, const struct tlsa_decoded *h, const char *what)
{
	if (s->o->on_record == NULL)
		return 0;
	struct tlsa_record_info r = {
		.offset = h->offset,
		.record_type = h->record_type,
		.content_type = h->content_type,
		.record_version = h->record_version,
		.version = h->version,
		.record_length = h->record_length,
		.what = what,
	};
	return s->o->on_record(s->ctx, &r);
}

static void init_decoded(struct tlsa_decoded *d, size_t off)
{
	memset(d, 0, sizeof(*d));
	d->offset = off;
	d->content_type = -1;
	d->level = -1;
	d->description = -1;
	d->ssl2_error = -1;
}

/* ---- context: what a non-alert record holds ----------------------------- */

static const char *handshake_name(uint8_t t)
{
	switch (t) {
	case 0: return "HelloRequest";
	case 1: return "ClientHello";
	case 2: return "ServerHello";
	case 3: return "HelloVerifyRequest";
	case 4: return "NewSessionTicket";
	case 5: return "EndOfEarlyData";
	case 6: return "HelloRetryRequest";
	case 8: return "EncryptedExtensions";
	case 11: return "Certificate";
	case 12: return "ServerKeyExchange";
	case 13: return "CertificateRequest";
	case 14: return "ServerHelloDone";
	case 15: return "CertificateVerify";
	case 16: return "ClientKeyExchange";
	case 20: return "Finished";
	case 21: return "CertificateURL";
	case 22: return "CertificateStatus";
	case 23: return "SupplementalData";
	case 24: return "KeyUpdate";
	case 25: return "CompressedCertificate";
	case 254: return "MessageHash";
	}
	return NULL;
}

static void append(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(buf);
	if (n < cap)
		snprintf(buf + n, cap - n, "%s", s);
}

/* Names the handshake messages of a record when their headers are coherent. */
static void describe_handshake(struct rd body, bool dtls, char *buf, size_t cap)
{
	int n = 0;

	buf[0] = '\0';
	while (rd_left(&body) > 0) {
		uint8_t type = rd_u8(&body);
		uint32_t mlen = rd_u24(&body);
		if (dtls) {
			(void)rd_u16(&body);  /* message_seq */
			(void)rd_u24(&body);  /* fragment_offset */
			mlen = rd_u24(&body); /* fragment_length */
		}
		const char *name = handshake_name(type);
		if (!rd_ok(&body) || name == NULL) {
			if (n == 0)
				snprintf(buf, cap,
					 "handshake data: encrypted or a continued message");
			else
				append(buf, cap, ", then unparsable data");
			return;
		}
		append(buf, cap, n ? ", " : "");
		append(buf, cap, name);
		n++;
		if (mlen > rd_left(&body)) {
			append(buf, cap, " (continues in a later record)");
			return;
		}
		(void)rd_skip(&body, mlen);
	}
	if (n == 0)
		snprintf(buf, cap, "empty handshake record");
}

static int walk_other(struct dec *s, const struct tlsa_decoded *h, struct rd body)
{
	char what[200];
	bool dtls = h->record_type == TLSA_RECORD_DTLS;

	switch (h->content_type) {
	case CT_CCS: snprintf(what, sizeof(what), "change_cipher_spec"); break;
	case CT_HANDSHAKE: describe_handshake(body, dtls, what, sizeof(what)); break;
	case CT_APPDATA: snprintf(what, sizeof(what), "application_data"); break;
	case 24: snprintf(what, sizeof(what), "heartbeat"); break;
	case 25:
		snprintf(what, sizeof(what), "tls12_cid (connection ID record, type hidden)");
		break;
	case 26: snprintf(what, sizeof(what), "ack"); break;
	default: snprintf(what, sizeof(what), "content type %d", h->content_type); break;
	}
	return context(s, h, what);
}

/* ---- alerts ---------------------------------------------------------- */

static int plaintext_alerts(struct dec *s, const struct tlsa_decoded *h, struct rd body)
{
	size_t total = rd_left(&body);

	while (rd_left(&body) > 0) {
		struct tlsa_decoded d;
		if (s->pending) {
			d = s->pend;
			d.level = s->pend_level;
			d.description = rd_u8(&body);
			d.flags |= TLSA_DEC_FRAGMENTED;
			s->pending = false;
		} else if (rd_left(&body) >= 2) {
			d = *h;
			d.level = rd_u8(&body);
			d.description = rd_u8(&body);
			if (total > 2)
				d.flags |= TLSA_DEC_COALESCED;
		} else {
			s->pend = *h;
			if (total > 1)
				s->pend.flags |= TLSA_DEC_COALESCED;
			s->pend_level = rd_u8(&body);
			s->pending = true;
			break;
		}
		int rc = emit(s, &d);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int encrypted_alert(struct dec *s, struct tlsa_decoded *d, bool tls13_shape)
{
	if (s->pending)
		return tlsa_error_set(s->err, TLSA_EINVAL, d->offset,
				      "an encrypted alert record interrupts the fragmented alert "
				      "started at byte %zu: expected its second byte",
				      s->pend.offset);
	d->encrypted = true;
	d->cipher_shapes = tlsa_encrypted_alert_shapes(d->record_length, tls13_shape);
	return emit(s, d);
}

/* ---- record framings ------------------------------------------------- */

static int tls_or_dtls_record(struct dec *s, struct rd *r)
{
	size_t off = rd_offset(r), left = rd_left(r);
	struct tlsa_decoded h;
	struct rd peek = *r;

	init_decoded(&h, off);
	h.content_type = rd_u8(&peek);
	h.record_version = rd_u16(&peek);
	bool dtls = (h.record_version >> 8) == 0xfe;
	size_t hlen = dtls ? 13 : 5;

	if (left < 3 && !rd_ok(&peek))
		return tlsa_error_set(s->err, TLSA_ETRUNC, off,
				      "truncated record header: expected %zu bytes (type, version, "
				      "length), found %zu",
				      hlen, left);
	h.version = tlsa_version_from_wire(h.record_version);
	if (dtls && h.version == TLSA_VER_UNKNOWN)
		return tlsa_error_set(s->err, TLSA_EINVAL, off + 1,
				      "unknown DTLS record version 0x%04x: expected 0xfeff, 0xfefd "
				      "or 0xfefc",
				      h.record_version);
	if (!dtls && (h.record_version < 0x0300 || h.record_version > 0x0304))
		return tlsa_error_set(
			s->err, TLSA_EINVAL, off + 1,
			"unknown record version 0x%04x after content type %d: expected "
			"0x0300-0x0304 (SSL 3.0-TLS 1.3) or 0xfeff/0xfefd/0xfefc (DTLS)",
			h.record_version, h.content_type);
	if (left < hlen)
		return tlsa_error_set(s->err, TLSA_ETRUNC, off,
				      "truncated %s record header: expected %zu bytes, found %zu",
				      dtls ? "DTLS" : "TLS", hlen, left);
	(void)rd_skip(r, 3);
	h.record_type = dtls ? TLSA_RECORD_DTLS : TLSA_RECORD_TLS;
	if (dtls) {
		h.epoch = rd_u16(r);
		h.seq = rd_u48(r);
	}
	h.record_length = rd_u16(r);
	h.rules = rules_for(s, h.version);
	if (h.record_length > MAX_RECORD)
		return tlsa_error_set(s->err, TLSA_EINVAL, off + hlen - 2,
				      "absurd record length %zu: expected at most %u (2^14 + 2048)",
				      h.record_length, MAX_RECORD);
	if (h.record_length > rd_left(r))
		return tlsa_error_set(s->err, TLSA_ETRUNC, off,
				      "truncated record: the header announces %zu bytes, found %zu",
				      h.record_length, rd_left(r));
	struct rd body = rd_sub(r, h.record_length);

	if (h.content_type == CT_ALERT) {
		if (h.record_length == 0)
			return tlsa_error_set(s->err, TLSA_EINVAL, off,
					      "empty alert record: expected at least 1 byte");
		if (h.record_length >= MIN_ENCRYPTED)
			return encrypted_alert(s, &h, false);
		return plaintext_alerts(s, &h, body);
	}
	if (h.content_type == CT_APPDATA && !dtls && is13(h.rules) &&
	    (h.record_length == 19 || h.record_length == 11)) {
		h.flags |= TLSA_DEC_APPDATA_SIZE;
		return encrypted_alert(s, &h, true);
	}
	return walk_other(s, &h, body);
}

/* DTLS 1.3 unified header (RFC 9147 s4): 001CSLEE [CID] seq(1|2) [length(2)]. */
static int unified_record(struct dec *s, struct rd *r)
{
	size_t off = rd_offset(r);
	struct tlsa_decoded h;

	init_decoded(&h, off);
	uint8_t b = rd_u8(r);
	h.record_type = TLSA_RECORD_DTLS;
	h.version = TLSA_VER_DTLS13;
	h.rules = rules_for(s, TLSA_VER_DTLS13);
	h.epoch = b & 3;
	h.flags = TLSA_DEC_UNIFIED;
	if (b & 0x10) {
		/* The connection ID's length was negotiated: unknowable here. */
		h.flags |= TLSA_DEC_LENGTH_GUESS;
		h.record_length = rd_left(r);
		(void)rd_skip(r, rd_left(r));
	} else {
		size_t want = (b & 0x08 ? 2u : 1u) + (b & 0x04 ? 2u : 0u);
		if (rd_left(r) < want)
			return tlsa_error_set(
				s->err, TLSA_ETRUNC, off,
				"truncated DTLS 1.3 unified header 0x%02x: expected %zu "
				"more bytes, found %zu",
				b, want, rd_left(r));
		(void)rd_skip(r, b & 0x08 ? 2 : 1);
		if (b & 0x04) {
			h.record_length = rd_u16(r);
			if (h.record_length > MAX_RECORD)
				return tlsa_error_set(
					s->err, TLSA_EINVAL, off + want - 1,
					"absurd record length %zu: expected at most %u",
					h.record_length, MAX_RECORD);
			if (h.record_length > rd_left(r))
				return tlsa_error_set(
					s->err, TLSA_ETRUNC, off,
					"truncated DTLS 1.3 record: the header announces "
					"%zu bytes, found %zu",
					h.record_length, rd_left(r));
		} else {
			h.flags |= TLSA_DEC_LENGTH_GUESS;
			h.record_length = rd_left(r);
		}
		(void)rd_skip(r, h.record_length);
	}
	if (h.record_length == 19 || h.record_length == 11)
		return encrypted_alert(s, &h, true);
	return context(s, &h, "encrypted DTLS 1.3 record (content type hidden), not alert-sized");
}

static const char *ssl2_msg_name(uint8_t t)
{
	static const char *const names[] = {
		"ERROR",	   "CLIENT-HELLO",	  "CLIENT-MASTER-KEY",
		"CLIENT-FINISHED", "SERVER-HELLO",	  "SERVER-VERIFY",
		"SERVER-FINISHED", "REQUEST-CERTIFICATE", "CLIENT-CERTIFICATE",
	};
	return t < N_ELEMS(names) ? names[t] : NULL;
}

const char *tlsa_ssl2_error_name(int code)
{
	switch (code) {
	case 1: return "NO-CIPHER-ERROR";
	case 2: return "NO-CERTIFICATE-ERROR";
	case 4: return "BAD-CERTIFICATE-ERROR";
	case 6: return "UNSUPPORTED-CERTIFICATE-TYPE-ERROR";
	}
	return NULL;
}

/* SSLv2 record with a 2-byte header: 1LLLLLLL LLLLLLLL, then the message. */
static int ssl2_record(struct dec *s, struct rd *r)
{
	size_t off = rd_offset(r);
	struct tlsa_decoded h;

	init_decoded(&h, off);
	if (rd_left(r) < 2)
		return tlsa_error_set(s->err, TLSA_ETRUNC, off,
				      "truncated SSLv2 record header: expected 2 bytes, found 1");
	h.record_length = rd_u16(r) & 0x7fff;
	h.record_type = TLSA_RECORD_SSL2;
	h.version = TLSA_VER_SSL2;
	h.rules = rules_for(s, TLSA_VER_SSL2);
	if (h.record_length == 0)
		return tlsa_error_set(s->err, TLSA_EINVAL, off,
				      "empty SSLv2 record: expected a message type byte");
	if (h.record_length > rd_left(r))
		return tlsa_error_set(s->err, TLSA_ETRUNC, off,
				      "truncated SSLv2 record: the header announces %zu bytes, "
				      "found %zu",
				      h.record_length, rd_left(r));
	struct rd body = rd_sub(r, h.record_length);
	uint8_t mt = rd_u8(&body);
	if (mt != 0) {
		char what[64];
		const char *n = ssl2_msg_name(mt);
		if (n)
			snprintf(what, sizeof(what), "SSLv2 %s", n);
		else
			snprintf(what, sizeof(what), "SSLv2 message type %u (or encrypted)", mt);
		return context(s, &h, what);
	}
	if (rd_left(&body) < 2)
		return tlsa_error_set(s->err, TLSA_ETRUNC, off + 3,
				      "truncated SSL 2.0 ERROR message: expected a 2-byte error "
				      "code, found %zu bytes",
				      rd_left(&body));
	h.ssl2_error = rd_u16(&body);
	h.flags |= TLSA_DEC_SSL2_ERROR;
	if (s->pending)
		return tlsa_error_set(s->err, TLSA_EINVAL, off,
				      "an SSLv2 record interrupts the fragmented alert started at "
				      "byte %zu: expected its second byte",
				      s->pend.offset);
	return emit(s, &h);
}

static int bare_alerts(struct dec *s, struct rd *r, bool forced)
{
	while (rd_left(r) > 0) {
		size_t off = rd_offset(r);
		struct tlsa_decoded d;
		init_decoded(&d, off);
		d.record_type = TLSA_RECORD_BARE;
		d.record_length = 2;
		d.rules = rules_for(s, TLSA_VER_UNKNOWN);
		if (rd_left(r) < 2)
			return tlsa_error_set(s->err, TLSA_ETRUNC, off,
					      "truncated bare alert: expected 2 bytes (level, "
					      "description), found 1");
		struct rd peek = *r;
		uint8_t level = rd_u8(&peek);
		if (!forced && level != 1 && level != 2)
			return tlsa_error_set(
				s->err, TLSA_EINVAL, off,
				"expected a bare alert level (1 or 2), found 0x%02x: bare "
				"alerts and records cannot be mixed",
				level);
		d.level = rd_u8(r);
		d.description = rd_u8(r);
		int rc = emit(s, &d);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int tlsa_decode_alerts_opt(const uint8_t *buf, size_t len, const struct tlsa_decode_opts *o,
			   tlsa_decode_fn fn, void *ctx, struct tlsa_error *err)
{
	struct tlsa_decode_opts opts;
	opts_load(&opts, sizeof(opts), o);
	struct dec s = {&opts, fn, ctx, err, false, 0, {0}};
	struct rd r = rd_init(buf, buf ? len : 0);

	if (rd_left(&r) == 0)
		return 0;
	struct rd peek = r;
	uint8_t first = rd_u8(&peek);
	if (s.o->bare || first == 1 || first == 2)
		return bare_alerts(&s, &r, s.o->bare);

	while (rd_left(&r) > 0) {
		size_t off = rd_offset(&r);
		peek = r;
		uint8_t t = rd_u8(&peek);
		int rc;
		if (t >= 20 && t <= 26)
			rc = tls_or_dtls_record(&s, &r);
		else if (t >= 0x20 && t <= 0x3f)
			rc = unified_record(&s, &r);
		else if (t & 0x80)
			rc = ssl2_record(&s, &r);
		else
			rc = tlsa_error_set(
				err, TLSA_EINVAL, off,
				"unknown content type 0x%02x: expected a record type "
				"(0x14-0x1a), a DTLS 1.3 unified header (0x20-0x3f), an "
				"SSLv2 header (0x80-0xff)%s",
				t, off == 0 ? " or a bare alert level (1, 2)" : "");
		if (rc != 0)
			return rc;
	}
	if (s.pending)
		return tlsa_error_set(
			err, TLSA_ETRUNC, rd_offset(&r),
			"input ended inside a fragmented alert: the record at byte %zu "
			"carried its first byte (level %u), expected the second",
			s.pend.offset, s.pend_level);
	return 0;
}

int tlsa_decode_alerts(const uint8_t *buf, size_t len, tlsa_decode_fn fn, void *ctx,
		       struct tlsa_error *err)
{
	return tlsa_decode_alerts_opt(buf, len, NULL, fn, ctx, err);
}

const char *tlsa_encrypted_alert_shapes(size_t len, bool tls13)
{
	if (tls13) {
		if (len == 19)
			return "TLS 1.3 AEAD with a 16-byte tag (AES-GCM, ChaCha20-Poly1305, "
			       "AES-CCM): 2 + 1 inner type + 16, no padding";
		if (len == 11)
			return "TLS 1.3 AES-128-CCM-8: 2 + 1 inner type + 8, no padding";
		if (len > 19 && len <= 19 + 255)
			return "TLS 1.3 AEAD with a 16-byte tag and record padding";
		if (len > 11 && len < 19)
			return "TLS 1.3 AES-128-CCM-8 with record padding";
		return NULL;
	}
	switch (len) {
	case 18:
		return "ChaCha20-Poly1305 (2 + 16 tag), AES-CCM-8 (8 nonce + 2 + 8 tag) or RC4-MD5 "
		       "(2 + 16 MAC)";
	case 22:
		return "RC4-SHA (2 + 20 MAC), or a NULL cipher with HMAC-SHA1 (the first 2 bytes "
		       "are then the alert in clear)";
	case 24: return "3DES-CBC with HMAC-SHA1, TLS 1.0 / SSL 3.0 (implicit IV)";
	case 26:
		return "AES-GCM, AES-CCM, ARIA-GCM or Camellia-GCM (8-byte explicit nonce, 16-byte "
		       "tag)";
	case 32:
		return "AES-CBC with HMAC-SHA1, TLS 1.0 / SSL 3.0 (implicit IV), or 3DES-CBC with "
		       "HMAC-SHA1, TLS 1.1/1.2 (explicit IV)";
	case 48: return "AES-CBC with HMAC-SHA1, TLS 1.1/1.2 (16-byte explicit IV)";
	case 52: return "AES-CBC with HMAC-SHA1 and encrypt_then_mac (RFC 7366)";
	case 64: return "AES-CBC with HMAC-SHA256, TLS 1.2 (16-byte explicit IV)";
	case 80: return "AES-CBC with HMAC-SHA384, TLS 1.2 (16-byte explicit IV)";
	}
	/* CBC records may carry up to 255 bytes of padding beyond the minimum. */
	if (len > 24 && len <= 80 + 256 && len % 8 == 0)
		return "a CBC cipher suite with extra padding (the length is a multiple of the "
		       "block size)";
	return NULL;
}
