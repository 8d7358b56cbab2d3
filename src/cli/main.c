/* tlsalert: command dispatch and the top-level help. */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

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
};

static void usage(FILE *f)
{
	fprintf(f, "usage: tlsalert <command> [options] [arguments]\n\n"
		   "Tells which TLS alert happened, who sent it, at which step, and why.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'tlsalert <command> --help' describes a command; 'man tlsalert' has it all.\n"
		   "Exit status: 0 success (alerts found), 1 no alert found, 2 error.\n");
}

int main(int argc, char **argv)
{
	struct cli c = {
		.out = stdout, .err = stderr, .prog = "tlsalert", .cmd = NULL, .fmt = OUT_TEXT,
	};

	/* Output is parsed by scripts: no locale-dependent formatting. */
	setlocale(LC_ALL, "C");
	signal(SIGPIPE, SIG_IGN);
	c.width = cli_term_width(stdout);

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("tlsalert %s\n", TLSALERT_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			c.cmd = commands[i].name;
			int rc = commands[i].fn(&c, argc - 1, argv + 1);
			if (fflush(stdout) != 0 && rc == EXIT_OK)
				rc = EXIT_ERROR;
			return rc;
		}
	}
	fprintf(stderr, "tlsalert: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
