/*
 * The cipher suites whose records tlsa_dir_decrypt() can open: IANA number,
 * name, protection, key and IV sizes, MAC and PRF hash (RFC 5246, 5288,
 * 5289, 6655, 7251, 7905, 8446, 4492 / 8422, 6101), kept as data in
 * data/suites.txt and data/record-ciphers.txt.  The key exchange does not
 * matter once the master secret is known, so e.g. RSA, DHE and ECDHE
 * variants share a row shape.
 */
#include <stddef.h>

#include "tlsalert/decrypt.h"
#include "base/ascii.h"

/* The table: data/suites.txt and record-ciphers.txt, turned into C by tools/gen_suites.py. */
#include "suites_data.h"

/* The rows are in ascending id order (the generator checks it): a binary
 * search, since the table has some 300 rows. */
const struct tlsa_suite *tlsa_suite_find(uint16_t id)
{
	size_t lo = 0, hi = N_ELEMS(suites);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (suites[mid].id == id)
			return &suites[mid];
		if (suites[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct tlsa_suite *tlsa_suite_table(size_t *n)
{
	if (n != NULL)
		*n = N_ELEMS(suites);
	return suites;
}
