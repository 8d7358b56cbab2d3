/*
 * Removing QUIC packet protection (RFC 9001 5.3-5.4, 5.8): header
 * protection (a mask from AES-ECB or ChaCha20 over a sample of the
 * ciphertext), packet number decoding (RFC 9000 A.3), the AEAD of the
 * payload, and the Retry integrity tag.
 *
 * The packet is never written: the unprotected first byte and packet number
 * are kept in the packet struct, and the AEAD reads its associated data (the
 * unprotected header) in three pieces (first byte, the bytes up to the
 * packet number as sent, the packet number), so a capture read in place can
 * be decrypted in place.  The contexts come from the caller's
 * tlsa_quic_ctx, which keeps the last few keys of each cipher set up.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "quic_int.h"

uint64_t tlsa_quic_pn_decode(uint64_t largest_pn, uint64_t truncated, unsigned pn_nbits)
{
	const uint64_t pn_max = (uint64_t)1 << 62;
	if (pn_nbits == 0 || pn_nbits > 32)
		return truncated;
	uint64_t expected = largest_pn == TLSA_QUIC_PN_NONE ? 0 : largest_pn + 1;
	if (expected > pn_max)
		expected = pn_max; /* no genuine packet number is larger */
	uint64_t win = (uint64_t)1 << pn_nbits, hwin = win / 2, mask = win - 1;
	uint64_t cand = (expected & ~mask) | (truncated & mask);
	if (expected >= hwin && cand <= expected - hwin && cand < pn_max - win)
		return cand + win;
	if (cand > expected + hwin && cand >= win)
		return cand - win;
	return cand;
}

/* The 5 bytes of header protection mask from a 16-byte sample; 0 or TLSA_EUNSUPP
 * (libcrypto lacks the cipher or failed). */
static int hp_mask(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *k,
		   const uint8_t sample[16], uint8_t mask[16])
{
	static const uint8_t zeros[5];
	EVP_CIPHER_CTX *x;
	int ol = 0;
	if (k->aead == TLSA_QUIC_AEAD_CHACHA20_POLY1305) {
		/* counter = sample[0..3] (little-endian), nonce = sample[4..15]: libcrypto's
		 * 16-byte ChaCha20 IV is exactly that */
		x = qc_cipher_keyed(qc, QC_CHACHA20, k->hp, 32, true);
		if (x == NULL || EVP_EncryptInit_ex2(x, NULL, NULL, sample, NULL) != 1 ||
		    EVP_EncryptUpdate(x, mask, &ol, zeros, 5) != 1 || ol != 5)
			return TLSA_EUNSUPP;
		return 0;
	}
	x = qc_cipher_keyed(qc, k->key_len == 16 ? QC_AES_128_ECB : QC_AES_256_ECB, k->hp,
			    k->key_len, true);
	if (x == NULL || EVP_EncryptUpdate(x, mask, &ol, sample, 16) != 1 || ol != 16)
		return TLSA_EUNSUPP;
	return 0;
}

static bool protected_type(tlsa_quic_ptype t)
{
	return t == TLSA_QUIC_PKT_INITIAL || t == TLSA_QUIC_PKT_0RTT ||
	       t == TLSA_QUIC_PKT_HANDSHAKE || t == TLSA_QUIC_PKT_1RTT;
}

int tlsa_quic_unprotect_header(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *k,
			       struct tlsa_quic_packet *p, uint64_t largest_pn,
			       struct tlsa_error *err)
{
	if (qc == NULL || k == NULL || p == NULL || k->aead == TLSA_QUIC_AEAD_NONE)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "no keys for header protection");
	if (!protected_type(p->type))
		return tlsa_error_set(err, TLSA_EINVAL, p->offset,
				      "a %s packet has no header protection",
				      tlsa_quic_ptype_name(p->type));
	/* the sample starts 4 bytes after the packet number's offset */
	size_t so = p->pn_offset + 4;
	if (p->len < so + 16)
		return tlsa_error_set(err, TLSA_ETRUNC, p->offset,
				      "%s packet of %zu bytes is too short for a header protection "
				      "sample (needs %zu)",
				      tlsa_quic_ptype_name(p->type), p->len, so + 16);
	uint8_t mask[16];
	if (hp_mask(qc, k, p->data + so, mask) != 0)
		return tlsa_error_set(err, TLSA_EUNSUPP, p->offset,
				      "libcrypto cannot compute the header protection mask");
	uint8_t h0 = (uint8_t)(p->first ^ (mask[0] & (p->long_header ? 0x0f : 0x1f)));
	p->hdr0 = h0;
	p->pn_len = (uint8_t)((h0 & 3) + 1);
	uint64_t truncated = 0;
	for (unsigned i = 0; i < 4; i++) {
		p->pn_bytes[i] = 0;
		if (i < p->pn_len) {
			p->pn_bytes[i] = (uint8_t)(p->data[p->pn_offset + i] ^ mask[1 + i]);
			truncated = truncated << 8 | p->pn_bytes[i];
		}
	}
	p->pn = tlsa_quic_pn_decode(largest_pn, truncated, 8u * p->pn_len);
	p->payload_offset = p->pn_offset + p->pn_len;
	p->reserved = (uint8_t)(p->long_header ? (h0 >> 2) & 3 : (h0 >> 3) & 3);
	p->key_phase = !p->long_header && (h0 & 0x04) != 0;
	return 0;
}

static enum qc_cipher_id aead_id(const struct tlsa_quic_keys *k)
{
	switch (k->aead) {
	case TLSA_QUIC_AEAD_AES_256_GCM: return QC_AES_256_GCM;
	case TLSA_QUIC_AEAD_CHACHA20_POLY1305: return QC_CHACHA20_POLY1305;
	default: return QC_AES_128_GCM;
	}
}

/* Feeds n bytes of associated data (n may be 0). */
static bool aad(EVP_CIPHER_CTX *x, const uint8_t *p, size_t n)
{
	int ol = 0;
	return n == 0 || EVP_DecryptUpdate(x, NULL, &ol, p, (int)n) == 1;
}

/* The unprotected header as associated data: copied together into one call
 * when it is short (each call into the AEAD costs about as much as 16 bytes
 * of it), else in its three pieces. */
static bool header_aad(EVP_CIPHER_CTX *x, const struct tlsa_quic_packet *p)
{
	uint8_t h[96];
	if (p->pn_offset + p->pn_len > sizeof(h))
		return aad(x, &p->hdr0, 1) && aad(x, p->data + 1, p->pn_offset - 1) &&
		       aad(x, p->pn_bytes, p->pn_len);
	h[0] = p->hdr0;
	memcpy(h + 1, p->data + 1, p->pn_offset - 1);
	memcpy(h + p->pn_offset, p->pn_bytes, p->pn_len);
	return aad(x, h, p->pn_offset + p->pn_len);
}

/* Checks the tag after the ciphertext; 1 when it matches. */
static int check_tag(EVP_CIPHER_CTX *x, const uint8_t *tag, uint8_t *out_end, int *ol)
{
	uint8_t t[16];
	memcpy(t, tag, 16);
	if (EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, 16, t) != 1)
		return 0;
	return EVP_DecryptFinal_ex(x, out_end, ol);
}

int tlsa_quic_decrypt_payload(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *k,
			      const struct tlsa_quic_packet *p, uint8_t *out, size_t cap,
			      size_t *out_len, struct tlsa_error *err)
{
	if (qc == NULL || k == NULL || p == NULL || out_len == NULL ||
	    k->aead == TLSA_QUIC_AEAD_NONE || p->pn_len == 0 || !protected_type(p->type))
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "no keys, or header protection not removed first");
	*out_len = 0;
	if (p->len < p->payload_offset + 16 || p->len > INT_MAX)
		return tlsa_error_set(err, TLSA_ETRUNC, p->offset,
				      "%s packet of %zu bytes has no room for its tag",
				      tlsa_quic_ptype_name(p->type), p->len);
	size_t n = p->len - p->payload_offset - 16;
	if (cap < n)
		return tlsa_error_set(err, TLSA_ELIMIT, p->offset,
				      "payload of %zu bytes, buffer of %zu", n, cap);
	uint8_t nonce[12];
	memcpy(nonce, k->iv, 12);
	for (unsigned i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(p->pn >> (8 * i));
	EVP_CIPHER_CTX *x = qc_cipher_keyed(qc, aead_id(k), k->key, k->key_len, false);
	int l1 = 0, l2 = 0;
	if (x == NULL || EVP_DecryptInit_ex2(x, NULL, NULL, nonce, NULL) != 1 || !header_aad(x, p) ||
	    (n > 0 && EVP_DecryptUpdate(x, out, &l1, p->data + p->payload_offset, (int)n) != 1))
		return tlsa_error_set(err, TLSA_EUNSUPP, p->offset, "libcrypto cannot decrypt");
	if (check_tag(x, p->data + p->len - 16, out + l1, &l2) != 1) {
		OPENSSL_cleanse(out, n);
		return tlsa_error_set(err, TLSA_EAUTH, p->offset,
				      "%s packet %llu fails authentication",
				      tlsa_quic_ptype_name(p->type), (unsigned long long)p->pn);
	}
	*out_len = (size_t)l1 + (size_t)l2;
	return 0;
}

int tlsa_quic_retry_verify(struct tlsa_quic_ctx *qc, const struct tlsa_quic_packet *retry,
			   const uint8_t *odcid, size_t odcid_len)
{
	if (qc == NULL || retry == NULL || retry->type != TLSA_QUIC_PKT_RETRY || retry->len < 16 ||
	    retry->len > INT_MAX || odcid_len > 255 || (odcid == NULL && odcid_len > 0))
		return TLSA_EINVAL;
	const struct quic_version *v = quic_version_find(retry->version);
	if (v == NULL)
		return TLSA_EUNSUPP;
	/* the Retry pseudo-packet: ODCID length, ODCID, the Retry packet without its tag */
	uint8_t ol8 = (uint8_t)odcid_len;
	EVP_CIPHER_CTX *x = qc_cipher_keyed(qc, QC_AES_128_GCM, v->retry_key, 16, false);
	int l = 0;
	if (x == NULL || EVP_DecryptInit_ex2(x, NULL, NULL, v->retry_nonce, NULL) != 1 ||
	    !aad(x, &ol8, 1) || !aad(x, odcid, odcid_len) || !aad(x, retry->data, retry->len - 16))
		return TLSA_EUNSUPP;
	uint8_t none[16];
	return check_tag(x, retry->data + retry->len - 16, none, &l) == 1 ? 0 : TLSA_EAUTH;
}
