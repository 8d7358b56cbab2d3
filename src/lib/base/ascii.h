/*
 * Small helpers every layer may use: N_ELEMS, and locale-independent ASCII.
 * The <ctype.h> functions follow the locale, and text from logs, certificates
 * and the command line must not change meaning with it, so the library folds
 * and classifies ASCII with these instead.  All are static inline: the text
 * scanner calls them per byte.
 */
#ifndef TLSA_ASCII_H
#define TLSA_ASCII_H

#include <stdbool.h>
#include <stddef.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* c with an ASCII upper-case letter made lower case; every other byte unchanged. */
static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* c with an ASCII lower-case letter made upper case; every other byte unchanged. */
static inline unsigned char ascii_upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - ('a' - 'A')) : c;
}

/* Are the n bytes at s, ASCII case folded, the n lower-case bytes at lc? */
static inline bool ascii_same_ci(const unsigned char *s, const char *lc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(s[i]) != (unsigned char)lc[i])
			return false;
	return true;
}

/* The value of a hex digit, or -1. */
static inline int ascii_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
