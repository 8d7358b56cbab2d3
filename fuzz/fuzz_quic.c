/*
 * Fuzz target: QUIC packets and frames (include/tlsalert/quic.h).
 *
 * Input: byte 0 is a set of flags, the rest one UDP datagram (or, with bit
 * 7, one decrypted payload).  Bits 0-4: the Destination Connection ID
 * length of a short header (modulo 21); bit 5: the 1-RTT keys are
 * AES-128-GCM (else ChaCha20-Poly1305); bit 6: they use version 2's labels;
 * bit 7: the rest is a payload, walked frame by frame.
 *
 * A datagram is parsed packet by packet as a capture reader would: Initial
 * packets are opened with the Initial keys of RFC 9001 Appendix A's
 * connection ID (8394c8f03e515708; client keys, then server keys), the
 * other protected packets with keys from Appendix A.5's secret (so the
 * RFCs' sample packets, the seeds, decrypt), Retry tags are checked against
 * the same connection ID, and every payload -- decrypted, or the ciphertext
 * when it does not authenticate -- is walked frame by frame.  Besides the
 * sanitizers, the walk checks that every packet and frame stays inside its
 * buffer and that each step moves on (tests/data/quic/gen_fuzz_seeds.py
 * writes the seeds).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/quic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t rfc_dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
static const uint8_t rfc_secret[32] = {0x9a, 0xc3, 0x12, 0xa7, 0xf8, 0x77, 0x46, 0x8e,
				       0xbe, 0x69, 0x42, 0x27, 0x48, 0xad, 0x00, 0xa1,
				       0x54, 0x43, 0xf1, 0x82, 0x03, 0xa0, 0x7d, 0x60,
				       0x60, 0xf6, 0x88, 0xf3, 0x0f, 0x21, 0x63, 0x2b};

#define MUST(c)                                                                                    \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static void walk_frames(const uint8_t *p, size_t len)
{
	size_t pos = 0;
	struct tlsa_quic_frame f;
	volatile uint64_t sum = 0;
	while (tlsa_quic_frame_next(p, len, &pos, &f, NULL) == 1) {
		MUST(f.len > 0 && f.offset + f.len == pos && pos <= len);
		MUST(f.data == NULL || (f.data >= p && f.data + f.data_len <= p + pos));
		MUST(f.reset_token == NULL ||
		     (f.reset_token >= p && f.reset_token + 16 <= p + pos));
		sum += f.type + f.error_code + f.data_len;
		if (f.data != NULL && f.data_len > 0)
			sum += f.data[f.data_len - 1];
	}
	MUST(pos <= len);
}

struct keys {
	struct tlsa_quic_keys initial[2], app[2]; /* app[1]: the next key phase */
};

/* Removes protection with k; 1 when the payload authenticated. */
static int open_with(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *k,
		     struct tlsa_quic_packet *p, uint8_t *out, size_t *ol)
{
	/* packet numbers are decoded near Appendix A.5's (654360564), which any
	 * largest value serves as well as 0 for the rest */
	if (tlsa_quic_unprotect_header(qc, k, p, p->type == TLSA_QUIC_PKT_1RTT ? 654360000 : 0,
				       NULL) != 0)
		return 0;
	MUST(p->payload_offset + 16 <= p->len && p->pn_len >= 1 && p->pn_len <= 4);
	if (tlsa_quic_decrypt_payload(qc, k, p, out, 65536, ol, NULL) != 0)
		return 0;
	MUST(*ol == p->len - p->payload_offset - 16);
	return 1;
}

static void packet(struct tlsa_quic_ctx *qc, const struct keys *ks, struct tlsa_quic_packet *p)
{
	static uint8_t out[65536];
	size_t ol = 0;
	int ok = 0;
	switch (p->type) {
	case TLSA_QUIC_PKT_INITIAL:
		ok = open_with(qc, &ks->initial[0], p, out, &ol) ||
		     open_with(qc, &ks->initial[1], p, out, &ol);
		break;
	case TLSA_QUIC_PKT_0RTT:
	case TLSA_QUIC_PKT_HANDSHAKE:
	case TLSA_QUIC_PKT_1RTT:
		ok = open_with(qc, &ks->app[0], p, out, &ol);
		if (!ok && p->pn_len > 0)
			ok = tlsa_quic_decrypt_payload(qc, &ks->app[1], p, out, sizeof(out), &ol,
						       NULL) == 0;
		break;
	case TLSA_QUIC_PKT_RETRY:
		MUST(p->retry_tag == p->data + p->len - 16);
		(void)tlsa_quic_retry_verify(qc, p, rfc_dcid, sizeof(rfc_dcid));
		return;
	case TLSA_QUIC_PKT_VN: MUST(p->n_versions * 4 <= p->len); return;
	case TLSA_QUIC_PKT_UNKNOWN: return;
	}
	if (ok)
		walk_frames(out, ol);
	else if (p->payload_offset > 0 && p->payload_offset + 16 <= p->len)
		walk_frames(p->data + p->payload_offset, p->len - p->payload_offset - 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	data++;
	size--;
	if (flags & 0x80) {
		walk_frames(data, size);
		return 0;
	}
	struct tlsa_quic_ctx *qc = tlsa_quic_ctx_new();
	struct keys ks;
	memset(&ks, 0, sizeof(ks));
	uint32_t version = (flags & 0x40) ? TLSA_QUIC_V2 : TLSA_QUIC_V1;
	MUST(qc != NULL &&
	     tlsa_quic_keys_init(qc, version, (flags & 0x20) ? 0x1301 : 0x1303, rfc_secret, 32,
				 &ks.app[0]) == 0 &&
	     tlsa_quic_keys_update(qc, &ks.app[0], &ks.app[1]) == 0);
	size_t off = 0, short_dcid = (flags & 0x1f) % 21;
	for (int i = 0; i < 64 && off < size; i++) {
		struct tlsa_quic_packet p;
		if (tlsa_quic_parse(data, size, off, short_dcid, &p, NULL) != 0)
			break;
		MUST(p.offset == off && p.len > 0 && p.len <= size - off);
		MUST(p.dcid_len == 0 || (p.dcid >= data && p.dcid + p.dcid_len <= data + size));
		if (p.type == TLSA_QUIC_PKT_INITIAL && (ks.initial[0].aead == TLSA_QUIC_AEAD_NONE ||
							ks.initial[0].version != p.version))
			MUST(tlsa_quic_initial_keys(qc, p.version, rfc_dcid, sizeof(rfc_dcid),
						    &ks.initial[0], &ks.initial[1]) == 0);
		packet(qc, &ks, &p);
		off += p.len;
	}
	tlsa_quic_ctx_free(qc);
	return 0;
}
