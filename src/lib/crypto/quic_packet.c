/*
 * QUIC packet headers (RFC 9000 17, RFC 8999 for the version-independent
 * part, RFC 9369 3.2 for version 2's long packet types), read through the
 * bounds-checked reader: every length in a header is untrusted.  A long
 * header's Length delimits a packet within its datagram, so coalesced
 * packets are found by parsing again where the previous one ends.
 *
 * The parser stops at the packet number, which header protection hides
 * (quic_protect.c removes it): its length is in the protected first byte.
 */
#include <string.h>

#include "quic_int.h"

size_t tlsa_quic_varint(const uint8_t *p, size_t len, uint64_t *v)
{
	if (p == NULL || v == NULL)
		return 0;
	struct rd r = rd_init(p, len);
	uint64_t x = rd_varint(&r);
	if (!rd_ok(&r))
		return 0;
	*v = x;
	return rd_offset(&r);
}

const char *tlsa_quic_ptype_name(tlsa_quic_ptype t)
{
	switch (t) {
	case TLSA_QUIC_PKT_INITIAL: return "Initial";
	case TLSA_QUIC_PKT_0RTT: return "0-RTT";
	case TLSA_QUIC_PKT_HANDSHAKE: return "Handshake";
	case TLSA_QUIC_PKT_RETRY: return "Retry";
	case TLSA_QUIC_PKT_VN: return "Version Negotiation";
	case TLSA_QUIC_PKT_1RTT: return "1-RTT";
	case TLSA_QUIC_PKT_UNKNOWN: break;
	}
	return "unknown";
}

/* The long packet type bits of a known version. */
static tlsa_quic_ptype long_type(uint8_t first, bool v2)
{
	static const tlsa_quic_ptype v1_types[4] = {TLSA_QUIC_PKT_INITIAL, TLSA_QUIC_PKT_0RTT,
						    TLSA_QUIC_PKT_HANDSHAKE, TLSA_QUIC_PKT_RETRY};
	static const tlsa_quic_ptype v2_types[4] = {TLSA_QUIC_PKT_RETRY, TLSA_QUIC_PKT_INITIAL,
						    TLSA_QUIC_PKT_0RTT, TLSA_QUIC_PKT_HANDSHAKE};
	return (v2 ? v2_types : v1_types)[(first >> 4) & 3];
}

/* The rest of a long header after the connection IDs, for a known version:
 * the token of an Initial, the Length of the protected ones, the tag of a
 * Retry. */
static int long_rest(struct rd *r, struct tlsa_quic_packet *p, struct tlsa_error *err)
{
	const char *name = tlsa_quic_ptype_name(p->type);
	if (p->type == TLSA_QUIC_PKT_RETRY) {
		size_t left = rd_left(r);
		if (left < 16)
			return tlsa_error_set(
				err, TLSA_EINVAL, rd_offset(r),
				"Retry packet with %zu bytes after its connection IDs, "
				"shorter than its 16-byte integrity tag",
				left);
		p->token = r->p;
		p->token_len = left - 16;
		p->retry_tag = r->p + left - 16;
		p->len = rd_offset(r) + left - p->offset;
		return 0;
	}
	if (p->type == TLSA_QUIC_PKT_INITIAL) {
		size_t at = rd_offset(r);
		uint64_t tl = rd_varint(r);
		if (!rd_ok(r) || tl > rd_left(r))
			return tlsa_error_set(err, TLSA_ETRUNC, at,
					      "Initial packet's token of %llu bytes runs past the "
					      "datagram",
					      (unsigned long long)tl);
		p->token_len = (size_t)tl;
		p->token = rd_bytes(r, p->token_len);
	}
	size_t at = rd_offset(r);
	uint64_t length = rd_varint(r);
	if (!rd_ok(r) || length > rd_left(r))
		return tlsa_error_set(err, TLSA_ETRUNC, at,
				      "%s packet's Length %llu runs past the datagram (%zu bytes "
				      "left)",
				      name, (unsigned long long)length, rd_ok(r) ? rd_left(r) : 0);
	p->pn_offset = rd_offset(r) - p->offset;
	p->len = p->pn_offset + (size_t)length;
	return 0;
}

/* The connection IDs of a long header (RFC 8999 5.1): up to 255 bytes each. */
static int long_cids(struct rd *r, struct tlsa_quic_packet *p, struct tlsa_error *err)
{
	p->dcid_len = rd_u8(r);
	p->dcid = rd_bytes(r, p->dcid_len);
	p->scid_len = rd_ok(r) ? rd_u8(r) : 0;
	p->scid = rd_bytes(r, p->scid_len);
	if (!rd_ok(r))
		return tlsa_error_set(err, TLSA_ETRUNC, p->offset,
				      "long header runs past the datagram in its connection IDs");
	if (p->dcid_len == 0)
		p->dcid = NULL;
	if (p->scid_len == 0)
		p->scid = NULL;
	return 0;
}

int tlsa_quic_parse(const uint8_t *dgram, size_t len, size_t off, size_t short_dcid_len,
		    struct tlsa_quic_packet *p, struct tlsa_error *err)
{
	if (p == NULL)
		return tlsa_error_set(err, TLSA_EINVAL, off, "no packet struct");
	memset(p, 0, sizeof(*p));
	if (dgram == NULL || off >= len)
		return tlsa_error_set(err, TLSA_EINVAL, off, "no packet at offset %zu of %zu", off,
				      len);
	struct rd r = rd_init(dgram, len);
	rd_skip(&r, off);
	p->data = dgram + off;
	p->offset = off;
	p->first = rd_u8(&r);
	p->long_header = (p->first & 0x80) != 0;
	p->fixed_bit = (p->first & 0x40) != 0;
	if (!p->long_header) {
		if (short_dcid_len > 20)
			return tlsa_error_set(
				err, TLSA_EINVAL, off,
				"short header with a %zu-byte connection ID (at most 20)",
				short_dcid_len);
		p->type = TLSA_QUIC_PKT_1RTT;
		p->dcid_len = (uint8_t)short_dcid_len;
		p->dcid = rd_bytes(&r, short_dcid_len);
		if (!rd_ok(&r))
			return tlsa_error_set(err, TLSA_ETRUNC, off,
					      "short header shorter than its connection ID");
		p->pn_offset = 1 + short_dcid_len;
		p->len = len - off;
		return 0;
	}
	p->version = rd_u32(&r);
	int rc = long_cids(&r, p, err);
	if (rc != 0)
		return rc;
	const struct quic_version *v = p->version ? quic_version_find(p->version) : NULL;
	if (v == NULL) {
		p->len = len - off;
		if (p->version != 0) {
			p->type = TLSA_QUIC_PKT_UNKNOWN;
			return 0;
		}
		p->type = TLSA_QUIC_PKT_VN;
		if (rd_left(&r) % 4 != 0)
			return tlsa_error_set(
				err, TLSA_EINVAL, rd_offset(&r),
				"Version Negotiation with %zu bytes of versions, not a "
				"multiple of 4",
				rd_left(&r));
		p->n_versions = rd_left(&r) / 4;
		p->versions = p->n_versions ? r.p : NULL;
		return 0;
	}
	if (p->dcid_len > 20 || p->scid_len > 20)
		return tlsa_error_set(
			err, TLSA_EINVAL, off,
			"QUIC %s long header with a %u-byte connection ID (at most 20)", v->name,
			p->dcid_len > 20 ? p->dcid_len : p->scid_len);
	p->type = long_type(p->first, v->v2);
	return long_rest(&r, p, err);
}
