/*
 * libtlsalert: probing one live server (`tlsalert probe`).
 *
 *   tlsa_probe_target_parse()  "host[:port]", "[v6]:port" or a URL -> target
 *   tlsa_probe_catalogue()     the probes: a baseline hello, then one change each
 *   tlsa_probe_hello_encode()  a probe's ClientHello as bytes (also for --dry-run)
 *   tlsa_probe_run()           connect, send one probe, read the server's answer
 *
 * The target is exactly one host: lists, ranges and CIDR blocks are refused
 * by the parser.  The caller resolves it once (tlsa_probe_resolve) and every
 * probe connects to that pinned address, one connection at a time; the
 * library never sleeps between probes (the caller's --delay does).
 * Only this module (src/lib/net/) opens sockets.
 */
#ifndef TLSALERT_PROBE_H
#define TLSALERT_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"
#include "tlsalert/hello.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TLSA_PROBE_HOST_MAX 253

struct tlsa_probe_target {
	char host[TLSA_PROBE_HOST_MAX + 1]; /* a name or an address, without brackets */
	uint16_t port;
	const char *scheme;   /* "https", "smtp", ... or NULL for host[:port] (static) */
	const char *starttls; /* the protocol to upgrade from, or NULL (static) */
	bool host_is_address; /* an IPv4 or IPv6 literal: no SNI by default */
};

/* Parses "HOST", "HOST:PORT", "[V6]:PORT", "V6" or "SCHEME://HOST[:PORT][/...]"
 * (https, smtps, imaps, pop3s, ldaps, ftps: TLS from the start; smtp, imap,
 * pop3, ftp, ldap, xmpp, postgres, mysql: STARTTLS).  The default port is
 * the scheme's, else 443.  A list ("a,b"), a range, a CIDR block ("/8"),
 * spaces or an empty host are errors (TLSA_EINVAL, with the reason). */
int tlsa_probe_target_parse(const char *text, struct tlsa_probe_target *t, struct tlsa_error *err);

/* The one address every probe connects to: resolved once, first result. */
struct tlsa_probe_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
	char text[48]; /* "127.0.0.1" or "::1" */
};

/* Resolves t once (TLSA_EIO with the resolver's reason on failure). */
int tlsa_probe_resolve(const struct tlsa_probe_target *t, struct tlsa_probe_addr *out,
		       struct tlsa_error *err);

/* What a probe's ClientHello holds.  Lists are IANA numbers in the order sent. */
#define TLSA_PROBE_LIST_MAX 48
enum tlsa_probe_malform {
	TLSA_MALFORM_NONE = 0,
	TLSA_MALFORM_KEY_SHARE_LEN, /* a key share one byte short of its group's size */
	TLSA_MALFORM_DUP_EXT,	    /* supported_groups sent twice */
	TLSA_MALFORM_EMPTY_SNI,	    /* a server_name extension with a zero-length name */
	TLSA_MALFORM_TRUNC_EXT, /* the extension block's length one byte longer than its bytes */
};

struct tlsa_probe_hello {
	uint16_t record_version; /* the record layer's version: 0x0301 */
	uint16_t legacy_version; /* ClientHello.legacy_version: 0x0303 */
	uint16_t versions[8];	 /* supported_versions; none: the extension is not sent */
	size_t n_versions;
	uint16_t suites[TLSA_PROBE_LIST_MAX];
	size_t n_suites;
	uint16_t groups[16]; /* supported_groups */
	size_t n_groups;
	uint16_t key_shares[4]; /* groups given a key share (TLS 1.3) */
	size_t n_key_shares;
	uint16_t sigalgs[32];
	size_t n_sigalgs;
	bool sni;		/* send server_name with the target's name (or sni_name) */
	const char *sni_name;	/* another name, or NULL */
	const char *alpn;	/* comma-separated ALPN protocols, or NULL: not sent */
	bool fallback_scsv;	/* TLS_FALLBACK_SCSV among the suites */
	bool grease;		/* GREASE values in suites, groups, versions and extensions */
	bool record_size_limit; /* offer record_size_limit (RFC 8449) of 512 */
	bool max_fragment;	/* offer max_fragment_length 2^9 (RFC 6066) */
	uint16_t pad_to;	/* a padding extension to make the hello this long, or 0 */
	enum tlsa_probe_malform malform;
	/* A replayed hello (--hello-from): this whole TLS record (header included) is
	   sent instead of one made from the fields above, its server_name rewritten to
	   the target's name (or sni_name) when `sni` is set, removed when not. */
	const uint8_t *raw;
	size_t raw_len;
};

/* What a probe changes from the baseline: the diagnosis of a refusal looks there first. */
typedef enum tlsa_probe_topic {
	TLSA_TOPIC_BASELINE,
	TLSA_TOPIC_VERSION,
	TLSA_TOPIC_SNI,
	TLSA_TOPIC_ALPN,
	TLSA_TOPIC_GROUP,
	TLSA_TOPIC_SIGALG,
	TLSA_TOPIC_SUITE,
	TLSA_TOPIC_FALLBACK,
	TLSA_TOPIC_TOLERANCE,	/* GREASE, extensions, sizes: a correct server accepts them */
	TLSA_TOPIC_MALFORMED,	/* a correct server refuses them with a named alert */
	TLSA_TOPIC_CERTIFICATE, /* the server's certificate as a client verifies it */
	TLSA_TOPIC_CLIENT_CERT, /* no client certificate sent */
	TLSA_TOPIC_RENEGOTIATION,
	TLSA_TOPIC_REPLAY, /* a real client's hello, sent again (--hello-from) */
} tlsa_probe_topic;

/* How a probe talks: one hand-written hello, or a whole handshake through libssl. */
typedef enum tlsa_probe_kind {
	TLSA_KIND_HELLO = 0,	  /* `hello` is sent, the answer read (the default) */
	TLSA_KIND_VERIFY,	  /* libssl: a whole handshake, the server's certificate
				     verified (--ca, else the system store) with its name */
	TLSA_KIND_NO_CLIENT_CERT, /* libssl: a whole handshake with no client certificate;
				    `hello.versions[0]` the one version */
	TLSA_KIND_RENEGOTIATE,	  /* libssl: TLS 1.2, then one client renegotiation */
} tlsa_probe_kind;

/* One probe: a name, what it changes, the hello. */
struct tlsa_probe_def {
	const char *name;    /* "tls1.2-only" (static) */
	const char *changes; /* "offers TLS 1.2 only" (static) */
	tlsa_probe_topic topic;
	struct tlsa_probe_hello hello;
	tlsa_probe_kind kind;
};

/* The probes, baseline first (static, *n of them). */
const struct tlsa_probe_def *tlsa_probe_catalogue(size_t *n);

/* The key shares of one hello (private keys stay here until the answer is read). */
struct tlsa_probe_keys;

/*
 * Encodes h as a whole TLS record (header included) into out[0..cap); *len is
 * its length.  `sni_host` is the target's name (used when h->sni and no
 * sni_name).  random: 32 bytes the caller chose (a seeded run repeats itself).
 * keys: NULL to encode placeholder shares (--dry-run), else the shares made
 * by tlsa_probe_keys_new() for h.  TLSA_ELIMIT when out is too small.
 */
int tlsa_probe_hello_encode(const struct tlsa_probe_hello *h, const char *sni_host,
			    const uint8_t random[32], const struct tlsa_probe_keys *keys,
			    uint8_t *out, size_t cap, size_t *len, struct tlsa_error *err);

/* Key shares for h->key_shares (libcrypto), freed with tlsa_probe_keys_free. */
struct tlsa_probe_keys *tlsa_probe_keys_new(const struct tlsa_probe_hello *h,
					    struct tlsa_error *err);
void tlsa_probe_keys_free(struct tlsa_probe_keys *k);

/* A common client's ClientHello (`probe --as NAME`), from data/client-hellos.txt. */
struct tlsa_probe_client {
	const char *as;	    /* "go" */
	const char *stack;  /* the stack token of data/causes.txt */
	const char *name;   /* "Go 1.19 crypto/tls, default Config" */
	const char *source; /* the capture it was taken from */
	const uint8_t *hello;
	size_t hello_len; /* the whole record, header included */
};

/* The clients `--as` knows (static, *n of them). */
const struct tlsa_probe_client *tlsa_probe_clients(size_t *n);

/* How a probe ended. */
typedef enum tlsa_probe_outcome {
	TLSA_PROBE_OK,	    /* the server answered with its hello (and flight) */
	TLSA_PROBE_ALERT,   /* the server sent an alert */
	TLSA_PROBE_HRR,	    /* TLS 1.3 HelloRetryRequest: it wants another key share */
	TLSA_PROBE_CLOSED,  /* the server closed the connection without an alert */
	TLSA_PROBE_RESET,   /* the connection was reset */
	TLSA_PROBE_TIMEOUT, /* no answer within the read timeout */
	TLSA_PROBE_NOT_TLS, /* the answer is not TLS (plain text, garbage) */
	TLSA_PROBE_CONNECT, /* no connection (refused, unreachable, connect timeout) */
} tlsa_probe_outcome;

const char *tlsa_probe_outcome_name(tlsa_probe_outcome o);

struct tlsa_probe_result {
	tlsa_probe_outcome outcome;
	/* the server's choices (TLSA_PROBE_OK, or what was seen before an alert) */
	bool server_hello;
	uint16_t version; /* negotiated wire version, 0 if unknown */
	uint16_t suite;	  /* 0 if unknown */
	uint16_t group;	  /* TLS 1.3 key share group (or the HRR's), 0 if none */
	char alpn[64];	  /* selected protocol, "" if none */
	/* the alert */
	int level;	      /* 1, 2, or -1 */
	int description;      /* 0-255, or -1 */
	bool alert_encrypted; /* protected on the wire (and read with the probe's keys) */
	const char *step;     /* the last handshake message from the server before the
				 alert, as `scan` names stages: "client_hello" when none */
	char detail[160];     /* the reason for CLOSED/RESET/NOT_TLS/CONNECT, or "" */
	size_t bytes_in;      /* bytes the server sent */
	unsigned elapsed_ms;
	/* the probe's ClientHello and the server's hello, as `scan` reads them (for
	   the diagnosis: tlsa_diag_ctx_from_event takes them as an event's hs) */
	struct tlsa_hs_facts hs;
	/* libssl probes (TLSA_KIND_VERIFY and kin) */
	bool handshake_done;	/* the whole handshake completed */
	bool cert_requested;	/* the server sent a CertificateRequest */
	bool renegotiated;	/* TLSA_KIND_RENEGOTIATE: the second handshake completed */
	long verify_result;	/* X509_V_OK (0) or an X509_V_ERR_* code; -1 not verified */
	char verify_error[96];	/* libcrypto's words for it */
	char cert_subject[160]; /* the server's leaf certificate, one-line form */
	char cert_issuer[160];
	char cert_not_after[48];
	int chain_length; /* certificates the server sent; 0 unknown */
	/* the connection's two ends (for a capture of it); port 0 without a connection */
	struct tlsa_probe_addr local, remote;
};

/* Every byte of a probe connection as it goes: dir 0 from the probe, 1 from the server. */
typedef void (*tlsa_probe_wire_fn)(void *ctx, int dir, const uint8_t *p, size_t n);
/* One NSS key log line (without a newline) for the connection's secrets. */
typedef void (*tlsa_probe_secret_fn)(void *ctx, const char *line);

struct tlsa_probe_opts {
	size_t sz;
	unsigned connect_timeout_ms; /* 0: 5000 */
	unsigned read_timeout_ms;    /* 0: 10000 */
	const uint8_t *random;	     /* 32 bytes for the ClientHello random, or NULL: fresh */
	const char *starttls;	     /* overrides the target's (NULL: the target's) */
	const char *ca_file;	     /* TLSA_KIND_VERIFY: PEM file of trusted CAs; NULL: the
					system's default store */
	/* TLSA_KIND_VERIFY and TLSA_KIND_RENEGOTIATE: a client certificate chain and its key
	   (PEM files) to present when the server asks for one; NULL: none */
	const char *client_cert_file, *client_key_file;
	/* Evidence (--capture-out, --keylog-out); each may be NULL. */
	void *ctx;
	tlsa_probe_wire_fn on_wire;	/* the connection's bytes, both ways */
	tlsa_probe_secret_fn on_secret; /* the secrets the probe knows: TLS 1.3 handshake
					   secrets of its own hellos, and libssl's key log */
};

/* Connects to addr, sends probe p (with STARTTLS first when the target has it)
 * and reads the answer into *r.  Network failures are outcomes, not errors;
 * the return value is < 0 only for a bad argument or out of memory. */
int tlsa_probe_run(const struct tlsa_probe_addr *addr, const struct tlsa_probe_target *t,
		   const struct tlsa_probe_def *p, const struct tlsa_probe_opts *o,
		   struct tlsa_probe_result *r, struct tlsa_error *err);

#ifdef __cplusplus
}
#endif

#endif
