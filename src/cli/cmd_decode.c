/* tlsalert decode: alert records from hex bytes, in any common paste form. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"

/* The most bytes one input may expand to (dumps with "*" repeat lines). */
#define MAX_BYTES ((size_t)64 << 20)

static void decode_usage(FILE *f)
{
	fputs("usage: tlsalert decode [options] HEX...\n"
	      "       tlsalert decode [options] -r FILE | -\n"
	      "\n"
	      "Decodes TLS, DTLS and SSLv2 alert records from hex bytes.  The arguments are\n"
	      "joined into one input: 'decode 15 03 03 00 02 02 28' is one record.  Accepted:\n"
	      "plain hex with spaces, colons, commas, 0x or \\x prefixes; dumps from xxd,\n"
	      "hexdump -C, od -A x -t x1z, tshark -x and Wireshark 'Copy as Hex Dump' (offsets\n"
	      "and ASCII columns are checked and dropped); 'openssl s_client -msg' output.\n"
	      "The bytes may hold many records (TLS 5-byte headers, DTLS 13-byte headers,\n"
	      "DTLS 1.3 unified headers, SSLv2 headers) or bare 2-byte alert bodies.\n"
	      "\n"
	      "Options:\n"
	      "  -r, --file FILE   read the input from FILE ('-' = standard input; gzip is fine)\n"
	      "  --version V       the protocol version (tls1.2, tls1.3, dtls1.2 ...): chooses\n"
	      "                    the level rules; tls1.3 flags fragmented or coalesced alerts\n"
	      "                    and reports 19- or 11-byte application_data records as\n"
	      "                    possible encrypted alerts (also --tls-version V)\n"
	      "  --bare            the input is alert bodies (level, description) only\n"
	      "  -q, --alerts-only text output: leave out the other records (context lines)\n"
	      "  --json            JSON Lines, one object per alert (fields: docs/decode.md)\n"
	      "  --csv             CSV with a header line\n"
	      "  --color WHEN      auto (default), always or never; NO_COLOR is respected\n"
	      "                    (also --colour WHEN)\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 at least one alert decoded, 1 valid input without an alert,\n"
	      "2 bad usage or malformed input (what was decoded before the error is printed).\n",
	      f);
}

struct dctx {
	struct cli *c;
	bool alerts_only;
	size_t n_alerts;
};

static void record_label(char *buf, size_t cap, tlsa_record_type rt, tlsa_version v, uint16_t wire,
			 unsigned flags)
{
	switch (rt) {
	case TLSA_RECORD_BARE: snprintf(buf, cap, "bare alert"); break;
	case TLSA_RECORD_SSL2: snprintf(buf, cap, "SSLv2 record"); break;
	case TLSA_RECORD_TLS:
	case TLSA_RECORD_DTLS:
		if (flags & TLSA_DEC_UNIFIED)
			snprintf(buf, cap, "DTLS 1.3 unified");
		else if (v != TLSA_VER_UNKNOWN)
			snprintf(buf, cap, "%s record", tlsa_version_name(v));
		else
			snprintf(buf, cap, "0x%04x record", wire);
		break;
	}
}

static const char *severity_color(const struct cli *c, tlsa_severity s)
{
	switch (s) {
	case TLSA_SEV_FATAL: return cli_c(c, C_RED);
	case TLSA_SEV_WARNING: return cli_c(c, C_YELLOW);
	case TLSA_SEV_CLOSURE: return cli_c(c, C_GREEN);
	case TLSA_SEV_UNKNOWN: break;
	}
	return "";
}

static const char *direction_name(tlsa_direction d)
{
	return d == TLSA_DIR_RECEIVED ? "received" : d == TLSA_DIR_SENT ? "sent" : NULL;
}

static void text_flags(struct cli *c, const struct tlsa_decoded *d)
{
	const char *y = cli_c(c, C_YELLOW), *r = cli_c(c, C_RESET);
	FILE *f = c->out;

	if (d->flags & TLSA_DEC_FRAGMENTED)
		fprintf(f, "%15sfragmented: the 2 alert bytes span two records\n", "");
	if (d->flags & TLSA_DEC_COALESCED)
		fprintf(f, "%15scoalesced: its record carries more than one alert\n", "");
	if (d->flags & TLSA_DEC_TLS13_ILLEGAL)
		fprintf(f,
			"%15s%sillegal in TLS 1.3: alerts must not be fragmented or "
			"coalesced (RFC 8446 5.1)%s\n",
			"", y, r);
}

static void text_alert(struct dctx *x, const struct tlsa_decoded *d)
{
	struct cli *c = x->c;
	FILE *f = c->out;
	const char *b = cli_c(c, C_BOLD), *r = cli_c(c, C_RESET), *dim = cli_c(c, C_DIM);
	char label[48], lev[24];
	const char *dir = direction_name(d->direction);

	record_label(label, sizeof(label), d->record_type, d->version, d->record_version, d->flags);
	fprintf(f, "offset %-7zu %-17s ", d->offset, label);
	if (d->record_type == TLSA_RECORD_SSL2) {
		const char *n = tlsa_ssl2_error_name(d->ssl2_error);
		fprintf(f, "%sSSL 2.0 ERROR %s (0x%04x)%s%s%s\n", b, n ? n : "unknown code",
			(unsigned)d->ssl2_error, r, dir ? ", " : "", dir ? dir : "");
		fprintf(f,
			"%15s%sSSL 2.0 has no alerts: this error message is what an SSLv2 "
			"peer sends instead%s\n",
			"", dim, r);
		return;
	}
	if (d->encrypted) {
		fprintf(f, "%sencrypted alert%s, %zu bytes  - level and description unknown%s%s\n",
			cli_c(c, C_MAGENTA), r, d->record_length, dir ? ", " : "", dir ? dir : "");
		if (d->flags & TLSA_DEC_APPDATA_SIZE)
			fprintf(f,
				"%15san application_data record of alert size: TLS 1.3 sends "
				"alerts this way, but it may be data\n",
				"");
		if (d->flags & TLSA_DEC_LENGTH_GUESS)
			fprintf(f,
				"%15srecord length not in the header: taken up to the end of "
				"the input\n",
				"");
		fprintf(f, "%15s%sfits:%s ", "", dim, r);
		cli_wrap(f, d->cipher_shapes ? d->cipher_shapes : "no known protection", 21, 21,
			 c->width);
		return;
	}
	const struct tlsa_alert *a = tlsa_alert_get((uint8_t)d->description);
	tlsa_severity sev = tlsa_effective_severity(a->code, d->level, d->rules);
	const char *ln = tlsa_level_name(d->level);
	const char *remark = tlsa_level_remark(a->code, d->level, d->rules);
	snprintf(lev, sizeof(lev), "%s(%d)", ln ? ln : "level", d->level);
	fprintf(f, "%-10s %s%s (%d)%s  - effective: %s%s%s", lev, b, a->name, a->code, r,
		severity_color(c, sev), tlsa_severity_name(sev), r);
	if (d->rules != TLSA_VER_UNKNOWN && d->rules != d->version)
		fprintf(f, " (%s rules)", tlsa_version_name(d->rules));
	if (dir)
		fprintf(f, ", %s", dir);
	fputc('\n', f);
	fprintf(f, "%15s", "");
	cli_wrap(f, a->summary, 15, 15, c->width);
	if (remark)
		fprintf(f, "%15s%snote: %s%s\n", "", cli_c(c, C_YELLOW), remark, r);
	text_flags(c, d);
}

static void json_alert(struct dctx *x, const struct tlsa_decoded *d)
{
	struct jw w;
	char ver[8];
	bool known = !d->encrypted && d->description >= 0;
	const struct tlsa_alert *a = known ? tlsa_alert_get((uint8_t)d->description) : NULL;
	bool has_ver = d->record_type == TLSA_RECORD_TLS ||
		       (d->record_type == TLSA_RECORD_DTLS && !(d->flags & TLSA_DEC_UNIFIED));
	bool dtls = d->record_type == TLSA_RECORD_DTLS;

	jw_begin(&w, x->c->out);
	jw_uint(&w, "offset", d->offset);
	jw_str(&w, "record_type", tlsa_record_type_name(d->record_type));
	snprintf(ver, sizeof(ver), "0x%04x", d->record_version);
	jw_str(&w, "record_version", has_ver ? ver : NULL);
	jw_str(&w, "version",
	       d->version != TLSA_VER_UNKNOWN ? tlsa_version_name(d->version) : NULL);
	jw_str(&w, "rules_version",
	       d->rules != TLSA_VER_UNKNOWN ? tlsa_version_name(d->rules) : NULL);
	if (d->content_type >= 0)
		jw_int(&w, "content_type", d->content_type);
	else
		jw_null(&w, "content_type");
	if (d->record_type == TLSA_RECORD_BARE)
		jw_null(&w, "record_length");
	else
		jw_uint(&w, "record_length", d->record_length);
	if (dtls)
		jw_uint(&w, "epoch", d->epoch);
	else
		jw_null(&w, "epoch");
	if (dtls && !(d->flags & TLSA_DEC_UNIFIED))
		jw_uint(&w, "seq", d->seq);
	else
		jw_null(&w, "seq");
	jw_bool(&w, "encrypted", d->encrypted);
	if (d->level >= 0)
		jw_int(&w, "level", d->level);
	else
		jw_null(&w, "level");
	jw_str(&w, "level_name", d->level >= 0 ? tlsa_level_name(d->level) : NULL);
	if (known) {
		jw_int(&w, "description", d->description);
		jw_int(&w, "code", d->description);
	} else {
		jw_null(&w, "description");
		jw_null(&w, "code");
	}
	jw_str(&w, "name", a ? a->name : NULL);
	if (a) {
		tlsa_severity sev = tlsa_effective_severity(a->code, d->level, d->rules);
		jw_str(&w, "severity", tlsa_severity_name(sev));
		jw_str(&w, "remark", tlsa_level_remark(a->code, d->level, d->rules));
		jw_str(&w, "meaning", a->summary);
	} else {
		jw_null(&w, "severity");
		jw_null(&w, "remark");
		jw_null(&w, "meaning");
	}
	jw_str(&w, "cipher_shapes", d->cipher_shapes);
	jw_bool(&w, "fragmented", (d->flags & TLSA_DEC_FRAGMENTED) != 0);
	jw_bool(&w, "coalesced", (d->flags & TLSA_DEC_COALESCED) != 0);
	jw_bool(&w, "tls13_illegal", (d->flags & TLSA_DEC_TLS13_ILLEGAL) != 0);
	jw_bool(&w, "appdata_size", (d->flags & TLSA_DEC_APPDATA_SIZE) != 0);
	jw_bool(&w, "length_guessed", (d->flags & TLSA_DEC_LENGTH_GUESS) != 0);
	jw_str(&w, "direction", direction_name(d->direction));
	if (d->ssl2_error >= 0)
		jw_int(&w, "ssl2_error", d->ssl2_error);
	else
		jw_null(&w, "ssl2_error");
	jw_str(&w, "ssl2_error_name", tlsa_ssl2_error_name(d->ssl2_error));
	jw_end(&w);
}

static void csv_header(FILE *f)
{
	fputs("offset,record_type,record_version,version,rules_version,content_type,"
	      "record_length,epoch,seq,encrypted,level,description,name,severity,remark,"
	      "cipher_shapes,fragmented,coalesced,tls13_illegal,direction,ssl2_error\n",
	      f);
}

static void csv_opt_int(FILE *f, bool have, long long v)
{
	if (have)
		csv_int(f, v, false);
	else
		csv_field(f, NULL, false);
}

static void csv_alert(struct dctx *x, const struct tlsa_decoded *d)
{
	FILE *f = x->c->out;
	char ver[8];
	bool known = !d->encrypted && d->description >= 0;
	const struct tlsa_alert *a = known ? tlsa_alert_get((uint8_t)d->description) : NULL;
	bool has_ver = d->record_type == TLSA_RECORD_TLS ||
		       (d->record_type == TLSA_RECORD_DTLS && !(d->flags & TLSA_DEC_UNIFIED));
	bool dtls = d->record_type == TLSA_RECORD_DTLS;

	snprintf(ver, sizeof(ver), "0x%04x", d->record_version);
	csv_int(f, (long long)d->offset, true);
	csv_field(f, tlsa_record_type_name(d->record_type), false);
	csv_field(f, has_ver ? ver : NULL, false);
	csv_field(f, d->version != TLSA_VER_UNKNOWN ? tlsa_version_name(d->version) : NULL, false);
	csv_field(f, d->rules != TLSA_VER_UNKNOWN ? tlsa_version_name(d->rules) : NULL, false);
	csv_opt_int(f, d->content_type >= 0, d->content_type);
	csv_opt_int(f, d->record_type != TLSA_RECORD_BARE, (long long)d->record_length);
	csv_opt_int(f, dtls, d->epoch);
	csv_opt_int(f, dtls && !(d->flags & TLSA_DEC_UNIFIED), (long long)d->seq);
	csv_field(f, d->encrypted ? "true" : "false", false);
	csv_opt_int(f, d->level >= 0, d->level);
	csv_opt_int(f, known, d->description);
	csv_field(f, a ? a->name : NULL, false);
	if (a) {
		csv_field(f,
			  tlsa_severity_name(tlsa_effective_severity(a->code, d->level, d->rules)),
			  false);
		csv_field(f, tlsa_level_remark(a->code, d->level, d->rules), false);
	} else {
		csv_field(f, NULL, false);
		csv_field(f, NULL, false);
	}
	csv_field(f, d->cipher_shapes, false);
	csv_field(f, d->flags & TLSA_DEC_FRAGMENTED ? "true" : "false", false);
	csv_field(f, d->flags & TLSA_DEC_COALESCED ? "true" : "false", false);
	csv_field(f, d->flags & TLSA_DEC_TLS13_ILLEGAL ? "true" : "false", false);
	csv_field(f, direction_name(d->direction), false);
	csv_opt_int(f, d->ssl2_error >= 0, d->ssl2_error);
	csv_end(f);
}

static int on_alert(void *ctx, const struct tlsa_decoded *d)
{
	struct dctx *x = ctx;

	x->n_alerts++;
	switch (x->c->fmt) {
	case OUT_JSON: json_alert(x, d); break;
	case OUT_CSV: csv_alert(x, d); break;
	case OUT_TEXT: text_alert(x, d); break;
	}
	return 0;
}

static int on_record(void *ctx, const struct tlsa_record_info *ri)
{
	struct dctx *x = ctx;
	struct cli *c = x->c;
	char label[48];

	if (c->fmt != OUT_TEXT || x->alerts_only)
		return 0;
	record_label(label, sizeof(label), ri->record_type, ri->version, ri->record_version,
		     ri->content_type < 0 ? TLSA_DEC_UNIFIED : 0);
	fprintf(c->out, "%soffset %-7zu %-17s %s, %zu byte%s%s\n", cli_c(c, C_DIM), ri->offset,
		label, ri->what, ri->record_length, ri->record_length == 1 ? "" : "s",
		cli_c(c, C_RESET));
	return 0;
}

/* "line 2, column 5" for a character offset in `text`. */
static void text_position(const char *text, size_t len, size_t off, char *buf, size_t cap)
{
	size_t line = 1, col = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(buf, cap, "line %zu, column %zu", line, col);
}

static int decode_text(struct cli *c, struct dctx *x, const struct tlsa_decode_opts *o,
		       const char *src, const char *text, size_t len)
{
	struct tlsa_error err = {0, 0, ""};
	char pos[64];

	if (tlsa_text_is_msg(text, len)) {
		int rc = tlsa_decode_msg(text, len, o, on_alert, x, &err);
		if (rc != 0) {
			text_position(text, len, err.offset, pos, sizeof(pos));
			return cli_fail(c, "%s: %s: %s", src, pos, err.msg);
		}
		return x->n_alerts > 0 ? EXIT_OK : EXIT_NONE;
	}

	/* len / 2 + 1 bytes hold any hex but a dump whose "*" lines repeat data. */
	size_t cap = len / 2 + 1, n = 0;
	uint8_t *buf = NULL;
	int hrc;
	for (;;) {
		uint8_t *nb = realloc(buf, cap);
		if (nb == NULL) {
			free(buf);
			return cli_fail(c, "out of memory");
		}
		buf = nb;
		hrc = tlsa_hex_decode(text, len, buf, cap, &n, &err);
		if (hrc != TLSA_ELIMIT || cap >= MAX_BYTES)
			break;
		cap = cap * 4 < MAX_BYTES ? cap * 4 : MAX_BYTES;
	}
	struct tlsa_error herr = err;
	if (hrc == 0 && n == 0) {
		free(buf);
		return cli_fail(c, "%s: no hex bytes in the input", src);
	}
	struct tlsa_error derr = {0, 0, ""};
	int drc = tlsa_decode_alerts_opt(buf, n, o, on_alert, x, &derr);
	free(buf);
	/* Bytes cut short by a hex error end early: that is not news. */
	if (drc != 0 && !(hrc != 0 && drc == TLSA_ETRUNC))
		cli_fail(c, "%s: byte %zu: %s", src, derr.offset, derr.msg);
	if (hrc != 0) {
		text_position(text, len, herr.offset, pos, sizeof(pos));
		cli_fail(c, "%s: %s: %s", src, pos, herr.msg);
	}
	if (hrc != 0 || drc != 0)
		return EXIT_ERROR;
	return x->n_alerts > 0 ? EXIT_OK : EXIT_NONE;
}

int cmd_decode(struct cli *c, int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_CSV, OPT_VERSION, OPT_COLOR, OPT_BARE };
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"csv", no_argument, NULL, OPT_CSV},
		{"version", required_argument, NULL, OPT_VERSION},
		{"tls-version", required_argument, NULL, OPT_VERSION},
		{"file", required_argument, NULL, 'r'},
		{"bare", no_argument, NULL, OPT_BARE},
		{"alerts-only", no_argument, NULL, 'q'},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tlsa_decode_opts o = {sizeof(o), TLSA_VER_UNKNOWN, false, on_record};
	struct dctx x = {c, false, 0};
	const char *color = NULL, *file = NULL;
	int opt;

	while ((opt = opts_next(c, argc, argv, opts)) != OPTS_DONE) {
		switch (opt) {
		case OPT_JSON: c->fmt = OUT_JSON; break;
		case OPT_CSV: c->fmt = OUT_CSV; break;
		case OPT_VERSION:
			if (tlsa_version_parse(optarg, &o.version) != 0)
				return cli_fail(
					c,
					"unknown protocol version '%s' (try tls1.2, tls1.3, "
					"dtls1.2)",
					optarg);
			break;
		case OPT_BARE: o.bare = true; break;
		case OPT_COLOR: color = optarg; break;
		case 'r': file = optarg; break;
		case 'q': x.alerts_only = true; break;
		case 'h': decode_usage(c->out); return EXIT_OK;
		case OPTS_ERROR: decode_usage(c->err); return EXIT_ERROR;
		}
	}
	c->color = c->fmt == OUT_TEXT && cli_want_color(c->out, color);

	char *text = NULL;
	size_t len = 0;
	const char *src;
	bool stdin_arg = argc - optind == 1 && strcmp(argv[optind], "-") == 0;
	if (file != NULL && optind < argc) {
		cli_fail(c, "give the hex either as arguments or with --file, not both");
		return EXIT_ERROR;
	}
	if (file != NULL || stdin_arg || optind >= argc) {
		const char *path = file ? file : "-";
		if (path == file && strcmp(path, "-") != 0)
			src = path;
		else
			src = "stdin";
		if (file == NULL && !stdin_arg && isatty(0)) {
			cli_fail(c, "no input: give hex bytes as arguments, --file FILE, or '-' "
				    "for standard input");
			decode_usage(c->err);
			return EXIT_ERROR;
		}
		if (cli_read_file(c, path, &text, &len) != 0)
			return EXIT_ERROR;
	} else {
		/* The arguments are one input, joined by spaces. */
		src = "arguments";
		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		text = malloc(len + 1);
		if (text == NULL)
			return cli_fail(c, "out of memory");
		len = 0;
		for (int i = optind; i < argc; i++) {
			size_t n = strlen(argv[i]);
			if (i > optind)
				text[len++] = ' ';
			memcpy(text + len, argv[i], n);
			len += n;
		}
		text[len] = '\0';
	}
	if (c->fmt == OUT_CSV)
		csv_header(c->out);
	int rc = decode_text(c, &x, &o, src, text, len);
	free(text);
	return rc;
}
