/*
 * The vocabulary of `serve`: the steps an alert can be sent at (named as
 * `scan` names stages, so the stage scan reports for a capture of the
 * connection is the step asked for), which role and version may use each,
 * and the shapes of the alert record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_int.h"

/* roles and versions a step applies to */
enum {
	SRV = 1, /* server role */
	CLI = 2, /* client role */
	V12 = 4, /* TLS 1.2 (and DTLS 1.2) */
	V13 = 8, /* TLS 1.3 */
	ALLV = V12 | V13,
};

static const struct step_def {
	const char *name;
	unsigned where;
	const char *why_not; /* the reason when the role or version does not fit */
} steps[TLSA_STEP_COUNT] = {
	[TLSA_STEP_CLIENT_HELLO] = {"client_hello", SRV | CLI | ALLV, NULL},
	[TLSA_STEP_SERVER_HELLO] = {"server_hello", SRV | ALLV,
				    "the server sends the ServerHello: play the server"},
	[TLSA_STEP_SERVER_CERTIFICATE] = {"server_certificate", SRV | ALLV,
					  "the server sends its Certificate: play the server"},
	[TLSA_STEP_SERVER_KEY_EXCHANGE] = {"server_key_exchange", SRV | ALLV,
					   "the server sends ServerKeyExchange: play the server"},
	[TLSA_STEP_CERTIFICATE_REQUEST] = {"certificate_request", SRV | ALLV,
					   "the server sends CertificateRequest: play the server"},
	[TLSA_STEP_SERVER_HELLO_DONE] = {"server_hello_done", SRV | CLI | ALLV, NULL},
	[TLSA_STEP_CLIENT_CERTIFICATE] = {"client_certificate", SRV | CLI | ALLV, NULL},
	[TLSA_STEP_CLIENT_KEY_EXCHANGE] = {"client_key_exchange", CLI | V12,
					   "ClientKeyExchange is the client's, in TLS 1.2 only"},
	[TLSA_STEP_CHANGE_CIPHER_SPEC] = {"change_cipher_spec", SRV | CLI | V12,
					  "TLS 1.3 has no ChangeCipherSpec that changes keys"},
	[TLSA_STEP_FINISHED] = {"finished", SRV | CLI | ALLV, NULL},
	[TLSA_STEP_APPLICATION_DATA] = {"application_data", SRV | CLI | ALLV, NULL},
	[TLSA_STEP_MID_RESPONSE] = {"mid_response", SRV | ALLV, "only the server sends a response"},
	[TLSA_STEP_CLOSING] = {"closing", SRV | CLI | ALLV, NULL},
};

static const struct {
	const char *alias;
	tlsa_serve_step step;
} aliases[] = {
	{"server_flight", TLSA_STEP_SERVER_HELLO_DONE},
	{"hello", TLSA_STEP_CLIENT_HELLO},
	{"certificate", TLSA_STEP_SERVER_CERTIFICATE},
	{"key_exchange", TLSA_STEP_SERVER_KEY_EXCHANGE},
	{"certificate_verify", TLSA_STEP_SERVER_KEY_EXCHANGE},
	{"ccs", TLSA_STEP_CHANGE_CIPHER_SPEC},
	{"data", TLSA_STEP_APPLICATION_DATA},
	{"close", TLSA_STEP_CLOSING},
	{"close_notify", TLSA_STEP_CLOSING},
};

const char *tlsa_serve_step_name(tlsa_serve_step s)
{
	return (unsigned)s < TLSA_STEP_COUNT ? steps[s].name : "?";
}

/* lower case, '-' and ' ' as '_'; false when too long */
static bool fold(const char *in, char *out, size_t cap)
{
	size_t i = 0;
	for (; in[i] != '\0'; i++) {
		if (i + 1 >= cap)
			return false;
		char ch = in[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		out[i] = ch == '-' || ch == ' ' ? '_' : ch;
	}
	out[i] = '\0';
	return true;
}

int tlsa_serve_step_parse(const char *name, tlsa_serve_step *out)
{
	char f[40];
	if (name == NULL || !fold(name, f, sizeof(f)))
		return TLSA_EINVAL;
	for (size_t i = 0; i < TLSA_STEP_COUNT; i++)
		if (strcmp(f, steps[i].name) == 0) {
			*out = (tlsa_serve_step)i;
			return 0;
		}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(f, aliases[i].alias) == 0) {
			*out = aliases[i].step;
			return 0;
		}
	return TLSA_EINVAL;
}

const char *tlsa_serve_step_check(tlsa_serve_step s, bool client_role, uint16_t version)
{
	if ((unsigned)s >= TLSA_STEP_COUNT)
		return "no such step";
	unsigned w = steps[s].where;
	unsigned v = version == TLSA_SERVE_VERSION_TLS13 ? V13 : V12;
	if (version != TLSA_SERVE_VERSION_TLS13 && version != TLSA_SERVE_VERSION_TLS12 &&
	    version != TLSA_SERVE_VERSION_DTLS12 && version != 0)
		return "the version is not TLS 1.2, TLS 1.3 or DTLS 1.2";
	if (version == 0)
		v = V13;
	if (!(w & (client_role ? CLI : SRV)))
		return steps[s].why_not;
	if (!(w & v))
		return steps[s].why_not;
	return NULL;
}

static const char *const shape_names[TLSA_SHAPE_COUNT] = {
	[TLSA_SHAPE_NORMAL] = "normal",	      [TLSA_SHAPE_FRAGMENTED] = "fragmented",
	[TLSA_SHAPE_SPLIT] = "split",	      [TLSA_SHAPE_DOUBLE] = "double",
	[TLSA_SHAPE_REPEAT] = "repeat",	      [TLSA_SHAPE_EMPTY] = "empty",
	[TLSA_SHAPE_COALESCED] = "coalesced",
};

const char *tlsa_serve_shape_name(tlsa_serve_shape s)
{
	return (unsigned)s < TLSA_SHAPE_COUNT ? shape_names[s] : "?";
}

int tlsa_serve_shape_parse(const char *text, tlsa_serve_shape *shape, unsigned *repeat,
			   struct tlsa_error *err)
{
	char f[40];
	if (text == NULL || !fold(text, f, sizeof(f)))
		return tlsa_error_set(err, TLSA_EINVAL, 0, "no such shape");
	*repeat = 1;
	if (strncmp(f, "repeat", 6) == 0 && (f[6] == '=' || f[6] == '\0')) {
		unsigned long n = 2;
		if (f[6] == '=') {
			char *end;
			if (f[7] < '0' || f[7] > '9')
				return tlsa_error_set(err, TLSA_EINVAL, 7,
						      "repeat=N needs a number, found \"%s\"",
						      f + 7);
			n = strtoul(f + 7, &end, 10);
			if (*end != '\0')
				return tlsa_error_set(err, TLSA_EINVAL, 7,
						      "repeat=N needs a number, found \"%s\"",
						      f + 7);
		}
		if (n < 1 || n > TLSA_SERVE_REPEAT_MAX)
			return tlsa_error_set(err, TLSA_EINVAL, 7,
					      "repeat=%lu is out of range: 1 to %d", n,
					      TLSA_SERVE_REPEAT_MAX);
		*shape = TLSA_SHAPE_REPEAT;
		*repeat = (unsigned)n;
		return 0;
	}
	for (size_t i = 0; i < TLSA_SHAPE_COUNT; i++)
		if (i != TLSA_SHAPE_REPEAT && strcmp(f, shape_names[i]) == 0) {
			*shape = (tlsa_serve_shape)i;
			return 0;
		}
	return tlsa_error_set(err, TLSA_EINVAL, 0,
			      "no such shape \"%s\": normal, fragmented, split, double, "
			      "repeat=N, empty or coalesced",
			      text);
}
