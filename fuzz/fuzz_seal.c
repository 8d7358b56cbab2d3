/*
 * Fuzz target: sealing under a fixed key, for every suite, with opening as
 * the oracle.
 *
 * Input: bytes 0-1 pick the suite (big-endian index into the suite table,
 * modulo its size); byte 2 the version (bits 0-2 as in fuzz_decrypt: TLS
 * 1.0, 1.1, 1.2, DTLS 1.0, DTLS 1.2, SSL 3.0; ignored for TLS 1.3 suites),
 * Encrypt-then-MAC (bit 3), the server direction (bit 4), a KeyUpdate first
 * (bit 5).  Then records to seal, each: type, padding (one byte, times 8
 * for CBC), plaintext length (two bytes, cut to what is left) and the
 * plaintext.  Every record tlsa_dir_encrypt_padded() accepts must open on a
 * twin state to the same type and bytes; one it refuses must count no
 * sequence number.  A failure aborts.  Key material as in fuzz_decrypt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalert/decrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Both directions' states for (suite, flags); 0 or an error. */
static int init(const struct tlsa_suite *s, uint8_t flags, struct tlsa_cipher_dir *c,
		struct tlsa_cipher_dir *sv)
{
	static const uint16_t versions[8] = {0x0301, 0x0302, 0x0303, 0xfeff,
					     0xfefd, 0x0300, 0x0303, 0x0303};
	uint8_t master[48], cr[32], sr[32];
	memset(master, 0x42, sizeof(master));
	memset(cr, 0x01, sizeof(cr));
	memset(sr, 0x02, sizeof(sr));
	if (s->tls13) {
		int rc = tlsa_dir_init_tls13(c, s->id, master, tlsa_hash_len(s->prf));
		if (rc == 0 && (flags & 0x20))
			rc = tlsa_dir_key_update(c);
		return rc;
	}
	return tlsa_dir_init_tls12(c, sv, versions[flags & 7], s->id, master, cr, sr,
				   (flags & 8) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rec[70000 + 512], out[70000 + 512];
	if (size < 3)
		return 0;
	size_t n;
	const struct tlsa_suite *table = tlsa_suite_table(&n);
	const struct tlsa_suite *s = &table[((size_t)data[0] << 8 | data[1]) % n];
	uint8_t flags = data[2];
	struct tlsa_cipher_dir w[2], r[2];
	memset(w, 0, sizeof(w));
	memset(r, 0, sizeof(r));
	int side = !s->tls13 && (flags & 0x10) ? 1 : 0;
	if (init(s, flags, &w[0], &w[1]) != 0 || init(s, flags, &r[0], &r[1]) != 0)
		goto done;
	data += 3;
	size -= 3;
	for (int i = 0; i < 32 && size >= 4; i++) {
		uint8_t type = data[0];
		size_t pad = data[1] * (s->prot == TLSA_PROT_CBC ? (size_t)8 : 1);
		size_t len = (size_t)data[2] << 8 | data[3];
		data += 4;
		size -= 4;
		if (len > size)
			len = size;
		size_t rl = 0, ol = 0;
		uint8_t t = 0;
		uint64_t seq = w[side].seq;
		int rc = tlsa_dir_encrypt_padded(&w[side], type, data, len, pad, rec, sizeof(rec),
						 &rl, NULL);
		if (rc != 0) {
			if (w[side].seq != seq || rl != 0)
				abort(); /* a refused record counted */
		} else if (tlsa_dir_decrypt(&r[side], rec, rl, out, sizeof(out), &ol, &t, NULL) !=
				   0 ||
			   t != type || ol != len || memcmp(out, data, len) != 0 ||
			   r[side].last_seq != w[side].last_seq) {
			abort(); /* sealed, but does not open to what went in */
		}
		data += len;
		size -= len;
	}
done:
	for (int i = 0; i < 2; i++) {
		tlsa_dir_free(&w[i]);
		tlsa_dir_free(&r[i]);
	}
	return 0;
}
