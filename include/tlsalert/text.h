/*
 * libtlsalert: finding alerts in the logs and error messages of TLS stacks.
 *
 *   tlsa_text_new()    compiles the recogniser (patterns from data/log-patterns.txt)
 *   tlsa_text_scan()   finds every alert mention in a buffer of text
 *   tlsa_text_free()   releases the recogniser
 *
 * The recogniser knows how OpenSSL (1.0.2 ... 4.0), BoringSSL, LibreSSL, GnuTLS,
 * NSS, Java, Go, rustls, .NET, SChannel, mbedTLS, wolfSSL, Apple, Erlang, curl,
 * Wireshark and others print alerts they received or sent.  It also knows the
 * local errors a stack logs when it SENDS an alert ("no shared cipher", Go "tls:
 * no cipher suite supported by both client and server", Java "Empty client
 * certificate chain", ...): the `logline` fragments of the cause rules
 * (data/causes-*.txt, tlsalert/diagnose.h).  Such a line gives a mention with
 * direction TLSA_TEXT_SENT, the rule's alert and the rule's id.  Local errors are
 * looked for only on lines holding a gate ("error:", "error from", "_error_",
 * "error in", "error=", "exception", "gnutls", "schannel"; data/log-patterns.txt).
 *
 * Input is any bytes: lines end at '\n' (a '\r' before it is ignored), invalid
 * UTF-8 and NUL bytes are ordinary characters, and lines may be of any length.
 * A compiled recogniser is read-only: several threads may scan with one
 * recogniser at the same time.
 */
#ifndef TLSALERT_TEXT_H
#define TLSALERT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Who sent the alert, from the point of view of the program that wrote the log. */
typedef enum tlsa_text_dir {
	TLSA_TEXT_UNKNOWN = 0, /* the wording does not say */
	TLSA_TEXT_RECEIVED,    /* the peer sent it; the logging side received it */
	TLSA_TEXT_SENT	       /* the logging side sent it to its peer */
} tlsa_text_dir;

/* "unknown", "received", "sent". */
const char *tlsa_text_dir_name(tlsa_text_dir d);

/* One alert mention.  Offsets count bytes from the start of the scanned buffer. */
struct tlsa_text_mention {
	size_t start, end;	     /* the matched text: buf[start, end) */
	size_t line_start, line_end; /* the line holding it, without its '\n' (or "\r\n") */
	int code;		     /* alert description 0-255, or -1 when not named */
	tlsa_text_dir dir;
	const char *implementation; /* stack whose wording matched, e.g. "openssl-3", "go" */
	unsigned pattern;	    /* index of the pattern, see tlsa_text_pattern_info();
				       tlsa_text_pattern_count() for a local error alone */
	const char *pattern_id;	    /* its stable name, e.g. "go.remote"; "local-error" */
	/*
	 * The cause rule whose error text the line shows (its id in
	 * data/causes*.txt, as tlsa_cause_rule_get() takes it; a static string),
	 * and the fragment of its `logline` that matched, as written in the data;
	 * both NULL when the line shows no local error of this alert.  The
	 * fragment belongs to the recogniser: valid until tlsa_text_free().
	 */
	const char *rule_id;
	const char *rule_fragment;
	/*
	 * A local error whose alert depends on the version (OpenSSL's "peer did not
	 * return a certificate": certificate_required (116) under TLS 1.3,
	 * handshake_failure (40) before; a rule's `pre13` in data/causes-*.txt): when
	 * the line does not show the version, `code` and `rule_id` are the TLS 1.3
	 * ones and these the ones before TLS 1.3 (pre13 true).  When the line shows
	 * it ("TLSv1.2"), `code` and `rule_id` are that version's and pre13 is false.
	 */
	bool pre13;
	int code_pre13;		   /* -1 unless pre13 */
	const char *rule_id_pre13; /* static; NULL unless pre13 */
	/*
	 * The whole record: from the start of its first line to the end of its last
	 * (without '\n').  A record split over lines (a Java debug block, `openssl
	 * s_client -msg` with its hex body, a rustls Message dump, SChannel event XML, a
	 * hex dump after its "read"/"write" header) is one mention: the line holding
	 * the match is one of its lines, and the header line (data/log-patterns.txt
	 * `before`, `follow`) gives the direction.  Equal to line_start and line_end for
	 * a mention on one line.  The lines of a record lie in one call's buffer.
	 */
	size_t span_start, span_end;
	/*
	 * How the alert travelled, when the wording says: "quic" for a QUIC spelling
	 * (a CRYPTO_ERROR 0x100 + code in a CONNECTION_CLOSE frame: quic-go, ngtcp2,
	 * MsQuic, quiche, neqo, Chromium, lsquic, nginx, qlog; data/log-patterns.txt
	 * `transport` lines), NULL otherwise (a TLS record, or the text does not say).
	 * A static string.
	 */
	const char *transport;
};

/* The pattern_id of a mention found by a local error alone. */
#define TLSA_TEXT_LOCAL_ID "local-error"

/*
 * The pattern_id of a local error that means the connection ended under the logging side
 * (OpenSSL's "unexpected eof while reading", SSL_ERROR_SYSCALL, a reset, a failed write):
 * no alert reached the peer.  `dir` is TLSA_TEXT_UNKNOWN, `rule_id` the rule (its
 * `peerclosed` lists the causes that fit) and `code` the alert the stack files the error
 * under, which it could not deliver.
 */
#define TLSA_TEXT_PEER_CLOSED_ID "peer-closed"

/* Flags for tlsa_text_scan(). */
enum {
	/*
	 * Report every pattern that matched.  By default one line gives one
	 * mention per alert code: when several patterns find the same code in a
	 * line (an OpenSSL error carries its packed code, its reason string and
	 * "SSL alert number N"), the earliest pattern in data/log-patterns.txt with
	 * a known direction wins, and a line that names an alert does not also
	 * report an unnamed one (code -1).  A local error (rule_id) joins the
	 * mention of its alert that the logging side sent or did not say; on a
	 * line without such a mention it is a mention of its own only when the
	 * line mentions no alert at all.
	 */
	TLSA_TEXT_ALL = 1u << 0,
};

struct tlsa_text;

/* Compiles the recogniser into *out.  Returns 0, TLSA_ENOMEM, or TLSA_EINVAL
 * when a built-in pattern does not compile (err says which). */
int tlsa_text_new(struct tlsa_text **out, struct tlsa_error *err);

/* Releases `t`; NULL is allowed. */
void tlsa_text_free(struct tlsa_text *t);

typedef int (*tlsa_text_fn)(void *ctx, const struct tlsa_text_mention *m);

/*
 * Scans `buf` (one line or many; the last line need not end in '\n') and calls
 * `fn` for each mention, in buffer order.  If `fn` returns non-zero, scanning
 * stops and that value is returned; otherwise returns 0.  Lines are
 * independent, except that a record split over a few lines (span_start) is one
 * mention: a caller reading a stream may pass it in pieces cut after any '\n',
 * preferably not in the middle of such a record (at most 16 lines).  Allocates
 * only to copy a line longer than 4 KiB that holds an anchor
 * (such a line is skipped if that allocation fails).
 */
int tlsa_text_scan(const struct tlsa_text *t, const char *buf, size_t len, unsigned flags,
		   tlsa_text_fn fn, void *ctx);

/* The number of '\n' bytes in buf[0, len) (fast; for line numbers). */
size_t tlsa_text_count_lines(const char *buf, size_t len);

/* The patterns compiled into the library. */
size_t tlsa_text_pattern_count(void);

struct tlsa_text_pattern_info {
	const char *id;		    /* "openssl.reason" */
	const char *implementation; /* "openssl" */
	tlsa_text_dir dir;	    /* the direction the wording implies */
	const char *regex;	    /* POSIX ERE */
	const char *sample;	    /* a line it must match (the first of its samples) */
};

/* Fills *info for pattern `i`; returns 0 or TLSA_EINVAL when i is out of range. */
int tlsa_text_pattern_info(size_t i, struct tlsa_text_pattern_info *info);

/* Built-in samples: every pattern has at least one line it must recognise. */
size_t tlsa_text_sample_count(void);

/* Sample `i`: its text, the pattern it belongs to and the code it must give (-1
 * for none).  Returns 0 or TLSA_EINVAL. */
int tlsa_text_sample(size_t i, const char **text, unsigned *pattern, int *code);

#ifdef __cplusplus
}
#endif

#endif
