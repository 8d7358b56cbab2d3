/*
 * Between the reaction parser (reaction.c) and its judge (reaction_judge.c).
 */
#ifndef TLSA_NET_REACTION_INT_H
#define TLSA_NET_REACTION_INT_H

#include "tlsalert/reaction.h"

/* What the parser saw beyond the public counts. */
struct react_counts {
	unsigned cont_hs, cont_app, cont_ccs; /* continued records by type */
	bool close_notify;		      /* the peer sent close_notify */
	bool error_alert;		      /* ... an alert other than close_notify */
	bool ending_alert;		      /* ... one that ends: fatal, or any under TLS 1.3 */
	bool partial;			      /* a record or alert cut short */
};

/* Fills out->kind, verdict, rule and reason from the counts. */
void react_judge(const struct tlsa_reaction_case *c, const struct react_counts *n,
		 struct tlsa_serve_reaction *out);

#endif
