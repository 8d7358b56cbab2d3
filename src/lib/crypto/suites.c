/*
 * The cipher suites whose records tlsa_dir_decrypt() can open: IANA number,
 * name, protection, key and IV sizes, MAC and PRF hash (RFC 5246, 5288,
 * 5289, 6655, 7251, 7905, 8446, 4492 / 8422), kept as data in
 * data/suites.txt.  The key exchange does not
 * matter once the master secret is known, so e.g. RSA, DHE and ECDHE
 * variants share a row shape.
 */
#include <stddef.h>

#include "tlsalert/decrypt.h"
#include "base/ascii.h"

/* The table: data/suites.txt, turned into C by tools/gen_suites.py. */
#include "suites_data.h"

const struct tlsa_suite *tlsa_suite_find(uint16_t id)
{
	for (size_t i = 0; i < N_ELEMS(suites); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

const struct tlsa_suite *tlsa_suite_table(size_t *n)
{
	if (n != NULL)
		*n = N_ELEMS(suites);
	return suites;
}
