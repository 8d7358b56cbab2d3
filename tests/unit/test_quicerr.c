/*
 * tlsa_quic_error_parse() and tlsa_quic_error_describe(): every QUIC spelling of a TLS alert the
 * stacks print (log-formats.md, the stacks' sources, ngtcp2's own output), the
 * non-alert QUIC errors named as what they are, and what is not a QUIC spelling.
 */
#include "check.h"
#include "tlsalert.h"

static const struct {
	const char *s;
	int alert;	/* -1: named, no alert */
	long long wire; /* -1: none */
	const char *name;
	const char *stack; /* NULL: not checked */
} cases[] = {
	{"0x178", 120, 0x178, "CRYPTO_ERROR", "quic"},
	{"0x100", 0, 0x100, "CRYPTO_ERROR", "quic"},
	{"0x1ff", 255, 0x1ff, "CRYPTO_ERROR", "quic"},
	{"376", 120, 0x178, "CRYPTO_ERROR", "quic"},
	{"CRYPTO_ERROR 0x178", 120, 0x178, "CRYPTO_ERROR", "quic"},
	{"CRYPTO_ERROR(0x128)", 40, 0x128, "CRYPTO_ERROR", "quic"},
	{"CRYPTO_ERROR (0x12a)", 42, 0x12a, "CRYPTO_ERROR", "quic"},
	{"CRYPTO_ERROR_0x128", 40, 0x128, "CRYPTO_ERROR", "quic"},
	{"crypto_error_0x12a", 42, 0x12a, "CRYPTO_ERROR", "qlog"},
	{" 'CRYPTO_ERROR: 0x174' ", 116, 0x174, "CRYPTO_ERROR", "quic"},
	{"0x8041012a", 42, 0x12a, "QUIC_STATUS_TLS_ALERT", "msquic"},
	{"0x80410130", 48, 0x130, "QUIC_STATUS_TLS_ALERT", "msquic"},
	{"18446744071566328106", 42, 0x12a, "QUIC_STATUS_TLS_ALERT", "msquic"},
	{"200000304", 48, 0x130, "QUIC_STATUS_TLS_ALERT", "msquic"},
	{"QUIC_STATUS_TLS_ALERT(48)", 48, 0x130, "QUIC_STATUS_TLS_ALERT", "msquic"},
	{"QUIC_STATUS_TLS_ALERT", -1, -1, "QUIC_STATUS_TLS_ALERT", "msquic"},
	{"0x80410007", 120, 0x178, "QUIC_STATUS_ALPN_NEG_FAILURE", "msquic"},
	{"QUIC_STATUS_BAD_CERTIFICATE", 42, 0x12a, "QUIC_STATUS_BAD_CERTIFICATE", "msquic"},
	{"0x80410005", -1, -1, "QUIC_STATUS_CONNECTION_IDLE", "msquic"},
	{"18446744071566327813", -1, -1, "QUIC_STATUS_CONNECTION_IDLE", "msquic"},
	{"Transport(376)", 120, 0x178, "CRYPTO_ERROR", "neqo"},
	{"Transport(PeerError(300))", 44, 0x12c, "CRYPTO_ERROR", "neqo"},
	{"ConnectionError::Transport(Error::PeerError(376))", 120, 0x178, "CRYPTO_ERROR", "neqo"},
	{"CryptoAlert(120)", 120, 0x178, "CRYPTO_ERROR", "neqo"},
	{"Transport(CryptoAlert(47))", 47, 0x12f, "CRYPTO_ERROR", "neqo"},
	{"Transport(10)", -1, 0x0a, "PROTOCOL_VIOLATION", "neqo"},
	{"PeerError(8)", -1, 0x08, "TRANSPORT_PARAMETER_ERROR", "neqo"},
	{"QUIC_TLS_CERTIFICATE_UNKNOWN", 46, 0x12e, "QUIC_TLS_CERTIFICATE_UNKNOWN", "chromium"},
	{"net::ERR_QUIC_PROTOCOL_ERROR.QUIC_TLS_CERTIFICATE_UNKNOWN", 46, 0x12e,
	 "QUIC_TLS_CERTIFICATE_UNKNOWN", "chromium"},
	{"ERR_QUIC_PROTOCOL_ERROR.QUIC_NETWORK_IDLE_TIMEOUT", -1, -1, "QUIC_NETWORK_IDLE_TIMEOUT",
	 "chromium"},
	{"ERR_QUIC_PROTOCOL_ERROR", -1, -1, "ERR_QUIC_PROTOCOL_ERROR", "chromium"},
	{"QUIC_HANDSHAKE_FAILED", -1, -1, "QUIC_HANDSHAKE_FAILED", "chromium"},
	{"\"quic_error\": 199", 46, 0x12e, "QUIC_TLS_CERTIFICATE_UNKNOWN", "chromium"},
	{"\"quic_error\":202", 116, 0x174, "QUIC_TLS_CERTIFICATE_REQUIRED", "chromium"},
	{"quic_error=195", 42, 0x12a, "QUIC_TLS_BAD_CERTIFICATE", "chromium"},
	{"\"quic_error\": 25", -1, -1, "QUIC_NETWORK_IDLE_TIMEOUT", "chromium"},
	{"PROTOCOL_VIOLATION", -1, 0x0a, "PROTOCOL_VIOLATION", "rfc9000"},
	{"protocol_violation", -1, 0x0a, "PROTOCOL_VIOLATION", "rfc9000"},
	{"QUIC_ERROR_PROTOCOL_VIOLATION", -1, 0x0a, "PROTOCOL_VIOLATION", "rfc9000"},
	{"NGTCP2_NO_VIABLE_PATH", -1, 0x10, "NO_VIABLE_PATH", "rfc9000"},
	{"APPLICATION_ERROR", -1, 0x0c, "APPLICATION_ERROR", "rfc9000"},
	{"H3_NO_ERROR", -1, 0x100, "H3_NO_ERROR", "rfc9114"},
	{"H3_VERSION_FALLBACK", -1, 0x110, "H3_VERSION_FALLBACK", "rfc9114"},
	{"QPACK_DECOMPRESSION_FAILED", -1, 0x200, "QPACK_DECOMPRESSION_FAILED", "rfc9204"},
	{"TlsFail", -1, -1, "TlsFail", "quiche"},
};

/* Not QUIC spellings: alert codes 0-255 and names, other numbers, half spellings. */
static const char *const not_quic[] = {
	"",
	"   ",
	"48",
	"0x30",
	"255",
	"0xff",
	"0x0a",
	"handshake_failure",
	"unknown_ca",
	"0x200",
	"512",
	"767",
	"0x80410123x",
	"CRYPTO_ERROR",
	"CRYPTO_ERROR 0x99",
	"CRYPTO_ERROR 0x200",
	"crypto_error_0x",
	"Transport()",
	"Transport(",
	"CryptoAlert(256)",
	"PeerError(x)",
	"QUIC_STATUS_TLS_ALERT(256)",
	"QUIC_TLS_",
	"H3_",
	"0x",
	"99999999999999999999999",
	"Application(256)",
	"\"quic_error\": 194",
	"quic_error: 0xc7",
	"net::",
	"QUIC_TLS_BOGUS",
	"H3_NO_ERRORS",
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tlsa_quic_error q;
		int rc = tlsa_quic_error_parse(cases[i].s, strlen(cases[i].s), &q);
		CHECK_INT(rc, 0);
		if (rc != 0) {
			fprintf(stderr, "  input: %s\n", cases[i].s);
			continue;
		}
		CHECK_INT(q.alert, cases[i].alert);
		CHECK_INT(q.wire, cases[i].wire);
		CHECK_STR(q.name, cases[i].name);
		if (cases[i].stack != NULL)
			CHECK_STR(q.stack, cases[i].stack);
		CHECK(q.meaning != NULL && q.meaning[0] != '\0');
		/* an alert is always a CRYPTO_ERROR on the wire */
		if (q.alert >= 0)
			CHECK_INT(q.wire, 0x100 + q.alert);
	}
	for (size_t i = 0; i < sizeof(not_quic) / sizeof(not_quic[0]); i++) {
		struct tlsa_quic_error q;
		int rc = tlsa_quic_error_parse(not_quic[i], strlen(not_quic[i]), &q);
		CHECK_INT(rc, TLSA_EINVAL);
		if (rc == 0)
			fprintf(stderr, "  read as QUIC: '%s' (%s)\n", not_quic[i], q.name);
	}

	/* describe: a transport close carries alerts in 0x100-0x1ff, an application close
	 * never does. */
	struct tlsa_quic_error q;
	tlsa_quic_error_describe(0x128, 0, &q);
	CHECK_INT(q.alert, 40);
	CHECK_INT(q.kind, TLSA_QUIC_CRYPTO);
	tlsa_quic_error_describe(0x100, 1, &q);
	CHECK_INT(q.alert, -1);
	CHECK_STR(q.name, "H3_NO_ERROR");
	CHECK_INT(q.kind, TLSA_QUIC_APPLICATION);
	tlsa_quic_error_describe(0x178, 1, &q);
	CHECK_INT(q.alert, -1);
	CHECK_STR(q.name, "unknown");
	tlsa_quic_error_describe(0x0a, 0, &q);
	CHECK_STR(q.name, "PROTOCOL_VIOLATION");
	tlsa_quic_error_describe(0x4000, 0, &q);
	CHECK_STR(q.name, "unknown");
	CHECK_INT(q.alert, -1);
	/* every alert round-trips through its CRYPTO_ERROR, in hex and in decimal */
	for (unsigned a = 0; a < 256; a++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "0x%x", 0x100 + a);
		CHECK(tlsa_quic_error_parse(buf, strlen(buf), &q) == 0 && q.alert == (int)a);
		snprintf(buf, sizeof(buf), "CRYPTO_ERROR(0x%x)", 0x100 + a);
		CHECK(tlsa_quic_error_parse(buf, strlen(buf), &q) == 0 && q.alert == (int)a);
		snprintf(buf, sizeof(buf), "%u", 0x80410100u + a);
		CHECK(tlsa_quic_error_parse(buf, strlen(buf), &q) == 0 && q.alert == (int)a);
	}
	CHECK_STR(tlsa_quic_kind_name(TLSA_QUIC_CRYPTO), "crypto_error");
	CHECK_STR(tlsa_quic_kind_name(TLSA_QUIC_STATUS), "status");
	CHECK_INT(tlsa_quic_error_parse(NULL, 0, &q), TLSA_EINVAL);
	return CHECK_DONE();
}
