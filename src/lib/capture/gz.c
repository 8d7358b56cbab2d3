/*
 * A stdio stream over a zlib gzFile, so libpcap can read gzip-compressed
 * captures (and stdin, compressed or not: zlib passes plain data through).
 * fopencookie() is a GNU extension, hence _GNU_SOURCE in this file only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#include "gz.h"

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size)
{
	unsigned n = size > (size_t)INT_MAX ? (unsigned)INT_MAX : (unsigned)size;
	int got = gzread((gzFile)cookie, buf, n);
	if (got < 0) {
		int zerr;
		gzerror((gzFile)cookie, &zerr);
		errno = zerr == Z_ERRNO ? errno : EBADMSG; /* corrupt compressed data */
		return -1;
	}
	return (ssize_t)got;
}

static int gz_cookie_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : EOF;
}

FILE *capture_gz_fdopen(int fd)
{
	gzFile g = gzdopen(fd, "rb");
	if (g == NULL) {
		close(fd);
		return NULL;
	}
	gzbuffer(g, 1u << 18);
	cookie_io_functions_t io = {
		.read = gz_cookie_read,
		.write = NULL,
		.seek = NULL,
		.close = gz_cookie_close,
	};
	FILE *f = fopencookie(g, "rb", io);
	if (f == NULL)
		gzclose(g);
	return f;
}
