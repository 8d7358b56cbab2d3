/*
 * libtlsalert: QUIC error codes and the TLS alerts they carry.
 *
 * In QUIC (RFC 9000, RFC 9001) a TLS alert is not a TLS record: the endpoint that
 * raises it closes the connection with a CONNECTION_CLOSE frame of type 0x1c whose
 * error code is CRYPTO_ERROR = 0x0100 + the alert description (0x100-0x1ff).  Stacks
 * print that code in their own ways: quic-go "CRYPTO_ERROR 0x178", ngtcp2
 * "CRYPTO_ERROR(0x128)", qlog "crypto_error_0x12a", neqo "PeerError(376)" /
 * "CryptoAlert(120)", MsQuic QUIC_STATUS_TLS_ALERT(42) = 0x8041012a, Chromium
 * QUIC_TLS_CERTIFICATE_UNKNOWN.  Other QUIC closes (transport errors 0x00-0x10,
 * HTTP/3 and QPACK application errors, MsQuic statuses such as an idle timeout) are
 * named too, and never as alerts.  The table is generated from data/quic-errors.txt.
 */
#ifndef TLSALERT_QUICERR_H
#define TLSALERT_QUICERR_H

#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a QUIC error code or status is. */
typedef enum tlsa_quic_kind {
	TLSA_QUIC_CRYPTO = 0,  /* CRYPTO_ERROR: a TLS alert (0x100 + alert) */
	TLSA_QUIC_TRANSPORT,   /* a transport error of RFC 9000 (CONNECTION_CLOSE 0x1c) */
	TLSA_QUIC_APPLICATION, /* an HTTP/3 or QPACK error (CONNECTION_CLOSE 0x1d, streams) */
	TLSA_QUIC_STATUS,      /* an MsQuic QUIC_STATUS */
	TLSA_QUIC_NAME	       /* a stack's name with no number of its own */
} tlsa_quic_kind;

/* "crypto_error", "transport_error", "application_error", "status", "name". */
const char *tlsa_quic_kind_name(tlsa_quic_kind k);

/* A QUIC error, as tlsa_quic_error_parse() and tlsa_quic_error_describe() fill it.  The strings
 * are static. */
struct tlsa_quic_error {
	tlsa_quic_kind kind;
	int alert;	     /* the TLS alert (0-255) it carries, or -1 when it is not an
				alert (or, for QUIC_STATUS_TLS_ALERT alone, does not say which) */
	int64_t wire;	     /* the error code of the CONNECTION_CLOSE frame, or -1 when the
				spelling does not give one (a status, a name) */
	uint64_t value;	     /* the number as given (the status for MsQuic), or 0 */
	const char *name;    /* "CRYPTO_ERROR", "PROTOCOL_VIOLATION", "H3_NO_ERROR",
				"QUIC_STATUS_TLS_ALERT", "QUIC_TLS_CERTIFICATE_UNKNOWN" ... */
	const char *stack;   /* whose spelling: "quic", "quic-go", "ngtcp2", "qlog", "neqo",
				"msquic", "chromium", "quiche", "rfc9000", "rfc9114", ... */
	const char *meaning; /* one sentence: what it is */
	const char *note;    /* what else the same spelling could be, or NULL */
};

/*
 * Reads one QUIC spelling (ASCII case ignored, surrounding blanks and quotes
 * skipped): a number 0x100-0x1ff or 256-511 (CRYPTO_ERROR); "CRYPTO_ERROR 0x178",
 * "CRYPTO_ERROR(0x128)", "CRYPTO_ERROR_0x128", "crypto_error_0x12a"; neqo's
 * "Transport(376)", "PeerError(376)", "CryptoAlert(120)" (and nested in
 * "Transport(...)"); MsQuic's statuses (0x8041012a, 200000298, the 64-bit
 * sign-extended decimal of its traces, QUIC_STATUS_TLS_ALERT(42) and the names of
 * data/quic-errors.txt); Chromium's "net::ERR_QUIC_PROTOCOL_ERROR.QUIC_TLS_..." and
 * QUIC error names; the transport, HTTP/3 and QPACK error names.  A number 0-255 and
 * the TLS alert names are not QUIC spellings (tlsa_alert_parse() reads them).
 * Returns 0 and fills *out, or TLSA_EINVAL.
 */
int tlsa_quic_error_parse(const char *s, size_t len, struct tlsa_quic_error *out);

/*
 * What the error code of a CONNECTION_CLOSE frame is: `app` false for a frame of type
 * 0x1c (transport: 0x100-0x1ff is a TLS alert), true for type 0x1d (the application's
 * code: HTTP/3 and QPACK names, never an alert).  Always fills *out (name "unknown"
 * when the code has none).
 */
void tlsa_quic_error_describe(uint64_t code, int app, struct tlsa_quic_error *out);

#ifdef __cplusplus
}
#endif

#endif
