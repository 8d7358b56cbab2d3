/*
 * `openssl s_client -msg` transcripts.  Each message is a header line,
 *
 *   <<< TLS 1.2, Alert [length 0002], fatal handshake_failure
 *
 * followed by indented hex lines.  OpenSSL 1.1.1 and later print the record
 * header as a message of its own ("RecordHeader [length 0005]") before the
 * record's messages; older versions print bodies only.  Only Alert messages
 * are decoded; other s_client output (certificates, session details) is not
 * part of a message and is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/decode.h"

#define MSG_MAX 64 /* bytes kept per message: alerts are 2, headers 5 or 13 */

struct msg {
	bool active;
	bool is_alert, is_header;
	tlsa_direction dir;
	tlsa_version ver;
	long declared;	 /* [length NNNN], or -1 */
	size_t text_off; /* of the header line */
	size_t byte_off; /* of the first body byte in the transcript */
	uint8_t b[MSG_MAX];
	size_t n;
};

struct msgdec {
	const struct tlsa_decode_opts *o;
	tlsa_decode_fn fn;
	void *ctx;
	struct tlsa_error *err;
	size_t total; /* hex bytes so far */
	bool have_rh; /* a record header waits for its body */
	uint8_t rh[13];
	size_t rh_n, rh_off;
	/* for the wrapper */
	size_t base;
	tlsa_direction dir;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

bool tlsa_text_is_msg(const char *text, size_t len)
{
	size_t i = 0;

	while (text != NULL && i < len) {
		size_t j = i;
		while (j < len && blank(text[j]))
			j++;
		if (len - j >= 4 &&
		    (memcmp(text + j, "<<< ", 4) == 0 || memcmp(text + j, ">>> ", 4) == 0))
			return true;
		while (j < len && text[j] != '\n')
			j++;
		i = j + 1;
	}
	return false;
}

static int wrap_fn(void *ctx, const struct tlsa_decoded *d)
{
	struct msgdec *m = ctx;
	struct tlsa_decoded c = *d;
	c.offset += m->base;
	c.direction = m->dir;
	return m->fn ? m->fn(m->ctx, &c) : 0;
}

/* Parses "<<< TLS 1.2, Alert [length 0002], ..." into `msg`. */
static void parse_header(const char *t, size_t len, struct msg *msg)
{
	char ver[32] = "", kind[32] = "";
	size_t i = 4, k = 0;

	msg->dir = t[0] == '<' ? TLSA_DIR_RECEIVED : TLSA_DIR_SENT;
	while (i < len && t[i] != ',' && k + 1 < sizeof(ver))
		ver[k++] = t[i++];
	ver[k] = '\0';
	if (tlsa_version_parse(ver, &msg->ver) != 0)
		msg->ver = TLSA_VER_UNKNOWN;
	if (i < len && t[i] == ',')
		i++;
	while (i < len && blank(t[i]))
		i++;
	k = 0;
	while (i < len && t[i] != ' ' && t[i] != ',' && t[i] != '[' && k + 1 < sizeof(kind))
		kind[k++] = t[i++];
	kind[k] = '\0';
	msg->is_alert = strcmp(kind, "Alert") == 0;
	msg->is_header = strcmp(kind, "RecordHeader") == 0;
	msg->declared = -1;
	for (; i + 8 <= len; i++) {
		if (memcmp(t + i, "[length ", 8) == 0) {
			char num[16];
			size_t j = i + 8, n = 0;
			while (j < len && t[j] != ']' && n + 1 < sizeof(num))
				num[n++] = t[j++];
			num[n] = '\0';
			char *end;
			unsigned long v = strtoul(num, &end, 16);
			if (n > 0 && *end == '\0' && v <= 0xffffff)
				msg->declared = (long)v;
			break;
		}
	}
}

static int finish(struct msgdec *m, struct msg *msg)
{
	if (!msg->active)
		return 0;
	msg->active = false;
	if (msg->declared >= 0 && (size_t)msg->declared != msg->n)
		return tlsa_error_set(m->err, TLSA_EINVAL, msg->text_off,
				      "message header says %ld bytes, its hex lines hold %zu",
				      msg->declared, msg->n);
	if (msg->is_header) {
		m->have_rh = msg->n == 5 || msg->n == 13;
		if (m->have_rh) {
			memcpy(m->rh, msg->b, msg->n);
			m->rh_n = msg->n;
			m->rh_off = msg->byte_off;
		}
		return 0;
	}
	bool had_rh = m->have_rh;
	m->have_rh = false;
	if (!msg->is_alert)
		return 0;
	if (msg->n == 0 || msg->n > MSG_MAX)
		return tlsa_error_set(m->err, TLSA_EINVAL, msg->text_off,
				      "Alert message with %zu bytes: expected 2", msg->n);

	struct tlsa_decode_opts o = *m->o;
	struct tlsa_error e = {0, 0, ""};
	uint8_t rec[13 + MSG_MAX];
	size_t rn = 0;
	if (o.version == TLSA_VER_UNKNOWN)
		o.version = msg->ver;
	o.on_record = NULL;
	m->dir = msg->dir;
	/* With its header (type 21, length = body): decode the whole record. */
	if (had_rh && m->rh[0] == 21 &&
	    (size_t)(m->rh[m->rh_n - 2] << 8 | m->rh[m->rh_n - 1]) == msg->n) {
		memcpy(rec, m->rh, m->rh_n);
		memcpy(rec + m->rh_n, msg->b, msg->n);
		rn = m->rh_n + msg->n;
		m->base = m->rh_off;
		o.bare = false;
	} else {
		memcpy(rec, msg->b, msg->n);
		rn = msg->n;
		m->base = msg->byte_off;
		o.bare = true;
	}
	int rc = tlsa_decode_alerts_opt(rec, rn, &o, wrap_fn, m, &e);
	if (rc < 0)
		return tlsa_error_set(m->err, rc, msg->text_off, "in this Alert message: %s",
				      e.msg);
	return rc;
}

int tlsa_decode_msg(const char *text, size_t len, const struct tlsa_decode_opts *o,
		    tlsa_decode_fn fn, void *ctx, struct tlsa_error *err)
{
	static const struct tlsa_decode_opts defaults = {sizeof(defaults), TLSA_VER_UNKNOWN, false,
							 NULL};
	struct msgdec m = {o ? o : &defaults, fn, ctx, err, 0, false, {0}, 0, 0, 0,
			   TLSA_DIR_UNKNOWN};
	struct msg msg = {0};
	size_t i = 0;

	while (text != NULL && i < len) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		size_t j = i;
		while (j < e && blank(text[j]))
			j++;
		bool indented = j > i;
		int rc = 0;
		if (e - j >= 4 &&
		    (memcmp(text + j, "<<< ", 4) == 0 || memcmp(text + j, ">>> ", 4) == 0)) {
			rc = finish(&m, &msg);
			if (rc != 0)
				return rc;
			memset(&msg, 0, sizeof(msg));
			msg.active = true;
			msg.text_off = j;
			msg.byte_off = m.total;
			parse_header(text + j, e - j, &msg);
		} else if (j == e) {
			/* blank line */
		} else if (msg.active && indented) {
			uint8_t line[256];
			size_t n = 0;
			struct tlsa_error le;
			rc = tlsa_hex_decode(text + j, e - j, line, sizeof(line), &n, &le);
			if (rc == TLSA_ELIMIT)
				return tlsa_error_set(
					err, TLSA_EINVAL, j,
					"hex line of more than %zu bytes: expected the "
					"16 per line that s_client -msg prints",
					sizeof(line));
			if (rc != 0)
				return tlsa_error_set(err, rc, j + le.offset, "%s", le.msg);
			for (size_t k = 0; k < n; k++) {
				if (msg.n < MSG_MAX)
					msg.b[msg.n] = line[k];
				msg.n++;
			}
			m.total += n;
		} else {
			/* Other s_client output ends the message. */
			rc = finish(&m, &msg);
			if (rc != 0)
				return rc;
		}
		i = e + 1;
	}
	return finish(&m, &msg);
}
