/*
 * QUIC keys (RFC 9001 5, RFC 9369 3.3): the versions this library opens,
 * the Initial secrets from the client's Destination Connection ID, packet
 * and header protection keys from a TLS 1.3 traffic secret, key updates,
 * and the context that holds the libcrypto objects for all of it.
 *
 * Every QUIC output of HKDF-Expand-Label is at most one hash block long, so
 * with a context it is one HMAC over the HkdfLabel and 0x01 (as
 * tlsa_hkdf_expand_label() would compute it, without fetching a KDF for
 * every call).  The HMAC is computed from the SHA-2 states after the key's
 * ipad and opad blocks (RFC 2104), made once per secret and copied for each
 * label: the three keys of one secret cost one key set-up and six hashed
 * blocks, the Initial salts are keyed once per context (docs/PERFORMANCE.md,
 * "QUIC in scan": EVP_MAC re-keyed per secret cost twice as much).  libcrypto
 * computes every SHA-2 block.  Without a context the derivation goes through
 * tlsa_hkdf_expand_label().
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

static void hkey_free(struct qc_hkey *k)
{
	EVP_MD_CTX_free(k->in);
	EVP_MD_CTX_free(k->out);
	k->in = k->out = NULL;
	k->hash = 0;
}

struct tlsa_quic_ctx *tlsa_quic_ctx_new(void)
{
	return OPENSSL_zalloc(sizeof(struct tlsa_quic_ctx));
}

void tlsa_quic_ctx_free(struct tlsa_quic_ctx *qc)
{
	if (qc == NULL)
		return;
	for (int i = 0; i < 2; i++)
		EVP_MD_free(qc->md[i]);
	EVP_MD_CTX_free(qc->work);
	hkey_free(&qc->prk);
	for (int i = 0; i < QC_SALTS; i++)
		hkey_free(&qc->salt[i]);
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
	/* A context that holds the cipher is given only the key: given the cipher
	 * again, libcrypto frees and remakes its state (the key set-up then costs
	 * twice as much).  The ECB contexts keep their padding on: header protection
	 * only encrypts whole blocks, which EVP_EncryptUpdate() returns at once, and
	 * turning it off would be passed to the cipher again at every key. */
	const EVP_CIPHER *ci = lru->has_cipher ? NULL : c->cipher;
	int ok = enc ? EVP_EncryptInit_ex2(lru->ctx, ci, key, NULL, NULL)
		     : EVP_DecryptInit_ex2(lru->ctx, ci, key, NULL, NULL);
	lru->has_cipher = ok == 1;
	if (ok != 1)
		return NULL;
	memcpy(lru->key, key, key_len);
	lru->keyed = true;
	lru->used = c->clock;
	return lru->ctx;
}

/* The context's digest for h (SHA256 or SHA384), fetched at first use, or NULL. */
static EVP_MD *qc_md(struct tlsa_quic_ctx *qc, tlsa_hash h)
{
	int i = h == TLSA_HASH_SHA384;
	if (qc == NULL || qc->md_failed[i])
		return NULL;
	if (qc->md[i] == NULL) {
		qc->md[i] = EVP_MD_fetch(NULL, i ? "SHA384" : "SHA256", NULL);
		if (qc->md[i] == NULL) {
			qc->md_failed[i] = true;
			return NULL;
		}
	}
	if (qc->work == NULL && (qc->work = EVP_MD_CTX_new()) == NULL)
		return NULL;
	return qc->md[i];
}

/* Keys hk with key[0..n) for HMAC-h: the digest states after the blocks
 * key ^ ipad and key ^ opad.  false without the digest, or for a key longer
 * than a block (none of QUIC's is: secrets, salts). */
static bool hkey_set(struct tlsa_quic_ctx *qc, tlsa_hash h, struct qc_hkey *hk, const uint8_t *key,
		     size_t n)
{
	EVP_MD *md = qc_md(qc, h);
	size_t block = h == TLSA_HASH_SHA384 ? 128 : 64;
	uint8_t pad[128];
	hk->hash = 0;
	if (md == NULL || n > block || (hk->in == NULL && (hk->in = EVP_MD_CTX_new()) == NULL) ||
	    (hk->out == NULL && (hk->out = EVP_MD_CTX_new()) == NULL))
		return false;
	bool ok = true;
	for (int side = 0; side < 2 && ok; side++) {
		memset(pad, side ? 0x5c : 0x36, block);
		for (size_t i = 0; i < n; i++)
			pad[i] ^= key[i];
		EVP_MD_CTX *m = side ? hk->out : hk->in;
		ok = EVP_DigestInit_ex2(m, md, NULL) == 1 && EVP_DigestUpdate(m, pad, block) == 1;
	}
	OPENSSL_cleanse(pad, sizeof(pad));
	if (ok)
		hk->hash = (int)h;
	return ok;
}

/* HMAC(hk, m) into out (the hash's length): H(opad state, H(ipad state, m)). */
static int hmac(struct tlsa_quic_ctx *qc, const struct qc_hkey *hk, const uint8_t *m, size_t n,
		uint8_t *out)
{
	EVP_MD_CTX *w = qc->work;
	uint8_t inner[EVP_MAX_MD_SIZE];
	unsigned int il = 0, ol = 0;
	bool ok = EVP_MD_CTX_copy_ex(w, hk->in) == 1 && EVP_DigestUpdate(w, m, n) == 1 &&
		  EVP_DigestFinal_ex(w, inner, &il) == 1 && EVP_MD_CTX_copy_ex(w, hk->out) == 1 &&
		  EVP_DigestUpdate(w, inner, il) == 1 && EVP_DigestFinal_ex(w, out, &ol) == 1;
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok ? 0 : TLSA_EINVAL;
}

/* The context's HMAC key of `secret`, or NULL (no context, no digest): the
 * caller then derives through tlsa_hkdf_expand_label(). */
static const struct qc_hkey *prk_key(struct tlsa_quic_ctx *qc, tlsa_hash h, const uint8_t *secret,
				     size_t n)
{
	return qc != NULL && hkey_set(qc, h, &qc->prk, secret, n) ? &qc->prk : NULL;
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
 * hk (the context's key of `secret`, prk_key()) one HMAC; without it
 * tlsa_hkdf_expand_label().
 */
static int expand(struct tlsa_quic_ctx *qc, const struct qc_hkey *hk, tlsa_hash h,
		  const uint8_t *secret, size_t slen, const char *label, uint8_t *out, size_t n)
{
	if (hk == NULL)
		return tlsa_hkdf_expand_label(h, secret, slen, label, NULL, 0, out, n);
	uint8_t info[2 + 1 + 6 + 16 + 1 + 1], md[EVP_MAX_MD_SIZE];
	size_t il = 0, ll = strlen(label);
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
	int rc = hmac(qc, hk, info, il, md);
	if (rc == 0)
		memcpy(out, md, n);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

/* The key, IV and header protection key of k from k->secret. */
static int derive_keys(struct tlsa_quic_ctx *qc, struct tlsa_quic_keys *k, bool with_hp)
{
	const struct labels *l = labels_of(k->version);
	tlsa_hash h = (tlsa_hash)k->hash;
	const struct qc_hkey *hk = prk_key(qc, h, k->secret, k->secret_len);
	int rc = expand(qc, hk, h, k->secret, k->secret_len, l->key, k->key, k->key_len);
	if (rc == 0)
		rc = expand(qc, hk, h, k->secret, k->secret_len, l->iv, k->iv, 12);
	if (rc == 0 && with_hp)
		rc = expand(qc, hk, h, k->secret, k->secret_len, l->hp, k->hp, k->key_len);
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
	int rc = expand(qc, prk_key(qc, h, cur->secret, cur->secret_len), h, cur->secret,
			cur->secret_len, labels_of(cur->version)->ku, k.secret, cur->secret_len);
	if (rc == 0)
		rc = derive_keys(qc, &k, false);
	if (rc == 0) {
		k.generation = cur->generation + 1;
		*next = k;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

/* The context's HMAC key of an Initial salt (a version's table entry), keyed
 * at its first use; NULL without a context. */
static const struct qc_hkey *salt_key(struct tlsa_quic_ctx *qc, const uint8_t *salt)
{
	if (qc == NULL)
		return NULL;
	for (int i = 0; i < QC_SALTS; i++) {
		if (qc->salt_of[i] == salt && qc->salt[i].hash != 0)
			return &qc->salt[i];
		if (qc->salt_of[i] == NULL) {
			if (!hkey_set(qc, TLSA_HASH_SHA256, &qc->salt[i], salt, 20))
				return NULL;
			qc->salt_of[i] = salt;
			return &qc->salt[i];
		}
	}
	return prk_key(qc, TLSA_HASH_SHA256, salt, 20);
}

/* HKDF-Extract(salt, ikm) with SHA-256 into out[32]. */
static int extract(struct tlsa_quic_ctx *qc, const uint8_t salt[20], const uint8_t *ikm,
		   size_t ikm_len, uint8_t out[32])
{
	static const uint8_t none = 0;
	const struct qc_hkey *hk = salt_key(qc, salt);
	size_t ol = 0;
	if (ikm_len == 0)
		ikm = &none; /* a zero-length DCID is allowed */
	if (hk != NULL)
		return hmac(qc, hk, ikm, ikm_len, out);
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
	const struct qc_hkey *hk = prk_key(qc, TLSA_HASH_SHA256, initial, 32);
	keys_for_suite(c, version, 0x1301);
	keys_for_suite(s, version, 0x1301);
	int rc = expand(qc, hk, TLSA_HASH_SHA256, initial, 32, "client in", c->secret, 32);
	if (rc == 0)
		rc = expand(qc, hk, TLSA_HASH_SHA256, initial, 32, "server in", s->secret, 32);
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
