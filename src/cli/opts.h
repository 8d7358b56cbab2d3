/*
 * The one option parser of every subcommand.  A command declares its options
 * once, as a getopt_long table, and calls opts_next() until it returns
 * OPTS_DONE: whether an option takes an argument, which short options exist
 * and what an option error says all come from that table.
 */
#ifndef TLSA_CLI_OPTS_H
#define TLSA_CLI_OPTS_H

#include <getopt.h>

#include "cli.h"

enum {
	OPTS_DONE = -1,	 /* no more options: the operands are argv[optind, argc) */
	OPTS_ERROR = -2, /* bad option, already reported: print usage, exit EXIT_ERROR */
};

/*
 * Returns the `val` of the next option in argv (its argument, if any, in
 * optarg), OPTS_DONE or OPTS_ERROR.  `table` ends with a zeroed entry; every
 * entry has flag NULL and has_arg no_argument or required_argument.  An entry
 * whose val is below 256 is also the short option "-val" (so "-f X", "-fX" and
 * "-qf X" work).  Long options may be abbreviated to a unique prefix.  Options
 * may follow operands (getopt_long's permutation: `scan FILE --json`); "--"
 * ends the options, and "-" is an operand.  Errors, through cli_fail():
 *   unknown option '--frob'            unknown option '-z'
 *   option '--keylog' needs an argument   option '-f' needs an argument
 *   option '--no-infer' takes no argument
 *   option '--c' is ambiguous: --csv, --color
 */
int opts_next(struct cli *c, int argc, char **argv, const struct option *table);

#endif
