/*
 * Writers for ranked causes (tlsa_diagnose) and for one stack's cause tables,
 * shared by explain and, later, scan and logs.  Field names: docs/causes.md.
 */
#ifndef TLSA_CAUSES_OUT_H
#define TLSA_CAUSES_OUT_H

#include <stdio.h>

#include "cli.h"
#include "tlsalert/diagnose.h"

/* Room for every cause of one diagnosis. */
#define CAUSES_MAX 48

/*
 * Runs tlsa_diagnose for ctx into cs[CAUSES_MAX]; returns how many.  A bad
 * step is reported through cli_fail and gives 0 with *rc = EXIT_ERROR.
 */
size_t causes_rank(struct cli *c, const struct tlsa_diag_ctx *ctx, struct tlsa_cause *cs, int *rc);

/* Writes `key` (normally "causes") as a JSON array of cause objects. */
void causes_json(struct jw *w, const char *key, const struct tlsa_cause *cs, size_t n);

/* Prints at most `limit` causes, one short entry each, under a heading. */
void causes_text_brief(struct cli *c, const struct tlsa_cause *cs, size_t n, size_t limit);

/* Prints one stack's situations for `code` and what it does not send. */
void causes_stack_text(struct cli *c, uint8_t code, const struct tlsa_stack_def *st);

/* Writes "stack", "stack_name", "stack_situations" and "stack_never". */
void causes_stack_json(struct jw *w, uint8_t code, const struct tlsa_stack_def *st);

/* The stack tokens, space-separated, for error messages. */
void causes_stack_list(char *buf, size_t cap);

struct tlsa_text_mention;

/* The cause rule whose local error a mention shows, when that error means the peer did
 * not speak TLS (`notls: yes` in data/causes-*.txt: no alert was received), else NULL. */
const struct tlsa_cause_rule *causes_notls_rule(const struct tlsa_text_mention *m);

/* The cause rule whose local error a mention shows, when that error means the connection
 * ended under the logging side (`peerclosed` in data/causes-*.txt: no alert reached the
 * peer), else NULL. */
const struct tlsa_cause_rule *causes_peerclosed_rule(const struct tlsa_text_mention *m);

/* The causes of such an error into k[max]: the rule's own, then those its `peerclosed`
 * lists (no score order: they are what fits, the log cannot tell them apart).  Returns how
 * many. */
size_t causes_peerclosed(const struct tlsa_cause_rule *r, struct tlsa_cause *k, size_t max);

/* `code_pre13` and `name_pre13` of a mention (null unless the alert before TLS 1.3
 * differs and the text does not show the version): the same fields in `logs` and in
 * `explain` of a pasted message. */
void causes_json_pre13(struct jw *w, const struct tlsa_text_mention *m);

/* A cause given by what the capture shows of a connection, not by a stack's rule (its
 * cause stanza says `outcome: yes`): id's title, summary and fix, score 100, no evidence. */
void causes_outcome(struct tlsa_cause *k, const char *id, const char *sender);

/* One plain-text connection (scan's outcome "plaintext"): the cause plaintext-service with
 * its fix, and as evidence what the peer said (`said`, at `frame`). */
void causes_plaintext(struct tlsa_cause *k, const char *sender, const char *said, uint64_t frame);

#endif
