/* tlsalert explain: what its parts share (cmd_explain.c, explain_quic.c). */
#ifndef TLSA_EXPLAIN_H
#define TLSA_EXPLAIN_H

#include "cli.h"

struct explain_opts {
	tlsa_version ver;
	const struct tlsa_stack_def *stack;	 /* --stack, or NULL */
	const struct tlsa_text_mention *mention; /* the alert comes from a pasted message */
	const struct tlsa_quic_error *quic;	 /* it was given as a QUIC error, or NULL */
};

/* One explained alert in the output format: JSON object, CSV row or text block. */
void explain_one(struct cli *c, const struct explain_opts *o, const char *input,
		 const struct tlsa_alert *a, bool *first);

/* explain_quic.c: `input` read as a QUIC spelling (tlsa_quic_error_parse()): the alert it
 * carries with its QUIC meaning, or what the QUIC error is when it is no alert.  False
 * (nothing written) when it is not a QUIC spelling. */
bool explain_quic(struct cli *c, const struct explain_opts *o, const char *input, bool *first);

/* A pasted text that names no alert: the QUIC closes it names that are no alerts (an
 * HTTP/3 code, a transport error, an MsQuic status), each explained as what it is. */
void explain_quic_closes(struct cli *c, const char *input, bool *first);

/* s[0, len) is an alert code or name, or a QUIC spelling: one thing to explain. */
bool explain_is_code(const char *s, size_t len);

/* The arguments joined by spaces ("CRYPTO_ERROR 0x178") as one QUIC spelling: written
 * (with the CSV header) and true, or false. */
bool explain_quic_joined(struct cli *c, const struct explain_opts *o, const char *joined);

#endif
