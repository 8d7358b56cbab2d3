/*
 * ClientHello / ServerHello / HelloRetryRequest parsing into the handshake
 * facts of a connection.  Every read goes through the checked reader; a
 * malformed hello keeps the fields read before the fault.
 */
#include <string.h>

#include "base/rd.h"
#include "tlsalert/fingerprint.h"
#include "tlsalert/hello.h"

enum {
	EXT_SERVER_NAME = 0,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_ALPN = 16,
	EXT_PADDING = 21,
	EXT_RECORD_SIZE_LIMIT = 28,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_PSK_MODES = 45,
	EXT_KEY_SHARE = 51,
};

/* RFC 8701 GREASE: 0x0a0a, 0x1a1a, ... 0xfafa. */
static bool is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Appends an extension type (GREASE as 0x0a0a) to a bounded list, counting all. */
static void note_ext(uint16_t *list, size_t cap, uint16_t *n, uint16_t type)
{
	if (*n < cap)
		list[*n] = is_grease(type) ? 0x0a0a : type;
	if (*n < UINT16_MAX)
		(*n)++;
}

/* True when one of the first min(n, cap) values is GREASE. */
static bool any_grease(const uint16_t *v, size_t n, size_t cap)
{
	for (size_t i = 0; i < n && i < cap; i++)
		if (is_grease(v[i]))
			return true;
	return false;
}

const char *tlsa_role_name(tlsa_role r)
{
	return r == TLSA_ROLE_CLIENT ? "client" : r == TLSA_ROLE_SERVER ? "server" : "unknown";
}

/* SHA-256("HelloRetryRequest"), RFC 8446 section 4.1.3. */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

bool tlsa_is_hello_retry_random(const uint8_t random[32])
{
	return memcmp(random, hrr_random, sizeof(hrr_random)) == 0;
}

void tlsa_hs_facts_init(struct tlsa_hs_facts *hs)
{
	memset(hs, 0, sizeof(*hs));
	hs->client_cert_sent = -1;
	hs->server_certs = -1;
}

static int hello_fail(struct tlsa_error *err, const struct rd *r, const char *what)
{
	return tlsa_error_set(err, TLSA_ETRUNC, rd_offset(r), "%s runs past the end of the message",
			      what);
}

/* A list of 16-bit values into `out` (up to cap), counting all of them. */
static void read_u16_list(struct rd *r, uint16_t *out, size_t cap, size_t *n)
{
	*n = 0;
	while (rd_left(r) >= 2) {
		uint16_t v = rd_u16(r);
		if (*n < cap)
			out[*n] = v;
		(*n)++;
	}
}

/* Appends `len` bytes as printable ASCII (others become '?') to a
 * NUL-terminated string of capacity cap, with a comma before it unless first. */
static void append_name(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t at = strlen(dst);
	if (at > 0 && at + 1 < cap)
		dst[at++] = ',';
	for (size_t i = 0; i < len && at + 1 < cap; i++)
		dst[at++] = (src[i] >= 0x20 && src[i] < 0x7f && src[i] != ',') ? (char)src[i] : '?';
	dst[at] = '\0';
}

/* The key_exchange size of a client key share in a group of fixed size, 0 if not fixed. */
static size_t key_share_size(uint16_t group)
{
	switch (group) {
	case 0x0017: return 65;	  /* secp256r1, uncompressed point */
	case 0x0018: return 97;	  /* secp384r1 */
	case 0x0019: return 133;  /* secp521r1 */
	case 0x001d: return 32;	  /* x25519 */
	case 0x001e: return 56;	  /* x448 */
	case 0x0100: return 256;  /* ffdhe2048 */
	case 0x0101: return 384;  /* ffdhe3072 */
	case 0x0102: return 512;  /* ffdhe4096 */
	case 0x0103: return 768;  /* ffdhe6144 */
	case 0x0104: return 1024; /* ffdhe8192 */
	case 0x11ec: return 1216; /* X25519MLKEM768 (client share) */
	default: return 0;
	}
}

static void client_ext(struct tlsa_hs_facts *hs, uint16_t type, struct rd *e)
{
	switch (type) {
	case EXT_SERVER_NAME: {
		struct rd list = rd_block(e, 2);
		while (rd_left(&list) > 0 && rd_ok(&list)) {
			uint8_t nt = rd_u8(&list);
			struct rd name = rd_block(&list, 2);
			if (!rd_ok(&list))
				break;
			if (nt == 0 && hs->sni[0] == '\0')
				append_name(hs->sni, sizeof(hs->sni), name.p, rd_left(&name));
		}
		break;
	}
	case EXT_SUPPORTED_GROUPS: {
		struct rd list = rd_block(e, 2);
		read_u16_list(&list, hs->groups, TLSA_HS_MAX_LIST, &hs->n_groups);
		break;
	}
	case EXT_SIGNATURE_ALGORITHMS: {
		struct rd list = rd_block(e, 2);
		read_u16_list(&list, hs->sigalgs, TLSA_HS_MAX_LIST, &hs->n_sigalgs);
		break;
	}
	case EXT_ALPN: {
		struct rd list = rd_block(e, 2);
		while (rd_left(&list) > 0) {
			struct rd p = rd_block(&list, 1);
			if (!rd_ok(&list))
				break;
			append_name(hs->alpn_offered, sizeof(hs->alpn_offered), p.p, rd_left(&p));
		}
		break;
	}
	case EXT_KEY_SHARE: {
		struct rd list = rd_block(e, 2);
		while (rd_ok(&list) && rd_left(&list) > 0) {
			uint16_t group = rd_u16(&list);
			struct rd key = rd_block(&list, 2);
			size_t want = key_share_size(group);
			if (rd_ok(&list)) {
				if (hs->n_ks_groups < 4)
					hs->ks_groups[hs->n_ks_groups] = group;
				if (hs->n_ks_groups < UINT8_MAX)
					hs->n_ks_groups++;
				if (is_grease(group))
					hs->grease = true;
			}
			if (rd_ok(&list) && want != 0 && rd_left(&key) != want)
				hs->key_share_invalid = true;
		}
		if (!rd_ok(&list) || !rd_ok(e))
			hs->key_share_invalid = true;
		break;
	}
	case EXT_SUPPORTED_VERSIONS: {
		struct rd list = rd_block(e, 1);
		if (!rd_ok(e))
			break;
		size_t n = 0;
		uint16_t tmp[16];
		read_u16_list(&list, tmp, 16, &n);
		if (n > 16)
			n = 16;
		memcpy(hs->versions_offered, tmp, n * sizeof(tmp[0]));
		hs->n_versions_offered = n;
		if (any_grease(tmp, n, 16))
			hs->grease = true;
		break;
	}
	case EXT_PSK_MODES: {
		struct rd list = rd_block(e, 1);
		while (rd_left(&list) > 0) {
			uint8_t m = rd_u8(&list);
			if (m < 8)
				hs->psk_modes |= (uint8_t)(1u << m);
		}
		break;
	}
	case EXT_PADDING: hs->ch_padding = true; break;
	case EXT_RECORD_SIZE_LIMIT: hs->ch_record_size_limit = true; break;
	default: break;
	}
}

static int client_hello(const uint8_t *body, size_t len, bool dtls, struct tlsa_hs_facts *hs,
			struct tlsa_error *err)
{
	struct rd r = rd_init(body, len);

	/* a second ClientHello (after HelloRetryRequest) replaces the first */
	hs->client_hello = true;
	hs->sni[0] = '\0';
	hs->alpn_offered[0] = '\0';
	hs->n_groups = hs->n_sigalgs = hs->n_suites = 0;
	hs->fallback_scsv = false;
	hs->key_share_invalid = false;
	hs->n_ch_exts = 0;
	hs->n_ks_groups = hs->n_compression = hs->psk_modes = 0;
	hs->grease = hs->ch_padding = hs->ch_record_size_limit = false;
	hs->client_version = rd_u16(&r);
	const uint8_t *random = rd_bytes(&r, 32);
	if (random == NULL)
		return hello_fail(err, &r, "ClientHello random");
	memcpy(hs->client_random, random, 32);
	hs->versions_offered[0] = hs->client_version;
	hs->n_versions_offered = 1;
	struct rd sid = rd_block(&r, 1);
	hs->session_id_len = (uint8_t)rd_left(&sid);
	if (dtls)
		(void)rd_block(&r, 1); /* cookie */
	struct rd suites = rd_block(&r, 2);
	if (!rd_ok(&r))
		return hello_fail(err, &r, "ClientHello cipher suites");
	read_u16_list(&suites, hs->suites, TLSA_HS_MAX_LIST, &hs->n_suites);
	for (size_t i = 0; i < hs->n_suites && i < TLSA_HS_MAX_LIST; i++)
		if (hs->suites[i] == 0x5600)
			hs->fallback_scsv = true;
	if (any_grease(hs->suites, hs->n_suites, TLSA_HS_MAX_LIST))
		hs->grease = true;
	struct rd comp = rd_block(&r, 1);
	if (!rd_ok(&r))
		return hello_fail(err, &r, "ClientHello compression methods");
	hs->n_compression = (uint8_t)rd_left(&comp);
	if (rd_left(&r) == 0)
		return 0; /* no extensions */
	struct rd exts = rd_block(&r, 2);
	if (!rd_ok(&r))
		return hello_fail(err, &r, "ClientHello extensions");
	while (rd_left(&exts) > 0) {
		uint16_t type = rd_u16(&exts);
		struct rd e = rd_block(&exts, 2);
		if (!rd_ok(&exts))
			return hello_fail(err, &exts, "ClientHello extension");
		note_ext(hs->ch_exts, TLSA_HS_MAX_EXT, &hs->n_ch_exts, type);
		if (is_grease(type))
			hs->grease = true;
		client_ext(hs, type, &e);
	}
	if (any_grease(hs->groups, hs->n_groups, TLSA_HS_MAX_LIST))
		hs->grease = true;
	return 0;
}

static int server_hello(const uint8_t *body, size_t len, bool dtls, struct tlsa_hs_facts *hs,
			struct tlsa_error *err)
{
	struct rd r = rd_init(body, len);
	(void)dtls;

	uint16_t legacy = rd_u16(&r);
	const uint8_t *random = rd_bytes(&r, 32);
	if (random == NULL)
		return hello_fail(err, &r, "ServerHello random");
	bool hrr = tlsa_is_hello_retry_random(random);
	if (hrr) {
		hs->hello_retry = true;
	} else {
		hs->server_hello = true;
		memcpy(hs->server_random, random, 32);
		hs->version_selected = legacy;
	}
	struct rd sid = rd_block(&r, 1);
	if (!hrr) {
		hs->sh_session_id_len = (uint8_t)rd_left(&sid);
		hs->n_sh_exts = 0;
	}
	uint16_t suite = rd_u16(&r);
	uint8_t comp = rd_u8(&r);
	if (!rd_ok(&r))
		return hello_fail(err, &r, "ServerHello cipher suite");
	if (!hrr)
		hs->compression_selected = comp; /* the records' compression (RFC 3749) */
	hs->suite_selected = suite;
	hs->suite_selected_set = true;
	if (rd_left(&r) == 0)
		return 0;
	struct rd exts = rd_block(&r, 2);
	if (!rd_ok(&r))
		return hello_fail(err, &r, "ServerHello extensions");
	while (rd_left(&exts) > 0) {
		uint16_t type = rd_u16(&exts);
		struct rd e = rd_block(&exts, 2);
		if (!rd_ok(&exts))
			return hello_fail(err, &exts, "ServerHello extension");
		if (!hrr)
			note_ext(hs->sh_exts, TLSA_HS_MAX_SH_EXT, &hs->n_sh_exts, type);
		if (type == EXT_SUPPORTED_VERSIONS && rd_left(&e) >= 2) {
			uint16_t v = rd_u16(&e);
			if (!hrr)
				hs->version_selected = v;
		} else if (type == EXT_KEY_SHARE && rd_left(&e) >= 2) {
			hs->key_share_group = rd_u16(&e);
		} else if (type == EXT_ALPN && !hrr) {
			struct rd list = rd_block(&e, 2);
			struct rd p = rd_block(&list, 1);
			if (rd_ok(&list)) {
				hs->alpn_selected[0] = '\0';
				append_name(hs->alpn_selected, sizeof(hs->alpn_selected), p.p,
					    rd_left(&p));
			}
		}
	}
	return 0;
}

static int sslv2_client_hello(const uint8_t *rec, size_t len, struct tlsa_hs_facts *hs,
			      struct tlsa_error *err)
{
	struct rd r = rd_init(rec, len);
	uint16_t hdr = rd_u16(&r);
	uint8_t type = rd_u8(&r);
	uint16_t version = rd_u16(&r);
	uint16_t spec_len = rd_u16(&r);
	uint16_t sid_len = rd_u16(&r);
	uint16_t chal_len = rd_u16(&r);
	if (!rd_ok(&r))
		return hello_fail(err, &r, "SSL 2.0 CLIENT-HELLO header");
	if (!(hdr & 0x8000) || type != 1 || spec_len % 3 != 0 || chal_len < 16 || chal_len > 32)
		return tlsa_error_set(
			err, TLSA_EINVAL, 0,
			"not an SSL 2.0 CLIENT-HELLO (type %u, cipher specs %u bytes, "
			"challenge %u bytes)",
			type, spec_len, chal_len);
	struct rd specs = rd_sub(&r, spec_len);
	(void)rd_skip(&r, sid_len);
	const uint8_t *chal = rd_bytes(&r, chal_len);
	if (!rd_ok(&specs) || chal == NULL)
		return hello_fail(err, &r, "SSL 2.0 CLIENT-HELLO");
	tlsa_hs_facts_init(hs);
	hs->client_hello = true;
	hs->client_version = version;
	hs->versions_offered[0] = version;
	hs->n_versions_offered = 1;
	while (rd_left(&specs) >= 3) {
		uint8_t k = rd_u8(&specs);
		uint16_t v = rd_u16(&specs);
		if (k != 0)
			continue; /* an SSL 2.0-only cipher kind */
		if (hs->n_suites < TLSA_HS_MAX_LIST)
			hs->suites[hs->n_suites] = v;
		hs->n_suites++;
		if (v == 0x5600)
			hs->fallback_scsv = true;
	}
	memcpy(hs->client_random + 32 - chal_len, chal, chal_len);
	hs->session_id_len = (uint8_t)(sid_len > 255 ? 255 : sid_len);
	return 0;
}

/* The parsers: the facts of one hello, then the guess of its sender's stack,
 * made here once per hello rather than at every alert that reports it. */
int tlsa_parse_client_hello(const uint8_t *body, size_t len, bool dtls, struct tlsa_hs_facts *hs,
			    struct tlsa_error *err)
{
	int rc = client_hello(body, len, dtls, hs, err);
	hs->client_stack = tlsa_stack_guess(hs, TLSA_ROLE_CLIENT, NULL);
	return rc;
}

int tlsa_parse_server_hello(const uint8_t *body, size_t len, bool dtls, struct tlsa_hs_facts *hs,
			    struct tlsa_error *err)
{
	int rc = server_hello(body, len, dtls, hs, err);
	hs->server_stack = tlsa_stack_guess(hs, TLSA_ROLE_SERVER, NULL);
	return rc;
}

int tlsa_parse_sslv2_client_hello(const uint8_t *rec, size_t len, struct tlsa_hs_facts *hs,
				  struct tlsa_error *err)
{
	int rc = sslv2_client_hello(rec, len, hs, err);
	hs->client_stack = tlsa_stack_guess(hs, TLSA_ROLE_CLIENT, NULL);
	return rc;
}
