/*
 * Test vectors written in hex, for the crypto unit tests: unhex() reads hex
 * digits (white space between bytes is skipped; "-" is an empty value), and
 * rfc8448() finds one named value of RFC 8448's simple 1-RTT trace
 * (tests/data/rfc8448/simple-1rtt.txt, one "NAME HEX..." per line).
 */
#ifndef TLSA_HEXVEC_H
#define TLSA_HEXVEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bytes read into out (at most cap). */
static inline size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (*s && n < cap) {
		unsigned v;
		if (*s == ' ' || *s == '\n' || *s == '\t') {
			s++;
			continue;
		}
		if (s[1] == '\0' || sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* The value named `name` in the RFC 8448 trace; 0 when missing. */
static inline size_t rfc8448(const char *name, uint8_t *out, size_t cap)
{
	FILE *f = fopen("tests/data/rfc8448/simple-1rtt.txt", "r");
	static char line[4096];
	size_t n = 0, nl = strlen(name);
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, nl) == 0 && line[nl] == ' ') {
			n = unhex(line + nl + 1, out, cap);
			break;
		}
	fclose(f);
	return n;
}

#endif
