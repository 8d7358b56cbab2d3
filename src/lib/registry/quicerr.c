/*
 * QUIC error codes and the TLS alerts they carry: the spellings of QUIC stacks
 * (include/tlsalert/quicerr.h), from data/quic-errors.txt.
 */
#include <stdbool.h>
#include <string.h>

#include "tlsalert/quicerr.h"
#include "base/ascii.h"

struct quic_row {
	tlsa_quic_kind kind;
	uint64_t code;
	int has_code;
	const char *name;
	int alert;
	const char *stack;
	const char *meaning;
};

#include "quicerr_data.h"

_Static_assert(N_ELEMS(quic_h3_note) == N_ELEMS(quic_h3_note_dec) && N_ELEMS(quic_h3_note) == 17,
	       "one HTTP/3 note per code 0x100-0x110, in both forms");

#define CRYPTO_FIRST 0x100u
#define CRYPTO_LAST  0x1ffu
/* MsQuic's QUIC_STATUS_TLS_ALERT(a): 0x80410100 | a on Windows, 200000256 + a elsewhere. */
#define MSQUIC_ALERT_WIN   0x80410100u
#define MSQUIC_ALERT_POSIX 200000256u

static const char crypto_meaning[] =
	"A TLS alert carried by QUIC: the endpoint that raised it closed the connection with a "
	"CONNECTION_CLOSE frame (type 0x1c) whose error code is CRYPTO_ERROR, 0x100 + the alert "
	"(RFC 9001 section 4.8).  QUIC carries only fatal alerts: the connection is over.";
static const char msquic_meaning[] =
	"MsQuic's QUIC_STATUS_TLS_ALERT(alert) (0x80410100 | alert on Windows, 200000256 + alert "
	"on Linux and macOS): the connection ended with CRYPTO_ERROR 0x100 + that alert, sent or "
	"received (a trace's \"Transport Shutdown ... (Remote=1)\" says the peer sent it).";
static const char msquic_any_meaning[] =
	"MsQuic's QUIC_STATUS_TLS_ALERT: the connection ended with a TLS alert (CRYPTO_ERROR "
	"0x100 + alert); the status's low byte says which alert, the bare name does not.";
static const char neqo_peer_meaning[] =
	"neqo's PeerError: the peer closed the connection with this error code (received).";
static const char neqo_alert_meaning[] =
	"neqo's CryptoAlert: neqo's own TLS stack raised this alert and closed the connection with "
	"CRYPTO_ERROR 0x100 + alert (sent by the side that logged it).";
static const char unknown_transport[] =
	"A QUIC transport error code that RFC 9000 does not assign (an extension's, or a private "
	"one); not a TLS alert.";
static const char unknown_app[] =
	"An application error code (CONNECTION_CLOSE 0x1d, RESET_STREAM, STOP_SENDING): its "
	"meaning belongs to the application protocol; never a TLS alert.";
static const char note_curl[] =
	"As a decimal, curl's trace would read the same number as level*256 + alert: the same "
	"alert, at the warning level.";
static const char note_sony[] =
	"The same number is SCE_NET_ERROR (0x80410100 | errno) on PlayStation SDKs, which is not "
	"an alert; read here as MsQuic's QUIC_STATUS_TLS_ALERT.";
const char *tlsa_quic_kind_name(tlsa_quic_kind k)
{
	switch (k) {
	case TLSA_QUIC_CRYPTO: return "crypto_error";
	case TLSA_QUIC_TRANSPORT: return "transport_error";
	case TLSA_QUIC_APPLICATION: return "application_error";
	case TLSA_QUIC_STATUS: return "status";
	case TLSA_QUIC_NAME: return "name";
	}
	return "unknown";
}

static void set_crypto(struct tlsa_quic_error *out, uint64_t wire, const char *stack)
{
	out->kind = TLSA_QUIC_CRYPTO;
	out->alert = (int)(wire - CRYPTO_FIRST);
	out->wire = (int64_t)wire;
	out->value = wire;
	out->name = "CRYPTO_ERROR";
	out->stack = stack;
	out->meaning = crypto_meaning;
	out->note = NULL;
}

static void set_row(struct tlsa_quic_error *out, const struct quic_row *r)
{
	/* a name or status that stands for an alert is a CRYPTO_ERROR on the wire */
	out->kind = r->alert >= 0 ? TLSA_QUIC_CRYPTO : r->kind;
	out->alert = r->alert;
	out->value = r->has_code ? r->code : 0;
	if (r->kind == TLSA_QUIC_TRANSPORT || r->kind == TLSA_QUIC_APPLICATION)
		out->wire = (int64_t)r->code;
	else
		out->wire = r->alert >= 0 ? (int64_t)(CRYPTO_FIRST + (unsigned)r->alert) : -1;
	out->name = r->name;
	out->stack = r->stack;
	out->meaning = r->meaning;
	out->note = NULL;
}

static const struct quic_row *row_by_code(tlsa_quic_kind kind, uint64_t code)
{
	for (size_t i = 0; i < N_ELEMS(quic_rows); i++)
		if (quic_rows[i].kind == kind && quic_rows[i].has_code && quic_rows[i].code == code)
			return &quic_rows[i];
	return NULL;
}

static const struct quic_row *row_by_name(const char *s, size_t len)
{
	for (size_t i = 0; i < N_ELEMS(quic_rows); i++) {
		const char *n = quic_rows[i].name;
		size_t k = 0;
		if (strlen(n) != len)
			continue;
		while (k < len &&
		       ascii_lower((unsigned char)s[k]) == ascii_lower((unsigned char)n[k]))
			k++;
		if (k == len)
			return &quic_rows[i];
	}
	return NULL;
}

void tlsa_quic_error_describe(uint64_t code, int app, struct tlsa_quic_error *out)
{
	const struct quic_row *r =
		row_by_code(app ? TLSA_QUIC_APPLICATION : TLSA_QUIC_TRANSPORT, code);

	if (!app && code >= CRYPTO_FIRST && code <= CRYPTO_LAST) {
		set_crypto(out, code, "quic");
		return;
	}
	if (r != NULL) {
		set_row(out, r);
		return;
	}
	out->kind = app ? TLSA_QUIC_APPLICATION : TLSA_QUIC_TRANSPORT;
	out->alert = -1;
	out->wire = code <= INT64_MAX ? (int64_t)code : -1;
	out->value = code;
	out->name = "unknown";
	out->stack = "quic";
	out->meaning = app ? unknown_app : unknown_transport;
	out->note = NULL;
}

/* ---- reading a spelling ------------------------------------------------------------------ */

/* s[0, len) starts with `lit` (lower case), ASCII case ignored. */
static bool starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len >= n && ascii_same_ci((const unsigned char *)s, lit, n);
}

/* A number, all of s[0, len): "0x" hexadecimal (up to 16 digits) or decimal (up to 20
 * digits, no overflow).  *hex says which. */
static bool parse_u64(const char *s, size_t len, uint64_t *v, bool *hex)
{
	uint64_t x = 0;
	*hex = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	size_t i = *hex ? 2 : 0;
	if (i == len || len - i > (*hex ? 16u : 20u))
		return false;
	for (; i < len; i++) {
		unsigned c = ascii_lower((unsigned char)s[i]), d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (*hex && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return false;
		if (!*hex && x > (UINT64_MAX - d) / 10)
			return false;
		x = x * (*hex ? 16 : 10) + d;
	}
	*v = x;
	return true;
}

/* An MsQuic status: the Windows HRESULT (also sign-extended to 64 bits, as traces print
 * it) or the POSIX TLS_ERROR_BASE + alert. */
static bool msquic_status(uint64_t v, struct tlsa_quic_error *out)
{
	if (v >= 0xffffffff00000000u)
		v &= 0xffffffffu;
	if ((v & ~0xffu) == MSQUIC_ALERT_WIN ||
	    (v >= MSQUIC_ALERT_POSIX && v <= MSQUIC_ALERT_POSIX + 0xff)) {
		unsigned a = (v & ~0xffu) == MSQUIC_ALERT_WIN ? (unsigned)(v & 0xff)
							      : (unsigned)(v - MSQUIC_ALERT_POSIX);
		set_crypto(out, CRYPTO_FIRST + a, "msquic");
		out->value = v;
		out->name = "QUIC_STATUS_TLS_ALERT";
		out->meaning = msquic_meaning;
		out->note = (v & ~0xffu) == MSQUIC_ALERT_WIN ? note_sony : NULL;
		return true;
	}
	const struct quic_row *r = row_by_code(TLSA_QUIC_STATUS, v);
	if (r == NULL)
		return false;
	set_row(out, r);
	return true;
}

/* A bare number: CRYPTO_ERROR 0x100-0x1ff (256-511), or an MsQuic status.  0-255 are
 * alert codes, not QUIC spellings. */
static bool parse_number(const char *s, size_t len, struct tlsa_quic_error *out)
{
	uint64_t v;
	bool hex;

	if (!parse_u64(s, len, &v, &hex))
		return false;
	if (v >= CRYPTO_FIRST && v <= CRYPTO_LAST) {
		set_crypto(out, v, "quic");
		size_t i = (size_t)(v - CRYPTO_FIRST);
		if (i < N_ELEMS(quic_h3_note)) /* 0x100-0x110: the HTTP/3 code of the same number */
			out->note = hex ? quic_h3_note[i] : quic_h3_note_dec[i];
		else
			out->note = hex ? NULL : note_curl;
		return true;
	}
	return msquic_status(v, out);
}

/* "NAME(" ... ")" around s: the inside, or false. */
static bool call(const char *s, size_t len, const char *name, const char **in, size_t *in_len)
{
	size_t n = strlen(name);
	if (!starts(s, len, name) || len < n + 2 || s[n] != '(' || s[len - 1] != ')')
		return false;
	*in = s + n + 1;
	*in_len = len - n - 2;
	return true;
}

/* Skips the Rust paths "ConnectionError::", "Error::", "CloseReason::" before a name. */
static void skip_paths(const char **s, size_t *len)
{
	static const char *const paths[] = {
		"connectionerror::", "closereason::", "error::", "neqo_transport::"};
	bool again = true;
	while (again) {
		again = false;
		for (size_t i = 0; i < N_ELEMS(paths); i++)
			if (starts(*s, *len, paths[i]) && *len > strlen(paths[i])) {
				*s += strlen(paths[i]);
				*len -= strlen(paths[i]);
				again = true;
			}
	}
}

/* neqo: Transport(376), Transport(PeerError(376)), PeerError(376), CryptoAlert(120),
 * Transport(CryptoAlert(120)), with or without the Rust paths. */
static bool parse_neqo(const char *s, size_t len, struct tlsa_quic_error *out)
{
	const char *in;
	size_t n;
	uint64_t v;
	bool hex;

	skip_paths(&s, &len);
	if (call(s, len, "transport", &in, &n)) {
		skip_paths(&in, &n);
		if (parse_u64(in, n, &v, &hex)) {
			tlsa_quic_error_describe(v, 0, out);
			out->stack = "neqo";
			return true;
		}
		s = in;
		len = n;
	}
	if (call(s, len, "peererror", &in, &n) && parse_u64(in, n, &v, &hex)) {
		tlsa_quic_error_describe(v, 0, out);
		out->stack = "neqo";
		if (out->kind == TLSA_QUIC_CRYPTO)
			out->meaning = neqo_peer_meaning;
		return true;
	}
	if (call(s, len, "cryptoalert", &in, &n) && parse_u64(in, n, &v, &hex) && v <= 0xff) {
		set_crypto(out, CRYPTO_FIRST + v, "neqo");
		out->meaning = neqo_alert_meaning;
		return true;
	}
	return false;
}

/* "CRYPTO_ERROR 0x178", "CRYPTO_ERROR(0x128)", "CRYPTO_ERROR_0x128", "crypto_error_0x12a",
 * "CRYPTO_ERROR (0x178)", "CRYPTO_ERROR: 0x178". */
static bool parse_crypto(const char *s, size_t len, struct tlsa_quic_error *out)
{
	uint64_t v;
	bool hex;
	size_t i = strlen("crypto_error");

	if (!starts(s, len, "crypto_error"))
		return false;
	bool paren = false;
	while (i < len &&
	       (s[i] == ' ' || s[i] == '_' || s[i] == '(' || s[i] == ':' || s[i] == '=')) {
		paren |= s[i] == '(';
		i++;
	}
	size_t e = len;
	if (paren && e > i && s[e - 1] == ')')
		e--;
	if (!parse_u64(s + i, e - i, &v, &hex) || v < CRYPTO_FIRST || v > CRYPTO_LAST)
		return false;
	set_crypto(out, v, starts(s, len, "crypto_error_0x") && s[0] == 'c' ? "qlog" : "quic");
	return true;
}

/* MsQuic: QUIC_STATUS_TLS_ALERT(42) or QUIC_STATUS_TLS_ALERT alone. */
static bool parse_msquic_alert(const char *s, size_t len, struct tlsa_quic_error *out)
{
	const char *in;
	size_t n;
	uint64_t v;
	bool hex;

	if (call(s, len, "quic_status_tls_alert", &in, &n) && parse_u64(in, n, &v, &hex) &&
	    v <= 0xff) {
		msquic_status(MSQUIC_ALERT_WIN | v, out);
		out->note = NULL; /* the name says MsQuic: no other reading */
		return true;
	}
	if (len == strlen("quic_status_tls_alert") && starts(s, len, "quic_status_tls_alert")) {
		set_crypto(out, CRYPTO_FIRST, "msquic");
		out->alert = -1;
		out->wire = -1;
		out->value = 0;
		out->name = "QUIC_STATUS_TLS_ALERT";
		out->meaning = msquic_any_meaning;
		return true;
	}
	return false;
}

/* A name of data/quic-errors.txt, also with the prefixes stacks put before the RFC names
 * (QUIC_ERROR_, NGTCP2_) and Chromium's "net::ERR_QUIC_PROTOCOL_ERROR.QUIC_TLS_..." (the
 * part after the dot, when it is a known name, says more than the net error). */
static bool parse_name(const char *s, size_t len, struct tlsa_quic_error *out)
{
	static const char *const prefixes[] = {"quic_error_", "ngtcp2_", "quic::"};
	const struct quic_row *r;

	if (starts(s, len, "net::"))
		s += 5, len -= 5;
	const char *dot = memchr(s, '.', len);
	if (dot != NULL) {
		size_t rest = len - (size_t)(dot - s) - 1;
		if ((r = row_by_name(dot + 1, rest)) != NULL) {
			set_row(out, r);
			return true;
		}
		len = (size_t)(dot - s);
	}
	if ((r = row_by_name(s, len)) != NULL) {
		set_row(out, r);
		return true;
	}
	for (size_t i = 0; i < N_ELEMS(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (starts(s, len, prefixes[i]) && (r = row_by_name(s + n, len - n)) != NULL &&
		    r->kind == TLSA_QUIC_TRANSPORT) {
			set_row(out, r);
			return true;
		}
	}
	return false;
}

/* Chromium's net-export: QUIC_SESSION_CLOSED {"quic_error": 199} (a QuicErrorCode, not a
 * wire code; 195-202 are the QUIC_TLS_* alerts), also as quic_error=199. */
static bool parse_netlog(const char *s, size_t len, struct tlsa_quic_error *out)
{
	/* the leading quote is gone: tlsa_quic_error_parse() skips it */
	static const char *const keys[] = {"quic_error\":", "quic_error:", "quic_error="};
	uint64_t v;
	bool hex;

	for (size_t i = 0; i < N_ELEMS(keys); i++) {
		size_t n = strlen(keys[i]);
		if (!starts(s, len, keys[i]))
			continue;
		while (n < len && s[n] == ' ')
			n++;
		if (!parse_u64(s + n, len - n, &v, &hex) || hex)
			return false;
		const struct quic_row *r = row_by_code(TLSA_QUIC_NAME, v);
		if (r == NULL)
			return false;
		set_row(out, r);
		return true;
	}
	return false;
}

int tlsa_quic_error_parse(const char *s, size_t len, struct tlsa_quic_error *out)
{
	if (s == NULL || out == NULL)
		return TLSA_EINVAL;
	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"' || *s == '`')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\'' ||
			   s[len - 1] == '"' || s[len - 1] == '`' || s[len - 1] == '.'))
		len--;
	if (len == 0 || len > 200)
		return TLSA_EINVAL;
	if (parse_number(s, len, out) || parse_crypto(s, len, out) ||
	    parse_msquic_alert(s, len, out) || parse_neqo(s, len, out) || parse_netlog(s, len, out) ||
	    parse_name(s, len, out))
		return 0;
	return TLSA_EINVAL;
}
