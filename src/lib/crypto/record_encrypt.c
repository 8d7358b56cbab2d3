/*
 * Record protection, the sealing side: the exact inverse of
 * tlsa_dir_decrypt() on the same direction state, for a peer that writes
 * its own records (tlsalert serve's alerts).  TLS 1.3 (RFC 8446 5.2), TLS
 * 1.2 AEAD (RFC 5288, 6655, 7905), CBC MAC-then-encrypt (RFC 5246 6.2.3.2)
 * and encrypt-then-MAC (RFC 7366), stream and NULL suites, DTLS 1.0/1.2
 * (RFC 6347 4.1).  The helpers both sides share are declared in
 * crypto_int.h; the cipher contexts are those of record_decrypt.c.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto_int.h"
#include "tlsalert/decrypt.h"

void rec_pseudo_header(uint8_t h[13], uint64_t seq, uint8_t type, uint16_t version, size_t len)
{
	for (int i = 0; i < 8; i++)
		h[i] = (uint8_t)(seq >> (56 - 8 * i));
	h[8] = type;
	h[9] = (uint8_t)(version >> 8);
	h[10] = (uint8_t)version;
	h[11] = (uint8_t)(len >> 8);
	h[12] = (uint8_t)len;
}

void rec_nonce(const struct tlsa_cipher_dir *d, uint64_t seq, const uint8_t *explicit8,
	       uint8_t nonce[12])
{
	if (explicit8 != NULL) {
		memcpy(nonce, d->iv, 4);
		memcpy(nonce + 4, explicit8, 8);
		return;
	}
	memcpy(nonce, d->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
}

/* Where the parts of the record go, worked out before anything is written. */
struct layout {
	size_t hdr;    /* 5, or 13 for DTLS */
	size_t lead;   /* explicit nonce or IV after the header */
	size_t fill;   /* TLS 1.3 zero padding; CBC: the padding length byte's value */
	size_t body;   /* the length field */
	size_t mac;    /* MAC length (CBC, stream, NULL) */
	uint64_t seq;  /* sequence number for nonce, MAC and additional data */
	uint16_t ver;  /* header version */
	uint8_t outer; /* header type */
};

static bool is_aead(const struct tlsa_suite *s)
{
	return s->prot != TLSA_PROT_CBC && s->prot != TLSA_PROT_STREAM && s->prot != TLSA_PROT_NULL;
}

/* The body length for each kind of protection, with `pad` checked. */
static int body_len(const struct tlsa_cipher_dir *d, size_t n, size_t pad, struct layout *L,
		    struct tlsa_error *err)
{
	const struct tlsa_suite *s = d->suite;
	size_t tl = rec_tag_len(s);
	if (s->tls13) {
		L->fill = pad;
		L->body = n + 1 + pad + tl;
		return 0;
	}
	if (s->prot != TLSA_PROT_CBC) { /* AEAD, stream, NULL */
		if (pad != 0)
			return tlsa_error_set(err, TLSA_EINVAL, 0,
					      "%s records have no padding to add", s->name);
		L->lead = is_aead(s) && s->prot != TLSA_PROT_CHACHA ? 8 : 0;
		L->body = L->lead + n + tl + L->mac;
		return 0;
	}
	size_t bl = s->block_len;
	if (pad % bl != 0 || (pad != 0 && d->version == 0x0300))
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "extra CBC padding must be whole %zu-byte blocks (and none "
				      "in SSL 3.0), not %zu",
				      bl, pad);
	L->lead = d->dtls || d->version >= 0x0302 ? bl : 0;
	size_t covered = n + 1 + (d->etm ? 0 : L->mac); /* what the padding rounds up */
	L->fill = (bl - covered % bl) % bl + pad;
	if (L->fill > 255)
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "%zu bytes of CBC padding do not fit its length byte",
				      L->fill + 1);
	L->body = L->lead + covered + L->fill + (d->etm ? L->mac : 0);
	return 0;
}

/* Checks the request and works out the record's layout and sequence number. */
static int plan(const struct tlsa_cipher_dir *d, uint8_t type, size_t n, size_t pad, size_t cap,
		struct layout *L, struct tlsa_error *err)
{
	const struct tlsa_suite *s = d->suite;
	memset(L, 0, sizeof(*L));
	if (s->tls13 && type == 0)
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "TLS 1.3 inner content type 0 cannot be told from padding");
	if (n > 0xffff || pad > 0xffff)
		return tlsa_error_set(err, TLSA_ELIMIT, 0,
				      "%zu bytes of plaintext do not fit one record", n);
	L->hdr = d->dtls ? 13 : 5;
	L->mac = tlsa_hash_len(s->mac);
	L->outer = s->tls13 ? 23 : type;
	L->ver = s->tls13 ? 0x0303 : d->version;
	if (d->dtls && d->seq >> 48 != 0)
		return tlsa_error_set(err, TLSA_ELIMIT, 0, "DTLS sequence numbers exhausted");
	if (!d->dtls && d->seq == UINT64_MAX)
		return tlsa_error_set(err, TLSA_ELIMIT, 0, "TLS sequence numbers exhausted");
	L->seq = d->dtls ? (uint64_t)d->epoch << 48 | d->seq : d->seq;
	int rc = body_len(d, n, pad, L, err);
	if (rc != 0)
		return rc;
	if (L->body > 0xffff)
		return tlsa_error_set(err, TLSA_ELIMIT, 0,
				      "a %zu-byte record body does not fit the length field",
				      L->body);
	if (cap < L->hdr + L->body)
		return tlsa_error_set(err, TLSA_ELIMIT, 0,
				      "output buffer of %zu bytes is smaller than the %zu-byte "
				      "record",
				      cap, L->hdr + L->body);
	return 0;
}

static void put_header(const struct layout *L, bool dtls, uint8_t *out)
{
	out[0] = L->outer;
	out[1] = (uint8_t)(L->ver >> 8);
	out[2] = (uint8_t)L->ver;
	size_t i = 3;
	if (dtls)
		for (int k = 0; k < 8; k++) /* epoch(2) || sequence number(6) */
			out[i++] = (uint8_t)(L->seq >> (56 - 8 * k));
	out[i] = (uint8_t)(L->body >> 8);
	out[i + 1] = (uint8_t)L->body;
}

/* Prepares the shared context for an AEAD seal under d's key and nonce. */
static int aead_init(struct tlsa_cipher_dir *d, const uint8_t nonce[12], bool ccm, int tl)
{
	struct ctx_use u = rec_ctx_of(d);
	if (ccm || !*u.set) {
		/* as in opening: GCM and ChaCha20-Poly1305 keep the cipher and IV
		 * length (and the key, the same both ways); CCM starts afresh */
		rec_mark_keyed(d, false);
		u.keyed = false;
		*u.set = false;
		if (EVP_EncryptInit_ex2(u.c, u.cipher, NULL, NULL, NULL) != 1 ||
		    EVP_CIPHER_CTX_ctrl(u.c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1)
			return TLSA_EAUTH;
		*u.set = !ccm;
	}
	if (ccm && EVP_CIPHER_CTX_ctrl(u.c, EVP_CTRL_AEAD_SET_TAG, tl, NULL) != 1)
		return TLSA_EAUTH;
	if (EVP_EncryptInit_ex2(u.c, NULL, u.keyed ? NULL : d->key, nonce, NULL) != 1) {
		rec_mark_keyed(d, false);
		return TLSA_EAUTH;
	}
	rec_mark_keyed(d, true);
	return 0;
}

/* AEAD seal of n bytes of pt (pt == ct allowed) with the tag after them. */
static int aead_seal(struct tlsa_cipher_dir *d, const uint8_t nonce[12], const uint8_t *aad,
		     size_t aad_len, const uint8_t *pt, size_t n, uint8_t *ct)
{
	const struct tlsa_suite *s = d->suite;
	if (s->builtin) /* Camellia-GCM */
		return soft_gcm_seal(s->cipher_name, d->key, s->key_len, nonce, aad, aad_len, pt, n,
				     ct, ct + n);
	bool ccm = s->prot == TLSA_PROT_CCM || s->prot == TLSA_PROT_CCM8;
	int tl = (int)rec_tag_len(s), l = 0;
	if (aead_init(d, nonce, ccm, tl) != 0)
		return TLSA_EAUTH;
	EVP_CIPHER_CTX *c = rec_ctx_of(d).c;
	if (ccm && EVP_EncryptUpdate(c, NULL, &l, NULL, (int)n) != 1)
		return TLSA_EAUTH;
	if (EVP_EncryptUpdate(c, NULL, &l, aad, (int)aad_len) != 1 ||
	    EVP_EncryptUpdate(c, ct, &l, pt, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + l, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, tl, ct + n) != 1)
		return TLSA_EAUTH;
	return 0;
}

/* TLS 1.3 and TLS 1.2 AEAD records. */
static int seal_aead(struct tlsa_cipher_dir *d, const struct layout *L, uint8_t type,
		     const uint8_t *plain, size_t n, uint8_t *out)
{
	uint8_t nonce[12], aad[13], explicit8[8];
	uint8_t *body = out + L->hdr, *ct = body + L->lead;
	if (d->suite->tls13) {
		/* TLSInnerPlaintext: content || type || zeros, sealed in place */
		memcpy(ct, plain, n);
		ct[n] = type;
		memset(ct + n + 1, 0, L->fill);
		rec_nonce(d, L->seq, NULL, nonce);
		return aead_seal(d, nonce, out, 5, ct, n + 1 + L->fill, ct);
	}
	rec_pseudo_header(aad, L->seq, type, L->ver, n);
	if (L->lead == 8) { /* the explicit nonce: the sequence number */
		memcpy(explicit8, aad, 8);
		memcpy(body, explicit8, 8);
	}
	rec_nonce(d, L->seq, L->lead == 8 ? explicit8 : NULL, nonce);
	return aead_seal(d, nonce, aad, 13, plain, n, ct);
}

/* CBC encryption of n bytes (whole blocks) in place with this IV.  The
 * context then holds an encryption key schedule, which opening cannot use:
 * it is marked as holding no known key. */
static int cbc_encrypt(struct tlsa_cipher_dir *d, const uint8_t *iv, uint8_t *buf, size_t n)
{
	if (d->suite->builtin) { /* IDEA */
		idea_cbc_encrypt(d->key, iv, buf, n, buf);
		return 0;
	}
	struct ctx_use u = rec_ctx_of(d);
	int l = 0;
	rec_mark_keyed(d, false);
	if (!*u.set) {
		if (EVP_EncryptInit_ex2(u.c, u.cipher, NULL, NULL, NULL) != 1)
			return TLSA_EAUTH;
		*u.set = true;
	}
	if (EVP_EncryptInit_ex2(u.c, NULL, d->key, iv, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(u.c, 0) != 1 ||
	    EVP_EncryptUpdate(u.c, buf, &l, buf, (int)n) != 1 || (size_t)l != n)
		return TLSA_EAUTH;
	return 0;
}

/* CBC records: MAC-then-encrypt, or encrypt-then-MAC (d->etm). */
static int seal_cbc(struct tlsa_cipher_dir *d, const struct layout *L, uint8_t type,
		    const uint8_t *plain, size_t n, uint8_t *out)
{
	size_t bl = d->suite->block_len;
	uint8_t *body = out + L->hdr, *p = body + L->lead, iv[16];
	if (L->lead != 0 && RAND_bytes(body, (int)L->lead) != 1)
		return TLSA_EAUTH;
	memcpy(iv, L->lead != 0 ? body : d->iv, bl);
	memcpy(p, plain, n);
	size_t k = n;
	if (!d->etm) {
		if (rec_mac(d, L->seq, type, L->ver, plain, n, p + k) != 0)
			return TLSA_EAUTH;
		k += L->mac;
	}
	memset(p + k, (int)L->fill, L->fill + 1);
	k += L->fill + 1;
	if (cbc_encrypt(d, iv, p, k) != 0)
		return TLSA_EAUTH;
	if (L->lead == 0) /* SSL 3.0, TLS 1.0: the last block is the next IV */
		memcpy(d->iv, p + k - bl, bl);
	if (d->etm && rec_mac(d, L->seq, type, L->ver, body, L->lead + k, p + k) != 0)
		return TLSA_EAUTH;
	return 0;
}

/* Stream (RC4) and NULL records: plain || MAC, encrypted by the stream.
 * RC4 is its own inverse: the context set up for opening seals too. */
static int seal_stream(struct tlsa_cipher_dir *d, const struct layout *L, uint8_t type,
		       const uint8_t *plain, size_t n, uint8_t *out)
{
	uint8_t *p = out + L->hdr;
	int l = 0;
	memcpy(p, plain, n);
	if (rec_mac(d, L->seq, type, L->ver, plain, n, p + n) != 0)
		return TLSA_EAUTH;
	if (d->suite->prot == TLSA_PROT_STREAM &&
	    (EVP_DecryptUpdate(d->cipher_ctx, p, &l, p, (int)(n + L->mac)) != 1 ||
	     (size_t)l != n + L->mac))
		return TLSA_EAUTH;
	return 0;
}

int tlsa_dir_encrypt_padded(struct tlsa_cipher_dir *d, uint8_t type, const uint8_t *plain, size_t n,
			    size_t pad, uint8_t *out, size_t cap, size_t *out_len,
			    struct tlsa_error *err)
{
	if (out_len != NULL)
		*out_len = 0;
	if (d == NULL || !d->ready || (plain == NULL && n > 0) || out == NULL || out_len == NULL)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "encryption state not set up");
	struct layout L;
	int rc = plan(d, type, n, pad, cap, &L, err);
	if (rc != 0)
		return rc;
	static const uint8_t none[1];
	if (plain == NULL)
		plain = none;
	put_header(&L, d->dtls, out);
	const struct tlsa_suite *s = d->suite;
	if (s->tls13 || is_aead(s))
		rc = seal_aead(d, &L, type, plain, n, out);
	else if (s->prot == TLSA_PROT_CBC)
		rc = seal_cbc(d, &L, type, plain, n, out);
	else
		rc = seal_stream(d, &L, type, plain, n, out);
	if (rc != 0)
		return tlsa_error_set(err, TLSA_EAUTH, 0, "sealing failed in libcrypto (%s)",
				      s->name);
	d->last_seq = L.seq;
	d->seq++;
	*out_len = L.hdr + L.body;
	return 0;
}

int tlsa_dir_encrypt(struct tlsa_cipher_dir *d, uint8_t type, const uint8_t *plain, size_t n,
		     uint8_t *out, size_t cap, size_t *out_len, struct tlsa_error *err)
{
	return tlsa_dir_encrypt_padded(d, type, plain, n, 0, out, cap, out_len, err);
}
