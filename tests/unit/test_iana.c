/*
 * IANA names of cipher suites, groups and signature schemes: known answers
 * from the RFCs, GREASE by rule, NULL for unassigned values, and for every
 * one of the 65536 values of each table the answer its data file gives (the
 * compiled tables agree with data/cipher-suites.txt, groups.txt, sigalgs.txt).
 * Run from the top of the tree, as tests/run.sh does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/registry.h"

static void known_answers(void)
{
	/* RFC 8446 B.4, RFC 5289, RFC 7905, RFC 5246 A.5, RFC 5746, RFC 7507 */
	CHECK_STR(tlsa_cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
	CHECK_STR(tlsa_cipher_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
	CHECK_STR(tlsa_cipher_suite_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	CHECK_STR(tlsa_cipher_suite_name(0xcca9), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
	CHECK_STR(tlsa_cipher_suite_name(0x002f), "TLS_RSA_WITH_AES_128_CBC_SHA");
	CHECK_STR(tlsa_cipher_suite_name(0x0000), "TLS_NULL_WITH_NULL_NULL");
	CHECK_STR(tlsa_cipher_suite_name(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
	CHECK_STR(tlsa_cipher_suite_name(0x5600), "TLS_FALLBACK_SCSV");
	CHECK_STR(tlsa_cipher_suite_name(0xd005), "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256");
	CHECK(tlsa_cipher_suite_name(0x1300) == NULL);
	CHECK(tlsa_cipher_suite_name(0xd004) == NULL);
	CHECK(tlsa_cipher_suite_name(0xffff) == NULL);
	CHECK(tlsa_cipher_suite_name(0x0a0b) == NULL);

	/* RFC 8422, RFC 7919, RFC 8446 4.2.7, the ML-KEM hybrids */
	CHECK_STR(tlsa_group_name(0x0017), "secp256r1");
	CHECK_STR(tlsa_group_name(0x0018), "secp384r1");
	CHECK_STR(tlsa_group_name(0x001d), "x25519");
	CHECK_STR(tlsa_group_name(0x001e), "x448");
	CHECK_STR(tlsa_group_name(0x0100), "ffdhe2048");
	CHECK_STR(tlsa_group_name(0x0104), "ffdhe8192");
	CHECK_STR(tlsa_group_name(0x11ec), "X25519MLKEM768");
	CHECK_STR(tlsa_group_name(0x11eb), "SecP256r1MLKEM768");
	CHECK_STR(tlsa_group_name(0x6399), "X25519Kyber768Draft00");
	CHECK(tlsa_group_name(0x0000) == NULL);
	CHECK(tlsa_group_name(0x002a) == NULL);
	CHECK(tlsa_group_name(0x01fc) == NULL); /* private use */

	/* RFC 8446 4.2.3, and the TLS 1.2 pairs of RFC 5246 7.4.1.4.1 */
	CHECK_STR(tlsa_sigalg_name(0x0804), "rsa_pss_rsae_sha256");
	CHECK_STR(tlsa_sigalg_name(0x0403), "ecdsa_secp256r1_sha256");
	CHECK_STR(tlsa_sigalg_name(0x0807), "ed25519");
	CHECK_STR(tlsa_sigalg_name(0x0201), "rsa_pkcs1_sha1");
	CHECK_STR(tlsa_sigalg_name(0x080b), "rsa_pss_pss_sha512");
	CHECK_STR(tlsa_sigalg_name(0x0303), "ecdsa_sha224");
	CHECK_STR(tlsa_sigalg_name(0x0402), "dsa_sha256");
	CHECK(tlsa_sigalg_name(0x0000) == NULL);
	CHECK(tlsa_sigalg_name(0x0800) == NULL);
	CHECK(tlsa_sigalg_name(0xfe00) == NULL);

	/* RFC 8701: every 0x?a?a in each table, nothing else */
	for (unsigned hi = 0; hi < 16; hi++) {
		uint16_t g = (uint16_t)((hi << 12) | 0x0a00 | (hi << 4) | 0x0a);
		CHECK_STR(tlsa_cipher_suite_name(g), "GREASE");
		CHECK_STR(tlsa_group_name(g), "GREASE");
		CHECK_STR(tlsa_sigalg_name(g), "GREASE");
	}
	CHECK(tlsa_group_name(0x0a1a) == NULL);
	CHECK(tlsa_sigalg_name(0x1a0a) == NULL);
}

/*
 * Every value of one table against its data file: the name on the file's
 * line for that value, "GREASE" for 0x?a?a, NULL for the rest.
 */
static void against_file(const char *path, const char *(*lookup)(uint16_t))
{
	static char names[65536][64];
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	memset(names, 0, sizeof(names));
	char line[512];
	size_t rows = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		unsigned id;
		char name[64];
		int k = sscanf(line, "0x%4x\t%63[A-Za-z0-9_]\t", &id, name);
		CHECK_INT(k, 2);
		if (k != 2)
			break;
		strcpy(names[id], name);
		rows++;
	}
	fclose(f);
	CHECK(rows > 30);
	size_t named = 0;
	for (unsigned v = 0; v < 65536; v++) {
		const char *got = lookup((uint16_t)v);
		bool grease = (v >> 8) == (v & 0xff) && (v & 0x0f) == 0x0a;
		if (grease) {
			CHECK_STR(got, "GREASE");
		} else if (names[v][0] != '\0') {
			CHECK_STR(got, names[v]);
			named++;
		} else if (got != NULL) {
			CHECK(got == NULL);
			fprintf(stderr, "  %s: 0x%04x is \"%s\" but not in the file\n", path, v,
				got);
		}
	}
	CHECK_INT(named, rows);
}

int main(void)
{
	known_answers();
	against_file("data/cipher-suites.txt", tlsa_cipher_suite_name);
	against_file("data/groups.txt", tlsa_group_name);
	against_file("data/sigalgs.txt", tlsa_sigalg_name);
	return CHECK_DONE();
}
