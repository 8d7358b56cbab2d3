/*
 * The text recogniser against its own data: every pattern of
 * data/log-patterns.txt compiles, and every sample line gives its code through
 * its own pattern (with TLSA_TEXT_ALL) and through the default merged scan.
 * Plus the scanner's edge cases: NUL bytes, CRLF, no final newline, lines
 * longer than any SIMD block, needles at buffer ends, callback stop.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "text_found.h"
#include "tlsalert/text.h"

static int stop_at_first(void *ctx, const struct tlsa_text_mention *m)
{
	(void)m;
	(*(int *)ctx)++;
	return 7;
}

static void check_samples(const struct tlsa_text *t)
{
	size_t n = tlsa_text_sample_count();
	CHECK(n >= tlsa_text_pattern_count());
	for (size_t i = 0; i < n; i++) {
		const char *text;
		unsigned pattern;
		int code;
		CHECK_INT(tlsa_text_sample(i, &text, &pattern, &code), 0);
		struct found f = scan(t, text, strlen(text), TLSA_TEXT_ALL);
		bool own = false;
		for (size_t k = 0; k < f.n; k++)
			own |= f.m[k].pattern == pattern && f.m[k].code == code;
		if (!own) {
			struct tlsa_text_pattern_info info;
			tlsa_text_pattern_info(pattern, &info);
			fprintf(stderr, "sample %zu (%s) should give %d: %s\n", i, info.id, code,
				text);
		}
		CHECK(own);
		/* The merged scan reports that code once. */
		f = scan(t, text, strlen(text), 0);
		size_t same = 0;
		for (size_t k = 0; k < f.n; k++)
			same += f.m[k].code == code;
		CHECK_INT(same, 1);
	}
	struct tlsa_text_pattern_info info;
	for (size_t i = 0; i < tlsa_text_pattern_count(); i++) {
		CHECK_INT(tlsa_text_pattern_info(i, &info), 0);
		CHECK(info.sample != NULL);
		CHECK(info.id != NULL && info.implementation != NULL && info.regex != NULL);
	}
	CHECK_INT(tlsa_text_pattern_info(tlsa_text_pattern_count(), &info), TLSA_EINVAL);
}

static void check_edges(const struct tlsa_text *t)
{
	/* NUL bytes and invalid UTF-8 around a mention, CRLF, no final newline. */
	static const char nul[] = "\0\xff\xfe junk\0 remote error: tls: bad certificate\r\n"
				  "x\0y local error: tls: unknown certificate authority";
	struct found f = scan(t, nul, sizeof(nul) - 1, 0);
	CHECK_INT(f.n, 2);
	if (f.n == 2) {
		CHECK_INT(f.m[0].code, 42);
		CHECK_INT(f.m[0].dir, TLSA_TEXT_RECEIVED);
		CHECK_INT(f.m[1].code, 48);
		CHECK_INT(f.m[1].dir, TLSA_TEXT_SENT);
		CHECK_STR(f.m[1].implementation, "go");
		/* The line ends before "\r\n"; the span is the matched text. */
		CHECK_INT(nul[f.m[0].line_end], '\r');
		CHECK(memcmp(nul + f.m[0].start, "remote error: tls: bad certificate", 34) == 0);
		CHECK_INT(f.m[0].end - f.m[0].start, 34);
		CHECK_INT(f.m[1].line_end, sizeof(nul) - 1);
	}

	/* A pattern's leading literal at the very start of a line, after a boundary
	   group "(^|[^a-z])": the search once started at offset -1 and regexec hung
	   (a line of prose beginning "encrypted alerts, ..."). */
	f = scan(t, "encrypted alerts, and more\nEncrypted Alert\n", 43, 0);
	CHECK_INT(f.n, 1);
	if (f.n == 1) {
		CHECK_INT(f.m[0].code, -1);
		CHECK_INT(f.m[0].start, 27);
		CHECK_STR(f.m[0].pattern_id, "wireshark.encrypted");
	}
	/* A multi-line record: one mention, its span over both lines. */
	static const char rec[] = "<<< TLS 1.3, Alert [length 0002], fatal ???\n    02 78\nx\n";
	f = scan(t, rec, sizeof(rec) - 1, 0);
	CHECK_INT(f.n, 1);
	if (f.n == 1) {
		CHECK_INT(f.m[0].code, 120);
		CHECK_INT(f.m[0].span_start, 0);
		CHECK_INT(f.m[0].span_end, 53);
		CHECK_INT(f.m[0].line_end, 43);
	}

	/* A needle cut by the end of the buffer, and one at the very start. */
	f = scan(t, "tlsv1 alert unknown ca", 22, 0);
	CHECK_INT(f.n, 1);
	f = scan(t, "x sslv3 aler", 12, 0);
	CHECK_INT(f.n, 0);

	/* A long line: the mention after 100000 bytes of filler, in every alignment. */
	size_t fill = 100000;
	char *big = malloc(fill + 200);
	CHECK(big != NULL);
	if (big == NULL)
		return;
	for (size_t shift = 0; shift < 40; shift++) {
		memset(big, 'a', fill + shift);
		const char *tail = " Received fatal alert: protocol_version";
		memcpy(big + fill + shift, tail, strlen(tail));
		f = scan(t, big, fill + shift + strlen(tail), 0);
		CHECK_INT(f.n, 1);
		if (f.n == 1) {
			CHECK_INT(f.m[0].code, 70);
			CHECK_INT(f.m[0].start, fill + shift + 1);
			CHECK_INT(f.m[0].line_start, 0);
		}
	}
	free(big);

	/* Several alerts in one line stay apart; one alert said thrice is one mention. */
	const char *two = "<<< TLS 1.2, Alert [length 0002], fatal handshake_failure then "
			  ">>> TLS 1.2, Alert [length 0002], fatal unknown_ca";
	f = scan(t, two, strlen(two), 0);
	CHECK_INT(f.n, 2);
	const char *thrice = "140:error:14094418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown "
			     "ca:s3_pkt.c:1493:SSL alert number 48";
	f = scan(t, thrice, strlen(thrice), 0);
	CHECK_INT(f.n, 1);
	if (f.n == 1) {
		CHECK_INT(f.m[0].code, 48);
		CHECK_STR(f.m[0].pattern_id, "openssl.reason");
	}
	f = scan(t, thrice, strlen(thrice), TLSA_TEXT_ALL);
	CHECK_INT(f.n, 3); /* not paste.alert_number: "SSL alert number" is OpenSSL's */

	/* The callback's non-zero return stops the scan and is returned. */
	int calls = 0;
	const char *lines =
		"remote error: tls: bad certificate\nremote error: tls: bad certificate\n";
	CHECK_INT(tlsa_text_scan(t, lines, strlen(lines), 0, stop_at_first, &calls), 7);
	CHECK_INT(calls, 1);

	/* Packed codes with a local reason are not alerts: "certificate verify failed" is a
	 * local error (this side rejected the certificate and sent the alert), not a code. */
	f = scan(t, "error:0A000086:SSL routines::certificate verify failed", 54, 0);
	CHECK_INT(f.n, 1);
	if (f.n == 1) {
		CHECK_STR(f.m[0].pattern_id, TLSA_TEXT_LOCAL_ID);
		CHECK_INT(f.m[0].code, 48);
		CHECK_INT(f.m[0].dir, TLSA_TEXT_SENT);
	}
	f = scan(t, "error:0A0000E5:SSL routines::ssl handshake failure", 50, 0);
	CHECK_INT(f.n, 0);

	const char *nls = "a\nb\n\nccccccccccccccccccccccccccccccccccccc\n\n";
	CHECK_INT(tlsa_text_count_lines(nls, strlen(nls)), 5);
	CHECK_STR(tlsa_text_dir_name(TLSA_TEXT_SENT), "sent");
	CHECK_STR(tlsa_text_dir_name(TLSA_TEXT_RECEIVED), "received");
	CHECK_STR(tlsa_text_dir_name(TLSA_TEXT_UNKNOWN), "unknown");
}

int main(void)
{
	struct tlsa_text *t = NULL;
	struct tlsa_error err;

	CHECK_INT(tlsa_text_new(&t, &err), 0);
	if (t == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	check_samples(t);
	check_edges(t);
	tlsa_text_free(t);
	tlsa_text_free(NULL);
	return CHECK_DONE();
}
