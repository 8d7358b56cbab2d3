/*
 * Stage 2 of the text recogniser: what a pattern's match says.  The captured group
 * becomes an alert code by the pattern's kind (a name, a number, an OpenSSL packed
 * error code, a map of data/log-patterns.txt ...), and the mentions of one line are
 * kept one per alert, the best report of each, in the order of the line.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "tlsalert/common.h"
#include "tlsalert/quicerr.h"
#include "tlsalert/registry.h"
#include "tlsalert/text.h"

#define LP_TABLES_MAPS /* lp_maps, for map_code() */
#include "text_int.h"

static int parse_dec(const char *s, size_t len, unsigned long *v)
{
	unsigned long x = 0;
	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int parse_hex(const char *s, size_t len, unsigned long *v)
{
	unsigned long x = 0;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (len == 0 || len > 8)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = ascii_lower((unsigned char)s[i]);
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return -1;
		x = x * 16 + d;
	}
	*v = x;
	return 0;
}

/* The alert in an OpenSSL/BoringSSL packed error code, or -1 for a local error. */
static int packed_reason(unsigned long v)
{
	unsigned long reason;
	if ((v >> 24) == 0x14) /* OpenSSL 1.x, LibreSSL: lib 20 << 24 | func << 12 | reason */
		reason = v & 0xfff;
	else if ((v >> 23) == 0x14) /* OpenSSL 3.x: lib 20 << 23 | reason */
		reason = v & 0x7fffff;
	else if ((v >> 24) == 0x10 && ((v >> 12) & 0xfff) == 0) /* BoringSSL: lib 16 << 24 */
		reason = v & 0xfff;
	else
		return -1;
	return reason >= 1000 && reason <= 1255 ? (int)(reason - 1000) : -1;
}

static bool name_sep(char c)
{
	return c == ' ' || c == '_' || c == '-' || c == '/' || c == '\t';
}

/*
 * An alert name at s: the longest run of leading words tlsa_alert_parse()
 * knows, or the whole text only when `exact`.  Numbers are not names.
 */
static int name_code(const char *s, size_t len, bool exact)
{
	uint8_t code;
	if (len > 80)
		len = 80;
	while (len > 0) {
		if (!(s[0] >= '0' && s[0] <= '9') && tlsa_alert_parse(s, len, &code) == 0)
			return code;
		if (exact)
			return -1;
		while (len > 0 && !name_sep(s[len - 1]))
			len--;
		while (len > 0 && name_sep(s[len - 1]))
			len--;
	}
	return -1;
}

static int map_code(int map, const char *s, size_t len)
{
	if (map < 0 || (size_t)map >= N_ELEMS(lp_maps))
		return -1;
	const struct lp_map *m = &lp_maps[map];
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->entries[i].key;
		if (strlen(k) == len && ascii_same_ci((const unsigned char *)s, k, len))
			return m->entries[i].code;
	}
	return -1;
}

/* Reads the code of a match; false when the match is not an alert after all. */
bool text_match_code(const struct lp_pattern *p, const char *line, const regmatch_t *pm, int *code)
{
	const char *g = NULL;
	size_t glen = 0;
	unsigned long v;

	if (p->group > 0) {
		if (pm[p->group].rm_so < 0)
			return false;
		g = line + pm[p->group].rm_so;
		glen = (size_t)(pm[p->group].rm_eo - pm[p->group].rm_so);
	}
	*code = -1;
	switch (p->kind) {
	case LP_NAME: *code = name_code(g, glen, false); return *code >= 0;
	case LP_NAMEX: *code = name_code(g, glen, true); return *code >= 0;
	case LP_NAMEOPT: *code = name_code(g, glen, false); return true;
	case LP_NAMENUM:
		if (glen == 0 || g[0] < '0' || g[0] > '9') {
			*code = name_code(g, glen, false);
			return *code >= 0;
		}
		/* digits: the code itself */
		if (parse_dec(g, glen, &v) != 0 || v > 255)
			return false;
		*code = (int)v;
		return true;
	case LP_NUM:
		if (parse_dec(g, glen, &v) != 0 || v > 255)
			return false;
		*code = (int)v;
		return true;
	case LP_HEXNUM:
		if (parse_hex(g, glen, &v) != 0 || v > 255)
			return false;
		*code = (int)v;
		return true;
	case LP_REASON:
		if (parse_dec(g, glen, &v) != 0 || v < 1000 || v > 1255)
			return false;
		*code = (int)(v - 1000);
		return true;
	case LP_HEXREASON:
		if (parse_hex(g, glen, &v) != 0)
			return false;
		*code = packed_reason(v);
		return *code >= 0;
	case LP_DECREASON:
		if (parse_dec(g, glen, &v) != 0)
			return false;
		*code = packed_reason(v);
		return *code >= 0;
	case LP_CURL:
		if (parse_dec(g, glen, &v) != 0 || v < 256 || v > 767)
			return false;
		*code = (int)(v & 0xff);
		return true;
	case LP_QUIC:
		if (parse_hex(g, glen, &v) != 0 || v < 0x100 || v > 0x1ff)
			return false;
		*code = (int)(v & 0xff);
		return true;
	case LP_QUICANY: {
		struct tlsa_quic_error q;
		if (tlsa_quic_error_parse(g, glen, &q) != 0 || q.alert < 0)
			return false;
		*code = q.alert;
		return true;
	}
	case LP_MAP: *code = map_code(p->map, g, glen); return *code >= 0;
	case LP_FIXED: *code = p->arg; return true;
	case LP_NONE:
	case LP_BODY: return true;
	}
	return false;
}

/* ---- the mentions of one line ------------------------------------------------------------ */

/* Is mention a a better report of its alert than b? */
static bool better(const struct tlsa_text_mention *a, const struct tlsa_text_mention *b)
{
	bool ak = a->dir != TLSA_TEXT_UNKNOWN, bk = b->dir != TLSA_TEXT_UNKNOWN;
	if (ak != bk)
		return ak;
	return a->pattern < b->pattern;
}

/* "openssl-3" refines "openssl": the packed code tells the version the words do not. */
static const char *refine(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (lb > la && memcmp(a, b, la) == 0 && b[la] == '-')
		return b;
	return a;
}

void text_keep(struct line_state *ls, const struct tlsa_text_mention *m, bool all)
{
	if (!all) {
		for (size_t i = 0; i < ls->n; i++) {
			if (ls->m[i].code != m->code)
				continue;
			const char *impl = refine(ls->m[i].implementation, m->implementation);
			impl = refine(impl, ls->m[i].implementation);
			/* a QUIC wording of the alert says how it travelled, whichever reports it */
			const char *transport =
				ls->m[i].transport != NULL ? ls->m[i].transport : m->transport;
			if (better(m, &ls->m[i]))
				ls->m[i] = *m;
			ls->m[i].implementation = refine(ls->m[i].implementation, impl);
			ls->m[i].transport = transport;
			return;
		}
	}
	if (ls->n < LINE_MENTIONS)
		ls->m[ls->n++] = *m;
}

int text_cmp_mention(const void *a, const void *b)
{
	const struct tlsa_text_mention *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->pattern < y->pattern ? -1 : x->pattern > y->pattern;
}

/* A line that names its alert does not also report an unnamed one (code -1). */
void text_drop_unnamed(struct line_state *st)
{
	bool named = false;
	for (size_t i = 0; i < st->n; i++)
		named |= st->m[i].code >= 0;
	if (named) {
		size_t w = 0;
		for (size_t i = 0; i < st->n; i++)
			if (st->m[i].code >= 0)
				st->m[w++] = st->m[i];
		st->n = w;
	}
}
