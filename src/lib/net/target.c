/*
 * The one target of `tlsalert probe`: "host[:port]", "[v6]:port", a bare IPv6
 * address or a URL whose scheme gives the port and whether TLS starts at once
 * or after a STARTTLS request.  Anything that names more than one host (a
 * list, a range, a CIDR block) is refused here, before any lookup.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/ascii.h"
#include "tlsalert/probe.h"

struct scheme {
	const char *name;
	uint16_t port;
	const char *starttls; /* NULL: TLS from the first byte */
};

static const struct scheme schemes[] = {
	{"https", 443, NULL},
	{"smtps", 465, NULL},
	{"imaps", 993, NULL},
	{"pop3s", 995, NULL},
	{"ldaps", 636, NULL},
	{"ftps", 990, NULL},
	{"smtp", 25, "smtp"},
	{"submission", 587, "smtp"},
	{"imap", 143, "imap"},
	{"pop3", 110, "pop3"},
	{"ftp", 21, "ftp"},
	{"ldap", 389, "ldap"},
	{"xmpp", 5222, "xmpp"},
	{"postgres", 5432, "postgresql"},
	{"postgresql", 5432, "postgresql"},
	{"mysql", 3306, "mysql"},
};

static const struct scheme *scheme_find(const char *s, size_t n)
{
	for (size_t i = 0; i < N_ELEMS(schemes); i++)
		if (strlen(schemes[i].name) == n &&
		    ascii_same_ci((const unsigned char *)s, schemes[i].name, n))
			return &schemes[i];
	return NULL;
}

static bool parse_port(const char *s, size_t n, uint16_t *out)
{
	unsigned v = 0;
	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* A host name (letters, digits, '-', '_', '.') or an IPv4 literal. */
static bool host_chars_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_';
		if (!ok)
			return false;
	}
	return n > 0 && s[0] != '-' && s[0] != '.';
}

static int bad(struct tlsa_error *err, const char *text, const char *why)
{
	return tlsa_error_set(err, TLSA_EINVAL, 0, "target \"%.64s\": %s", text, why);
}

/* host part [h, h+hn) and optional port [p, p+pn) into t */
static int set_host(struct tlsa_probe_target *t, const char *text, const char *h, size_t hn,
		    bool bracketed, struct tlsa_error *err)
{
	char buf[TLSA_PROBE_HOST_MAX + 1];
	uint8_t a6[16];
	if (hn == 0)
		return bad(err, text, "no host name");
	if (hn > TLSA_PROBE_HOST_MAX)
		return bad(err, text, "the host name is longer than 253 characters");
	memcpy(buf, h, hn);
	buf[hn] = '\0';
	if (bracketed || memchr(buf, ':', hn) != NULL) {
		if (inet_pton(AF_INET6, buf, a6) != 1)
			return bad(err, text, "not an IPv6 address between the brackets");
		t->host_is_address = true;
	} else if (!host_chars_ok(buf, hn)) {
		return bad(err, text,
			   "one host only: a name or an address (no lists, ranges, spaces or "
			   "CIDR blocks)");
	} else {
		uint8_t a4[4];
		t->host_is_address = inet_pton(AF_INET, buf, a4) == 1;
	}
	memcpy(t->host, buf, hn + 1);
	return 0;
}

int tlsa_probe_target_parse(const char *text, struct tlsa_probe_target *t, struct tlsa_error *err)
{
	memset(t, 0, sizeof(*t));
	t->port = 443;
	if (text == NULL || text[0] == '\0')
		return tlsa_error_set(err, TLSA_EINVAL, 0, "no target given");
	const char *s = text;
	const char *sep = strstr(s, "://");
	if (sep != NULL) {
		const struct scheme *sc = scheme_find(s, (size_t)(sep - s));
		if (sc == NULL)
			return bad(err, text,
				   "unknown scheme (https, smtps, imaps, pop3s, ldaps, ftps, smtp, "
				   "submission, imap, pop3, ftp, ldap, xmpp, postgres, mysql)");
		t->scheme = sc->name;
		t->starttls = sc->starttls;
		t->port = sc->port;
		s = sep + 3;
		/* user info is not a host: refuse rather than guess */
		const char *end = s + strcspn(s, "/?#");
		if (memchr(s, '@', (size_t)(end - s)) != NULL)
			return bad(err, text, "user names in the URL are not supported");
	}
	size_t n = strcspn(s, "/?#");
	if (sep == NULL && s[n] != '\0')
		return bad(err, text,
			   "one host only: a name or an address (no lists, ranges, spaces or "
			   "CIDR blocks)");
	const char *h = s, *port = NULL;
	size_t hn = n, pn = 0;
	bool bracketed = false;
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL)
			return bad(err, text, "'[' without ']'");
		h = s + 1;
		hn = (size_t)(close - h);
		bracketed = true;
		size_t rest = n - (size_t)(close + 1 - s);
		if (rest > 0) {
			if (close[1] != ':')
				return bad(err, text, "expected ':PORT' after ']'");
			port = close + 2;
			pn = rest - 1;
		}
	} else {
		const char *c1 = memchr(s, ':', n);
		const char *c2 = c1 != NULL ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - s)) : NULL;
		if (c1 != NULL && c2 == NULL) {
			hn = (size_t)(c1 - s);
			port = c1 + 1;
			pn = n - hn - 1;
		}
		/* two colons or more: a bare IPv6 address, port by default */
	}
	if (port != NULL && !parse_port(port, pn, &t->port))
		return bad(err, text, "the port is not a number from 1 to 65535");
	return set_host(t, text, h, hn, bracketed, err);
}
