/*
 * The keys of a `serve` connection, from libssl's key log lines, and the
 * record protection of each direction: the epoch a direction is in, its
 * state (sequence numbers counted over the records libssl wrote or the
 * peer sent), and sealing our own records (the alert, and a record cut at
 * a message boundary) with the direction's key at its sequence number
 * (tlsa_dir_encrypt).
 */
#include <string.h>

#include "base/ascii.h"
#include "serve_int.h"

/* hex up to a space or the end into out (at most cap bytes): the byte count, or 0 */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (s[0] != '\0' && s[0] != ' ') {
		int hi = ascii_hexval(s[0]), lo = s[1] != '\0' ? ascii_hexval(s[1]) : -1;
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

int serve_seal(struct serve_dir *d, uint8_t type, const uint8_t *plain, size_t n, uint8_t *out,
	       size_t cap, size_t *out_len)
{
	if (!d->keyed)
		return TLSA_EUNSUPP;
	return tlsa_dir_encrypt(&d->d, type, plain, n, out, cap, out_len, NULL);
}
