/*
 * libtlsalert: the TLS alert registry.
 *
 * Every value 0-255 has an entry: the IANA assigned and reserved values,
 * values seen in the wild that IANA never assigned (status "unofficial"),
 * and a generic entry for each unassigned value.  The table is generated at
 * build time from data/alerts.txt and is read-only.
 */
#ifndef TLSALERT_REGISTRY_H
#define TLSALERT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Protocol versions, in the order they appeared. */
typedef enum tlsa_version {
	TLSA_VER_UNKNOWN = 0,
	TLSA_VER_SSL2,
	TLSA_VER_SSL3,
	TLSA_VER_TLS10,
	TLSA_VER_TLS11,
	TLSA_VER_TLS12,
	TLSA_VER_TLS13,
	TLSA_VER_DTLS10,
	TLSA_VER_DTLS12,
	TLSA_VER_DTLS13,
	TLSA_VER_COUNT
} tlsa_version;

/* "TLS 1.3", "DTLS 1.2", "SSL 3.0", "unknown". */
const char *tlsa_version_name(tlsa_version v);

/* Short token for command lines and CSV: "tls1.3", "dtls1.2", "ssl3". */
const char *tlsa_version_token(tlsa_version v);

/*
 * The version a record or hello field denotes: 0x0300 SSL 3.0 ... 0x0304
 * TLS 1.3, 0xfeff DTLS 1.0, 0xfefd DTLS 1.2, 0xfefc DTLS 1.3, 0x0002 SSL 2.
 * Anything else is TLSA_VER_UNKNOWN.
 */
tlsa_version tlsa_version_from_wire(uint16_t wire);

/* Parses "tls1.3", "TLSv1.3", "TLS 1.3", "1.3", "dtls1.2", "ssl3", ...;
 * returns 0 and sets *out, or TLSA_EINVAL. */
int tlsa_version_parse(const char *s, tlsa_version *out);

bool tlsa_version_is_dtls(tlsa_version v);

/* The TLS-equivalent order of a version, for comparisons: SSL 3.0 = 2,
 * TLS 1.0 = 3, TLS 1.1 and DTLS 1.0 = 4, TLS 1.2 and DTLS 1.2 = 5,
 * TLS 1.3 and DTLS 1.3 = 6; 0 for SSL 2.0 and unknown. */
int tlsa_version_rank(tlsa_version v);

/* Registry status of a value. */
typedef enum tlsa_status {
	TLSA_STATUS_ASSIGNED,
	TLSA_STATUS_RESERVED, /* IANA "_RESERVED" names: must not be sent */
	TLSA_STATUS_UNASSIGNED,
	TLSA_STATUS_UNOFFICIAL /* used by some stack, never assigned by IANA */
} tlsa_status;

/* "assigned", "reserved", "unassigned", "unofficial". */
const char *tlsa_status_name(tlsa_status s);

/* The level rule of an alert under one protocol version. */
typedef enum tlsa_rule {
	TLSA_RULE_ABSENT,  /* the version does not define this alert */
	TLSA_RULE_FATAL,   /* always fatal */
	TLSA_RULE_WARNING, /* always a warning */
	TLSA_RULE_EITHER,  /* the sender chooses the level */
	TLSA_RULE_CLOSURE, /* TLS 1.3 closure alert */
	TLSA_RULE_ERROR,   /* TLS 1.3 error alert: fatal whatever the level byte */
	TLSA_RULE_RESERVED /* must not be sent; an error if received */
} tlsa_rule;

/* "absent", "fatal", "warning", "either", "closure", "error", "reserved". */
const char *tlsa_rule_name(tlsa_rule r);

/* A sentence fragment: "always fatal", "sender's choice of level", ... */
const char *tlsa_rule_text(tlsa_rule r);

/* One registry entry.  All strings are static; arrays end at their count. */
struct tlsa_alert {
	uint8_t code;
	tlsa_status status;
	const char *name;      /* IANA name, e.g. "unsupported_extension" */
	const char *since;     /* first protocol or document, e.g. "RFC3546" */
	const char *sender;    /* "client", "server" or "either" */
	const char *stage;     /* usual handshake step */
	const char *summary;   /* one line */
	const char *says;      /* the sender's point of view */
	const char *check;     /* what the receiver should check */
	const char *tls13note; /* how TLS 1.3 treats it */
	const char *const *rfcs;
	size_t n_rfcs;
	const char *const *causes;
	size_t n_causes;
	uint8_t rule[TLSA_VER_COUNT]; /* tlsa_rule, indexed by tlsa_version */
};

/* The entry for `code`; never NULL. */
const struct tlsa_alert *tlsa_alert_get(uint8_t code);

/* The level rule for `v`; TLSA_VER_UNKNOWN answers TLS 1.2's rule. */
tlsa_rule tlsa_alert_rule(const struct tlsa_alert *a, tlsa_version v);

/* How a receiver under version `v` treats an alert sent with `level`. */
typedef enum tlsa_severity {
	TLSA_SEV_UNKNOWN, /* level byte undefined and the version does not decide */
	TLSA_SEV_WARNING,
	TLSA_SEV_FATAL,
	TLSA_SEV_CLOSURE /* orderly close: close_notify, TLS 1.3 user_canceled */
} tlsa_severity;

const char *tlsa_severity_name(tlsa_severity s); /* "warning", "fatal", ... */

/* `level` is the level byte as sent (1 warning, 2 fatal, anything else is
 * undefined); pass -1 when it is not known (an encrypted alert). */
tlsa_severity tlsa_effective_severity(uint8_t code, int level, tlsa_version v);

/*
 * A remark when the level byte disagrees with the version's rule (a warning
 * where the rule says always fatal, a reserved value, an alert the version
 * does not define), or NULL when it conforms.  Static storage.
 */
const char *tlsa_level_remark(uint8_t code, int level, tlsa_version v);

/* "warning", "fatal", or NULL for other level bytes. */
const char *tlsa_level_name(int level);

/*
 * Parses an alert given by number or by name in any spelling: "48", "0x30",
 * "unknown_ca", "UNKNOWN_CA", "UnknownCA", "unknown ca", "Unknown CA",
 * "TLS1_AD_UNKNOWN_CA", "SSL_AD_UNKNOWN_CA", "SSL_ERROR_UNKNOWN_CA_ALERT",
 * "sslv3 alert unknown ca", "tlsv1 alert unknown ca", "GNUTLS_A_UNKNOWN_CA",
 * "MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA", "errSSLPeerUnknownRootCert", ...
 * (data/names.txt lists the stack-specific aliases).  Matching is ASCII-only
 * and locale-independent.  Returns 0 and sets *code, or TLSA_EINVAL when the
 * text is not one alert.  Numbers must be 0-255.
 */
int tlsa_alert_parse(const char *s, size_t len, uint8_t *code);

/*
 * IANA names of the 16-bit code points a hello carries, from IANA's TLS
 * registries (data/cipher-suites.txt, data/groups.txt, data/sigalgs.txt):
 * "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" (0xc02f), "X25519MLKEM768" (0x11ec),
 * "rsa_pss_rsae_sha256" (0x0804).  A GREASE value (RFC 8701: 0x0a0a, 0x1a1a,
 * ... 0xfafa) answers "GREASE"; a value IANA has not assigned answers NULL.
 * Static strings; no allocation.
 *
 * tlsa_sigalg_name() also names the TLS 1.2 hash/signature pairs that the
 * SignatureScheme registry only reserves (0x0303 "ecdsa_sha224", 0x0402
 * "dsa_sha256", ...: RFC 5246 7.4.1.4.1, named as RFC 8446 names 0x0201).
 */
const char *tlsa_cipher_suite_name(uint16_t v);
const char *tlsa_group_name(uint16_t v);
const char *tlsa_sigalg_name(uint16_t v);

#ifdef __cplusplus
}
#endif

#endif
