/*
 * libtlsalert: which TLS stack sent a hello, guessed from its shape.
 *
 * Stacks build their ClientHello and ServerHello in their own way: the order
 * of the extensions, which ones they always send, how they signal secure
 * renegotiation (an extension or the 0x00ff suite), whether they add GREASE
 * values, where the TLS 1.3 suites sit in the cipher list.  The rules that
 * describe these shapes are data (data/fingerprints.txt, documented in
 * docs/fingerprints.md).  A guess is made only when the rules of exactly one
 * stack match; a shape two stacks can produce gives no guess.
 */
#ifndef TLSALERT_FINGERPRINT_H
#define TLSALERT_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/hello.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the TLS 1.3 suites (0x13NN) sit among the others, when both are offered. */
typedef enum tlsa_fp_suites13 {
	TLSA_FP_S13_ANY,   /* anywhere */
	TLSA_FP_S13_FIRST, /* all before every other suite */
	TLSA_FP_S13_LAST   /* all after every other suite */
} tlsa_fp_suites13;

/* A three-way condition: don't care, must be absent, must be present. */
typedef enum tlsa_fp_tri { TLSA_FP_ANY, TLSA_FP_NO, TLSA_FP_YES } tlsa_fp_tri;

/* One rule of data/fingerprints.txt. */
struct tlsa_fp_rule {
	const char *id;	       /* "go-client" */
	const char *stack;     /* a stack token of data/causes.txt ("go") */
	tlsa_role side;	       /* which hello: client (ClientHello) or server (ServerHello) */
	const uint16_t *order; /* extension types in the stack's order; NULL: any order */
	size_t n_order;
	const uint16_t *need; /* extensions that must all be present */
	size_t n_need;
	const uint16_t *need_any; /* at least one must be present (none: no condition) */
	size_t n_need_any;
	size_t min_exts;	   /* fewest extensions (GREASE not counted) */
	tlsa_fp_tri grease;	   /* GREASE values in the ClientHello */
	tlsa_fp_tri scsv;	   /* the 0x00ff renegotiation suite offered */
	tlsa_fp_suites13 suites13; /* TLS 1.3 suite placement */
	int confidence;		   /* 1-100 */
	const char *evidence;	   /* sentence naming the shape */
};

size_t tlsa_fp_rule_count(void);
const struct tlsa_fp_rule *tlsa_fp_rule_at(size_t i); /* NULL past the end */

/* True when the hello of `rule->side` in hs has the shape of the rule. */
bool tlsa_fp_rule_matches(const struct tlsa_fp_rule *rule, const struct tlsa_hs_facts *hs);

#define TLSA_STACK_WHY_MAX 256

/* A guess of one side's stack. */
struct tlsa_stack_guess {
	const char *stack;	      /* stack token ("go", "openssl", ...), or NULL: no guess */
	const char *rule_id;	      /* the rule that matched, or NULL */
	int confidence;		      /* 1-100; 0 without a guess */
	char why[TLSA_STACK_WHY_MAX]; /* evidence, or why there is no guess */
};

/*
 * Guesses the stack of one side of a connection from its hello: the
 * ClientHello for TLSA_ROLE_CLIENT, the ServerHello for TLSA_ROLE_SERVER.
 * Returns the stack token (static), or NULL when the hello was not seen,
 * no rule matches, or the rules of two stacks match; `out` (may be NULL) gets
 * the token, the rule, a confidence and a sentence of evidence either way.
 * Python's ssl module and curl built on OpenSSL are "openssl".
 */
const char *tlsa_stack_guess(const struct tlsa_hs_facts *hs, tlsa_role side,
			     struct tlsa_stack_guess *out);

#ifdef __cplusplus
}
#endif

#endif
