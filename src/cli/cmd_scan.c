/*
 * tlsalert scan: every TLS/DTLS alert in packet captures or on an interface.
 * This file reads the options and runs the scan; scan.h lists the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "scan.h"
#include "scan_jobs.h"
#include "scan_out.h"
#include "tlsalert/capture.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

static void scan_usage(FILE *f)
{
	fputs("usage: tlsalert scan [options] FILE...\n"
	      "       tlsalert scan [options] -i IFACE\n"
	      "\n"
	      "Finds every TLS and DTLS alert in pcap/pcapng files (gzip accepted, '-' = stdin)\n"
	      "or on a live interface, on any port, after STARTTLS, and in UDP (DTLS).  TLS 1.3\n"
	      "alerts hidden in encrypted records are inferred from their size and position.\n"
	      "\n"
	      "Input:\n"
	      "  -i, --interface IFACE  capture live until interrupted (Ctrl-C)\n"
	      "  -f, --filter EXPR      BPF filter (libpcap syntax)\n"
	      "  --max-flows N          flows kept at once (default 65536)\n"
	      "  --flow-buffer BYTES    out-of-order bytes kept per direction (default 262144)\n"
	      "  --idle-timeout SEC     close a flow after SEC seconds of silence (default 300)\n"
	      "  --no-infer             do not infer TLS 1.3 alerts from record sizes\n"
	      "  -j, --jobs N           threads: up to N files at once, and a second thread per\n"
	      "                         file for the output when N allows (default: one per\n"
	      "                         CPU; -j 1: one thread); the output is the same for any N\n"
	      "Decryption:\n"
	      "  --keylog FILE          NSS key log (SSLKEYLOGFILE format): decrypt alerts;\n"
	      "                         repeatable;"
	      " default: the file named by $SSLKEYLOGFILE, if it exists\n"
	      "  --decrypt-all          open every protected record, not only those that can hold\n"
	      "                         an alert (slower)\n"
	      "Diagnosis:\n"
	      "  --client-stack NAME    the TLS stack the client runs, when you know it (openssl,\n"
	      "                         boringssl, go, java, gnutls, nss, rustls, schannel, ...);\n"
	      "                         it replaces the guess from the ClientHello's shape\n"
	      "  --server-stack NAME    the same for the server (needed when it alerts before its\n"
	      "                         ServerHello, which is what a guess is made from)\n"
	      "Output:\n"
	      "  --summary              one line per TLS connection and totals, not per alert\n"
	      "  --json                 JSON Lines (fields: docs/scan.md)\n"
	      "  --csv                  CSV with a header line\n"
	      "  --brief                text output: one line per alert, without the explanation\n"
	      "  -v, --verbose          also report capture and parsing notices on stderr\n"
	      "  --progress             bytes and alerts so far on stderr, even when it is not a\n"
	      "                         terminal (default: only on a terminal)\n"
	      "  --no-progress          no progress line, even on a terminal\n"
	      "  --color WHEN           auto (default), always or never; NO_COLOR is respected\n"
	      "                         (also --colour WHEN)\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Stdin, FIFOs and -i are read as packets arrive; each alert is written at once.\n"
	      "Ctrl-C (SIGINT/SIGTERM) stops any scan and writes what was found so far.\n"
	      "\n"
	      "Exit status: 0 alerts found, 1 no alert (also after Ctrl-C), 2 error (results\n"
	      "found before it are still written).\n",
	      f);
}

static int parse_num(struct cli *c, const char *opt, const char *arg, unsigned long long max,
		     unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v > max)
		return cli_fail(c, "%s needs a number up to %llu, got '%s'", opt, max, arg);
	*out = v;
	return 0;
}

#define SCAN_GO_ON (-1) /* scan_options: the options are read, scan */

/* What the command line asks for. */
struct scan_opts {
	struct scan_settings set;
	struct tlsa_capture_opts copts;
	struct tlsa_tracker_opts topts;
	unsigned jobs;
	const char *iface, *color;
	int want_progress; /* --progress 1, --no-progress 0, else -1 */
	const char *keylogs[64];
	size_t nkeylogs;
	char *live_name[1]; /* set.files with -i */
};

/* scan's options; a value below 256 is also the short option. */
enum {
	OPT_JSON = 256,
	OPT_CSV,
	OPT_SUMMARY,
	OPT_MAXFLOWS,
	OPT_FLOWBUF,
	OPT_IDLE,
	OPT_NOINFER,
	OPT_COLOR,
	OPT_PROGRESS,
	OPT_NOPROGRESS,
	OPT_BRIEF,
	OPT_KEYLOG,
	OPT_DECRYPT_ALL,
	OPT_JOBS,
	OPT_CLIENT_STACK,
	OPT_SERVER_STACK
};
static const struct option scan_opts_table[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"csv", no_argument, NULL, OPT_CSV},
	{"summary", no_argument, NULL, OPT_SUMMARY},
	{"interface", required_argument, NULL, 'i'},
	{"filter", required_argument, NULL, 'f'},
	{"max-flows", required_argument, NULL, OPT_MAXFLOWS},
	{"flow-buffer", required_argument, NULL, OPT_FLOWBUF},
	{"idle-timeout", required_argument, NULL, OPT_IDLE},
	{"no-infer", no_argument, NULL, OPT_NOINFER},
	{"brief", no_argument, NULL, OPT_BRIEF},
	{"keylog", required_argument, NULL, OPT_KEYLOG},
	{"decrypt-all", no_argument, NULL, OPT_DECRYPT_ALL},
	{"jobs", required_argument, NULL, 'j'},
	{"client-stack", required_argument, NULL, OPT_CLIENT_STACK},
	{"server-stack", required_argument, NULL, OPT_SERVER_STACK},
	{"verbose", no_argument, NULL, 'v'},
	{"progress", no_argument, NULL, OPT_PROGRESS},
	{"no-progress", no_argument, NULL, OPT_NOPROGRESS},
	{"color", required_argument, NULL, OPT_COLOR},
	{"colour", required_argument, NULL, OPT_COLOR},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/*
 * Reads the options into *o: SCAN_GO_ON, or the exit status when the command
 * ends here (--help, a usage error).  The one option parser (opts.c) decides
 * from scan_opts_table whether an option takes an argument.
 */
static int scan_options(struct cli *c, int argc, char **argv, struct scan_opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	*o = (struct scan_opts){.jobs = ncpu < 1    ? 1
					: ncpu > 64 ? 64
						    : (unsigned)ncpu,
				.want_progress = -1};
	o->copts.sz = sizeof(o->copts);
	o->topts.sz = sizeof(o->topts);
	unsigned long long v;
	int opt;

	while ((opt = opts_next(c, argc, argv, scan_opts_table, true)) != OPTS_DONE) {
		switch (opt) {
		case OPT_JSON: c->fmt = OUT_JSON; break;
		case OPT_CSV: c->fmt = OUT_CSV; break;
		case OPT_SUMMARY: o->set.summary = true; break;
		case 'i': o->iface = optarg; break;
		case 'f': o->copts.bpf = optarg; break;
		case OPT_MAXFLOWS:
			if (parse_num(c, "--max-flows", optarg, 100000000, &v) != 0)
				return EXIT_ERROR;
			o->copts.max_flows = (size_t)v;
			break;
		case OPT_FLOWBUF:
			if (parse_num(c, "--flow-buffer", optarg, 1ull << 32, &v) != 0)
				return EXIT_ERROR;
			o->copts.max_flow_buffer = (size_t)v;
			break;
		case OPT_IDLE:
			if (parse_num(c, "--idle-timeout", optarg, 1u << 30, &v) != 0)
				return EXIT_ERROR;
			o->copts.idle_timeout = (uint32_t)v;
			break;
		case OPT_NOINFER: o->topts.no_infer = true; break;
		case OPT_BRIEF: o->set.brief = true; break;
		case OPT_KEYLOG:
			if (o->nkeylogs == sizeof(o->keylogs) / sizeof(o->keylogs[0]))
				return cli_fail(c, "at most %zu --keylog files", o->nkeylogs);
			o->keylogs[o->nkeylogs++] = optarg;
			break;
		case OPT_DECRYPT_ALL: o->topts.decrypt_all = true; break;
		case OPT_CLIENT_STACK:
			if (scan_stack_option(c, "--client-stack", optarg, &o->set.stacks.client) !=
			    0)
				return EXIT_ERROR;
			break;
		case OPT_SERVER_STACK:
			if (scan_stack_option(c, "--server-stack", optarg, &o->set.stacks.server) !=
			    0)
				return EXIT_ERROR;
			break;
		case 'j':
			if (parse_num(c, "--jobs", optarg, 64, &v) != 0)
				return EXIT_ERROR;
			o->jobs = v == 0 ? 1 : (unsigned)v;
			break;
		case 'v': o->set.verbose = true; break;
		case OPT_PROGRESS: o->want_progress = 1; break;
		case OPT_NOPROGRESS: o->want_progress = 0; break;
		case OPT_COLOR: o->color = optarg; break;
		case 'h': scan_usage(c->out); return EXIT_OK;
		case OPTS_ERROR: scan_usage(c->err); return EXIT_ERROR;
		}
	}
	if (o->iface == NULL && optind >= argc) {
		cli_fail(c, "no capture file given (use '-' for stdin, or -i IFACE)");
		scan_usage(c->err);
		return EXIT_ERROR;
	}
	if (o->iface != NULL && optind < argc)
		return cli_fail(c, "give either capture files or -i IFACE, not both");
	return SCAN_GO_ON;
}

/* The settings that follow from the options and the files; the CSV header. */
static void scan_settle(struct cli *c, struct scan_opts *o, int argc, char **argv)
{
	struct scan_settings *set = &o->set;
	c->color = c->fmt == OUT_TEXT && cli_want_color(c->out, o->color);
	set->progress = o->want_progress >= 0 ? o->want_progress == 1 : isatty(fileno(c->err)) != 0;
	if (o->iface != NULL) {
		o->live_name[0] = (char *)o->iface;
		set->files = o->live_name;
		set->nfiles = 1;
	} else {
		set->files = argv + optind;
		set->nfiles = (size_t)(argc - optind);
	}
	for (size_t i = 0; i < set->nfiles; i++) {
		size_t n = strlen(set->files[i]) + 6;
		if (n > (size_t)set->width)
			set->width = n > 200 ? 200 : (int)n;
	}
	/* Threads: one per file at a time, up to `jobs`; when that leaves a core per
	 * file spare, each file's output is formatted by a second thread. */
	size_t workers = set->nfiles < o->jobs ? set->nfiles : o->jobs;
	set->out_thread = o->jobs >= 2 * workers;
	if (c->fmt == OUT_CSV)
		scan_out_csv_header(c, set->summary);
}

/* After the files: the summary, the counters on stderr; the exit status. */
static int scan_report(struct cli *c, struct scan_run *r, struct scan_shared *sh)
{
	const struct scan_settings *set = r->set;
	if (set->progress && atomic_load(&sh->bytes) >= PROGRESS_STEP)
		fputs("\r\033[K", c->err);
	if (set->summary)
		scan_summary_write(c, &r->counts, &r->tot);
	scan_totals_report(c->err, &r->tot, set->verbose, r->topts->keylog != NULL);
	struct scan_explain_in ex = {.tot = &r->tot,
				     .nalerts = r->counts.nalerts,
				     .nfiles = set->nfiles,
				     .filter = r->copts->bpf != NULL && r->copts->bpf[0] != '\0',
				     .failed = r->failed,
				     .iface = r->live ? set->files[0] : NULL,
				     .keylog = r->topts->keylog != NULL,
				     .keylog_conns = tlsa_keylog_count(r->topts->keylog)};
	scan_explain(c->err, &ex);
	int rc = EXIT_OK;
	if (r->failed)
		rc = EXIT_ERROR;
	else if (r->counts.nalerts == 0)
		rc = EXIT_NONE;
	fflush(c->out);
	return rc;
}

int cmd_scan(struct cli *c, int argc, char **argv)
{
	struct scan_opts o;
	int rc = scan_options(c, argc, argv, &o);
	if (rc != SCAN_GO_ON)
		return rc;
	struct tlsa_keylog *kl;
	if (scan_keylogs_load(c, o.keylogs, o.nkeylogs, &kl) != 0)
		return EXIT_ERROR;
	o.topts.keylog = kl;
	scan_settle(c, &o, argc, argv);

	o.copts.stop = scan_stop_flag();
	scan_signals_catch();
	struct scan_shared sh = {.err = c->err, .next_progress = PROGRESS_STEP};
	struct scan_run r = {.c = c,
			     .set = &o.set,
			     .copts = &o.copts,
			     .topts = &o.topts,
			     .sh = &sh,
			     .jobs = o.jobs,
			     .live = o.iface != NULL};
	if (o.iface != NULL)
		scan_live(&r);
	else
		scan_files(&r);
	rc = scan_report(c, &r, &sh);
	tlsa_keylog_free(kl);
	scan_counts_free(&r.counts);
	return rc;
}
