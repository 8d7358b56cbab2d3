/*
 * Hello shapes and the stack guess: hand-built ClientHellos and ServerHellos in
 * the shapes of OpenSSL, Go, GnuTLS, Java and a GREASE-sending client, shapes
 * that must give no guess, the shape fields the parser keeps, and the compiled
 * rules against data/fingerprints.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "msgbuf.h"
#include "tlsalert/diagnose.h"
#include "tlsalert/fingerprint.h"

/* One extension with a body the parser accepts for its type. */
static void ext(struct buf *b, unsigned type)
{
	u16(b, type);
	size_t at = b->n;
	u16(b, 0);
	switch (type) {
	case 10: /* supported_groups: x25519, secp256r1 */
		u16(b, 4);
		u16(b, 0x001d);
		u16(b, 0x0017);
		break;
	case 13: /* signature_algorithms */
		u16(b, 2);
		u16(b, 0x0804);
		break;
	case 43: /* supported_versions: 1.3, 1.2 */
		u8(b, 4);
		u16(b, 0x0304);
		u16(b, 0x0303);
		break;
	case 45: /* psk_key_exchange_modes: psk_dhe_ke */
		u8(b, 1);
		u8(b, 1);
		break;
	case 51: /* key_share: x25519 */
		u16(b, 36);
		u16(b, 0x001d);
		u16(b, 32);
		for (int i = 0; i < 32; i++)
			u8(b, 9);
		break;
	default: break;
	}
	fix16(b, at);
}

#define END 0xffffffffu /* ends a list below */

/* A ClientHello body with these suites and extensions (both END-terminated). */
static size_t client_hello(struct buf *b, const unsigned *suites, const unsigned *exts)
{
	b->n = 0;
	u16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(b, (unsigned)i);
	u8(b, 32);
	for (int i = 0; i < 32; i++)
		u8(b, 7);
	size_t at = b->n;
	u16(b, 0);
	for (size_t i = 0; suites[i] != END; i++)
		u16(b, suites[i]);
	fix16(b, at);
	u8(b, 1);
	u8(b, 0);
	at = b->n;
	u16(b, 0);
	for (size_t i = 0; exts[i] != END; i++)
		ext(b, exts[i]);
	fix16(b, at);
	return b->n;
}

/* A TLS 1.2 ServerHello body with these (empty) extensions. */
static size_t server_hello(struct buf *b, const unsigned *exts)
{
	b->n = 0;
	u16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(b, 0x40u + (unsigned)i);
	u8(b, 0);
	u16(b, 0xc02f);
	u8(b, 0);
	size_t at = b->n;
	u16(b, 0);
	for (size_t i = 0; exts[i] != END; i++) {
		u16(b, exts[i]);
		u16(b, 0);
	}
	fix16(b, at);
	return b->n;
}

/* The guess for one hand-built ClientHello. */
static const char *guess_client(const unsigned *suites, const unsigned *exts,
				struct tlsa_hs_facts *hs, struct tlsa_stack_guess *g)
{
	struct buf b;
	struct tlsa_error err;
	tlsa_hs_facts_init(hs);
	size_t n = client_hello(&b, suites, exts);
	CHECK_INT(tlsa_parse_client_hello(b.b, n, false, hs, &err), 0);
	return tlsa_stack_guess(hs, TLSA_ROLE_CLIENT, g);
}

static const char *guess_server(const unsigned *exts, struct tlsa_stack_guess *g)
{
	struct buf b;
	struct tlsa_error err;
	struct tlsa_hs_facts hs;
	tlsa_hs_facts_init(&hs);
	size_t n = server_hello(&b, exts);
	CHECK_INT(tlsa_parse_server_hello(b.b, n, false, &hs, &err), 0);
	return tlsa_stack_guess(&hs, TLSA_ROLE_SERVER, g);
}

static const unsigned openssl_suites[] = {0x1302, 0x1303, 0x1301, 0xc02c, 0xc02f, 0x00ff, END};
static const unsigned openssl_exts[] = {0, 11, 10, 35, 22, 23, 13, 43, 45, 51, END};
static const unsigned go_suites[] = {0xc02b, 0xc02f, 0xcca8, 0x1301, 0x1302, 0x1303, END};
static const unsigned go_exts[] = {0, 5, 10, 11, 13, 65281, 18, 43, 51, END};

static void test_shapes_kept(void)
{
	struct tlsa_hs_facts hs;
	struct tlsa_stack_guess g;
	guess_client(openssl_suites, openssl_exts, &hs, &g);
	CHECK_INT(hs.n_ch_exts, 10);
	CHECK_INT(hs.ch_exts[0], 0);
	CHECK_INT(hs.ch_exts[1], 11);
	CHECK_INT(hs.ch_exts[9], 51);
	CHECK_INT(hs.n_compression, 1);
	CHECK_INT(hs.session_id_len, 32);
	CHECK_INT(hs.n_ks_groups, 1);
	CHECK_INT(hs.ks_groups[0], 0x001d);
	CHECK_INT(hs.psk_modes, 2); /* psk_dhe_ke */
	CHECK(!hs.grease);
	CHECK(!hs.ch_padding && !hs.ch_record_size_limit);

	/* GREASE extension types are kept as 0x0a0a and set the flag */
	static const unsigned gsuites[] = {0x3a3a, 0x1301, 0xc02b, END};
	static const unsigned gexts[] = {0xdada, 0, 23, 65281, 10, 11, 35, 16, 5, 13, 21, END};
	guess_client(gsuites, gexts, &hs, &g);
	CHECK(hs.grease);
	CHECK_INT(hs.ch_exts[0], 0x0a0a);
	CHECK(hs.ch_padding);

	/* more extensions than the list keeps: the count goes on */
	unsigned many[TLSA_HS_MAX_EXT + 6];
	for (unsigned i = 0; i < TLSA_HS_MAX_EXT + 5; i++)
		many[i] = 1000 + i;
	many[TLSA_HS_MAX_EXT + 5] = END;
	guess_client(openssl_suites, many, &hs, &g);
	CHECK_INT(hs.n_ch_exts, TLSA_HS_MAX_EXT + 5);
	CHECK_INT(hs.ch_exts[TLSA_HS_MAX_EXT - 1], 1000 + TLSA_HS_MAX_EXT - 1);
	CHECK(g.stack == NULL);

	/* ServerHello extension order */
	struct buf b;
	struct tlsa_error err;
	static const unsigned sh[] = {65281, 0, 11, 35, 23, END};
	size_t n = server_hello(&b, sh);
	tlsa_hs_facts_init(&hs);
	CHECK_INT(tlsa_parse_server_hello(b.b, n, false, &hs, &err), 0);
	CHECK_INT(hs.n_sh_exts, 5);
	CHECK_INT(hs.sh_exts[0], 65281);
	CHECK_INT(hs.sh_exts[4], 23);
	CHECK_INT(hs.sh_session_id_len, 0);
}

static void test_client_guesses(void)
{
	struct tlsa_hs_facts hs;
	struct tlsa_stack_guess g;

	CHECK_STR(guess_client(openssl_suites, openssl_exts, &hs, &g), "openssl");
	CHECK_STR(g.rule_id, "openssl-client");
	CHECK(g.confidence > 0 && g.confidence <= 100);
	CHECK(strstr(g.why, "OpenSSL") != NULL);

	CHECK_STR(guess_client(go_suites, go_exts, &hs, &g), "go");
	CHECK(strstr(g.why, "Go crypto/tls") != NULL);

	/* Go's order with the TLS 1.3 suites first is not Go's cipher list */
	static const unsigned first13[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, END};
	CHECK(guess_client(first13, go_exts, &hs, &g) == NULL);
	CHECK(g.confidence == 0 && g.rule_id == NULL);
	CHECK(strstr(g.why, "matches no stack") != NULL);

	/* OpenSSL's order without the 0x00ff renegotiation suite: not OpenSSL */
	static const unsigned no_scsv[] = {0x1302, 0x1303, 0x1301, 0xc02f, END};
	CHECK(guess_client(no_scsv, openssl_exts, &hs, &g) == NULL);

	static const unsigned gnutls_suites[] = {0x1302, 0x1303, 0x1301, 0xc02c, 0xcca9, END};
	static const unsigned gnutls_exts[] = {5,  10, 11,    13, 22, 23, 35,
					       51, 43, 65281, 0,  45, 28, END};
	CHECK_STR(guess_client(gnutls_suites, gnutls_exts, &hs, &g), "gnutls");
	CHECK(hs.ch_record_size_limit);

	static const unsigned java_suites[] = {0x1302, 0x1301, 0x1303, 0xc02c, 0x00ff, END};
	static const unsigned java_exts[] = {5, 10, 11, 17, 23, 35, 13, 43, 45, 50, 51, END};
	CHECK_STR(guess_client(java_suites, java_exts, &hs, &g), "java");

	/* NSS (Firefox) and SChannel orders: extended_master_secret and renegotiation_info
	 * right after server_name / renegotiation_info last */
	static const unsigned nss_suites[] = {0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, END};
	static const unsigned nss_exts[] = {0,	23, 65281, 10, 11, 35, 16, 5,
					    34, 51, 43,	   13, 45, 28, 21, END};
	CHECK_STR(guess_client(nss_suites, nss_exts, &hs, &g), "nss");
	static const unsigned sch_suites[] = {0xc02c, 0xc02b, 0xc030, 0xc02f, 0x000a, END};
	static const unsigned sch_exts[] = {0, 5, 10, 11, 13, 35, 16, 23, 65281, END};
	CHECK_STR(guess_client(sch_suites, sch_exts, &hs, &g), "schannel");
	/* the same order with the 0x00ff suite is not SChannel's */
	static const unsigned sch_scsv[] = {0xc02c, 0xc02b, 0x00ff, END};
	CHECK(guess_client(sch_scsv, sch_exts, &hs, &g) == NULL);

	/* GREASE first in suites and extensions, Chrome-like extensions in any order */
	static const unsigned gsuites[] = {0x3a3a, 0x1301, 0x1302, 0xc02b, 0xc02f, END};
	static const unsigned gexts[] = {0x2a2a, 45, 43, 0,  16, 23, 65281,  10, 51,
					 13,	 11, 35, 18, 5,	 27, 0x4a4a, 21, END};
	CHECK_STR(guess_client(gsuites, gexts, &hs, &g), "boringssl");

	/* the corpus's hand-built ClientHello (a Python script) looks like no stack */
	static const unsigned hb_suites[] = {0x1301, 0x1302, 0x1303, 0xc02f, 0xc030, END};
	static const unsigned hb_exts[] = {0, 10, 11, 13, 65281, 43, 51, 45, END};
	CHECK(guess_client(hb_suites, hb_exts, &hs, &g) == NULL);

	/* too few extensions to tell */
	static const unsigned few[] = {13, END};
	CHECK(guess_client(openssl_suites, few, &hs, &g) == NULL);

	/* the ClientHello rules do not read a ServerHello */
	guess_client(openssl_suites, openssl_exts, &hs, &g);
	CHECK(tlsa_stack_guess(&hs, TLSA_ROLE_SERVER, &g) == NULL);
	CHECK(strstr(g.why, "no ServerHello") != NULL);
	CHECK(tlsa_stack_guess(NULL, TLSA_ROLE_CLIENT, &g) == NULL);
	CHECK(tlsa_stack_guess(&hs, TLSA_ROLE_UNKNOWN, NULL) == NULL);
}

static void test_server_guesses(void)
{
	struct tlsa_stack_guess g;
	static const unsigned ossl[] = {65281, 11, 35, 23, END};
	static const unsigned go[] = {35, 65281, 11, END};
	static const unsigned gnutls[] = {11, 23, 35, 65281, 28, END};
	static const unsigned shared[] = {65281, 11, END};     /* OpenSSL or Go: too little */
	static const unsigned tls13[] = {43, 51, END};	       /* every TLS 1.3 stack */
	static const unsigned java12[] = {23, 35, 65281, END}; /* Java or GnuTLS */
	CHECK_STR(guess_server(ossl, &g), "openssl");
	CHECK(strstr(g.why, "ServerHello") != NULL);
	CHECK_STR(guess_server(go, &g), "go");
	CHECK_STR(guess_server(gnutls, &g), "gnutls");
	CHECK(guess_server(shared, &g) == NULL);
	CHECK(guess_server(tls13, &g) == NULL);
	CHECK(guess_server(java12, &g) == NULL);
}

/* A malformed hello keeps the extension types read before the fault. */
static void test_malformed(void)
{
	struct buf b;
	struct tlsa_error err;
	struct tlsa_hs_facts hs;
	size_t n = client_hello(&b, openssl_suites, openssl_exts);
	tlsa_hs_facts_init(&hs);
	/* cut inside the key_share (the last extension), the extensions block length fixed */
	size_t at = 2 + 32 + 1 + 32 + 2 + 2 * 6 + 2; /* the extensions length */
	size_t cut = n - 10;
	b.b[at] = (uint8_t)((cut - at - 2) >> 8);
	b.b[at + 1] = (uint8_t)(cut - at - 2);
	CHECK(tlsa_parse_client_hello(b.b, cut, false, &hs, &err) < 0);
	CHECK_INT(hs.n_ch_exts, 9);
	CHECK_INT(hs.ch_exts[8], 45);
	/* every prefix parses or fails cleanly and the guess never reads past the lists */
	n = client_hello(&b, openssl_suites, openssl_exts);
	for (cut = 0; cut <= n; cut++) {
		tlsa_hs_facts_init(&hs);
		(void)tlsa_parse_client_hello(b.b, cut, false, &hs, &err);
		struct tlsa_stack_guess g;
		const char *s = tlsa_stack_guess(&hs, TLSA_ROLE_CLIENT, &g);
		CHECK(s == NULL || strcmp(s, "openssl") == 0);
	}
	/* a second ClientHello (after HelloRetryRequest) replaces the first one's shape */
	tlsa_hs_facts_init(&hs);
	static const unsigned few[] = {43, 51, END};
	n = client_hello(&b, openssl_suites, openssl_exts);
	CHECK_INT(tlsa_parse_client_hello(b.b, n, false, &hs, &err), 0);
	n = client_hello(&b, go_suites, few);
	CHECK_INT(tlsa_parse_client_hello(b.b, n, false, &hs, &err), 0);
	CHECK_INT(hs.n_ch_exts, 2);
	CHECK_INT(hs.n_ks_groups, 1);
	CHECK_INT(hs.psk_modes, 0);
}

/* The compiled rules are the stanzas of data/fingerprints.txt, with known stacks. */
static void test_rules_data(void)
{
	FILE *f = fopen("data/fingerprints.txt", "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	char line[512];
	size_t stanzas = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "rule: ", 6) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		const struct tlsa_fp_rule *r = tlsa_fp_rule_at(stanzas++);
		CHECK(r != NULL);
		if (r != NULL)
			CHECK_STR(r->id, line + 6);
	}
	fclose(f);
	CHECK_INT(tlsa_fp_rule_count(), stanzas);
	CHECK(tlsa_fp_rule_at(stanzas) == NULL);
	for (size_t i = 0; i < tlsa_fp_rule_count(); i++) {
		const struct tlsa_fp_rule *r = tlsa_fp_rule_at(i);
		const struct tlsa_stack_def *d = tlsa_stack_parse(r->stack);
		CHECK(d != NULL);
		if (d != NULL)
			CHECK_STR(d->token, r->stack);
		CHECK(r->side == TLSA_ROLE_CLIENT || r->side == TLSA_ROLE_SERVER);
		CHECK(r->confidence >= 1 && r->confidence <= 100);
		CHECK(r->evidence[0] != '\0' && strlen(r->evidence) < TLSA_STACK_WHY_MAX);
		CHECK(!tlsa_fp_rule_matches(r, NULL));
	}
}

int main(void)
{
	test_shapes_kept();
	test_client_guesses();
	test_server_guesses();
	test_malformed();
	test_rules_data();
	return CHECK_DONE();
}
