/*
 * The reaction parser and judge of `serve` (src/lib/net/reaction.c,
 * reaction_judge.c): the exact verdict of every rule of
 * data/serve-rules.txt for every kind of reaction, then the parser on
 * plaintext, TLS 1.2 and TLS 1.3 sealed records (sealed here with libcrypto
 * under keys from tlsa_dir_init_*), any chunking, garbage, oversized
 * records, DTLS datagrams, repeated warnings and the fallback helper.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check.h"
#include "tlsalert/reaction.h"

/* ---- the rules: one row per stanza (tests/scripts/serverules_sync.sh checks
 * every id of data/serve-rules.txt is here), verdicts for the kinds
 * continue, alert, close_notify, opaque, close, hang: F follows, V violates,
 * N no rule. */
struct rule_case {
	const char *id;
	uint16_t version;
	uint8_t level, code;
	tlsa_serve_shape shape;
	bool plaintext;
	const char *verdicts;
};

static const struct rule_case rule_cases[] = {
	{"tls13-malformed", 0x0304, 2, 40, TLSA_SHAPE_FRAGMENTED, false, "VFNNFV"},
	{"tls13-malformed", 0x0304, 1, 0, TLSA_SHAPE_EMPTY, false, "VFNNFV"},
	{"tls13-malformed", 0x0304, 2, 40, TLSA_SHAPE_DOUBLE, true, "VFNNFV"},
	{"tls13-plaintext", 0x0304, 2, 40, TLSA_SHAPE_NORMAL, true, "NFFNFN"},
	{"tls13-close-notify", 0x0304, 1, 0, TLSA_SHAPE_NORMAL, false, "FFFNVF"},
	{"tls13-close-notify", 0x0304, 9, 0, TLSA_SHAPE_COALESCED, false, "FFFNVF"},
	{"tls13-user-canceled", 0x0304, 1, 90, TLSA_SHAPE_NORMAL, false, "FFFNVF"},
	{"tls13-error", 0x0304, 1, 48, TLSA_SHAPE_NORMAL, false, "VFFNFV"},
	{"tls13-error", 0x0304, 2, 40, TLSA_SHAPE_SPLIT, false, "VFFNFV"},
	{"tls13-error", 0x0304, 7, 40, TLSA_SHAPE_NORMAL, false, "VFFNFV"},
	{"tls13-error", 0x0304, 1, 200, TLSA_SHAPE_REPEAT, false, "VFFNFV"},
	{"tls13-error", 0x0304, 1, 100, TLSA_SHAPE_NORMAL, false, "VFFNFV"},
	{"tls12-plaintext", 0x0303, 2, 20, TLSA_SHAPE_NORMAL, true, "VFNNFV"},
	{"tls12-plaintext", 0x0303, 1, 0, TLSA_SHAPE_EMPTY, true, "VFNNFV"},
	{"tls12-empty", 0x0303, 1, 0, TLSA_SHAPE_EMPTY, false, "NFFNFN"},
	{"tls12-fatal", 0x0303, 2, 40, TLSA_SHAPE_NORMAL, false, "VFFNFV"},
	{"tls12-fatal", 0x0303, 2, 40, TLSA_SHAPE_FRAGMENTED, false, "VFFNFV"},
	{"tls12-fatal", 0x0301, 2, 0, TLSA_SHAPE_DOUBLE, false, "VFFNFV"},
	{"tls12-bogus-level", 0x0303, 3, 40, TLSA_SHAPE_NORMAL, false, "NFFNFN"},
	{"tls12-bogus-level", 0x0302, 0, 0, TLSA_SHAPE_FRAGMENTED, false, "NFFNFN"},
	{"tls12-close-notify", 0x0303, 1, 0, TLSA_SHAPE_NORMAL, false, "VFFNVV"},
	{"tls12-close-notify", 0x0303, 1, 0, TLSA_SHAPE_REPEAT, false, "VFFNVV"},
	{"tls12-warning-repeat", 0x0303, 1, 100, TLSA_SHAPE_REPEAT, false, "FFFNFF"},
	{"tls12-warning", 0x0303, 1, 200, TLSA_SHAPE_DOUBLE, false, "FFFNFF"},
	{"tls12-warning", 0x0303, 1, 90, TLSA_SHAPE_NORMAL, false, "FFFNFF"},
	{"tls12-warning", 0x0303, 1, 48, TLSA_SHAPE_COALESCED, false, "FFFNFF"},
	{"dtls-invalid", 0xfefd, 2, 40, TLSA_SHAPE_EMPTY, false, "FFFNFF"},
	{"dtls-invalid", 0xfeff, 2, 40, TLSA_SHAPE_FRAGMENTED, true, "FFFNFF"},
	{"dtls-plaintext", 0xfefd, 2, 40, TLSA_SHAPE_NORMAL, true, "FFFNFF"},
	{"dtls-fatal", 0xfefd, 2, 40, TLSA_SHAPE_NORMAL, false, "VFFNFF"},
	{"dtls-close-notify", 0xfefd, 1, 0, TLSA_SHAPE_SPLIT, false, "VFFNNN"},
	{"dtls-bogus-level", 0xfefd, 0, 10, TLSA_SHAPE_NORMAL, false, "NFFNFF"},
	{"dtls-warning", 0xfefd, 1, 90, TLSA_SHAPE_NORMAL, false, "FFFNFF"},
	{"no-rule", 0x0300, 2, 40, TLSA_SHAPE_NORMAL, false, "NNNNNN"},
	{"no-rule", 0xfefc, 2, 40, TLSA_SHAPE_NORMAL, false, "NNNNNN"},
	{"no-rule", 0x1234, 1, 0, TLSA_SHAPE_EMPTY, true, "NNNNNN"},
};

static char verdict_char(tlsa_serve_verdict v)
{
	return v == TLSA_VERDICT_FOLLOWS ? 'F' : v == TLSA_VERDICT_VIOLATES ? 'V' : 'N';
}

static void test_rules(void)
{
	size_t n = 0;
	const struct tlsa_reaction_rule *rules = tlsa_reaction_rules(&n);
	CHECK(n >= 10);
	for (size_t i = 0; i < sizeof(rule_cases) / sizeof(rule_cases[0]); i++) {
		const struct rule_case *rc = &rule_cases[i];
		struct tlsa_reaction_case c = {.version = rc->version,
					       .level = rc->level,
					       .code = rc->code,
					       .shape = rc->shape,
					       .plaintext = rc->plaintext};
		char got[TLSA_REACT_COUNT + 1];
		const struct tlsa_reaction_rule *r = NULL;
		for (int k = 0; k < TLSA_REACT_COUNT; k++)
			got[k] = verdict_char(tlsa_reaction_judge(&c, (tlsa_reaction_kind)k, &r));
		got[TLSA_REACT_COUNT] = '\0';
		CHECK_STR(r->id, rc->id);
		CHECK_STR(got, rc->verdicts);
		CHECK(tlsa_reaction_rule_for(&c) == r);
	}
	/* every rule has a row above, and a rule that judges cites its sentence */
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < sizeof(rule_cases) / sizeof(rule_cases[0]); j++)
			seen |= strcmp(rule_cases[j].id, rules[i].id) == 0;
		CHECK(seen);
		CHECK((rules[i].follows | rules[i].violates) == 0 ||
		      (rules[i].rfc != NULL && strncmp(rules[i].rfc, "RFC ", 4) == 0 &&
		       rules[i].says != NULL));
	}
	CHECK_STR(tlsa_verdict_name(TLSA_VERDICT_NO_RULE), "no rule");
	CHECK_STR(tlsa_reaction_kind_name(TLSA_REACT_CLOSE_NOTIFY), "close_notify");
	CHECK_STR(tlsa_reaction_end_name(TLSA_SERVE_END_RST), "rst");
}

/* ---- sealing, for protected input ---- */

static const uint8_t secret13[32] = {1,	 2,  3,	 4,  5,	 6,  7,	 8,  9,	 10, 11,
				     12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
				     23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t secret13b[32] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
				      7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

/* AES-128-GCM over `in` with the nonce and additional data given; ciphertext
 * then tag to `out`. */
static void gcm(const uint8_t key[16], const uint8_t nonce[12], const uint8_t *aad, size_t aad_len,
		const uint8_t *in, size_t n, uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int l = 0;
	CHECK(x != NULL);
	EVP_EncryptInit_ex(x, EVP_aes_128_gcm(), NULL, NULL, NULL);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
	EVP_EncryptInit_ex(x, NULL, NULL, key, nonce);
	EVP_EncryptUpdate(x, NULL, &l, aad, (int)aad_len);
	EVP_EncryptUpdate(x, out, &l, in, (int)n);
	EVP_EncryptFinal_ex(x, out + l, &l);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, out + n);
	EVP_CIPHER_CTX_free(x);
}

/* One TLS 1.3 record (TLS_AES_128_GCM_SHA256) of `type` holding `pt`, sealed
 * at `seq` under the traffic secret `secret`. */
static size_t seal13(const uint8_t *secret, uint64_t seq, uint8_t type, const uint8_t *pt, size_t n,
		     uint8_t *out)
{
	struct tlsa_cipher_dir d;
	uint8_t inner[300], nonce[12];
	memset(&d, 0, sizeof(d));
	CHECK_INT(tlsa_dir_init_tls13(&d, 0x1301, secret, 32), 0);
	memcpy(inner, pt, n);
	inner[n] = type;
	size_t clen = n + 1 + 16;
	out[0] = 23;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(clen >> 8);
	out[4] = (uint8_t)clen;
	memcpy(nonce, d.iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
	gcm(d.key, nonce, out, 5, inner, n + 1, out + 5);
	tlsa_dir_free(&d);
	return 5 + clen;
}

static const uint8_t master[48] = {0x42};
static const uint8_t clrandom[32] = {0x11}, svrandom[32] = {0x22};

/* One TLS 1.2 record (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) from the client,
 * sealed at `seq`: the explicit nonce is the sequence number. */
static size_t seal12(uint64_t seq, uint8_t type, const uint8_t *pt, size_t n, uint8_t *out)
{
	struct tlsa_cipher_dir cl, sv;
	uint8_t nonce[12], aad[13];
	memset(&cl, 0, sizeof(cl));
	memset(&sv, 0, sizeof(sv));
	CHECK_INT(tlsa_dir_init_tls12(&cl, &sv, 0x0303, 0xc02f, master, clrandom, svrandom, false),
		  0);
	size_t blen = 8 + n + 16;
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(blen >> 8);
	out[4] = (uint8_t)blen;
	for (int i = 0; i < 8; i++) {
		out[5 + i] = (uint8_t)(seq >> (56 - 8 * i));
		aad[i] = out[5 + i];
	}
	memcpy(nonce, cl.iv, 4);
	memcpy(nonce + 4, out + 5, 8);
	aad[8] = type;
	aad[9] = 3;
	aad[10] = 3;
	aad[11] = (uint8_t)(n >> 8);
	aad[12] = (uint8_t)n;
	gcm(cl.key, nonce, aad, 13, pt, n, out + 13);
	tlsa_dir_free(&cl);
	tlsa_dir_free(&sv);
	return 5 + blen;
}

static size_t plain(uint8_t type, const uint8_t *pt, size_t n, uint8_t *out)
{
	out[0] = type;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(n >> 8);
	out[4] = (uint8_t)n;
	memcpy(out + 5, pt, n);
	return 5 + n;
}

/* Feeds `buf` in pieces of `step` bytes (0: at once). */
static void feed(struct tlsa_reaction *r, const uint8_t *buf, size_t n, size_t step, uint64_t t)
{
	if (step == 0)
		step = n;
	for (size_t off = 0; off < n; off += step)
		tlsa_reaction_feed(r, buf + off, n - off < step ? n - off : step, t);
}

static const struct tlsa_reaction_case fatal12 = {
	.version = 0x0303, .level = 2, .code = 40, .peer_is_client = true, .grace_ms = 10};

/* ---- the parser ---- */

static void test_plain_alert(void)
{
	static const uint8_t a[] = {2, 40};
	uint8_t buf[64];
	size_t n = plain(21, a, 2, buf);
	for (size_t step = 0; step <= 3; step++) {
		struct tlsa_reaction *r = tlsa_reaction_new(&fatal12, NULL, NULL, 1000);
		struct tlsa_serve_reaction s;
		feed(r, buf, n, step, 1003);
		tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 1005);
		tlsa_reaction_result(r, &s);
		CHECK_INT(s.kind, TLSA_REACT_ALERT);
		CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
		CHECK_STR(s.rule->id, "tls12-fatal");
		CHECK_INT(s.alerts, 1);
		CHECK_INT(s.alert_level, 2);
		CHECK_INT(s.alert_code, 40);
		CHECK(!s.alert_encrypted);
		CHECK_INT(s.records, 1);
		CHECK_INT(s.bytes, 7);
		CHECK_INT(s.alert_ms, 3);
		CHECK_INT(s.first_byte_ms, 3);
		CHECK_INT(s.end_ms, 5);
		CHECK_INT(s.end, TLSA_SERVE_END_FIN);
		CHECK_STR(s.reason,
			  "the client answered a fatal handshake_failure(40) alert with its own "
			  "fatal handshake_failure(40) and closed (FIN)");
		tlsa_reaction_free(r);
	}
}

/* TLS 1.2: the client goes on after our fatal alert: CCS, then two sealed
 * application data records. */
static void test_tls12_continue(void)
{
	struct tlsa_cipher_dir cl, sv;
	uint8_t buf[512];
	static const uint8_t ccs[] = {1};
	static const uint8_t get[] = "GET / HTTP/1.1\r\n\r\n";
	memset(&cl, 0, sizeof(cl));
	memset(&sv, 0, sizeof(sv));
	CHECK_INT(tlsa_dir_init_tls12(&cl, &sv, 0x0303, 0xc02f, master, clrandom, svrandom, false),
		  0);
	size_t n = plain(20, ccs, 1, buf);
	n += seal12(0, 23, get, sizeof(get) - 1, buf + n);
	n += seal12(1, 23, get, sizeof(get) - 1, buf + n);
	struct tlsa_reaction *r = tlsa_reaction_new(&fatal12, &cl, NULL, 0);
	struct tlsa_serve_reaction s;
	feed(r, buf, n, 7, 50);
	tlsa_reaction_end(r, TLSA_SERVE_END_TIMEOUT, 3000);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_CONTINUE);
	CHECK_INT(s.verdict, TLSA_VERDICT_VIOLATES);
	CHECK_INT(s.ccs_records, 1);
	CHECK_INT(s.appdata_records, 2);
	CHECK_INT(s.continued_records, 3);
	CHECK_INT(s.undecryptable, 0);
	CHECK_STR(s.reason,
		  "the client sent 2 application data and 1 ChangeCipherSpec records after "
		  "a fatal handshake_failure(40) alert");
	tlsa_reaction_free(r);
	tlsa_dir_free(&cl);
	tlsa_dir_free(&sv);

	/* the same within the grace period: in flight, then FIN: a close */
	memset(&cl, 0, sizeof(cl));
	CHECK_INT(tlsa_dir_init_tls12(&cl, &sv, 0x0303, 0xc02f, master, clrandom, svrandom, false),
		  0);
	r = tlsa_reaction_new(&fatal12, &cl, NULL, 0);
	feed(r, buf, n, 0, 10);
	tlsa_reaction_end(r, TLSA_SERVE_END_RST, 20);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.inflight_records, 3);
	CHECK_INT(s.continued_records, 0);
	CHECK_INT(s.kind, TLSA_REACT_CLOSE);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	CHECK_STR(s.reason, "the client reset the connection (RST) without an alert after a fatal "
			    "handshake_failure(40) alert");
	tlsa_reaction_free(r);
	tlsa_dir_free(&cl);
	tlsa_dir_free(&sv);
}

/* TLS 1.3: a warning unknown_ca (an error alert whatever its level); the
 * client answers with a sealed decode_error. */
static void test_tls13_sealed(void)
{
	struct tlsa_reaction_case c = {.version = 0x0304,
				       .level = 1,
				       .code = 48,
				       .peer_is_client = true,
				       .peer_protected = true};
	struct tlsa_cipher_dir d;
	struct tlsa_serve_reaction s;
	uint8_t buf[512];
	static const uint8_t a[] = {2, 50};
	memset(&d, 0, sizeof(d));
	CHECK_INT(tlsa_dir_init_tls13(&d, 0x1301, secret13, 32), 0);
	size_t n = seal13(secret13, 0, 21, a, 2, buf);
	struct tlsa_reaction *r = tlsa_reaction_new(&c, &d, NULL, 0);
	feed(r, buf, n, 1, 2);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 4);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_ALERT);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	CHECK_STR(s.rule->id, "tls13-error");
	CHECK(s.alert_encrypted);
	CHECK_INT(s.alert_code, 50);
	CHECK_INT(d.seq, 1);
	CHECK_STR(s.reason, "the client answered a warning unknown_ca(48) alert with its own fatal "
			    "decode_error(50) (encrypted) and closed (FIN)");
	tlsa_reaction_free(r);
	tlsa_dir_free(&d);

	/* the client's Finished under the handshake key, then data under the
	 * application key: `next` takes over; a violation */
	struct tlsa_cipher_dir hs, app;
	static const uint8_t fin[] = {20, 0, 0, 4, 1, 2, 3, 4};
	static const uint8_t data[] = "hello";
	memset(&hs, 0, sizeof(hs));
	memset(&app, 0, sizeof(app));
	CHECK_INT(tlsa_dir_init_tls13(&hs, 0x1301, secret13, 32), 0);
	CHECK_INT(tlsa_dir_init_tls13(&app, 0x1301, secret13b, 32), 0);
	static const uint8_t ccs[] = {1};
	n = plain(20, ccs, 1, buf); /* TLS 1.3's CCS: neither progress nor protected */
	n += seal13(secret13, 0, 22, fin, sizeof(fin), buf + n);
	n += seal13(secret13b, 0, 23, data, 5, buf + n);
	n += seal13(secret13b, 1, 23, data, 5, buf + n);
	r = tlsa_reaction_new(&c, &hs, &app, 0);
	feed(r, buf, n, 0, 100);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 200);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.handshake_records, 1);
	CHECK_INT(s.ccs_records, 1);
	CHECK_INT(s.continued_records, 3);
	CHECK_INT(s.first_handshake_type, 20);
	CHECK_INT(s.appdata_records, 2);
	CHECK_INT(s.undecryptable, 0);
	CHECK_INT(app.seq, 2);
	CHECK_INT(hs.seq, 2); /* the handshake key examined the two data records */
	CHECK_INT(s.kind, TLSA_REACT_CONTINUE);
	CHECK_INT(s.verdict, TLSA_VERDICT_VIOLATES);
	CHECK_STR(s.reason, "the client sent 2 application data and 1 handshake records after a "
			    "warning unknown_ca(48) alert");
	tlsa_reaction_free(r);
	tlsa_dir_free(&hs);
	tlsa_dir_free(&app);

	/* no keys, or the wrong ones: opaque, no rule */
	for (int keys = 0; keys < 2; keys++) {
		memset(&d, 0, sizeof(d));
		CHECK_INT(tlsa_dir_init_tls13(&d, 0x1301, secret13b, 32), 0);
		n = seal13(secret13, 0, 21, a, 2, buf);
		r = tlsa_reaction_new(&c, keys ? &d : NULL, NULL, 0);
		feed(r, buf, n, 0, 1);
		tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 2);
		tlsa_reaction_result(r, &s);
		CHECK_INT(s.undecryptable, 1);
		CHECK_INT(s.alerts, 0);
		CHECK_INT(s.kind, TLSA_REACT_OPAQUE);
		CHECK_INT(s.verdict, TLSA_VERDICT_NO_RULE);
		tlsa_reaction_free(r);
		tlsa_dir_free(&d);
	}
}

static void test_close_notify(void)
{
	struct tlsa_reaction_case c = {.version = 0x0303, .level = 1, .code = 0};
	static const uint8_t cn[] = {1, 0};
	uint8_t buf[16];
	struct tlsa_serve_reaction s;
	size_t n = plain(21, cn, 2, buf);
	struct tlsa_reaction *r = tlsa_reaction_new(&c, NULL, NULL, 0);
	feed(r, buf, n, 0, 1);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 2);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_CLOSE_NOTIFY);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	CHECK_STR(s.reason, "the server answered a warning close_notify(0) alert with close_notify "
			    "and closed (FIN)");
	tlsa_reaction_free(r);

	r = tlsa_reaction_new(&c, NULL, NULL, 0);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 2);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_CLOSE);
	CHECK_INT(s.verdict, TLSA_VERDICT_VIOLATES);
	CHECK_STR(s.rule->id, "tls12-close-notify");
	tlsa_reaction_free(r);

	/* TLS 1.3: the client had sent its close_notify before ours came, then FIN:
	 * that close_notify is its answer (RFC 8446 6.1 is met) */
	struct tlsa_reaction_case c13 = {.version = 0x0304,
					 .level = 1,
					 .code = 0,
					 .peer_is_client = true,
					 .peer_alerted_first = true,
					 .peer_first_level = 1,
					 .peer_first_code = 0};
	r = tlsa_reaction_new(&c13, NULL, NULL, 0);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 2);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_CLOSE_NOTIFY);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	CHECK_INT(s.alerts, 0);
	CHECK_INT(s.alert_level, 1);
	CHECK_INT(s.alert_code, 0);
	CHECK_STR(s.reason, "the client had sent its own warning close_notify(0) before a warning "
			    "close_notify(0) alert, and closed (FIN)");
	tlsa_reaction_free(r);
	/* its refusal came before our alert: that is its answer */
	struct tlsa_reaction_case cf = fatal12;
	cf.peer_alerted_first = true;
	cf.peer_first_level = 2;
	cf.peer_first_code = 70;
	r = tlsa_reaction_new(&cf, NULL, NULL, 0);
	tlsa_reaction_end(r, TLSA_SERVE_END_TIMEOUT, 2);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_ALERT);
	CHECK_INT(s.alert_code, 70);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	tlsa_reaction_free(r);
	/* ... without it, the bare FIN violates 6.1 */
	c13.peer_alerted_first = false;
	r = tlsa_reaction_new(&c13, NULL, NULL, 0);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 2);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_CLOSE);
	CHECK_INT(s.verdict, TLSA_VERDICT_VIOLATES);
	CHECK_STR(s.rule->id, "tls13-close-notify");
	tlsa_reaction_free(r);
}

static void test_hang(void)
{
	struct tlsa_serve_reaction s;
	struct tlsa_reaction *r = tlsa_reaction_new(&fatal12, NULL, NULL, 0);
	tlsa_reaction_result(r, &s); /* before the end: judged as it stands */
	CHECK_INT(s.kind, TLSA_REACT_HANG);
	CHECK_INT(s.end, TLSA_SERVE_END_NONE);
	CHECK_STR(s.reason,
		  "the client sent nothing after a fatal handshake_failure(40) alert and is "
		  "still connected");
	tlsa_reaction_end(r, TLSA_SERVE_END_TIMEOUT, 5000);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.kind, TLSA_REACT_HANG);
	CHECK_INT(s.verdict, TLSA_VERDICT_VIOLATES);
	CHECK_INT(s.end_ms, 5000);
	CHECK_INT(s.first_byte_ms, -1);
	CHECK_INT(s.alert_ms, -1);
	CHECK_STR(s.reason, "the client sent nothing after a fatal handshake_failure(40) alert and "
			    "left the connection open until the timeout");
	/* after the end, nothing counts */
	static const uint8_t a[] = {21, 3, 3, 0, 2, 2, 40};
	tlsa_reaction_feed(r, a, sizeof(a), 6000);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 6000);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.bytes, 0);
	CHECK_INT(s.end, TLSA_SERVE_END_TIMEOUT);
	tlsa_reaction_free(r);

	/* a TLS 1.2 warning alert from the peer, then silence: not an ending alert */
	struct tlsa_reaction_case c = fatal12;
	static const uint8_t w[] = {21, 3, 3, 0, 2, 1, 100};
	r = tlsa_reaction_new(&c, NULL, NULL, 0);
	tlsa_reaction_feed(r, w, sizeof(w), 1);
	tlsa_reaction_end(r, TLSA_SERVE_END_TIMEOUT, 100);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.alerts, 1);
	CHECK_INT(s.kind, TLSA_REACT_HANG);
	tlsa_reaction_free(r);
}

static void test_garbage(void)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	struct tlsa_serve_reaction s;
	struct tlsa_reaction *r = tlsa_reaction_new(&fatal12, NULL, NULL, 0);
	static const uint8_t a[] = {21, 3, 3, 0, 2, 2, 40};
	feed(r, (const uint8_t *)http, sizeof(http) - 1, 3, 1);
	feed(r, a, sizeof(a), 0, 2); /* after garbage the framing is gone */
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 3);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.garbage_bytes, sizeof(http) - 1 + sizeof(a));
	CHECK_INT(s.records, 0);
	CHECK_INT(s.kind, TLSA_REACT_OPAQUE);
	CHECK_INT(s.verdict, TLSA_VERDICT_NO_RULE);
	tlsa_reaction_free(r);

	/* an oversized record is skipped, and the framing goes on after it */
	static const uint8_t big[] = {23, 3, 3, 0xff, 0xff};
	uint8_t fill[4096];
	memset(fill, 0xab, sizeof(fill));
	r = tlsa_reaction_new(&fatal12, NULL, NULL, 0);
	feed(r, big, sizeof(big), 0, 1);
	for (size_t left = 0xffff; left > 0;) {
		size_t k = left < sizeof(fill) ? left : sizeof(fill);
		feed(r, fill, k, 1000, 1);
		left -= k;
	}
	feed(r, a, sizeof(a), 1, 2);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 3);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.oversized, 1);
	CHECK_INT(s.records, 1);
	CHECK_INT(s.alerts, 1);
	CHECK_INT(s.kind, TLSA_REACT_ALERT);
	CHECK_INT(s.bytes, 5 + 0xffff + 7);
	tlsa_reaction_free(r);

	/* a record cut by the FIN */
	r = tlsa_reaction_new(&fatal12, NULL, NULL, 0);
	feed(r, a, 4, 0, 1);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 3);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.garbage_bytes, 4);
	CHECK_INT(s.kind, TLSA_REACT_OPAQUE);
	tlsa_reaction_free(r);
}

/* A fragmented alert from the peer (TLS 1.2 allows it), and two in one record. */
static void test_fragments(void)
{
	static const uint8_t f[] = {21, 3, 3, 0, 1, 2, 21, 3, 3, 0, 1, 80};
	static const uint8_t d[] = {21, 3, 3, 0, 4, 1, 0, 2, 80};
	struct tlsa_serve_reaction s;
	struct tlsa_reaction *r = tlsa_reaction_new(&fatal12, NULL, NULL, 0);
	feed(r, f, sizeof(f), 0, 1);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.alerts, 1);
	CHECK_INT(s.alert_records, 2);
	CHECK_INT(s.alert_code, 80);
	CHECK_INT(s.kind, TLSA_REACT_ALERT); /* a fatal alert ends even before the FIN */
	tlsa_reaction_free(r);

	r = tlsa_reaction_new(&fatal12, NULL, NULL, 0);
	feed(r, d, sizeof(d), 0, 1);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 2);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.alerts, 2);
	CHECK_INT(s.alert_code, 0);
	CHECK_INT(s.last_alert_code, 80);
	CHECK_INT(s.kind, TLSA_REACT_ALERT);
	tlsa_reaction_free(r);
}

/* Shape repeat: the peer takes 4 warnings and rejects the 5th. */
static void test_repeat(void)
{
	struct tlsa_reaction_case c = {.version = 0x0303,
				       .level = 1,
				       .code = 100,
				       .shape = TLSA_SHAPE_REPEAT,
				       .peer_is_client = true};
	static const uint8_t a[] = {21, 3, 3, 0, 2, 2, 10};
	struct tlsa_serve_reaction s;
	struct tlsa_reaction *r = tlsa_reaction_new(&c, NULL, NULL, 0);
	for (uint64_t t = 10; t <= 40; t += 10)
		tlsa_reaction_sent(r, t);
	tlsa_reaction_feed(r, a, sizeof(a), 45);
	tlsa_reaction_sent(r, 50); /* after its reaction: not counted */
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 60);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.warnings_sent, 5);
	CHECK_INT(s.warnings_accepted, 4);
	CHECK_INT(s.kind, TLSA_REACT_ALERT);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	CHECK_STR(s.rule->id, "tls12-warning-repeat");
	CHECK_STR(s.reason,
		  "the client answered 5 warning no_renegotiation_RESERVED(100) alerts with "
		  "its own fatal unexpected_message(10) and closed (FIN)");
	tlsa_reaction_free(r);

	/* takes all 4 and waits */
	r = tlsa_reaction_new(&c, NULL, NULL, 0);
	for (uint64_t t = 10; t <= 30; t += 10)
		tlsa_reaction_sent(r, t);
	tlsa_reaction_end(r, TLSA_SERVE_END_TIMEOUT, 1000);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.warnings_sent, 4);
	CHECK_INT(s.warnings_accepted, 4);
	CHECK_INT(s.kind, TLSA_REACT_HANG);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	tlsa_reaction_free(r);
}

static void test_dtls(void)
{
	struct tlsa_reaction_case c = {.version = 0xfefd, .level = 2, .code = 40};
	/* epoch 0 plaintext fatal alert, then 3 bytes that are no record */
	static const uint8_t dg[] = {21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 5, 0, 2, 2, 40, 1, 2, 3};
	/* an epoch-1 record without keys */
	static const uint8_t dg2[] = {23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 3, 9, 9, 9};
	struct tlsa_serve_reaction s;
	struct tlsa_reaction *r = tlsa_reaction_new(&c, NULL, NULL, 0);
	tlsa_reaction_feed(r, dg, sizeof(dg), 1);
	tlsa_reaction_feed(r, dg2, sizeof(dg2), 2);
	tlsa_reaction_feed(r, dg, 10, 3); /* a datagram cut inside the header */
	tlsa_reaction_end(r, TLSA_SERVE_END_TIMEOUT, 100);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.alerts, 1);
	CHECK_INT(s.records, 2);
	CHECK_INT(s.undecryptable, 1);
	CHECK_INT(s.garbage_bytes, 3 + 10);
	CHECK_INT(s.kind, TLSA_REACT_ALERT);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	CHECK_STR(s.rule->id, "dtls-fatal");
	tlsa_reaction_free(r);
}

/* The record-level entry points the serve engine uses (it opens records itself). */
static void test_records(void)
{
	struct tlsa_reaction_case c = {.version = 0x0304, .level = 2, .code = 40, .grace_ms = 5};
	static const uint8_t a[] = {2, 51}, get[] = "GET /";
	struct tlsa_serve_reaction s;
	struct tlsa_reaction *r = tlsa_reaction_new(&c, NULL, NULL, 100);
	tlsa_reaction_record(r, 23, get, 5, true, 5 + 5 + 17, 103); /* in flight */
	tlsa_reaction_unreadable(r, 30, 104);
	tlsa_reaction_record(r, 21, a, 2, true, 5 + 2 + 17, 110);
	tlsa_reaction_garbage(r, 9, 111);
	tlsa_reaction_end(r, TLSA_SERVE_END_FIN, 120);
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.records, 3);
	CHECK_INT(s.bytes, 27 + 30 + 24 + 9);
	CHECK_INT(s.inflight_records, 1);
	CHECK_INT(s.continued_records, 0);
	CHECK_INT(s.undecryptable, 1);
	CHECK_INT(s.garbage_bytes, 9);
	CHECK_INT(s.first_byte_ms, 3);
	CHECK_INT(s.alert_ms, 10);
	CHECK(s.alert_encrypted);
	CHECK_INT(s.kind, TLSA_REACT_ALERT);
	CHECK_INT(s.verdict, TLSA_VERDICT_FOLLOWS);
	CHECK_STR(s.reason, "the server answered a fatal handshake_failure(40) alert with its own "
			    "fatal decrypt_error(51) (encrypted) and closed (FIN)");
	tlsa_reaction_free(r);
}

static void test_fallback(void)
{
	struct tlsa_hs_facts a, b;
	tlsa_hs_facts_init(&a);
	tlsa_hs_facts_init(&b);
	a.client_version = 0x0303;
	a.versions_offered[0] = 0x0a0a; /* GREASE */
	a.versions_offered[1] = 0x0304;
	a.versions_offered[2] = 0x0303;
	a.n_versions_offered = 3;
	b.client_version = 0x0303;
	CHECK_INT(tlsa_reaction_max_offered(&a), 0x0304);
	CHECK_INT(tlsa_reaction_max_offered(&b), 0x0303);
	CHECK(tlsa_reaction_fallback(&a, &b));
	CHECK(!tlsa_reaction_fallback(&b, &a));
	CHECK(!tlsa_reaction_fallback(&a, &a));
	b.client_version = 0x0304;
	b.fallback_scsv = true;
	CHECK(tlsa_reaction_fallback(&a, &b)); /* the same version, but it says it fell back */
	b.client_version = 0x9999;	       /* nothing known offered */
	b.fallback_scsv = false;
	CHECK_INT(tlsa_reaction_max_offered(&b), 0);
	CHECK(!tlsa_reaction_fallback(&a, &b));
}

/* Whatever is fed, the counts add up and nothing is kept beyond the record buffer. */
static void test_bounded(void)
{
	uint8_t junk[997];
	uint32_t x = 12345;
	struct tlsa_serve_reaction s;
	struct tlsa_reaction *r = tlsa_reaction_new(&fatal12, NULL, NULL, 0);
	uint64_t total = 0;
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof(junk); i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (uint8_t)(x >> 16);
		}
		/* a valid-looking header now and then keeps the framing alive */
		junk[0] = 23;
		junk[1] = 3;
		junk[2] = 3;
		tlsa_reaction_feed(r, junk, sizeof(junk), 5);
		total += sizeof(junk);
	}
	tlsa_reaction_result(r, &s);
	CHECK_INT(s.bytes, total);
	CHECK(s.garbage_bytes <= total);
	tlsa_reaction_free(r);
	CHECK(tlsa_reaction_new(NULL, NULL, NULL, 0) == NULL);
	tlsa_reaction_feed(NULL, junk, 1, 0);
	tlsa_reaction_end(NULL, TLSA_SERVE_END_FIN, 0);
	tlsa_reaction_free(NULL);
}

int main(void)
{
	test_rules();
	test_plain_alert();
	test_tls12_continue();
	test_tls13_sealed();
	test_close_notify();
	test_hang();
	test_garbage();
	test_fragments();
	test_repeat();
	test_dtls();
	test_records();
	test_fallback();
	test_bounded();
	return CHECK_DONE();
}
