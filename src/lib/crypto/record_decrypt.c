/*
 * Record decryption with known secrets: TLS 1.3 (RFC 8446 section 5.2),
 * TLS 1.0-1.2 AEAD (RFC 5288, 6655, 7905), CBC with HMAC, MAC-then-encrypt
 * (RFC 5246 section 6.2.3.2) and encrypt-then-MAC (RFC 7366), and DTLS
 * 1.0/1.2 (RFC 6347 section 4.1.2.1: epoch || sequence number).
 *
 * Every cipher and MAC runs in libcrypto through EVP.  Records are read with
 * the bounds-checked reader; no length field is trusted before it has been
 * checked against the bytes actually given.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "base/rd.h"
#include "crypto_int.h"
#include "tlsalert/decrypt.h"

static bool is_tls13_suite(const struct tlsa_suite *s)
{
	return s != NULL && s->tls13;
}

size_t rec_tag_len(const struct tlsa_suite *s)
{
	switch (s->prot) {
	case TLSA_PROT_CCM8: return 8;
	case TLSA_PROT_CBC:
	case TLSA_PROT_STREAM:
	case TLSA_PROT_NULL: return 0;
	case TLSA_PROT_GCM:
	case TLSA_PROT_CCM:
	case TLSA_PROT_CHACHA: break;
	}
	return 16;
}

/* The built-in cipher object of a suite, for when the explicit fetch failed. */
static const EVP_CIPHER *suite_cipher(const struct tlsa_suite *s)
{
	switch (s->prot) {
	case TLSA_PROT_GCM: return s->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	case TLSA_PROT_CCM:
	case TLSA_PROT_CCM8: return s->key_len == 16 ? EVP_aes_128_ccm() : EVP_aes_256_ccm();
	case TLSA_PROT_CHACHA: return EVP_chacha20_poly1305();
	case TLSA_PROT_CBC:
		if (s->des3)
			return EVP_des_ede3_cbc();
		if (s->cipher_name == NULL || strncmp(s->cipher_name, "AES-", 4) != 0)
			return NULL; /* the fallback has AES, 3DES and ChaCha20 only */
		return s->key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	case TLSA_PROT_STREAM:
	case TLSA_PROT_NULL: break;
	}
	return NULL;
}

/* The fetched cipher of a direction, or the built-in one if the fetch failed. */
static const EVP_CIPHER *dir_cipher(const struct tlsa_cipher_dir *d)
{
	if (d->cipher != NULL)
		return d->cipher;
	return suite_cipher(d->suite);
}

static const char *mac_digest_name(tlsa_hash h)
{
	switch (h) {
	case TLSA_HASH_SHA1: return "SHA1";
	case TLSA_HASH_SHA256: return "SHA256";
	case TLSA_HASH_SHA384: return "SHA384";
	case TLSA_HASH_MD5: return "MD5";
	case TLSA_HASH_NONE:
	case TLSA_HASH_MD5_SHA1: break;
	}
	return NULL;
}

/* ------------------------------------------------------- shared algorithms */

#define CC_CIPHERS 8
#define CC_MACS	   4

/* One record cipher of a cache: fetched once, with one context that every
 * direction of that cipher borrows and re-keys when another used it last. */
struct cc_cipher {
	const char *name; /* NULL: slot unused */
	EVP_CIPHER *cipher;
	EVP_CIPHER_CTX *ctx;
	bool set;	/* ctx holds the cipher (AEADs: and the 12-byte IV length) */
	uint64_t keyed; /* key_id of the key ctx holds; 0: none */
};

struct tlsa_crypto_cache {
	EVP_MAC_CTX *hmac[CC_MACS]; /* HMAC-SHA256, -SHA384, -SHA1, -MD5; re-keyed for every use */
	struct cc_cipher c[CC_CIPHERS];
	uint64_t next_key_id;
	struct legacy_ctx *legacy; /* with the legacy provider, made at the first legacy cipher */
	bool legacy_failed;
};

static int mac_index(tlsa_hash h)
{
	switch (h) {
	case TLSA_HASH_SHA256: return 0;
	case TLSA_HASH_SHA384: return 1;
	case TLSA_HASH_SHA1: return 2;
	case TLSA_HASH_MD5: return 3;
	case TLSA_HASH_NONE:
	case TLSA_HASH_MD5_SHA1: break;
	}
	return -1;
}

/* The cache's HMAC context for this hash, or NULL. */
static EVP_MAC_CTX *cc_hmac(const struct tlsa_crypto_cache *cc, tlsa_hash h)
{
	int i = mac_index(h);
	return cc != NULL && i >= 0 ? cc->hmac[i] : NULL;
}

struct tlsa_crypto_cache *tlsa_crypto_cache_new(void)
{
	struct tlsa_crypto_cache *cc = OPENSSL_zalloc(sizeof(*cc));
	if (cc == NULL)
		return NULL;
	static const tlsa_hash hashes[CC_MACS] = {TLSA_HASH_SHA256, TLSA_HASH_SHA384,
						  TLSA_HASH_SHA1, TLSA_HASH_MD5};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	for (int i = 0; i < CC_MACS && mac != NULL; i++) {
		char dg[8];
		snprintf(dg, sizeof(dg), "%s", mac_digest_name(hashes[i]));
		OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, dg, 0),
				  OSSL_PARAM_construct_end()};
		cc->hmac[i] = EVP_MAC_CTX_new(mac);
		if (cc->hmac[i] != NULL && EVP_MAC_CTX_set_params(cc->hmac[i], p) != 1) {
			EVP_MAC_CTX_free(cc->hmac[i]);
			cc->hmac[i] = NULL;
		}
	}
	EVP_MAC_free(mac);
	cc->next_key_id = 1;
	return cc;
}

void tlsa_crypto_cache_free(struct tlsa_crypto_cache *cc)
{
	if (cc == NULL)
		return;
	for (int i = 0; i < CC_MACS; i++)
		EVP_MAC_CTX_free(cc->hmac[i]);
	for (int i = 0; i < CC_CIPHERS; i++) {
		EVP_CIPHER_CTX_free(cc->c[i].ctx); /* wipes the last key */
		EVP_CIPHER_free(cc->c[i].cipher);
	}
	legacy_ctx_free(cc->legacy);
	OPENSSL_free(cc);
}

/* The cache's library context for a legacy cipher (made once), or NULL (the
 * default one) for the others. */
static OSSL_LIB_CTX *cc_libctx(struct tlsa_crypto_cache *cc, bool legacy)
{
	if (!legacy)
		return NULL;
	if (cc->legacy == NULL && !cc->legacy_failed) {
		cc->legacy = legacy_ctx_new();
		cc->legacy_failed = cc->legacy == NULL;
	}
	return cc->legacy != NULL ? cc->legacy->lc : NULL;
}

/* The slot of the cipher of this name, fetched and given a context at the
 * first use; -1 when the cache is full or libcrypto fails. */
static int cc_slot(struct tlsa_crypto_cache *cc, const char *name, bool legacy)
{
	for (int i = 0; i < CC_CIPHERS; i++) {
		struct cc_cipher *k = &cc->c[i];
		if (k->name == NULL) {
			OSSL_LIB_CTX *lc = cc_libctx(cc, legacy);
			if (legacy && lc == NULL)
				return -1;
			k->cipher = EVP_CIPHER_fetch(lc, name, NULL);
			k->ctx = k->cipher != NULL ? EVP_CIPHER_CTX_new() : NULL;
			if (k->ctx == NULL) {
				EVP_CIPHER_free(k->cipher);
				k->cipher = NULL;
				return -1;
			}
			k->name = name;
		}
		if (strcmp(k->name, name) == 0)
			return i;
	}
	return -1;
}

static struct cc_cipher *dir_slot(const struct tlsa_cipher_dir *d)
{
	return &((struct tlsa_crypto_cache *)d->cache)->c[d->cache_slot];
}

struct ctx_use rec_ctx_of(struct tlsa_cipher_dir *d)
{
	if (d->cache != NULL) {
		struct cc_cipher *k = dir_slot(d);
		return (struct ctx_use){k->ctx, k->cipher, &k->set, k->keyed == d->key_id};
	}
	return (struct ctx_use){d->cipher_ctx, dir_cipher(d), &d->aead_set, d->keyed};
}

void rec_mark_keyed(struct tlsa_cipher_dir *d, bool keyed)
{
	if (d->cache != NULL)
		dir_slot(d)->keyed = keyed ? d->key_id : 0;
	else
		d->keyed = keyed;
}

/* A direction stops using its key: when the shared context still holds it,
 * it is overwritten with a zero key and IV (or the context reset). */
static void release_key(struct tlsa_cipher_dir *d)
{
	if (d->cache == NULL) {
		d->keyed = false;
		return;
	}
	struct cc_cipher *k = dir_slot(d);
	if (k->keyed == 0 || k->keyed != d->key_id)
		return;
	static const uint8_t zero[32];
	if (EVP_DecryptInit_ex(k->ctx, NULL, NULL, zero, zero) != 1) {
		EVP_CIPHER_CTX_reset(k->ctx);
		k->set = false;
	}
	k->keyed = 0;
}

void tlsa_dir_free(struct tlsa_cipher_dir *d)
{
	if (d == NULL)
		return;
	if (d->cache != NULL)
		release_key(d);
	EVP_CIPHER_CTX_free(d->cipher_ctx);
	EVP_MAC_CTX_free(d->mac_ctx);
	EVP_CIPHER_free(d->cipher);
	legacy_ctx_free(d->libctx);
	OPENSSL_cleanse(d, sizeof(*d));
}

/*
 * HKDF-Expand-Label(secret, label, "", out_len) for an output of at most one
 * hash block (TLS 1.3 keys, IVs and next secrets): T(1) = HMAC(secret,
 * HkdfLabel || 0x01) with the cache's HMAC context m.  secret NULL: m holds
 * the secret of the previous call already (the key set-up is half the cost).
 */
static int expand_label_hmac(EVP_MAC_CTX *m, const uint8_t *secret, size_t secret_len,
			     const char *label, uint8_t *out, size_t out_len)
{
	uint8_t info[2 + 1 + 6 + 16 + 1 + 1], md[EVP_MAX_MD_SIZE];
	size_t n = 0, mdl = 0, ll = strlen(label);
	if (ll > 16)
		return TLSA_EINVAL;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0; /* empty context */
	info[n++] = 1; /* block counter */
	int rc = 0;
	if (EVP_MAC_init(m, secret, secret_len, NULL) != 1 || EVP_MAC_update(m, info, n) != 1 ||
	    EVP_MAC_final(m, md, &mdl, sizeof(md)) != 1 || mdl < out_len)
		rc = TLSA_EINVAL;
	else
		memcpy(out, md, out_len);
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

/* The libcrypto contexts a direction needs (borrowed from the cache when it
 * can lend them); 0 or TLSA_ENOMEM. */
static int alloc_ctx_cc(struct tlsa_cipher_dir *d, struct tlsa_crypto_cache *cc)
{
	const struct tlsa_suite *s = d->suite;
	/* the provider name, for an explicit fetch (an implicit one on every
	 * record costs more than the decryption of a short record) */
	const char *name = s->builtin ? NULL : s->cipher_name;
	/* a stream cipher's state runs across records: never a shared context */
	bool shareable = s->prot != TLSA_PROT_STREAM && s->prot != TLSA_PROT_NULL && !s->builtin;
	if (cc != NULL && shareable && (s->prot != TLSA_PROT_CBC || cc_hmac(cc, s->mac) != NULL)) {
		int i = cc_slot(cc, name, s->legacy);
		if (i >= 0) {
			d->cache = cc;
			d->cache_slot = (uint8_t)i;
			d->key_id = cc->next_key_id++;
			return 0;
		}
	}
	if (name != NULL) {
		OSSL_LIB_CTX *lc = NULL;
		if (s->legacy && cc != NULL)
			lc = cc_libctx(cc, true);
		else if (s->legacy && (d->libctx = legacy_ctx_new()) != NULL)
			lc = ((struct legacy_ctx *)d->libctx)->lc;
		if (s->legacy && lc == NULL)
			return TLSA_EINVAL; /* no legacy provider here */
		d->cipher_ctx = EVP_CIPHER_CTX_new();
		if (d->cipher_ctx == NULL)
			return TLSA_ENOMEM;
		d->cipher = EVP_CIPHER_fetch(lc, name, NULL);
		if (dir_cipher(d) == NULL)
			return TLSA_EINVAL;
	}
	if (s->prot == TLSA_PROT_STREAM &&
	    EVP_DecryptInit_ex2(d->cipher_ctx, dir_cipher(d), d->key, NULL, NULL) != 1)
		return TLSA_EINVAL;
	if (s->prot == TLSA_PROT_CBC || !shareable) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (mac == NULL)
			return TLSA_ENOMEM;
		d->mac_ctx = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);
		if (d->mac_ctx == NULL)
			return TLSA_ENOMEM;
	}
	return 0;
}

/* TLS 1.3 key and IV from d->secret (RFC 8446 section 7.3); both from one
 * HMAC key set-up when the cache has the hash. */
static int derive13_cc(struct tlsa_cipher_dir *d, struct tlsa_crypto_cache *cc)
{
	const struct tlsa_suite *s = d->suite;
	EVP_MAC_CTX *m = cc_hmac(cc, s->prf);
	if (m != NULL && s->key_len <= d->secret_len) {
		if (expand_label_hmac(m, d->secret, d->secret_len, "key", d->key, s->key_len) !=
			    0 ||
		    expand_label_hmac(m, NULL, 0, "iv", d->iv, 12) != 0)
			return TLSA_EINVAL;
		return 0;
	}
	if (tlsa_hkdf_expand_label(s->prf, d->secret, d->secret_len, "key", NULL, 0, d->key,
				   s->key_len) != 0 ||
	    tlsa_hkdf_expand_label(s->prf, d->secret, d->secret_len, "iv", NULL, 0, d->iv, 12) != 0)
		return TLSA_EINVAL;
	return 0;
}

int tlsa_dir_init_tls13(struct tlsa_cipher_dir *d, uint16_t suite, const uint8_t *secret,
			size_t secret_len)
{
	return tlsa_dir_init_tls13_cached(d, NULL, suite, secret, secret_len);
}

int tlsa_dir_init_tls13_cached(struct tlsa_cipher_dir *d, struct tlsa_crypto_cache *cc,
			       uint16_t suite, const uint8_t *secret, size_t secret_len)
{
	if (d == NULL)
		return TLSA_EINVAL;
	tlsa_dir_free(d);
	const struct tlsa_suite *s = tlsa_suite_find(suite);
	if (!is_tls13_suite(s) || secret == NULL || secret_len != tlsa_hash_len(s->prf))
		return TLSA_EINVAL;
	d->suite = s;
	d->version = 0x0304;
	memcpy(d->secret, secret, secret_len);
	d->secret_len = (uint8_t)secret_len;
	int rc = derive13_cc(d, cc);
	if (rc == 0)
		rc = alloc_ctx_cc(d, cc);
	if (rc != 0) {
		tlsa_dir_free(d);
		return rc;
	}
	d->ready = true;
	return 0;
}

int tlsa_dir_key_update(struct tlsa_cipher_dir *d)
{
	if (d == NULL || !d->ready || !is_tls13_suite(d->suite))
		return TLSA_EINVAL;
	struct tlsa_crypto_cache *cc = d->cache;
	EVP_MAC_CTX *m = cc_hmac(cc, d->suite->prf);
	uint8_t next[48];
	int rc = m != NULL ? expand_label_hmac(m, d->secret, d->secret_len, "traffic upd", next,
					       d->secret_len)
			   : tlsa_hkdf_expand_label(d->suite->prf, d->secret, d->secret_len,
						    "traffic upd", NULL, 0, next, d->secret_len);
	if (rc != 0)
		return TLSA_EINVAL;
	memcpy(d->secret, next, d->secret_len);
	OPENSSL_cleanse(next, sizeof(next));
	d->seq = 0;
	release_key(d); /* the old key leaves the context */
	if (cc != NULL)
		d->key_id = cc->next_key_id++;
	return derive13_cc(d, cc);
}

static bool version_ok(uint16_t v)
{
	return v == 0x0300 || v == 0x0301 || v == 0x0302 || v == 0x0303 || v == 0xfeff ||
	       v == 0xfefd;
}

/*
 * The TLS 1.2 PRF with the cache's HMAC (SHA-256/384): P_hash(secret, label +
 * seed1 + seed2), A(0) = label + seeds, A(i) = HMAC(secret, A(i-1)), output
 * HMAC(secret, A(i) + label + seeds).  Other hashes, or no cache:
 * tlsa_tls_prf().
 */
static int prf_cc(struct tlsa_crypto_cache *cc, tlsa_hash h, const uint8_t *secret,
		  size_t secret_len, const char *label, const uint8_t *s1, size_t n1,
		  const uint8_t *s2, size_t n2, uint8_t *out, size_t out_len)
{
	EVP_MAC_CTX *m = h == TLSA_HASH_SHA256 || h == TLSA_HASH_SHA384 ? cc_hmac(cc, h) : NULL;
	size_t ll = strlen(label);
	if (m == NULL || ll + n1 + n2 > 256)
		return tlsa_tls_prf(h, secret, secret_len, label, s1, n1, s2, n2, out, out_len);
	uint8_t seed[256], a[EVP_MAX_MD_SIZE], blk[EVP_MAX_MD_SIZE];
	size_t sl = 0, al = 0, bl = 0, done = 0;
	memcpy(seed, label, ll);
	sl += ll;
	memcpy(seed + sl, s1, n1);
	sl += n1;
	memcpy(seed + sl, s2, n2);
	sl += n2;
	/* A(1); every later HMAC re-uses the key set up here (EVP_MAC_init
	 * without a key) */
	int rc = 0;
	if (EVP_MAC_init(m, secret, secret_len, NULL) != 1 || EVP_MAC_update(m, seed, sl) != 1 ||
	    EVP_MAC_final(m, a, &al, sizeof(a)) != 1)
		rc = TLSA_EINVAL;
	while (rc == 0 && done < out_len) {
		if (EVP_MAC_init(m, NULL, 0, NULL) != 1 || EVP_MAC_update(m, a, al) != 1 ||
		    EVP_MAC_update(m, seed, sl) != 1 ||
		    EVP_MAC_final(m, blk, &bl, sizeof(blk)) != 1) {
			rc = TLSA_EINVAL;
			break;
		}
		size_t k = out_len - done < bl ? out_len - done : bl;
		memcpy(out + done, blk, k);
		done += k;
		if (done < out_len &&
		    (EVP_MAC_init(m, NULL, 0, NULL) != 1 || EVP_MAC_update(m, a, al) != 1 ||
		     EVP_MAC_final(m, a, &al, sizeof(a)) != 1))
			rc = TLSA_EINVAL;
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	OPENSSL_cleanse(a, sizeof(a));
	return rc;
}

int tlsa_dir_init_tls12(struct tlsa_cipher_dir *client, struct tlsa_cipher_dir *server,
			uint16_t version, uint16_t suite, const uint8_t master[48],
			const uint8_t client_random[32], const uint8_t server_random[32], bool etm)
{
	return tlsa_dir_init_tls12_cached(client, server, NULL, version, suite, master,
					  client_random, server_random, etm);
}

int tlsa_dir_init_tls12_cached(struct tlsa_cipher_dir *client, struct tlsa_cipher_dir *server,
			       struct tlsa_crypto_cache *cc, uint16_t version, uint16_t suite,
			       const uint8_t master[48], const uint8_t client_random[32],
			       const uint8_t server_random[32], bool etm)
{
	if (client == NULL || server == NULL || client == server)
		return TLSA_EINVAL;
	tlsa_dir_free(client);
	tlsa_dir_free(server);
	const struct tlsa_suite *s = tlsa_suite_find(suite);
	if (s == NULL || s->tls13 || !version_ok(version) || master == NULL ||
	    client_random == NULL || server_random == NULL)
		return TLSA_EINVAL;
	bool v12 = version == 0x0303 || version == 0xfefd, ssl3 = version == 0x0300;
	bool aead = s->prot != TLSA_PROT_CBC && s->prot != TLSA_PROT_STREAM &&
		    s->prot != TLSA_PROT_NULL;
	if (aead && !v12)
		return TLSA_EINVAL; /* AEAD suites exist from TLS 1.2 on */
	if (ssl3 && s->mac != TLSA_HASH_MD5 && s->mac != TLSA_HASH_SHA1)
		return TLSA_EINVAL; /* SSL 3.0 MACs are MD5 or SHA-1 */
	tlsa_hash prf = v12 ? s->prf : TLSA_HASH_MD5_SHA1;
	bool exp = s->key_material < s->key_len;
	size_t mac = tlsa_hash_len(s->mac), key = s->key_material;
	size_t iv = s->prot == TLSA_PROT_CBC ? (version <= 0x0301 ? s->block_len : 0)
					     : (aead ? s->fixed_iv_len : 0);
	if (exp)
		iv = 0; /* an export suite's IVs come from the randoms */
	uint8_t kb[2 * 48 + 2 * 32 + 2 * 16], xk[2][32], xiv[2][16];
	size_t need = 2 * (mac + key + iv);
	int rc = ssl3 ? ssl3_key_block(master, server_random, client_random, kb, need)
		      : prf_cc(cc, prf, master, 48, "key expansion", server_random, 32,
			       client_random, 32, kb, need);
	if (rc == 0 && exp)
		rc = export_keys(s, ssl3 ? TLSA_HASH_NONE : prf, kb + 2 * mac, kb + 2 * mac + key,
				 client_random, server_random, xk[0], xk[1], xiv[0], xiv[1]);
	if (rc != 0) {
		OPENSSL_cleanse(kb, sizeof(kb));
		return TLSA_EINVAL;
	}
	struct tlsa_cipher_dir *dirs[2] = {client, server};
	for (int i = 0; i < 2; i++) {
		struct tlsa_cipher_dir *d = dirs[i];
		d->suite = s;
		d->version = version;
		d->dtls = version >= 0xfe00;
		d->epoch = d->dtls ? 1 : 0;
		d->etm = etm && s->prot == TLSA_PROT_CBC;
		memcpy(d->mac_key, kb + i * mac, mac);
		memcpy(d->key, exp ? xk[i] : kb + 2 * mac + i * key, s->key_len);
		if (exp && s->prot == TLSA_PROT_CBC && version <= 0x0301)
			memcpy(d->iv, xiv[i], s->block_len);
		else
			memcpy(d->iv, kb + 2 * mac + 2 * key + i * iv, iv);
		rc = alloc_ctx_cc(d, cc);
		if (rc != 0) {
			OPENSSL_cleanse(kb, sizeof(kb));
			OPENSSL_cleanse(xk, sizeof(xk));
			tlsa_dir_free(client);
			tlsa_dir_free(server);
			return rc;
		}
		d->ready = true;
	}
	OPENSSL_cleanse(kb, sizeof(kb));
	OPENSSL_cleanse(xk, sizeof(xk));
	return 0;
}

/*
 * AEAD open: `ct` of `ct_len` bytes followed by nothing; `tag` separate.
 * Writes ct_len bytes to out.  0 or TLSA_EAUTH.
 */
static int aead_open(struct tlsa_cipher_dir *d, const uint8_t nonce[12], const uint8_t *aad,
		     size_t aad_len, const uint8_t *ct, size_t ct_len, const uint8_t *tag,
		     uint8_t *out)
{
	const struct tlsa_suite *s = d->suite;
	if (s->builtin) /* Camellia-GCM */
		return soft_gcm_open(s->cipher_name, d->key, s->key_len, nonce, aad, aad_len, ct,
				     ct_len, tag, out);
	struct ctx_use u = rec_ctx_of(d);
	EVP_CIPHER_CTX *c = u.c;
	bool ccm = s->prot == TLSA_PROT_CCM || s->prot == TLSA_PROT_CCM8;
	int tl = (int)rec_tag_len(s), n = 0;
	uint8_t tagbuf[16];

	memcpy(tagbuf, tag, (size_t)tl);
	if (ccm || !*u.set) {
		/* GCM and ChaCha20-Poly1305 keep cipher and IV length from the first
		 * record on, and the key while no other direction needs the context:
		 * later records set the nonce (and key) only */
		rec_mark_keyed(d, false);
		u.keyed = false;
		*u.set = false;
		if (EVP_DecryptInit_ex(c, u.cipher, NULL, NULL, NULL) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1)
			return TLSA_EAUTH;
		*u.set = !ccm;
	}
	if (ccm && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, tl, tagbuf) != 1)
		return TLSA_EAUTH;
	/* GCM, ChaCha20-Poly1305: the expected tag goes in with the nonce */
	OSSL_PARAM tp[] = {
		OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tagbuf, (size_t)tl),
		OSSL_PARAM_construct_end()};
	if (EVP_DecryptInit_ex2(c, NULL, u.keyed ? NULL : d->key, nonce, ccm ? NULL : tp) != 1) {
		rec_mark_keyed(d, false);
		return TLSA_EAUTH;
	}
	rec_mark_keyed(d, true);
	if (ccm && EVP_DecryptUpdate(c, NULL, &n, NULL, (int)ct_len) != 1)
		return TLSA_EAUTH;
	if (EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len) != 1)
		return TLSA_EAUTH;
	if (EVP_DecryptUpdate(c, out, &n, ct, (int)ct_len) != 1)
		return TLSA_EAUTH;
	if (ccm)
		return 0;
	int fl = 0;
	if (EVP_DecryptFinal_ex(c, out + n, &fl) != 1)
		return TLSA_EAUTH;
	return 0;
}

/* CBC decryption without padding removal; 0 or TLSA_EAUTH (libcrypto failure).
 * The context keeps the cipher, and the key while it is this direction's. */
static int cbc_decrypt(struct tlsa_cipher_dir *d, const uint8_t *iv, const uint8_t *ct,
		       size_t ct_len, uint8_t *out)
{
	if (d->suite->builtin) {
		uint16_t dk[52]; /* IDEA */
		idea_decrypt_keys(d->key, dk);
		idea_cbc_decrypt(dk, iv, ct, ct_len, out);
		OPENSSL_cleanse(dk, sizeof(dk));
		return 0;
	}
	struct ctx_use u = rec_ctx_of(d);
	EVP_CIPHER_CTX *c = u.c;
	int n = 0, fl = 0;
	if (!*u.set) {
		rec_mark_keyed(d, false);
		u.keyed = false;
		if (EVP_DecryptInit_ex(c, u.cipher, NULL, NULL, NULL) != 1)
			return TLSA_EAUTH;
		*u.set = true;
	}
	if (EVP_DecryptInit_ex(c, NULL, NULL, u.keyed ? NULL : d->key, iv) != 1) {
		rec_mark_keyed(d, false);
		return TLSA_EAUTH;
	}
	rec_mark_keyed(d, true);
	if (EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    EVP_DecryptUpdate(c, out, &n, ct, (int)ct_len) != 1 ||
	    EVP_DecryptFinal_ex(c, out + n, &fl) != 1)
		return TLSA_EAUTH;
	return 0;
}

int rec_mac(struct tlsa_cipher_dir *d, uint64_t seq, uint8_t type, uint16_t version,
		   const uint8_t *data, size_t len, uint8_t *mac)
{
	uint8_t hdr[13];
	rec_pseudo_header(hdr, seq, type, version, len);
	if (d->version == 0x0300)
		return ssl3_mac(d->suite->mac, d->mac_key, seq, type, data, len, mac);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)mac_digest_name(d->suite->mac), 0),
		OSSL_PARAM_construct_end(),
	};
	/* the cache's HMAC of this hash needs no digest parameter */
	EVP_MAC_CTX *m = d->cache != NULL ? cc_hmac(d->cache, d->suite->mac) : d->mac_ctx;
	size_t ml = tlsa_hash_len(d->suite->mac), outl = 0;
	if (EVP_MAC_init(m, d->mac_key, ml, d->cache != NULL ? NULL : params) != 1 ||
	    EVP_MAC_update(m, hdr, sizeof(hdr)) != 1 ||
	    (len > 0 && EVP_MAC_update(m, data, len) != 1) ||
	    EVP_MAC_final(m, mac, &outl, 48) != 1 || outl != ml)
		return TLSA_EAUTH;
	return 0;
}

/*
 * Checks TLS CBC padding of a decrypted fragment of n >= 1 bytes, looking
 * at the same number of bytes whatever the padding length ("constant-ish":
 * the work does not depend on where the padding check fails).  Returns the
 * padding length + 1 when valid, 0 otherwise.
 */
static size_t cbc_pad_check(const uint8_t *p, size_t n, size_t mac_len)
{
	size_t pad = p[n - 1];
	unsigned bad = 0;
	bad |= (unsigned)(pad + 1 + mac_len > n);
	size_t scan = n < 256 ? n : 256;
	for (size_t i = 1; i <= scan; i++) {
		unsigned in_pad = (unsigned)(i <= pad + 1);
		bad |= in_pad & (unsigned)(p[n - i] != pad);
	}
	return bad ? 0 : pad + 1;
}

/* SSL 3.0 padding: any bytes, the last one their count, less than a block
 * (RFC 6101 5.2.3.2).  The padding length + 1 when valid, else 0. */
static size_t ssl3_pad_check(const uint8_t *p, size_t n, size_t mac_len, size_t block)
{
	size_t pad = p[n - 1];
	return pad < block && pad + 1 + mac_len <= n ? pad + 1 : 0;
}

/* A stream cipher (RC4, its state carried from record to record) or no
 * cipher at all: plaintext || MAC. */
static int decrypt_stream(struct tlsa_cipher_dir *d, uint64_t seq, uint8_t type, uint16_t rver,
			  const uint8_t *body, size_t blen, uint8_t *out, size_t *out_len,
			  struct tlsa_error *err, size_t hdr)
{
	const struct tlsa_suite *s = d->suite;
	size_t ml = tlsa_hash_len(s->mac);
	int n = 0;
	if (s->prot == TLSA_PROT_NULL)
		memcpy(out, body, blen);
	else if (EVP_DecryptUpdate(d->cipher_ctx, out, &n, body, (int)blen) != 1 ||
		 (size_t)n != blen)
		return tlsa_error_set(err, TLSA_EAUTH, hdr, "decryption failed (%s)", s->name);
	if (blen < ml)
		return tlsa_error_set(err, TLSA_EINVAL, hdr,
				      "%zu-byte record is shorter than the %zu-byte MAC of %s",
				      blen, ml, s->name);
	uint8_t mac[48];
	size_t plen = blen - ml;
	if (rec_mac(d, seq, type, rver, out, plen, mac) != 0 ||
	    CRYPTO_memcmp(mac, out + plen, ml) != 0)
		return tlsa_error_set(err, TLSA_EAUTH, hdr, "record MAC does not verify (%s)",
				      s->name);
	*out_len = plen;
	return 0;
}

static int decrypt_cbc(struct tlsa_cipher_dir *d, uint64_t seq, uint8_t type, uint16_t rver,
		       const uint8_t *body, size_t blen, uint8_t *out, size_t *out_len,
		       struct tlsa_error *err, size_t hdr)
{
	const struct tlsa_suite *s = d->suite;
	size_t bl = s->block_len, ml = tlsa_hash_len(s->mac);
	bool explicit_iv = d->dtls || d->version >= 0x0302;
	size_t ivl = explicit_iv ? bl : 0;
	uint8_t mac[48];
	const uint8_t *iv = explicit_iv ? body : d->iv;

	if (d->etm) {
		if (blen < ivl + bl + ml || (blen - ivl - ml) % bl != 0)
			return tlsa_error_set(err, TLSA_EINVAL, hdr,
					      "%zu-byte record cannot be %s CBC with "
					      "encrypt-then-MAC (IV, whole blocks, %zu-byte MAC)",
					      blen, s->name, ml);
		size_t ctl = blen - ivl - ml;
		int rc = rec_mac(d, seq, type, rver, body, blen - ml, mac);
		bool ok = rc == 0 && CRYPTO_memcmp(mac, body + blen - ml, ml) == 0;
		uint8_t next_iv[16];
		memcpy(next_iv, body + ivl + ctl - bl, bl);
		if (ok)
			ok = cbc_decrypt(d, iv, body + ivl, ctl, out) == 0;
		if (!explicit_iv)
			memcpy(d->iv, next_iv, bl);
		if (!ok)
			return tlsa_error_set(err, TLSA_EAUTH, hdr,
					      "record MAC does not verify (%s, encrypt-then-MAC)",
					      s->name);
		size_t p = cbc_pad_check(out, ctl, 0);
		if (p == 0)
			return tlsa_error_set(err, TLSA_EAUTH, hdr, "bad CBC padding (%s)",
					      s->name);
		*out_len = ctl - p;
		return 0;
	}

	size_t minct = ((ml + 1 + bl - 1) / bl) * bl;
	if (blen < ivl + minct || (blen - ivl) % bl != 0)
		return tlsa_error_set(
			err, TLSA_EINVAL, hdr,
			"%zu-byte record cannot be %s CBC (IV, whole blocks, %zu-byte "
			"MAC)",
			blen, s->name, ml);
	size_t ctl = blen - ivl;
	uint8_t next_iv[16];
	memcpy(next_iv, body + ivl + ctl - bl, bl);
	int rc = cbc_decrypt(d, iv, body + ivl, ctl, out);
	if (!explicit_iv)
		memcpy(d->iv, next_iv, bl);
	if (rc != 0)
		return tlsa_error_set(err, TLSA_EAUTH, hdr, "CBC decryption failed (%s)", s->name);
	size_t p = d->version == 0x0300 ? ssl3_pad_check(out, ctl, ml, bl)
					: cbc_pad_check(out, ctl, ml);
	size_t plen = ctl - (p ? p : 1) - ml; /* with bad padding, still compute a MAC */
	rc = rec_mac(d, seq, type, rver, out, plen, mac);
	bool ok = rc == 0 && CRYPTO_memcmp(mac, out + plen, ml) == 0 && p != 0;
	if (!ok)
		return tlsa_error_set(err, TLSA_EAUTH, hdr,
				      "record MAC or padding does not verify (%s)", s->name);
	*out_len = plen;
	return 0;
}

/* The suites with a record MAC (CBC, stream, none): their type is the header's. */
static int decrypt_mac_suite(struct tlsa_cipher_dir *d, uint64_t seq, uint8_t type, uint16_t rver,
			     const uint8_t *body, size_t blen, uint8_t *out, size_t *out_len,
			     uint8_t *inner_type, struct tlsa_error *err, size_t hdr)
{
	int rc = d->suite->prot == TLSA_PROT_CBC
			 ? decrypt_cbc(d, seq, type, rver, body, blen, out, out_len, err, hdr)
			 : decrypt_stream(d, seq, type, rver, body, blen, out, out_len, err, hdr);
	if (rc == 0)
		*inner_type = type;
	return rc;
}

int tlsa_dir_decrypt(struct tlsa_cipher_dir *d, const uint8_t *record, size_t len, uint8_t *out,
		     size_t cap, size_t *out_len, uint8_t *inner_type, struct tlsa_error *err)
{
	if (d == NULL || !d->ready || record == NULL || out == NULL || out_len == NULL ||
	    inner_type == NULL)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "decryption state not set up");
	*out_len = 0;
	*inner_type = 0;

	struct rd r = rd_init(record, len);
	uint8_t type = rd_u8(&r);
	uint16_t rver = rd_u16(&r);
	uint64_t seq = 0;
	if (d->dtls)
		seq = (uint64_t)rd_u16(&r) << 48 | rd_u48(&r);
	size_t hdr = d->dtls ? 13 : 5;
	size_t blen = rd_u16(&r);
	if (!rd_ok(&r))
		return tlsa_error_set(err, TLSA_ETRUNC, len,
				      "record header needs %zu bytes, only %zu given", hdr, len);
	const uint8_t *body = rd_bytes(&r, blen);
	if (body == NULL)
		return tlsa_error_set(err, TLSA_ETRUNC, hdr,
				      "record length field says %zu bytes, only %zu follow the "
				      "header",
				      blen, len - hdr);
	if (cap < blen)
		return tlsa_error_set(err, TLSA_ELIMIT, 0,
				      "output buffer of %zu bytes is smaller than the %zu-byte "
				      "record body",
				      cap, blen);
	const struct tlsa_suite *s = d->suite;
	bool tls13 = s->tls13;
	if (tls13 && type != 23)
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "TLS 1.3 protected records have outer type 23, found %u",
				      (unsigned)type);
	if (!d->dtls)
		seq = d->seq++;
	d->last_seq = seq;

	if (s->prot == TLSA_PROT_CBC || s->prot == TLSA_PROT_STREAM || s->prot == TLSA_PROT_NULL)
		return decrypt_mac_suite(d, seq, type, rver, body, blen, out, out_len, inner_type,
					 err, hdr);

	size_t tl = rec_tag_len(s);
	size_t explicit_len = (!tls13 && s->prot != TLSA_PROT_CHACHA) ? 8 : 0;
	if (blen < explicit_len + tl + (tls13 ? 1 : 0))
		return tlsa_error_set(err, TLSA_EINVAL, hdr,
				      "%zu-byte record is too short for %s (%zu-byte nonce, "
				      "%zu-byte tag)",
				      blen, s->name, explicit_len, tl);
	size_t ctl = blen - explicit_len - tl;
	uint8_t nonce[12], aad[13];
	rec_nonce(d, seq, explicit_len ? body : NULL, nonce);
	size_t aad_len = tls13 ? 5 : 13;
	if (tls13)
		memcpy(aad, record, 5);
	else
		rec_pseudo_header(aad, seq, type, rver, ctl);
	if (aead_open(d, nonce, aad, aad_len, body + explicit_len, ctl, body + explicit_len + ctl,
		      out) != 0)
		return tlsa_error_set(err, TLSA_EAUTH, hdr,
				      "record does not authenticate (%s, sequence number %llu): "
				      "wrong key log or tampered record",
				      s->name, (unsigned long long)seq);
	if (!tls13) {
		*out_len = ctl;
		*inner_type = type;
		return 0;
	}
	size_t n = ctl;
	while (n > 0 && out[n - 1] == 0)
		n--;
	if (n == 0)
		return tlsa_error_set(err, TLSA_EINVAL, hdr,
				      "decrypted TLS 1.3 record holds only padding, no content "
				      "type");
	*inner_type = out[n - 1];
	*out_len = n - 1;
	return 0;
}
