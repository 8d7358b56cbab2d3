/*
 * The `sz` convention of options structs (tlsalert/common.h, base/opts.h):
 * a caller compiled with an older, shorter struct gets defaults for the
 * fields it did not know; 0 means the library's size; NULL all defaults.
 */
#include <stdint.h>

#include "base/opts.h"
#include "check.h"
#include "tlsalert/decode.h"

/* The library's struct today ... */
struct opts_new {
	size_t sz;
	int a;
	const char *b;
	uint32_t c; /* added later */
};

/* ... and the same struct as a caller compiled before `c` existed. */
struct opts_old {
	size_t sz;
	int a;
	const char *b;
};

/* A caller compiled against a newer library with one more field. */
struct opts_newer {
	size_t sz;
	int a;
	const char *b;
	uint32_t c;
	uint64_t d;
};

static void old_caller(void)
{
	/* The caller's struct sits in a buffer whose bytes after it are not 0:
	 * the library must not read them. */
	union {
		struct opts_old o;
		unsigned char raw[sizeof(struct opts_new) + 16];
	} u;
	memset(u.raw, 0xee, sizeof(u.raw));
	u.o = (struct opts_old){.sz = sizeof(struct opts_old), .a = 7, .b = "x"};
	struct opts_new n;
	opts_load(&n, sizeof(n), &u.o);
	CHECK_INT(n.sz, sizeof(struct opts_new));
	CHECK_INT(n.a, 7);
	CHECK_STR(n.b, "x");
	CHECK_INT(n.c, 0);
}

static void zero_size_and_null(void)
{
	struct opts_new in = {.a = 3, .c = 9}, n;
	opts_load(&n, sizeof(n), &in);
	CHECK_INT(n.a, 3);
	CHECK_INT(n.c, 9);
	CHECK_INT(n.sz, sizeof(n));

	memset(&n, 0x55, sizeof(n));
	opts_load(&n, sizeof(n), NULL);
	CHECK_INT(n.a, 0);
	CHECK(n.b == NULL);
	CHECK_INT(n.c, 0);
}

static void newer_caller(void)
{
	struct opts_newer in = {.sz = sizeof(in), .a = 1, .b = "y", .c = 2, .d = 3};
	struct opts_new n;
	opts_load(&n, sizeof(n), &in);
	CHECK_INT(n.a, 1);
	CHECK_STR(n.b, "y");
	CHECK_INT(n.c, 2);
	CHECK_INT(n.sz, sizeof(n));
}

/* The public entry point behaves the same with sz set, 0, or no options. */
static int count_fn(void *ctx, const struct tlsa_decoded *d)
{
	(void)d;
	(*(int *)ctx)++;
	return 0;
}

static void decode_entry(void)
{
	static const uint8_t rec[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	struct tlsa_decode_opts with = {.sz = sizeof(with)}, without = {0};
	int n1 = 0, n2 = 0, n3 = 0;
	CHECK_INT(tlsa_decode_alerts_opt(rec, sizeof(rec), &with, count_fn, &n1, NULL), 0);
	CHECK_INT(tlsa_decode_alerts_opt(rec, sizeof(rec), &without, count_fn, &n2, NULL), 0);
	CHECK_INT(tlsa_decode_alerts_opt(rec, sizeof(rec), NULL, count_fn, &n3, NULL), 0);
	CHECK_INT(n1, 1);
	CHECK_INT(n2, 1);
	CHECK_INT(n3, 1);
}

int main(void)
{
	old_caller();
	zero_size_and_null();
	newer_caller();
	decode_entry();
	return CHECK_DONE();
}
