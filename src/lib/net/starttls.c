/*
 * The plain-text part of a STARTTLS target: the greeting, the upgrade
 * request, the server's consent.  Each reply is read up to a line end (or, for
 * PostgreSQL, one byte) within the deadline; at most 4 KiB is read per reply (16 KiB of
 * XMPP stream, one LDAP or MySQL packet).
 */
#include <stdio.h>
#include <string.h>

#include "net_int.h"

/* Reads until a line end whose line starts with `want` (NULL: any line).  For SMTP
 * multi-line replies ("250-...") the last line is the one with a space. */
static int read_reply(int fd, const char *want, bool smtp, uint64_t deadline, char *line,
		      size_t cap, const struct tlsa_probe_opts *o)
{
	size_t n = 0;
	for (;;) {
		uint8_t c;
		ssize_t k = net_recv(fd, &c, 1, deadline, o);
		if (k <= 0)
			return -1;
		if (c == '\n') {
			line[n] = '\0';
			if (n > 0 && line[n - 1] == '\r')
				line[--n] = '\0';
			bool last = !smtp || n < 4 || line[3] != '-';
			if (want != NULL && want[0] == 'a' && line[0] == '*') {
				n = 0; /* IMAP: untagged lines before the tagged answer */
				continue;
			}
			if (last)
				return want == NULL || strncmp(line, want, strlen(want)) == 0 ? 0
											      : 1;
			n = 0;
			continue;
		}
		if (n + 1 < cap)
			line[n++] = (char)c;
	}
}

/* Reads exactly n bytes by the deadline; false if the peer closed or was too slow. */
static bool read_n(int fd, uint8_t *p, size_t n, uint64_t deadline, const struct tlsa_probe_opts *o)
{
	while (n > 0) {
		ssize_t k = net_recv(fd, p, n, deadline, o);
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/* LDAP (RFC 4511 4.14): the StartTLS extended request, and a success in its response. */
static int ldap_starttls(int fd, uint64_t deadline, const struct tlsa_probe_opts *o,
			 struct tlsa_probe_result *r)
{
	static const char oid[] = "1.3.6.1.4.1.1466.20037";
	uint8_t req[2 + 3 + 2 + 2 + sizeof(oid) - 1], head[2], body[256];
	size_t n = 0, len;
	req[n++] = 0x30; /* LDAPMessage */
	req[n++] = (uint8_t)(sizeof(req) - 2);
	req[n++] = 0x02, req[n++] = 0x01, req[n++] = 0x01; /* messageID 1 */
	req[n++] = 0x77;				   /* [APPLICATION 23] ExtendedRequest */
	req[n++] = (uint8_t)(2 + sizeof(oid) - 1);
	req[n++] = 0x80; /* [0] requestName */
	req[n++] = (uint8_t)(sizeof(oid) - 1);
	memcpy(req + n, oid, sizeof(oid) - 1);
	if (net_send_all(fd, req, sizeof(req), deadline, o) != 0 ||
	    !read_n(fd, head, 2, deadline, o))
		goto refused;
	len = head[1];
	if (head[0] != 0x30 || len == 0 || len >= 0x80 || !read_n(fd, body, len, deadline, o))
		goto refused; /* a long-form length is no StartTLS answer */
	/* messageID, then [APPLICATION 24] ExtendedResponse whose resultCode is success (0) */
	for (size_t i = 0; i + 4 < len; i++)
		if (body[i] == 0x78 && body[i + 2] == 0x0a && body[i + 3] == 0x01 &&
		    body[i + 4] == 0)
			return 0;
refused:
	snprintf(r->detail, sizeof(r->detail), "ldap StartTLS refused or no reply");
	return -1;
}

/* XMPP (RFC 6120 5.4): open the stream, ask for STARTTLS after the features, wait for proceed. */
static int xmpp_starttls(int fd, const char *host, uint64_t deadline,
			 const struct tlsa_probe_opts *o, struct tlsa_probe_result *r)
{
	char buf[16384], req[512];
	size_t n = 0;
	const char *want = "</stream:features>";
	snprintf(req, sizeof(req),
		 "<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' "
		 "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
		 host);
	if (net_send_all(fd, (const uint8_t *)req, strlen(req), deadline, o) != 0)
		goto refused;
	for (int step = 0; step < 2; step++) {
		while (n + 1 < sizeof(buf)) {
			ssize_t k =
				net_recv(fd, (uint8_t *)buf + n, sizeof(buf) - 1 - n, deadline, o);
			if (k <= 0)
				goto refused;
			n += (size_t)k;
			buf[n] = '\0';
			if (strstr(buf, want) != NULL || strstr(buf, "<failure") != NULL)
				break;
		}
		if (strstr(buf, want) == NULL)
			goto refused;
		if (step == 1)
			return 0;
		if (strstr(buf, "starttls") == NULL)
			goto refused; /* the server offers no STARTTLS */
		static const char st[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
		if (net_send_all(fd, (const uint8_t *)st, sizeof(st) - 1, deadline, o) != 0)
			goto refused;
		n = 0;
		want = "<proceed";
	}
refused:
	snprintf(r->detail, sizeof(r->detail), "xmpp STARTTLS refused or no reply");
	return -1;
}

/* MySQL: the server's greeting must offer CLIENT_SSL; then the client's SSL request. */
static int mysql_starttls(int fd, uint64_t deadline, const struct tlsa_probe_opts *o,
			  struct tlsa_probe_result *r)
{
	uint8_t head[4], greet[1024], req[4 + 32] = {32, 0, 0, 1};
	if (!read_n(fd, head, 4, deadline, o))
		goto refused;
	size_t len = (size_t)head[0] | (size_t)head[1] << 8 | (size_t)head[2] << 16;
	if (len < 1 || len > sizeof(greet) || !read_n(fd, greet, len, deadline, o) ||
	    greet[0] != 10)
		goto refused;
	size_t at = 1;
	while (at < len && greet[at] != 0) /* the server version, NUL-terminated */
		at++;
	at += 1 + 4 + 8 + 1; /* NUL, connection id, auth data part 1, filler */
	if (at + 2 > len || !((greet[at] | greet[at + 1] << 8) & 0x0800))
		goto refused; /* no CLIENT_SSL */
	/* capabilities: CLIENT_SSL | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION; max packet
	   16 MiB; utf8 collation; 23 bytes reserved */
	req[4] = 0x00, req[5] = 0x8a, req[6] = 0, req[7] = 0;
	req[8] = 0, req[9] = 0, req[10] = 0, req[11] = 1;
	req[12] = 0x21;
	if (net_send_all(fd, req, sizeof(req), deadline, o) != 0)
		goto refused;
	return 0;
refused:
	snprintf(r->detail, sizeof(r->detail), "mysql: no TLS on offer, or no greeting");
	return -1;
}

int net_starttls(int fd, const char *proto, const char *host, uint64_t deadline,
		 const struct tlsa_probe_opts *o, struct tlsa_probe_result *r)
{
	if (strcmp(proto, "ldap") == 0)
		return ldap_starttls(fd, deadline, o, r);
	if (strcmp(proto, "xmpp") == 0)
		return xmpp_starttls(fd, host, deadline, o, r);
	if (strcmp(proto, "mysql") == 0)
		return mysql_starttls(fd, deadline, o, r);
	char line[4096] = "", req[600];
	const char *greet = NULL, *ok = NULL;
	bool smtp = false;
	if (strcmp(proto, "smtp") == 0) {
		greet = "220";
		ok = "220";
		smtp = true;
	} else if (strcmp(proto, "imap") == 0) {
		greet = "* OK";
		ok = "a1 OK";
	} else if (strcmp(proto, "pop3") == 0) {
		greet = "+OK";
		ok = "+OK";
	} else if (strcmp(proto, "ftp") == 0) {
		greet = "220";
		ok = "234";
		smtp = true;
	} else if (strcmp(proto, "postgresql") == 0) {
		static const uint8_t ssl_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
		uint8_t c = 0;
		if (net_send_all(fd, ssl_request, sizeof(ssl_request), deadline, o) != 0 ||
		    net_recv(fd, &c, 1, deadline, o) != 1 || c != 'S') {
			snprintf(r->detail, sizeof(r->detail),
				 "the server refused SSLRequest (answered 0x%02x)", c);
			return -1;
		}
		return 0;
	} else {
		snprintf(r->detail, sizeof(r->detail), "STARTTLS for %s is not supported yet",
			 proto);
		return -1;
	}
	if (read_reply(fd, greet, smtp, deadline, line, sizeof(line), o) != 0)
		goto refused;
	if (smtp && strcmp(proto, "smtp") == 0) {
		snprintf(req, sizeof(req), "EHLO %s\r\n", host[0] != '\0' ? host : "tlsalert");
		if (net_send_all(fd, (const uint8_t *)req, strlen(req), deadline, o) != 0 ||
		    read_reply(fd, "250", true, deadline, line, sizeof(line), o) != 0)
			goto refused;
		snprintf(req, sizeof(req), "STARTTLS\r\n");
	} else if (strcmp(proto, "imap") == 0) {
		snprintf(req, sizeof(req), "a1 STARTTLS\r\n");
	} else if (strcmp(proto, "pop3") == 0) {
		snprintf(req, sizeof(req), "STLS\r\n");
	} else {
		snprintf(req, sizeof(req), "AUTH TLS\r\n");
	}
	if (net_send_all(fd, (const uint8_t *)req, strlen(req), deadline, o) != 0 ||
	    read_reply(fd, ok, smtp, deadline, line, sizeof(line), o) != 0)
		goto refused;
	return 0;
refused:
	snprintf(r->detail, sizeof(r->detail), "%s STARTTLS refused or no reply: \"%.80s\"", proto,
		 line);
	return -1;
}
