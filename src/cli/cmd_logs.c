/*
 * tlsalert logs: find alert mentions in logs and pasted error messages.
 *
 * Input is read in large blocks (plain or gzip, detected by its magic bytes),
 * cut after the last complete line of each block, and handed to the library's
 * recogniser.  Memory stays bounded whatever the file size; a line longer than
 * the largest buffer is scanned in pieces.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "causes_out.h"
#include "cli.h"
#include "opts.h"
#include "tlsalert/text.h"

#define BLOCK	    (1u << 18) /* bytes read per call */
#define MAX_BUF	    (1u << 20) /* longest line kept whole (memory: docs/logs.md) */
#define CUT_LOOK    (1u << 16) /* where a longer line is cut into pieces */
#define MATCH_SHOWN 120	       /* text output: matched text shown up to this */
#define LOG_CAUSES  3	       /* ranked causes written per mention (JSON) */
#define MEMO_MAX    512	       /* diagnoses remembered per run */

/*
 * The diagnosis of a mention depends only on its code, its direction and the
 * stack that wrote it, and a log repeats the same few combinations, so each
 * one is ranked once and remembered.
 */
struct cause_memo {
	int code;
	tlsa_text_dir dir;
	const char *impl;
	const char *rule_fragment; /* the local error that matched (its rule leads), or NULL */
	size_t n;
	struct tlsa_cause cs[LOG_CAUSES];
};

static void logs_usage(FILE *f)
{
	fputs("usage: tlsalert logs [options] [FILE...|-]\n"
	      "\n"
	      "Finds TLS alerts in logs and error messages (plain text or gzip): OpenSSL,\n"
	      "BoringSSL, LibreSSL, GnuTLS, NSS, Java, Go, rustls, .NET, SChannel, mbedTLS,\n"
	      "wolfSSL, Apple, Python, Node.js, curl, nginx, Apache, HAProxy, Envoy, Erlang,\n"
	      "Wireshark, QUIC.  Each mention: where, which alert, and who sent it.\n"
	      "Without FILE, or with '-', reads standard input.\n"
	      "\n"
	      "Options:\n"
	      "  --summary         one row per alert, direction and implementation, with\n"
	      "                    counts and the first and last line\n"
	      "  --json            JSON Lines (fields: docs/logs.md)\n"
	      "  --csv             CSV with a header line\n"
	      "  --all             every matching pattern, not one mention per alert and line\n"
	      "  --color WHEN      auto (default), always or never; NO_COLOR is respected\n"
	      "                    (also --colour WHEN)\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 an alert was found, 1 none, 2 an input could not be read.\n",
	      f);
}

struct sum_row {
	int code;
	const char *none; /* a local error that is no alert: what the text output says, else NULL */
	tlsa_text_dir dir;
	const char *impl;
	unsigned long long count;
	const char *first_file, *last_file;
	unsigned long long first_line, last_line;
	int next; /* chain in the bucket, -1 ends */
};

struct logs {
	struct cli *c;
	struct tlsa_text *rec;
	unsigned flags;
	bool summary;
	unsigned long long found;
	bool header_done; /* text output: the header line is written */
	/* Per input. */
	const char *name;	     /* as printed */
	unsigned long long line;     /* 1-based number of the line at `counted` */
	unsigned long long end_line; /* the last line of the mention being reported */
	size_t counted;		     /* offset in the current block up to which lines are counted */
	unsigned long long base;     /* stream offset of the current block */
	size_t carry_col; /* bytes of the current line already scanned in earlier pieces */
	/* Summary. */
	struct sum_row *rows;
	size_t n_rows, cap_rows;
	int bucket[257 * 3];
	/* Diagnoses already ranked. */
	struct cause_memo *memo;
	size_t n_memo;
	struct cause_memo scratch; /* when the memo is full */
};

/*
 * The likely causes of a mention.  A line names the stack that wrote it: that
 * is the sender's stack only when the logging side sent the alert.
 */
static const struct cause_memo *mention_causes(struct logs *L, const struct tlsa_text_mention *m)
{
	for (size_t i = 0; i < L->n_memo; i++) {
		struct cause_memo *e = &L->memo[i];
		if (e->code == m->code && e->dir == m->dir &&
		    e->rule_fragment == m->rule_fragment &&
		    (e->impl == m->implementation || strcmp(e->impl, m->implementation) == 0))
			return e;
	}
	if (L->memo == NULL)
		L->memo = calloc(MEMO_MAX, sizeof(*L->memo));
	struct cause_memo *e =
		L->memo != NULL && L->n_memo < MEMO_MAX ? &L->memo[L->n_memo++] : &L->scratch;
	e->code = m->code;
	e->dir = m->dir;
	e->impl = m->implementation;
	e->rule_fragment = m->rule_fragment;
	e->n = 0;
	const struct tlsa_cause_rule *pc = causes_peerclosed_rule(m);
	if (pc != NULL) { /* no alert: what ends a connection under a side */
		e->n = causes_peerclosed(pc, e->cs, LOG_CAUSES);
		return e;
	}
	if (m->code < 0)
		return e;

	struct tlsa_diag_ctx ctx;
	struct tlsa_cause all[CAUSES_MAX];
	size_t n = 0;
	if (!tlsa_diag_ctx_from_mention(&ctx, m) ||
	    tlsa_diagnose(&ctx, all, CAUSES_MAX, &n, NULL) != 0)
		n = 0;
	e->n = n < LOG_CAUSES ? n : LOG_CAUSES;
	memcpy(e->cs, all, e->n * sizeof(all[0]));
	return e;
}

/* Matched text for text and CSV output: printable ASCII, the rest as \xNN. */
static void printable(const char *s, size_t len, size_t max, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (i == max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (ch >= 0x20 && ch < 0x7f) {
			out[o++] = (char)ch;
		} else {
			snprintf(out + o, cap - o, "\\x%02x", ch);
			o += 4;
		}
	}
	out[o] = '\0';
}

static const char *dir_color(const struct cli *c, tlsa_text_dir d)
{
	switch (d) {
	case TLSA_TEXT_RECEIVED: return cli_c(c, C_YELLOW);
	case TLSA_TEXT_SENT: return cli_c(c, C_MAGENTA);
	default: return cli_c(c, C_DIM);
	}
}

static int add_summary(struct logs *L, const struct tlsa_text_mention *m, unsigned long long line)
{
	/* An error that means no alert passed is counted apart, with no code. */
	const struct tlsa_cause_rule *rule =
		m->rule_id != NULL ? tlsa_cause_rule_get(m->rule_id) : NULL;
	const char *none = rule == NULL		      ? NULL
			   : rule->notls	      ? "(no alert: peer not TLS)"
			   : rule->peerclosed != NULL ? "(no alert: connection ended)"
						      : NULL;
	int code = none != NULL ? -1 : m->code;
	int b = (code + 1) * 3 + (int)m->dir;
	for (int i = L->bucket[b]; i >= 0; i = L->rows[i].next) {
		struct sum_row *r = &L->rows[i];
		if (r->none == none &&
		    (r->impl == m->implementation || strcmp(r->impl, m->implementation) == 0)) {
			r->count++;
			r->last_file = L->name;
			r->last_line = line;
			return 0;
		}
	}
	if (L->n_rows == L->cap_rows) {
		size_t cap = L->cap_rows ? L->cap_rows * 2 : 64;
		struct sum_row *nr = realloc(L->rows, cap * sizeof(*nr));
		if (nr == NULL)
			return -1;
		L->rows = nr;
		L->cap_rows = cap;
	}
	struct sum_row *r = &L->rows[L->n_rows];
	*r = (struct sum_row){code,    none, m->dir, m->implementation, 1, L->name,
			      L->name, line, line,   L->bucket[b]};
	L->bucket[b] = (int)L->n_rows++;
	return 0;
}

/* The direction in words, from the point of view of the side that wrote the log. */
static const char *dir_words(tlsa_text_dir d, bool notls, bool closed)
{
	if (notls)
		return "none: peer not TLS";
	if (closed)
		return "none: conn. ended";
	switch (d) {
	case TLSA_TEXT_RECEIVED: return "received from peer";
	case TLSA_TEXT_SENT: return "sent by this side";
	default: return "sender not said";
	}
}

/*
 * Text output, two lines a mention, within 100 columns: "file:line", the alert, the
 * direction in words and the stack; under it, indented, the likely cause and the text that
 * matched, wrapped to the terminal (cli_wrap; no wrapping when piped without COLUMNS).  The
 * column is only in JSON and CSV.  A header line comes before the first mention.
 */
static void print_text(struct logs *L, const struct tlsa_text_mention *m, unsigned long long line,
		       int code, const char *name, bool notls, bool closed, char *shown,
		       size_t shown_cap, const char *matched, size_t mlen)
{
	struct cli *c = L->c;
	FILE *f = c->out;
	char loc[512], codebuf[16], both[64], under[MATCH_SHOWN * 4 + 96];
	int locw = (int)strlen(L->name) + 8; /* aligned within a file: ":line" up to 7 digits */

	if (locw > 40)
		locw = 40;
	/* A terminal too narrow for the columns and the longest stack name (a long file
	   name in 80 columns: the row would wrap in the middle of the stack's name) gets
	   the rows without padding, and no header over columns that are not there. */
	bool compact = c->width > 0 && locw + 58 + 13 > c->width; /* 13: "curl-schannel" */
	if (compact) {
		L->header_done = true;
		locw = 0;
	}
	if (!L->header_done) {
		fprintf(f, "%s%-*s %-34s %-18s  %s%s\n", cli_c(c, C_DIM), locw, "FILE:LINE",
			"ALERT", "DIRECTION", "STACK", cli_c(c, C_RESET));
		L->header_done = true;
	}
	printable(matched, mlen, MATCH_SHOWN, shown, shown_cap);
	snprintf(loc, sizeof(loc), "%s:%llu", L->name, line);
	if (code >= 0)
		snprintf(codebuf, sizeof(codebuf), "%3d", code);
	else
		snprintf(codebuf, sizeof(codebuf), "  -");
	if (name != NULL && m->pre13) {
		/* the version decides: 116 under TLS 1.3, 40 before */
		snprintf(both, sizeof(both), "%s (%d <1.3)", name, m->code_pre13);
		name = both;
	}
	const struct cause_memo *cm = mention_causes(L, m);
	fprintf(f,
		compact ? "%s%-*s%s  %s%s %s%s  %s%s%s  %s\n"
			: "%s%-*s%s %s%s %-30s%s %s%-18s%s  %s\n",
		cli_c(c, C_DIM), locw, loc, cli_c(c, C_RESET), cli_c(c, C_BOLD),
		compact && code >= 0 ? codebuf + strspn(codebuf, " ") : codebuf,
		name	 ? name
		: notls	 ? "(no alert: peer not TLS)"
		: closed ? "(no alert: connection ended)"
			 : "(alert not named)",
		cli_c(c, C_RESET), dir_color(c, m->dir), dir_words(m->dir, notls, closed),
		cli_c(c, C_RESET), m->implementation);
	char quic[64] = ""; /* how QUIC carried it: CRYPTO_ERROR 0x100 + code */
	if (m->transport != NULL && code >= 0)
		snprintf(quic, sizeof(quic), "QUIC CRYPTO_ERROR 0x%x; ", 0x100 + code);
	snprintf(under, sizeof(under), "%s%s%s%stext \"%s\"", quic,
		 cm->n > 0 ? "likely cause " : "", cm->n > 0 ? cm->cs[0].id : "",
		 cm->n > 0 ? "; " : "", shown);
	fputs("    ", f);
	cli_wrap(f, under, 4, 6, c->width);
}

static void print_mention(struct logs *L, const char *block, const struct tlsa_text_mention *m,
			  unsigned long long line)
{
	struct cli *c = L->c;
	FILE *f = c->out;
	/* Only the block's first line can be the rest of a line scanned in pieces. */
	size_t col = m->start - m->line_start + 1 + (m->line_start == 0 ? L->carry_col : 0);
	size_t end_col = m->end > m->start ? col + (m->end - m->start) - 1 : col;
	/* An error that means the peer did not speak TLS: no alert was received, and what
	   the rule files it under is not shown as one (the causes still rank with it). */
	/* One look-up of the rule (a linear search) for both questions. */
	const struct tlsa_cause_rule *rule =
		m->rule_id != NULL ? tlsa_cause_rule_get(m->rule_id) : NULL;
	bool notls = rule != NULL && rule->notls;
	/* The connection ended under the logging side: the alert filed for it never left. */
	bool closed = rule != NULL && rule->peerclosed != NULL;
	int code = notls || closed ? -1 : m->code;
	const char *name = code >= 0 ? tlsa_alert_get((uint8_t)code)->name : NULL;
	const char *matched = block + m->start;
	size_t mlen = m->end - m->start;

	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, f);
		jw_str(&w, "file", L->name);
		jw_uint(&w, "line", line);
		jw_uint(&w, "end_line", L->end_line);
		jw_uint(&w, "column", col);
		jw_uint(&w, "end_column", end_col);
		jw_uint(&w, "offset", L->base + m->start);
		if (code >= 0)
			jw_int(&w, "code", code);
		else
			jw_null(&w, "code");
		jw_str(&w, "name", name);
		jw_bool(&w, "not_tls", notls);
		jw_bool(&w, "peer_closed", closed);
		causes_json_pre13(&w, m);
		jw_str(&w, "direction", tlsa_text_dir_name(m->dir));
		jw_str(&w, "implementation", m->implementation);
		jw_str(&w, "pattern", m->pattern_id);
		jw_strn(&w, "matched", matched, mlen);
		if (m->rule_id != NULL) {
			jw_str(&w, "rule_id", m->rule_id);
			jw_str(&w, "rule_fragment", m->rule_fragment);
		} else {
			jw_null(&w, "rule_id");
			jw_null(&w, "rule_fragment");
		}
		jw_str(&w, "transport", m->transport);
		if (m->transport != NULL && code >= 0)
			jw_int(&w, "quic_error_code", 0x100 + code);
		else
			jw_null(&w, "quic_error_code");
		const struct cause_memo *cm = mention_causes(L, m);
		causes_json(&w, "causes", cm->cs, cm->n);
		jw_end(&w);
		return;
	}
	char shown[MATCH_SHOWN * 4 + 8];
	if (c->fmt == OUT_CSV) {
		printable(matched, mlen, 4096, shown, sizeof(shown));
		csv_field(f, L->name, true);
		csv_int(f, (long long)line, false);
		csv_int(f, (long long)col, false);
		csv_int(f, (long long)end_col, false);
		if (code >= 0)
			csv_int(f, code, false);
		else
			csv_field(f, "", false);
		csv_field(f, name ? name : "", false);
		csv_field(f, tlsa_text_dir_name(m->dir), false);
		csv_field(f, m->implementation, false);
		csv_field(f, m->pattern_id, false);
		csv_field(f, shown, false);
		const struct cause_memo *cm = mention_causes(L, m);
		csv_field(f, cm->n > 0 ? cm->cs[0].id : "", false);
		csv_end(f);
		return;
	}
	print_text(L, m, line, code, name, notls, closed, shown, sizeof(shown), matched, mlen);
}

struct block_ctx {
	struct logs *L;
	const char *block;
	bool oom;
};

static int on_mention(void *ctx, const struct tlsa_text_mention *m)
{
	struct block_ctx *bc = ctx;
	struct logs *L = bc->L;

	/* A record over several lines is reported at its first line (span_start), which
	   may lie before the line of the mention reported last. */
	if (m->span_start >= L->counted)
		L->line +=
			tlsa_text_count_lines(bc->block + L->counted, m->span_start - L->counted);
	else
		L->line -= tlsa_text_count_lines(bc->block + m->span_start,
						 L->counted - m->span_start);
	L->counted = m->span_start;
	L->end_line = L->line +
		      tlsa_text_count_lines(bc->block + m->span_start, m->span_end - m->span_start);
	L->found++;
	if (L->summary) {
		if (add_summary(L, m, L->line) != 0) {
			bc->oom = true;
			return 1;
		}
		return 0;
	}
	print_mention(L, bc->block, m, L->line);
	return 0;
}

/* Scans buf[0, len): complete lines, or one piece of an over-long line. */
static int scan_block(struct logs *L, const char *buf, size_t len)
{
	struct block_ctx bc = {L, buf, false};
	L->counted = 0;
	tlsa_text_scan(L->rec, buf, len, L->flags, on_mention, &bc);
	if (bc.oom)
		return cli_fail(L->c, "out of memory");
	L->line += tlsa_text_count_lines(buf + L->counted, len - L->counted);
	L->base += len;
	return 0;
}

/* The input as a stream of decompressed bytes. */
struct source {
	int fd;
	bool gz;
	z_stream z;
	unsigned char *in;
	size_t in_len;
	bool in_eof;
	bool mid_member; /* inside a gzip member: the end of input would cut it */
	unsigned long long in_total;
};

/* Reads up to `cap` bytes; returns the count, 0 at the end, -1 on error (message printed). */
static long src_read(struct logs *L, struct source *s, char *out, size_t cap)
{
	if (!s->gz) {
		size_t got = 0;
		if (s->in_len > 0) { /* the bytes read to sniff the format */
			got = s->in_len < cap ? s->in_len : cap;
			memcpy(out, s->in, got);
			memmove(s->in, s->in + got, s->in_len - got);
			s->in_len -= got;
			return (long)got;
		}
		for (;;) {
			ssize_t n = read(s->fd, out, cap);
			if (n >= 0)
				return (long)n;
			if (errno != EINTR) {
				cli_fail(L->c, "%s: read error after byte %llu: %s", L->name,
					 L->base, strerror(errno));
				return -1;
			}
		}
	}
	s->z.next_out = (unsigned char *)out;
	s->z.avail_out = (uInt)cap;
	while (s->z.avail_out > 0) {
		if (s->z.avail_in == 0) {
			if (s->in_eof)
				break;
			ssize_t n = read(s->fd, s->in, BLOCK);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				cli_fail(L->c, "%s: read error after compressed byte %llu: %s",
					 L->name, s->in_total, strerror(errno));
				return -1;
			}
			if (n == 0) {
				s->in_eof = true;
				break;
			}
			s->z.next_in = s->in;
			s->z.avail_in = (uInt)n;
		}
		uInt before = s->z.avail_in;
		int rc = inflate(&s->z, Z_NO_FLUSH);
		s->in_total += before - s->z.avail_in;
		if (rc == Z_STREAM_END) {
			/* Another gzip member may follow (concatenated .gz files). */
			s->mid_member = false;
			inflateReset(&s->z);
			continue;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			cli_fail(L->c, "%s: corrupt gzip data at compressed byte %llu: %s", L->name,
				 s->in_total, s->z.msg ? s->z.msg : "inflate failed");
			return -1;
		}
		s->mid_member = true;
	}
	if (s->z.avail_out == cap && s->in_eof && s->mid_member) {
		cli_fail(L->c,
			 "%s: gzip data ends early, at compressed byte %llu (file truncated?)",
			 L->name, s->in_total);
		return -1;
	}
	return (long)(cap - s->z.avail_out);
}

/* Sniffs gzip by its magic bytes and sets up its decoding; returns EXIT_OK or EXIT_ERROR. */
static int src_sniff(struct logs *L, struct source *s)
{
	while (s->in_len < 2) {
		ssize_t n = read(s->fd, s->in + s->in_len, BLOCK - s->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cli_fail(L->c, "%s: cannot read: %s", L->name, strerror(errno));
		if (n == 0)
			break;
		s->in_len += (size_t)n;
	}
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->gz = true;
		if (inflateInit2(&s->z, 15 + 32) != Z_OK)
			return cli_fail(L->c, "%s: cannot start gzip decoding", L->name);
		s->z.next_in = s->in;
		s->z.avail_in = (uInt)s->in_len;
		s->in_total = 0;
		s->in_len = 0;
	}
	return EXIT_OK;
}

/*
 * Where a line longer than MAX_BUF is cut into a piece that is scanned alone: before
 * the last quote or tab in its last CUT_LOOK bytes (the field separators of JSON and
 * tab-separated logs, which the alert wording of no stack contains), so that a message
 * is not split between two pieces; else at the end of the buffer.
 */
static size_t piece_end(const char *buf, size_t have)
{
	size_t stop = have > CUT_LOOK ? have - CUT_LOOK : 1;
	for (size_t i = have - 1; i >= stop; i--)
		if (buf[i] == '"' || buf[i] == '\t')
			return i;
	return have;
}

/*
 * Reads the input to its end and scans it one block of complete lines at a
 * time, in *bufp (`cap` bytes, grown up to MAX_BUF; the caller frees it).
 * Returns EXIT_OK or EXIT_ERROR.
 */
static int scan_lines(struct logs *L, struct source *s, char **bufp, size_t cap)
{
	char *buf = *bufp;
	size_t have = 0;
	int rc = EXIT_OK;

	for (;;) {
		if (have == cap) {
			/* No newline in a full buffer: grow, or scan the piece as it is. */
			if (cap < MAX_BUF) {
				char *nb = realloc(buf, cap * 2);
				if (nb == NULL)
					return cli_fail(L->c, "out of memory");
				*bufp = buf = nb;
				cap *= 2;
			} else {
				size_t take = piece_end(buf, have);
				if (scan_block(L, buf, take) != 0)
					return EXIT_ERROR;
				L->carry_col += take;
				memmove(buf, buf + take, have - take);
				have -= take;
			}
		}
		long n = src_read(L, s, buf + have, cap - have < BLOCK ? cap - have : BLOCK);
		if (n < 0) {
			/* Report what the complete lines so far hold, then fail. */
			rc = EXIT_ERROR;
			break;
		}
		if (n == 0)
			break;
		size_t old = have;
		have += (size_t)n;
		const char *nl = buf + have;
		while (nl > buf + old && nl[-1] != '\n')
			nl--;
		if (nl == buf + old)
			continue;
		nl--;
		size_t take = (size_t)(nl - buf) + 1;
		if (scan_block(L, buf, take) != 0)
			return EXIT_ERROR;
		L->carry_col = 0;
		memmove(buf, buf + take, have - take);
		have -= take;
	}
	if (have > 0 && scan_block(L, buf, have) != 0)
		rc = EXIT_ERROR;
	return rc;
}

/* Scans one input, a file or "-" for standard input; returns EXIT_OK or EXIT_ERROR. */
static int scan_input(struct logs *L, const char *path)
{
	struct source s;
	int rc;

	memset(&s, 0, sizeof(s));
	if (strcmp(path, "-") == 0) {
		s.fd = STDIN_FILENO;
		L->name = "-";
	} else {
		s.fd = open(path, O_RDONLY);
		L->name = path;
		if (s.fd < 0)
			return cli_fail(L->c, "%s: cannot open: %s", path, strerror(errno));
	}
	L->line = 1;
	L->base = 0;
	L->carry_col = 0;
	s.in = malloc(BLOCK);
	size_t cap = 4 * BLOCK;
	char *buf = malloc(cap);
	if (s.in == NULL || buf == NULL) {
		rc = cli_fail(L->c, "out of memory");
	} else if ((rc = src_sniff(L, &s)) == EXIT_OK) {
		rc = scan_lines(L, &s, &buf, cap);
		if (s.gz)
			inflateEnd(&s.z);
	}
	free(buf);
	free(s.in);
	if (s.fd > STDIN_FILENO)
		close(s.fd);
	return rc;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct sum_row *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->code != y->code)
		return x->code < y->code ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	return strcmp(x->impl, y->impl);
}

static void print_summary(struct logs *L)
{
	struct cli *c = L->c;
	FILE *f = c->out;

	qsort(L->rows, L->n_rows, sizeof(L->rows[0]), cmp_rows);
	if (c->fmt == OUT_CSV) {
		fputs("count,code,name,direction,implementation,first_file,first_line,last_file,"
		      "last_line\n",
		      f);
	} else if (c->fmt == OUT_TEXT && L->n_rows > 0) {
		fprintf(f, "%s%7s %4s %-31s %-8s  %-15s %s%s\n", cli_c(c, C_DIM), "count", "code",
			"alert", "from", "implementation", "first .. last line", cli_c(c, C_RESET));
	}
	for (size_t i = 0; i < L->n_rows; i++) {
		const struct sum_row *r = &L->rows[i];
		const char *name = r->code >= 0 ? tlsa_alert_get((uint8_t)r->code)->name : NULL;
		if (c->fmt == OUT_JSON) {
			struct jw w;
			jw_begin(&w, f);
			jw_uint(&w, "count", r->count);
			if (r->code >= 0)
				jw_int(&w, "code", r->code);
			else
				jw_null(&w, "code");
			jw_str(&w, "name", name);
			jw_str(&w, "direction", tlsa_text_dir_name(r->dir));
			jw_str(&w, "implementation", r->impl);
			jw_str(&w, "first_file", r->first_file);
			jw_uint(&w, "first_line", r->first_line);
			jw_str(&w, "last_file", r->last_file);
			jw_uint(&w, "last_line", r->last_line);
			jw_end(&w);
		} else if (c->fmt == OUT_CSV) {
			csv_int(f, (long long)r->count, true);
			if (r->code >= 0)
				csv_int(f, r->code, false);
			else
				csv_field(f, "", false);
			csv_field(f, name ? name : "", false);
			csv_field(f, tlsa_text_dir_name(r->dir), false);
			csv_field(f, r->impl, false);
			csv_field(f, r->first_file, false);
			csv_int(f, (long long)r->first_line, false);
			csv_field(f, r->last_file, false);
			csv_int(f, (long long)r->last_line, false);
			csv_end(f);
		} else {
			char codebuf[16], span[1100];
			if (r->code >= 0)
				snprintf(codebuf, sizeof(codebuf), "%4d", r->code);
			else
				snprintf(codebuf, sizeof(codebuf), "   -");
			if (strcmp(r->first_file, r->last_file) == 0)
				snprintf(span, sizeof(span), "%s:%llu .. %llu", r->first_file,
					 r->first_line, r->last_line);
			else
				snprintf(span, sizeof(span), "%s:%llu .. %s:%llu", r->first_file,
					 r->first_line, r->last_file, r->last_line);
			fprintf(f, "%7llu %s%s %-31s%s %s%-8s%s  %-15s %s\n", r->count,
				cli_c(c, C_BOLD), codebuf,
				name	  ? name
				: r->none ? r->none
					  : "(alert not named)",
				cli_c(c, C_RESET), dir_color(c, r->dir), tlsa_text_dir_name(r->dir),
				cli_c(c, C_RESET), r->impl, span);
		}
	}
}

int cmd_logs(struct cli *c, int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_CSV, OPT_SUMMARY, OPT_ALL, OPT_COLOR };
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"csv", no_argument, NULL, OPT_CSV},
		{"summary", no_argument, NULL, OPT_SUMMARY},
		{"all", no_argument, NULL, OPT_ALL},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct logs L;
	const char *color = NULL;
	struct tlsa_error err;
	int opt;

	memset(&L, 0, sizeof(L));
	L.c = c;
	for (size_t i = 0; i < sizeof(L.bucket) / sizeof(L.bucket[0]); i++)
		L.bucket[i] = -1;
	while ((opt = opts_next(c, argc, argv, opts)) != OPTS_DONE) {
		switch (opt) {
		case OPT_JSON: c->fmt = OUT_JSON; break;
		case OPT_CSV: c->fmt = OUT_CSV; break;
		case OPT_SUMMARY: L.summary = true; break;
		case OPT_ALL: L.flags |= TLSA_TEXT_ALL; break;
		case OPT_COLOR: color = optarg; break;
		case 'h': logs_usage(c->out); return EXIT_OK;
		case OPTS_ERROR: logs_usage(c->err); return EXIT_ERROR;
		}
	}
	c->color = c->fmt == OUT_TEXT && cli_want_color(c->out, color);
	if (tlsa_text_new(&L.rec, &err) != 0)
		return cli_fail(c, "%s", err.msg);
	static char obuf[1 << 16];
	setvbuf(c->out, obuf, _IOFBF, sizeof(obuf));
	if (c->fmt == OUT_CSV && !L.summary)
		fputs("file,line,column,end_column,code,name,direction,implementation,pattern,"
		      "matched,likely_cause\n",
		      c->out);

	int rc = EXIT_OK;
	if (optind >= argc) {
		if (scan_input(&L, "-") != EXIT_OK)
			rc = EXIT_ERROR;
	}
	for (int i = optind; i < argc; i++)
		if (scan_input(&L, argv[i]) != EXIT_OK)
			rc = EXIT_ERROR;
	if (L.summary)
		print_summary(&L);
	fflush(c->out);
	tlsa_text_free(L.rec);
	free(L.rows);
	free(L.memo);
	if (rc != EXIT_OK)
		return rc;
	return L.found > 0 ? EXIT_OK : EXIT_NONE;
}
