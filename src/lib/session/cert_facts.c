/*
 * Certificate facts read straight from the DER of a Certificate message,
 * without libcrypto: the leaf's subjectAltName, commonName, validity as
 * seconds, public key type and size, signature algorithm, and the chain
 * facts (self-signed, the leaf's issuer present, chain order).  Names are
 * compared as DER bytes, which is what every CA emits for the same name.
 * Untrusted input: every length is checked by the reader (base/rd.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/rd.h"
#include "der.h"
#include "session_int.h"

/* Object identifiers the facts name (DER contents of the OID), from data/oids.txt. */
enum oid_kind { OID_KEY, OID_CURVE, OID_SIG };
struct oid_name {
	enum oid_kind kind;
	uint8_t len;
	uint8_t der[10];
	const char *name;
	int bits; /* curves: field size; fixed-size keys: their size */
};

#include "oids_data.h"

static const struct oid_name *oid_find(enum oid_kind kind, const struct rd *oid)
{
	size_t n = rd_left(oid);
	for (size_t i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		if (oids[i].kind == kind && oids[i].len == n && memcmp(oids[i].der, oid->p, n) == 0)
			return &oids[i];
	return NULL;
}

/* Dotted text of an OID ("1.2.3.4"), for signature algorithms not in the table. */
static void oid_text(const struct rd *oid, char *out, size_t cap)
{
	size_t n = rd_left(oid), j = 0;
	unsigned long v = 0;
	bool first = true;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		v = v << 7 | (oid->p[i] & 0x7f);
		if (oid->p[i] & 0x80) {
			if (v > 0xffffffful)
				return; /* absurd arc */
			continue;
		}
		int k = first ? snprintf(out + j, cap - j, "%lu.%lu", v < 80 ? v / 40 : 2,
					 v < 80 ? v % 40 : v - 80)
			      : snprintf(out + j, cap - j, ".%lu", v);
		if (k < 0 || (size_t)k >= cap - j) {
			out[j] = '\0';
			return;
		}
		j += (size_t)k;
		first = false;
		v = 0;
	}
}

/* Significant bits of a DER INTEGER's contents (a positive one). */
static int int_bits(const struct rd *in)
{
	const uint8_t *p = in->p;
	size_t n = rd_left(in);
	while (n > 0 && *p == 0)
		p++, n--;
	if (n == 0 || n > 4096)
		return 0;
	int bits = (int)n * 8;
	for (uint8_t top = *p; !(top & 0x80); top <<= 1)
		bits--;
	return bits;
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) as seconds. */
static bool asn1_time(const struct der *t, int64_t *out)
{
	size_t n = rd_left(&t->in), yl = t->tag == 0x17 ? 2 : t->tag == 0x18 ? 4 : 0;
	const uint8_t *p = t->in.p;
	if (yl == 0 || n != yl + 11 || p[n - 1] != 'Z')
		return false;
	int v[7] = {0};
	size_t widths[6] = {yl, 2, 2, 2, 2, 2}, at = 0;
	for (int f = 0; f < 6; f++) {
		for (size_t i = 0; i < widths[f]; i++, at++) {
			if (p[at] < '0' || p[at] > '9')
				return false;
			v[f] = v[f] * 10 + (p[at] - '0');
		}
	}
	if (yl == 2)
		v[0] += v[0] >= 50 ? 1900 : 2000; /* RFC 5280 4.1.2.5.1 */
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return false;
	*out = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
	return true;
}

/* The last commonName of a Name (SEQUENCE OF SET OF AttributeTypeAndValue). */
static void name_cn(struct rd name, char *out, size_t cap)
{
	static const uint8_t cn_oid[] = {0x55, 0x04, 0x03};
	struct der set, atv, oid, val;
	while (rd_left(&name) > 0 && der_want(&name, 0x31, &set)) {
		while (rd_left(&set.in) > 0 && der_want(&set.in, 0x30, &atv)) {
			if (!der_want(&atv.in, 0x06, &oid) || !der_get(&atv.in, &val))
				break;
			if (rd_left(&oid.in) != sizeof(cn_oid) ||
			    memcmp(oid.in.p, cn_oid, sizeof(cn_oid)) != 0)
				continue;
			size_t n = rd_left(&val.in), j = 0;
			for (size_t i = 0; i < n && j + 1 < cap; i++) {
				uint8_t ch = val.in.p[i];
				out[j++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
			}
			out[j] = '\0';
		}
	}
}

/* One GeneralName of subjectAltName: dNSName [2] and iPAddress [7] are kept. */
static void san_entry(const struct der *g, struct tlsa_cert_info *ci)
{
	uint8_t t = g->tag & 0x1f;
	if ((g->tag & 0xc0) != 0x80 || (t != 2 && t != 7))
		return;
	int i = ci->san_count++;
	if (i >= TLSA_CERT_SAN_MAX)
		return;
	char *out = ci->san[i];
	size_t n = rd_left(&g->in);
	if (t == 7) {
		if ((n != 4 && n != 16) || inet_ntop(n == 4 ? AF_INET : AF_INET6, g->in.p, out,
						     sizeof(ci->san[i])) == NULL)
			snprintf(out, sizeof(ci->san[i]), "?");
		ci->san_ip |= (uint8_t)(1u << i);
		return;
	}
	size_t j = 0;
	for (size_t k = 0; k < n && j + 1 < sizeof(ci->san[i]); k++) {
		uint8_t ch = g->in.p[k];
		out[j++] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[j] = '\0';
}

/* Extensions [3] of a tbsCertificate: subjectAltName. */
static void extensions(struct rd exts, struct tlsa_cert_info *ci)
{
	static const uint8_t san_oid[] = {0x55, 0x1d, 0x11};
	struct der seq, ext, oid, val, names, g;
	if (!der_want(&exts, 0x30, &seq))
		return;
	while (rd_left(&seq.in) > 0 && der_want(&seq.in, 0x30, &ext)) {
		if (!der_want(&ext.in, 0x06, &oid) || !der_get(&ext.in, &val))
			continue;
		if (val.tag == 0x01 && !der_get(&ext.in, &val)) /* critical */
			continue;
		if (val.tag != 0x04 || rd_left(&oid.in) != sizeof(san_oid) ||
		    memcmp(oid.in.p, san_oid, sizeof(san_oid)) != 0)
			continue;
		if (!der_want(&val.in, 0x30, &names))
			continue;
		while (rd_left(&names.in) > 0 && der_get(&names.in, &g))
			san_entry(&g, ci);
	}
}

/* SubjectPublicKeyInfo: key type, curve and size. */
static void public_key(struct rd spki, struct tlsa_cert_info *ci)
{
	struct der alg, oid, params, bits, key, n;
	if (!der_want(&spki, 0x30, &alg) || !der_want(&alg.in, 0x06, &oid))
		return;
	const struct oid_name *k = oid_find(OID_KEY, &oid.in);
	if (k == NULL)
		return;
	snprintf(ci->key_type, sizeof(ci->key_type), "%s", k->name);
	ci->key_bits = k->bits;
	bool have_params = der_get(&alg.in, &params);
	if (strcmp(k->name, "EC") == 0) {
		const struct oid_name *c =
			have_params && params.tag == 0x06 ? oid_find(OID_CURVE, &params.in) : NULL;
		if (c != NULL) {
			snprintf(ci->key_curve, sizeof(ci->key_curve), "%s", c->name);
			ci->key_bits = c->bits;
		}
	} else if (strcmp(k->name, "DSA") == 0) { /* bits of p */
		if (have_params && params.tag == 0x30 && der_want(&params.in, 0x02, &n))
			ci->key_bits = int_bits(&n.in);
	} else if (k->bits == 0 && der_want(&spki, 0x03, &bits)) { /* RSA: the modulus */
		(void)rd_u8(&bits.in);				   /* unused bits */
		if (der_want(&bits.in, 0x30, &key) && der_want(&key.in, 0x02, &n))
			ci->key_bits = int_bits(&n.in);
	}
}

/* Issuer and subject names (whole DER elements) of one certificate. */
struct names {
	const uint8_t *issuer, *subject;
	size_t issuer_len, subject_len;
};

/* Walks a Certificate to its tbsCertificate fields; fills nm and, when ci is
 * given, the leaf facts.  False when it does not have the X.509 shape. */
static bool cert_walk(const uint8_t *der, size_t len, struct names *nm, struct tlsa_cert_info *ci)
{
	struct rd top = rd_init(der, len);
	struct der cert, tbs, f, sig, validity, nb, na, issuer, subject, spki, oid;
	if (!der_want(&top, 0x30, &cert) || !der_want(&cert.in, 0x30, &tbs) ||
	    !der_want(&cert.in, 0x30, &sig) || !der_get(&tbs.in, &f))
		return false;
	if (f.tag == 0xa0 && !der_get(&tbs.in, &f)) /* version */
		return false;
	if (f.tag != 0x02 || !der_want(&tbs.in, 0x30, &f) || /* serial, signature */
	    !der_want(&tbs.in, 0x30, &issuer) || !der_want(&tbs.in, 0x30, &validity) ||
	    !der_want(&tbs.in, 0x30, &subject) || !der_want(&tbs.in, 0x30, &spki))
		return false;
	nm->issuer = issuer.el;
	nm->issuer_len = issuer.el_len;
	nm->subject = subject.el;
	nm->subject_len = subject.el_len;
	if (ci == NULL)
		return true;
	ci->times_known = der_get(&validity.in, &nb) && der_get(&validity.in, &na) &&
			  asn1_time(&nb, &ci->not_before_unix) &&
			  asn1_time(&na, &ci->not_after_unix);
	name_cn(subject.in, ci->cn, sizeof(ci->cn));
	public_key(spki.in, ci);
	if (der_want(&sig.in, 0x06, &oid)) {
		const struct oid_name *s = oid_find(OID_SIG, &oid.in);
		if (s != NULL)
			snprintf(ci->sig_alg, sizeof(ci->sig_alg), "%s", s->name);
		else
			oid_text(&oid.in, ci->sig_alg, sizeof(ci->sig_alg));
	}
	while (rd_left(&tbs.in) > 0 && der_get(&tbs.in, &f))
		if (f.tag == 0xa3) /* [1], [2] unique ids are skipped */
			extensions(f.in, ci);
	return true;
}

static bool same(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && memcmp(a, b, al) == 0;
}

/* Chain certificates compared (the rest of a longer chain is not looked at). */
#define CHAIN_MAX 10

void ses_cert_facts(const uint8_t *body, size_t len, bool tls13, struct tlsa_cert_info *ci)
{
	struct names nm[CHAIN_MAX];
	size_t n = 0;
	struct rd r = rd_init(body, len);
	if (tls13)
		(void)rd_block(&r, 1); /* certificate_request_context */
	struct rd list = rd_block(&r, 3);
	while (rd_ok(&r) && rd_left(&list) > 0 && n < CHAIN_MAX) {
		struct rd cert = rd_block(&list, 3);
		if (tls13)
			(void)rd_block(&list, 2); /* extensions */
		if (!rd_ok(&list) || !cert_walk(cert.p, rd_left(&cert), &nm[n], n == 0 ? ci : NULL))
			break;
		n++;
	}
	if (n == 0)
		return;
	ci->facts_read = true;
	ci->self_signed = same(nm[0].issuer, nm[0].issuer_len, nm[0].subject, nm[0].subject_len);
	ci->chain_ordered = true;
	for (size_t i = 1; i < n; i++) {
		if (same(nm[0].issuer, nm[0].issuer_len, nm[i].subject, nm[i].subject_len))
			ci->issuer_in_chain = true;
		if (!same(nm[i - 1].issuer, nm[i - 1].issuer_len, nm[i].subject, nm[i].subject_len))
			ci->chain_ordered = false;
	}
}
