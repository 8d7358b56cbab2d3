/*
 * DER elements for the certificate readers of the session layer
 * (conn_decrypt.c: the fields libcrypto decodes; cert_facts.c: the facts read
 * directly).  Single-byte tags and definite lengths of at most 4 length bytes,
 * which is all X.509 uses; every length is checked by the reader (base/rd.h).
 */
#ifndef TLSA_SESSION_DER_H
#define TLSA_SESSION_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/rd.h"

/* One DER element: tag, contents, and the whole element. */
struct der {
	uint8_t tag;
	struct rd in;
	const uint8_t *el;
	size_t el_len;
};

/* The next DER element of r (single-byte tag, definite length of at most 4
 * length bytes); false when there is none or it does not fit. */
static inline bool der_get(struct rd *r, struct der *d)
{
	const uint8_t *start = r->p;
	d->tag = rd_u8(r);
	size_t len = rd_u8(r);
	if (len & 0x80) {
		size_t nb = len & 0x7f;
		if (nb == 0 || nb > 4)
			return false;
		len = 0;
		for (size_t i = 0; i < nb; i++)
			len = len << 8 | rd_u8(r);
	}
	if (!rd_ok(r) || (d->tag & 0x1f) == 0x1f)
		return false;
	d->in = rd_sub(r, len);
	d->el = start;
	d->el_len = (size_t)(r->p - start);
	return rd_ok(r);
}

static inline bool der_want(struct rd *r, uint8_t tag, struct der *d)
{
	return der_get(r, d) && d->tag == tag;
}

#endif
