/*
 * Which stack built a hello: the rules of data/fingerprints.txt applied to
 * the shape the hello parser kept (wire/hello.c).  A guess needs the rules of
 * exactly one stack to match.
 */
#include <stdio.h>
#include <string.h>

#include "base/ascii.h"
#include "tlsalert/fingerprint.h"

#include "fingerprints_data.h"

#define GREASE_EXT 0x0a0a /* how wire/hello.c keeps every GREASE extension type */

size_t tlsa_fp_rule_count(void)
{
	return N_ELEMS(fp_rules);
}

const struct tlsa_fp_rule *tlsa_fp_rule_at(size_t i)
{
	return i < N_ELEMS(fp_rules) ? &fp_rules[i] : NULL;
}

static bool has(const uint16_t *v, size_t n, uint16_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool is_grease_value(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Every extension is in the order list, each one later than the one before. */
static bool in_order(const uint16_t *exts, size_t n, const uint16_t *order, size_t n_order)
{
	size_t next = 0; /* first index of `order` the next extension may take */
	for (size_t i = 0; i < n; i++) {
		if (exts[i] == GREASE_EXT)
			continue;
		size_t k = next;
		while (k < n_order && order[k] != exts[i])
			k++;
		if (k == n_order)
			return false; /* unknown to the stack, repeated, or out of order */
		next = k + 1;
	}
	return true;
}

/* Where the TLS 1.3 suites sit among the others (signalling values and GREASE ignored). */
static bool suites13_fit(const struct tlsa_hs_facts *hs, tlsa_fp_suites13 want)
{
	if (want == TLSA_FP_S13_ANY)
		return true;
	size_t n = hs->n_suites < TLSA_HS_MAX_LIST ? hs->n_suites : TLSA_HS_MAX_LIST;
	bool seen13 = false, seen_other = false;
	for (size_t i = 0; i < n; i++) {
		uint16_t s = hs->suites[i];
		if (s == 0x00ff || s == 0x5600 || is_grease_value(s))
			continue;
		bool is13 = (s >> 8) == 0x13;
		if (want == TLSA_FP_S13_LAST && !is13 && seen13)
			return false;
		if (want == TLSA_FP_S13_FIRST && is13 && seen_other)
			return false;
		seen13 |= is13;
		seen_other |= !is13;
	}
	return true;
}

static bool tri_fits(tlsa_fp_tri want, bool have)
{
	return want == TLSA_FP_ANY || (want == TLSA_FP_YES) == have;
}

bool tlsa_fp_rule_matches(const struct tlsa_fp_rule *r, const struct tlsa_hs_facts *hs)
{
	const uint16_t *exts;
	size_t n;

	if (r == NULL || hs == NULL)
		return false;
	if (r->side == TLSA_ROLE_CLIENT) {
		if (!hs->client_hello)
			return false;
		exts = hs->ch_exts;
		n = hs->n_ch_exts < TLSA_HS_MAX_EXT ? hs->n_ch_exts : TLSA_HS_MAX_EXT;
		if (!tri_fits(r->scsv,
			      has(hs->suites,
				  hs->n_suites < TLSA_HS_MAX_LIST ? hs->n_suites : TLSA_HS_MAX_LIST,
				  0x00ff)) ||
		    !suites13_fit(hs, r->suites13))
			return false;
	} else if (r->side == TLSA_ROLE_SERVER) {
		if (!hs->server_hello)
			return false;
		exts = hs->sh_exts;
		n = hs->n_sh_exts < TLSA_HS_MAX_SH_EXT ? hs->n_sh_exts : TLSA_HS_MAX_SH_EXT;
	} else {
		return false;
	}
	if (!tri_fits(r->grease, hs->grease))
		return false;
	size_t real = 0;
	for (size_t i = 0; i < n; i++)
		real += exts[i] != GREASE_EXT;
	if (real < r->min_exts)
		return false;
	for (size_t i = 0; i < r->n_need; i++)
		if (!has(exts, n, r->need[i]))
			return false;
	if (r->n_need_any > 0) {
		bool any = false;
		for (size_t i = 0; i < r->n_need_any && !any; i++)
			any = has(exts, n, r->need_any[i]);
		if (!any)
			return false;
	}
	return r->order == NULL || in_order(exts, n, r->order, r->n_order);
}

const char *tlsa_stack_guess(const struct tlsa_hs_facts *hs, tlsa_role side,
			     struct tlsa_stack_guess *out)
{
	struct tlsa_stack_guess g = {NULL, NULL, 0, ""};
	const struct tlsa_fp_rule *best = NULL;
	const char *other = NULL; /* a second stack whose rules match */
	const char *hello = side == TLSA_ROLE_SERVER ? "ServerHello" : "ClientHello";

	bool seen = hs != NULL && (side == TLSA_ROLE_SERVER   ? hs->server_hello
				   : side == TLSA_ROLE_CLIENT ? hs->client_hello
							      : false);
	if (!seen) {
		snprintf(g.why, sizeof(g.why), "no %s seen", hello);
	} else {
		for (size_t i = 0; i < N_ELEMS(fp_rules); i++) {
			const struct tlsa_fp_rule *r = &fp_rules[i];
			if (r->side != side || !tlsa_fp_rule_matches(r, hs))
				continue;
			if (best == NULL || (strcmp(best->stack, r->stack) == 0 &&
					     r->confidence > best->confidence))
				best = r;
			else if (strcmp(best->stack, r->stack) != 0 && other == NULL)
				other = r->stack;
		}
		if (best == NULL) {
			snprintf(g.why, sizeof(g.why), "the %s shape matches no stack's rules",
				 hello);
		} else if (other != NULL) {
			snprintf(g.why, sizeof(g.why), "the %s shape fits both %s and %s", hello,
				 best->stack, other);
			best = NULL;
		} else {
			g.stack = best->stack;
			g.rule_id = best->id;
			g.confidence = best->confidence;
			snprintf(g.why, sizeof(g.why), "%s", best->evidence);
		}
	}
	if (out != NULL)
		*out = g;
	return g.stack;
}
