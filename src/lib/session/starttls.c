/*
 * Requests that upgrade a plaintext connection to TLS: SMTP/NNTP/IRC/Sieve
 * STARTTLS, IMAP "tag STARTTLS", POP3 STLS, FTP AUTH TLS/SSL, XMPP
 * <starttls/>, the LDAP StartTLS extended operation, the PostgreSQL
 * SSLRequest and the MySQL SSL request.  Only the client's request is
 * recognised: whatever the server answers, TLS can only start after it, and
 * the tracker checks for a real TLS record at the start of each later segment.
 */
#include <string.h>

#include "base/ascii.h"
#include "base/rd.h"
#include "tlsalert/session.h"

/* Case-insensitive: does data (len bytes) start with the word w at offset at? */
static bool word_at(const uint8_t *data, size_t len, size_t at, const char *w)
{
	size_t n = strlen(w);
	if (at > len || len - at < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(data[at + i]) != ascii_lower((unsigned char)w[i]))
			return false;
	return true;
}

/* The line ends right after `at` (optional spaces, then CRLF or LF). */
static bool line_ends(const uint8_t *data, size_t len, size_t at)
{
	while (at < len && data[at] == ' ')
		at++;
	return (at < len && data[at] == '\n') ||
	       (at + 1 < len && data[at] == '\r' && data[at + 1] == '\n');
}

static bool contains(const uint8_t *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0 || len < n)
		return false;
	for (size_t i = 0; i + n <= len; i++)
		if (data[i] == (uint8_t)needle[0] && memcmp(data + i, needle, n) == 0)
			return true;
	return false;
}

/* LDAP: an LDAPMessage holding an ExtendedRequest ([APPLICATION 23]) whose
 * requestName is the StartTLS OID. */
static bool ldap_starttls(const uint8_t *data, size_t len)
{
	static const char oid[] = "1.3.6.1.4.1.1466.20037";
	struct rd r = rd_init(data, len);
	if (rd_u8(&r) != 0x30 || !rd_ok(&r))
		return false;
	return len < 128 && contains(data, len, oid) && contains(data, len, "\x77");
}

/* MySQL: a 32-byte SSLRequest packet (sequence 1) with CLIENT_SSL set. */
static bool mysql_ssl_request(const uint8_t *data, size_t len)
{
	struct rd r = rd_init(data, len);
	uint32_t plen = rd_u8(&r) | (uint32_t)rd_u8(&r) << 8 | (uint32_t)rd_u8(&r) << 16;
	uint8_t seq = rd_u8(&r);
	uint8_t cap0 = rd_u8(&r), cap1 = rd_u8(&r);
	(void)cap0;
	return rd_ok(&r) && plen == 32 && len == 36 && seq == 1 && (cap1 & 0x08) != 0;
}

const char *tlsa_starttls_request(const uint8_t *data, size_t len)
{
	static const uint8_t pg_sslrequest[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};

	if (len == 8 && memcmp(data, pg_sslrequest, 8) == 0)
		return "postgresql";
	if (mysql_ssl_request(data, len))
		return "mysql";
	if (len > 0 && data[0] == 0x30 && ldap_starttls(data, len))
		return "ldap";
	if (len > 256)
		return NULL; /* the text commands are short lines */
	if (word_at(data, len, 0, "STARTTLS") && line_ends(data, len, 8))
		return "starttls";
	if (word_at(data, len, 0, "STLS") && line_ends(data, len, 4))
		return "pop3";
	if (word_at(data, len, 0, "AUTH TLS") || word_at(data, len, 0, "AUTH SSL"))
		return "ftp";
	if (contains(data, len, "<starttls") && contains(data, len, "xmpp-tls"))
		return "xmpp";
	/* IMAP: "tag STARTTLS" */
	size_t i = 0;
	while (i < len && i < 32 && data[i] > ' ' && data[i] < 0x7f)
		i++;
	if (i > 0 && i < len && data[i] == ' ' && word_at(data, len, i + 1, "STARTTLS") &&
	    line_ends(data, len, i + 9))
		return "imap";
	return NULL;
}
