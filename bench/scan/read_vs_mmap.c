/*
 * read() or mmap, the cost of bringing a file in (issue 12, item 13):
 * touches one byte of every 64-byte cache line of FILE, either through a
 * mapping (MAP_PRIVATE, MADV_SEQUENTIAL; "populate": MAP_POPULATE too) or
 * through read() into one reused buffer of SIZE bytes.  Standalone:
 *
 *   cc -O2 -o /tmp/read_vs_mmap bench/scan/read_vs_mmap.c
 *   /usr/bin/time -f '%U %S' /tmp/read_vs_mmap mmap|populate|SIZE FILE
 *
 * Figures: docs/PERFORMANCE.md, "read() or mmap, measured in the same run".
 */
#define _GNU_SOURCE /* MAP_POPULATE */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: read_vs_mmap mmap|populate|SIZE FILE\n");
		return 2;
	}
	int fd = open(argv[2], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(argv[2]);
		return 2;
	}
	size_t len = st.st_size, sum = 0;
	if (strcmp(argv[1], "mmap") == 0 || strcmp(argv[1], "populate") == 0) {
		int flags = MAP_PRIVATE | (argv[1][0] == 'p' ? MAP_POPULATE : 0);
		unsigned char *m = mmap(NULL, len, PROT_READ, flags, fd, 0);
		if (m == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		madvise(m, len, MADV_SEQUENTIAL);
		for (size_t i = 0; i < len; i += 64)
			sum += m[i];
	} else {
		size_t cap = strtoul(argv[1], NULL, 0);
		unsigned char *b = cap > 0 ? malloc(cap) : NULL;
		if (b == NULL)
			return 2;
		ssize_t n;
		while ((n = read(fd, b, cap)) > 0)
			for (ssize_t i = 0; i < n; i += 64)
				sum += b[i];
	}
	printf("%zu\n", sum & 1);
	return 0;
}
