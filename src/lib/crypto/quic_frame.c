/*
 * QUIC frames of a decrypted payload (RFC 9000 12.4 and 19, RFC 9221's
 * DATAGRAM).  Every frame's length follows from its type and fields, so the
 * walk goes on across frames it does not return whole (ACK ranges, stream
 * limits); a type not known here has no length to skip by, and the walk
 * stops there.  Every length field is checked against what is left.
 */
#include <string.h>

#include "quic_int.h"

/* n bytes of data, n untrusted. */
static const uint8_t *take(struct rd *r, uint64_t n, size_t *len)
{
	if (n > rd_left(r)) {
		r->failed = true;
		*len = 0;
		return NULL;
	}
	*len = (size_t)n;
	return rd_bytes(r, (size_t)n);
}

/* An ACK frame's ranges and ECN counts, skipped: only the largest
 * acknowledged packet is kept. */
static void ack(struct rd *r, struct tlsa_quic_frame *f)
{
	f->value = rd_varint(r);
	rd_varint(r); /* ACK Delay */
	uint64_t ranges = rd_varint(r);
	rd_varint(r); /* First ACK Range */
	/* each range is two varints, at least 2 bytes: a count beyond that is a lie */
	if (ranges > rd_left(r) / 2) {
		r->failed = true;
		return;
	}
	for (uint64_t i = 0; i < ranges && rd_ok(r); i++) {
		rd_varint(r); /* Gap */
		rd_varint(r); /* ACK Range Length */
	}
	if (f->type == TLSA_QUIC_FRAME_ACK_ECN) {
		rd_varint(r); /* ECT0, ECT1, ECN-CE counts */
		rd_varint(r);
		rd_varint(r);
	}
}

static void stream(struct rd *r, struct tlsa_quic_frame *f)
{
	f->stream_id = rd_varint(r);
	if (f->type & 0x04)
		f->data_offset = rd_varint(r);
	uint64_t n = (f->type & 0x02) ? rd_varint(r) : rd_left(r);
	f->data = rd_ok(r) ? take(r, n, &f->data_len) : NULL;
	f->fin = (f->type & 0x01) != 0;
}

/* Returns false when the type has no known length. */
static bool conn_frame(struct rd *r, struct tlsa_quic_frame *f)
{
	switch (f->type) {
	case TLSA_QUIC_FRAME_NEW_CONNECTION_ID:
		f->seq = rd_varint(r);
		f->retire_prior_to = rd_varint(r);
		f->data = take(r, rd_u8(r), &f->data_len);
		f->reset_token = rd_bytes(r, 16);
		break;
	case TLSA_QUIC_FRAME_RETIRE_CONNECTION_ID: f->seq = rd_varint(r); break;
	case TLSA_QUIC_FRAME_PATH_CHALLENGE:
	case TLSA_QUIC_FRAME_PATH_RESPONSE: f->data = take(r, 8, &f->data_len); break;
	case TLSA_QUIC_FRAME_CONNECTION_CLOSE:
	case TLSA_QUIC_FRAME_CONNECTION_CLOSE_APP:
		f->error_code = rd_varint(r);
		if (f->type == TLSA_QUIC_FRAME_CONNECTION_CLOSE)
			f->frame_type = rd_varint(r);
		f->data = take(r, rd_varint(r), &f->data_len);
		break;
	case TLSA_QUIC_FRAME_HANDSHAKE_DONE: break;
	case TLSA_QUIC_FRAME_DATAGRAM: f->data = take(r, rd_left(r), &f->data_len); break;
	case TLSA_QUIC_FRAME_DATAGRAM + 1: f->data = take(r, rd_varint(r), &f->data_len); break;
	default: return false;
	}
	return true;
}

/* The body of a frame after its type; false when the type has no known length. */
static bool frame_body(struct rd *r, struct tlsa_quic_frame *f)
{
	if (f->type >= TLSA_QUIC_FRAME_STREAM && f->type <= 0x0f) {
		stream(r, f);
		return true;
	}
	switch (f->type) {
	case TLSA_QUIC_FRAME_PING: break;
	case TLSA_QUIC_FRAME_ACK:
	case TLSA_QUIC_FRAME_ACK_ECN: ack(r, f); break;
	case TLSA_QUIC_FRAME_RESET_STREAM:
		f->stream_id = rd_varint(r);
		f->error_code = rd_varint(r);
		f->value = rd_varint(r);
		break;
	case TLSA_QUIC_FRAME_STOP_SENDING:
		f->stream_id = rd_varint(r);
		f->error_code = rd_varint(r);
		break;
	case TLSA_QUIC_FRAME_CRYPTO:
		f->data_offset = rd_varint(r);
		f->data = take(r, rd_varint(r), &f->data_len);
		break;
	case TLSA_QUIC_FRAME_NEW_TOKEN: f->data = take(r, rd_varint(r), &f->data_len); break;
	case TLSA_QUIC_FRAME_MAX_STREAM_DATA:
	case TLSA_QUIC_FRAME_STREAM_DATA_BLOCKED:
		f->stream_id = rd_varint(r);
		f->value = rd_varint(r);
		break;
	case TLSA_QUIC_FRAME_MAX_DATA:
	case TLSA_QUIC_FRAME_MAX_STREAMS_BIDI:
	case TLSA_QUIC_FRAME_MAX_STREAMS_UNI:
	case TLSA_QUIC_FRAME_DATA_BLOCKED:
	case TLSA_QUIC_FRAME_STREAMS_BLOCKED_BIDI:
	case TLSA_QUIC_FRAME_STREAMS_BLOCKED_UNI: f->value = rd_varint(r); break;
	default: return conn_frame(r, f);
	}
	return true;
}

int tlsa_quic_frame_next(const uint8_t *payload, size_t len, size_t *pos, struct tlsa_quic_frame *f,
			 struct tlsa_error *err)
{
	if (payload == NULL || pos == NULL || f == NULL)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "no payload");
	memset(f, 0, sizeof(*f));
	if (*pos >= len)
		return 0;
	f->offset = *pos;
	if (payload[*pos] == TLSA_QUIC_FRAME_PADDING) {
		/* padding fills most of a client's Initial: eight bytes at a time */
		size_t e = *pos;
		uint64_t w;
		while (e + 8 <= len && (memcpy(&w, payload + e, 8), w == 0))
			e += 8;
		while (e < len && payload[e] == 0)
			e++;
		f->len = e - *pos;
		*pos = e;
		return 1;
	}
	struct rd r = rd_init(payload, len);
	rd_skip(&r, *pos);
	f->type = rd_varint(&r);
	if (!rd_ok(&r))
		return tlsa_error_set(err, TLSA_ETRUNC, f->offset,
				      "frame type runs past the payload");
	if (!frame_body(&r, f))
		return tlsa_error_set(err, TLSA_EUNSUPP, f->offset,
				      "frame type 0x%llx has no length known here",
				      (unsigned long long)f->type);
	if (!rd_ok(&r)) {
		const char *name = tlsa_quic_frame_name(f->type);
		return tlsa_error_set(err, TLSA_ETRUNC, f->offset, "%s frame runs past the payload",
				      name ? name : "STREAM");
	}
	if (f->type == TLSA_QUIC_FRAME_NEW_CONNECTION_ID && (f->data_len == 0 || f->data_len > 20))
		return tlsa_error_set(err, TLSA_EINVAL, f->offset,
				      "NEW_CONNECTION_ID with a %zu-byte connection ID (1 to 20)",
				      f->data_len);
	f->len = rd_offset(&r) - f->offset;
	*pos = rd_offset(&r);
	return 1;
}

const char *tlsa_quic_frame_name(uint64_t type)
{
	static const char *const names[] = {
		"PADDING",
		"PING",
		"ACK",
		"ACK_ECN",
		"RESET_STREAM",
		"STOP_SENDING",
		"CRYPTO",
		"NEW_TOKEN",
		"STREAM",
		"STREAM",
		"STREAM",
		"STREAM",
		"STREAM",
		"STREAM",
		"STREAM",
		"STREAM",
		"MAX_DATA",
		"MAX_STREAM_DATA",
		"MAX_STREAMS",
		"MAX_STREAMS",
		"DATA_BLOCKED",
		"STREAM_DATA_BLOCKED",
		"STREAMS_BLOCKED",
		"STREAMS_BLOCKED",
		"NEW_CONNECTION_ID",
		"RETIRE_CONNECTION_ID",
		"PATH_CHALLENGE",
		"PATH_RESPONSE",
		"CONNECTION_CLOSE",
		"CONNECTION_CLOSE",
		"HANDSHAKE_DONE",
	};
	if (type < sizeof(names) / sizeof(names[0]))
		return names[type];
	if (type == TLSA_QUIC_FRAME_DATAGRAM || type == TLSA_QUIC_FRAME_DATAGRAM + 1)
		return "DATAGRAM";
	return NULL;
}
