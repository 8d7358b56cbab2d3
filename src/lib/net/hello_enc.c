/*
 * The ClientHello of a probe, written byte by byte: libssl cannot send an
 * SSL 3.0 hello, GREASE where we choose, a duplicated extension or a key
 * share of the wrong length, and the probes need exactly the hello they
 * describe.  The writer checks every length against its buffer.
 */
#include <string.h>

#include "base/rd.h"
#include "net_int.h"

struct wr {
	uint8_t *p;
	size_t n, cap;
	bool over;
};

static void put(struct wr *w, const void *src, size_t n)
{
	if (w->over || n > w->cap - w->n) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->n, src, n);
	w->n += n;
}

static void put8(struct wr *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(w, &b, 1);
}

static void put16(struct wr *w, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(w, b, 2);
}

/* A length field of `bytes` bytes, filled in by len_end(). */
static size_t len_begin(struct wr *w, int bytes)
{
	size_t at = w->n;
	for (int i = 0; i < bytes; i++)
		put8(w, 0);
	return at;
}

static void len_end(struct wr *w, size_t at, int bytes, size_t extra)
{
	if (w->over)
		return;
	size_t v = w->n - at - (size_t)bytes + extra;
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		w->p[at + (size_t)i] = (uint8_t)v;
}

/* RFC 8701 GREASE: one value of the sixteen, picked by the hello's random. */
static unsigned grease(const uint8_t random[32], int which)
{
	unsigned k = (random[which & 31] >> 4) & 0x0f;
	return (k << 12) | 0x0a00 | (k << 4) | 0x0a;
}

static void ext_sni(struct wr *w, const struct tlsa_probe_hello *h, const char *host)
{
	const char *name = h->sni_name != NULL ? h->sni_name : host;
	size_t n = h->malform == TLSA_MALFORM_EMPTY_SNI ? 0 : strlen(name);
	put16(w, 0);
	size_t e = len_begin(w, 2), l = len_begin(w, 2);
	put8(w, 0); /* host_name */
	put16(w, (unsigned)n);
	put(w, name, n);
	len_end(w, l, 2, 0);
	len_end(w, e, 2, 0);
}

static void ext_list16(struct wr *w, unsigned type, const uint16_t *v, size_t n, int lenbytes,
		       const uint8_t *random, bool grease_first)
{
	put16(w, type);
	size_t e = len_begin(w, 2), l = len_begin(w, lenbytes);
	if (grease_first)
		put16(w, grease(random, (int)type));
	for (size_t i = 0; i < n; i++)
		put16(w, v[i]);
	len_end(w, l, lenbytes, 0);
	len_end(w, e, 2, 0);
}

static void ext_alpn(struct wr *w, const char *list)
{
	put16(w, 16);
	size_t e = len_begin(w, 2), l = len_begin(w, 2);
	for (const char *s = list; *s != '\0';) {
		size_t n = strcspn(s, ",");
		if (n > 0 && n < 256) {
			put8(w, (unsigned)n);
			put(w, s, n);
		}
		s += n + (s[n] == ',');
	}
	len_end(w, l, 2, 0);
	len_end(w, e, 2, 0);
}

static void ext_key_share(struct wr *w, const struct tlsa_probe_hello *h,
			  const struct tlsa_probe_keys *k, const uint8_t *random)
{
	static const uint8_t zeros[512];
	put16(w, 51);
	size_t e = len_begin(w, 2), l = len_begin(w, 2);
	if (h->grease) {
		/* the GREASE group of supported_groups: a share must be for an offered group */
		put16(w, grease(random, 10));
		put16(w, 1);
		put8(w, 0);
	}
	for (size_t i = 0; i < h->n_key_shares; i++) {
		size_t n = 0;
		const uint8_t *pub = net_keys_public(k, h->key_shares[i], &n);
		if (pub == NULL) {
			n = net_share_len(h->key_shares[i]);
			pub = zeros;
			if (n == 0)
				n = 32;
		}
		if (i == 0 && h->malform == TLSA_MALFORM_KEY_SHARE_LEN)
			n--; /* one byte short of the group's size: illegal_parameter */
		put16(w, h->key_shares[i]);
		put16(w, (unsigned)n);
		put(w, pub, n);
	}
	len_end(w, l, 2, 0);
	len_end(w, e, 2, 0);
}

static bool offers13(const struct tlsa_probe_hello *h)
{
	for (size_t i = 0; i < h->n_versions; i++)
		if (h->versions[i] == 0x0304)
			return true;
	return false;
}

/* Long: one extension after the other, in the order common clients send them. */
static void extensions(struct wr *w, const struct tlsa_probe_hello *h, const char *host,
		       const uint8_t random[32], const struct tlsa_probe_keys *k, size_t hs_start)
{
	size_t e = len_begin(w, 2);
	if (h->grease) {
		put16(w, grease(random, 1));
		put16(w, 0);
	}
	if (h->sni)
		ext_sni(w, h, host);
	if (h->max_fragment) {
		put16(w, 1);
		put16(w, 1);
		put8(w, 1); /* 2^9 */
	}
	put16(w, 23); /* extended_master_secret */
	put16(w, 0);
	put16(w, 0xff01); /* renegotiation_info, empty: a first handshake */
	put16(w, 1);
	put8(w, 0);
	if (h->n_groups > 0) {
		ext_list16(w, 10, h->groups, h->n_groups, 2, random, h->grease);
		if (h->malform == TLSA_MALFORM_DUP_EXT)
			ext_list16(w, 10, h->groups, h->n_groups, 2, random, h->grease);
		put16(w, 11); /* ec_point_formats: uncompressed */
		put16(w, 2);
		put8(w, 1);
		put8(w, 0);
	}
	if (h->n_sigalgs > 0)
		ext_list16(w, 13, h->sigalgs, h->n_sigalgs, 2, random, false);
	if (h->alpn != NULL)
		ext_alpn(w, h->alpn);
	if (h->record_size_limit) {
		put16(w, 28);
		put16(w, 2);
		put16(w, 512);
	}
	if (h->n_versions > 0) {
		put16(w, 43);
		size_t x = len_begin(w, 2), l = len_begin(w, 1);
		if (h->grease)
			put16(w, grease(random, 43));
		for (size_t i = 0; i < h->n_versions; i++)
			put16(w, h->versions[i]);
		len_end(w, l, 1, 0);
		len_end(w, x, 2, 0);
	}
	if (offers13(h)) {
		put16(w, 45); /* psk_key_exchange_modes: psk_dhe_ke */
		put16(w, 2);
		put8(w, 1);
		put8(w, 1);
		ext_key_share(w, h, k, random);
	}
	if (h->grease) {
		/* a second GREASE extension, never the same type as the first */
		put16(w, grease(random, 1) ^ 0x1010);
		put16(w, 1);
		put8(w, 0);
	}
	if (h->pad_to > 0) {
		/* padding (RFC 7685) so that the handshake message is pad_to bytes long */
		size_t now = w->n - hs_start + 4;
		if (now < h->pad_to) {
			size_t n = h->pad_to - now;
			static const uint8_t zeros[1024];
			put16(w, 21);
			put16(w, (unsigned)n);
			put(w, zeros, n <= sizeof(zeros) ? n : sizeof(zeros));
		}
	}
	len_end(w, e, 2, h->malform == TLSA_MALFORM_TRUNC_EXT ? 1 : 0);
}

/*
 * A replayed ClientHello record, copied with its server_name extension replaced
 * (or dropped): every length of the hello is checked against the record, and
 * the record, handshake and extensions lengths are written anew.  The hello
 * must be one whole message in one record.
 */
static int replay(const struct tlsa_probe_hello *h, const char *sni_host, struct wr *w,
		  struct tlsa_error *err)
{
	struct rd r = rd_init(h->raw, h->raw_len);
	uint8_t type = rd_u8(&r);
	uint16_t rver = rd_u16(&r);
	struct rd rec = rd_block(&r, 2);
	uint8_t hs_type = rd_u8(&rec);
	struct rd body = rd_sub(&rec, rd_u24(&rec));
	if (!rd_ok(&r) || !rd_ok(&rec) || type != 22 || hs_type != 1 || rd_left(&rec) != 0)
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "the replayed record is not one whole ClientHello");
	/* the fixed part: version, random, session id, suites, compression */
	const uint8_t *fixed = body.p;
	rd_skip(&body, 2 + 32);
	rd_block(&body, 1);
	rd_block(&body, 2);
	rd_block(&body, 1);
	if (!rd_ok(&body))
		return tlsa_error_set(err, TLSA_EINVAL, 0, "the replayed ClientHello is truncated");
	size_t nfixed = (size_t)(body.p - fixed);
	put8(w, 22);
	put16(w, rver);
	size_t rl = len_begin(w, 2);
	put8(w, 1);
	size_t hl = len_begin(w, 3);
	put(w, fixed, nfixed);
	if (rd_left(&body) > 0) {
		struct rd exts = rd_block(&body, 2);
		size_t el = len_begin(w, 2);
		bool named = false;
		while (rd_ok(&exts) && rd_left(&exts) >= 4) {
			const uint8_t *start = exts.p;
			uint16_t et = rd_u16(&exts);
			struct rd e = rd_block(&exts, 2);
			if (!rd_ok(&exts))
				break;
			if (et != 0) {
				put(w, start, (size_t)(exts.p - start));
				continue;
			}
			if (h->sni && !named)
				ext_sni(w, h, sni_host);
			named = true;
			(void)e;
		}
		if (!rd_ok(&exts) || rd_left(&exts) != 0)
			return tlsa_error_set(
				err, TLSA_EINVAL, 0,
				"the replayed ClientHello's extensions are malformed");
		len_end(w, el, 2, 0);
	}
	len_end(w, hl, 3, 0);
	len_end(w, rl, 2, 0);
	return 0;
}

int tlsa_probe_hello_encode(const struct tlsa_probe_hello *h, const char *sni_host,
			    const uint8_t random[32], const struct tlsa_probe_keys *keys,
			    uint8_t *out, size_t cap, size_t *len, struct tlsa_error *err)
{
	struct wr w = {.p = out, .cap = cap};
	if (h->raw != NULL) {
		int rc = replay(h, sni_host != NULL ? sni_host : "", &w, err);
		if (rc != 0)
			return rc;
		if (w.over)
			return tlsa_error_set(err, TLSA_ELIMIT, cap,
					      "the ClientHello does not fit in %zu bytes", cap);
		*len = w.n;
		return 0;
	}
	put8(&w, 22);
	put16(&w, h->record_version != 0 ? h->record_version : 0x0301);
	size_t rec = len_begin(&w, 2);
	put8(&w, 1); /* client_hello */
	size_t hs = len_begin(&w, 3);
	put16(&w, h->legacy_version != 0 ? h->legacy_version : 0x0303);
	put(&w, random, 32);
	/* a 32-byte session id, as TLS 1.3 clients in compatibility mode send */
	put8(&w, 32);
	for (int i = 0; i < 32; i++)
		put8(&w, random[31 - i] ^ 0x5c);
	size_t cs = len_begin(&w, 2);
	if (h->grease)
		put16(&w, grease(random, 0));
	for (size_t i = 0; i < h->n_suites; i++)
		put16(&w, h->suites[i]);
	if (h->fallback_scsv)
		put16(&w, 0x5600);
	len_end(&w, cs, 2, 0);
	put8(&w, 1); /* compression methods: null */
	put8(&w, 0);
	bool ssl3 = (h->legacy_version == 0x0300);
	if (!ssl3)
		extensions(&w, h, sni_host != NULL ? sni_host : "", random, keys, hs - 1);
	len_end(&w, hs, 3, 0);
	len_end(&w, rec, 2, 0);
	if (w.over)
		return tlsa_error_set(err, TLSA_ELIMIT, cap,
				      "the ClientHello does not fit in %zu bytes", cap);
	*len = w.n;
	return 0;
}
