/*
 * Shared by the files of the text recogniser (src/lib/text/):
 *   text.c        the API, tlsa_text_new(), stage 1 (the needle scanner) and the line walk;
 *   text_match.c  stage 2: what a pattern's match says (the alert code), and the mentions
 *                 one line keeps;
 *   text_local.c  local errors: the cause rules' log fragments, from localerrors_data.h.
 * The scanner's per-byte helpers stay static in text.c or inline here, so that the hot
 * path compiles as one unit.
 */
#ifndef TLSA_TEXT_INT_H
#define TLSA_TEXT_INT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsalert/text.h"
#include "base/ascii.h"

enum lp_kind {
	LP_NAME,
	LP_NAMEX,
	LP_NAMEOPT,
	LP_NAMENUM,
	LP_NUM,
	LP_HEXNUM,
	LP_REASON,
	LP_HEXREASON,
	LP_DECREASON,
	LP_CURL,
	LP_QUIC,
	LP_QUICANY, /* any QUIC spelling tlsa_quic_error_parse() reads, carrying an alert */
	LP_MAP,
	LP_FIXED,
	LP_NONE,
	LP_BODY /* like LP_NONE, but a mention only when a follow line gives its code */
};

struct lp_map_entry {
	const char *key;
	int code;
};

struct lp_map {
	const char *name;
	const struct lp_map_entry *entries;
	size_t n;
};

struct lp_pattern {
	const char *id;
	const char *stack;
	tlsa_text_dir dir;
	enum lp_kind kind;
	int group;
	int arg;
	int map;
	int icase;
	const char *regex;
	const char *must;  /* literal every match starts with ("" if none), folded when icase */
	int must_boundary; /* 1: one boundary byte precedes it */
	const char *transport; /* "quic" (a `transport` line), or NULL */
};

struct lp_anchor {
	const char *text; /* lower case */
	unsigned len;
	unsigned needle;
	unsigned at; /* offset of the needle inside the anchor */
	unsigned pattern;
	unsigned lookback; /* a match starts at most this many bytes before the anchor */
};

/*
 * A record over several lines (data/log-patterns.txt `follow` and `before`): the
 * body of pattern `pattern`'s record at most `lines` lines below its match
 * (`follow`: the code when the match named none), or its header at most `lines`
 * above (`before`: the direction when the pattern's is unknown).
 */
struct lp_ctx {
	unsigned pattern;
	unsigned lines;
	int follow;
	tlsa_text_dir dir;
	enum lp_kind kind;
	int group;
	int arg;
	int map;
	const char *regex;
};

struct lp_sample {
	unsigned pattern;
	int code;
	const char *text;
};

/* One local error: a row of localerrors_data.h (tools/gen_localerrors.py). */
struct lx_source {
	const char *text;    /* the fragment: literal pieces, '*' between them */
	const char *rule_id; /* the cause rule it shows fired */
	const char *stack;   /* the rule's first stack: the implementation reported */
	uint8_t alert;	     /* the alert that rule sends */
	int weight;	     /* the rule's weight: breaks a tie of literal bytes */
	unsigned order;	     /* the rule's index among all rules: breaks a tie of weights */
	bool notls;	     /* the error means the peer did not speak TLS: wins a tie of text */
	const char *pre13;   /* TLS 1.3 rule: the rule of the same text before TLS 1.3, or NULL */
	int pre13_alert;     /* that rule's alert, or -1 */
	bool peerclosed;     /* the connection ended under this side: no alert reached the peer */
};

/* The counts (LP_N_*) for every file; the tables only for the file that asked for them
 * (LP_TABLES_SCAN: text.c, LP_TABLES_MAPS: text_match.c). */
#include "logpatterns_data.h"

#define MAX_GROUPS    10
#define LINE_MENTIONS 32
#define PATTERN_WORDS ((LP_N_PATTERNS + 63) / 64)

/* One local-error fragment of a cause rule. */
struct lx_frag {
	const struct lx_source *src;
	const char *text; /* as written in the data (NUL-terminated, in the pool) */
	const char *low;  /* lower case, '*' between the literal pieces */
	size_t kp;	  /* the piece holding the four bytes hashed: its offset in low */
	size_t kp_len;	  /* and its length */
	size_t key;	  /* offset of the hashed bytes in that piece */
	size_t lit;	  /* literal bytes: the more, the more specific */
	size_t order;	  /* rule index: earlier wins a tie */
	uint32_t hash;	  /* of the four bytes at low + kp + key, see lx_hash() */
};

#define LX_BITS 65536u

struct tlsa_text {
	regex_t re[LP_N_PATTERNS];
	regex_t cre[LP_N_CTX > 0 ? LP_N_CTX : 1]; /* lp_ctx[i].regex */
	size_t n_ctx_compiled;
	bool has_ctx[LP_N_PATTERNS];	    /* pattern i has follow or before lines */
	bool lead_boundary[LP_N_PATTERNS];  /* regex starts "(^|": group 1 is not the alert */
	bool trail_boundary[LP_N_PATTERNS]; /* regex ends "|$)": the last group is not either */
	size_t n_compiled;
	/* The scanner: fingerprint tables, see stage 1. */
	unsigned char lo[3][16], hi[3][16];
	unsigned char bucket_of[LP_N_NEEDLES];
	size_t needle_len[LP_N_NEEDLES];
	size_t must_len[LP_N_PATTERNS];
	/* Per needle: bytes that may follow it / precede it in some anchor (folded). */
	bool after_ok[LP_N_NEEDLES][256], before_ok[LP_N_NEEDLES][256];
	bool bare[LP_N_NEEDLES]; /* some anchor is the needle alone */
	int simd;		 /* 0 scalar, 1 SSSE3, 2 AVX2 */
	/* Local errors: fragments sorted by hash, the hashes present, and the first two bytes
	 * of the hashed windows (a cheaper test first). */
	struct lx_frag *lx;
	size_t n_lx;
	char *lx_pool;
	uint64_t lx_bits[LX_BITS / 64];
	uint64_t lx_pair[65536 / 64]; /* the first two bytes of a hashed window, folded */
};

/* The mentions one line gives, before they are reported. */
struct line_state {
	struct tlsa_text_mention m[LINE_MENTIONS];
	size_t n;
};

/* The first occurrence of `lit` (n bytes, lower case when `fold`) in s[from, len), or len. */
static inline size_t find_lit(const char *s, size_t from, size_t len, const char *lit, size_t n,
			      bool fold)
{
	if (n == 0)
		return from;
	for (size_t i = from; i + n <= len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((fold ? ascii_lower(c) : c) != (unsigned char)lit[0])
			continue;
		if (fold ? ascii_same_ci((const unsigned char *)s + i, lit, n)
			 : memcmp(s + i, lit, n) == 0)
			return i;
	}
	return len;
}

/* text_match.c */
bool text_match_code(const struct lp_pattern *p, const char *line, const regmatch_t *pm, int *code);
void text_keep(struct line_state *ls, const struct tlsa_text_mention *m, bool all);
void text_drop_unnamed(struct line_state *st);
int text_cmp_mention(const void *a, const void *b);

/* text_ctx.c */
int text_ctx_build(struct tlsa_text *t, struct tlsa_error *err);
void text_ctx_free(struct tlsa_text *t);
bool text_ctx_extend(const struct tlsa_text *t, const char *buf, size_t len, size_t floor,
		     struct tlsa_text_mention *m, size_t *last);

/* text_local.c */
int text_lx_build(struct tlsa_text *t);
void text_add_local(const struct tlsa_text *t, const char *buf, size_t ls, size_t len,
		    struct line_state *st);

#endif
