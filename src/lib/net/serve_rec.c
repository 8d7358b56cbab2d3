/*
 * The keys of a `serve` connection, from libssl's key log lines, and the
 * record protection of each direction: the epoch a direction is in, its
 * state (sequence numbers counted over the records libssl wrote or the
 * peer sent), and sealing our own records (the alert, and a record cut at
 * a message boundary) with the direction's key at its sequence number.
 *
 * The sealer covers the AEAD suites the engine lets libssl negotiate
 * (AES-GCM, ChaCha20-Poly1305); TLS 1.2's explicit nonce is the sequence
 * number, as OpenSSL writes it.
 */
#include <openssl/evp.h>
#include <string.h>

#include "serve_int.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* hex up to a space or the end into out (at most cap bytes): the byte count, or 0 */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (s[0] != '\0' && s[0] != ' ') {
		int hi = hexval(s[0]), lo = s[1] != '\0' ? hexval(s[1]) : -1;
		if (hi < 0 || lo < 0 || n >= cap)
			return 0;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

void serve_keys_line(struct serve_keys *k, const char *line)
{
	static const struct {
		const char *label;
		int app, side; /* side 0 client, 1 server; app -1: the master secret */
	} labels[] = {
		{"CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 0, 0},
		{"SERVER_HANDSHAKE_TRAFFIC_SECRET ", 0, 1},
		{"CLIENT_TRAFFIC_SECRET_0 ", 1, 0},
		{"SERVER_TRAFFIC_SECRET_0 ", 1, 1},
		{"CLIENT_RANDOM ", -1, 0},
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t ll = strlen(labels[i].label);
		if (strncmp(line, labels[i].label, ll) != 0)
			continue;
		const char *sp = strchr(line + ll, ' ');
		if (sp == NULL)
			return;
		uint8_t buf[SERVE_SECRET_MAX];
		size_t n = unhex(sp + 1, buf, sizeof(buf));
		if (labels[i].app < 0) {
			if (n == 48) {
				memcpy(k->master, buf, 48);
				k->have_master = true;
			}
		} else if (labels[i].app == 0) {
			memcpy(k->hs[labels[i].side], buf, n);
			k->hs_len[labels[i].side] = n;
		} else {
			memcpy(k->app[labels[i].side], buf, n);
			k->app_len[labels[i].side] = n;
		}
		return;
	}
}

int serve_dir_enter(struct serve_dir *d, const struct serve_keys *k, int epoch)
{
	int side = d->client ? 0 : 1;
	serve_dir_free(d);
	d->epoch = epoch;
	if (epoch == 0)
		return 0;
	int rc;
	if (k->version == 0x0304) {
		const uint8_t *s = epoch == 1 ? k->hs[side] : k->app[side];
		size_t n = epoch == 1 ? k->hs_len[side] : k->app_len[side];
		if (n == 0)
			return TLSA_EUNSUPP;
		rc = tlsa_dir_init_tls13(&d->d, k->suite, s, n);
	} else {
		if (!k->have_master || !k->have_randoms)
			return TLSA_EUNSUPP;
		struct tlsa_cipher_dir pair[2];
		memset(pair, 0, sizeof(pair));
		rc = tlsa_dir_init_tls12(&pair[0], &pair[1], k->version, k->suite, k->master,
					 k->client_random, k->server_random, false);
		if (rc == 0) {
			d->d = pair[side]; /* moved: the copy owns the contexts now */
			memset(&pair[side], 0, sizeof(pair[side]));
			tlsa_dir_free(&pair[1 - side]);
		}
	}
	d->keyed = rc == 0;
	return rc;
}

void serve_dir_free(struct serve_dir *d)
{
	if (d->keyed)
		tlsa_dir_free(&d->d);
	memset(&d->d, 0, sizeof(d->d));
	d->keyed = false;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* AEAD seal of in[0..n) into ct (n bytes) and tag (16) */
static bool aead_seal(const struct tlsa_cipher_dir *c, const uint8_t nonce[12], const uint8_t *aad,
		      size_t aad_len, const uint8_t *in, size_t n, uint8_t *ct, uint8_t tag[16])
{
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, c->suite->cipher_name, NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int l = 0;
	bool ok = ciph != NULL && x != NULL &&
		  EVP_EncryptInit_ex2(x, ciph, NULL, NULL, NULL) == 1 &&
		  EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
		  EVP_EncryptInit_ex2(x, NULL, c->key, nonce, NULL) == 1 &&
		  EVP_EncryptUpdate(x, NULL, &l, aad, (int)aad_len) == 1 &&
		  (n == 0 || EVP_EncryptUpdate(x, ct, &l, in, (int)n) == 1) &&
		  EVP_EncryptFinal_ex(x, ct + (n == 0 ? 0 : l), &l) == 1 &&
		  EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(ciph);
	return ok;
}

/* Long: the record layouts of TLS 1.3 and TLS 1.2 (explicit nonce or not) side by side. */
int serve_seal(struct serve_dir *d, uint8_t type, const uint8_t *plain, size_t n, uint8_t *out,
	       size_t cap, size_t *out_len)
{
	const struct tlsa_cipher_dir *c = &d->d;
	if (!d->keyed || c->suite == NULL ||
	    (c->suite->prot != TLSA_PROT_GCM && c->suite->prot != TLSA_PROT_CHACHA))
		return TLSA_EUNSUPP;
	uint8_t nonce[12], aad[13], inner[16384 + 1];
	if (n > 16384)
		return TLSA_ELIMIT;
	uint64_t seq = d->d.seq;
	if (c->version == 0x0304) {
		size_t len = n + 1 + 16;
		if (cap < 5 + len)
			return TLSA_ELIMIT;
		memcpy(inner, plain, n);
		inner[n] = type;
		memcpy(nonce, c->iv, 12);
		uint8_t s[8];
		put64(s, seq);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] ^= s[i];
		out[0] = 23;
		out[1] = 3;
		out[2] = 3;
		put16(out + 3, len);
		if (!aead_seal(c, nonce, out, 5, inner, n + 1, out + 5, out + 5 + n + 1))
			return TLSA_EINVAL;
		*out_len = 5 + len;
	} else {
		bool explicit = c->suite->prot == TLSA_PROT_GCM;
		size_t len = (explicit ? 8 : 0) + n + 16;
		if (cap < 5 + len)
			return TLSA_ELIMIT;
		put64(aad, seq);
		aad[8] = type;
		put16(aad + 9, c->version);
		put16(aad + 11, n);
		if (explicit) {
			memcpy(nonce, c->iv, 4);
			put64(nonce + 4, seq);
		} else {
			memcpy(nonce, c->iv, 12);
			for (int i = 0; i < 8; i++)
				nonce[4 + i] ^= aad[i];
		}
		out[0] = type;
		put16(out + 1, c->version);
		put16(out + 3, len);
		uint8_t *body = out + 5;
		if (explicit) {
			put64(body, seq);
			body += 8;
		}
		if (!aead_seal(c, nonce, aad, 13, plain, n, body, body + n))
			return TLSA_EINVAL;
		*out_len = 5 + len;
	}
	d->d.seq = seq + 1;
	return 0;
}
