/*
 * Options structs of the public API start with `size_t sz`, the size of the
 * struct the caller was compiled with.  A later library may add fields at the
 * end; opts_load() copies what the caller's struct holds into a zeroed struct
 * of the library's size, so a field the caller did not know is 0, which for
 * every options field means "the default".  sz == 0 (a caller that
 * zero-initialised the struct and set no size) is read as the library's own
 * size, and a caller's struct bigger than the library's is cut to the fields
 * the library knows.  NULL options are all defaults.
 */
#ifndef TLSA_BASE_OPTS_H
#define TLSA_BASE_OPTS_H

#include <stddef.h>
#include <string.h>

static inline void opts_load(void *dst, size_t dst_size, const void *src)
{
	memset(dst, 0, dst_size);
	if (src == NULL)
		return;
	size_t sz;
	memcpy(&sz, src, sizeof(sz));
	if (sz == 0 || sz > dst_size)
		sz = dst_size;
	memcpy(dst, src, sz);
	memcpy(dst, &dst_size, sizeof(dst_size)); /* the copy is of the library's size */
}

#endif
