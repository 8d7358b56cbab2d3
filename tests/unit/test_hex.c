/* tlsa_hex_decode(): every accepted form, and every malformed one. */
#include "check.h"
#include "tlsalert.h"

static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

/* ClientHello stub + alert, as dumped by the tools below (20 bytes). */
static const uint8_t two[] = {0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0x03,
			      0x03, 0x00, 0x00, 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

static uint8_t out[4096];
static size_t n;
static struct tlsa_error err;

static int dec(const char *s)
{
	memset(&err, 0, sizeof(err));
	return tlsa_hex_decode(s, strlen(s), out, sizeof(out), &n, &err);
}

static void same(const char *s, const uint8_t *want, size_t wn)
{
	int rc = dec(s);
	if (rc != 0)
		fprintf(stderr, "input \"%s\": %s (offset %zu)\n", s, err.msg, err.offset);
	CHECK_INT(rc, 0);
	CHECK_INT(n, wn);
	CHECK(n == wn && memcmp(out, want, wn) == 0);
}

/* Must fail with `code` at character `off`, keeping `kept` bytes. */
static void fails(const char *s, int code, size_t off, size_t kept, const char *words)
{
	int rc = dec(s);
	CHECK_INT(rc, code);
	CHECK_INT(err.offset, off);
	CHECK_INT(n, kept);
	if (strstr(err.msg, words) == NULL)
		fprintf(stderr, "input \"%s\": message \"%s\" lacks \"%s\"\n", s, err.msg, words);
	CHECK(strstr(err.msg, words) != NULL);
}

int main(void)
{
	/* plain forms */
	same("15030300020228", alert, sizeof(alert));
	same("15 03 03 00 02 02 28", alert, sizeof(alert));
	same("  15 03 03\n00 02\r\n02 28\n", alert, sizeof(alert));
	same("15:03:03:00:02:02:28", alert, sizeof(alert));
	same("15-03-03-00-02-02-28", alert, sizeof(alert));
	same("15,03,03,00,02,02,28", alert, sizeof(alert));
	same("0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28", alert, sizeof(alert));
	same("{0x15,0x03,0x03,0x00,0x02,0x02,0x28};", alert, sizeof(alert));
	same("[0X15, 0X03, 0X03, 0X00, 0X02, 0X02, 0X28]", alert, sizeof(alert));
	same("0x15030300020228", alert, sizeof(alert));
	same("\\x15\\x03\\x03\\x00\\x02\\x02\\x28", alert, sizeof(alert));
	same("\"\\x15\\x03\\x03\" \"\\x00\\x02\\x02\\x28\"", alert, sizeof(alert));
	same("b'\\x15\\x03\\x03\\x00\\x02\\x02\\x28'", alert, sizeof(alert));
	same("1503030002022 8", alert, sizeof(alert)); /* a byte split by wrapping */
	same("15030300020228\n", alert, sizeof(alert));
	same("15 03 03 00 02 02 28 ", alert, sizeof(alert));
	same("", alert, 0);
	same(" \n\t ", alert, 0);
	/* openssl s_client -msg: header lines are skipped, hex lines kept */
	same("<<< TLS 1.2, RecordHeader [length 0005]\n    15 03 03 00 02\n"
	     "<<< TLS 1.2, Alert [length 0002], fatal handshake_failure\n    02 28\n",
	     alert, sizeof(alert));

	/* dumps */
	same("00000000: 1603 0100 0801 0000 0403 0300 0015 0303  ................\n"
	     "00000010: 0002 0228                                ...(\n",
	     two, sizeof(two)); /* xxd */
	same("00000000: 1503 0300 0202 28                        .......\n", alert,
	     sizeof(alert)); /* xxd, one line */
	same("00000000: 1503 0300 0202 2830                      ......(0\n",
	     (const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28\x30",
	     8); /* ASCII column of hex-looking text */
	same("00000000  16 03 01 00 08 01 00 00  04 03 03 00 00 15 03 03  |................|\n"
	     "00000010  00 02 02 28                                       |...(|\n"
	     "00000014\n",
	     two, sizeof(two)); /* hexdump -C */
	same("000000 16 03 01 00 08 01 00 00 04 03 03 00 00 15 03 03  >................<\n"
	     "000010 00 02 02 28                                      >...(<\n"
	     "000014\n",
	     two, sizeof(two)); /* od -A x -t x1z */
	same("000000 16 03 01 00 08 01 00 00 04 03 03 00 00 15 03 03\n"
	     "000010 00 02 02 28\n"
	     "000014\n",
	     two, sizeof(two)); /* od -A x -t x1 */
	same("0000  16 03 01 00 08 01 00 00 04 03 03 00 00 15 03 03   ................\n"
	     "0010  00 02 02 28                                       ...(\n",
	     two, sizeof(two)); /* tshark -x */
	same("0000   16 03 01 00 08 01 00 00 04 03 03 00 00 15 03 03   ................\n"
	     "0010   00 02 02 28                                       ...(\n",
	     two, sizeof(two)); /* Wireshark Copy as Hex Dump */
	same("0000   16 03 01 00 08 01 00 00 04 03 03 00 00 15 03 03   ................\n"
	     "0010   00 02 02 28   ...(\n",
	     two, sizeof(two)); /* ... whose last line is not padded */
	same("\t0x0000:  1603 0100 0801 0000 0403 0300 0015 0303  ................\n"
	     "\t0x0010:  0002 0228                                ...(\n",
	     two, sizeof(two)); /* tcpdump -X style */
	same("\n0000  15 03 03 00 02 02 28   .......\n\n0000  15 03 03 00 02 02 28   .......\n",
	     (const uint8_t *)"\x15\x03\x03\x00\x02\x02\x28\x15\x03\x03\x00\x02\x02\x28", 14);

	/* hexdump -C with a '*' repeat line: 5 + 64 + 7 bytes */
	{
		uint8_t want[76];
		memset(want, 0, sizeof(want));
		memcpy(want, "\x17\x03\x03\x00\x40", 5);
		memcpy(want + 69, "\x15\x03\x03\x00\x02\x01\x00", 7);
		same("00000000  17 03 03 00 40 00 00 00  00 00 00 00 00 00 00 00  "
		     "|....@...........|\n"
		     "00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  "
		     "|................|\n"
		     "*\n"
		     "00000040  00 00 00 00 00 15 03 03  00 02 01 00              |............|\n"
		     "0000004c\n",
		     want, sizeof(want));
		same("000000 17 03 03 00 40 00 00 00 00 00 00 00 00 00 00 00  >....@...........<\n"
		     "000010 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  >................<\n"
		     "*\n"
		     "000040 00 00 00 00 00 15 03 03 00 02 01 00              >............<\n"
		     "00004c\n",
		     want, sizeof(want));
	}

	/* malformed plain hex */
	fails("1503 030", TLSA_EINVAL, 7, 3, "odd number of hex digits");
	fails("15 03 zz", TLSA_EINVAL, 6, 2, "found 'z'");
	fails("15 03 03 00 02 02 28 g", TLSA_EINVAL, 21, 7, "expected a hex digit");
	fails("15 0x3", TLSA_EINVAL, 3, 1, "odd number of hex digits");
	fails("1 0x15", TLSA_EINVAL, 0, 0, "no partner");
	fails("15 0x", TLSA_EINVAL, 3, 1, "expected hex digits after");
	fails("\\x1", TLSA_EINVAL, 0, 0, "odd number of hex digits");
	fails("15\x01", TLSA_EINVAL, 2, 1, "byte 0x01");
	fails("15 \xc3\xa9", TLSA_EINVAL, 3, 1, "byte 0xc3");
	{
		const char nul[] = "15\0"
				   "03";
		CHECK_INT(tlsa_hex_decode(nul, 4, out, sizeof(out), &n, &err), TLSA_EINVAL);
		CHECK_INT(err.offset, 2);
	}
	/* malformed dumps */
	fails("00000000: 1503 0300 0202 28                        .......\n"
	      "00000008: 1503\n",
	      TLSA_EINVAL, 59, 7, "does not match");
	fails("0000  15 03 03 00 02 02 28   .......\n"
	      "garbage here\n",
	      TLSA_EINVAL, 37, 7, "a dump offset");
	fails("0000  15 03 0g 00\n", TLSA_EINVAL, 13, 2, "hex columns");
	fails("0000  15 03 030 00\n", TLSA_EINVAL, 12, 2, "hex group of 3 digits");
	fails("00000000  15 03 03 00 02 02 28 00  |........|\n*\n", TLSA_ETRUNC, 48, 8,
	      "after '*'");
	fails("00000000  15 03 03 00 02 02 28 00  |........|\n*\n0000000c\n", TLSA_EINVAL, 48, 8,
	      "cannot follow a '*'");
	fails("00000000  15 03 03 00 02 02 28 00  |........|\n* x\n", TLSA_EINVAL, 48, 8,
	      "nothing after '*'");
	/* the output limit */
	CHECK_INT(tlsa_hex_decode("15030300020228", 14, out, 3, &n, &err), TLSA_ELIMIT);
	CHECK_INT(n, 3);
	CHECK_INT(tlsa_hex_decode("15030300020228", 14, out, 7, &n, &err), 0);
	CHECK_INT(n, 7);
	/* the length is honoured: nothing after `len` is read */
	CHECK_INT(tlsa_hex_decode("1503zz", 4, out, sizeof(out), &n, &err), 0);
	CHECK_INT(n, 2);
	return CHECK_DONE();
}
