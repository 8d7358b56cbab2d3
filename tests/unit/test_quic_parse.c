/*
 * QUIC header and frame parsing on crafted input: every packet type of v1
 * and v2 (RFC 9369's other long type bits), Version Negotiation, unknown
 * versions, and each length field too long; every frame type of RFC 9000
 * 19 the parser reads, the frames it cannot skip, and impossible values;
 * varints (RFC 9000 A.1) and packet numbers (A.3).
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/quic.h"

static void varints(void)
{
	static const struct {
		const char *hex;
		uint64_t v;
		size_t n;
	} t[] = {
		{"c2197c5eff14e88c", 151288809941952652ull, 8},
		{"9d7f3e7d", 494878333, 4},
		{"7bbd", 15293, 2},
		{"25", 37, 1},
		{"4025", 37, 2},
	};
	uint8_t b[8];
	uint64_t v = 0;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = unhex(t[i].hex, b, sizeof(b));
		CHECK_INT(tlsa_quic_varint(b, n, &v), t[i].n);
		CHECK(v == t[i].v);
		CHECK_INT(tlsa_quic_varint(b, n - 1, &v), 0); /* one byte short */
	}
	CHECK_INT(tlsa_quic_varint(b, 0, &v), 0);
}

static void packet_numbers(void)
{
	CHECK(tlsa_quic_pn_decode(0xa82f30ea, 0x9b32, 16) == 0xa82f9b32); /* RFC 9000 A.3 */
	CHECK(tlsa_quic_pn_decode(TLSA_QUIC_PN_NONE, 0, 8) == 0);
	CHECK(tlsa_quic_pn_decode(TLSA_QUIC_PN_NONE, 0xff, 8) == 0xff);
	CHECK(tlsa_quic_pn_decode(0xff, 0x00, 8) == 0x100); /* wraps forward */
	CHECK(tlsa_quic_pn_decode(0x100, 0xff, 8) == 0xff); /* a late packet */
	CHECK(tlsa_quic_pn_decode(0x17f, 0x01, 8) == 0x101);
	CHECK(tlsa_quic_pn_decode(0x1ff, 0x01, 8) == 0x201);
	CHECK(tlsa_quic_pn_decode(0x17f, 0x80, 8) == 0x180);
	CHECK(tlsa_quic_pn_decode(10, 0xfffffffe, 32) == 0xfffffffe);
	/* no packet number beyond 2^62 - 1 */
	uint64_t top = ((uint64_t)1 << 62) - 1;
	CHECK(tlsa_quic_pn_decode(top - 1, top & 0xff, 8) == top);
	CHECK(tlsa_quic_pn_decode(UINT64_MAX - 5, 3, 8) <= ((uint64_t)1 << 62) + 0xff);
}

/* A long header of `version`, type bits `tbits`, 8-byte DCID and 4-byte SCID,
 * then `rest`; returns the length. */
static size_t long_pkt(uint8_t *b, uint32_t version, unsigned tbits, const char *rest)
{
	size_t n = 0;
	b[n++] = (uint8_t)(0xc0 | tbits << 4 | 0x03);
	for (int i = 3; i >= 0; i--)
		b[n++] = (uint8_t)(version >> (8 * i));
	b[n++] = 8;
	memset(b + n, 0xd1, 8);
	n += 8;
	b[n++] = 4;
	memset(b + n, 0x51, 4);
	n += 4;
	return n + unhex(rest, b + n, 512);
}

static void packet_types(void)
{
	uint8_t b[600];
	struct tlsa_quic_packet p;
	struct tlsa_error err;
	/* Length 0x20 (32 bytes of packet number and payload), then 8 bytes of the next packet */
	static const char *body =
		"20 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		" 0102030405060708";
	static const struct {
		uint32_t version;
		unsigned tbits;
		tlsa_quic_ptype type;
	} t[] = {
		{TLSA_QUIC_V1, 1, TLSA_QUIC_PKT_0RTT},
		{TLSA_QUIC_V1, 2, TLSA_QUIC_PKT_HANDSHAKE},
		{TLSA_QUIC_V2, 2, TLSA_QUIC_PKT_0RTT},
		{TLSA_QUIC_V2, 3, TLSA_QUIC_PKT_HANDSHAKE},
		{0xff000020, 2, TLSA_QUIC_PKT_HANDSHAKE},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = long_pkt(b, t[i].version, t[i].tbits, body);
		CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), 0);
		CHECK_INT(p.type, t[i].type);
		CHECK_INT(p.pn_offset, 20);
		CHECK_INT(p.len, 52);
		CHECK_INT(p.dcid_len, 8);
		CHECK_INT(p.scid_len, 4);
		CHECK(p.token == NULL);
		CHECK_INT(tlsa_quic_parse(b, 51, 0, 0, &p, &err), TLSA_ETRUNC);
	}
	/* Initial: a 3-byte token before the Length (v1 type 0, v2 type 1) */
	size_t n = long_pkt(b, TLSA_QUIC_V2, 1,
			    "03 aabbcc 14 000102030405060708090a0b0c0d0e0f10111213");
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_INITIAL);
	CHECK(p.token_len == 3 && p.token == b + 20);
	CHECK_INT(p.pn_offset, 24);
	CHECK_INT(p.len, n);
	n = long_pkt(b, TLSA_QUIC_V1, 0, "4400 aabbcc");
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), TLSA_ETRUNC); /* token past the end */
	n = long_pkt(b, TLSA_QUIC_V1, 0, "00 80");
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), TLSA_ETRUNC); /* Length cut */
	/* v2's Retry has type bits 0 */
	n = long_pkt(b, TLSA_QUIC_V2, 0, "7465737400000000000000000000000000000000");
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_RETRY);
	CHECK_INT(p.token_len, 4);
	/* too short to sample for header protection */
	struct tlsa_quic_keys c, s;
	struct tlsa_quic_ctx *qc = tlsa_quic_ctx_new();
	CHECK_INT(tlsa_quic_initial_keys(qc, TLSA_QUIC_V1, NULL, 0, &c, &s), 0);
	n = long_pkt(b, TLSA_QUIC_V1, 2, "13 00000000000000000000000000000000000000");
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), 0);
	CHECK_INT(tlsa_quic_unprotect_header(qc, &c, &p, 0, &err), TLSA_ETRUNC);
	n = long_pkt(b, TLSA_QUIC_V1, 2, "14 0000000000000000000000000000000000000000");
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), 0);
	CHECK_INT(tlsa_quic_unprotect_header(qc, &c, &p, 0, &err), 0);
	size_t ol;
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &c, &p, b + 100, 400, &ol, &err), TLSA_EAUTH);
	CHECK_INT(tlsa_quic_decrypt_payload(qc, &(struct tlsa_quic_keys){0}, &p, b + 100, 400, &ol,
					    &err),
		  TLSA_EINVAL);
	tlsa_quic_ctx_free(qc);
}

static void odd_headers(void)
{
	uint8_t b[600];
	struct tlsa_quic_packet p;
	struct tlsa_error err;
	/* Version Negotiation: two versions */
	size_t n = long_pkt(b, 0, 0, "00000001 6b3343cf");
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_VN);
	CHECK_INT(p.n_versions, 2);
	CHECK(p.versions == b + 19);
	CHECK_INT(tlsa_quic_parse(b, n - 1, 0, 0, &p, &err), TLSA_EINVAL);
	/* an unknown version: connection IDs up to 255 bytes, the rest is its own */
	n = long_pkt(b, 0x1a2a3a4a, 0, "0102");
	b[5] = 200;
	CHECK_INT(tlsa_quic_parse(b, n, 0, 0, &p, &err), TLSA_ETRUNC);
	memset(b + 6, 0, 210);
	b[206] = 3;
	CHECK_INT(tlsa_quic_parse(b, 230, 0, 0, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_UNKNOWN);
	CHECK_INT(p.dcid_len, 200);
	CHECK_INT(p.scid_len, 3);
	CHECK_INT(p.len, 230);
	/* a known version does not allow more than 20 */
	n = long_pkt(b, TLSA_QUIC_V1, 2, "00");
	b[5] = 21;
	memset(b + 6, 0, 40);
	CHECK_INT(tlsa_quic_parse(b, 60, 0, 0, &p, &err), TLSA_EINVAL);
	/* short headers */
	memset(b, 0, 64);
	b[0] = 0x41;
	CHECK_INT(tlsa_quic_parse(b, 64, 0, 8, &p, &err), 0);
	CHECK_INT(p.type, TLSA_QUIC_PKT_1RTT);
	CHECK_INT(p.pn_offset, 9);
	CHECK_INT(p.len, 64);
	CHECK_INT(tlsa_quic_parse(b, 64, 0, 21, &p, &err), TLSA_EINVAL);
	CHECK_INT(tlsa_quic_parse(b, 5, 0, 8, &p, &err), TLSA_ETRUNC);
	b[0] = 0x01;
	CHECK_INT(tlsa_quic_parse(b, 64, 0, 8, &p, &err), 0);
	CHECK(!p.fixed_bit);
	CHECK_INT(tlsa_quic_parse(b, 64, 64, 0, &p, &err), TLSA_EINVAL);
	CHECK_INT(tlsa_quic_parse(b, 1, 0, 0, &p, &err), 0);
	b[0] = 0xc0;
	CHECK_INT(tlsa_quic_parse(b, 3, 0, 0, &p, &err), TLSA_ETRUNC);
	CHECK_STR(tlsa_quic_ptype_name(TLSA_QUIC_PKT_HANDSHAKE), "Handshake");
	CHECK_STR(tlsa_quic_ptype_name(TLSA_QUIC_PKT_UNKNOWN), "unknown");
}

/* Parses the frames in hex; *n receives how many came before the end or the error. */
static int frames(const char *hex, struct tlsa_quic_frame *out, int max, int *n)
{
	static uint8_t b[512];
	size_t len = unhex(hex, b, sizeof(b)), pos = 0;
	struct tlsa_error err;
	int rc;
	*n = 0;
	while ((rc = tlsa_quic_frame_next(b, len, &pos, &out[*n < max ? *n : max - 1], &err)) == 1)
		(*n)++;
	return rc;
}

static void frame_types(void)
{
	struct tlsa_quic_frame f[16];
	int n;
	/* CRYPTO_ERROR 0x178 (no_application_protocol), from a CRYPTO frame */
	CHECK_INT(frames("1c 4178 06 1c 746c733a206e6f206170706c69636174696f6e2070726f746f636f6c "
			 "1d 00 00 1e 000000",
			 f, 16, &n),
		  0);
	CHECK_INT(n, 4);
	CHECK_INT(f[0].type, TLSA_QUIC_FRAME_CONNECTION_CLOSE);
	CHECK_INT(f[0].error_code, 0x178);
	CHECK_INT(f[0].frame_type, TLSA_QUIC_FRAME_CRYPTO);
	CHECK(f[0].data_len == 28 && memcmp(f[0].data, "tls: no application protocol", 28) == 0);
	CHECK_INT(f[0].len, 33);
	CHECK_INT(f[1].type, TLSA_QUIC_FRAME_CONNECTION_CLOSE_APP);
	CHECK_INT(f[1].error_code, 0);
	CHECK_INT(f[1].data_len, 0);
	CHECK_INT(f[2].type, TLSA_QUIC_FRAME_HANDSHAKE_DONE);
	CHECK_INT(f[3].type, TLSA_QUIC_FRAME_PADDING);
	CHECK_INT(f[3].len, 3);
	CHECK_INT(f[3].offset, 37);

	/* the connection ID and stream frames */
	CHECK_INT(frames("18 05 02 08 0102030405060708 000102030405060708090a0b0c0d0e0f "
			 "19 04 1a 0102030405060708 1b 0807060504030201 "
			 "0b 04 03 616263 0e 08 4010 01 02 0c 01 02 78797a",
			 f, 16, &n),
		  0);
	CHECK_INT(n, 7);
	CHECK_INT(f[0].type, TLSA_QUIC_FRAME_NEW_CONNECTION_ID);
	CHECK_INT(f[0].seq, 5);
	CHECK_INT(f[0].retire_prior_to, 2);
	CHECK(f[0].data_len == 8 && f[0].data[7] == 8);
	CHECK(f[0].reset_token != NULL && f[0].reset_token[15] == 0x0f);
	CHECK_INT(f[1].seq, 4);
	CHECK(f[2].data_len == 8 && f[3].data_len == 8 && f[3].data[0] == 8);
	CHECK_INT(f[4].stream_id, 4);
	CHECK(f[4].fin && f[4].data_len == 3 && memcmp(f[4].data, "abc", 3) == 0);
	CHECK_INT(f[5].stream_id, 8);
	CHECK_INT(f[5].data_offset, 16);
	CHECK(!f[5].fin && f[5].data_len == 1);
	CHECK_INT(f[6].data_offset, 2); /* no Length: to the end */
	CHECK_INT(f[6].data_len, 3);

	/* flow control, ACK with ranges and ECN, the DATAGRAMs */
	CHECK_INT(frames("01 03 0a 00 02 01 00 01 00 01 01 02 03 04 00 4101 07 05 05 02 "
			 "10 4400 11 00 01 12 02 13 03 14 04 15 00 05 16 06 17 07 "
			 "07 02 abcd 31 02 aabb 30 ccddee",
			 f, 16, &n),
		  0);
	CHECK_INT(n, 15);
	CHECK_INT(f[0].type, TLSA_QUIC_FRAME_PING);
	CHECK_INT(f[1].type, TLSA_QUIC_FRAME_ACK_ECN);
	CHECK_INT(f[1].value, 10);
	CHECK_INT(f[1].len, 12);
	CHECK_INT(f[2].error_code, 0x101);
	CHECK_INT(f[3].stream_id, 5);
	CHECK_INT(f[3].error_code, 2);
	CHECK_INT(f[4].value, 0x400);
	CHECK_INT(f[9].value, 5);
	CHECK(f[12].type == TLSA_QUIC_FRAME_NEW_TOKEN && f[12].data_len == 2);
	CHECK(f[13].type == 0x31 && f[13].data_len == 2);
	CHECK(f[14].type == 0x30 && f[14].data_len == 3);
	CHECK_STR(tlsa_quic_frame_name(f[14].type), "DATAGRAM");
	CHECK_STR(tlsa_quic_frame_name(0x0d), "STREAM");
	CHECK_STR(tlsa_quic_frame_name(0x1c), "CONNECTION_CLOSE");
	CHECK(tlsa_quic_frame_name(0x1f) == NULL);
}

static void frame_faults(void)
{
	struct tlsa_quic_frame f[4];
	int n;
	/* an unknown type stops the walk where it is */
	CHECK_INT(frames("01 21 00", f, 4, &n), TLSA_EUNSUPP);
	CHECK_INT(n, 1);
	CHECK_INT(f[1].type, 0x21);
	CHECK_INT(f[1].offset, 1);
	CHECK_INT(frames("80ff0000", f, 4, &n), TLSA_EUNSUPP);
	/* lengths past the end */
	CHECK_INT(frames("1c 4178 06 40 64 61", f, 4, &n), TLSA_ETRUNC);
	CHECK_INT(frames("06 00 10 01", f, 4, &n), TLSA_ETRUNC);
	CHECK_INT(frames("0a 00 05 01", f, 4, &n), TLSA_ETRUNC);
	CHECK_INT(frames("07 c000000000000001", f, 4, &n), TLSA_ETRUNC);
	CHECK_INT(frames("02 00 00 bfffffff 00", f, 4, &n), TLSA_ETRUNC); /* a billion ACK ranges */
	CHECK_INT(frames("40", f, 4, &n), TLSA_ETRUNC);
	CHECK_INT(frames("1a 0102", f, 4, &n), TLSA_ETRUNC);
	CHECK_INT(frames("18 00 00 10 01", f, 4, &n), TLSA_ETRUNC);
	/* a connection ID of 0 or 21 bytes */
	CHECK_INT(frames("18 00 00 00 000102030405060708090a0b0c0d0e0f", f, 4, &n), TLSA_EINVAL);
	CHECK_INT(frames("18 00 00 15 000102030405060708090a0b0c0d0e0f10111213141516171819"
			 "1a1b1c1d1e1f2021222324",
			 f, 4, &n),
		  TLSA_EINVAL);
	CHECK_INT(frames("", f, 4, &n), 0);
	CHECK_INT(n, 0);
}

int main(void)
{
	varints();
	packet_numbers();
	packet_types();
	odd_headers();
	frame_types();
	frame_faults();
	return CHECK_DONE();
}
