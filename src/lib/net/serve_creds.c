/*
 * The key and certificate `serve` presents: loaded from PEM files, or made
 * for a name (a small CA and a leaf signed by it, both EC P-256, so a
 * client given the CA's PEM verifies the leaf as it would a real one: Go
 * and others refuse a self-signed leaf that is not a CA).  Made once per
 * run, shared read-only by every connection.
 */
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"

struct tlsa_serve_creds {
	X509 *leaf;
	STACK_OF(X509) * chain; /* certificates after the leaf (may be empty) */
	EVP_PKEY *key;
	char *ca_pem;
	size_t ca_pem_len;
};

static int ossl_fail(struct tlsa_error *err, const char *what)
{
	unsigned long e = ERR_get_error();
	const char *why = e != 0 ? ERR_reason_error_string(e) : NULL;
	return tlsa_error_set(err, TLSA_EIO, 0, "%s: %s", what,
			      why != NULL ? why : "libcrypto failed");
}

static EVP_PKEY *p256(void)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (pc != NULL && EVP_PKEY_keygen_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_group_name(pc, "P-256") == 1)
		EVP_PKEY_keygen(pc, &k);
	EVP_PKEY_CTX_free(pc);
	return k;
}

static bool add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	bool ok = e != NULL && X509_add_ext(x, e, -1) == 1;
	X509_EXTENSION_free(e);
	return ok;
}

/* A certificate for cn with key, signed by (issuer, ikey) or by itself. */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, long serial,
		       unsigned days, const char *san)
{
	X509 *x = X509_new();
	if (x == NULL)
		return NULL;
	bool ok = X509_set_version(x, 2) == 1 &&
		  ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
		  X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
		  X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) != NULL &&
		  X509_set_pubkey(x, key) == 1 &&
		  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
					     (const unsigned char *)cn, -1, -1, 0) == 1 &&
		  X509_set_issuer_name(x, X509_get_subject_name(issuer != NULL ? issuer : x)) == 1;
	X509 *iss = issuer != NULL ? issuer : x;
	if (ok && san == NULL) {
		ok = add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE") &&
		     add_ext(x, iss, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		     add_ext(x, iss, NID_subject_key_identifier, "hash");
	} else if (ok) {
		ok = add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE") &&
		     add_ext(x, iss, NID_key_usage, "critical,digitalSignature") &&
		     add_ext(x, iss, NID_ext_key_usage, "serverAuth,clientAuth") &&
		     add_ext(x, iss, NID_subject_alt_name, san) &&
		     add_ext(x, iss, NID_authority_key_identifier, "keyid");
	}
	if (ok && X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0)
		return x;
	X509_free(x);
	return NULL;
}

static int ca_pem_of(struct tlsa_serve_creds *c, X509 *ca, struct tlsa_error *err)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n = 0;
	if (b == NULL || PEM_write_bio_X509(b, ca) != 1 || (n = BIO_get_mem_data(b, &data)) <= 0) {
		BIO_free(b);
		return ossl_fail(err, "cannot write the CA certificate");
	}
	c->ca_pem = malloc((size_t)n + 1);
	if (c->ca_pem == NULL) {
		BIO_free(b);
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory");
	}
	memcpy(c->ca_pem, data, (size_t)n);
	c->ca_pem[n] = '\0';
	c->ca_pem_len = (size_t)n;
	BIO_free(b);
	return 0;
}

int tlsa_serve_creds_self_signed(const char *name, unsigned days, struct tlsa_serve_creds **out,
				 struct tlsa_error *err)
{
	*out = NULL;
	/* a comma would start another subjectAltName entry */
	if (name == NULL || name[0] == '\0' || strlen(name) > 253 ||
	    strpbrk(name, ", /\t\r\n") != NULL)
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "a certificate needs a host name or an address");
	if (days == 0)
		days = 7;
	if (days > 3650)
		return tlsa_error_set(err, TLSA_EINVAL, 0, "a validity of at most 3650 days");
	uint8_t a[16];
	bool ip = inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
	char san[300];
	snprintf(san, sizeof(san), "%s:%s", ip ? "IP" : "DNS", name);
	struct tlsa_serve_creds *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory");
	EVP_PKEY *cakey = p256();
	c->key = p256();
	X509 *ca = cakey != NULL
			   ? make_cert("tlsalert serve test CA", cakey, NULL, NULL, 1, days, NULL)
			   : NULL;
	c->leaf = ca != NULL && c->key != NULL ? make_cert(name, c->key, ca, cakey, 2, days, san)
					       : NULL;
	c->chain = sk_X509_new_null();
	EVP_PKEY_free(cakey);
	int rc = 0;
	if (c->leaf == NULL || c->chain == NULL)
		rc = ossl_fail(err, "cannot make a certificate");
	else
		rc = ca_pem_of(c, ca, err);
	X509_free(ca);
	if (rc < 0) {
		tlsa_serve_creds_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int tlsa_serve_creds_load(const char *cert_file, const char *key_file,
			  struct tlsa_serve_creds **out, struct tlsa_error *err)
{
	*out = NULL;
	struct tlsa_serve_creds *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory");
	c->chain = sk_X509_new_null();
	BIO *b = BIO_new_file(cert_file, "r");
	int rc = 0;
	X509 *x;
	if (b == NULL || c->chain == NULL) {
		rc = tlsa_error_set(err, TLSA_EIO, 0, "cannot read %s", cert_file);
		goto done;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (c->leaf == NULL)
			c->leaf = x;
		else if (sk_X509_push(c->chain, x) <= 0)
			X509_free(x);
	}
	ERR_clear_error(); /* the end of the file reads as an error */
	BIO_free(b);
	b = NULL;
	if (c->leaf == NULL) {
		rc = tlsa_error_set(err, TLSA_EINVAL, 0, "no PEM certificate in %s", cert_file);
		goto done;
	}
	const char *kf = key_file != NULL ? key_file : cert_file;
	b = BIO_new_file(kf, "r");
	c->key = b != NULL ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	if (c->key == NULL) {
		rc = tlsa_error_set(err, TLSA_EINVAL, 0, "no PEM private key in %s", kf);
		goto done;
	}
	if (X509_check_private_key(c->leaf, c->key) != 1) {
		rc = tlsa_error_set(err, TLSA_EINVAL, 0, "the key in %s does not match %s", kf,
				    cert_file);
		goto done;
	}
	int n = sk_X509_num(c->chain);
	rc = ca_pem_of(c, n > 0 ? sk_X509_value(c->chain, n - 1) : c->leaf, err);
done:
	BIO_free(b);
	ERR_clear_error();
	if (rc < 0) {
		tlsa_serve_creds_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

const char *tlsa_serve_creds_ca_pem(const struct tlsa_serve_creds *c, size_t *len)
{
	if (len != NULL)
		*len = c != NULL ? c->ca_pem_len : 0;
	return c != NULL ? c->ca_pem : NULL;
}

void tlsa_serve_creds_free(struct tlsa_serve_creds *c)
{
	if (c == NULL)
		return;
	X509_free(c->leaf);
	sk_X509_pop_free(c->chain, X509_free);
	EVP_PKEY_free(c->key);
	free(c->ca_pem);
	free(c);
}

void serve_creds_objects(const struct tlsa_serve_creds *c, void **leaf, void **chain, void **key)
{
	*leaf = c->leaf;
	*chain = c->chain;
	*key = c->key;
}
