/* tlsalert: command dispatch and the top-level help. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <pcap/pcap.h>
#include <zlib.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(struct cli *, int, char **);
	const char *what;
} commands[] = {
	{"explain", cmd_explain, "explain alerts given by code, name or pasted error message"},
	{"list", cmd_list, "print the alert registry"},
	{"decode", cmd_decode, "decode alert records from hex bytes"},
	{"scan", cmd_scan, "find every TLS/DTLS alert in packet captures or on an interface"},
	{"logs", cmd_logs, "find alerts in the logs and error messages of TLS stacks"},
	{"probe", cmd_probe, "ask one live server which alert it sends to which hello"},
	{"serve", cmd_serve, "send any alert at any handshake step, judge how the peer reacts"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tlsalert <command> [options] [arguments]\n"
		   "       tlsalert --version | --help\n\n"
		   "Tells which TLS alert happened, who sent it, at which step, and why.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "  %-9s %s\n", "version", "the same as --version");
	fprintf(f, "\nOptions:\n"
		   "  -h, --help        this help (also 'tlsalert help')\n"
		   "  -V, --version     the version of tlsalert and of the libpcap, OpenSSL and\n"
		   "                    zlib it runs with, one per line\n"
		   "\n'tlsalert <command> --help' describes a command; 'man tlsalert' has it all.\n"
		   "Exit status: 0 success (alerts found), 1 no alert found, 2 error, 141 the\n"
		   "output was closed before all of it was written ('| head').\n");
}

/* tlsalert and the libraries it runs with (not those it was built with). */
static void version(FILE *f)
{
	fprintf(f, "tlsalert %s\n%s\n%s\nzlib %s\n", TLSALERT_VERSION, pcap_lib_version(),
		OpenSSL_version(OPENSSL_VERSION), zlibVersion());
}

static int run(struct cli *c, int argc, char **argv)
{
	if (argc < 2) {
		usage(c->err);
		return EXIT_ERROR;
	}
	const char *a = argv[1];
	struct cli_quoted q;
	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
		usage(c->out);
		return EXIT_OK;
	}
	if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0 || strcmp(a, "version") == 0) {
		if (argc > 2) {
			fprintf(c->err, "tlsalert: %s takes no argument\n", cli_quote(&q, a));
			return EXIT_ERROR;
		}
		version(c->out);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(a, commands[i].name) == 0) {
			c->cmd = commands[i].name;
			cli_out_command(c->cmd);
			return commands[i].fn(c, argc - 1, argv + 1);
		}
	}
	fprintf(c->err, "tlsalert: unknown command %s\n\n", cli_quote(&q, a));
	usage(c->err);
	return EXIT_ERROR;
}

int main(int argc, char **argv)
{
	/* Output is parsed by scripts: no locale-dependent formatting. */
	setlocale(LC_ALL, "C");
	/* A closed pipe is seen as EPIPE on the write that meets it (cli_out_open);
	 * a socket of the library never kills the process. */
	signal(SIGPIPE, SIG_IGN);

	struct cli c = {
		.out = cli_out_open(),
		.err = stderr,
		.prog = "tlsalert",
		.cmd = NULL,
		.fmt = OUT_TEXT,
	};
	c.width = cli_term_width(c.out);
	int rc = run(&c, argc, argv);
	cli_out_close(c.out); /* a write error ends the process here */
	return rc;
}
