/* A read-only FILE* decompressing gzip from a file descriptor (gz.c). */
#ifndef TLSA_CAPTURE_GZ_H
#define TLSA_CAPTURE_GZ_H

#include <stdio.h>

/* Takes ownership of fd: fclose() closes it, and so does a failure (NULL). */
FILE *capture_gz_fdopen(int fd);

#endif
