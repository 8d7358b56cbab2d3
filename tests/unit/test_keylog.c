/*
 * NSS key log parser: every label, comments, blank lines, CRLF, malformed
 * lines reported with their line numbers and skipped (never fatal, never
 * quoting a secret), duplicates, merging several texts, many connections,
 * and pcapng Decryption Secrets Block payloads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/keylog.h"

/* tlsa_keylog_find() copies an entry here */
static struct tlsa_keylog_entry kbuf;

#define CR1 "0101010101010101010101010101010101010101010101010101010101010101"
#define CR2 "aBcDeF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"
#define S32 "1111111111111111111111111111111111111111111111111111111111111111"
#define S48 S32 "22222222222222222222222222222222"

struct warns {
	int n;
	unsigned long lines[32];
	char last[256];
	int leaked; /* a message quoted secret hex */
};

static void on_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	struct warns *w = ctx;
	if (w->n < 32)
		w->lines[w->n] = line;
	w->n++;
	snprintf(w->last, sizeof(w->last), "%s:%lu: %s", origin, line, msg);
	if (strstr(msg, "1111111111") != NULL || strstr(msg, "2222222222") != NULL)
		w->leaked = 1;
}

static int add(struct tlsa_keylog *kl, const char *text, struct warns *w)
{
	struct tlsa_error err = {0};
	return tlsa_keylog_add_text(kl, text, strlen(text), "test.keylog", on_warn, w, &err);
}

static void every_label(void)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	struct warns w = {0};
	const char *text = "# SSL/TLS secrets log file\n"
			   "\n"
			   "CLIENT_RANDOM " CR1 " " S48 "\r\n"
			   "CLIENT_EARLY_TRAFFIC_SECRET " CR2 " " S32 "\n"
			   "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR2 " " S32 "\n"
			   "   SERVER_HANDSHAKE_TRAFFIC_SECRET\t" CR2 "  " S48 "  \n"
			   "CLIENT_TRAFFIC_SECRET_0 " CR2 " " S32 "\r\n"
			   "SERVER_TRAFFIC_SECRET_0 " CR2 " " S32 "\n"
			   "EXPORTER_SECRET " CR2 " " S32; /* no final newline */
	CHECK_INT(add(kl, text, &w), 7);
	CHECK_INT(w.n, 0);
	CHECK_INT(tlsa_keylog_count(kl), 2);

	uint8_t cr1[32],
		cr2[32] = {0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
			   0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45,
			   0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89};
	memset(cr1, 1, 32);
	const struct tlsa_keylog_entry *e = tlsa_keylog_find(kl, cr1, &kbuf);
	CHECK(e != NULL);
	const struct tlsa_keylog_secret *s = tlsa_keylog_secret(e, TLSA_KL_MASTER_SECRET);
	CHECK(s != NULL && s->len == 48 && s->v[0] == 0x11 && s->v[47] == 0x22);
	CHECK(tlsa_keylog_secret(e, TLSA_KL_CLIENT_TRAFFIC_0) == NULL);

	e = tlsa_keylog_find(kl, cr2, &kbuf);
	CHECK(e != NULL);
	CHECK(tlsa_keylog_secret(e, TLSA_KL_MASTER_SECRET) == NULL);
	for (int l = TLSA_KL_CLIENT_EARLY; l < TLSA_KL_COUNT; l++)
		CHECK(tlsa_keylog_secret(e, (tlsa_keylog_label)l) != NULL);
	CHECK_INT(tlsa_keylog_secret(e, TLSA_KL_SERVER_HANDSHAKE)->len, 48);
	CHECK_INT(tlsa_keylog_secret(e, TLSA_KL_EXPORTER)->len, 32);

	uint8_t other[32] = {9};
	CHECK(tlsa_keylog_find(kl, other, &kbuf) == NULL);
	CHECK(tlsa_keylog_find(NULL, other, &kbuf) == NULL);
	CHECK(tlsa_keylog_secret(NULL, TLSA_KL_EXPORTER) == NULL);
	CHECK_STR(tlsa_keylog_label_name(TLSA_KL_MASTER_SECRET), "CLIENT_RANDOM");
	CHECK_STR(tlsa_keylog_label_name(TLSA_KL_SERVER_TRAFFIC_0), "SERVER_TRAFFIC_SECRET_0");
	CHECK_STR(tlsa_keylog_label_name(TLSA_KL_COUNT), "?");
	tlsa_keylog_free(kl);
}

static void malformed_lines(void)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	struct warns w = {0};
	const char *text =
		"CLIENT_RANDOM " CR1 "\n"		/* 1: 2 fields */
		"CLIENT_RANDOM " CR1 " " S48 " extra\n" /* 2: 4 fields */
		"CLIENT_RANDOM " CR1 " " S32 "\n"	/* 3: 32-byte master */
		"CLIENT_RANDOM 0101 " S48 "\n"		/* 4: short random */
		"CLIENT_RANDOM " CR1 " " S48 "0\n"	/* 5: odd hex */
		"CLIENT_TRAFFIC_SECRET_0 " CR1 " 11111111111111111111111111111111111111"
		"11111111111111111111111111111111111111111111111111111111111111\n" /* 6 */
		"SERVER_TRAFFIC_SECRET_0 " CR1 " zz" S32 "\n"			   /* 7: not hex */
		"SOMETHING_NEW " CR1 " " S32 "\n"	  /* 8: unknown label */
		"RSA 0011223344556677 " S48 "\n"	  /* ignored, silent */
		"ECH_SECRET " CR1 " " S32 "\n"		  /* ignored, silent */
		"CLIENT_RANDOM " CR1 " " S48 "\n"	  /* 11: good */
		"CLIENT_RANDOM\n"			  /* 12: 1 field */
		"\x01\xff garbage \x7f\n"		  /* 13: unknown label */
		"EARLY_TRAFFIC_SECRET " CR1 " " S32 "\n"; /* 14: alias, good */
	CHECK_INT(add(kl, text, &w), 2);
	CHECK_INT(w.n, 10);
	static const unsigned long want[] = {1, 2, 3, 4, 5, 6, 7, 8, 12, 13};
	for (int i = 0; i < 10 && i < w.n; i++)
		CHECK_INT(w.lines[i], want[i]);
	CHECK_INT(w.leaked, 0);
	CHECK(strstr(w.last, "test.keylog:13: a line starts with a 2-character word that is not "
			     "a label") != NULL);
	for (const char *c = w.last; *c; c++)
		CHECK((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
	uint8_t cr1[32];
	memset(cr1, 1, 32);
	const struct tlsa_keylog_entry *e = tlsa_keylog_find(kl, cr1, &kbuf);
	CHECK(e != NULL);
	CHECK(tlsa_keylog_secret(e, TLSA_KL_MASTER_SECRET) != NULL);
	CHECK(tlsa_keylog_secret(e, TLSA_KL_CLIENT_EARLY) != NULL);
	CHECK(tlsa_keylog_secret(e, TLSA_KL_CLIENT_TRAFFIC_0) == NULL);

	/* Secrets after a KeyUpdate are valid lines, skipped without a warning. */
	struct warns w2 = {0};
	const char *later = "CLIENT_TRAFFIC_SECRET_1 " CR1 " " S32 "\n"
			    "SERVER_TRAFFIC_SECRET_12 " CR1 " " S32 "\n"
			    "CLIENT_TRAFFIC_SECRET_X " CR1 " " S32 "\n";
	CHECK_INT(add(kl, later, &w2), 0);
	CHECK_INT(w2.n, 1);
	CHECK_INT(w2.lines[0], 3);

	/* no callback: still skipped, still not fatal */
	struct tlsa_error err = {0};
	CHECK_INT(tlsa_keylog_add_text(kl, "junk\n\n#\n", 8, NULL, NULL, NULL, &err), 0);
	CHECK_INT(tlsa_keylog_add_text(kl, NULL, 0, NULL, NULL, NULL, &err), 0);
	CHECK_INT(tlsa_keylog_add_text(NULL, "x", 1, NULL, NULL, NULL, &err), TLSA_EINVAL);
	tlsa_keylog_free(kl);
}

/*
 * A key log folded at a fixed width (a terminal copy, an e-mail) puts pieces of
 * secrets at the start of lines, where a label goes: the warnings say what is
 * wrong but never quote one digit of them.  The secret is 9753197531...: no
 * warning may hold 3 consecutive characters of it.
 */
struct fold_warns {
	char secret[97];
	int n, leaked;
};

static void on_fold_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	struct fold_warns *w = ctx;
	(void)origin;
	(void)line;
	w->n++;
	for (int k = 0; k + 3 <= 96; k++) {
		char gram[4] = {w->secret[k], w->secret[k + 1], w->secret[k + 2], 0};
		if (strstr(msg, gram) != NULL)
			w->leaked++;
	}
}

static void folded(void)
{
	struct fold_warns w = {.n = 0};
	for (int i = 0; i < 96; i++)
		w.secret[i] = "97531"[i % 5];
	char line[200], text[400];
	snprintf(line, sizeof(line), "CLIENT_RANDOM %s %s", CR1, w.secret);
	for (size_t width = 2; width <= 130; width++) {
		size_t n = 0, len = strlen(line);
		for (size_t i = 0; i < len; i += width) {
			size_t k = len - i < width ? len - i : width;
			memcpy(text + n, line + i, k);
			n += k;
			text[n++] = '\n';
		}
		struct tlsa_keylog *kl = tlsa_keylog_new();
		struct tlsa_error err = {0};
		int before = w.n;
		tlsa_keylog_add_text(kl, text, n, "folded.keylog", on_fold_warn, &w, &err);
		CHECK(width >= len || w.n > before); /* a folded line is always reported */
		tlsa_keylog_free(kl);
	}
	CHECK(w.n > 100);
	CHECK_INT(w.leaked, 0);
}

static void duplicates_and_merge(void)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	struct warns w = {0};
	CHECK_INT(add(kl, "CLIENT_RANDOM " CR1 " " S48 "\n", &w), 1);
	/* the same line again, from a second file: nothing new, no warning */
	CHECK_INT(add(kl, "CLIENT_RANDOM " CR1 " " S48 "\n", &w), 0);
	CHECK_INT(w.n, 0);
	/* a different master secret: warned, the first one kept */
	CHECK_INT(add(kl, "CLIENT_RANDOM " CR1 " " S32 S32 "\n", &w), 0);
	CHECK_INT(w.n, 1);
	CHECK_INT(w.leaked, 0);
	uint8_t cr1[32];
	memset(cr1, 1, 32);
	const struct tlsa_keylog_secret *s =
		tlsa_keylog_secret(tlsa_keylog_find(kl, cr1, &kbuf), TLSA_KL_MASTER_SECRET);
	CHECK(s != NULL && s->v[47] == 0x22);
	/* a second file adds TLS 1.3 secrets to the same and a new connection */
	CHECK_INT(add(kl,
		      "CLIENT_TRAFFIC_SECRET_0 " CR1 " " S32 "\nCLIENT_TRAFFIC_SECRET_0 " CR2
		      " " S32 "\n",
		      &w),
		  2);
	CHECK_INT(tlsa_keylog_count(kl), 2);
	CHECK(tlsa_keylog_secret(tlsa_keylog_find(kl, cr1, &kbuf), TLSA_KL_CLIENT_TRAFFIC_0) !=
	      NULL);
	tlsa_keylog_free(kl);
}

static void many(void)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	enum { N = 20000 };
	size_t cap = (size_t)N * 180;
	char *text = malloc(cap);
	size_t len = 0;
	for (unsigned i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len, "CLIENT_RANDOM %056x%08x " S48 "\n",
					0u, i * 2654435761u);
	struct tlsa_error err = {0};
	CHECK_INT(tlsa_keylog_add_text(kl, text, len, "big", NULL, NULL, &err), N);
	CHECK_INT(tlsa_keylog_count(kl), N);
	int found = 0;
	for (unsigned i = 0; i < N; i++) {
		uint8_t cr[32] = {0};
		uint32_t v = i * 2654435761u;
		cr[28] = (uint8_t)(v >> 24);
		cr[29] = (uint8_t)(v >> 16);
		cr[30] = (uint8_t)(v >> 8);
		cr[31] = (uint8_t)v;
		const struct tlsa_keylog_entry *e = tlsa_keylog_find(kl, cr, &kbuf);
		found += e != NULL && memcmp(e->client_random, cr, 32) == 0;
	}
	CHECK_INT(found, N);
	uint8_t absent[32] = {0xff};
	CHECK(tlsa_keylog_find(kl, absent, &kbuf) == NULL);
	free(text);
	tlsa_keylog_free(kl);
}

static void dsb(void)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	struct warns w = {0};
	struct tlsa_error err = {0};
	/* a DSB payload is padded to 32 bits with NULs */
	const char payload[] = "CLIENT_RANDOM " CR1 " " S48 "\n\0\0\0";
	CHECK_INT(tlsa_keylog_add_dsb(kl, TLSA_DSB_TLS_KEYLOG, (const uint8_t *)payload,
				      sizeof(payload) - 1, "capture.pcapng", on_warn, &w, &err),
		  1);
	CHECK_INT(w.n, 0);
	CHECK_INT(tlsa_keylog_add_dsb(kl, 0x57474b4c, (const uint8_t *)payload, sizeof(payload) - 1,
				      NULL, NULL, NULL, &err),
		  TLSA_EUNSUPP);
	CHECK(strstr(err.msg, "0x57474b4c") != NULL);
	CHECK_INT(tlsa_keylog_add_dsb(kl, TLSA_DSB_TLS_KEYLOG, NULL, 0, NULL, NULL, NULL, &err), 0);
	CHECK_INT(tlsa_keylog_count(kl), 1);
	tlsa_keylog_free(kl);
	tlsa_keylog_free(NULL);
}

int main(void)
{
	every_label();
	malformed_lines();
	duplicates_and_merge();
	folded();
	many();
	dsb();
	return CHECK_DONE();
}
