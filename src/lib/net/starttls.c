/*
 * The plain-text part of a STARTTLS target: the greeting, the upgrade
 * request, the server's consent.  Each reply is read up to a line end (or, for
 * PostgreSQL, one byte) within the deadline; at most 4 KiB is read per reply.
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

int net_starttls(int fd, const char *proto, const char *host, uint64_t deadline,
		 const struct tlsa_probe_opts *o, struct tlsa_probe_result *r)
{
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
