/*
 * NSS key log parser: lines of "LABEL client_random secret" merged into a
 * table keyed by the 32-byte client random (open addressing, power-of-two
 * size, grown at 50% load).
 *
 * The text is untrusted: each line is examined within its own bounds,
 * nothing is NUL-terminated, and nothing of a secret reaches a message.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/keylog.h"
#include "base/ascii.h"

/*
 * Compact: a key log of TLS 1.2 connections is mostly one 48-byte secret per
 * client random, so an entry is the random and the start of a chain of the
 * secrets read for it, kept in one arena as records of
 *   next (4 bytes: offset + 1 of the entry's previous record, 0 none),
 *   label (1), len (1), the secret (len),
 * about 90 bytes for a CLIENT_RANDOM line of 176 on disk.  tlsa_keylog_find()
 * copies an entry out whole.
 */
struct kl_entry {
	uint8_t client_random[32];
	uint32_t first; /* offset + 1 of the latest secret record, 0 none */
};

#define REC_HEAD 6 /* next, label, len */

struct tlsa_keylog {
	struct kl_entry *entries; /* dense, in order of first appearance */
	size_t n, cap;
	uint8_t *arena; /* secret records */
	size_t alen, acap;
	uint64_t *slots; /* hash tag << 32 | index + 1 into entries; 0 = empty */
	size_t nslots;	 /* power of two */
	size_t last;	 /* index + 1 of the entry the last line named (0: none) */
};

static const char *const label_names[TLSA_KL_COUNT] = {
	[TLSA_KL_MASTER_SECRET] = "CLIENT_RANDOM",
	[TLSA_KL_CLIENT_EARLY] = "CLIENT_EARLY_TRAFFIC_SECRET",
	[TLSA_KL_CLIENT_HANDSHAKE] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
	[TLSA_KL_SERVER_HANDSHAKE] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
	[TLSA_KL_CLIENT_TRAFFIC_0] = "CLIENT_TRAFFIC_SECRET_0",
	[TLSA_KL_SERVER_TRAFFIC_0] = "SERVER_TRAFFIC_SECRET_0",
	[TLSA_KL_EXPORTER] = "EXPORTER_SECRET",
};

/* Labels written by other tools that carry nothing usable here. */
static const char *const ignored_labels[] = {"RSA", "PMS_CLIENT_RANDOM", "ECH_SECRET", "ECH_CONFIG",
					     "EARLY_EXPORTER_SECRET"};

const char *tlsa_keylog_label_name(tlsa_keylog_label l)
{
	if ((unsigned)l >= TLSA_KL_COUNT)
		return "?";
	return label_names[l];
}

struct tlsa_keylog *tlsa_keylog_new(void)
{
	struct tlsa_keylog *kl = calloc(1, sizeof(*kl));
	return kl;
}

void tlsa_keylog_free(struct tlsa_keylog *kl)
{
	if (kl == NULL)
		return;
	free(kl->entries);
	if (kl->arena != NULL) {
		/* secrets should not linger in freed memory */
		memset(kl->arena, 0, kl->acap);
		free(kl->arena);
	}
	free(kl->slots);
	free(kl);
}

size_t tlsa_keylog_count(const struct tlsa_keylog *kl)
{
	return kl ? kl->n : 0;
}

/* A multiply-xorshift mix of the random's four 64-bit words: a client
 * random is random, but a key log is untrusted input and may hold crafted
 * ones, so every byte counts. */
static uint64_t hash_random(const uint8_t r[32])
{
	uint64_t h = 0xcbf29ce484222325u;
	for (int i = 0; i < 4; i++) {
		uint64_t w;
		memcpy(&w, r + 8 * i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15u;
		h ^= h >> 29;
	}
	return h * 0xbf58476d1ce4e5b9u;
}

/* The slot holding random r (hash h), or the empty one where it would go.
 * The tag stored with each index keeps probes off entries that differ. */
static size_t slot_of(const struct tlsa_keylog *kl, const uint8_t r[32], uint64_t h, bool *found)
{
	size_t mask = kl->nslots - 1, i = (size_t)h & mask;
	for (;;) {
		uint64_t s = kl->slots[i];
		if (s == 0) {
			*found = false;
			return i;
		}
		if (s >> 32 == h >> 32 &&
		    memcmp(kl->entries[(uint32_t)s - 1].client_random, r, 32) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static struct kl_entry *slot_entry(const struct tlsa_keylog *kl, size_t i)
{
	return &kl->entries[(uint32_t)kl->slots[i] - 1];
}

/* The record of label l in e's chain, or NULL. */
static const uint8_t *rec_find(const struct tlsa_keylog *kl, const struct kl_entry *e,
			       tlsa_keylog_label l)
{
	for (uint32_t at = e->first; at != 0;) {
		const uint8_t *r = kl->arena + (at - 1);
		if (r[4] == (uint8_t)l)
			return r;
		memcpy(&at, r, 4);
	}
	return NULL;
}

const struct tlsa_keylog_entry *tlsa_keylog_find(const struct tlsa_keylog *kl,
						 const uint8_t client_random[32],
						 struct tlsa_keylog_entry *out)
{
	if (kl == NULL || kl->nslots == 0 || client_random == NULL || out == NULL)
		return NULL;
	bool found;
	size_t i = slot_of(kl, client_random, hash_random(client_random), &found);
	if (!found)
		return NULL;
	const struct kl_entry *e = slot_entry(kl, i);
	memset(out, 0, sizeof(*out));
	memcpy(out->client_random, e->client_random, 32);
	for (int l = 0; l < TLSA_KL_COUNT; l++) {
		const uint8_t *r = rec_find(kl, e, (tlsa_keylog_label)l);
		if (r != NULL) {
			out->secret[l].len = r[5];
			memcpy(out->secret[l].v, r + REC_HEAD, r[5]);
		}
	}
	return out;
}

/* Adds the secret of label l to e (which has none of that label); false when out of
 * memory or of the arena's 4 GiB of offsets. */
static bool rec_add(struct tlsa_keylog *kl, struct kl_entry *e, tlsa_keylog_label l,
		    const uint8_t *v, size_t len)
{
	size_t need = REC_HEAD + len;
	if (kl->alen + need > kl->acap) {
		size_t nc = kl->acap ? kl->acap * 2 : 4096;
		while (nc < kl->alen + need)
			nc *= 2;
		if (nc > UINT32_MAX)
			nc = UINT32_MAX;
		if (kl->alen + need > nc)
			return false;
		/* not realloc: the old copy of the secrets is wiped before it is freed */
		uint8_t *na = malloc(nc);
		if (na == NULL)
			return false;
		if (kl->arena != NULL) {
			memcpy(na, kl->arena, kl->alen);
			memset(kl->arena, 0, kl->acap);
			free(kl->arena);
		}
		kl->arena = na;
		kl->acap = nc;
	}
	uint8_t *r = kl->arena + kl->alen;
	memcpy(r, &e->first, 4);
	r[4] = (uint8_t)l;
	r[5] = (uint8_t)len;
	memcpy(r + REC_HEAD, v, len);
	e->first = (uint32_t)kl->alen + 1;
	kl->alen += need;
	return true;
}

const struct tlsa_keylog_secret *tlsa_keylog_secret(const struct tlsa_keylog_entry *e,
						    tlsa_keylog_label l)
{
	if (e == NULL || (unsigned)l >= TLSA_KL_COUNT || e->secret[l].len == 0)
		return NULL;
	return &e->secret[l];
}

static int grow_slots(struct tlsa_keylog *kl)
{
	size_t n = kl->nslots ? kl->nslots * 2 : 64;
	uint64_t *s = calloc(n, sizeof(*s));
	if (s == NULL)
		return TLSA_ENOMEM;
	free(kl->slots);
	kl->slots = s;
	kl->nslots = n;
	for (size_t e = 0; e < kl->n; e++) {
		bool found;
		uint64_t h = hash_random(kl->entries[e].client_random);
		size_t i = slot_of(kl, kl->entries[e].client_random, h, &found);
		kl->slots[i] = h >> 32 << 32 | (e + 1);
	}
	return 0;
}

/* The entry for this random, created when new; NULL with *rc set on failure. */
static struct kl_entry *entry_for(struct tlsa_keylog *kl, const uint8_t r[32], int *rc)
{
	/* the lines of one connection usually follow each other */
	if (kl->last > 0 && memcmp(kl->entries[kl->last - 1].client_random, r, 32) == 0)
		return &kl->entries[kl->last - 1];
	bool found = false;
	size_t i = 0;
	uint64_t h = hash_random(r);
	if (kl->nslots > 0) {
		i = slot_of(kl, r, h, &found);
		if (found) {
			struct kl_entry *e = slot_entry(kl, i);
			kl->last = (size_t)(e - kl->entries) + 1;
			return e;
		}
	}
	if (kl->n >= TLSA_KEYLOG_MAX_ENTRIES) {
		*rc = TLSA_ELIMIT;
		return NULL;
	}
	if ((kl->n + 1) * 2 > kl->nslots) {
		if ((*rc = grow_slots(kl)) != 0)
			return NULL;
		i = slot_of(kl, r, h, &found);
	}
	if (kl->n == kl->cap) {
		/* randoms only, no secrets: realloc may move them without a wipe */
		size_t nc = kl->cap ? kl->cap * 2 : 16;
		struct kl_entry *ne = realloc(kl->entries, nc * sizeof(*ne));
		if (ne == NULL) {
			*rc = TLSA_ENOMEM;
			return NULL;
		}
		kl->entries = ne;
		kl->cap = nc;
	}
	struct kl_entry *e = &kl->entries[kl->n];
	memset(e, 0, sizeof(*e));
	memcpy(e->client_random, r, 32);
	kl->slots[i] = h >> 32 << 32 | ++kl->n;
	kl->last = kl->n;
	return e;
}

/* Value + 1 of each hex digit, 0 for every other byte. */
static const uint8_t hex1[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
	['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* Hex field -> bytes; false unless it is an even number of hex digits
 * decoding to at most `cap` bytes. */
static bool unhex(const char *s, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
	if (n % 2 != 0 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		unsigned hi = hex1[(unsigned char)s[i]], lo = hex1[(unsigned char)s[i + 1]];
		if (hi == 0 || lo == 0)
			return false;
		out[i / 2] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	*out_len = n / 2;
	return true;
}

/* White space between fields; every such byte is <= ' ', so most bytes are
 * decided by the first comparison. */
static bool is_space(char c)
{
	return (unsigned char)c <= ' ' &&
	       (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f');
}

/* Splits a line into up to 4 white-space separated fields; returns the count. */
static int split(const char *p, const char *end, const char *f[4], size_t flen[4])
{
	int n = 0;
	while (p < end) {
		while (p < end && is_space(*p))
			p++;
		if (p == end)
			break;
		const char *s = p;
		while (p < end && !is_space(*p))
			p++;
		if (n == 4)
			return 5;
		f[n] = s;
		flen[n] = (size_t)(p - s);
		n++;
	}
	return n;
}

/* Is the field f of n bytes (untrusted, may hold NUL bytes) exactly word? */
static bool field_is(const char *f, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (word[i] == '\0' || word[i] != f[i])
			return false;
	return word[n] == '\0';
}

struct warner {
	tlsa_keylog_warn_fn fn;
	void *ctx;
	const char *origin;
};

static void warn(const struct warner *w, unsigned long line, const char *msg)
{
	if (w->fn != NULL)
		w->fn(w->ctx, w->origin, line, msg);
}

/* One line; returns 1 if it set a secret, 0 if not, or a negative error. */
/* "CLIENT_TRAFFIC_SECRET_N" or "SERVER_TRAFFIC_SECRET_N" with N > 0. */
static bool traffic_secret_n(const char *f, size_t n)
{
	static const char *const prefixes[] = {"CLIENT_TRAFFIC_SECRET_", "SERVER_TRAFFIC_SECRET_"};
	for (size_t i = 0; i < 2; i++) {
		size_t pl = strlen(prefixes[i]);
		if (n <= pl || memcmp(f, prefixes[i], pl) != 0)
			continue;
		bool digits = f[pl] != '0';
		for (size_t k = pl; k < n && digits; k++)
			digits = f[k] >= '0' && f[k] <= '9';
		if (digits)
			return true;
	}
	return false;
}

/*
 * Whether an unknown first word may be echoed in a warning: only one shaped
 * like a label (capitals, digits and '_', with at least one '_', at most 40
 * characters).  Secrets are hex digits, and no run of them can have that
 * shape: a key log folded at 40 columns puts pieces of secrets where the label
 * goes, and those must never be printed, not even a digit of them.
 */
static bool label_shape(const char *f, size_t n)
{
	bool underscore = false;
	size_t hex_run = 0; /* no label has 8 hex characters in a row; a piece of a secret may */
	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool hex = (f[i] >= '0' && f[i] <= '9') || (f[i] >= 'A' && f[i] <= 'F');
		hex_run = hex ? hex_run + 1 : 0;
		if (hex_run >= 8)
			return false;
		if (f[i] == '_')
			underscore = true;
		else if (!(f[i] >= 'A' && f[i] <= 'Z') && !(f[i] >= '0' && f[i] <= '9'))
			return false;
	}
	return underscore;
}

static int parse_line(struct tlsa_keylog *kl, const char *p, const char *end, unsigned long line,
		      const struct warner *w)
{
	const char *f[4];
	size_t fl[4];
	char msg[160];

	while (p < end && is_space(*p))
		p++;
	if (p == end || *p == '#')
		return 0;
	int nf = split(p, end, f, fl);
	int label = -1;
	for (int i = 0; i < TLSA_KL_COUNT && label < 0; i++)
		if (field_is(f[0], fl[0], label_names[i]))
			label = i;
	if (field_is(f[0], fl[0], "EARLY_TRAFFIC_SECRET"))
		label = TLSA_KL_CLIENT_EARLY;
	if (label < 0) {
		for (size_t i = 0; i < N_ELEMS(ignored_labels); i++)
			if (field_is(f[0], fl[0], ignored_labels[i]))
				return 0;
		/* Later traffic secrets (after KeyUpdate) are valid lines; the
		 * tracker derives them from secret 0 itself. */
		if (traffic_secret_n(f[0], fl[0]))
			return 0;
		if (label_shape(f[0], fl[0]))
			snprintf(msg, sizeof(msg), "unknown label \"%.*s\"; line skipped",
				 (int)fl[0], f[0]);
		else
			snprintf(msg, sizeof(msg),
				 "a line starts with a %zu-character word that is not a label "
				 "(not shown: it may be part of a secret); line skipped",
				 fl[0]);
		warn(w, line, msg);
		return 0;
	}
	if (nf != 3) {
		snprintf(msg, sizeof(msg),
			 "%s line has %s fields, expected 3 (label, client random, "
			 "secret); line skipped",
			 label_names[label],
			 nf > 3	   ? "more than 3"
			 : nf == 2 ? "2"
				   : "1");
		warn(w, line, msg);
		return 0;
	}
	uint8_t cr[32], sec[TLSA_KEYLOG_SECRET_MAX];
	size_t crlen, seclen;
	if (!unhex(f[1], fl[1], cr, sizeof(cr), &crlen) || crlen != 32) {
		snprintf(msg, sizeof(msg),
			 "%s line: client random is not 64 hex digits (found %zu characters); "
			 "line skipped",
			 label_names[label], fl[1]);
		warn(w, line, msg);
		return 0;
	}
	bool ok = unhex(f[2], fl[2], sec, sizeof(sec), &seclen);
	size_t want = label == TLSA_KL_MASTER_SECRET ? 48 : 0;
	if (!ok || (want && seclen != want) || (!want && seclen != 32 && seclen != 48)) {
		snprintf(
			msg, sizeof(msg),
			"%s line: secret is not %s hex digits (found %zu characters); line skipped",
			label_names[label], want ? "96" : "64 or 96", fl[2]);
		warn(w, line, msg);
		return 0;
	}
	int rc = 0;
	struct kl_entry *e = entry_for(kl, cr, &rc);
	if (e == NULL)
		return rc;
	const uint8_t *s = rec_find(kl, e, (tlsa_keylog_label)label);
	if (s != NULL) {
		if (s[5] != seclen || memcmp(s + REC_HEAD, sec, seclen) != 0) {
			snprintf(msg, sizeof(msg),
				 "%s line: a different secret for this client random was read "
				 "before; the first one is kept",
				 label_names[label]);
			warn(w, line, msg);
		}
		memset(sec, 0, sizeof(sec));
		return 0;
	}
	bool added = rec_add(kl, e, (tlsa_keylog_label)label, sec, seclen);
	memset(sec, 0, sizeof(sec));
	return added ? 1 : TLSA_ENOMEM;
}

int tlsa_keylog_add_text(struct tlsa_keylog *kl, const char *text, size_t len, const char *origin,
			 tlsa_keylog_warn_fn warn_fn, void *ctx, struct tlsa_error *err)
{
	if (kl == NULL || (text == NULL && len > 0))
		return tlsa_error_set(err, TLSA_EINVAL, 0, "no key log or no text given");
	struct warner w = {warn_fn, ctx, origin ? origin : "key log"};
	const char *p = text, *end = text + len;
	unsigned long line = 0;
	int added = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		int rc = parse_line(kl, p, le, line, &w);
		if (rc < 0) {
			size_t off = (size_t)(p - text);
			if (rc == TLSA_ENOMEM)
				return tlsa_error_set(err, rc, off,
						      "out of memory reading key log line %lu",
						      line);
			return tlsa_error_set(err, rc, off,
					      "key log line %lu: more than %u connections", line,
					      TLSA_KEYLOG_MAX_ENTRIES);
		}
		if (added < 0x7fffffff)
			added += rc;
		p = nl ? nl + 1 : end;
	}
	return added;
}

int tlsa_keylog_add_dsb(struct tlsa_keylog *kl, uint32_t secrets_type, const uint8_t *data,
			size_t len, const char *origin, tlsa_keylog_warn_fn warn_fn, void *ctx,
			struct tlsa_error *err)
{
	if (secrets_type != TLSA_DSB_TLS_KEYLOG)
		return tlsa_error_set(
			err, TLSA_EUNSUPP, 0,
			"decryption secrets type 0x%08x is not a TLS key log (0x%08x)",
			(unsigned)secrets_type, (unsigned)TLSA_DSB_TLS_KEYLOG);
	/* The block is padded to 32 bits with NULs: stop at the first NUL. */
	const uint8_t *nul = len ? memchr(data, 0, len) : NULL;
	if (nul != NULL)
		len = (size_t)(nul - data);
	return tlsa_keylog_add_text(kl, (const char *)data, len, origin ? origin : "pcapng DSB",
				    warn_fn, ctx, err);
}
