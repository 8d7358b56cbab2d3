/* A read-only FILE* over a file descriptor, plain or gzip-compressed (gz.c). */
#ifndef TLSA_CAPTURE_GZ_H
#define TLSA_CAPTURE_GZ_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

/* Takes ownership of fd: fclose() closes it, and so does a failure (NULL, errno set).  Reads
   the first two bytes at once: *gz tells whether they are the gzip magic (the stream then
   decompresses).  Reads give what has arrived (a pipe is decoded as it comes); once *stop
   (may be NULL) is non-zero, the stream ends as if the input had. */
FILE *capture_stream_fdopen(int fd, volatile sig_atomic_t *stop, bool *gz);

#endif
