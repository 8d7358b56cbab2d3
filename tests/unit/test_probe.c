/*
 * probe's pieces that need no network: target parsing (one host only), the
 * catalogue's lists (every count matches its list: the entries after the
 * count are zero, those before are not), and the ClientHello writer, whose
 * output the hello parser the tracker uses must read back as described.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tlsalert/probe.h"

static void target(const char *text, int rc, const char *host, unsigned port, const char *st)
{
	struct tlsa_probe_target t;
	struct tlsa_error err = {0};
	int got = tlsa_probe_target_parse(text, &t, &err);
	CHECK_INT(got, rc);
	if (got != 0 || rc != 0) {
		CHECK(got == 0 || strlen(err.msg) > 0);
		return;
	}
	CHECK_STR(t.host, host);
	CHECK_INT(t.port, port);
	CHECK((st == NULL && t.starttls == NULL) ||
	      (st != NULL && t.starttls != NULL && strcmp(st, t.starttls) == 0));
}

static void targets(void)
{
	target("example.com", 0, "example.com", 443, NULL);
	target("example.com:8443", 0, "example.com", 8443, NULL);
	target("[::1]:4433", 0, "::1", 4433, NULL);
	target("2001:db8::1", 0, "2001:db8::1", 443, NULL);
	target("https://h.example:444/path?q", 0, "h.example", 444, NULL);
	target("smtp://mail.example", 0, "mail.example", 25, "smtp");
	target("IMAP://mail.example", 0, "mail.example", 143, "imap");
	target("postgres://db:6432", 0, "db", 6432, "postgresql");
	target("10.0.0.0/8", TLSA_EINVAL, NULL, 0, NULL);
	target("a,b", TLSA_EINVAL, NULL, 0, NULL);
	target("a b", TLSA_EINVAL, NULL, 0, NULL);
	target("10.0.0.1-20", 0, "10.0.0.1-20", 443, NULL); /* a name, as a resolver sees it */
	target("", TLSA_EINVAL, NULL, 0, NULL);
	target("h:0", TLSA_EINVAL, NULL, 0, NULL);
	target("h:65536", TLSA_EINVAL, NULL, 0, NULL);
	target("[::1", TLSA_EINVAL, NULL, 0, NULL);
	target("[zz]:1", TLSA_EINVAL, NULL, 0, NULL);
	target("gopher://h", TLSA_EINVAL, NULL, 0, NULL);
	target("https://user@h/", TLSA_EINVAL, NULL, 0, NULL);
}

#define COUNTED(list, n, max)                                                                      \
	do {                                                                                       \
		for (size_t i_ = 0; i_ < (max); i_++)                                              \
			CHECK(i_ < (n) ? (list)[i_] != 0 : (list)[i_] == 0);                       \
	} while (0)

static void catalogue(void)
{
	size_t n = 0;
	const struct tlsa_probe_def *c = tlsa_probe_catalogue(&n);
	CHECK(n >= 30);
	CHECK_STR(c[0].name, "baseline");
	for (size_t i = 0; i < n; i++) {
		const struct tlsa_probe_hello *h = &c[i].hello;
		COUNTED(h->versions, h->n_versions, 8);
		COUNTED(h->suites, h->n_suites, TLSA_PROBE_LIST_MAX);
		COUNTED(h->groups, h->n_groups, 16);
		COUNTED(h->key_shares, h->n_key_shares, 4);
		COUNTED(h->sigalgs, h->n_sigalgs, 32);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(c[i].name, c[j].name) != 0);
	}
}

static void hellos(void)
{
	size_t n = 0;
	const struct tlsa_probe_def *c = tlsa_probe_catalogue(&n);
	uint8_t random[32], out[4096];
	for (int i = 0; i < 32; i++)
		random[i] = (uint8_t)i;
	for (size_t i = 0; i < n; i++) {
		const struct tlsa_probe_hello *h = &c[i].hello;
		size_t len = 0;
		if (c[i].kind != TLSA_KIND_HELLO)
			continue; /* libssl writes those hellos */
		CHECK_INT(tlsa_probe_hello_encode(h, "example.com", random, NULL, out, sizeof(out),
						  &len, NULL),
			  0);
		CHECK_INT(out[0], 22);
		CHECK_INT((size_t)(out[3] << 8 | out[4]), len - 5);
		if (h->malform != TLSA_MALFORM_NONE)
			continue;
		struct tlsa_hs_facts hs;
		tlsa_hs_facts_init(&hs);
		CHECK_INT(tlsa_parse_client_hello(out + 9, len - 9, false, &hs, NULL), 0);
		CHECK_INT(hs.n_suites, h->n_suites + h->grease + h->fallback_scsv);
		CHECK(memcmp(hs.client_random, random, 32) == 0);
		if (h->sni)
			CHECK_STR(hs.sni, h->sni_name != NULL ? h->sni_name : "example.com");
		else
			CHECK_STR(hs.sni, "");
		CHECK(hs.fallback_scsv == h->fallback_scsv);
		if (h->pad_to > 0)
			CHECK_INT(len - 5, h->pad_to);
	}
	/* too small a buffer is an error, never an overrun */
	size_t len = 0;
	CHECK_INT(tlsa_probe_hello_encode(&c[0].hello, "example.com", random, NULL, out, 100, &len,
					  NULL),
		  TLSA_ELIMIT);
}

/* A replayed hello keeps every byte but the server name, which becomes the target's. */
static void replays(void)
{
	size_t n = 0, len = 0, rlen = 0;
	const struct tlsa_probe_def *c = tlsa_probe_catalogue(&n);
	uint8_t random[32] = {1}, rec[4096], out[4096];
	CHECK_INT(tlsa_probe_hello_encode(&c[0].hello, "client.example", random, NULL, rec,
					  sizeof(rec), &len, NULL),
		  0);
	struct tlsa_probe_hello h = {.sni = true, .raw = rec, .raw_len = len};
	CHECK_INT(tlsa_probe_hello_encode(&h, "server.test", random, NULL, out, sizeof(out), &rlen,
					  NULL),
		  0);
	CHECK_INT(rlen, len - strlen("client.example") + strlen("server.test"));
	struct tlsa_hs_facts a, b;
	tlsa_hs_facts_init(&a);
	tlsa_hs_facts_init(&b);
	CHECK_INT(tlsa_parse_client_hello(rec + 9, len - 9, false, &a, NULL), 0);
	CHECK_INT(tlsa_parse_client_hello(out + 9, rlen - 9, false, &b, NULL), 0);
	CHECK_STR(b.sni, "server.test");
	CHECK_INT(b.n_suites, a.n_suites);
	CHECK_INT(b.n_ch_exts, a.n_ch_exts);
	CHECK(memcmp(a.client_random, b.client_random, 32) == 0);
	/* without a name: the extension goes */
	h.sni = false;
	CHECK_INT(tlsa_probe_hello_encode(&h, "server.test", random, NULL, out, sizeof(out), &rlen,
					  NULL),
		  0);
	tlsa_hs_facts_init(&b);
	CHECK_INT(tlsa_parse_client_hello(out + 9, rlen - 9, false, &b, NULL), 0);
	CHECK_STR(b.sni, "");
	CHECK_INT(b.n_ch_exts, a.n_ch_exts - 1);
	/* not a hello, or cut: refused */
	h.raw_len = 20;
	CHECK_INT(tlsa_probe_hello_encode(&h, "x", random, NULL, out, sizeof(out), &rlen, NULL),
		  TLSA_EINVAL);
	rec[5] = 2;
	h.raw_len = len;
	CHECK_INT(tlsa_probe_hello_encode(&h, "x", random, NULL, out, sizeof(out), &rlen, NULL),
		  TLSA_EINVAL);
}

int main(void)
{
	targets();
	catalogue();
	hellos();
	replays();
	return CHECK_DONE();
}
