/*
 * The tlsalert command: shared pieces of every subcommand.  The CLI owns all
 * I/O, colours, progress and exit codes; the library does none of that.
 */
#ifndef TLSA_CLI_H
#define TLSA_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tlsalert.h"

#define TLSALERT_VERSION "0.1.0"

/* Exit statuses, documented in docs/tlsalert.1 and README.md. */
enum {
	EXIT_OK = 0,	 /* success; for scan/logs/decode: alerts were found */
	EXIT_NONE = 1,	 /* scan/logs/decode: input read fine, no alert in it */
	EXIT_ERROR = 2,	 /* bad usage, unreadable or malformed input, a write error */
	EXIT_PIPE = 141, /* the reader of stdout went away (128 + SIGPIPE, as cat, git) */
};

enum out_format { OUT_TEXT, OUT_JSON, OUT_CSV };

struct cli {
	FILE *out; /* cli_out_open(): no file descriptor, see cli_fileno() */
	FILE *err;
	const char *prog; /* "tlsalert" */
	const char *cmd;  /* "explain", ... */
	enum out_format fmt;
	bool color; /* ANSI colours on stdout */
	int width;  /* columns to wrap text to; 0: no wrapping (cli_term_width) */
};

/* Subcommands: each returns an exit status. */
int cmd_explain(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_decode(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);
int cmd_logs(struct cli *c, int argc, char **argv);
int cmd_probe(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);

/* "tlsalert CMD: message" on stderr, control bytes escaped (\xNN), at most
 * about 1 KiB; returns EXIT_ERROR. */
int cli_fail(struct cli *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * What a user typed, quoted for a message: in '', its control bytes, bytes
 * over 0x7e (C1 controls are ESC in 8 bits) and backslashes escaped as \xNN
 * (\\), cut after CLI_QUOTE_SHOWN bytes with its length said ("'xxxx...'
 * (131072 bytes)"): a pasted error message is shown whole, a file is not.
 * cli_fail() escapes control bytes too, as a last line of defence;
 * cli_quote() also keeps a message short.
 */
#define CLI_QUOTE_SHOWN 100
struct cli_quoted {
	char s[CLI_QUOTE_SHOWN * 4 + 40];
};
const char *cli_quote(struct cli_quoted *q, const char *s);
const char *cli_quoten(struct cli_quoted *q, const char *s, size_t len); /* s[0..len) */

/*
 * Standard output for the commands: a stream whose failing write ends the
 * process (a closed pipe: silently, status EXIT_PIPE; any other error: a
 * message, EXIT_ERROR), in whichever thread it happens.  cli_out_command()
 * names the command in that message; cli_out_close() flushes and closes.
 */
FILE *cli_out_open(void);
void cli_out_command(const char *cmd);
void cli_out_close(FILE *f);

/* The file descriptor under f; fileno() is -1 for the stream of cli_out_open(). */
int cli_fileno(FILE *f);

/* Decides colour from the stream (a terminal?), NO_COLOR and --color=WHEN. */
bool cli_want_color(FILE *f, const char *when);

/* ANSI sequences, or "" when colour is off. */
enum cli_color { C_RESET, C_BOLD, C_DIM, C_RED, C_GREEN, C_YELLOW, C_BLUE, C_MAGENTA, C_CYAN };
const char *cli_c(const struct cli *c, enum cli_color col);

/* Reads a whole text file ("-" = stdin), transparently gunzipping gzip data.
 * Returns 0 and a malloc'd buffer (NUL-terminated) or EXIT_ERROR after
 * printing why: unreadable, a NUL byte (not text), or CLI_READ_MAX bytes or
 * more (docs/scan.md, --keylog). */
#define CLI_READ_MAX ((size_t)1 << 30)
int cli_read_file(struct cli *c, const char *path, char **buf, size_t *len);

/* How much the next read of cli_read_file() asks for, with n bytes in a
 * buffer of cap: what is left, at most chunk_max (zlib's lengths are
 * `unsigned` and its result an `int`: nothing may be cast down). */
static inline size_t cli_read_chunk(size_t cap, size_t n, size_t chunk_max)
{
	size_t left = cap > n ? cap - n : 0;
	return left < chunk_max ? left : chunk_max;
}

/*
 * The width text output wraps to: COLUMNS when it is set to a number (also
 * when stdout is piped, so a script can ask for a width), else the width of
 * the terminal stdout is (TIOCGWINSZ), 80 when a terminal does not say; 0
 * (no wrapping) when stdout is not a terminal.  At least 40.
 */
int cli_term_width(FILE *out);

/* Prints `text` wrapped to `width` columns (0: not wrapped), every line after
 * the first indented by `indent` spaces; the first line continues from column
 * `col`. */
void cli_wrap(FILE *f, const char *text, int col, int indent, int width);

/* JSON Lines writer: objects and arrays with automatic commas. */
struct jw {
	FILE *f;
	int depth;
	bool first[16];
};
void jw_begin(struct jw *w, FILE *f);		 /* opens the top-level object */
void jw_end(struct jw *w);			 /* closes it and writes "\n" */
void jw_obj_open(struct jw *w, const char *key); /* nested object; key NULL in arrays */
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w, const char *key);
void jw_arr_close(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val); /* NULL val -> null */
void jw_strn(struct jw *w, const char *key, const char *val, size_t len);
void jw_int(struct jw *w, const char *key, long long val);
void jw_uint(struct jw *w, const char *key, unsigned long long val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);
void jw_raw(struct jw *w, const char *key, const char *raw); /* pre-formatted value */
/* In arrays pass key = NULL. */

/* Writes `s` as one JSON string (quotes included), escaping as needed. */
void json_write_string(FILE *f, const char *s, size_t len);

/* CSV: one field, quoted when needed; `first` suppresses the comma. */
void csv_field(FILE *f, const char *s, bool first);
void csv_int(FILE *f, long long v, bool first);
void csv_end(FILE *f);

#endif
