/*
 * IDEA (Lai and Massey; the cipher of RFC 5469's TLS_RSA_WITH_IDEA_CBC_SHA),
 * in CBC mode.  The libcrypto tlsalert runs on may be built
 * without it (Debian's is), yet old captures hold IDEA suites that tshark
 * decrypts, so the few lines live here.  A 64-bit block of four 16-bit words,
 * eight rounds and an output transform, each mixing XOR, addition mod 2^16
 * and multiplication mod 2^16 + 1 (where the word 0 stands for 2^16).
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto_int.h"

/* a * b mod 2^16 + 1, with 0 standing for 2^16 */
static uint16_t mul(uint16_t a, uint16_t b)
{
	uint32_t x = a != 0 ? a : 0x10000u, y = b != 0 ? b : 0x10000u;
	uint64_t p = (uint64_t)x * y % 0x10001u;
	return (uint16_t)p; /* 2^16 becomes 0 */
}

/* The multiplicative inverse mod 2^16 + 1 (a prime), by a^(p-2). */
static uint16_t inv(uint16_t a)
{
	uint64_t base = a != 0 ? a : 0x10000u, r = 1;
	for (uint32_t e = 0x10001u - 2; e != 0; e >>= 1) {
		if (e & 1)
			r = r * base % 0x10001u;
		base = base * base % 0x10001u;
	}
	return (uint16_t)r;
}

/* The 52 encryption subkeys: the key's eight words, then the key rotated
 * left by 25 bits, and again, until 52. */
static void enc_keys(const uint8_t key[16], uint16_t z[52])
{
	uint8_t k[16], t[16];
	memcpy(k, key, 16);
	for (int i = 0; i < 52; i++) {
		int w = i % 8;
		z[i] = (uint16_t)(k[2 * w] << 8 | k[2 * w + 1]);
		if (w == 7) {
			for (int j = 0; j < 16; j++) /* rotate the 128 bits left by 25 */
				t[j] = (uint8_t)(k[(j + 3) % 16] << 1 | k[(j + 4) % 16] >> 7);
			memcpy(k, t, 16);
		}
	}
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(t, sizeof(t));
}

void idea_decrypt_keys(const uint8_t key[16], uint16_t dk[52])
{
	uint16_t z[52];
	enc_keys(key, z);
	for (int r = 0; r <= 8; r++) {
		/* round r of decryption undoes round 8 - r of encryption; the
		 * middle additive keys swap places except at both ends */
		const uint16_t *e = z + 6 * (8 - r);
		bool swap = r != 0 && r != 8;
		dk[6 * r] = inv(e[0]);
		dk[6 * r + 1] = (uint16_t)-e[swap ? 2 : 1];
		dk[6 * r + 2] = (uint16_t)-e[swap ? 1 : 2];
		dk[6 * r + 3] = inv(e[3]);
		if (r < 8) {
			dk[6 * r + 4] = z[6 * (7 - r) + 4];
			dk[6 * r + 5] = z[6 * (7 - r) + 5];
		}
	}
	OPENSSL_cleanse(z, sizeof(z));
}

/* One block through the rounds with subkeys k (encryption and decryption are
 * the same walk with other keys). */
static void block(const uint16_t k[52], const uint8_t in[8], uint8_t out[8])
{
	uint16_t x1 = (uint16_t)(in[0] << 8 | in[1]), x2 = (uint16_t)(in[2] << 8 | in[3]);
	uint16_t x3 = (uint16_t)(in[4] << 8 | in[5]), x4 = (uint16_t)(in[6] << 8 | in[7]);
	for (int r = 0; r < 8; r++, k += 6) {
		x1 = mul(x1, k[0]);
		x2 = (uint16_t)(x2 + k[1]);
		x3 = (uint16_t)(x3 + k[2]);
		x4 = mul(x4, k[3]);
		uint16_t t0 = mul(x1 ^ x3, k[4]);
		uint16_t t1 = mul((uint16_t)((x2 ^ x4) + t0), k[5]);
		t0 = (uint16_t)(t0 + t1);
		x1 ^= t1;
		x4 ^= t0;
		uint16_t t = x2 ^ t0;
		x2 = x3 ^ t1;
		x3 = t;
	}
	uint16_t y[4] = {mul(x1, k[0]), (uint16_t)(x3 + k[1]), (uint16_t)(x2 + k[2]),
			 mul(x4, k[3])};
	for (int i = 0; i < 4; i++) {
		out[2 * i] = (uint8_t)(y[i] >> 8);
		out[2 * i + 1] = (uint8_t)y[i];
	}
}

void idea_cbc_decrypt(const uint16_t dk[52], const uint8_t iv[8], const uint8_t *in, size_t n,
		      uint8_t *out)
{
	uint8_t prev[8], cur[8];
	memcpy(prev, iv, 8);
	for (size_t i = 0; i + 8 <= n; i += 8) {
		memcpy(cur, in + i, 8); /* in and out may be the same */
		block(dk, cur, out + i);
		for (int j = 0; j < 8; j++)
			out[i + j] ^= prev[j];
		memcpy(prev, cur, 8);
	}
}

void idea_cbc_encrypt(const uint8_t key[16], const uint8_t iv[8], const uint8_t *in, size_t n,
		      uint8_t *out)
{
	uint16_t z[52];
	uint8_t x[8];
	const uint8_t *prev = iv;
	enc_keys(key, z);
	for (size_t i = 0; i + 8 <= n; i += 8) {
		for (int j = 0; j < 8; j++)
			x[j] = in[i + j] ^ prev[j];
		block(z, x, out + i);
		prev = out + i;
	}
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(x, sizeof(x));
}
