/*
 * The length arithmetic of the CLI's whole-file reader (src/cli/cli.h,
 * cli_read_chunk): a read never asks zlib for more than it can take, however
 * far past 2 or 4 GiB the buffer has grown (once, a length cast to `unsigned`
 * failed every file over 2 GiB).
 */
#include <limits.h>
#include <stdint.h>

#include "../../src/cli/cli.h"
#include "check.h"

int main(void)
{
	const size_t max = (size_t)1 << 30;
	CHECK_INT(cli_read_chunk(1 << 16, 0, max), 1 << 16);
	CHECK_INT(cli_read_chunk(1 << 16, 100, max), (1 << 16) - 100);
	CHECK_INT(cli_read_chunk(1 << 16, 1 << 16, max), 0);
	CHECK_INT(cli_read_chunk(10, 20, max), 0); /* never a wrapped length */
	if (SIZE_MAX > UINT32_MAX) {
		/* 8 GiB buffer, 2 GiB + 1 read: 1 GiB asked, fits int and unsigned */
		size_t cap = (size_t)8 << 30, n = ((size_t)2 << 30) + 1;
		size_t want = cli_read_chunk(cap, n, max);
		CHECK_INT(want, max);
		CHECK(want <= INT_MAX && want <= UINT_MAX);
		CHECK_INT(cli_read_chunk(cap, cap - 5, max), 5);
	}
	CHECK(CLI_READ_MAX <= INT_MAX);
	return CHECK_DONE();
}
