/*
 * Decryption state of one connection, driven by the session tracker
 * (docs/decrypt.md, "What the session tracker must do"):
 *
 *   TLS 1.3  per direction: handshake keys from the first type-23 record after
 *            the ServerHello, application keys after the direction's
 *            Finished (or, when a record fails under the handshake keys and
 *            opens under the application keys at sequence number 0, from
 *            that record on), KeyUpdate, 0-RTT records under the early secret.
 *   TLS 1.2  both directions from the master secret; a direction's records
 *            are protected from the record after its ChangeCipherSpec.
 *   DTLS     epoch 1 from the master secret; the record header carries the
 *            sequence number.
 *
 * Sequence numbers move on for every protected record, opened or only
 * counted: AEAD nonces depend on the sequence number alone, so a later alert
 * opens without decrypting the application data before it (TLS 1.0 CBC
 * chains its IV through every record: there every record is opened).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <zlib.h>

#include "base/rd.h"
#include "conn_decrypt.h"
#include "der.h"
#include "tlsalert/decrypt.h"

enum stage { ST_OFF, ST_HS, ST_APP, ST_LOST };

struct sdir {
	struct tlsa_cipher_dir cur;
	enum stage stage;
	bool ccs;	     /* TLS <= 1.2: sent ChangeCipherSpec */
	bool opened;	     /* a record opened under the current keys */
	uint64_t early_seq;  /* TLS 1.3 client: next 0-RTT sequence number */
	bool early_possible; /* 0-RTT secret or records, no handshake-key record opened yet */
	z_stream *z;	     /* DEFLATE: this direction's inflate stream, across records */
};

struct sdec {
	struct tlsa_keylog_entry e;
	uint16_t suite, version;
	uint8_t client_random[32], server_random[32];
	bool tls13, dtls, etm, cbc_chain, tls12_ready;
	int client_dir;
	struct sdir d[2];
	struct tlsa_cipher_dir alt;   /* trial keys (next stage, 0-RTT) */
	struct tlsa_crypto_cache *cc; /* the tracker's */
	uint8_t comp;		      /* TLS <= 1.2 compression method (RFC 3749): 0 none */
	uint8_t *zbuf;		      /* DEFLATE: inflated plaintext, before it goes to out */
};

static const struct tlsa_keylog_secret *secret(const struct sdec *s, tlsa_keylog_label l)
{
	const struct tlsa_keylog_secret *k = tlsa_keylog_secret(&s->e, l);
	return k != NULL && k->len > 0 ? k : NULL;
}

struct sdec *sdec_new(const struct tlsa_keylog_entry *e, const struct tlsa_hs_facts *hs, bool dtls,
		      bool etm, int client_dir, uint32_t early_records,
		      struct tlsa_crypto_cache *cc, const char **why)
{
	*why = NULL;
	if (!hs->server_hello || !hs->suite_selected_set || (client_dir != 0 && client_dir != 1)) {
		*why = "the ServerHello was not seen";
		return NULL;
	}
	const struct tlsa_suite *suite = tlsa_suite_find(hs->suite_selected);
	if (suite == NULL) {
		*why = "the negotiated cipher suite cannot be decrypted here";
		return NULL;
	}
	uint16_t v = hs->version_selected;
	bool tls13 = v == 0x0304 && !dtls;
	if (tls13 != suite->tls13 || (!tls13 && v != 0x0300 && v != 0x0301 && v != 0x0302 &&
				      v != 0x0303 && v != 0xfeff && v != 0xfefd)) {
		*why = "the negotiated version cannot be decrypted here";
		return NULL;
	}
	struct sdec *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		*why = "out of memory";
		return NULL;
	}
	s->e = *e;
	s->cc = cc;
	s->suite = hs->suite_selected;
	memcpy(s->client_random, hs->client_random, 32);
	memcpy(s->server_random, hs->server_random, 32);
	s->version = v;
	s->tls13 = tls13;
	s->dtls = dtls;
	s->etm = etm;
	/* SSL 3.0 / TLS 1.0 CBC chains its IV through every record, a stream
	 * cipher its state: there every record must be opened, in order */
	s->comp = tls13 ? 0 : hs->compression_selected;
	s->cbc_chain = !tls13 && ((suite->prot == TLSA_PROT_CBC && v <= 0x0301) ||
				  suite->prot == TLSA_PROT_STREAM || s->comp != 0);
	s->client_dir = client_dir;
	if (tls13) {
		if (secret(s, TLSA_KL_CLIENT_HANDSHAKE) == NULL &&
		    secret(s, TLSA_KL_SERVER_HANDSHAKE) == NULL &&
		    secret(s, TLSA_KL_CLIENT_TRAFFIC_0) == NULL &&
		    secret(s, TLSA_KL_SERVER_TRAFFIC_0) == NULL) {
			*why = "the key log has no TLS 1.3 traffic secrets for this connection";
			sdec_free(s);
			return NULL;
		}
	} else if (secret(s, TLSA_KL_MASTER_SECRET) == NULL) {
		*why = "the key log has no master secret (CLIENT_RANDOM) for this connection";
		sdec_free(s);
		return NULL;
	}
	s->d[client_dir].early_seq = early_records;
	s->d[client_dir].early_possible =
		secret(s, TLSA_KL_CLIENT_EARLY) != NULL || early_records > 0;
	return s;
}

void sdec_free(struct sdec *s)
{
	if (s == NULL)
		return;
	tlsa_dir_free(&s->d[0].cur);
	tlsa_dir_free(&s->d[1].cur);
	tlsa_dir_free(&s->alt);
	for (int i = 0; i < 2; i++)
		if (s->d[i].z != NULL) {
			inflateEnd(s->d[i].z);
			free(s->d[i].z);
		}
	if (s->zbuf != NULL)
		OPENSSL_cleanse(s->zbuf, SDEC_ZBUF);
	free(s->zbuf);
	OPENSSL_cleanse(&s->e, sizeof(s->e));
	free(s);
}

static bool is_client(const struct sdec *s, int dir)
{
	return dir == s->client_dir;
}

/* TLS 1.3: sets up `d` from the secret of this direction and stage. */
static int init13(const struct sdec *s, int dir, enum stage st, struct tlsa_cipher_dir *d)
{
	tlsa_keylog_label l;
	if (st == ST_HS)
		l = is_client(s, dir) ? TLSA_KL_CLIENT_HANDSHAKE : TLSA_KL_SERVER_HANDSHAKE;
	else
		l = is_client(s, dir) ? TLSA_KL_CLIENT_TRAFFIC_0 : TLSA_KL_SERVER_TRAFFIC_0;
	const struct tlsa_keylog_secret *k = secret(s, l);
	if (k == NULL)
		return TLSA_EINVAL;
	return tlsa_dir_init_tls13_cached(d, s->cc, s->suite, k->v, k->len);
}

static void start_stage(struct sdec *s, int dir, enum stage st)
{
	struct sdir *sd = &s->d[dir];
	sd->opened = false;
	if (init13(s, dir, st, &sd->cur) == 0)
		sd->stage = st;
	else {
		tlsa_dir_free(&sd->cur);
		sd->stage = ST_LOST;
	}
}

bool sdec_want(const struct sdec *s, int dir, uint8_t type, uint32_t len, bool all)
{
	const struct sdir *sd = &s->d[dir];
	if (s->tls13) {
		if (type != 23 || sd->stage == ST_LOST)
			return false;
		return sd->stage != ST_APP || len <= SDEC_SMALL_RECORD || all;
	}
	if (!sd->ccs || sd->stage == ST_LOST)
		return false;
	return type != 23 || all || s->cbc_chain;
}

static int tls12_init(struct sdec *s)
{
	const struct tlsa_keylog_secret *m = secret(s, TLSA_KL_MASTER_SECRET);
	if (m == NULL || m->len != 48)
		return TLSA_EINVAL;
	int c = s->client_dir;
	return tlsa_dir_init_tls12_cached(&s->d[c].cur, &s->d[1 - c].cur, s->cc, s->version,
					  s->suite, m->v, s->client_random, s->server_random,
					  s->etm);
}

/* Opens rec under d; on TLSA_EAUTH the caller decides. */
static int open_rec(struct tlsa_cipher_dir *d, const uint8_t *rec, size_t len, uint8_t *out,
		    size_t cap, size_t *out_len, uint8_t *inner)
{
	return tlsa_dir_decrypt(d, rec, len, out, cap, out_len, inner, NULL);
}

static enum sdec_result open13(struct sdec *s, int dir, const uint8_t *rec, size_t len,
			       uint8_t *out, size_t cap, size_t *out_len, uint8_t *inner)
{
	struct sdir *sd = &s->d[dir];
	int rc = open_rec(&sd->cur, rec, len, out, cap, out_len, inner);
	if (rc == 0) {
		sd->opened = true;
		if (sd->stage == ST_HS)
			sd->early_possible = false;
		return SD_OK;
	}
	if (rc != TLSA_EAUTH)
		return SD_SKIP; /* too short, only padding: counted, nothing to read */
	bool early_unreadable = false;
	if (sd->early_possible && sd->stage == ST_HS) {
		/* 0-RTT data sent after the ServerHello was seen */
		const struct tlsa_keylog_secret *k = secret(s, TLSA_KL_CLIENT_EARLY);
		if (k == NULL)
			early_unreadable = true; /* 0-RTT records sent, their secret not logged */
		else if (tlsa_dir_init_tls13_cached(&s->alt, s->cc, s->suite, k->v, k->len) == 0) {
			s->alt.seq = sd->early_seq;
			if (open_rec(&s->alt, rec, len, out, cap, out_len, inner) == 0) {
				sd->early_seq++;
				sd->cur.seq--; /* it was not a handshake-key record */
				tlsa_dir_free(&s->alt);
				return SD_OK;
			}
			tlsa_dir_free(&s->alt);
		}
	}
	if (sd->stage == ST_HS && init13(s, dir, ST_APP, &s->alt) == 0) {
		/* the Finished was not seen (e.g. split): try the application keys */
		if (open_rec(&s->alt, rec, len, out, cap, out_len, inner) == 0) {
			tlsa_dir_free(&sd->cur);
			sd->cur = s->alt;
			memset(&s->alt, 0, sizeof(s->alt));
			sd->stage = ST_APP;
			sd->opened = true;
			return SD_OK;
		}
		tlsa_dir_free(&s->alt);
	}
	if (early_unreadable) {
		/* more early data or EndOfEarlyData: not a handshake-key record */
		sd->cur.seq--;
		return SD_SKIP;
	}
	return SD_AUTH;
}

/* This direction's DEFLATE stream cannot go on: its later records are unreadable. */
static enum sdec_result comp_lost(struct sdec *s, int dir)
{
	struct sdir *sd = &s->d[dir];
	tlsa_dir_free(&sd->cur);
	sd->stage = ST_LOST;
	return SD_SKIP;
}

/*
 * A decrypted record of a compressed connection (RFC 3749): DEFLATE is
 * inflated through the direction's one zlib stream, which runs across
 * records (each record ends with a sync flush), into at most 2^14 bytes; any
 * other method cannot be read, and nothing of its records is decoded (SD_SKIP).
 */
static enum sdec_result decompress(struct sdec *s, int dir, uint8_t *out, size_t cap,
				   size_t *out_len)
{
	struct sdir *sd = &s->d[dir];
	if (s->comp != 1)
		return SD_SKIP;
	if (s->zbuf == NULL && (s->zbuf = malloc(SDEC_ZBUF)) == NULL)
		return comp_lost(s, dir);
	if (sd->z == NULL) {
		sd->z = calloc(1, sizeof(*sd->z));
		if (sd->z == NULL || inflateInit(sd->z) != Z_OK) {
			free(sd->z);
			sd->z = NULL;
			return comp_lost(s, dir);
		}
	}
	z_stream *z = sd->z;
	z->next_in = out;
	z->avail_in = (uInt)*out_len;
	z->next_out = s->zbuf;
	z->avail_out = SDEC_ZBUF;
	int zr = inflate(z, Z_SYNC_FLUSH);
	size_t n = SDEC_ZBUF - z->avail_out;
	/* all input used, and no more than a record may hold (2^14 bytes) */
	if ((zr != Z_OK && zr != Z_BUF_ERROR) || z->avail_in != 0 || n > 16384 || n > cap)
		return comp_lost(s, dir);
	memcpy(out, s->zbuf, n);
	*out_len = n;
	return SD_OK;
}

enum sdec_result sdec_record(struct sdec *s, int dir, uint8_t type, const uint8_t *rec, size_t len,
			     uint8_t *out, size_t cap, size_t *out_len, uint8_t *inner)
{
	struct sdir *sd = &s->d[dir];
	if (s->tls13) {
		if (type != 23 || sd->stage == ST_LOST)
			return SD_NONE;
		if (sd->stage == ST_OFF) {
			start_stage(s, dir, ST_HS);
			if (sd->stage == ST_LOST)
				return SD_NONE;
		}
		if (rec == NULL) {
			sd->cur.seq++;
			return SD_SKIP;
		}
		return open13(s, dir, rec, len, out, cap, out_len, inner);
	}
	if (!sd->ccs || sd->stage != ST_APP)
		return SD_NONE;
	if (rec == NULL) {
		sd->cur.seq++;
		if (s->cbc_chain) {
			/* the chained IV or stream state went with the record */
			tlsa_dir_free(&sd->cur);
			sd->stage = ST_LOST;
		}
		return SD_SKIP;
	}
	int rc = open_rec(&sd->cur, rec, len, out, cap, out_len, inner);
	if (rc == 0)
		return s->comp == 0 ? SD_OK : decompress(s, dir, out, cap, out_len);
	return rc == TLSA_EAUTH ? SD_AUTH : SD_SKIP;
}

enum sdec_result sdec_dtls_record(struct sdec *s, int dir, const uint8_t *rec, size_t len,
				  uint16_t epoch, uint8_t *out, size_t cap, size_t *out_len,
				  uint8_t *inner)
{
	struct sdir *sd = &s->d[dir];
	if (epoch != 1 || sd->stage != ST_APP)
		return SD_NONE;
	int rc = open_rec(&sd->cur, rec, len, out, cap, out_len, inner);
	if (rc == 0 && s->comp != 0)
		return SD_SKIP; /* compressed DTLS (records lost or reordered): unreadable */
	if (rc == 0)
		return SD_OK;
	return rc == TLSA_EAUTH ? SD_AUTH : SD_SKIP;
}

enum sdec_result sdec_early_record(const struct tlsa_keylog_entry *e,
				   const struct tlsa_hs_facts *hs, uint64_t seq,
				   struct tlsa_crypto_cache *cc, const uint8_t *rec, size_t len,
				   uint8_t *out, size_t cap, size_t *out_len, uint8_t *inner)
{
	const struct tlsa_keylog_secret *k = tlsa_keylog_secret(e, TLSA_KL_CLIENT_EARLY);
	if (k == NULL || k->len == 0)
		return SD_NONE;
	/* the resumed session's suite is one of those offered; the AEAD tag tells which */
	size_t n = hs->n_suites < TLSA_HS_MAX_LIST ? hs->n_suites : TLSA_HS_MAX_LIST;
	for (size_t i = 0; i < n; i++) {
		const struct tlsa_suite *su = tlsa_suite_find(hs->suites[i]);
		struct tlsa_cipher_dir d;
		memset(&d, 0, sizeof(d));
		if (su == NULL || !su->tls13 ||
		    tlsa_dir_init_tls13_cached(&d, cc, hs->suites[i], k->v, k->len) != 0)
			continue; /* not TLS 1.3, or another hash length than the secret's */
		d.seq = seq;
		int rc = open_rec(&d, rec, len, out, cap, out_len, inner);
		tlsa_dir_free(&d);
		if (rc == 0)
			return SD_OK;
	}
	return SD_SKIP;
}

void sdec_ccs(struct sdec *s, int dir)
{
	struct sdir *sd = &s->d[dir];
	if (s->tls13)
		return;
	if (sd->ccs) {
		/* renegotiation: new keys from a new master secret, not followed */
		tlsa_dir_free(&sd->cur);
		sd->stage = ST_LOST;
		return;
	}
	sd->ccs = true;
	if (!s->tls12_ready) {
		(void)tls12_init(s);
		s->tls12_ready = true; /* tried once */
	}
	sd->stage = sd->cur.ready ? ST_APP : ST_LOST;
}

void sdec_finished(struct sdec *s, int dir)
{
	if (s->tls13 && s->d[dir].stage == ST_HS)
		start_stage(s, dir, ST_APP);
}

void sdec_key_update(struct sdec *s, int dir)
{
	struct sdir *sd = &s->d[dir];
	if (s->tls13 && sd->stage == ST_APP && tlsa_dir_key_update(&sd->cur) != 0) {
		tlsa_dir_free(&sd->cur);
		sd->stage = ST_LOST;
	}
}

void sdec_lost(struct sdec *s, int dir)
{
	struct sdir *sd = &s->d[dir];
	if (s->dtls)
		return; /* DTLS records carry their own sequence numbers */
	tlsa_dir_free(&sd->cur);
	sd->stage = ST_LOST;
}

bool sdec_server_hello_etm(const uint8_t *body, size_t len, bool dtls)
{
	struct rd r = rd_init(body, len);
	(void)rd_skip(&r, 2 + 32); /* version, random */
	(void)rd_block(&r, 1);	   /* session id */
	(void)dtls;
	(void)rd_skip(&r, 3); /* suite, compression */
	struct rd exts = rd_block(&r, 2);
	while (rd_ok(&exts) && rd_left(&exts) >= 4) {
		uint16_t type = rd_u16(&exts);
		(void)rd_block(&exts, 2);
		if (rd_ok(&exts) && type == 22)
			return true;
	}
	return false;
}

/* X509_NAME in RFC 2253 form, truncated to the buffer. */
static void name_text(const X509_NAME *n, char *out, size_t cap)
{
	out[0] = '\0';
	BIO *b = BIO_new(BIO_s_mem());
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		char *p;
		long k = BIO_get_mem_data(b, &p);
		size_t j = 0;
		for (long i = 0; i < k && j + 1 < cap; i++) {
			unsigned char ch = (unsigned char)p[i];
			out[j++] = ch >= 0x20 && ch != 0x7f ? (char)ch : '?';
		}
		out[j] = '\0';
	}
	BIO_free(b);
}

/* ASN1_TIME as RFC 3339 UTC ("2026-11-27T21:57:24Z"). */
static void time_text(const ASN1_TIME *t, char *out, size_t cap)
{
	struct tm tm;
	out[0] = '\0';
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return;
	char tmp[96];
	int k = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (k > 0 && (size_t)k < cap)
		memcpy(out, tmp, (size_t)k + 1);
}

int sdec_cert_first(const uint8_t *body, size_t len, bool tls13, const uint8_t **der,
		    size_t *der_len)
{
	*der = NULL;
	*der_len = 0;
	struct rd r = rd_init(body, len);
	if (tls13)
		(void)rd_block(&r, 1); /* certificate_request_context */
	struct rd list = rd_block(&r, 3);
	if (!rd_ok(&r))
		return 0;
	int n = 0;
	while (rd_left(&list) > 0) {
		struct rd cert = rd_block(&list, 3);
		if (tls13)
			(void)rd_block(&list, 2); /* extensions */
		if (!rd_ok(&list))
			break;
		if (n == 0) {
			*der = cert.p;
			*der_len = rd_left(&cert);
		}
		n++;
	}
	return n;
}

/*
 * The fields the diagnosis reports (subject, issuer, validity) straight from
 * the DER: Certificate = SEQUENCE { tbsCertificate SEQUENCE { [0] version
 * OPTIONAL, serialNumber, signature, issuer, validity, subject,
 * subjectPublicKeyInfo, ... }, signatureAlgorithm, signatureValue }.  Names
 * and times are decoded by libcrypto (d2i_X509_NAME, d2i_ASN1_TIME); the
 * public key is not decoded (in OpenSSL 3, d2i_X509 runs the key decoders,
 * which cost more than the rest of a connection).  0, or -1 when the
 * certificate does not have this shape (the caller falls back to d2i_X509).
 */
static int cert_fields(const uint8_t *der, size_t len, struct tlsa_cert_info *ci)
{
	struct rd top = rd_init(der, len);
	struct der cert, tbs, el, issuer, validity, subject, nb, na;
	if (!der_want(&top, 0x30, &cert) || !der_want(&cert.in, 0x30, &tbs) ||
	    !der_want(&cert.in, 0x30, &el) || /* signatureAlgorithm */
	    !der_want(&cert.in, 0x03, &el) || /* signatureValue */
	    rd_left(&cert.in) != 0 || !der_get(&tbs.in, &el))
		return -1;
	if (el.tag == 0xa0 && !der_get(&tbs.in, &el)) /* version */
		return -1;
	if (el.tag != 0x02 ||		     /* serialNumber */
	    !der_want(&tbs.in, 0x30, &el) || /* signature */
	    !der_want(&tbs.in, 0x30, &issuer) || !der_want(&tbs.in, 0x30, &validity) ||
	    !der_want(&tbs.in, 0x30, &subject) || !der_want(&tbs.in, 0x30, &el) || /* key */
	    !der_get(&validity.in, &nb) || !der_get(&validity.in, &na) ||
	    rd_left(&validity.in) != 0)
		return -1;
	const unsigned char *p = issuer.el;
	X509_NAME *in = d2i_X509_NAME(NULL, &p, (long)issuer.el_len);
	p = subject.el;
	X509_NAME *sn = in != NULL ? d2i_X509_NAME(NULL, &p, (long)subject.el_len) : NULL;
	p = nb.el;
	ASN1_TIME *tb = sn != NULL ? d2i_ASN1_TIME(NULL, &p, (long)nb.el_len) : NULL;
	p = na.el;
	ASN1_TIME *ta = tb != NULL ? d2i_ASN1_TIME(NULL, &p, (long)na.el_len) : NULL;
	int rc = -1;
	if (ta != NULL) {
		name_text(sn, ci->subject, sizeof(ci->subject));
		name_text(in, ci->issuer, sizeof(ci->issuer));
		time_text(tb, ci->not_before, sizeof(ci->not_before));
		time_text(ta, ci->not_after, sizeof(ci->not_after));
		rc = 0;
	}
	X509_NAME_free(in);
	X509_NAME_free(sn);
	ASN1_TIME_free(tb);
	ASN1_TIME_free(ta);
	return rc;
}

int sdec_cert_info_der(const uint8_t *der, size_t len, int chain, struct tlsa_cert_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->chain_length = chain;
	if (der == NULL || len == 0 || len > 1u << 20)
		return -1;
	if (cert_fields(der, len, ci) == 0) {
		ci->parsed = true;
		return 0;
	}
	memset(ci, 0, sizeof(*ci));
	ci->chain_length = chain;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	if (x == NULL)
		return -1;
	name_text(X509_get_subject_name(x), ci->subject, sizeof(ci->subject));
	name_text(X509_get_issuer_name(x), ci->issuer, sizeof(ci->issuer));
	time_text(X509_get0_notBefore(x), ci->not_before, sizeof(ci->not_before));
	time_text(X509_get0_notAfter(x), ci->not_after, sizeof(ci->not_after));
	ci->parsed = true;
	X509_free(x);
	return 0;
}
