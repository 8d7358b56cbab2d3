/*
 * The per-packet cost of QUIC protection (include/tlsalert/quic.h), on the
 * sample packets of RFC 9001 Appendix A (tests/data/quic/vectors.txt): CPU
 * nanoseconds per call, best of 5 runs of N calls each, for
 *   initial-keys   both sides' Initial keys from a connection ID (per connection)
 *   keylog-keys    keys from a traffic secret (per secret of a key log)
 *   parse          the client Initial's header
 *   client-initial parse + header protection + AEAD of the 1200-byte client Initial
 *   server-initial the same for the 135-byte server Initial
 *   alternate      client and server Initials in turn (the contexts re-keyed every packet)
 *   short-chacha   the 21-byte ChaCha20-Poly1305 1-RTT packet
 *   frames         the frames of the client Initial's payload (CRYPTO + PADDING)
 * Built and run by bench/quic/run.sh; figures in docs/PERFORMANCE.md.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tlsalert/quic.h"

static size_t vec(const char *name, uint8_t *out, size_t cap)
{
	FILE *f = fopen("tests/data/quic/vectors.txt", "r");
	static char line[8192];
	size_t n = 0, nl = strlen(name);
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, nl) == 0 && line[nl] == ' ') {
			const char *s = line + nl + 1;
			unsigned v;
			while (n < cap && sscanf(s, "%2x", &v) == 1) {
				out[n++] = (uint8_t)v;
				s += 2;
			}
			break;
		}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "bench_quic: vector %s missing (run from the checkout)\n", name);
		exit(2);
	}
	return n;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static struct tlsa_quic_ctx *qc;
static struct tlsa_quic_keys ck, sk, ak;
static uint8_t cpkt[1200], spkt[135], apkt[21], out[1200];
static size_t cl, sl, al;
static const uint8_t dcid[8] = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "bench_quic: %s failed\n", what);
		exit(1);
	}
}

static void open_pkt(const uint8_t *b, size_t n, const struct tlsa_quic_keys *k, uint64_t largest)
{
	struct tlsa_quic_packet p;
	size_t ol;
	must(tlsa_quic_parse(b, n, 0, 0, &p, NULL) == 0 &&
		     tlsa_quic_unprotect_header(qc, k, &p, largest, NULL) == 0 &&
		     tlsa_quic_decrypt_payload(qc, k, &p, out, sizeof(out), &ol, NULL) == 0,
	     "decrypt");
}

static void op(int which)
{
	struct tlsa_quic_keys a, b;
	struct tlsa_quic_packet p;
	static const uint8_t secret[32] = {1, 2, 3};
	switch (which) {
	case 0: must(tlsa_quic_initial_keys(qc, TLSA_QUIC_V1, dcid, 8, &a, &b) == 0, "keys"); break;
	case 1:
		must(tlsa_quic_keys_init(qc, TLSA_QUIC_V1, 0x1301, secret, 32, &a) == 0, "keys");
		break;
	case 2: must(tlsa_quic_parse(cpkt, cl, 0, 0, &p, NULL) == 0, "parse"); break;
	case 3: open_pkt(cpkt, cl, &ck, TLSA_QUIC_PN_NONE); break;
	case 4: open_pkt(spkt, sl, &sk, TLSA_QUIC_PN_NONE); break;
	case 5:
		open_pkt(cpkt, cl, &ck, TLSA_QUIC_PN_NONE);
		open_pkt(spkt, sl, &sk, TLSA_QUIC_PN_NONE);
		break;
	case 6: open_pkt(apkt, al, &ak, 654360000); break;
	case 7: {
		size_t pos = 0;
		struct tlsa_quic_frame f;
		while (tlsa_quic_frame_next(out, 1162, &pos, &f, NULL) == 1)
			;
		break;
	}
	}
}

int main(int argc, char **argv)
{
	static const char *names[] = {"initial-keys",	"keylog-keys",	  "parse",
				      "client-initial", "server-initial", "alternate (2 pkts)",
				      "short-chacha",	"frames"};
	long n = argc > 1 ? atol(argv[1]) : 20000;
	qc = tlsa_quic_ctx_new();
	uint8_t secret[32];
	cl = vec("v1.client_packet", cpkt, sizeof(cpkt));
	sl = vec("v1.server_packet", spkt, sizeof(spkt));
	al = vec("v1.chacha_packet", apkt, sizeof(apkt));
	vec("v1.chacha_secret", secret, 32);
	must(qc != NULL && tlsa_quic_initial_keys(qc, TLSA_QUIC_V1, dcid, 8, &ck, &sk) == 0 &&
		     tlsa_quic_keys_init(qc, TLSA_QUIC_V1, 0x1303, secret, 32, &ak) == 0,
	     "set-up");
	open_pkt(cpkt, cl, &ck, TLSA_QUIC_PN_NONE); /* out holds the client's frames for op 7 */
	uint8_t frames[1200];
	memcpy(frames, out, sizeof(frames));
	printf("%-20s %10s\n", "operation", "ns/op");
	for (int w = 0; w < 8; w++) {
		double best = 0;
		for (int rep = 0; rep < 5; rep++) {
			if (w == 7)
				memcpy(out, frames, sizeof(frames));
			double t0 = cpu_now();
			for (long i = 0; i < n; i++)
				op(w);
			double t = (cpu_now() - t0) / (double)n;
			if (rep == 0 || t < best)
				best = t;
		}
		printf("%-20s %10.0f\n", names[w], best);
	}
	tlsa_quic_ctx_free(qc);
	return 0;
}
