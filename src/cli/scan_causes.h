/*
 * Ranked causes for the alerts `scan` reports.  Many alerts of a capture share
 * one diagnosis context (same alert, sender, step, version and facts), so each
 * distinct context is ranked once and remembered.
 *
 * Each side's stack is either given by the user (--client-stack/--server-stack)
 * or guessed from the shape of the hello that side sent (tlsa_stack_guess); a
 * given stack replaces the guess.
 */
#ifndef TLSA_SCAN_CAUSES_H
#define TLSA_SCAN_CAUSES_H

#include "causes_out.h"
#include "tlsalert/session.h"

#define SCAN_CAUSES 3 /* causes kept per alert */

struct scan_causes {
	size_t n;
	struct tlsa_cause cs[SCAN_CAUSES];
};

/* The stacks the user named: tokens of tlsa_stack_parse() results, or NULL. */
struct scan_stacks {
	const char *client, *server;
};

struct scan_memo;

/* A memo of diagnoses for a run with the given stacks (copied; NULL = none
 * given); NULL when out of memory (then nothing is remembered). */
struct scan_memo *scan_memo_new(const struct scan_stacks *given);
void scan_memo_free(struct scan_memo *m);

/* Where a side's stack comes from. */
enum scan_stack_source { STACK_NONE, STACK_GUESSED, STACK_GIVEN };

/* The stack token of one side (TLSA_ROLE_CLIENT or TLSA_ROLE_SERVER): the given
 * one, else the guess from its hello (NULL if unsure); *src says which. */
const char *scan_stack_of(const struct scan_memo *m, const struct tlsa_hs_facts *hs, tlsa_role side,
			  enum scan_stack_source *src);

/* "given", "guessed" or NULL (STACK_NONE), for the JSON `*_stack_source` fields. */
const char *scan_stack_source_name(enum scan_stack_source src);

/* Parses the argument of --client-stack/--server-stack (`opt`): any token or alias
 * tlsa_stack_parse() accepts; *out becomes the stack's token.  An unknown name is
 * a usage error naming the valid stacks (cli_fail's EXIT_ERROR); 0 on success. */
struct cli;
int scan_stack_option(struct cli *c, const char *opt, const char *arg, const char **out);

/* The likeliest causes of one alert event (n = 0 when the alert has no code). */
const struct scan_causes *scan_causes_of(struct scan_memo *m, const struct tlsa_alert_event *ev);

#endif
