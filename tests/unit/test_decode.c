/* tlsa_decode_alerts_opt(), tlsa_decode_msg(), tlsa_encrypted_alert_shapes(). */
#include "check.h"
#include "tlsalert.h"

#define MAXD 32

static struct tlsa_decoded got[MAXD];
static size_t ngot;
static char ctx_what[MAXD][200];
static size_t nctx;
static struct tlsa_error err;

static int collect(void *ctx, const struct tlsa_decoded *d)
{
	(void)ctx;
	if (ngot < MAXD)
		got[ngot] = *d;
	ngot++;
	return 0;
}

static int collect_record(void *ctx, const struct tlsa_record_info *r)
{
	(void)ctx;
	if (nctx < MAXD)
		snprintf(ctx_what[nctx], sizeof(ctx_what[0]), "%zu %d %s", r->offset,
			 r->content_type, r->what);
	nctx++;
	return 0;
}

static int stop_after_one(void *ctx, const struct tlsa_decoded *d)
{
	(void)d;
	(*(int *)ctx)++;
	return 7;
}

/* Decodes hex text with `ver`; returns the decoder's result. */
static int run(const char *hex, tlsa_version ver, bool bare)
{
	static uint8_t buf[8192];
	size_t n = 0;
	struct tlsa_decode_opts o = {sizeof(o), ver, bare, collect_record};
	struct tlsa_error herr;

	ngot = nctx = 0;
	memset(&err, 0, sizeof(err));
	if (tlsa_hex_decode(hex, strlen(hex), buf, sizeof(buf), &n, &herr) != 0) {
		fprintf(stderr, "bad test hex \"%s\": %s\n", hex, herr.msg);
		return 99;
	}
	return tlsa_decode_alerts_opt(buf, n, &o, collect, NULL, &err);
}

static void alert_is(size_t i, size_t off, tlsa_record_type rt, int level, int desc)
{
	CHECK(i < ngot);
	if (i >= ngot)
		return;
	CHECK_INT(got[i].offset, off);
	CHECK_INT(got[i].record_type, rt);
	CHECK_INT(got[i].level, level);
	CHECK_INT(got[i].description, desc);
}

static void error_is(int rc, int code, size_t off, const char *words)
{
	CHECK_INT(rc, code);
	CHECK_INT(err.offset, off);
	if (strstr(err.msg, words) == NULL)
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, words);
	CHECK(strstr(err.msg, words) != NULL);
}

static char *repeat(const char *unit, int times, const char *prefix)
{
	static char s[4096];
	snprintf(s, sizeof(s), "%s", prefix);
	for (int i = 0; i < times; i++)
		strncat(s, unit, sizeof(s) - strlen(s) - 1);
	return s;
}

static void test_records(void)
{
	/* the acceptance vectors */
	CHECK_INT(run("15030300020228", TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 1);
	alert_is(0, 0, TLSA_RECORD_TLS, 2, 40);
	CHECK_INT(got[0].record_version, 0x0303);
	CHECK_INT(got[0].version, TLSA_VER_TLS12);
	CHECK_INT(got[0].rules, TLSA_VER_TLS12);
	CHECK_INT(got[0].content_type, 21);
	CHECK_INT(got[0].record_length, 2);
	CHECK(!got[0].encrypted);
	CHECK_INT(got[0].flags, 0);

	CHECK_INT(run(repeat(" ab", 26, "15 03 03 00 1a"), TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 1);
	CHECK(got[0].encrypted);
	CHECK_INT(got[0].level, -1);
	CHECK_INT(got[0].description, -1);
	CHECK_INT(got[0].record_length, 26);
	CHECK(got[0].cipher_shapes != NULL && strstr(got[0].cipher_shapes, "AES-GCM") != NULL);

	CHECK_INT(run("15 fe fd 00 00 00 00 00 00 00 00 00 02 02 46", TLSA_VER_UNKNOWN, false), 0);
	alert_is(0, 0, TLSA_RECORD_DTLS, 2, 70);
	CHECK_INT(got[0].version, TLSA_VER_DTLS12);

	/* DTLS 1.0 with an epoch and a sequence number */
	CHECK_INT(run("15 fe ff 00 01 00 00 00 00 01 02 00 02 01 00", TLSA_VER_UNKNOWN, false), 0);
	alert_is(0, 0, TLSA_RECORD_DTLS, 1, 0);
	CHECK_INT(got[0].version, TLSA_VER_DTLS10);
	CHECK_INT(got[0].epoch, 1);
	CHECK_INT(got[0].seq, 0x102);

	/* every TLS record version */
	const char *vers[] = {"0300", "0301", "0302", "0303", "0304"};
	const tlsa_version vv[] = {TLSA_VER_SSL3, TLSA_VER_TLS10, TLSA_VER_TLS11, TLSA_VER_TLS12,
				   TLSA_VER_TLS13};
	for (int i = 0; i < 5; i++) {
		char hex[32];
		snprintf(hex, sizeof(hex), "15%s00020230", vers[i]);
		CHECK_INT(run(hex, TLSA_VER_UNKNOWN, false), 0);
		CHECK_INT(got[0].version, vv[i]);
	}

	/* many records: handshake context, CCS, then the alert */
	CHECK_INT(run("16 03 01 00 08 01 00 00 04 03 03 00 00"
		      "16 03 03 00 0e 02 00 00 02 03 03 0e 00 00 00 0b 00 01 00"
		      "14 03 03 00 01 01"
		      "17 03 03 00 03 aa bb cc"
		      "15 03 03 00 02 01 00",
		      TLSA_VER_UNKNOWN, false),
		  0);
	CHECK_INT(ngot, 1);
	alert_is(0, 46, TLSA_RECORD_TLS, 1, 0);
	CHECK_INT(nctx, 4);
	CHECK_STR(ctx_what[0], "0 22 ClientHello");
	CHECK_STR(ctx_what[1], "13 22 ServerHello, ServerHelloDone, Certificate (continues in a "
			       "later record)");
	CHECK_STR(ctx_what[2], "32 20 change_cipher_spec");
	CHECK_STR(ctx_what[3], "38 23 application_data");
	/* an encrypted handshake record (Finished after CCS) is not named */
	CHECK_INT(run("16 03 03 00 04 ff ee dd cc", TLSA_VER_UNKNOWN, false), 0);
	CHECK_STR(ctx_what[0], "0 22 handshake data: encrypted or a continued message");
	/* DTLS handshake headers are 12 bytes */
	CHECK_INT(run("16 fe fd 00 00 00 00 00 00 00 00 00 0c"
		      "03 00 00 00 00 00 00 00 00 00 00 00",
		      TLSA_VER_UNKNOWN, false),
		  0);
	CHECK_STR(ctx_what[0], "0 22 HelloVerifyRequest");
	CHECK_INT(run("18 03 03 00 01 01 19 03 03 00 01 00 1a fe fd 00 00 00 00 00 00 00 00 00 00",
		      TLSA_VER_UNKNOWN, false),
		  0);
	CHECK_INT(nctx, 3);
	CHECK_STR(ctx_what[0], "0 24 heartbeat");
	CHECK_INT(ngot, 0);
}

static void test_fragments(void)
{
	/* coalesced: two alerts in one record */
	CHECK_INT(run("15 03 03 00 04 01 00 02 28", TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 2);
	alert_is(0, 0, TLSA_RECORD_TLS, 1, 0);
	alert_is(1, 0, TLSA_RECORD_TLS, 2, 40);
	CHECK(got[0].flags & TLSA_DEC_COALESCED);
	CHECK(!(got[0].flags & TLSA_DEC_TLS13_ILLEGAL));
	/* ... illegal under TLS 1.3 rules */
	CHECK_INT(run("15 03 03 00 04 01 00 02 28", TLSA_VER_TLS13, false), 0);
	CHECK(got[1].flags & TLSA_DEC_TLS13_ILLEGAL);
	CHECK_INT(got[1].rules, TLSA_VER_TLS13);
	CHECK_INT(got[1].version, TLSA_VER_TLS12);
	/* fragmented: one byte per record */
	CHECK_INT(run("15 03 03 00 01 02 15 03 03 00 01 28", TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 1);
	alert_is(0, 0, TLSA_RECORD_TLS, 2, 40);
	CHECK(got[0].flags & TLSA_DEC_FRAGMENTED);
	CHECK(!(got[0].flags & TLSA_DEC_TLS13_ILLEGAL));
	CHECK_INT(run("15 03 03 00 01 02 15 03 03 00 01 28", TLSA_VER_TLS13, false), 0);
	CHECK(got[0].flags & TLSA_DEC_TLS13_ILLEGAL);
	/* 3 bytes then 1: an alert, then one fragmented over the two */
	CHECK_INT(run("15 03 01 00 03 01 00 02 15 03 01 00 01 2a", TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 2);
	alert_is(0, 0, TLSA_RECORD_TLS, 1, 0);
	alert_is(1, 0, TLSA_RECORD_TLS, 2, 42);
	CHECK(got[1].flags & TLSA_DEC_FRAGMENTED);
	/* a handshake record between the two halves is walked over */
	CHECK_INT(run("15 03 03 00 01 02 16 03 03 00 04 0e 00 00 00 15 03 03 00 01 28",
		      TLSA_VER_UNKNOWN, false),
		  0);
	CHECK_INT(ngot, 1);
	CHECK_INT(nctx, 1);
	/* 10 bytes: five coalesced plaintext alerts (11 would be encrypted) */
	CHECK_INT(run("15 03 03 00 0a 01 00 01 00 01 00 01 00 01 00", TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 5);
	CHECK(!got[4].encrypted);
	CHECK_INT(run(repeat(" 00", 11, "15 03 03 00 0b"), TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 1);
	CHECK(got[0].encrypted);
	CHECK(got[0].cipher_shapes == NULL);
}

static void test_encrypted(void)
{
	CHECK_INT(run(repeat(" 11", 18, "15 03 03 00 12"), TLSA_VER_UNKNOWN, false), 0);
	CHECK(got[0].encrypted && strstr(got[0].cipher_shapes, "ChaCha20") != NULL);
	CHECK_INT(run(repeat(" 11", 48, "15 03 02 00 30"), TLSA_VER_UNKNOWN, false), 0);
	CHECK(got[0].encrypted && strstr(got[0].cipher_shapes, "HMAC-SHA1") != NULL);
	/* TLS 1.3: a 19-byte application_data record may be an alert */
	CHECK_INT(run(repeat(" 11", 19, "17 03 03 00 13"), TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 0);
	CHECK_INT(nctx, 1);
	CHECK_INT(run(repeat(" 11", 19, "17 03 03 00 13"), TLSA_VER_TLS13, false), 0);
	CHECK_INT(ngot, 1);
	CHECK(got[0].encrypted);
	CHECK_INT(got[0].content_type, 23);
	CHECK(got[0].flags & TLSA_DEC_APPDATA_SIZE);
	CHECK(strstr(got[0].cipher_shapes, "TLS 1.3") != NULL);
	CHECK_INT(run(repeat(" 11", 20, "17 03 03 00 14"), TLSA_VER_TLS13, false), 0);
	CHECK_INT(ngot, 0);
	CHECK_INT(run(repeat(" 11", 11, "17 03 03 00 0b"), TLSA_VER_TLS13, false), 0);
	CHECK_INT(ngot, 1);

	/* the shapes table */
	CHECK(strstr(tlsa_encrypted_alert_shapes(26, false), "AES-GCM") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(18, false), "AES-CCM-8") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(18, false), "RC4-MD5") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(22, false), "RC4-SHA") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(24, false), "3DES") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(32, false), "AES-CBC") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(48, false), "TLS 1.1/1.2") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(52, false), "encrypt_then_mac") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(64, false), "SHA256") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(80, false), "SHA384") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(96, false), "padding") != NULL);
	CHECK(tlsa_encrypted_alert_shapes(27, false) == NULL);
	CHECK(tlsa_encrypted_alert_shapes(1000, false) == NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(19, true), "16-byte tag") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(11, true), "CCM-8") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(15, true), "CCM-8") != NULL);
	CHECK(strstr(tlsa_encrypted_alert_shapes(40, true), "padding") != NULL);
	CHECK(tlsa_encrypted_alert_shapes(10, true) == NULL);
	CHECK(tlsa_encrypted_alert_shapes(19 + 256, true) == NULL);
}

static void test_dtls13_ssl2_bare(void)
{
	/* unified header 0x2c: S=1 (16-bit seq), L=1 (length), epoch 0 */
	CHECK_INT(run(repeat(" 55", 19, "2c 12 34 00 13"), TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 1);
	CHECK_INT(got[0].record_type, TLSA_RECORD_DTLS);
	CHECK_INT(got[0].version, TLSA_VER_DTLS13);
	CHECK(got[0].encrypted);
	CHECK(got[0].flags & TLSA_DEC_UNIFIED);
	CHECK_INT(got[0].content_type, -1);
	CHECK_INT(got[0].record_length, 19);
	/* 0x23: 8-bit seq, length present, epoch 3; 40 bytes: context only */
	CHECK_INT(run(repeat(" 55", 40, "27 01 00 28"), TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 0);
	CHECK_INT(nctx, 1);
	/* no length: up to the end of the input */
	CHECK_INT(run(repeat(" 55", 19, "20 01"), TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 1);
	CHECK(got[0].flags & TLSA_DEC_LENGTH_GUESS);
	/* a connection ID: the rest of the input */
	CHECK_INT(run(repeat(" 55", 18, "3c"), TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 0);
	CHECK_INT(nctx, 1);

	/* SSLv2 ERROR NO-CERTIFICATE-ERROR, after an SSLv2 CLIENT-HELLO */
	CHECK_INT(run("80 04 01 00 02 00 80 03 00 00 02", TLSA_VER_UNKNOWN, false), 0);
	CHECK_INT(ngot, 1);
	CHECK_INT(got[0].record_type, TLSA_RECORD_SSL2);
	CHECK_INT(got[0].offset, 6);
	CHECK_INT(got[0].ssl2_error, 2);
	CHECK_INT(got[0].description, -1);
	CHECK(got[0].flags & TLSA_DEC_SSL2_ERROR);
	CHECK_STR(tlsa_ssl2_error_name(2), "NO-CERTIFICATE-ERROR");
	CHECK_STR(tlsa_ssl2_error_name(6), "UNSUPPORTED-CERTIFICATE-TYPE-ERROR");
	CHECK(tlsa_ssl2_error_name(3) == NULL);
	CHECK_STR(ctx_what[0], "0 -1 SSLv2 CLIENT-HELLO");

	/* bare bodies */
	CHECK_INT(run("02 28", TLSA_VER_UNKNOWN, false), 0);
	alert_is(0, 0, TLSA_RECORD_BARE, 2, 40);
	CHECK_INT(got[0].record_version, 0);
	CHECK_INT(got[0].rules, TLSA_VER_UNKNOWN);
	CHECK_INT(run("02 28 01 00", TLSA_VER_TLS13, false), 0);
	CHECK_INT(ngot, 2);
	alert_is(1, 2, TLSA_RECORD_BARE, 1, 0);
	CHECK_INT(got[1].rules, TLSA_VER_TLS13);
	/* forced bare: any level byte */
	CHECK_INT(run("00 28", TLSA_VER_UNKNOWN, true), 0);
	alert_is(0, 0, TLSA_RECORD_BARE, 0, 40);
	CHECK_STR(tlsa_record_type_name(TLSA_RECORD_BARE), "bare");
	CHECK_STR(tlsa_record_type_name(TLSA_RECORD_SSL2), "sslv2");
}

static void test_errors(void)
{
	error_is(run("1503", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0,
		 "truncated record header: expected 5 bytes");
	error_is(run("15", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0, "found 1");
	error_is(run("15 03 03 00", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0,
		 "expected 5 bytes, found 4");
	error_is(run("15 fe fd 00 00 00 00 00 00 00 00 00", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC,
		 0, "DTLS record header: expected 13 bytes, found 12");
	error_is(run("15 03 03 00 02 02", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0,
		 "announces 2 bytes, found 1");
	error_is(run("15030300020228 15 03 03 48 01", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 10,
		 "absurd record length 18433");
	CHECK_INT(ngot, 1); /* what came before the error was delivered */
	error_is(run("15030300020228 07 03 03 00 02 02 28", TLSA_VER_UNKNOWN, false), TLSA_EINVAL,
		 7, "unknown content type 0x07");
	error_is(run("00 28", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 0,
		 "or a bare alert level (1, 2)");
	error_is(run("15 03 05 00 02 02 28", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 1,
		 "unknown record version 0x0305");
	error_is(run("15 01 00 00 02 02 28", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 1,
		 "unknown record version 0x0100");
	error_is(run("15 fe 00 00 00 00 00 00 00 00 00 00 02 02 28", TLSA_VER_UNKNOWN, false),
		 TLSA_EINVAL, 1, "unknown DTLS record version 0xfe00");
	error_is(run("15 03 03 00 00", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 0,
		 "empty alert record");
	error_is(run("15 03 03 00 01 02", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 6,
		 "inside a fragmented alert");
	error_is(
		run(repeat(" 00", 26, "15 03 03 00 01 02 15 03 03 00 1a"), TLSA_VER_UNKNOWN, false),
		TLSA_EINVAL, 6, "interrupts the fragmented alert");
	error_is(run("15 03 03 00 01 02 80 03 00 00 02", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 6,
		 "interrupts the fragmented alert");
	error_is(run("02 28 01", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 2, "truncated bare alert");
	CHECK_INT(ngot, 1);
	error_is(run("02 28 15 03", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 2, "cannot be mixed");
	error_is(run("80", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0, "SSLv2 record header");
	error_is(run("80 00", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 0, "empty SSLv2 record");
	error_is(run("80 05 00 00", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0,
		 "announces 5 bytes, found 2");
	error_is(run("80 02 00 00", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 3,
		 "expected a 2-byte error code, found 1");
	error_is(run("2c 12", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0,
		 "unified header 0x2c: expected 4 more bytes, found 1");
	error_is(run("2c 12 34 00 13 00", TLSA_VER_UNKNOWN, false), TLSA_ETRUNC, 0,
		 "announces 19 bytes, found 1");
	error_is(run("2c 12 34 ff ff", TLSA_VER_UNKNOWN, false), TLSA_EINVAL, 3,
		 "absurd record length 65535");

	/* an empty input holds nothing and is no error */
	CHECK_INT(tlsa_decode_alerts(NULL, 0, collect, NULL, &err), 0);
	/* the callback's non-zero result stops decoding and is returned */
	int calls = 0;
	const uint8_t two[] = {0x15, 3, 3, 0, 2, 2, 40, 0x15, 3, 3, 0, 2, 2, 40};
	CHECK_INT(tlsa_decode_alerts(two, sizeof(two), stop_after_one, &calls, &err), 7);
	CHECK_INT(calls, 1);
	/* the length is honoured */
	ngot = 0;
	CHECK_INT(tlsa_decode_alerts(two, 7, collect, NULL, &err), 0);
	CHECK_INT(ngot, 1);
}

static int msg(const char *text, tlsa_version ver)
{
	struct tlsa_decode_opts o = {sizeof(o), ver, false, NULL};
	ngot = 0;
	memset(&err, 0, sizeof(err));
	return tlsa_decode_msg(text, strlen(text), &o, collect, NULL, &err);
}

static void test_msg(void)
{
	const char *with_header =
		"CONNECTED(00000003)\n"
		">>> TLS 1.0, RecordHeader [length 0005]\n"
		"    16 03 01 00 04\n"
		">>> TLS 1.2, Handshake [length 0004], ClientHello\n"
		"    01 00 00 00\n"
		"<<< TLS 1.2, RecordHeader [length 0005]\n"
		"    15 03 03 00 02\n"
		"<<< TLS 1.2, Alert [length 0002], fatal protocol_version\n"
		"    02 46\n"
		"80EB7C1D297F0000:error:0A00042E:SSL routines::tlsv1 alert protocol version\n"
		"---\n"
		"    Protocol  : TLSv1.2\n";
	CHECK(tlsa_text_is_msg(with_header, strlen(with_header)));
	CHECK(!tlsa_text_is_msg("15 03 03", 8));
	CHECK_INT(msg(with_header, TLSA_VER_UNKNOWN), 0);
	CHECK_INT(ngot, 1);
	alert_is(0, 9, TLSA_RECORD_TLS, 2, 70);
	CHECK_INT(got[0].direction, TLSA_DIR_RECEIVED);
	CHECK_INT(got[0].rules, TLSA_VER_TLS12);

	/* older OpenSSL: the body alone is a bare alert; TLS 1.3 from the header */
	const char *bare = ">>> TLS 1.3, Alert [length 0002], fatal decode_error\n    02 32\n";
	CHECK_INT(msg(bare, TLSA_VER_UNKNOWN), 0);
	alert_is(0, 0, TLSA_RECORD_BARE, 2, 50);
	CHECK_INT(got[0].direction, TLSA_DIR_SENT);
	CHECK_INT(got[0].rules, TLSA_VER_TLS13);
	CHECK_INT(msg(bare, TLSA_VER_TLS12), 0);
	CHECK_INT(got[0].rules, TLSA_VER_TLS12);

	/* TLS 1.3: header of the encrypted record, inner type, decrypted alert */
	const char *tls13 = "<<< TLS 1.2, RecordHeader [length 0005]\n    17 03 03 00 13\n"
			    "<<< TLS 1.3, InnerContent [length 0001]\n    15\n"
			    "<<< TLS 1.3, Alert [length 0002], fatal certificate_required\n"
			    "    02 74\n";
	CHECK_INT(msg(tls13, TLSA_VER_UNKNOWN), 0);
	alert_is(0, 6, TLSA_RECORD_BARE, 2, 116);

	/* errors carry text offsets */
	const char *badhex = "<<< TLS 1.2, Alert [length 0002], fatal x\n    02 2g\n";
	CHECK_INT(msg(badhex, TLSA_VER_UNKNOWN), TLSA_EINVAL);
	CHECK_INT(err.offset, 50);
	const char *mismatch = "<<< TLS 1.2, Alert [length 0002], fatal x\n    02 28 01\n";
	CHECK_INT(msg(mismatch, TLSA_VER_UNKNOWN), TLSA_EINVAL);
	CHECK_INT(err.offset, 0);
	CHECK(strstr(err.msg, "says 2 bytes") != NULL);
	const char *empty = "<<< TLS 1.2, Alert [length 0002], fatal x\nCONNECTED\n";
	CHECK_INT(msg(empty, TLSA_VER_UNKNOWN), TLSA_EINVAL);
	CHECK(strstr(err.msg, "hold 0") != NULL);
	{
		char longline[1200] = "<<< TLS 1.2, Alert, fatal x\n   ";
		for (int i = 0; i < 300; i++)
			strcat(longline, " 02");
		CHECK_INT(msg(longline, TLSA_VER_UNKNOWN), TLSA_EINVAL);
		CHECK(strstr(err.msg, "hex line of more than 256 bytes") != NULL);
		CHECK_INT(err.offset, 32);
	}
	const char *nohex = "<<< TLS 1.2, Alert, fatal x\nCONNECTED\n";
	CHECK_INT(msg(nohex, TLSA_VER_UNKNOWN), TLSA_EINVAL);
	CHECK(strstr(err.msg, "Alert message with 0 bytes: expected 2") != NULL);
	const char *odd = "<<< TLS 1.2, Alert, fatal x\n    02 28 01\n";
	CHECK_INT(msg(odd, TLSA_VER_UNKNOWN), TLSA_ETRUNC);
	CHECK(strstr(err.msg, "in this Alert message: truncated bare alert") != NULL);
	CHECK_INT(ngot, 1);
}

int main(void)
{
	test_records();
	test_fragments();
	test_encrypted();
	test_dtls13_ssl2_bare();
	test_errors();
	test_msg();
	return CHECK_DONE();
}
