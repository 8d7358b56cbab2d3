/*
 * libtlsalert: error reporting shared by every parser, and the conventions
 * of every header:
 *
 * - Options structs (struct tlsa_*_opts) start with `size_t sz`: set it to
 *   sizeof the struct.  A library newer than the caller then reads the
 *   fields the caller knew and takes the default for the others; 0 (a
 *   zero-initialised struct) is read as the library's own size.  Every other
 *   member left 0 takes its default, and NULL options are all defaults.
 * - Every *_free() function accepts NULL and then does nothing.
 * - A function that returns memory says who frees it and with what.
 */
#ifndef TLSALERT_COMMON_H
#define TLSALERT_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes; every failing function returns one of these (negative). */
enum tlsa_errcode {
	TLSA_OK = 0,
	TLSA_EINVAL = -1,  /* malformed input (the message says where and why) */
	TLSA_ETRUNC = -2,  /* input ended in the middle of a structure */
	TLSA_ENOMEM = -3,  /* allocation failed */
	TLSA_ELIMIT = -4,  /* a configured limit was reached */
	TLSA_EIO = -5,	   /* reading a file or device failed */
	TLSA_EUNSUPP = -6, /* valid input this version does not handle */
	TLSA_EAUTH = -7,   /* a protected record failed authentication (wrong key or tampered) */
};

/*
 * Where and why parsing failed.  `offset` counts bytes (or characters, for
 * text input) from the start of what the caller passed in.  `msg` is one
 * English sentence without a trailing newline, naming what was expected and
 * what was found.
 */
struct tlsa_error {
	int code;
	size_t offset;
	char msg[192];
};

/* Fills `err` (if not NULL) and returns `code`; printf-style message. */
int tlsa_error_set(struct tlsa_error *err, int code, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

#ifdef __cplusplus
}
#endif

#endif
