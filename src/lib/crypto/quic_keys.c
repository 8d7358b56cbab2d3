/*
 * QUIC keys (RFC 9001 5, RFC 9369 3.3): the versions this library opens,
 * the Initial secrets from the client's Destination Connection ID, packet
 * and header protection keys from a TLS 1.3 traffic secret, key updates,
 * and the context that holds the libcrypto objects for all of it.
 *
 * Every QUIC output of HKDF-Expand-Label is at most one hash block long, so
 * with a context it is one HMAC over the HkdfLabel and 0x01 (as
 * tlsa_hkdf_expand_label() would compute it, without fetching a KDF for
 * every call); the three keys of one secret share one HMAC key set-up.
 * Without a context the derivation goes through tlsa_hkdf_expand_label().
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "quic_int.h"
#include "tlsalert/decrypt.h"

/* ---------------------------------------------------------------- versions */

static const uint8_t salt_v1[20] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
				    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
static const uint8_t salt_v2[20] = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
				    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
/* draft-ietf-quic-tls-29 to -32 */
static const uint8_t salt_d29[20] = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
				     0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};

static const uint8_t retry_key_v1[16] = {0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
					 0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e};
static const uint8_t retry_nonce_v1[12] = {0x46, 0x15, 0x99, 0xd3, 0x5d, 0x63,
					   0x2b, 0xf2, 0x23, 0x98, 0x25, 0xbb};
static const uint8_t retry_key_v2[16] = {0x8f, 0xb4, 0xb0, 0x1b, 0x56, 0xac, 0x48, 0xe2,
					 0x60, 0xfb, 0xcb, 0xce, 0xad, 0x7c, 0xcc, 0x92};
static const uint8_t retry_nonce_v2[12] = {0xd8, 0x69, 0x69, 0xbc, 0x2d, 0x7c,
					   0x6d, 0x99, 0x90, 0xef, 0xb0, 0x4a};
static const uint8_t retry_key_d29[16] = {0xcc, 0xce, 0x18, 0x7e, 0xd0, 0x9a, 0x09, 0xd0,
					  0x57, 0x28, 0x15, 0x5a, 0x6c, 0xb9, 0x6b, 0xe1};
static const uint8_t retry_nonce_d29[12] = {0xe5, 0x49, 0x30, 0xf9, 0x7f, 0x21,
					    0x36, 0xf0, 0x53, 0x0a, 0x8c, 0x1c};

/* Drafts 33 and 34 already had the final salt and Retry keys. */
static const struct quic_version versions[] = {
	{TLSA_QUIC_V1, "1", salt_v1, retry_key_v1, retry_nonce_v1, false},
	{TLSA_QUIC_V2, "2", salt_v2, retry_key_v2, retry_nonce_v2, true},
	{0xff00001d, "draft-29", salt_d29, retry_key_d29, retry_nonce_d29, false},
	{0xff00001e, "draft-30", salt_d29, retry_key_d29, retry_nonce_d29, false},
	{0xff00001f, "draft-31", salt_d29, retry_key_d29, retry_nonce_d29, false},
	{0xff000020, "draft-32", salt_d29, retry_key_d29, retry_nonce_d29, false},
	{0xff000021, "draft-33", salt_v1, retry_key_v1, retry_nonce_v1, false},
	{0xff000022, "draft-34", salt_v1, retry_key_v1, retry_nonce_v1, false},
};

const struct quic_version *quic_version_find(uint32_t version)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].version == version)
			return &versions[i];
	return NULL;
}

const char *tlsa_quic_version_name(uint32_t version)
{
	const struct quic_version *v = quic_version_find(version);
	return v ? v->name : NULL;
}

/* ----------------------------------------------------------------- context */

struct tlsa_quic_ctx *tlsa_quic_ctx_new(void)
{
	return OPENSSL_zalloc(sizeof(struct tlsa_quic_ctx));
}

void tlsa_quic_ctx_free(struct tlsa_quic_ctx *qc)
{
	if (qc == NULL)
		return;
	for (int i = 0; i < 2; i++)
		EVP_MAC_CTX_free(qc->hmac[i]);
	for (int i = 0; i < QC_N; i++) {
		for (int j = 0; j < QC_SLOTS; j++)
			EVP_CIPHER_CTX_free(qc->c[i].slot[j].ctx);
		EVP_CIPHER_free(qc->c[i].cipher);
	}
	OPENSSL_cleanse(qc, sizeof(*qc));
	OPENSSL_free(qc);
}

static const char *const cipher_names[QC_N] = {
	[QC_AES_128_GCM] = "AES-128-GCM",
	[QC_AES_256_GCM] = "AES-256-GCM",
	[QC_CHACHA20_POLY1305] = "ChaCha20-Poly1305",
	[QC_AES_128_ECB] = "AES-128-ECB",
	[QC_AES_256_ECB] = "AES-256-ECB",
	[QC_CHACHA20] = "ChaCha20",
};

/* The slot holding `key`, else the one used least recently, which is keyed
 * again: re-keying costs more than the whole AEAD of a small packet. */
EVP_CIPHER_CTX *qc_cipher_keyed(struct tlsa_quic_ctx *qc, enum qc_cipher_id id, const uint8_t *key,
				size_t key_len, bool enc)
{
	struct qc_cipher *c = &qc->c[id];
	if (c->cipher == NULL) {
		if (c->failed)
			return NULL;
		c->cipher = EVP_CIPHER_fetch(NULL, cipher_names[id], NULL);
		if (c->cipher == NULL) {
			c->failed = true;
			return NULL;
		}
	}
	c->clock++;
	struct qc_slot *lru = &c->slot[0];
	for (int i = 0; i < QC_SLOTS; i++) {
		struct qc_slot *s = &c->slot[i];
		if (s->keyed && memcmp(s->key, key, key_len) == 0) {
			s->used = c->clock;
			return s->ctx;
		}
		if (!s->keyed || s->used < lru->used)
			lru = s;
		if (!s->keyed)
			break;
	}
	if (lru->ctx == NULL && (lru->ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	lru->keyed = false;
	int ok = enc ? EVP_EncryptInit_ex2(lru->ctx, c->cipher, key, NULL, NULL)
		     : EVP_DecryptInit_ex2(lru->ctx, c->cipher, key, NULL, NULL);
	if (ok != 1 || ((id == QC_AES_128_ECB || id == QC_AES_256_ECB) &&
			EVP_CIPHER_CTX_set_padding(lru->ctx, 0) != 1))
		return NULL;
	memcpy(lru->key, key, key_len);
	lru->keyed = true;
	lru->used = c->clock;
	return lru->ctx;
}

/* The context's HMAC of this hash (SHA256 or SHA384), or NULL. */
static EVP_MAC_CTX *qc_hmac(struct tlsa_quic_ctx *qc, tlsa_hash h)
{
	int i = h == TLSA_HASH_SHA384;
	if (qc == NULL || qc->hmac_failed[i])
		return NULL;
	if (qc->hmac[i] == NULL) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		EVP_MAC_CTX *m = mac ? EVP_MAC_CTX_new(mac) : NULL;
		EVP_MAC_free(mac);
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
							 (char *)(i ? "SHA384" : "SHA256"), 0),
			OSSL_PARAM_construct_end(),
		};
		if (m == NULL || EVP_MAC_CTX_set_params(m, params) != 1) {
			EVP_MAC_CTX_free(m);
			qc->hmac_failed[i] = true;
			return NULL;
		}
		qc->hmac[i] = m;
	}
	return qc->hmac[i];
}

/* ---------------------------------------------------------- key derivation */

/* The labels of a version, without TLS 1.3's "tls13 " (which the HkdfLabel adds). */
struct labels {
	const char *key, *iv, *hp, *ku;
};
static const struct labels labels_v1 = {"quic key", "quic iv", "quic hp", "quic ku"};
static const struct labels labels_v2 = {"quicv2 key", "quicv2 iv", "quicv2 hp", "quicv2 ku"};

static const struct labels *labels_of(uint32_t version)
{
	const struct quic_version *v = quic_version_find(version);
	return v && v->v2 ? &labels_v2 : &labels_v1;
}

/*
 * HKDF-Expand-Label(secret, label, "", n) for n up to one hash block.  With
 * an HMAC context m: keyed says m already holds `secret` (set by the previous
 * call), which saves the key set-up.  Without one: tlsa_hkdf_expand_label().
 */
static int expand(EVP_MAC_CTX *m, bool keyed, tlsa_hash h, const uint8_t *secret, size_t slen,
		  const char *label, uint8_t *out, size_t n)
{
	if (m == NULL)
		return tlsa_hkdf_expand_label(h, secret, slen, label, NULL, 0, out, n);
	uint8_t info[2 + 1 + 6 + 16 + 1 + 1], md[EVP_MAX_MD_SIZE];
	size_t il = 0, mdl = 0, ll = strlen(label);
	if (ll > 16 || n > tlsa_hash_len(h))
		return TLSA_EINVAL;
	info[il++] = (uint8_t)(n >> 8);
	info[il++] = (uint8_t)n;
	info[il++] = (uint8_t)(6 + ll);
	memcpy(info + il, "tls13 ", 6);
	il += 6;
	memcpy(info + il, label, ll);
	il += ll;
	info[il++] = 0; /* empty context */
	info[il++] = 1; /* T(1) */
	int rc = 0;
	if (EVP_MAC_init(m, keyed ? NULL : secret, keyed ? 0 : slen, NULL) != 1 ||
	    EVP_MAC_update(m, info, il) != 1 || EVP_MAC_final(m, md, &mdl, sizeof(md)) != 1 ||
	    mdl < n)
		rc = TLSA_EINVAL;
	else
		memcpy(out, md, n);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

/* The key, IV and header protection key of k from k->secret. */
static int derive_keys(struct tlsa_quic_ctx *qc, struct tlsa_quic_keys *k, bool with_hp)
{
	const struct labels *l = labels_of(k->version);
	EVP_MAC_CTX *m = qc_hmac(qc, (tlsa_hash)k->hash);
	int rc = expand(m, false, (tlsa_hash)k->hash, k->secret, k->secret_len, l->key, k->key,
			k->key_len);
	if (rc == 0)
		rc = expand(m, true, (tlsa_hash)k->hash, k->secret, k->secret_len, l->iv, k->iv,
			    12);
	if (rc == 0 && with_hp)
		rc = expand(m, true, (tlsa_hash)k->hash, k->secret, k->secret_len, l->hp, k->hp,
			    k->key_len);
	return rc;
}

/* Sets the fields of k that the suite decides. */
static int keys_for_suite(struct tlsa_quic_keys *k, uint32_t version, uint16_t suite)
{
	memset(k, 0, sizeof(*k));
	k->version = version;
	switch (suite) {
	case 0x1301:
		k->aead = TLSA_QUIC_AEAD_AES_128_GCM;
		k->key_len = 16;
		k->hash = TLSA_HASH_SHA256;
		break;
	case 0x1302:
		k->aead = TLSA_QUIC_AEAD_AES_256_GCM;
		k->key_len = 32;
		k->hash = TLSA_HASH_SHA384;
		break;
	case 0x1303:
		k->aead = TLSA_QUIC_AEAD_CHACHA20_POLY1305;
		k->key_len = 32;
		k->hash = TLSA_HASH_SHA256;
		break;
	default: return TLSA_EUNSUPP; /* TLS_AES_128_CCM_SHA256 is allowed but not opened here */
	}
	k->secret_len = (uint8_t)tlsa_hash_len((tlsa_hash)k->hash);
	return 0;
}

int tlsa_quic_keys_init(struct tlsa_quic_ctx *qc, uint32_t version, uint16_t tls_suite,
			const uint8_t *secret, size_t secret_len, struct tlsa_quic_keys *k)
{
	if (k == NULL || secret == NULL)
		return TLSA_EINVAL;
	if (quic_version_find(version) == NULL)
		return TLSA_EUNSUPP;
	int rc = keys_for_suite(k, version, tls_suite);
	if (rc != 0)
		return rc;
	if (secret_len != k->secret_len) {
		memset(k, 0, sizeof(*k));
		return TLSA_EINVAL;
	}
	memcpy(k->secret, secret, secret_len);
	rc = derive_keys(qc, k, true);
	if (rc != 0)
		OPENSSL_cleanse(k, sizeof(*k));
	return rc;
}

int tlsa_quic_keys_update(struct tlsa_quic_ctx *qc, const struct tlsa_quic_keys *cur,
			  struct tlsa_quic_keys *next)
{
	if (cur == NULL || next == NULL || cur->aead == TLSA_QUIC_AEAD_NONE || cur->secret_len == 0)
		return TLSA_EINVAL;
	struct tlsa_quic_keys k = *cur;
	tlsa_hash h = (tlsa_hash)cur->hash;
	int rc = expand(qc_hmac(qc, h), false, h, cur->secret, cur->secret_len,
			labels_of(cur->version)->ku, k.secret, cur->secret_len);
	if (rc == 0)
		rc = derive_keys(qc, &k, false);
	if (rc == 0) {
		k.generation = cur->generation + 1;
		*next = k;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

/* HKDF-Extract(salt, ikm) with SHA-256 into out[32]. */
static int extract(struct tlsa_quic_ctx *qc, const uint8_t salt[20], const uint8_t *ikm,
		   size_t ikm_len, uint8_t out[32])
{
	static const uint8_t none = 0;
	EVP_MAC_CTX *m = qc_hmac(qc, TLSA_HASH_SHA256);
	size_t ol = 0;
	if (ikm_len == 0)
		ikm = &none; /* a zero-length DCID is allowed */
	if (m != NULL)
		return EVP_MAC_init(m, salt, 20, NULL) == 1 &&
				       EVP_MAC_update(m, ikm, ikm_len) == 1 &&
				       EVP_MAC_final(m, out, &ol, 32) == 1 && ol == 32
			       ? 0
			       : TLSA_EINVAL;
	return EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, salt, 20, ikm, ikm_len, out, 32,
			 &ol) &&
			       ol == 32
		       ? 0
		       : TLSA_EINVAL;
}

/* The secrets of both sides from the initial secret (one HMAC key set-up
 * for both), then their keys; Initial keys keep no secret: they are never
 * updated. */
static int initial_sides(struct tlsa_quic_ctx *qc, uint32_t version, const uint8_t initial[32],
			 struct tlsa_quic_keys *c, struct tlsa_quic_keys *s)
{
	EVP_MAC_CTX *m = qc_hmac(qc, TLSA_HASH_SHA256);
	keys_for_suite(c, version, 0x1301);
	keys_for_suite(s, version, 0x1301);
	int rc = expand(m, false, TLSA_HASH_SHA256, initial, 32, "client in", c->secret, 32);
	if (rc == 0)
		rc = expand(m, true, TLSA_HASH_SHA256, initial, 32, "server in", s->secret, 32);
	if (rc == 0)
		rc = derive_keys(qc, c, true);
	if (rc == 0)
		rc = derive_keys(qc, s, true);
	OPENSSL_cleanse(c->secret, sizeof(c->secret));
	OPENSSL_cleanse(s->secret, sizeof(s->secret));
	c->secret_len = s->secret_len = 0;
	return rc;
}

int tlsa_quic_initial_keys(struct tlsa_quic_ctx *qc, uint32_t version, const uint8_t *dcid,
			   size_t dcid_len, struct tlsa_quic_keys *client,
			   struct tlsa_quic_keys *server)
{
	const struct quic_version *v = quic_version_find(version);
	if (v == NULL)
		return TLSA_EUNSUPP;
	if ((dcid == NULL && dcid_len > 0) || dcid_len > 255 || client == NULL || server == NULL)
		return TLSA_EINVAL;
	uint8_t initial[32];
	int rc = extract(qc, v->salt, dcid, dcid_len, initial);
	if (rc == 0)
		rc = initial_sides(qc, version, initial, client, server);
	OPENSSL_cleanse(initial, sizeof(initial));
	if (rc != 0) {
		OPENSSL_cleanse(client, sizeof(*client));
		OPENSSL_cleanse(server, sizeof(*server));
	}
	return rc;
}
