/*
 * The read buffer of the capture readers (reader.c, readers.h): every file
 * of tests/data/capture/, damaged ones too, read from memory in one piece
 * and again a few bytes per read (so that every record straddles refills
 * and is carried over) gives the same callbacks, counters and error; and
 * the time stamp rule (capture_set_time) on hostile values.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "test_capture_rec.h"

#include "capture/readers.h"

#define DIR "tests/data/capture/"

struct result {
	struct rec r;
	struct tlsa_capture_stats st;
	struct tlsa_error err;
	int rc;
};

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16;
	uint8_t *b = malloc(cap);
	*len = b != NULL ? fread(b, 1, cap, f) : 0;
	fclose(f);
	return b;
}

static void read_mem(const uint8_t *d, size_t len, size_t step, struct result *out)
{
	struct tlsa_capture_handler h = rec_handler(&out->r);
	memset(&out->err, 0, sizeof(out->err));
	struct tlsa_capture *c = tlsa_capture_new(NULL, &h);
	struct capture_src *src = capture_src_mem(d, len, step);
	CHECK(c != NULL && src != NULL);
	if (c == NULL || src == NULL)
		return;
	out->rc = capture_read_src(c, src, "f", 0, &out->err);
	tlsa_capture_finish(c);
	tlsa_capture_get_stats(c, &out->st);
	tlsa_capture_free(c);
}

static void test_steps(void)
{
	static const char *const files[] = {
		"eth-ipv4.pcap",   "eth-ipv6-nsec.pcap", "vxlan.pcap",	       "frag-ipv6.pcap",
		"multi.pcapng",	   "variants.pcapng",	 "mixed-link.pcapng",  "eth-ipv4.pcap.gz",
		"cut-last.pcap",   "cut-header.pcap",	 "absurd-len.pcap",    "cut.pcapng",
		"corrupt.pcap.gz", "corrupt-mid.pcap",	 "unknown-link.pcapng"};
	static const size_t steps[] = {1, 2, 3, 7, 16, 17, 100, 4096};
	static struct result whole, part;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256];
		size_t len;
		snprintf(path, sizeof(path), DIR "%s", files[i]);
		uint8_t *d = slurp(path, &len);
		CHECK(d != NULL && len > 0);
		if (d == NULL)
			continue;
		read_mem(d, len, 0, &whole);
		CHECK(whole.st.packets > 0 || whole.rc != 0);
		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			read_mem(d, len, steps[k], &part);
			if (part.rc != whole.rc || strcmp(part.r.log, whole.r.log) != 0 ||
			    strcmp(part.err.msg, whole.err.msg) != 0)
				fprintf(stderr, "%s, %zu bytes per read: rc %d \"%s\" \"%s\"\n",
					files[i], steps[k], part.rc, part.err.msg, part.r.log);
			CHECK_INT(part.rc, whole.rc);
			CHECK_STR(part.r.log, whole.r.log);
			CHECK_STR(part.err.msg, whole.err.msg);
			CHECK_INT(part.st.packets, whole.st.packets);
			CHECK_INT(part.st.bytes, whole.st.bytes);
			CHECK_INT(part.r.notices, whole.r.notices);
		}
		free(d);
	}
}

/* Inputs too short for their magic number: truncated, not an unknown format. */
static void test_short(void)
{
	static const uint8_t ng[] = {0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c};
	static const uint8_t pc[] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	static struct result res;
	read_mem(ng, sizeof(ng), 0, &res);
	CHECK_INT(res.rc, TLSA_ETRUNC);
	CHECK_STR(res.err.msg, "f: frame 1: truncated: the file ends inside a block header "
			       "(pcapng block at offset 0)");
	read_mem(pc, sizeof(pc), 0, &res);
	CHECK_INT(res.rc, TLSA_ETRUNC);
	CHECK_STR(res.err.msg,
		  "f: truncated dump file; tried to read 24 file header bytes, only got 8");
	read_mem(pc, 2, 0, &res);
	CHECK_INT(res.rc, TLSA_ETRUNC);
	CHECK_STR(res.err.msg,
		  "f: truncated dump file; tried to read 4 file header bytes, only got 2");
	read_mem((const uint8_t *)"hello world", 11, 0, &res);
	CHECK_INT(res.rc, TLSA_EINVAL);
	CHECK_STR(res.err.msg, "f: unknown file format");
}

static void test_time(void)
{
	static struct rec r;
	struct tlsa_capture_handler h = rec_handler(&r);
	struct tlsa_capture *c = tlsa_capture_new(NULL, &h);
	CHECK(c != NULL);
	if (c == NULL)
		return;
	static const struct {
		uint64_t sec;
		int64_t off;
		int64_t want_sec;
		uint32_t want_nsec;
	} t[] = {
		{1700000000, 0, 1700000000, 5},
		{1700000000, -1700000000, 0, 5},
		{1700000000, -1700000001, 0, 0},
		{0, INT64_MIN, 0, 0},
		{UINT64_MAX, INT64_MIN, CAPTURE_TS_MAX, 999999999},
		{UINT64_MAX, INT64_MAX, CAPTURE_TS_MAX, 999999999},
		{0, INT64_MAX, CAPTURE_TS_MAX, 999999999},
		{(uint64_t)CAPTURE_TS_MAX, 0, CAPTURE_TS_MAX, 5},
		{(uint64_t)CAPTURE_TS_MAX, 1, CAPTURE_TS_MAX, 999999999},
		{(uint64_t)CAPTURE_TS_MAX + 10, -10, CAPTURE_TS_MAX, 5},
		{(uint64_t)INT64_MAX + 5, INT64_MIN, 4, 5},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		capture_set_time(c, t[i].sec, t[i].off, 5);
		CHECK_INT(c->cur.ts_sec, t[i].want_sec);
		CHECK_INT(c->cur.ts_nsec, t[i].want_nsec);
	}
	CHECK_INT(r.notices, 1); /* once per capture */
	tlsa_capture_free(c);
}

int main(void)
{
	test_steps();
	test_short();
	test_time();
	return CHECK_DONE();
}
