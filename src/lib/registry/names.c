/* Alert names in every spelling -> codes. */
#include <stdlib.h>
#include <string.h>

#include "tlsalert/registry.h"
#include "base/ascii.h"

struct tlsa_name_key {
	const char *key;
	uint8_t code;
};

#include "names_data.h"

static int cmp_key(const void *k, const void *e)
{
	return strcmp(k, ((const struct tlsa_name_key *)e)->key);
}

static int lookup(const char *key)
{
	const struct tlsa_name_key *hit = bsearch(key, tlsa_name_keys, N_ELEMS(tlsa_name_keys),
						  sizeof(tlsa_name_keys[0]), cmp_key);
	return hit ? hit->code : -1;
}

/* Decimal 0-255 or hexadecimal 0x00-0xff, nothing else. */
static int parse_number(const char *s, size_t len)
{
	unsigned base = 10, v = 0;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len || len - i > 4)
		return -1;
	for (; i < len; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		v = v * base + d;
	}
	return v <= 255 ? (int)v : -1;
}

int tlsa_alert_parse(const char *s, size_t len, uint8_t *code)
{
	char key[96];
	size_t n = 0;

	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\'' ||
			   s[len - 1] == '"' || s[len - 1] == '.'))
		len--;

	int num = parse_number(s, len);
	if (num >= 0) {
		*code = (uint8_t)num;
		return 0;
	}

	/* ASCII fold; everything but letters and digits is a separator. */
	for (size_t i = 0; i < len; i++) {
		char c = (char)ascii_lower((unsigned char)s[i]);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (n + 1 >= sizeof(key))
				return TLSA_EINVAL;
			key[n++] = c;
		}
	}
	key[n] = '\0';
	if (n == 0)
		return TLSA_EINVAL;

	/* Try the key as it is, then with stack prefixes and suffixes removed. */
	char *k = key;
	for (;;) {
		int hit = lookup(k);
		if (hit >= 0) {
			*code = (uint8_t)hit;
			return 0;
		}
		bool stripped = false;
		size_t klen = strlen(k);
		for (size_t i = 0; i < N_ELEMS(tlsa_name_prefixes) && !stripped; i++) {
			size_t pl = strlen(tlsa_name_prefixes[i]);
			if (klen > pl && memcmp(k, tlsa_name_prefixes[i], pl) == 0) {
				k += pl;
				stripped = true;
			}
		}
		for (size_t i = 0; i < N_ELEMS(tlsa_name_suffixes) && !stripped; i++) {
			size_t sl = strlen(tlsa_name_suffixes[i]);
			if (klen > sl && memcmp(k + klen - sl, tlsa_name_suffixes[i], sl) == 0) {
				k[klen - sl] = '\0';
				stripped = true;
			}
		}
		if (!stripped)
			return TLSA_EINVAL;
	}
}
