/*
 * A read-only stdio stream over a file descriptor, for libpcap: plain bytes
 * as they are, gzip decompressed by zlib.  What the first two bytes are
 * decides which (so stdin and pipes may be either).
 *
 * Built for streams (`tcpdump -U -w - | tlsalert scan -`): every refill is a
 * single read() that returns what has arrived, never a loop that waits to
 * fill a buffer (zlib's gzread does that), so a packet is decoded as soon as
 * its last byte is in.  On anything but a regular file, with a stop flag,
 * reads wait in poll() with a short timeout and the flag is checked between
 * waits: a set flag reads as the end of the input, even when no byte comes.
 * A pipe or FIFO is opened again, non-blocking, through /proc/self/fd (a
 * description of our own: stdin's, shared with the shell, is left alone), so
 * a read that finds data costs one call, and poll() is only called when the
 * pipe is empty, that is when the reader has nothing else to do.
 *
 * fopencookie() is a GNU extension, hence _GNU_SOURCE in this file only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#include "gz.h"

#define GZ_IN_BUFFER (1u << 18)
#define STOP_POLL_MS 100

struct cstream {
	int fd;
	bool wait;     /* wait in poll, to see the stop flag while no byte comes */
	bool nonblock; /* fd is non-blocking: read first, poll only when it is empty */
	bool gz;
	bool at_end;  /* gzip: end of input seen, or trailing bytes that are not gzip */
	bool between; /* gzip: a member ended; the next may follow */
	volatile sig_atomic_t *stop;
	unsigned char head[2]; /* plain: the bytes read to tell gzip from plain */
	size_t nhead, head_off;
	z_stream z;
	unsigned char *in;
};

static bool stopped(const struct cstream *s)
{
	return s->stop != NULL && *s->stop != 0;
}

/* One read(): what has arrived, 0 at the end of input (or once stopped), -1 on error. */
static ssize_t raw_read(struct cstream *s, void *buf, size_t n)
{
	for (;;) {
		if (stopped(s))
			return 0;
		if (s->wait && !s->nonblock) {
			struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
			int r = poll(&pfd, 1, STOP_POLL_MS);
			if (r == 0 || (r < 0 && errno == EINTR))
				continue;
		}
		ssize_t got = read(s->fd, buf, n);
		if (got >= 0)
			return got;
		if (errno == EAGAIN && s->nonblock) {
			struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
			poll(&pfd, 1,
			     STOP_POLL_MS); /* a timeout or EINTR: the flag is seen above */
			continue;
		}
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* A pipe or FIFO: the same pipe opened again, non-blocking, in place of fd. */
static void reopen_nonblocking(struct cstream *s, const struct stat *st)
{
	if (!S_ISFIFO(st->st_mode))
		return;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	int nfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (nfd < 0)
		return; /* no /proc: poll before each read */
	close(s->fd);
	s->fd = nfd;
	s->nonblock = true;
}

static ssize_t plain_read(struct cstream *s, char *buf, size_t size)
{
	if (s->head_off < s->nhead) {
		size_t n = s->nhead - s->head_off;
		if (n > size)
			n = size;
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)s->head[s->head_off + i];
		s->head_off += n;
		return (ssize_t)n;
	}
	return raw_read(s, buf, size);
}

/* gzip: more compressed input; false at the end of input or on an error (errno set). */
static bool gz_refill(struct cstream *s, bool *eof)
{
	ssize_t got = raw_read(s, s->in, GZ_IN_BUFFER);
	*eof = got == 0;
	if (got <= 0)
		return false;
	s->z.next_in = s->in;
	s->z.avail_in = (uInt)got;
	return true;
}

/* A member ended: the next starts here if the input goes on with the gzip magic. */
static void gz_member_end(struct cstream *s)
{
	s->between = false;
	if (s->z.avail_in > 0 && s->z.next_in[0] != 0x1f)
		s->at_end = true; /* trailing bytes that are not gzip: ignored, as gzip does */
	else if (inflateReset(&s->z) != Z_OK)
		s->at_end = true;
}

static ssize_t gz_read(struct cstream *s, char *buf, size_t size)
{
	uInt room = size > (size_t)UINT32_MAX ? UINT32_MAX : (uInt)size;
	for (;;) {
		if (s->at_end)
			return 0;
		if (s->z.avail_in == 0) {
			bool eof;
			if (!gz_refill(s, &eof)) {
				if (!eof)
					return -1;
				/* the end of input, also within a member: libpcap then says which
				   frame was cut short, as for a cut plain file */
				s->at_end = true;
				return 0;
			}
		}
		if (s->between) {
			gz_member_end(s);
			continue;
		}
		s->z.next_out = (Bytef *)buf;
		s->z.avail_out = room;
		int r = inflate(&s->z, Z_NO_FLUSH);
		ssize_t made = (ssize_t)(room - s->z.avail_out);
		if (r == Z_STREAM_END)
			s->between = true;
		else if (r != Z_OK && r != Z_BUF_ERROR) {
			/* corrupt: what this call decompressed may be garbage already (deflate
			   notices damage late), so none of it is given, as gzread does */
			s->at_end = true;
			errno = r == Z_MEM_ERROR ? ENOMEM : EBADMSG;
			return -1;
		}
		if (made > 0)
			return made;
	}
}

static ssize_t cstream_read(void *cookie, char *buf, size_t size)
{
	struct cstream *s = cookie;
	return s->gz ? gz_read(s, buf, size) : plain_read(s, buf, size);
}

static void cstream_free(struct cstream *s)
{
	if (s->gz)
		inflateEnd(&s->z);
	free(s->in);
	close(s->fd);
	free(s);
}

static int cstream_close(void *cookie)
{
	cstream_free(cookie);
	return 0;
}

/* The first two bytes, or fewer at the end of input; false on a read error. */
static bool read_head(struct cstream *s)
{
	while (s->nhead < 2) {
		ssize_t got = raw_read(s, s->head + s->nhead, 2 - s->nhead);
		if (got < 0)
			return false;
		if (got == 0)
			break;
		s->nhead += (size_t)got;
	}
	return true;
}

static bool gz_start(struct cstream *s)
{
	s->in = malloc(GZ_IN_BUFFER);
	if (s->in == NULL)
		return false;
	s->in[0] = s->head[0];
	s->in[1] = s->head[1];
	s->z.next_in = s->in;
	s->z.avail_in = 2;
	if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
		free(s->in);
		s->in = NULL;
		return false;
	}
	s->gz = true;
	return true;
}

FILE *capture_stream_fdopen(int fd, volatile sig_atomic_t *stop, bool *gz)
{
	*gz = false;
	struct cstream *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		close(fd);
		return NULL;
	}
	struct stat st;
	s->fd = fd;
	s->stop = stop;
	bool have_st = fstat(fd, &st) == 0;
	s->wait = stop != NULL && (!have_st || !S_ISREG(st.st_mode));
	if (s->wait && have_st)
		reopen_nonblocking(s, &st);
	if (!read_head(s) ||
	    (s->nhead == 2 && s->head[0] == 0x1f && s->head[1] == 0x8b && !gz_start(s))) {
		int e = errno;
		cstream_free(s);
		errno = e;
		return NULL;
	}
	*gz = s->gz;
	cookie_io_functions_t io = {
		.read = cstream_read,
		.write = NULL,
		.seek = NULL,
		.close = cstream_close,
	};
	FILE *f = fopencookie(s, "rb", io);
	if (f == NULL)
		cstream_free(s);
	return f;
}
