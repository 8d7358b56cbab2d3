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
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/x509.h>
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
	X(int, BIO_free, (BIO * a), (a))                                                           \
	X(BIO *, BIO_new, (const BIO_METHOD *type), (type))                                        \
	X(const BIO_METHOD *, BIO_s_mem, (void), ())                                               \
	XV(CRYPTO_free, (void *ptr, const char *file, int line), (ptr, file, line))                \
	X(int, CRYPTO_memcmp, (const void *a, const void *b, size_t len), (a, b, len))             \
	X(void *, CRYPTO_zalloc, (size_t num, const char *file, int line), (num, file, line))      \
	X(int, EVP_CIPHER_CTX_ctrl, (EVP_CIPHER_CTX * ctx, int type, int arg, void *ptr),          \
	  (ctx, type, arg, ptr))                                                                   \
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
	X(const EVP_CIPHER *, EVP_aes_128_cbc, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_128_ccm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_128_gcm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_256_cbc, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_256_ccm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_aes_256_gcm, (void), ())                                         \
	X(const EVP_CIPHER *, EVP_chacha20_poly1305, (void), ())                                   \
	X(const EVP_CIPHER *, EVP_des_ede3_cbc, (void), ())                                        \
	XV(OPENSSL_cleanse, (void *ptr, size_t len), (ptr, len))                                   \
	X(OSSL_PARAM, OSSL_PARAM_construct_end, (void), ())                                        \
	X(OSSL_PARAM, OSSL_PARAM_construct_int, (const char *key, int *buf), (key, buf))           \
	X(OSSL_PARAM, OSSL_PARAM_construct_octet_string, (const char *key, void *buf, size_t n),   \
	  (key, buf, n))                                                                           \
	X(OSSL_PARAM, OSSL_PARAM_construct_utf8_string, (const char *key, char *buf, size_t n),    \
	  (key, buf, n))                                                                           \
	X(const char *, OpenSSL_version, (int type), (type))                                       \
	XV(X509_NAME_free, (X509_NAME * a), (a))                                                   \
	X(int, X509_NAME_print_ex,                                                                 \
	  (BIO * out, const X509_NAME *nm, int indent, unsigned long flags),                       \
	  (out, nm, indent, flags))                                                                \
	XV(X509_free, (X509 * a), (a))                                                             \
	X(const ASN1_TIME *, X509_get0_notAfter, (const X509 *x), (x))                             \
	X(const ASN1_TIME *, X509_get0_notBefore, (const X509 *x), (x))                            \
	X(X509_NAME *, X509_get_issuer_name, (const X509 *a), (a))                                 \
	X(X509_NAME *, X509_get_subject_name, (const X509 *a), (a))                                \
	X(ASN1_TIME *, d2i_ASN1_TIME, (ASN1_TIME * *a, const unsigned char **in, long len),        \
	  (a, in, len))                                                                            \
	X(X509 *, d2i_X509, (X509 * *a, const unsigned char **in, long len), (a, in, len))         \
	X(X509_NAME *, d2i_X509_NAME, (X509_NAME * *a, const unsigned char **in, long len),        \
	  (a, in, len))

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
static const char *const pcap_names[] = {PCAP_FUNCTIONS(NAME, NAMEV)};
static const char *const crypto_names[] = {CRYPTO_FUNCTIONS(NAME, NAMEV)};
static lazy_fn pcap_fns[N_PCAP], crypto_fns[N_CRYPTO];

/* The soname the build linked against first (Debian's libpcap is .so.0.8). */
static const char *const pcap_sonames[] = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so", NULL};
static const char *const crypto_sonames[] = {"libcrypto.so.3", "libcrypto.so", NULL};

static struct lazy_lib pcap_lib = {"libpcap", pcap_sonames, pcap_names,
				   pcap_fns,  N_PCAP,	    PTHREAD_ONCE_INIT};
static struct lazy_lib crypto_lib = {
	"libcrypto (OpenSSL 3)", crypto_sonames, crypto_names, crypto_fns, N_CRYPTO,
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

PCAP_FUNCTIONS(PCAP_STUB, PCAP_STUBV)
CRYPTO_FUNCTIONS(CRYPTO_STUB, CRYPTO_STUBV)
