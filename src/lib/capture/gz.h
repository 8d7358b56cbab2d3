/* The bytes of one capture input, plain or gzip-compressed (gz.c). */
#ifndef TLSA_CAPTURE_GZ_H
#define TLSA_CAPTURE_GZ_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct capture_src;

/* Takes ownership of fd (closed by capture_src_close, and on failure: NULL, errno set).
   Reads the first two bytes at once: when they are the gzip magic the source decompresses.
   Reads give what has arrived (a pipe is decoded as it comes); once *stop (may be NULL) is
   non-zero, the source ends as if the input had. */
struct capture_src *capture_src_fd(int fd, volatile sig_atomic_t *stop);
/* A source over memory (the fuzzer), each read giving at most `step` bytes (0: no limit) so
   that records straddle reads; plain or gzip as for a file.  NULL when out of memory. */
struct capture_src *capture_src_mem(const uint8_t *buf, size_t len, size_t step);
void capture_src_close(struct capture_src *s);

/* Up to n bytes into buf: > 0 bytes given, 0 at the end of the input, -1 on an error
   (capture_src_error says which).  Every byte decoded before damage in gzip data is given
   first; the error comes at the next read.  A gzip stream that ends without its trailer is an
   error, not the end. */
ssize_t capture_src_read(struct capture_src *s, void *buf, size_t n);
/* After a -1: what went wrong, and whether it is the input ending early (truncated). */
const char *capture_src_error(const struct capture_src *s, bool *truncated);
bool capture_src_is_gz(const struct capture_src *s);
/* Whether the source has found an error (gzip damage), even if its last bytes were given. */
bool capture_src_failed(const struct capture_src *s);
/* Whether the input is a regular file (so reads never wait). */
bool capture_src_is_file(const struct capture_src *s);

/* A stdio stream over s for libpcap (tlsa_capture_opts.libpcap_reader); fclose() closes s.
   NULL (s closed) on failure. */
FILE *capture_src_fopen(struct capture_src *s);

#endif
