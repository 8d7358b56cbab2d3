/*
 * The probes of `tlsalert probe`: a baseline hello like a current browser's,
 * then one change at a time, and the run of one probe (connect, STARTTLS,
 * send the hello, read the answer, close).
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "base/ascii.h"
#include "net_int.h"

#define V13 0x0304
#define V12 0x0303
#define V11 0x0302
#define V10 0x0301

/* TLS 1.3 suites, then TLS 1.2 ECDHE/DHE AEADs, ECDHE CBC, RSA key exchange */
#define SUITES_13      0x1301, 0x1302, 0x1303
#define SUITES_12_AEAD 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009e, 0x009f
#define SUITES_CBC     0xc009, 0xc013, 0xc00a, 0xc014, 0xc023, 0xc027, 0x0033, 0x0039
#define SUITES_RSA     0x009c, 0x009d, 0x002f, 0x0035, 0x003c, 0x003d, 0x000a
#define GROUPS	       0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101
#define SIGALGS                                                                                    \
	0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0807, 0x0808, 0x0809,    \
		0x080a, 0x080b, 0x0203, 0x0201

/* Each probe below is the baseline with the fields it changes given again: the later
 * designator wins (C11 6.7.9p19), and a list's count is always given with it. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic ignored "-Woverride-init"
#endif

/* The baseline: TLS 1.3 and 1.2, the usual suites, groups and signature schemes,
 * shares for X25519 and P-256, SNI, ALPN h2 and http/1.1, padded to 512 bytes as
 * browsers pad (RFC 7685: some servers drop hellos of 256-511 bytes). */
#define BASE_HELLO                                                                                 \
	.record_version = V10, .legacy_version = V12, .versions = {V13, V12}, .n_versions = 2,     \
	.suites = {SUITES_13, SUITES_12_AEAD, SUITES_CBC, SUITES_RSA}, .n_suites = 26,             \
	.groups = {GROUPS}, .n_groups = 6, .key_shares = {0x001d, 0x0017}, .n_key_shares = 2,      \
	.sigalgs = {SIGALGS}, .n_sigalgs = 15, .sni = true, .alpn = "h2,http/1.1", .pad_to = 512

/* Long: the catalogue is one table, a probe a few lines. */
static const struct tlsa_probe_def catalogue[] = {
	{"baseline",
	 "a current client's hello: TLS 1.3 and 1.2, SNI, ALPN h2,http/1.1",
	 TLSA_TOPIC_BASELINE,
	 {BASE_HELLO},
	 TLSA_KIND_HELLO},
	/* versions, each alone */
	{"tls1.3-only",
	 "offers TLS 1.3 only",
	 TLSA_TOPIC_VERSION,
	 {BASE_HELLO, .versions = {V13}, .n_versions = 1, .suites = {SUITES_13}, .n_suites = 3},
	 TLSA_KIND_HELLO},
	{"tls1.2-only",
	 "offers TLS 1.2 only",
	 TLSA_TOPIC_VERSION,
	 {BASE_HELLO, .versions = {V12}, .n_versions = 1,
	  .suites = {SUITES_12_AEAD, SUITES_CBC, SUITES_RSA}, .n_suites = 23},
	 TLSA_KIND_HELLO},
	{"tls1.1-only",
	 "offers TLS 1.1 only (CBC suites)",
	 TLSA_TOPIC_VERSION,
	 {BASE_HELLO, .legacy_version = V11, .versions = {0}, .n_versions = 0,
	  .suites = {SUITES_CBC, SUITES_RSA}, .n_suites = 15},
	 TLSA_KIND_HELLO},
	{"tls1.0-only",
	 "offers TLS 1.0 only (CBC suites)",
	 TLSA_TOPIC_VERSION,
	 {BASE_HELLO, .legacy_version = V10, .versions = {0}, .n_versions = 0,
	  .suites = {SUITES_CBC, SUITES_RSA}, .n_suites = 15},
	 TLSA_KIND_HELLO},
	{"ssl3",
	 "an SSL 3.0 hello (no extensions)",
	 TLSA_TOPIC_VERSION,
	 {.record_version = 0x0300,
	  .legacy_version = 0x0300,
	  .suites = {0x002f, 0x0035, 0x000a, 0x0005, 0x0004},
	  .n_suites = 5},
	 TLSA_KIND_HELLO},
	/* server name */
	{"no-sni",
	 "sends no server_name",
	 TLSA_TOPIC_SNI,
	 {BASE_HELLO, .sni = false},
	 TLSA_KIND_HELLO},
	{"wrong-sni",
	 "asks for the name tlsalert-probe.invalid",
	 TLSA_TOPIC_SNI,
	 {BASE_HELLO, .sni_name = "tlsalert-probe.invalid"},
	 TLSA_KIND_HELLO},
	/* ALPN */
	{"alpn-h2",
	 "offers ALPN h2 only",
	 TLSA_TOPIC_ALPN,
	 {BASE_HELLO, .alpn = "h2"},
	 TLSA_KIND_HELLO},
	{"alpn-http1.1",
	 "offers ALPN http/1.1 only",
	 TLSA_TOPIC_ALPN,
	 {BASE_HELLO, .alpn = "http/1.1"},
	 TLSA_KIND_HELLO},
	{"alpn-unknown",
	 "offers only an ALPN protocol no server knows",
	 TLSA_TOPIC_ALPN,
	 {BASE_HELLO, .alpn = "tlsalert-unknown"},
	 TLSA_KIND_HELLO},
	{"no-alpn", "sends no ALPN", TLSA_TOPIC_ALPN, {BASE_HELLO, .alpn = NULL}, TLSA_KIND_HELLO},
	/* groups, each alone (and its key share) */
	{"group-x25519",
	 "offers the group X25519 only",
	 TLSA_TOPIC_GROUP,
	 {BASE_HELLO, .groups = {0x001d}, .n_groups = 1, .key_shares = {0x001d}, .n_key_shares = 1},
	 TLSA_KIND_HELLO},
	{"group-p256",
	 "offers the group P-256 (secp256r1) only",
	 TLSA_TOPIC_GROUP,
	 {BASE_HELLO, .groups = {0x0017}, .n_groups = 1, .key_shares = {0x0017}, .n_key_shares = 1},
	 TLSA_KIND_HELLO},
	{"group-p384",
	 "offers the group P-384 (secp384r1) only",
	 TLSA_TOPIC_GROUP,
	 {BASE_HELLO, .groups = {0x0018}, .n_groups = 1, .key_shares = {0x0018}, .n_key_shares = 1},
	 TLSA_KIND_HELLO},
	{"group-ffdhe2048",
	 "offers the group ffdhe2048 only",
	 TLSA_TOPIC_GROUP,
	 {BASE_HELLO, .groups = {0x0100}, .n_groups = 1, .key_shares = {0x0100}, .n_key_shares = 1},
	 TLSA_KIND_HELLO},
	/* signature schemes, each family alone */
	{"sig-rsa-pss",
	 "offers RSA-PSS signatures only",
	 TLSA_TOPIC_SIGALG,
	 {BASE_HELLO, .sigalgs = {0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b}, .n_sigalgs = 6},
	 TLSA_KIND_HELLO},
	{"sig-rsa-pkcs1",
	 "offers RSA PKCS#1 v1.5 signatures only",
	 TLSA_TOPIC_SIGALG,
	 {BASE_HELLO, .sigalgs = {0x0401, 0x0501, 0x0601}, .n_sigalgs = 3},
	 TLSA_KIND_HELLO},
	{"sig-ecdsa",
	 "offers ECDSA signatures only",
	 TLSA_TOPIC_SIGALG,
	 {BASE_HELLO, .sigalgs = {0x0403, 0x0503, 0x0603}, .n_sigalgs = 3},
	 TLSA_KIND_HELLO},
	{"sig-ed25519",
	 "offers Ed25519 signatures only",
	 TLSA_TOPIC_SIGALG,
	 {BASE_HELLO, .sigalgs = {0x0807}, .n_sigalgs = 1},
	 TLSA_KIND_HELLO},
	/* cipher suite families, each alone */
	{"suites-aes-gcm",
	 "offers AES-GCM suites only",
	 TLSA_TOPIC_SUITE,
	 {BASE_HELLO,
	  .suites = {0x1301, 0x1302, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0x009e, 0x009f, 0x009c,
		     0x009d},
	  .n_suites = 10},
	 TLSA_KIND_HELLO},
	{"suites-chacha20",
	 "offers ChaCha20-Poly1305 suites only",
	 TLSA_TOPIC_SUITE,
	 {BASE_HELLO, .suites = {0x1303, 0xcca9, 0xcca8, 0xccaa}, .n_suites = 4},
	 TLSA_KIND_HELLO},
	{"suites-cbc",
	 "offers CBC suites only (TLS 1.2)",
	 TLSA_TOPIC_SUITE,
	 {BASE_HELLO, .versions = {V12}, .n_versions = 1, .suites = {SUITES_CBC}, .n_suites = 8},
	 TLSA_KIND_HELLO},
	{"suites-rsa-kx",
	 "offers RSA key exchange suites only (TLS 1.2)",
	 TLSA_TOPIC_SUITE,
	 {BASE_HELLO, .versions = {V12}, .n_versions = 1, .suites = {SUITES_RSA}, .n_suites = 7},
	 TLSA_KIND_HELLO},
	/* whole handshakes through libssl */
	{"verify",
	 "a whole handshake; the certificate verified for the target's name (--ca, else the "
	 "system store)",
	 TLSA_TOPIC_CERTIFICATE,
	 {.sni = true},
	 TLSA_KIND_VERIFY},
	{"client-cert-none-1.3",
	 "TLS 1.3, a whole handshake, no client certificate",
	 TLSA_TOPIC_CLIENT_CERT,
	 {.versions = {V13}, .n_versions = 1, .sni = true},
	 TLSA_KIND_NO_CLIENT_CERT},
	{"client-cert-none-1.2",
	 "TLS 1.2, a whole handshake, no client certificate",
	 TLSA_TOPIC_CLIENT_CERT,
	 {.versions = {V12}, .n_versions = 1, .sni = true},
	 TLSA_KIND_NO_CLIENT_CERT},
	{"renegotiation",
	 "TLS 1.2, a whole handshake, then one client-initiated renegotiation",
	 TLSA_TOPIC_RENEGOTIATION,
	 {.versions = {V12}, .n_versions = 1, .sni = true},
	 TLSA_KIND_RENEGOTIATE},
	/* downgrade protection and extensions */
	{"fallback-scsv",
	 "offers TLS 1.2 only with TLS_FALLBACK_SCSV (a fallback)",
	 TLSA_TOPIC_FALLBACK,
	 {BASE_HELLO, .versions = {V12}, .n_versions = 1,
	  .suites = {SUITES_12_AEAD, SUITES_CBC, SUITES_RSA}, .n_suites = 23,
	  .fallback_scsv = true},
	 TLSA_KIND_HELLO},
	{"record-size-limit",
	 "offers record_size_limit 512",
	 TLSA_TOPIC_TOLERANCE,
	 {BASE_HELLO, .record_size_limit = true},
	 TLSA_KIND_HELLO},
	{"max-fragment",
	 "offers max_fragment_length 512",
	 TLSA_TOPIC_TOLERANCE,
	 {BASE_HELLO, .max_fragment = true},
	 TLSA_KIND_HELLO},
	{"grease",
	 "adds GREASE values (RFC 8701)",
	 TLSA_TOPIC_TOLERANCE,
	 {BASE_HELLO, .grease = true},
	 TLSA_KIND_HELLO},
	{"version-intolerance",
	 "legacy_version 0x0305 and no supported_versions",
	 TLSA_TOPIC_TOLERANCE,
	 {BASE_HELLO, .legacy_version = 0x0305, .versions = {0}, .n_versions = 0,
	  .suites = {SUITES_12_AEAD, SUITES_CBC, SUITES_RSA}, .n_suites = 23},
	 TLSA_KIND_HELLO},
	{"no-padding",
	 "no padding: a ClientHello of 256-511 bytes, which some servers drop",
	 TLSA_TOPIC_TOLERANCE,
	 {BASE_HELLO, .pad_to = 0},
	 TLSA_KIND_HELLO},
	/* malformed: a correct server answers each with a named alert */
	{"bad-key-share",
	 "a key share one byte short (illegal_parameter expected)",
	 TLSA_TOPIC_MALFORMED,
	 {BASE_HELLO, .malform = TLSA_MALFORM_KEY_SHARE_LEN},
	 TLSA_KIND_HELLO},
	{"duplicate-extension",
	 "supported_groups twice (illegal_parameter expected)",
	 TLSA_TOPIC_MALFORMED,
	 {BASE_HELLO, .malform = TLSA_MALFORM_DUP_EXT},
	 TLSA_KIND_HELLO},
	{"empty-sni",
	 "a server_name of zero length (decode_error expected)",
	 TLSA_TOPIC_MALFORMED,
	 {BASE_HELLO, .malform = TLSA_MALFORM_EMPTY_SNI},
	 TLSA_KIND_HELLO},
	{"truncated-extensions",
	 "an extension block one byte short (decode_error expected)",
	 TLSA_TOPIC_MALFORMED,
	 {BASE_HELLO, .malform = TLSA_MALFORM_TRUNC_EXT},
	 TLSA_KIND_HELLO},
};

#include "clienthellos_data.h"

const struct tlsa_probe_client *tlsa_probe_clients(size_t *n)
{
	*n = N_ELEMS(clienthellos);
	return clienthellos;
}

const struct tlsa_probe_def *tlsa_probe_catalogue(size_t *n)
{
	*n = N_ELEMS(catalogue);
	return catalogue;
}

const char *tlsa_probe_outcome_name(tlsa_probe_outcome o)
{
	switch (o) {
	case TLSA_PROBE_OK: return "ok";
	case TLSA_PROBE_ALERT: return "alert";
	case TLSA_PROBE_HRR: return "hello_retry";
	case TLSA_PROBE_CLOSED: return "closed";
	case TLSA_PROBE_RESET: return "reset";
	case TLSA_PROBE_TIMEOUT: return "timeout";
	case TLSA_PROBE_NOT_TLS: return "not_tls";
	case TLSA_PROBE_CONNECT: return "connect_failed";
	}
	return "unknown";
}

/* A libssl probe: connect, STARTTLS, then the whole handshake. */
static int run_full(const struct tlsa_probe_addr *addr, const struct tlsa_probe_target *t,
		    const struct tlsa_probe_def *p, const struct tlsa_probe_opts *o, unsigned cto,
		    unsigned rto, struct tlsa_probe_result *r)
{
	uint64_t start = net_now_ms();
	tlsa_hs_facts_init(&r->hs);
	r->verify_result = -1;
	int fd = net_connect(addr, cto, r);
	if (fd >= 0) {
		const char *st = o->starttls != NULL ? o->starttls : t->starttls;
		net_ends(fd, r);
		if (st != NULL && net_starttls(fd, st, t->host, net_now_ms() + rto, o, r) != 0)
			r->outcome = TLSA_PROBE_NOT_TLS;
		else
			net_full_handshake(fd, t, p, o, rto, r);
		net_close(fd);
	}
	r->elapsed_ms = (unsigned)(net_now_ms() - start);
	return 0;
}

int tlsa_probe_run(const struct tlsa_probe_addr *addr, const struct tlsa_probe_target *t,
		   const struct tlsa_probe_def *p, const struct tlsa_probe_opts *o,
		   struct tlsa_probe_result *r, struct tlsa_error *err)
{
	struct tlsa_probe_opts def = {0};
	if (o == NULL)
		o = &def;
	memset(r, 0, sizeof(*r));
	r->level = r->description = -1;
	r->step = "client_hello";
	unsigned cto = o->connect_timeout_ms != 0 ? o->connect_timeout_ms : 5000;
	unsigned rto = o->read_timeout_ms != 0 ? o->read_timeout_ms : 10000;
	uint8_t random[32], hello[4096];
	size_t hlen = 0;
	if (p->kind != TLSA_KIND_HELLO)
		return run_full(addr, t, p, o, cto, rto, r);
	if (o->random != NULL)
		memcpy(random, o->random, 32);
	else if (RAND_bytes(random, sizeof(random)) != 1)
		return tlsa_error_set(err, TLSA_EUNSUPP, 0, "no random bytes from libcrypto");
	struct tlsa_probe_keys *k = tlsa_probe_keys_new(&p->hello, err);
	if (k == NULL)
		return err != NULL ? err->code : TLSA_ENOMEM;
	int rc = tlsa_probe_hello_encode(&p->hello, t->host_is_address ? "" : t->host, random, k,
					 hello, sizeof(hello), &hlen, err);
	if (rc != 0) {
		tlsa_probe_keys_free(k);
		return rc;
	}
	tlsa_hs_facts_init(&r->hs);
	if (hlen > 9) /* the hello as the server reads it; a malformed one may not parse */
		tlsa_parse_client_hello(hello + 9, hlen - 9, false, &r->hs, NULL);
	uint64_t start = net_now_ms();
	int fd = net_connect(addr, cto, r);
	if (fd >= 0) {
		uint64_t deadline = net_now_ms() + rto;
		const char *st = o->starttls != NULL ? o->starttls : t->starttls;
		net_ends(fd, r);
		if (st != NULL && net_starttls(fd, st, t->host, deadline, o, r) != 0) {
			r->outcome = TLSA_PROBE_NOT_TLS;
		} else if (net_send_all(fd, hello, hlen, deadline, o) != 0) {
			r->outcome = TLSA_PROBE_RESET;
			snprintf(r->detail, sizeof(r->detail), "the hello could not be sent");
		} else {
			net_read_answer(fd, hello, hlen, k, deadline, o, r);
		}
		net_close(fd);
	}
	r->elapsed_ms = (unsigned)(net_now_ms() - start);
	tlsa_probe_keys_free(k);
	return 0;
}
