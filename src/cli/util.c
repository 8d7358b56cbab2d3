/* Output helpers shared by the subcommands: errors, colour, wrapping, JSON, CSV, files. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"

/* Writes s with every control byte as \xNN: a message that quotes what a user
 * typed or a file holds must not drive the terminal (`explain $'\e]0;X\a'`
 * set its title). */
static void put_escaped(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

int cli_fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	fflush(c->out);
	fprintf(c->err, "%s %s: ", c->prog, c->cmd ? c->cmd : "");
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf)) {
		put_escaped(c->err, buf, sizeof(buf) - 1);
		fprintf(c->err, "... (%d characters)", n);
	} else {
		put_escaped(c->err, buf, (size_t)n);
	}
	fputc('\n', c->err);
	return EXIT_ERROR;
}

const char *cli_quote(struct cli_quoted *q, const char *s)
{
	return cli_quoten(q, s, strlen(s));
}

const char *cli_quoten(struct cli_quoted *q, const char *s, size_t len)
{
	enum { SHOWN = CLI_QUOTE_SHOWN };
	size_t n = 0;
	q->s[n++] = '\'';
	for (size_t i = 0; i < len && i < SHOWN; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			n += (size_t)snprintf(q->s + n, sizeof(q->s) - n,
					      ch == '\\' ? "\\\\" : "\\x%02x", ch);
		else
			q->s[n++] = (char)ch;
	}
	if (len > SHOWN)
		snprintf(q->s + n, sizeof(q->s) - n, "...' (%zu bytes)", len);
	else
		snprintf(q->s + n, sizeof(q->s) - n, "'");
	return q->s;
}

/*
 * The standard output of every command.  Its writes go through out_write(),
 * which sees the error of the write(2) that failed, in whichever thread wrote:
 * a reader that went away (EPIPE: `| head`) ends the process silently with the
 * status of SIGPIPE, as cat and git do; any other error (ENOSPC: `> /dev/full`)
 * is one line on stderr and status 2.  Either way nothing more is computed for
 * output that cannot be delivered, whichever thread meets the error first.
 * SIGPIPE itself is ignored (main.c), so a socket never kills the process.
 */
static FILE *out_stream;
static const char *out_cmd = "";

static _Noreturn void out_failed(int err)
{
	if (err == EPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
		_exit(EXIT_PIPE); /* SIGPIPE was blocked: the same status */
	}
	fprintf(stderr, "tlsalert%s%s: cannot write the output: %s\n", out_cmd[0] ? " " : "",
		out_cmd, strerror(err));
	_exit(EXIT_ERROR);
}

static ssize_t out_write(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			out_failed(n < 0 ? errno : EIO);
		done += (size_t)n;
	}
	return (ssize_t)len;
}

FILE *cli_out_open(void)
{
	cookie_io_functions_t io = {.write = out_write};
	FILE *f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return stdout; /* no memory: plain stdout, errors seen at the end only */
	/* a terminal gets each line as it is written, like stdout; anything else 64 KiB
	   at a time (glibc ignores the size given with no buffer: 8 KiB writes) */
	static char buf[1 << 16];
	if (isatty(STDOUT_FILENO))
		setvbuf(f, NULL, _IOLBF, BUFSIZ);
	else
		setvbuf(f, buf, _IOFBF, sizeof(buf));
	out_stream = f;
	return f;
}

void cli_out_command(const char *cmd)
{
	out_cmd = cmd != NULL ? cmd : "";
}

void cli_out_close(FILE *f)
{
	if (f == out_stream) {
		fclose(f); /* a failing write ends the process in out_write() */
		out_stream = NULL;
		return;
	}
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		out_failed(errno != 0 ? errno : EIO);
}

int cli_fileno(FILE *f)
{
	return f == out_stream && f != NULL ? STDOUT_FILENO : fileno(f);
}

bool cli_want_color(FILE *f, const char *when)
{
	if (when != NULL && strcmp(when, "always") == 0)
		return true;
	if (when != NULL && strcmp(when, "never") == 0)
		return false;
	const char *nc = getenv("NO_COLOR");
	if (nc != NULL && nc[0] != '\0')
		return false;
	const char *term = getenv("TERM");
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	return isatty(cli_fileno(f));
}

const char *cli_c(const struct cli *c, enum cli_color col)
{
	static const char *const seq[] = {
		"\033[0m",  "\033[1m",	"\033[2m",  "\033[31m", "\033[32m",
		"\033[33m", "\033[34m", "\033[35m", "\033[36m",
	};
	return c->color ? seq[col] : "";
}

/*
 * Reads all of a text file, through zlib so that gzip data is inflated.  The
 * file is opened once (a FIFO or /dev/stdin is read as it comes) and read in
 * chunks of at most CHUNK_MAX, so no length is ever cast to a narrower type
 * than zlib's `unsigned`/`int`; the whole stays under CLI_READ_MAX (a regular
 * file larger than that is refused before any read), and a NUL byte ends the
 * read at once: these are text files, and /dev/zero must not fill memory.
 */
static int read_failed(struct cli *c, gzFile gz, char *b, const char *path, const char *why)
{
	free(b);
	gzclose(gz);
	return cli_fail(c, "%s: %s", path, why);
}

int cli_read_file(struct cli *c, const char *path, char **buf, size_t *len)
{
	enum { CHUNK_MAX = 1 << 30 };
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cli_fail(c, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size >= CLI_READ_MAX) {
		close(fd);
		return cli_fail(c, "%s: %llu bytes: too large (the limit is %u MiB)", path,
				(unsigned long long)st.st_size, (unsigned)(CLI_READ_MAX >> 20));
	}
	gzFile gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		close(fd);
		return cli_fail(c, "%s: out of memory", path);
	}
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	char why[160];
	for (;;) {
		if (b == NULL)
			return read_failed(c, gz, NULL, path, "out of memory");
		size_t want = cli_read_chunk(cap, n, CHUNK_MAX);
		int got = gzread(gz, b + n, (unsigned)want);
		if (got < 0) {
			int e, saved = errno;
			const char *msg = gzerror(gz, &e);
			/* msg belongs to gz: copied before gzclose() frees it, less
			 * the "<fd:N>: " zlib puts first (the path is ours) */
			const char *sep = strncmp(msg, "<fd:", 4) == 0 ? strstr(msg, ": ") : NULL;
			snprintf(why, sizeof(why), "read error: %s",
				 e == Z_ERRNO ? strerror(saved)
				 : sep	      ? sep + 2
					      : msg);
			return read_failed(c, gz, b, path, why);
		}
		const char *nul = memchr(b + n, '\0', (size_t)got);
		if (nul != NULL) {
			snprintf(why, sizeof(why), "not a text file (a NUL byte at offset %zu)",
				 (size_t)(nul - b));
			return read_failed(c, gz, b, path, why);
		}
		n += (size_t)got;
		if (got == 0) {
			/* zlib ends a gzip stream cut short as if it were whole */
			int e;
			gzerror(gz, &e);
			if (e == Z_BUF_ERROR)
				return read_failed(c, gz, b, path,
						   "truncated gzip data (the stream ends early)");
			break;
		}
		if (n == cap) {
			if (cap >= CLI_READ_MAX) {
				snprintf(why, sizeof(why), "too large (the limit is %u MiB)",
					 (unsigned)(CLI_READ_MAX >> 20));
				return read_failed(c, gz, b, path, why);
			}
			cap = cap * 2 > CLI_READ_MAX ? CLI_READ_MAX : cap * 2;
			char *nb = realloc(b, cap + 1);
			if (nb == NULL)
				free(b);
			b = nb;
		}
	}
	gzclose(gz);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int cli_term_width(FILE *out)
{
	enum { MIN_WIDTH = 40, MAX_WIDTH = 1000 };
	const char *env = getenv("COLUMNS");
	int w = 0;
	if (env != NULL && env[0] != '\0') {
		char *end;
		long v = strtol(env, &end, 10);
		if (*end == '\0' && v > 0)
			w = v > MAX_WIDTH ? MAX_WIDTH : (int)v;
	}
	if (w == 0) {
		if (!isatty(cli_fileno(out)))
			return 0;
		struct winsize ws;
		if (ioctl(cli_fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			w = ws.ws_col;
		else
			w = 80;
	}
	return w < MIN_WIDTH ? MIN_WIDTH : w;
}

void cli_wrap(FILE *f, const char *text, int col, int indent, int width)
{
	const char *p = text;
	bool fresh = true; /* no word on this line yet */

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		size_t wl = strcspn(p, " ");
		if (wl == 0)
			break;
		/* a first line that starts right of the indent gets a space first */
		bool mid = !fresh || col > indent;
		if (width > 0 && mid && col + 1 + (int)wl > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (mid) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, wl, f);
		col += (int)wl;
		p += wl;
		fresh = false;
	}
	fputc('\n', f);
}

/*
 * JSON Lines is the bulk of scan's output: the writers below use the stdio
 * calls without per-call locking (the CLI writes from one thread) and format
 * integers by hand.
 */
#define PUT_LIT(f, lit) fwrite_unlocked(lit, 1, sizeof(lit) - 1, f)

static void write_u64(FILE *f, unsigned long long v)
{
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	fwrite_unlocked(buf + i, 1, sizeof(buf) - i, f);
}

/* Whether none of 8 bytes needs an escape in a JSON string (printable ASCII but '"'
 * and '\\'), tested together: an alert line is 4 KB of mostly plain text. */
static inline bool json_plain8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\'), d = x ^ (ones * 0x7f);
	uint64_t bad = (x & high) | ((x - ones * 0x20) & ~x & high) /* >= 0x80, < 0x20 */
		       | ((q - ones) & ~q & high) | ((b - ones) & ~b & high) |
		       ((d - ones) & ~d & high); /* '"', '\\', DEL */
	return bad == 0;
}

void json_write_string(FILE *f, const char *s, size_t len)
{
	putc_unlocked('"', f);
	for (size_t i = 0; i < len; i++) {
		/* runs of characters that need no escape go out in one call */
		size_t run = 0;
		uint64_t w;
		while (i + run + 8 <= len && (memcpy(&w, s + i + run, 8), json_plain8(w)))
			run += 8;
		while (i + run < len && (unsigned char)s[i + run] >= 0x20 &&
		       (unsigned char)s[i + run] < 0x7f && s[i + run] != '"' && s[i + run] != '\\')
			run++;
		if (run > 0) {
			fwrite_unlocked(s + i, 1, run, f);
			i += run - 1;
			continue;
		}
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': PUT_LIT(f, "\\\""); break;
		case '\\': PUT_LIT(f, "\\\\"); break;
		case '\n': PUT_LIT(f, "\\n"); break;
		case '\r': PUT_LIT(f, "\\r"); break;
		case '\t': PUT_LIT(f, "\\t"); break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				fprintf(f, "\\u%04x", ch);
			else if (ch >= 0x80)
				/* Untrusted text may be invalid UTF-8: keep JSON valid. */
				fprintf(f, "\\u%04x", ch);
			else
				putc_unlocked(ch, f);
		}
	}
	putc_unlocked('"', f);
}

static void jw_sep(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		putc_unlocked(',', w->f);
	w->first[w->depth] = false;
	if (key != NULL) {
		json_write_string(w->f, key, strlen(key));
		putc_unlocked(':', w->f);
	}
}

void jw_begin(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->first[0] = true;
	putc_unlocked('{', f);
}

void jw_end(struct jw *w)
{
	PUT_LIT(w->f, "}\n");
}

static void jw_open(struct jw *w, const char *key, char ch)
{
	jw_sep(w, key);
	putc_unlocked(ch, w->f);
	if (w->depth + 1 < (int)(sizeof(w->first) / sizeof(w->first[0])))
		w->depth++;
	w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char ch)
{
	putc_unlocked(ch, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_open(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}
void jw_obj_close(struct jw *w)
{
	jw_close(w, '}');
}
void jw_arr_open(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}
void jw_arr_close(struct jw *w)
{
	jw_close(w, ']');
}

void jw_str(struct jw *w, const char *key, const char *val)
{
	if (val == NULL) {
		jw_null(w, key);
		return;
	}
	jw_strn(w, key, val, strlen(val));
}

void jw_strn(struct jw *w, const char *key, const char *val, size_t len)
{
	jw_sep(w, key);
	json_write_string(w->f, val, len);
}

void jw_int(struct jw *w, const char *key, long long val)
{
	jw_sep(w, key);
	if (val < 0) {
		putc_unlocked('-', w->f);
		write_u64(w->f, 0 - (unsigned long long)val);
	} else {
		write_u64(w->f, (unsigned long long)val);
	}
}

void jw_uint(struct jw *w, const char *key, unsigned long long val)
{
	jw_sep(w, key);
	write_u64(w->f, val);
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	jw_sep(w, key);
	if (val)
		PUT_LIT(w->f, "true");
	else
		PUT_LIT(w->f, "false");
}

void jw_null(struct jw *w, const char *key)
{
	jw_sep(w, key);
	PUT_LIT(w->f, "null");
}

void jw_raw(struct jw *w, const char *key, const char *raw)
{
	jw_sep(w, key);
	fwrite_unlocked(raw, 1, strlen(raw), w->f);
}

void csv_field(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csv_int(FILE *f, long long v, bool first)
{
	if (!first)
		fputc(',', f);
	fprintf(f, "%lld", v);
}

void csv_end(FILE *f)
{
	fputc('\n', f);
}
