/*
 * The option parser of every subcommand: getopt_long, driven by the command's
 * table alone.  getopt_long does the parsing (abbreviations, "--", clusters of
 * short options, permutation); this file builds its short-option string from
 * the table and turns its '?' and ':' into one sentence naming the option.
 */
#include <ctype.h>
#include <string.h>

#include "opts.h"

/*
 * getopt_long's short-option string: ":" so that a missing argument comes back
 * as ':' rather than '?', then every entry whose val is a character, with ':'
 * when it takes an argument.  No "+": options may follow operands, as in GNU
 * tools (`tlsalert scan FILE --json`), and "--" ends them.
 */
static void short_options(const struct option *table, char *buf, size_t cap)
{
	size_t n = 0;

	buf[n++] = ':';
	for (const struct option *o = table; o->name != NULL && n + 3 <= cap; o++) {
		if (o->val <= 0 || o->val >= 256)
			continue;
		buf[n++] = (char)o->val;
		if (o->has_arg == required_argument)
			buf[n++] = ':';
	}
	buf[n] = '\0';
}

static bool has_val(const struct option *table, int val)
{
	for (const struct option *o = table; o->name != NULL; o++)
		if (o->val == val)
			return true;
	return false;
}

/* Two names of one option (--color, --colour) do not make an abbreviation ambiguous. */
static bool same_option(const struct option *a, const struct option *b)
{
	return a->has_arg == b->has_arg && a->flag == b->flag && a->val == b->val;
}

/*
 * The entry `--name` (up to an '=') stands for: an exact match, else the one
 * option it abbreviates.  Returns how many different options match (0, 1 or
 * more); `list` gets their names for the "ambiguous" message.
 */
static size_t find_long(const struct option *table, const char *name, size_t len,
			const struct option **hit, char *list, size_t cap)
{
	size_t n = 0, used = 0;

	list[0] = '\0';
	for (const struct option *o = table; o->name != NULL; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (o->name[len] == '\0') {
			*hit = o;
			return 1;
		}
		bool alias = false;
		for (const struct option *p = table; p < o && !alias; p++)
			alias = strncmp(p->name, name, len) == 0 && same_option(p, o);
		if (alias)
			continue;
		if (n++ == 0)
			*hit = o;
		if (used < cap) {
			int w = snprintf(list + used, cap - used, "%s--%s", n > 1 ? ", " : "",
					 o->name);
			used += w > 0 ? (size_t)w : 0;
		}
	}
	return n;
}

/* The error getopt_long found in the long option `arg` ("--name" or "--name=value"). */
static void long_error(struct cli *c, const struct option *table, const char *arg, bool missing)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct option *hit = NULL;
	char list[256];
	size_t n = len > 0 ? find_long(table, name, len, &hit, list, sizeof(list)) : 0;

	struct cli_quoted q;
	if (n == 0) /* the name alone, or all of "--=x" */
		cli_fail(c, "unknown option %s",
			 cli_quoten(&q, arg, 2 + (len > 0 ? len : strlen(name))));
	else if (n > 1)
		cli_fail(c, "option %s is ambiguous: %s", cli_quoten(&q, arg, 2 + len), list);
	else if (missing)
		cli_fail(c, "option '--%s' needs an argument", hit->name);
	else if (eq != NULL && hit->has_arg == no_argument)
		cli_fail(c, "option '--%s' takes no argument", hit->name);
	else
		cli_fail(c, "invalid option %s",
			 cli_quote(&q, arg)); /* getopt_long and the table disagree */
}

/*
 * Short options that meant something else in an earlier release: the error
 * names the option to use now, rather than a bare "unknown option".
 */
static const struct {
	const char *cmd;
	int ch;
	const char *now;
} moved[] = {
	{"decode", 'f', "the input file is '-r FILE' or '--file FILE'; -f is scan's filter"},
};

static void short_error(struct cli *c, int ch, bool missing)
{
	for (size_t i = 0; i < sizeof(moved) / sizeof(moved[0]); i++)
		if (c->cmd != NULL && strcmp(c->cmd, moved[i].cmd) == 0 && ch == moved[i].ch) {
			cli_fail(c, "unknown option '-%c' (%s)", ch, moved[i].now);
			return;
		}
	if (missing)
		cli_fail(c, "option '-%c' needs an argument", ch);
	else if (ch > 0 && ch < 128 && isgraph(ch))
		cli_fail(c, "unknown option '-%c'", ch);
	else
		cli_fail(c, "unknown option '-\\x%02x'", (unsigned)ch & 0xff);
}

int opts_next(struct cli *c, int argc, char **argv, const struct option *table)
{
	char shorts[128];

	short_options(table, shorts, sizeof(shorts));
	opterr = 0;
	int ret = getopt_long(argc, argv, shorts, table, NULL);
	if (ret == -1)
		return OPTS_DONE;
	if (ret != '?' && ret != ':')
		return ret;

	/*
	 * After an error in a long option getopt_long has stepped past it, so it
	 * is argv[optind - 1], and optopt is 0 (unknown, ambiguous) or the
	 * option's val.  A short option in the middle of a cluster ("-zq") is not
	 * stepped past: it is known by optopt alone, a character of no entry when
	 * unknown.  A missing argument is at the end of argv: the option is the
	 * last element whether short or long.
	 */
	const char *arg = argv[optind - 1];
	bool is_long = strncmp(arg, "--", 2) == 0 && arg[2] != '\0';
	if (ret == ':' && !is_long)
		short_error(c, optopt, true);
	else if (ret == '?' && optopt != 0 && !has_val(table, optopt))
		short_error(c, optopt, false);
	else if (is_long)
		long_error(c, table, arg, ret == ':');
	else
		cli_fail(c, "invalid option '%s'", arg);
	return OPTS_ERROR;
}
