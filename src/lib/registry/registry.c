/* The alert registry, protocol versions and per-version level rules. */
#include <stdlib.h>
#include <string.h>

#include "tlsalert/registry.h"
#include "base/ascii.h"

#include "alerts_data.h"

const struct tlsa_alert *tlsa_alert_get(uint8_t code)
{
	return &tlsa_registry[code];
}

const char *tlsa_version_name(tlsa_version v)
{
	switch (v) {
	case TLSA_VER_SSL2: return "SSL 2.0";
	case TLSA_VER_SSL3: return "SSL 3.0";
	case TLSA_VER_TLS10: return "TLS 1.0";
	case TLSA_VER_TLS11: return "TLS 1.1";
	case TLSA_VER_TLS12: return "TLS 1.2";
	case TLSA_VER_TLS13: return "TLS 1.3";
	case TLSA_VER_DTLS10: return "DTLS 1.0";
	case TLSA_VER_DTLS12: return "DTLS 1.2";
	case TLSA_VER_DTLS13: return "DTLS 1.3";
	case TLSA_VER_UNKNOWN:
	case TLSA_VER_COUNT: break;
	}
	return "unknown";
}

const char *tlsa_version_token(tlsa_version v)
{
	static const char *const tokens[TLSA_VER_COUNT] = {
		"unknown", "ssl2",   "ssl3",	"tls1.0",  "tls1.1",
		"tls1.2",  "tls1.3", "dtls1.0", "dtls1.2", "dtls1.3",
	};
	return (unsigned)v < TLSA_VER_COUNT ? tokens[v] : "unknown";
}

tlsa_version tlsa_version_from_wire(uint16_t wire)
{
	switch (wire) {
	case 0x0002: return TLSA_VER_SSL2;
	case 0x0300: return TLSA_VER_SSL3;
	case 0x0301: return TLSA_VER_TLS10;
	case 0x0302: return TLSA_VER_TLS11;
	case 0x0303: return TLSA_VER_TLS12;
	case 0x0304: return TLSA_VER_TLS13;
	case 0xfeff: return TLSA_VER_DTLS10;
	case 0xfefd: return TLSA_VER_DTLS12;
	case 0xfefc: return TLSA_VER_DTLS13;
	default: return TLSA_VER_UNKNOWN;
	}
}

bool tlsa_version_is_dtls(tlsa_version v)
{
	return v == TLSA_VER_DTLS10 || v == TLSA_VER_DTLS12 || v == TLSA_VER_DTLS13;
}

int tlsa_version_rank(tlsa_version v)
{
	switch (v) {
	case TLSA_VER_SSL3: return 2;
	case TLSA_VER_TLS10: return 3;
	case TLSA_VER_TLS11:
	case TLSA_VER_DTLS10: return 4;
	case TLSA_VER_TLS12:
	case TLSA_VER_DTLS12: return 5;
	case TLSA_VER_TLS13:
	case TLSA_VER_DTLS13: return 6;
	case TLSA_VER_UNKNOWN:
	case TLSA_VER_SSL2:
	case TLSA_VER_COUNT: break;
	}
	return 0;
}

int tlsa_version_parse(const char *s, tlsa_version *out)
{
	/* Fold to lower-case letters and digits: "TLSv1.3" -> "tlsv13". */
	char k[16];
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = (char)ascii_lower((unsigned char)*s);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (n + 1 >= sizeof(k))
				return TLSA_EINVAL;
			k[n++] = c;
		}
	}
	k[n] = '\0';

	static const struct {
		const char *key;
		tlsa_version v;
	} table[] = {
		{"ssl2", TLSA_VER_SSL2},      {"sslv2", TLSA_VER_SSL2},
		{"ssl20", TLSA_VER_SSL2},     {"ssl3", TLSA_VER_SSL3},
		{"sslv3", TLSA_VER_SSL3},     {"ssl30", TLSA_VER_SSL3},
		{"tls1", TLSA_VER_TLS10},     {"tls10", TLSA_VER_TLS10},
		{"tlsv1", TLSA_VER_TLS10},    {"tlsv10", TLSA_VER_TLS10},
		{"10", TLSA_VER_TLS10},	      {"tls11", TLSA_VER_TLS11},
		{"tlsv11", TLSA_VER_TLS11},   {"11", TLSA_VER_TLS11},
		{"tls12", TLSA_VER_TLS12},    {"tlsv12", TLSA_VER_TLS12},
		{"12", TLSA_VER_TLS12},	      {"tls13", TLSA_VER_TLS13},
		{"tlsv13", TLSA_VER_TLS13},   {"13", TLSA_VER_TLS13},
		{"dtls1", TLSA_VER_DTLS10},   {"dtls10", TLSA_VER_DTLS10},
		{"dtlsv10", TLSA_VER_DTLS10}, {"dtls12", TLSA_VER_DTLS12},
		{"dtlsv12", TLSA_VER_DTLS12}, {"dtls13", TLSA_VER_DTLS13},
		{"dtlsv13", TLSA_VER_DTLS13},
	};
	for (size_t i = 0; i < N_ELEMS(table); i++) {
		if (strcmp(k, table[i].key) == 0) {
			*out = table[i].v;
			return 0;
		}
	}
	return TLSA_EINVAL;
}

const char *tlsa_status_name(tlsa_status s)
{
	switch (s) {
	case TLSA_STATUS_ASSIGNED: return "assigned";
	case TLSA_STATUS_RESERVED: return "reserved";
	case TLSA_STATUS_UNASSIGNED: return "unassigned";
	case TLSA_STATUS_UNOFFICIAL: return "unofficial";
	}
	return "unassigned";
}

const char *tlsa_rule_name(tlsa_rule r)
{
	switch (r) {
	case TLSA_RULE_ABSENT: return "absent";
	case TLSA_RULE_FATAL: return "fatal";
	case TLSA_RULE_WARNING: return "warning";
	case TLSA_RULE_EITHER: return "either";
	case TLSA_RULE_CLOSURE: return "closure";
	case TLSA_RULE_ERROR: return "error";
	case TLSA_RULE_RESERVED: return "reserved";
	}
	return "absent";
}

const char *tlsa_rule_text(tlsa_rule r)
{
	switch (r) {
	case TLSA_RULE_ABSENT: return "not defined in this version";
	case TLSA_RULE_FATAL: return "always fatal";
	case TLSA_RULE_WARNING: return "always a warning";
	case TLSA_RULE_EITHER: return "warning or fatal, as the sender chooses";
	case TLSA_RULE_CLOSURE: return "closure alert (ends the sender's writing; not an error)";
	case TLSA_RULE_ERROR: return "error alert: fatal whatever the level byte says";
	case TLSA_RULE_RESERVED: return "reserved: must not be sent; an error if received";
	}
	return "not defined in this version";
}

tlsa_rule tlsa_alert_rule(const struct tlsa_alert *a, tlsa_version v)
{
	if ((unsigned)v >= TLSA_VER_COUNT || v == TLSA_VER_UNKNOWN)
		v = TLSA_VER_TLS12;
	return (tlsa_rule)a->rule[v];
}

const char *tlsa_severity_name(tlsa_severity s)
{
	switch (s) {
	case TLSA_SEV_WARNING: return "warning";
	case TLSA_SEV_FATAL: return "fatal";
	case TLSA_SEV_CLOSURE: return "closure";
	case TLSA_SEV_UNKNOWN: break;
	}
	return "unknown";
}

const char *tlsa_level_name(int level)
{
	return level == 1 ? "warning" : level == 2 ? "fatal" : NULL;
}

static bool is_tls13_family(tlsa_version v)
{
	return v == TLSA_VER_TLS13 || v == TLSA_VER_DTLS13;
}

tlsa_severity tlsa_effective_severity(uint8_t code, int level, tlsa_version v)
{
	const struct tlsa_alert *a = tlsa_alert_get(code);

	if (is_tls13_family(v)) {
		/* RFC 8446 s6: the type decides; the level byte is ignored. */
		return tlsa_alert_rule(a, v) == TLSA_RULE_CLOSURE ? TLSA_SEV_CLOSURE
								  : TLSA_SEV_FATAL;
	}
	/* Up to TLS 1.2 the receiver acts on the level byte. */
	if (level == 2)
		return TLSA_SEV_FATAL;
	if (level == 1)
		return code == 0 ? TLSA_SEV_CLOSURE : TLSA_SEV_WARNING;
	if (level < 0) {
		/* Level unknown (encrypted): what the version's rule implies. */
		switch (tlsa_alert_rule(a, v)) {
		case TLSA_RULE_FATAL: return TLSA_SEV_FATAL;
		case TLSA_RULE_WARNING: return code == 0 ? TLSA_SEV_CLOSURE : TLSA_SEV_WARNING;
		case TLSA_RULE_ABSENT:
		case TLSA_RULE_EITHER:
		case TLSA_RULE_CLOSURE:
		case TLSA_RULE_ERROR:
		case TLSA_RULE_RESERVED: break;
		}
	}
	return TLSA_SEV_UNKNOWN;
}

const char *tlsa_level_remark(uint8_t code, int level, tlsa_version v)
{
	const struct tlsa_alert *a = tlsa_alert_get(code);
	tlsa_rule r = tlsa_alert_rule(a, v);

	if (level >= 0 && level != 1 && level != 2)
		return "the level byte is neither 1 (warning) nor 2 (fatal)";
	if (a->status == TLSA_STATUS_UNASSIGNED)
		return "the value is not assigned by IANA";
	switch (r) {
	case TLSA_RULE_ABSENT: return "this alert is not defined in this protocol version";
	case TLSA_RULE_RESERVED:
		return "this alert is reserved in this protocol version and must not be sent";
	case TLSA_RULE_FATAL:
		return level == 1 ? "sent as a warning, but this version makes it always fatal"
				  : NULL;
	case TLSA_RULE_WARNING:
		return level == 2 ? "sent as fatal, but this version makes it always a warning"
				  : NULL;
	case TLSA_RULE_ERROR:
		return level == 1
			       ? "sent as a warning; TLS 1.3 requires fatal and treats it as fatal"
			       : NULL;
	case TLSA_RULE_CLOSURE:
		return code == 0 && level == 2 ? "RFC 9846 requires close_notify at warning level"
					       : NULL;
	case TLSA_RULE_EITHER: break;
	}
	return NULL;
}
