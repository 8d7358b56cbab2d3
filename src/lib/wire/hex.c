/*
 * Hex text to bytes: plain hex with any separators and prefixes, and the
 * offset + hex + ASCII dumps of xxd, hexdump -C, od, Wireshark and tshark.
 * Every character is looked at through an index checked against `len`.
 */
#include <stdio.h>
#include <string.h>

#include "tlsalert/decode.h"
#include "base/ascii.h"

struct hexw {
	uint8_t *out;
	size_t cap;
	size_t n;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_sep(char c)
{
	return is_space(c) || c == '\n' || (c != '\0' && strchr(",:;-{}[]()\"'", c) != NULL);
}

static int put(struct hexw *w, uint8_t b, size_t at, struct tlsa_error *err)
{
	if (w->n >= w->cap)
		return tlsa_error_set(err, TLSA_ELIMIT, at,
				      "more than %zu bytes of hex: the output buffer is full",
				      w->cap);
	w->out[w->n++] = b;
	return 0;
}

/* A printable rendering of a stray character for messages. */
static void show_char(char c, char *buf, size_t cap)
{
	unsigned char u = (unsigned char)c;
	if (u >= 0x21 && u < 0x7f)
		snprintf(buf, cap, "'%c'", c);
	else
		snprintf(buf, cap, "byte 0x%02x", u);
}

static int stray(const char *t, size_t i, struct tlsa_error *err, const char *expected)
{
	char shown[16];
	show_char(t[i], shown, sizeof(shown));
	return tlsa_error_set(err, TLSA_EINVAL, i, "expected %s, found %s", expected, shown);
}

/* True when t[i..] starts an `openssl s_client -msg` header ("<<<", ">>>"). */
static bool msg_header_at(const char *t, size_t len, size_t i)
{
	return len - i >= 3 && (memcmp(t + i, "<<<", 3) == 0 || memcmp(t + i, ">>>", 3) == 0);
}

static size_t line_end(const char *t, size_t len, size_t i)
{
	while (i < len && t[i] != '\n')
		i++;
	return i;
}

/* ---- plain hex ---------------------------------------------------------- */

static int plain_decode(const char *t, size_t len, struct hexw *w, struct tlsa_error *err)
{
	bool have_half = false, line_start = true;
	size_t half_at = 0;
	int half = 0;

	for (size_t i = 0; i < len;) {
		char c = t[i];
		if (line_start) {
			size_t j = i;
			while (j < len && is_space(t[j]))
				j++;
			line_start = false;
			if (j < len && msg_header_at(t, len, j)) {
				i = line_end(t, len, j);
				continue;
			}
		}
		if (c == '\n') {
			line_start = true;
			i++;
			continue;
		}
		/* "0x15", "\x15": a prefixed group with an even number of digits. */
		bool zero_x = c == '0' && i + 1 < len && (t[i + 1] == 'x' || t[i + 1] == 'X') &&
			      (i == 0 || is_sep(t[i - 1]));
		bool bs_x = c == '\\' && i + 1 < len && (t[i + 1] == 'x' || t[i + 1] == 'X');
		if (zero_x || bs_x) {
			if (have_half)
				return tlsa_error_set(
					err, TLSA_EINVAL, half_at,
					"odd number of hex digits: '%c' has no partner "
					"before the prefix at character %zu",
					t[half_at], i);
			size_t j = i + 2, start = j;
			while (j < len && ascii_hexval(t[j]) >= 0)
				j++;
			if (j == start)
				return tlsa_error_set(
					err, TLSA_EINVAL, i,
					"expected hex digits after \"%c%c\", found %s", t[i],
					t[i + 1],
					j < len ? "another character" : "the end of the input");
			if ((j - start) % 2 != 0)
				return tlsa_error_set(
					err, TLSA_EINVAL, i,
					"\"%c%c\" group with an odd number of hex digits "
					"(%zu): expected whole bytes",
					t[i], t[i + 1], j - start);
			for (size_t k = start; k < j; k += 2) {
				int rc = put(
					w,
					(uint8_t)(ascii_hexval(t[k]) << 4 | ascii_hexval(t[k + 1])),
					k, err);
				if (rc != 0)
					return rc;
			}
			i = j;
			continue;
		}
		/* Python bytes literal b'...' / b"...". */
		if (c == 'b' && !have_half && i + 1 < len &&
		    (t[i + 1] == '\'' || t[i + 1] == '"') && (i == 0 || is_sep(t[i - 1]))) {
			i++;
			continue;
		}
		int v = ascii_hexval(c);
		if (v >= 0) {
			if (have_half) {
				int rc = put(w, (uint8_t)(half << 4 | v), half_at, err);
				if (rc != 0)
					return rc;
				have_half = false;
			} else {
				half = v;
				half_at = i;
				have_half = true;
			}
			i++;
			continue;
		}
		if (is_sep(c)) {
			i++;
			continue;
		}
		return stray(t, i, err, "a hex digit or a separator (space : , ; -)");
	}
	if (have_half)
		return tlsa_error_set(
			err, TLSA_EINVAL, half_at,
			"odd number of hex digits: '%c' has no partner, found the end "
			"of the input",
			t[half_at]);
	return 0;
}

/* ---- dumps ------------------------------------------------------------ */

/* Reads an offset token at t[*i]: [0x]HEX[:] then a blank or the line end. */
static bool read_offset(const char *t, size_t end, size_t *i, uint64_t *val, size_t *ndigits)
{
	size_t j = *i;
	uint64_t v = 0;

	if (end - j >= 2 && t[j] == '0' && (t[j + 1] == 'x' || t[j + 1] == 'X'))
		j += 2;
	size_t start = j;
	while (j < end && ascii_hexval(t[j]) >= 0) {
		if (j - start >= 16)
			return false;
		v = v << 4 | (uint64_t)ascii_hexval(t[j]);
		j++;
	}
	if (j == start)
		return false;
	*ndigits = j - start;
	if (j < end && t[j] == ':')
		j++;
	if (j < end && !is_space(t[j]))
		return false;
	*i = j;
	*val = v;
	return true;
}

/* Does the first meaningful line start with an all-zero offset of 4+ digits? */
static bool looks_like_dump(const char *t, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t e = line_end(t, len, i), j = i;
		while (j < e && is_space(t[j]))
			j++;
		if (j == e || msg_header_at(t, e, j)) {
			i = e + 1;
			continue;
		}
		uint64_t v;
		size_t nd, k = j;
		if (!read_offset(t, e, &k, &v, &nd) || v != 0 || nd < 4)
			return false;
		/* Something must follow the offset on this line. */
		while (k < e && is_space(t[k]))
			k++;
		return k < e;
	}
	return false;
}

/* Where a dump stands between two of its lines. */
struct dump_state {
	uint64_t expected; /* bytes of the current dump block read so far */
	uint8_t prev[64];  /* the last line's bytes: what a '*' line repeats */
	size_t prev_n;	   /* their count; 0 when none or too many to keep */
	bool star;	   /* a '*' line came since the last offset line */
	bool first;	   /* no offset line yet */
};

/* The bytes a '*' line stands for: the previous line again, up to offset `off`. */
static int dump_repeat(struct dump_state *ds, uint64_t off, size_t at, struct hexw *w,
		       struct tlsa_error *err)
{
	if (ds->prev_n == 0 || off < ds->expected || (off - ds->expected) % ds->prev_n != 0)
		return tlsa_error_set(err, TLSA_EINVAL, at,
				      "dump offset 0x%llx cannot follow a '*' line "
				      "after 0x%llx bytes",
				      (unsigned long long)off, (unsigned long long)ds->expected);
	while (ds->expected < off) {
		for (size_t k = 0; k < ds->prev_n; k++) {
			int rc = put(w, ds->prev[k], at, err);
			if (rc != 0)
				return rc;
		}
		ds->expected += ds->prev_n;
	}
	ds->star = false;
	return 0;
}

/*
 * The hex columns of one dump line, t[j, e) after its offset: writes their
 * bytes, keeps them in ds->prev and sets *n_line to their count.
 */
static int dump_columns(const char *t, size_t j, size_t e, struct dump_state *ds, struct hexw *w,
			size_t *n_line, struct tlsa_error *err)
{
	/* hexdump -C and od -z fence the ASCII column with | or >. */
	size_t hend = e;
	bool fenced = false;
	for (size_t k = j; k < e; k++) {
		if (t[k] == '|' || t[k] == '>') {
			hend = k;
			fenced = true;
			break;
		}
	}
	size_t n = 0, k = j;
	for (;;) {
		size_t gap = 0;
		while (k < hend && is_space(t[k])) {
			k++;
			gap++;
		}
		if (k >= hend)
			break;
		/* xxd, Wireshark, tshark: two blanks end the hex columns. */
		if (!fenced && n > 0 && gap >= 2)
			break;
		size_t g = k;
		while (k < hend && ascii_hexval(t[k]) >= 0)
			k++;
		if (k < hend && !is_space(t[k]))
			return stray(t, k, err, "a hex digit or a blank in the hex columns");
		if ((k - g) % 2 != 0)
			return tlsa_error_set(err, TLSA_EINVAL, g,
					      "hex group of %zu digits in a dump: expected "
					      "whole bytes",
					      k - g);
		for (size_t d = g; d < k; d += 2) {
			uint8_t b = (uint8_t)(ascii_hexval(t[d]) << 4 | ascii_hexval(t[d + 1]));
			int rc = put(w, b, d, err);
			if (rc != 0)
				return rc;
			if (n < sizeof(ds->prev))
				ds->prev[n] = b;
			n++;
		}
	}
	*n_line = n;
	return 0;
}

static int dump_decode(const char *t, size_t len, struct hexw *w, struct tlsa_error *err)
{
	struct dump_state ds = {.expected = 0, .prev_n = 0, .star = false, .first = true};

	for (size_t i = 0; i < len;) {
		size_t e = line_end(t, len, i), j = i;
		size_t next = e < len ? e + 1 : e;
		while (j < e && is_space(t[j]))
			j++;
		if (j == e || msg_header_at(t, e, j)) {
			i = next;
			continue;
		}
		if (t[j] == '*') {
			size_t k = j + 1;
			while (k < e && is_space(t[k]))
				k++;
			if (k != e)
				return stray(t, k, err, "nothing after '*' (a repeated-line mark)");
			ds.star = true;
			i = next;
			continue;
		}
		uint64_t off;
		size_t nd, at = j;
		if (!read_offset(t, e, &j, &off, &nd))
			return stray(t, at, err, "a dump offset at the start of the line");
		if (off == 0 && !ds.first && ds.expected != 0 && !ds.star) {
			ds.expected = 0; /* a second dump, starting again at 0 */
			ds.prev_n = 0;
		}
		ds.first = false;
		int rc;
		if (ds.star && (rc = dump_repeat(&ds, off, at, w, err)) != 0)
			return rc;
		if (off != ds.expected)
			return tlsa_error_set(
				err, TLSA_EINVAL, at,
				"dump offset 0x%llx does not match the 0x%llx bytes read "
				"so far: expected offset 0x%llx",
				(unsigned long long)off, (unsigned long long)ds.expected,
				(unsigned long long)ds.expected);
		size_t n_line = 0;
		if ((rc = dump_columns(t, j, e, &ds, w, &n_line, err)) != 0)
			return rc;
		if (n_line > 0)
			ds.prev_n = n_line <= sizeof(ds.prev) ? n_line : 0;
		ds.expected += n_line;
		i = next;
	}
	if (ds.star)
		return tlsa_error_set(
			err, TLSA_ETRUNC, len,
			"expected an offset line after '*', found the end of the input");
	return 0;
}

int tlsa_hex_decode(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len,
		    struct tlsa_error *err)
{
	struct hexw w = {out, cap, 0};
	int rc;

	if (text == NULL)
		len = 0;
	if (looks_like_dump(text, len))
		rc = dump_decode(text, len, &w, err);
	else
		rc = plain_decode(text, len, &w, err);
	*out_len = w.n;
	return rc;
}
