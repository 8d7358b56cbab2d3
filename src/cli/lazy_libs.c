/*
 * libpcap and libcrypto, loaded the first time the library calls one of their
 * functions (docs/DEVELOPING.md, "Libraries loaded when used").
 *
 * build/tlsalert is not linked with -lpcap or -lcrypto: this file defines the
 * functions of theirs that libtlsalert calls, with the prototypes of their
 * headers (the compiler checks them), and each one loads its library on first
 * use (pthread_once: any thread may be first), looks up every listed function
 * at once and calls the real one.  So `explain`, `list`, `decode` and `logs`
 * never load libpcap's chain of libraries (dbus, systemd, gcrypt, ...) nor
 * libcrypto, and `scan` loads libpcap only for what it reads through it (BPF
 * filters, live capture, the formats it does not read in place).  The library
 * itself is untouched and keeps no state: a program that links it with -lpcap
 * -lcrypto (tests, fuzz targets, users) gets the real functions directly.
 *
 * A library that cannot be loaded, or lacks a function, is a message and exit
 * status 2 at the first call: that is the first moment it is known to be
 * needed.  A function the library starts to call must be added to the list
 * below, or the link of build/tlsalert fails with an undefined reference.
 */
#include <dlfcn.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* X(return type, name, (parameters), (arguments)); XV for void functions. */
#define PCAP_FUNCTIONS(X, XV)                                                                      \
	X(int, pcap_activate, (pcap_t * p), (p))                                                   \
	XV(pcap_close, (pcap_t * p), (p))                                                          \
	X(int, pcap_compile,                                                                       \
	  (pcap_t * p, struct bpf_program * fp, const char *s, int opt, bpf_u_int32 mask),         \
	  (p, fp, s, opt, mask))                                                                   \
	X(pcap_t *, pcap_create, (const char *dev, char *ebuf), (dev, ebuf))                       \
	X(int, pcap_datalink, (pcap_t * p), (p))                                                   \
	X(const char *, pcap_datalink_val_to_name, (int dlt), (dlt))                               \
	X(int, pcap_dispatch, (pcap_t * p, int n, pcap_handler cb, u_char *user),                  \
	  (p, n, cb, user))                                                                        \
	X(pcap_t *, pcap_fopen_offline_with_tstamp_precision, (FILE * f, u_int prec, char *ebuf),  \
	  (f, prec, ebuf))                                                                         \
	XV(pcap_freecode, (struct bpf_program * fp), (fp))                                         \
	X(int, pcap_get_selectable_fd, (pcap_t * p), (p))                                          \
	X(int, pcap_get_tstamp_precision, (pcap_t * p), (p))                                       \
	X(char *, pcap_geterr, (pcap_t * p), (p))                                                  \
	X(const char *, pcap_lib_version, (void), ())                                              \
	X(int, pcap_next_ex, (pcap_t * p, struct pcap_pkthdr * *h, const u_char **d), (p, h, d))   \
	X(int, pcap_offline_filter,                                                                \
	  (const struct bpf_program *fp, const struct pcap_pkthdr *h, const u_char *d),            \
	  (fp, h, d))                                                                              \
	X(pcap_t *, pcap_open_dead, (int dlt, int snaplen), (dlt, snaplen))                        \
	X(int, pcap_set_immediate_mode, (pcap_t * p, int on), (p, on))                             \
	X(int, pcap_set_snaplen, (pcap_t * p, int n), (p, n))                                      \
	X(int, pcap_set_timeout, (pcap_t * p, int ms), (p, ms))                                    \
	X(int, pcap_set_tstamp_precision, (pcap_t * p, int prec), (p, prec))                       \
	X(int, pcap_setfilter, (pcap_t * p, struct bpf_program * fp), (p, fp))                     \
	X(int, pcap_setnonblock, (pcap_t * p, int on, char *ebuf), (p, on, ebuf))                  \
	X(const char *, pcap_statustostr, (int e), (e))

#define CRYPTO_FUNCTIONS(X, XV)                                                                    \
	XV(ASN1_TIME_free, (ASN1_TIME * a), (a))                                                   \
	X(int, ASN1_TIME_to_tm, (const ASN1_TIME *s, struct tm *tm), (s, tm))                      \
	X(long, BIO_ctrl, (BIO * bp, int cmd, long larg, void *parg), (bp, cmd, larg, parg))       \
	X(char *, BIO_get_callback_arg, (const BIO *b), (b))                                       \
	XV(BIO_set_callback_arg, (BIO * b, char *arg), (b, arg))                                   \
	XV(BIO_set_callback_ex, (BIO * b, BIO_callback_fn_ex callback), (b, callback))             \
	X(int, BIO_free, (BIO * a), (a))                                                           \
	X(BIO *, BIO_new, (const BIO_METHOD *type), (type))                                        \
	X(const BIO_METHOD *, BIO_s_mem, (void), ())                                               \
	XV(CRYPTO_free, (void *ptr, const char *file, int line), (ptr, file, line))                \
	X(int, CRYPTO_memcmp, (const void *a, const void *b, size_t len), (a, b, len))             \
	X(void *, CRYPTO_zalloc, (size_t num, const char *file, int line), (num, file, line))      \
	XV(ERR_clear_error, (void), ())                                                            \
	X(unsigned long, ERR_get_error, (void), ())                                                \
	X(unsigned long, ERR_peek_last_error, (void), ())                                          \
	X(const char *, ERR_reason_error_string, (unsigned long e), (e))                           \
	X(int, EVP_CIPHER_CTX_ctrl, (EVP_CIPHER_CTX * ctx, int type, int arg, void *ptr),          \
	  (ctx, type, arg, ptr))                                                                   \
	X(int, EVP_CIPHER_CTX_set_key_length, (EVP_CIPHER_CTX * x, int keylen), (x, keylen))       \
	XV(EVP_CIPHER_CTX_free, (EVP_CIPHER_CTX * c), (c))                                         \
	X(EVP_CIPHER_CTX *, EVP_CIPHER_CTX_new, (void), ())                                        \
	X(int, EVP_CIPHER_CTX_reset, (EVP_CIPHER_CTX * c), (c))                                    \
	X(int, EVP_CIPHER_CTX_set_padding, (EVP_CIPHER_CTX * c, int pad), (c, pad))                \
	X(EVP_CIPHER *, EVP_CIPHER_fetch,                                                          \
	  (OSSL_LIB_CTX * ctx, const char *alg, const char *props), (ctx, alg, props))             \
	XV(EVP_CIPHER_free, (EVP_CIPHER * cipher), (cipher))                                       \
	X(int, EVP_DecryptFinal_ex, (EVP_CIPHER_CTX * ctx, unsigned char *out, int *outl),         \
	  (ctx, out, outl))                                                                        \
	X(int, EVP_DecryptInit_ex2,                                                                \
	  (EVP_CIPHER_CTX * ctx, const EVP_CIPHER *cipher, const unsigned char *key,               \
	   const unsigned char *iv, const OSSL_PARAM params[]),                                    \
	  (ctx, cipher, key, iv, params))                                                          \
	X(int, EVP_DecryptInit_ex,                                                                 \
	  (EVP_CIPHER_CTX * ctx, const EVP_CIPHER *cipher, ENGINE *impl, const unsigned char *key, \
	   const unsigned char *iv),                                                               \
	  (ctx, cipher, impl, key, iv))                                                            \
	X(int, EVP_DecryptUpdate,                                                                  \
	  (EVP_CIPHER_CTX * ctx, unsigned char *out, int *outl, const unsigned char *in, int inl), \
	  (ctx, out, outl, in, inl))                                                               \
	X(int, EVP_Digest,                                                                         \
	  (const void *data, size_t count, unsigned char *md, unsigned int *size,                  \
	   const EVP_MD *type, ENGINE *impl),                                                      \
	  (data, count, md, size, type, impl))                                                     \
	X(int, EVP_DigestFinal_ex, (EVP_MD_CTX * ctx, unsigned char *md, unsigned int *s),         \
	  (ctx, md, s))                                                                            \
	X(int, EVP_DigestInit_ex2,                                                                 \
	  (EVP_MD_CTX * ctx, const EVP_MD *type, const OSSL_PARAM params[]), (ctx, type, params))  \
	X(int, EVP_DigestUpdate, (EVP_MD_CTX * ctx, const void *d, size_t cnt), (ctx, d, cnt))     \
	X(int, EVP_EncryptFinal_ex, (EVP_CIPHER_CTX * ctx, unsigned char *out, int *outl),         \
	  (ctx, out, outl))                                                                        \
	X(int, EVP_EncryptInit_ex2,                                                                \
	  (EVP_CIPHER_CTX * ctx, const EVP_CIPHER *cipher, const unsigned char *key,               \
	   const unsigned char *iv, const OSSL_PARAM params[]),                                    \
	  (ctx, cipher, key, iv, params))                                                          \
	X(int, EVP_EncryptUpdate,                                                                  \
	  (EVP_CIPHER_CTX * ctx, unsigned char *out, int *outl, const unsigned char *in, int inl), \
	  (ctx, out, outl, in, inl))                                                               \
	XV(EVP_KDF_CTX_free, (EVP_KDF_CTX * ctx), (ctx))                                           \
	X(EVP_KDF_CTX *, EVP_KDF_CTX_new, (EVP_KDF * kdf), (kdf))                                  \
	X(int, EVP_KDF_derive,                                                                     \
	  (EVP_KDF_CTX * ctx, unsigned char *key, size_t keylen, const OSSL_PARAM params[]),       \
	  (ctx, key, keylen, params))                                                              \
	X(EVP_KDF *, EVP_KDF_fetch, (OSSL_LIB_CTX * ctx, const char *alg, const char *props),      \
	  (ctx, alg, props))                                                                       \
	XV(EVP_KDF_free, (EVP_KDF * kdf), (kdf))                                                   \
	XV(EVP_MAC_CTX_free, (EVP_MAC_CTX * ctx), (ctx))                                           \
	X(EVP_MAC_CTX *, EVP_MAC_CTX_new, (EVP_MAC * mac), (mac))                                  \
	X(int, EVP_MAC_CTX_set_params, (EVP_MAC_CTX * ctx, const OSSL_PARAM params[]),             \
	  (ctx, params))                                                                           \
	X(EVP_MAC *, EVP_MAC_fetch, (OSSL_LIB_CTX * ctx, const char *alg, const char *props),      \
	  (ctx, alg, props))                                                                       \
	X(int, EVP_MAC_final,                                                                      \
	  (EVP_MAC_CTX * ctx, unsigned char *out, size_t *outl, size_t outsize),                   \
	  (ctx, out, outl, outsize))                                                               \
	XV(EVP_MAC_free, (EVP_MAC * mac), (mac))                                                   \
	X(int, EVP_MAC_init,                                                                       \
	  (EVP_MAC_CTX * ctx, const unsigned char *key, size_t keylen, const OSSL_PARAM params[]), \
	  (ctx, key, keylen, params))                                                              \
	X(int, EVP_MAC_update, (EVP_MAC_CTX * ctx, const unsigned char *data, size_t len),         \
	  (ctx, data, len))                                                                        \
	XV(EVP_PKEY_CTX_free, (EVP_PKEY_CTX * ctx), (ctx))                                         \
	X(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_name,                                              \
	  (OSSL_LIB_CTX * libctx, const char *name, const char *propquery),                        \
	  (libctx, name, propquery))                                                               \
	X(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_pkey,                                              \
	  (OSSL_LIB_CTX * libctx, EVP_PKEY * pkey, const char *propquery),                         \
	  (libctx, pkey, propquery))                                                               \
	X(int, EVP_PKEY_CTX_set_dh_pad, (EVP_PKEY_CTX * ctx, int pad), (ctx, pad))                 \
	X(int, EVP_PKEY_CTX_set_params, (EVP_PKEY_CTX * ctx, const OSSL_PARAM *params),            \
	  (ctx, params))                                                                           \
	X(int, EVP_PKEY_copy_parameters, (EVP_PKEY * to, const EVP_PKEY *from), (to, from))        \
	X(int, EVP_PKEY_derive, (EVP_PKEY_CTX * ctx, unsigned char *key, size_t *keylen),          \
	  (ctx, key, keylen))                                                                      \
	X(int, EVP_PKEY_derive_init, (EVP_PKEY_CTX * ctx), (ctx))                                  \
	X(int, EVP_PKEY_derive_set_peer, (EVP_PKEY_CTX * ctx, EVP_PKEY * peer), (ctx, peer))       \
	XV(EVP_PKEY_free, (EVP_PKEY * pkey), (pkey))                                               \
	X(size_t, EVP_PKEY_get1_encoded_public_key, (EVP_PKEY * pkey, unsigned char **ppub),       \
	  (pkey, ppub))                                                                            \
	X(int, EVP_PKEY_keygen, (EVP_PKEY_CTX * ctx, EVP_PKEY * *ppkey), (ctx, ppkey))             \
	X(int, EVP_PKEY_keygen_init, (EVP_PKEY_CTX * ctx), (ctx))                                  \
	X(EVP_PKEY *, EVP_PKEY_new, (void), ())                                                    \
	X(EVP_PKEY *, EVP_PKEY_new_raw_public_key_ex,                                              \
	  (OSSL_LIB_CTX * libctx, const char *keytype, const char *propq,                          \
	   const unsigned char *pub, size_t len),                                                  \
	  (libctx, keytype, propq, pub, len))                                                      \
	X(int, EVP_PKEY_set1_encoded_public_key,                                                   \
	  (EVP_PKEY * pkey, const unsigned char *pub, size_t publen), (pkey, pub, publen))         \
	X(unsigned char *, EVP_Q_mac,                                                              \
	  (OSSL_LIB_CTX * libctx, const char *name, const char *propq, const char *subalg,         \
	   const OSSL_PARAM *params, const void *key, size_t keylen, const unsigned char *data,    \
	   size_t datalen, unsigned char *out, size_t outsize, size_t *outlen),                    \
	  (libctx, name, propq, subalg, params, key, keylen, data, datalen, out, outsize, outlen)) \
	X(int, EVP_MD_CTX_copy_ex, (EVP_MD_CTX * out, const EVP_MD_CTX *in), (out, in))            \
	XV(EVP_MD_CTX_free, (EVP_MD_CTX * ctx), (ctx))                                             \
	X(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())                                                \
	X(EVP_MD *, EVP_MD_fetch, (OSSL_LIB_CTX * ctx, const char *algorithm, const char *props),  \
	  (ctx, algorithm, props))                                                                 \
	XV(EVP_MD_free, (EVP_MD * md), (md))                                                       \
	X(const EVP_CIPHER *, EVP_aes_128_cbc, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_128_ccm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_128_gcm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_256_cbc, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_256_ccm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_256_gcm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_chacha20_poly1305, (void), ())                                   \
	X(const EVP_CIPHER *, EVP_des_ede3_cbc, (void), ())                                        \
	X(const EVP_MD *, EVP_get_digestbyname, (const char *name), (name))                        \
	X(int, OPENSSL_sk_num, (const OPENSSL_STACK *st), (st))                                    \
	XV(OPENSSL_cleanse, (void *ptr, size_t len), (ptr, len))                                   \
	XV(OSSL_LIB_CTX_free, (OSSL_LIB_CTX * ctx), (ctx))                                         \
	X(OSSL_LIB_CTX *, OSSL_LIB_CTX_new, (void), ())                                            \
	X(OSSL_PARAM, OSSL_PARAM_construct_end, (void), ())                                        \
	X(OSSL_PARAM, OSSL_PARAM_construct_int, (const char *key, int *buf), (key, buf))           \
	X(OSSL_PARAM, OSSL_PARAM_construct_octet_string, (const char *key, void *buf, size_t n),   \
	  (key, buf, n))                                                                           \
	X(OSSL_PARAM, OSSL_PARAM_construct_utf8_string, (const char *key, char *buf, size_t n),    \
	  (key, buf, n))                                                                           \
	X(OSSL_PROVIDER *, OSSL_PROVIDER_load, (OSSL_LIB_CTX * ctx, const char *name),             \
	  (ctx, name))                                                                             \
	X(int, OSSL_PROVIDER_unload, (OSSL_PROVIDER * prov), (prov))                               \
	X(const char *, OpenSSL_version, (int type), (type))                                       \
	X(int, RAND_bytes, (unsigned char *buf, int num), (buf, num))                              \
	X(char *, X509_NAME_oneline, (const X509_NAME *a, char *buf, int size), (a, buf, size))    \
	XV(X509_NAME_free, (X509_NAME * a), (a))                                                   \
	X(int, X509_NAME_print_ex,                                                                 \
	  (BIO * out, const X509_NAME *nm, int indent, unsigned long flags),                       \
	  (out, nm, indent, flags))                                                                \
	XV(X509_free, (X509 * a), (a))                                                             \
	X(const ASN1_TIME *, X509_get0_notAfter, (const X509 *x), (x))                             \
	X(const ASN1_TIME *, X509_get0_notBefore, (const X509 *x), (x))                            \
	X(X509_NAME *, X509_get_issuer_name, (const X509 *a), (a))                                 \
	X(X509_NAME *, X509_get_subject_name, (const X509 *a), (a))                                \
	X(const char *, X509_verify_cert_error_string, (long n), (n))                              \
	X(ASN1_TIME *, d2i_ASN1_TIME, (ASN1_TIME * *a, const unsigned char **in, long len),        \
	  (a, in, len))                                                                            \
	X(X509 *, d2i_X509, (X509 * *a, const unsigned char **in, long len), (a, in, len))         \
	X(X509_NAME *, d2i_X509_NAME, (X509_NAME * *a, const unsigned char **in, long len),        \
	  (a, in, len))                                                                            \
	X(int, ASN1_INTEGER_set, (ASN1_INTEGER * a, long v), (a, v))                               \
	X(BIO *, BIO_new_file, (const char *filename, const char *mode), (filename, mode))         \
	X(int, BIO_read, (BIO * b, void *data, int dlen), (b, data, dlen))                         \
	X(int, BIO_write, (BIO * b, const void *data, int dlen), (b, data, dlen))                  \
	X(int, EVP_PKEY_CTX_set_group_name, (EVP_PKEY_CTX * ctx, const char *name), (ctx, name))   \
	X(const EVP_MD *, EVP_sha256, (void), ())                                                  \
	X(OPENSSL_STACK *, OPENSSL_sk_new_null, (void), ())                                        \
	XV(OPENSSL_sk_pop_free, (OPENSSL_STACK * st, void (*func)(void *)), (st, func))            \
	X(int, OPENSSL_sk_push, (OPENSSL_STACK * st, const void *data), (st, data))                \
	X(void *, OPENSSL_sk_value, (const OPENSSL_STACK *st, int i), (st, i))                     \
	X(EVP_PKEY *, PEM_read_bio_PrivateKey,                                                     \
	  (BIO * bp, EVP_PKEY * *x, pem_password_cb * cb, void *u), (bp, x, cb, u))                \
	X(X509 *, PEM_read_bio_X509, (BIO * bp, X509 * *x, pem_password_cb * cb, void *u),         \
	  (bp, x, cb, u))                                                                          \
	X(int, PEM_write_bio_X509, (BIO * out, const X509 *x), (out, x))                           \
	X(X509_EXTENSION *, X509V3_EXT_conf_nid,                                                   \
	  (LHASH_OF(CONF_VALUE) * conf, X509V3_CTX * ctx, int ext_nid, const char *value),         \
	  (conf, ctx, ext_nid, value))                                                             \
	XV(X509V3_set_ctx,                                                                         \
	   (X509V3_CTX * ctx, X509 * issuer, X509 * subject, X509_REQ * req, X509_CRL * crl,       \
	    int flags),                                                                            \
	   (ctx, issuer, subject, req, crl, flags))                                                \
	XV(X509_EXTENSION_free, (X509_EXTENSION * a), (a))                                         \
	X(int, X509_NAME_add_entry_by_txt,                                                         \
	  (X509_NAME * name, const char *field, int type, const unsigned char *bytes, int len,     \
	   int loc, int set),                                                                      \
	  (name, field, type, bytes, len, loc, set))                                               \
	X(int, X509_add_ext, (X509 * x, X509_EXTENSION * ex, int loc), (x, ex, loc))               \
	X(int, X509_check_private_key, (const X509 *x509, const EVP_PKEY *pkey), (x509, pkey))     \
	X(ASN1_INTEGER *, X509_get_serialNumber, (X509 * x), (x))                                  \
	X(ASN1_TIME *, X509_getm_notAfter, (const X509 *x), (x))                                   \
	X(ASN1_TIME *, X509_getm_notBefore, (const X509 *x), (x))                                  \
	X(ASN1_TIME *, X509_gmtime_adj, (ASN1_TIME * s, long adj), (s, adj))                       \
	X(X509 *, X509_new, (void), ())                                                            \
	X(int, X509_set_issuer_name, (X509 * x, const X509_NAME *name), (x, name))                 \
	X(int, X509_set_pubkey, (X509 * x, EVP_PKEY * pkey), (x, pkey))                            \
	X(int, X509_set_version, (X509 * x, long version), (x, version))                           \
	X(int, X509_sign, (X509 * x, EVP_PKEY * pkey, const EVP_MD *md), (x, pkey, md))

/* libssl: the whole-handshake probes of `probe` (src/lib/net/tls_full.c). */
#define SSL_FUNCTIONS(X, XV)                                                                       \
	X(uint16_t, SSL_CIPHER_get_protocol_id, (const SSL_CIPHER *c), (c))                        \
	X(long, SSL_CTX_ctrl, (SSL_CTX * ctx, int cmd, long larg, void *parg),                     \
	  (ctx, cmd, larg, parg))                                                                  \
	XV(SSL_CTX_free, (SSL_CTX * ctx), (ctx))                                                   \
	XV(SSL_CTX_set_keylog_callback, (SSL_CTX * ctx, SSL_CTX_keylog_cb_func cb), (ctx, cb))     \
	X(int, SSL_CTX_load_verify_locations,                                                      \
	  (SSL_CTX * ctx, const char *CAfile, const char *CApath), (ctx, CAfile, CApath))          \
	X(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *meth), (meth))                                \
	X(int, SSL_CTX_set_default_verify_paths, (SSL_CTX * ctx), (ctx))                           \
	X(int, SSL_CTX_use_PrivateKey_file, (SSL_CTX * ctx, const char *file, int type),           \
	  (ctx, file, type))                                                                       \
	X(int, SSL_CTX_use_certificate_chain_file, (SSL_CTX * ctx, const char *file), (ctx, file)) \
	X(int, SSL_connect, (SSL * ssl), (ssl))                                                    \
	X(long, SSL_ctrl, (SSL * ssl, int cmd, long larg, void *parg), (ssl, cmd, larg, parg))     \
	X(int, SSL_do_handshake, (SSL * s), (s))                                                   \
	XV(SSL_free, (SSL * ssl), (ssl))                                                           \
	XV(SSL_get0_alpn_selected,                                                                 \
	   (const SSL *ssl, const unsigned char **data, unsigned int *len), (ssl, data, len))      \
	X(void *, SSL_get_ex_data, (const SSL *ssl, int idx), (ssl, idx))                          \
	X(X509 *, SSL_get0_peer_certificate, (const SSL *s), (s))                                  \
	X(const SSL_CIPHER *, SSL_get_current_cipher, (const SSL *s), (s))                         \
	X(int, SSL_get_error, (const SSL *s, int ret_code), (s, ret_code))                         \
	X(STACK_OF(X509) *, SSL_get_peer_cert_chain, (const SSL *s), (s))                          \
	X(BIO *, SSL_get_rbio, (const SSL *s), (s))                                                \
	X(long, SSL_get_verify_result, (const SSL *ssl), (ssl))                                    \
	X(SSL *, SSL_new, (SSL_CTX * ctx), (ctx))                                                  \
	X(int, SSL_read, (SSL * ssl, void *buf, int num), (ssl, buf, num))                         \
	X(int, SSL_renegotiate, (SSL * s), (s))                                                    \
	X(int, SSL_renegotiate_pending, (const SSL *s), (s))                                       \
	X(int, SSL_set1_host, (SSL * s, const char *hostname), (s, hostname))                      \
	X(int, SSL_set_ex_data, (SSL * ssl, int idx, void *data), (ssl, idx, data))                \
	X(int, SSL_set_fd, (SSL * s, int fd), (s, fd))                                             \
	XV(SSL_set_msg_callback,                                                                   \
	   (SSL * ssl, void (*cb)(int write_p, int version, int content_type, const void *buf,     \
				  size_t len, SSL *ssl, void *arg)),                               \
	   (ssl, cb))                                                                              \
	XV(SSL_set_verify, (SSL * s, int mode, SSL_verify_cb callback), (s, mode, callback))       \
	X(int, SSL_version, (const SSL *ssl), (ssl))                                               \
	X(const SSL_METHOD *, TLS_client_method, (void), ())                                       \
	X(int, SSL_CTX_set_cipher_list, (SSL_CTX * ctx, const char *str), (ctx, str))              \
	X(int, SSL_CTX_set_ciphersuites, (SSL_CTX * ctx, const char *str), (ctx, str))             \
	XV(SSL_CTX_set_alpn_select_cb, (SSL_CTX * ctx, SSL_CTX_alpn_select_cb_func cb, void *arg), \
	   (ctx, cb, arg))                                                                         \
	X(int, SSL_CTX_set_num_tickets, (SSL_CTX * ctx, size_t num_tickets), (ctx, num_tickets))   \
	X(uint64_t, SSL_CTX_set_options, (SSL_CTX * ctx, uint64_t op), (ctx, op))                  \
	XV(SSL_CTX_set_verify, (SSL_CTX * ctx, int mode, SSL_verify_cb callback),                  \
	   (ctx, mode, callback))                                                                  \
	X(int, SSL_CTX_use_PrivateKey, (SSL_CTX * ctx, EVP_PKEY * pkey), (ctx, pkey))              \
	X(int, SSL_CTX_use_certificate, (SSL_CTX * ctx, X509 * x), (ctx, x))                       \
	X(int, SSL_set_alpn_protos, (SSL * ssl, const unsigned char *protos, unsigned int len),    \
	  (ssl, protos, len))                                                                      \
	XV(SSL_set_accept_state, (SSL * s), (s))                                                   \
	XV(SSL_set_bio, (SSL * s, BIO * rbio, BIO * wbio), (s, rbio, wbio))                        \
	XV(SSL_set_connect_state, (SSL * s), (s))                                                  \
	X(int, SSL_is_init_finished, (const SSL *s), (s))                                          \
	X(int, SSL_write, (SSL * ssl, const void *buf, int num), (ssl, buf, num))                  \
	X(const SSL_METHOD *, DTLS_client_method, (void), ())                                      \
	X(const SSL_METHOD *, DTLS_server_method, (void), ())                                      \
	X(const SSL_METHOD *, TLS_server_method, (void), ())

/* Any function pointer: converted back to its real type before each call. */
typedef void (*lazy_fn)(void);

struct lazy_lib {
	const char *what;	    /* for the message */
	const char *const *sonames; /* tried in order */
	const char *const *names;   /* the functions, in the order of fns */
	lazy_fn *fns;
	size_t n;
	pthread_once_t once;
};

#define NAME(ret, name, params, args)  #name,
#define NAMEV(name, params, args)      #name,
#define INDEX(ret, name, params, args) LAZY_##name,
#define INDEXV(name, params, args)     LAZY_##name,

enum { PCAP_FUNCTIONS(INDEX, INDEXV) N_PCAP };
enum { CRYPTO_FUNCTIONS(INDEX, INDEXV) N_CRYPTO };
enum { SSL_FUNCTIONS(INDEX, INDEXV) N_SSL };
static const char *const pcap_names[] = {PCAP_FUNCTIONS(NAME, NAMEV)};
static const char *const crypto_names[] = {CRYPTO_FUNCTIONS(NAME, NAMEV)};
static const char *const ssl_names[] = {SSL_FUNCTIONS(NAME, NAMEV)};
static lazy_fn pcap_fns[N_PCAP], crypto_fns[N_CRYPTO], ssl_fns[N_SSL];

/* The soname the build linked against first (Debian's libpcap is .so.0.8). */
static const char *const pcap_sonames[] = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so", NULL};
static const char *const crypto_sonames[] = {"libcrypto.so.3", "libcrypto.so", NULL};
static const char *const ssl_sonames[] = {"libssl.so.3", "libssl.so", NULL};

static struct lazy_lib pcap_lib = {"libpcap", pcap_sonames, pcap_names,
				   pcap_fns,  N_PCAP,	    PTHREAD_ONCE_INIT};
static struct lazy_lib crypto_lib = {
	"libcrypto (OpenSSL 3)", crypto_sonames, crypto_names, crypto_fns, N_CRYPTO,
	PTHREAD_ONCE_INIT};
static struct lazy_lib ssl_lib = {"libssl (OpenSSL 3)", ssl_sonames, ssl_names, ssl_fns, N_SSL,
				  PTHREAD_ONCE_INIT};

static _Noreturn void lazy_failed(const struct lazy_lib *l, const char *why)
{
	/* stdio may be mid-line in another thread: one write(2) */
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "tlsalert: cannot load %s: %s\n", l->what, why);
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg));
	_exit(EXIT_ERROR);
}

static void lazy_open(struct lazy_lib *l)
{
	void *h = NULL;
	for (const char *const *so = l->sonames; *so != NULL && h == NULL; so++)
		h = dlopen(*so, RTLD_LAZY | RTLD_LOCAL);
	if (h == NULL)
		lazy_failed(l, dlerror());
	for (size_t i = 0; i < l->n; i++) {
		void *sym = dlsym(h, l->names[i]);
		if (sym == NULL)
			lazy_failed(l, dlerror());
		/* POSIX: a dlsym() result converts to a function pointer */
		memcpy(&l->fns[i], &sym, sizeof(l->fns[i]));
	}
}

static void pcap_open_lib(void)
{
	lazy_open(&pcap_lib);
}

static void crypto_open_lib(void)
{
	lazy_open(&crypto_lib);
}

static void ssl_open_lib(void)
{
	lazy_open(&ssl_lib);
}

/* The definitions: load on first call (pthread_once orders the table's
 * writes before every reader), then call the real function. */
#define STUB(lib, ret, name, params, args)                                                         \
	ret name params                                                                            \
	{                                                                                          \
		pthread_once(&lib##_lib.once, lib##_open_lib);                                     \
		return ((ret(*) params)lib##_fns[LAZY_##name])args;                                \
	}
#define STUBV(lib, name, params, args)                                                             \
	void name params                                                                           \
	{                                                                                          \
		pthread_once(&lib##_lib.once, lib##_open_lib);                                     \
		((void(*) params)lib##_fns[LAZY_##name]) args;                                     \
	}
#define PCAP_STUB(ret, name, params, args)   STUB(pcap, ret, name, params, args)
#define PCAP_STUBV(name, params, args)	     STUBV(pcap, name, params, args)
#define CRYPTO_STUB(ret, name, params, args) STUB(crypto, ret, name, params, args)
#define CRYPTO_STUBV(name, params, args)     STUBV(crypto, name, params, args)
#define SSL_STUB(ret, name, params, args)    STUB(ssl, ret, name, params, args)
#define SSL_STUBV(name, params, args)	     STUBV(ssl, name, params, args)

PCAP_FUNCTIONS(PCAP_STUB, PCAP_STUBV)
CRYPTO_FUNCTIONS(CRYPTO_STUB, CRYPTO_STUBV)
SSL_FUNCTIONS(SSL_STUB, SSL_STUBV)
