/*
 * The CLI's JSON string writer (src/cli/util.c, json_write_string): it tests 8
 * bytes at a time for characters that need an escape, so every byte value is
 * put at every position of strings of every length around the 8-byte steps,
 * and the output compared with a byte-at-a-time reference.
 */
#include "../../src/cli/util.c"

#include "check.h"

/* The escapes one byte at a time: '"', '\\', \n, \r, \t by name, other control
 * bytes, DEL and bytes >= 0x80 as \u00XX. */
static void reference(FILE *f, const unsigned char *s, size_t n)
{
	putc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c == '"')
			fputs("\\\"", f);
		else if (c == '\\')
			fputs("\\\\", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc((int)c, f);
	}
	putc('"', f);
}

/* s[0..n) through both writers; true when they write the same. */
static bool same(const unsigned char *s, size_t n)
{
	char *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	FILE *fa = open_memstream(&a, &al), *fb = open_memstream(&b, &bl);
	if (fa == NULL || fb == NULL)
		return false;
	json_write_string(fa, (const char *)s, n);
	reference(fb, s, n);
	fclose(fa);
	fclose(fb);
	bool ok = al == bl && memcmp(a, b, al) == 0;
	free(a);
	free(b);
	return ok;
}

int main(void)
{
	unsigned char s[40];
	size_t bad = 0, cases = 0;
	for (size_t len = 0; len <= 33; len++)
		for (size_t pos = 0; pos < len; pos++)
			for (unsigned v = 0; v < 256; v++) {
				memset(s, 'a' + (int)(pos % 26), sizeof(s));
				s[pos] = (unsigned char)v;
				if (len > 20) /* a second odd byte in a later 8-byte step */
					s[len - 1] = (unsigned char)(v ^ 0x55);
				cases++;
				if (!same(s, len))
					bad++;
			}
	CHECK_INT(bad, 0);
	CHECK(cases > 100000);
	/* plain text across several steps, and the empty string */
	CHECK(same((const unsigned char *)"The ClientHello offers no cipher suite", 38));
	CHECK(same((const unsigned char *)"", 0));
	return CHECK_DONE();
}
