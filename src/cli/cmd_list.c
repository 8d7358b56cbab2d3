/* tlsalert list: the alert registry, filtered. */
#include <string.h>

#include "alertout.h"
#include "opts.h"

static void list_usage(FILE *f)
{
	fputs("usage: tlsalert list [options]\n"
	      "\n"
	      "Prints the TLS alert registry: by default every value IANA has assigned or\n"
	      "reserved.\n"
	      "\n"
	      "Which values:\n"
	      "  --assigned        only assigned values (no _RESERVED ones)\n"
	      "  --reserved        only reserved values\n"
	      "  --unofficial      also values used in the wild but never assigned (1, 208, 209)\n"
	      "  --all             every value 0-255, unassigned ones too\n"
	      "  --tls13           only alerts TLS 1.3 defines (error and closure alerts)\n"
	      "  --version V       only alerts defined in protocol version V (tls1.0 ... dtls1.3)\n"
	      "Output:\n"
	      "  --json            JSON Lines, one object per alert (fields: docs/json.md)\n"
	      "  --csv             CSV with a header line\n"
	      "  --color WHEN      auto (default), always or never; NO_COLOR is respected\n"
	      "                    (also --colour WHEN)\n"
	      "  -h, --help        this help\n",
	      f);
}

int cmd_list(struct cli *c, int argc, char **argv)
{
	struct cli_quoted q;
	enum {
		OPT_JSON = 256,
		OPT_CSV,
		OPT_ASSIGNED,
		OPT_RESERVED,
		OPT_UNOFFICIAL,
		OPT_ALL,
		OPT_TLS13,
		OPT_VERSION,
		OPT_COLOR
	};
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"csv", no_argument, NULL, OPT_CSV},
		{"assigned", no_argument, NULL, OPT_ASSIGNED},
		{"reserved", no_argument, NULL, OPT_RESERVED},
		{"unofficial", no_argument, NULL, OPT_UNOFFICIAL},
		{"all", no_argument, NULL, OPT_ALL},
		{"tls13", no_argument, NULL, OPT_TLS13},
		{"version", required_argument, NULL, OPT_VERSION},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool only_assigned = false, only_reserved = false, unofficial = false, all = false;
	tlsa_version ver = TLSA_VER_UNKNOWN;
	const char *color = NULL;
	int o;

	while ((o = opts_next(c, argc, argv, opts)) != OPTS_DONE) {
		switch (o) {
		case OPT_JSON: c->fmt = OUT_JSON; break;
		case OPT_CSV: c->fmt = OUT_CSV; break;
		case OPT_ASSIGNED: only_assigned = true; break;
		case OPT_RESERVED: only_reserved = true; break;
		case OPT_UNOFFICIAL: unofficial = true; break;
		case OPT_ALL: all = true; break;
		case OPT_TLS13: ver = TLSA_VER_TLS13; break;
		case OPT_VERSION:
			if (tlsa_version_parse(optarg, &ver) != 0)
				return cli_fail(c,
						"unknown protocol version %s (try tls1.2, tls1.3, "
						"dtls1.2)",
						cli_quote(&q, optarg));
			break;
		case OPT_COLOR: color = optarg; break;
		case 'h': list_usage(c->out); return EXIT_OK;
		case OPTS_ERROR: list_usage(c->err); return EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cli_fail(c, "unexpected argument %s", cli_quote(&q, argv[optind]));
	c->color = c->fmt == OUT_TEXT && cli_want_color(c->out, color);

	if (c->fmt == OUT_CSV)
		alert_csv_header(c->out);
	for (int code = 0; code < 256; code++) {
		const struct tlsa_alert *a = tlsa_alert_get((uint8_t)code);
		bool show = all || a->status == TLSA_STATUS_ASSIGNED ||
			    a->status == TLSA_STATUS_RESERVED ||
			    (unofficial && a->status == TLSA_STATUS_UNOFFICIAL);
		if (only_assigned && a->status != TLSA_STATUS_ASSIGNED)
			show = false;
		if (only_reserved && a->status != TLSA_STATUS_RESERVED)
			show = false;
		if (ver != TLSA_VER_UNKNOWN) {
			tlsa_rule r = tlsa_alert_rule(a, ver);
			if (r == TLSA_RULE_ABSENT || r == TLSA_RULE_RESERVED ||
			    a->status == TLSA_STATUS_UNASSIGNED)
				show = false;
		}
		if (!show)
			continue;
		if (c->fmt == OUT_JSON) {
			struct jw w;
			jw_begin(&w, c->out);
			alert_json_fields(&w, a);
			jw_end(&w);
		} else if (c->fmt == OUT_CSV) {
			alert_csv_row(c->out, a);
		} else {
			const char *col = a->status == TLSA_STATUS_ASSIGNED ? cli_c(c, C_BOLD)
									    : cli_c(c, C_DIM);
			fprintf(c->out, "%3d  %s%-34s%s %-10s %s\n", code, col, a->name,
				cli_c(c, C_RESET), tlsa_status_name(a->status), a->summary);
		}
	}
	return EXIT_OK;
}
