/* Locale-independent ASCII helpers shared by the text parsers. */
#ifndef TLSA_ASCII_H
#define TLSA_ASCII_H

/* The value of a hex digit, or -1. */
static inline int tlsa_hexval(char c)
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
