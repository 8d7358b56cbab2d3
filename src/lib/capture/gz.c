/*
 * The bytes of one capture input (gz.h): plain bytes as they are, gzip
 * decompressed by zlib.  What the first two bytes are decides which (so
 * stdin and pipes may be either).  reader.c reads every input through here,
 * in large chunks into one reused buffer; libpcap, when it is asked for,
 * reads through the same source as a stdio stream (capture_src_fopen).
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
 * gzip damage: deflate notices a corrupt stream late, and a bad CRC only at
 * the trailer, after every byte of the member was good.  Everything inflate
 * produced before it reported the damage is given; the error is the next
 * read's answer, so the reader decodes each complete packet first and then
 * names the frame the damage fell in.  A stream that ends inside a member
 * (no trailer) is an error as well: the capture is truncated.
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
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#include "gz.h"

#define GZ_IN_BUFFER (1u << 18)
#define STOP_POLL_MS 100

struct capture_src {
	int fd;		    /* -1: a memory source */
	const uint8_t *mem; /* memory source: the bytes, the next one, the read size */
	size_t mem_len, mem_off, step;
	bool regular;  /* a regular file (or memory): reads never wait */
	bool wait;     /* wait in poll, to see the stop flag while no byte comes */
	bool nonblock; /* fd is non-blocking: read first, poll only when it is empty */
	bool gz;
	bool at_end;	/* the end of the input, or trailing bytes that are not gzip */
	bool between;	/* gzip: a member ended; the next may follow */
	bool in_member; /* gzip: inside a member (its end not yet seen) */
	bool failed;	/* the next read reports errmsg */
	bool truncated; /* ... and the error is the input ending early */
	volatile sig_atomic_t *stop;
	unsigned char head[2]; /* plain: the bytes read to tell gzip from plain */
	size_t nhead, head_off;
	z_stream z;
	unsigned char *in;
	char errmsg[128];
};

static bool stopped(const struct capture_src *s)
{
	return s->stop != NULL && *s->stop != 0;
}

static ssize_t mem_read(struct capture_src *s, void *buf, size_t n)
{
	size_t left = s->mem_len - s->mem_off;
	if (n > left)
		n = left;
	if (s->step != 0 && n > s->step)
		n = s->step;
	if (n > 0)
		memcpy(buf, s->mem + s->mem_off, n);
	s->mem_off += n;
	return (ssize_t)n;
}

/* One read(): what has arrived, 0 at the end of input (or once stopped), -1 on error. */
static ssize_t raw_read(struct capture_src *s, void *buf, size_t n)
{
	if (s->fd < 0)
		return mem_read(s, buf, n);
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

/* Remembers an error for the next read; -1. */
static ssize_t fail(struct capture_src *s, bool truncated, const char *what)
{
	s->failed = true;
	s->truncated = truncated;
	s->at_end = true;
	snprintf(s->errmsg, sizeof(s->errmsg), "%s", what);
	return -1;
}

/* A pipe or FIFO: the same pipe opened again, non-blocking, in place of fd. */
static void reopen_nonblocking(struct capture_src *s, const struct stat *st)
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

static ssize_t plain_read(struct capture_src *s, uint8_t *buf, size_t size)
{
	if (s->head_off < s->nhead) {
		size_t n = s->nhead - s->head_off;
		if (n > size)
			n = size;
		memcpy(buf, s->head + s->head_off, n);
		s->head_off += n;
		return (ssize_t)n;
	}
	ssize_t got = raw_read(s, buf, size);
	if (got < 0)
		return fail(s, false, strerror(errno));
	return got;
}

/* A member ended: the next starts here if the input goes on with the gzip magic. */
static void gz_member_end(struct capture_src *s)
{
	s->between = false;
	if (s->z.avail_in > 0 && s->z.next_in[0] != 0x1f)
		s->at_end = true; /* trailing bytes that are not gzip: ignored, as gzip does */
	else if (inflateReset(&s->z) != Z_OK)
		s->at_end = true;
	else
		s->in_member = true;
}

/* inflate() said the data is damaged (or memory ran out). */
static void gz_damage(struct capture_src *s, int r)
{
	char m[sizeof(s->errmsg)];
	if (r == Z_MEM_ERROR)
		snprintf(m, sizeof(m), "out of memory decompressing the gzip data");
	else
		snprintf(m, sizeof(m), "gzip-compressed data damaged (%s)",
			 s->z.msg != NULL ? s->z.msg : "data error");
	fail(s, false, m);
}

static ssize_t gz_read(struct capture_src *s, uint8_t *buf, size_t size)
{
	uInt room = size > (size_t)UINT32_MAX ? UINT32_MAX : (uInt)size;
	for (;;) {
		if (s->at_end)
			return 0;
		if (s->z.avail_in == 0) {
			ssize_t got = raw_read(s, s->in, GZ_IN_BUFFER);
			if (got < 0)
				return fail(s, false, strerror(errno));
			if (got == 0 && s->in_member && !stopped(s))
				return fail(s, true,
					    "truncated: the gzip-compressed data ends without its "
					    "trailer");
			if (got == 0) {
				s->at_end = true;
				return 0;
			}
			s->z.next_in = s->in;
			s->z.avail_in = (uInt)got;
		}
		if (s->between) {
			gz_member_end(s);
			continue;
		}
		s->z.next_out = (Bytef *)buf;
		s->z.avail_out = room;
		int r = inflate(&s->z, Z_NO_FLUSH);
		ssize_t made = (ssize_t)(room - s->z.avail_out);
		if (r == Z_STREAM_END) {
			s->between = true;
			s->in_member = false;
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			gz_damage(s, r);
			return made > 0 ? made : -1; /* the bytes before the damage first */
		}
		if (made > 0)
			return made;
	}
}

ssize_t capture_src_read(struct capture_src *s, void *buf, size_t n)
{
	if (s->failed)
		return -1;
	if (n == 0)
		return 0;
	return s->gz ? gz_read(s, buf, n) : plain_read(s, buf, n);
}

const char *capture_src_error(const struct capture_src *s, bool *truncated)
{
	*truncated = s->truncated;
	return s->failed ? s->errmsg : "no error";
}

bool capture_src_is_gz(const struct capture_src *s)
{
	return s->gz;
}

bool capture_src_failed(const struct capture_src *s)
{
	return s->failed;
}

bool capture_src_is_file(const struct capture_src *s)
{
	return s->regular;
}

void capture_src_close(struct capture_src *s)
{
	if (s == NULL)
		return;
	if (s->gz)
		inflateEnd(&s->z);
	free(s->in);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* The first two bytes, or fewer at the end of input; false on a read error. */
static bool read_head(struct capture_src *s)
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

static bool gz_start(struct capture_src *s)
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
	s->in_member = true;
	return true;
}

/* Reads the head and starts inflating when it is gzip; s closed on failure. */
static struct capture_src *start(struct capture_src *s)
{
	if (!read_head(s) ||
	    (s->nhead == 2 && s->head[0] == 0x1f && s->head[1] == 0x8b && !gz_start(s))) {
		int e = errno;
		capture_src_close(s);
		errno = e;
		return NULL;
	}
	return s;
}

struct capture_src *capture_src_fd(int fd, volatile sig_atomic_t *stop)
{
	struct capture_src *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		close(fd);
		return NULL;
	}
	struct stat st;
	s->fd = fd;
	s->stop = stop;
	bool have_st = fstat(fd, &st) == 0;
	s->regular = have_st && S_ISREG(st.st_mode);
	s->wait = stop != NULL && !s->regular;
	if (s->wait && have_st)
		reopen_nonblocking(s, &st);
	return start(s);
}

struct capture_src *capture_src_mem(const uint8_t *buf, size_t len, size_t step)
{
	struct capture_src *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->fd = -1;
	s->mem = buf;
	s->mem_len = len;
	s->step = step;
	s->regular = true;
	return start(s);
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
	ssize_t got = capture_src_read(cookie, buf, size);
	if (got < 0)
		errno = EBADMSG; /* libpcap: "error reading dump file: Bad message" */
	return got;
}

static int cookie_close(void *cookie)
{
	capture_src_close(cookie);
	return 0;
}

FILE *capture_src_fopen(struct capture_src *s)
{
	cookie_io_functions_t io = {
		.read = cookie_read,
		.write = NULL,
		.seek = NULL,
		.close = cookie_close,
	};
	FILE *f = fopencookie(s, "rb", io);
	if (f == NULL)
		capture_src_close(s);
	return f;
}
