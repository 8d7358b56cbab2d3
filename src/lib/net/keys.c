/*
 * Key shares for a probe's ClientHello and, when a TLS 1.3 server answers,
 * the handshake traffic secret that opens its encrypted flight: the probe
 * knows its own keys, so an alert in that flight is read, not guessed.
 * libcrypto does the group arithmetic and HMAC; the key schedule is RFC 8446
 * section 7.1.
 */
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/ascii.h"
#include "net_int.h"

struct share {
	uint16_t group;
	EVP_PKEY *key;
	uint8_t pub[512];
	size_t pub_len;
};

struct tlsa_probe_keys {
	struct share s[4];
	size_t n;
};

struct group_def {
	uint16_t id;
	const char *algo;  /* EVP_PKEY algorithm */
	const char *param; /* its group name, or NULL */
	size_t len;	   /* public value on the wire */
};

static const struct group_def groups[] = {
	{0x001d, "X25519", NULL, 32},	  {0x001e, "X448", NULL, 56},
	{0x0017, "EC", "P-256", 65},	  {0x0018, "EC", "P-384", 97},
	{0x0019, "EC", "P-521", 133},	  {0x0100, "DH", "ffdhe2048", 256},
	{0x0101, "DH", "ffdhe3072", 384},
};

static const struct group_def *group_find(uint16_t id)
{
	for (size_t i = 0; i < N_ELEMS(groups); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

size_t net_share_len(uint16_t group)
{
	const struct group_def *g = group_find(group);
	return g != NULL ? g->len : 0;
}

static EVP_PKEY *keygen(const struct group_def *g)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, g->algo, NULL);
	if (c == NULL || EVP_PKEY_keygen_init(c) <= 0)
		goto out;
	if (g->param != NULL) {
		OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
								   (char *)g->param, 0),
				  OSSL_PARAM_construct_end()};
		if (EVP_PKEY_CTX_set_params(c, p) <= 0)
			goto out;
	}
	if (EVP_PKEY_keygen(c, &k) <= 0)
		k = NULL;
out:
	EVP_PKEY_CTX_free(c);
	return k;
}

struct tlsa_probe_keys *tlsa_probe_keys_new(const struct tlsa_probe_hello *h,
					    struct tlsa_error *err)
{
	struct tlsa_probe_keys *k = calloc(1, sizeof(*k));
	if (k == NULL) {
		tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < h->n_key_shares && i < N_ELEMS(k->s); i++) {
		const struct group_def *g = group_find(h->key_shares[i]);
		struct share *s = &k->s[k->n];
		unsigned char *pub = NULL;
		if (g == NULL)
			continue; /* the encoder sends random bytes for it */
		s->group = g->id;
		s->key = keygen(g);
		size_t n = s->key != NULL ? EVP_PKEY_get1_encoded_public_key(s->key, &pub) : 0;
		if (n == 0 || n > sizeof(s->pub)) {
			OPENSSL_free(pub);
			EVP_PKEY_free(s->key);
			tlsa_probe_keys_free(k);
			tlsa_error_set(err, TLSA_EUNSUPP, 0,
				       "libcrypto cannot make a key share for group 0x%04x", g->id);
			return NULL;
		}
		/* a DH public value is left-padded to the size of the prime */
		memset(s->pub, 0, sizeof(s->pub));
		memcpy(s->pub + (n < g->len ? g->len - n : 0), pub, n);
		s->pub_len = n < g->len ? g->len : n;
		OPENSSL_free(pub);
		k->n++;
	}
	return k;
}

void tlsa_probe_keys_free(struct tlsa_probe_keys *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->n; i++)
		EVP_PKEY_free(k->s[i].key);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

const uint8_t *net_keys_public(const struct tlsa_probe_keys *k, uint16_t group, size_t *len)
{
	for (size_t i = 0; k != NULL && i < k->n; i++)
		if (k->s[i].group == group) {
			*len = k->s[i].pub_len;
			return k->s[i].pub;
		}
	*len = 0;
	return NULL;
}

/* The (EC)DH shared secret with the server's share into out (*len). */
static int shared_secret(const struct share *s, const uint8_t *peer_pub, size_t peer_len,
			 uint8_t *out, size_t *len)
{
	const struct group_def *g = group_find(s->group);
	EVP_PKEY *peer = NULL;
	EVP_PKEY_CTX *c = NULL;
	int rc = -1;
	if (g->param == NULL) {
		peer = EVP_PKEY_new_raw_public_key_ex(NULL, g->algo, NULL, peer_pub, peer_len);
	} else {
		peer = EVP_PKEY_new();
		if (peer != NULL &&
		    (EVP_PKEY_copy_parameters(peer, s->key) <= 0 ||
		     EVP_PKEY_set1_encoded_public_key(peer, peer_pub, peer_len) <= 0)) {
			EVP_PKEY_free(peer);
			peer = NULL;
		}
	}
	c = peer != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, s->key, NULL) : NULL;
	if (c == NULL || EVP_PKEY_derive_init(c) <= 0)
		goto out;
	if (strcmp(g->algo, "DH") == 0)
		EVP_PKEY_CTX_set_dh_pad(c, 1); /* RFC 8446 7.4.1: padded to the prime's size */
	if (EVP_PKEY_derive_set_peer(c, peer) <= 0 || EVP_PKEY_derive(c, out, len) <= 0)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(peer);
	return rc;
}

static const char *md_name(tlsa_hash h)
{
	return h == TLSA_HASH_SHA384 ? "SHA384" : "SHA256";
}

/* HKDF-Extract(salt, ikm) = HMAC-Hash(salt, ikm) */
static int hkdf_extract(tlsa_hash h, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
			size_t ikm_len, uint8_t out[48])
{
	size_t n = 0;
	uint8_t zero[48] = {0};
	if (salt_len == 0) {
		salt = zero;
		salt_len = tlsa_hash_len(h);
	}
	return EVP_Q_mac(NULL, "HMAC", NULL, md_name(h), NULL, salt, salt_len, ikm, ikm_len, out,
			 48, &n) != NULL
		       ? 0
		       : -1;
}

int net_server_hs_secret(const struct tlsa_probe_keys *k, uint16_t group, const uint8_t *share,
			 size_t share_len, tlsa_hash h, const uint8_t *transcript, size_t tlen,
			 uint8_t out[48], size_t *out_len, struct tlsa_error *err)
{
	const struct share *s = NULL;
	for (size_t i = 0; k != NULL && i < k->n; i++)
		if (k->s[i].group == group)
			s = &k->s[i];
	if (s == NULL)
		return tlsa_error_set(err, TLSA_EUNSUPP, 0, "no key share of group 0x%04x", group);
	size_t hl = tlsa_hash_len(h);
	uint8_t dh[512], zeros[48] = {0}, early[48], derived[48], hs[48], empty[64], th[64];
	size_t dhl = sizeof(dh);
	unsigned int el = 0, tl = 0;
	int rc = TLSA_EINVAL;
	if (shared_secret(s, share, share_len, dh, &dhl) != 0) {
		rc = tlsa_error_set(err, TLSA_EINVAL, 0,
				    "the server's key share does not combine with the probe's");
		goto out;
	}
	if (hkdf_extract(h, NULL, 0, zeros, hl, early) != 0 ||
	    EVP_Digest("", 0, empty, &el, EVP_get_digestbyname(md_name(h)), NULL) != 1 ||
	    tlsa_hkdf_expand_label(h, early, hl, "derived", empty, el, derived, hl) != 0 ||
	    hkdf_extract(h, derived, hl, dh, dhl, hs) != 0 ||
	    EVP_Digest(transcript, tlen, th, &tl, EVP_get_digestbyname(md_name(h)), NULL) != 1 ||
	    tlsa_hkdf_expand_label(h, hs, hl, "s hs traffic", th, tl, out, hl) != 0) {
		rc = tlsa_error_set(err, TLSA_EINVAL, 0, "the TLS 1.3 key schedule failed");
		goto out;
	}
	*out_len = hl;
	rc = 0;
out:
	OPENSSL_cleanse(dh, sizeof(dh));
	OPENSSL_cleanse(early, sizeof(early));
	OPENSSL_cleanse(hs, sizeof(hs));
	return rc;
}
