/* ClientHello / ServerHello parsing: fields, HelloRetryRequest, malformed input. */
#include <string.h>

#include "check.h"
#include "msgbuf.h"
#include "tlsalert/session.h"

static size_t client_hello(struct buf *b, bool dtls)
{
	b->n = 0;
	u16(b, dtls ? 0xfefd : 0x0303);
	for (int i = 0; i < 32; i++)
		u8(b, (unsigned)i);
	u8(b, 0); /* session id */
	if (dtls)
		u8(b, 0); /* cookie */
	u16(b, 6);
	u16(b, 0x1301);
	u16(b, 0xc02f);
	u16(b, 0x5600); /* TLS_FALLBACK_SCSV */
	u8(b, 1);
	u8(b, 0);
	size_t ext = b->n;
	u16(b, 0);
	/* server_name */
	u16(b, 0);
	size_t e = b->n;
	u16(b, 0);
	size_t l = b->n;
	u16(b, 0);
	u8(b, 0);
	u16(b, 11);
	put(b, "example.org", 11);
	fix16(b, l);
	fix16(b, e);
	/* supported_groups */
	u16(b, 10);
	u16(b, 6);
	u16(b, 4);
	u16(b, 0x001d);
	u16(b, 0x0017);
	/* signature_algorithms */
	u16(b, 13);
	u16(b, 4);
	u16(b, 2);
	u16(b, 0x0804);
	/* ALPN: h2, http/1.1 */
	u16(b, 16);
	e = b->n;
	u16(b, 0);
	l = b->n;
	u16(b, 0);
	u8(b, 2);
	put(b, "h2", 2);
	u8(b, 8);
	put(b, "http/1.1", 8);
	fix16(b, l);
	fix16(b, e);
	/* supported_versions: 1.3, 1.2 */
	u16(b, 43);
	u16(b, 5);
	u8(b, 4);
	u16(b, 0x0304);
	u16(b, 0x0303);
	fix16(b, ext);
	return b->n;
}

/* A minimal ClientHello whose only extension is a key_share with one entry. */
static size_t client_hello_key_share(struct buf *b, unsigned group, size_t key_len)
{
	b->n = 0;
	u16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(b, 0);
	u8(b, 0);
	u16(b, 2);
	u16(b, 0x1301);
	u8(b, 1);
	u8(b, 0);
	size_t ext = b->n;
	u16(b, 0);
	u16(b, 51); /* key_share */
	size_t e = b->n;
	u16(b, 0);
	size_t l = b->n;
	u16(b, 0);
	u16(b, group);
	u16(b, (unsigned)key_len);
	for (size_t i = 0; i < key_len; i++)
		u8(b, 9);
	fix16(b, l);
	fix16(b, e);
	fix16(b, ext);
	return b->n;
}

static void test_key_share_sizes(void)
{
	static const struct {
		unsigned group;
		size_t len;
		bool invalid;
	} cases[] = {
		{0x001d, 32, false}, {0x001d, 31, true},  {0x0017, 65, false}, {0x0017, 64, true},
		{0x0018, 97, false}, {0x001e, 56, false}, {0x001e, 32, true},  {0x0100, 256, false},
		{0x9999, 7, false}, /* a group of unknown size is not judged */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		struct tlsa_hs_facts hs;
		struct tlsa_error err;
		memset(&hs, 0, sizeof(hs));
		size_t n = client_hello_key_share(&b, cases[i].group, cases[i].len);
		CHECK_INT(tlsa_parse_client_hello(b.b, n, false, &hs, &err), 0);
		if (hs.key_share_invalid != cases[i].invalid)
			fprintf(stderr, "key share group 0x%04x, %zu bytes\n", cases[i].group,
				cases[i].len);
		CHECK(hs.key_share_invalid == cases[i].invalid);
	}
	/* A key share list cut short is invalid too. */
	struct buf b;
	struct tlsa_hs_facts hs;
	struct tlsa_error err;
	memset(&hs, 0, sizeof(hs));
	size_t n = client_hello_key_share(&b, 0x001d, 32);
	b.b[n - 34] = 0x7f; /* the share's length now overruns the list */
	CHECK_INT(tlsa_parse_client_hello(b.b, n, false, &hs, &err), 0);
	CHECK(hs.key_share_invalid);
}

static void test_client_hello(void)
{
	struct buf b;
	struct tlsa_hs_facts hs;
	struct tlsa_error err;
	size_t n = client_hello(&b, false);

	tlsa_hs_facts_init(&hs);
	CHECK_INT(tlsa_parse_client_hello(b.b, n, false, &hs, &err), 0);
	CHECK(hs.client_hello);
	CHECK_INT(hs.client_version, 0x0303);
	CHECK_INT(hs.n_suites, 3);
	CHECK_INT(hs.suites[1], 0xc02f);
	CHECK(hs.fallback_scsv);
	CHECK_STR(hs.sni, "example.org");
	CHECK_STR(hs.alpn_offered, "h2,http/1.1");
	CHECK_INT(hs.n_groups, 2);
	CHECK_INT(hs.groups[0], 0x001d);
	CHECK_INT(hs.n_sigalgs, 1);
	CHECK_INT(hs.n_versions_offered, 2);
	CHECK_INT(hs.versions_offered[0], 0x0304);
	CHECK_INT(hs.client_random[31], 31);
	CHECK_INT(hs.client_cert_sent, -1);

	/* DTLS: a cookie field after the session id */
	n = client_hello(&b, true);
	tlsa_hs_facts_init(&hs);
	CHECK_INT(tlsa_parse_client_hello(b.b, n, true, &hs, &err), 0);
	CHECK_INT(hs.client_version, 0xfefd);
	CHECK_STR(hs.sni, "example.org");

	/* parsed twice (after a HelloRetryRequest): lists are not doubled */
	n = client_hello(&b, false);
	CHECK_INT(tlsa_parse_client_hello(b.b, n, false, &hs, &err), 0);
	CHECK_STR(hs.alpn_offered, "h2,http/1.1");
	CHECK_INT(hs.n_suites, 3);
}

static void test_client_hello_malformed(void)
{
	struct buf b;
	struct tlsa_hs_facts hs;
	struct tlsa_error err;
	size_t n = client_hello(&b, false);

	/* every truncation fails cleanly or parses a prefix; never reads past */
	for (size_t cut = 0; cut < n; cut++) {
		tlsa_hs_facts_init(&hs);
		int rc = tlsa_parse_client_hello(b.b, cut, false, &hs, &err);
		if (cut < 34)
			CHECK_INT(rc, TLSA_ETRUNC);
		(void)rc;
	}
	/* extensions length overruns the message: error, suites kept */
	size_t ext_at = 2 + 32 + 1 + 2 + 6 + 2;
	b.b[ext_at] = 0x7f;
	tlsa_hs_facts_init(&hs);
	CHECK(tlsa_parse_client_hello(b.b, n, false, &hs, &err) != 0);
	CHECK_INT(hs.n_suites, 3);
	CHECK(strstr(err.msg, "extensions") != NULL);
}

static void test_server_hello(void)
{
	struct buf b;
	struct tlsa_hs_facts hs;
	struct tlsa_error err;
	tlsa_hs_facts_init(&hs);

	b.n = 0;
	u16(&b, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(&b, 0xa0);
	u8(&b, 0);
	u16(&b, 0x1302);
	u8(&b, 0);
	size_t ext = b.n;
	u16(&b, 0);
	u16(&b, 43);
	u16(&b, 2);
	u16(&b, 0x0304);
	u16(&b, 51);
	u16(&b, 6);
	u16(&b, 0x001d);
	u16(&b, 2);
	u16(&b, 0xabcd);
	fix16(&b, ext);
	CHECK_INT(tlsa_parse_server_hello(b.b, b.n, false, &hs, &err), 0);
	CHECK(hs.server_hello);
	CHECK(!hs.hello_retry);
	CHECK_INT(hs.version_selected, 0x0304);
	CHECK_INT(hs.suite_selected, 0x1302);
	CHECK_INT(hs.key_share_group, 0x001d);
	CHECK_INT(hs.server_random[0], 0xa0);

	/* the same with the HelloRetryRequest random */
	static const uint8_t hrr[32] = {
		0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
		0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
		0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	};
	CHECK(tlsa_is_hello_retry_random(hrr));
	memcpy(b.b + 2, hrr, 32);
	tlsa_hs_facts_init(&hs);
	CHECK_INT(tlsa_parse_server_hello(b.b, b.n, false, &hs, &err), 0);
	CHECK(hs.hello_retry);
	CHECK(!hs.server_hello);
	CHECK_INT(hs.version_selected, 0);

	/* truncated */
	CHECK_INT(tlsa_parse_server_hello(b.b, 20, false, &hs, &err), TLSA_ETRUNC);
}

static void test_starttls(void)
{
	CHECK_STR(tlsa_starttls_request((const uint8_t *)"STARTTLS\r\n", 10), "starttls");
	CHECK_STR(tlsa_starttls_request((const uint8_t *)"a001 starttls\r\n", 15), "imap");
	CHECK_STR(tlsa_starttls_request((const uint8_t *)"STLS\r\n", 6), "pop3");
	CHECK_STR(tlsa_starttls_request((const uint8_t *)"AUTH TLS\r\n", 10), "ftp");
	static const char xmpp[] = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
	CHECK_STR(tlsa_starttls_request((const uint8_t *)xmpp, sizeof(xmpp) - 1), "xmpp");
	static const uint8_t pg[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	CHECK_STR(tlsa_starttls_request(pg, 8), "postgresql");
	uint8_t my[36] = {32, 0, 0, 1, 0x05, 0x08};
	CHECK_STR(tlsa_starttls_request(my, 36), "mysql");
	static const char ldap[] = "\x30\x1d\x02\x01\x01\x77\x18\x80\x16"
				   "1.3.6.1.4.1.1466.20037";
	CHECK_STR(tlsa_starttls_request((const uint8_t *)ldap, sizeof(ldap) - 1), "ldap");
	CHECK(tlsa_starttls_request((const uint8_t *)"GET / HTTP/1.1\r\n", 16) == NULL);
	CHECK(tlsa_starttls_request((const uint8_t *)"STARTTLSX\r\n", 11) == NULL);
	CHECK(tlsa_starttls_request((const uint8_t *)"", 0) == NULL);
}

static void test_header(void)
{
	static const uint8_t ok[5] = {21, 3, 3, 0, 2};
	static const uint8_t big[5] = {23, 3, 3, 0x48, 0x01}; /* 18433 > 2^14 + 2048 */
	static const uint8_t type[5] = {27, 3, 3, 0, 2};
	static const uint8_t ver[5] = {22, 3, 5, 0, 2};
	static const uint8_t http[5] = {'G', 'E', 'T', ' ', '/'};
	CHECK(tlsa_tls_header_plausible(ok));
	CHECK(!tlsa_tls_header_plausible(big));
	CHECK(!tlsa_tls_header_plausible(type));
	CHECK(!tlsa_tls_header_plausible(ver));
	CHECK(!tlsa_tls_header_plausible(http));
}

static void test_sslv2_hello(void)
{
	uint8_t rec[2 + 9 + 6 + 16] = {0x80, 9 + 6 + 16, 1, 3, 1,    0,	   6,	 0,   0,
				       0,    16,	 0, 0, 0x2f, 0x07, 0x00, 0xc0};
	for (int i = 0; i < 16; i++)
		rec[17 + i] = (uint8_t)(0xa0 + i);
	struct tlsa_hs_facts hs;
	struct tlsa_error err;
	CHECK_INT(tlsa_parse_sslv2_client_hello(rec, sizeof(rec), &hs, &err), 0);
	CHECK(hs.client_hello);
	CHECK_INT(hs.client_version, 0x0301);
	CHECK_INT(hs.n_suites, 1); /* the SSL 2.0-only spec is not a TLS suite */
	CHECK_INT(hs.suites[0], 0x002f);
	CHECK_INT(hs.client_random[0], 0);
	CHECK_INT(hs.client_random[16], 0xa0);
	CHECK_INT(hs.client_random[31], 0xaf);
	CHECK_INT(tlsa_parse_sslv2_client_hello(rec, 20, &hs, &err), TLSA_ETRUNC);
	rec[2] = 4; /* not a CLIENT-HELLO */
	CHECK_INT(tlsa_parse_sslv2_client_hello(rec, sizeof(rec), &hs, &err), TLSA_EINVAL);
}

int main(void)
{
	test_key_share_sizes();
	test_sslv2_hello();
	test_client_hello();
	test_client_hello_malformed();
	test_server_hello();
	test_starttls();
	test_header();
	return CHECK_DONE();
}
