/* IANA names of cipher suites, supported groups and signature schemes. */
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/registry.h"
#include "base/ascii.h"

#include "iana_data.h"

/* RFC 8701: both bytes equal and of the form 0x?a. */
static bool is_grease(uint16_t v)
{
	return (v >> 8) == (v & 0xff) && (v & 0x0f) == 0x0a;
}

/* Binary search of one sorted table: the name at v's index, or NULL. */
static const char *find(const uint16_t *ids, const char *const *names, size_t n, uint16_t v)
{
	size_t lo = 0, hi = n;

	if (is_grease(v))
		return "GREASE";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[mid] == v)
			return names[mid];
		if (ids[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *tlsa_cipher_suite_name(uint16_t v)
{
	return find(iana_suite_ids, iana_suite_names, N_ELEMS(iana_suite_ids), v);
}

const char *tlsa_group_name(uint16_t v)
{
	return find(iana_group_ids, iana_group_names, N_ELEMS(iana_group_ids), v);
}

const char *tlsa_sigalg_name(uint16_t v)
{
	return find(iana_sigalg_ids, iana_sigalg_names, N_ELEMS(iana_sigalg_ids), v);
}
