/*
 * Fuzz target: record decryption under a fixed key, for every suite.
 *
 * Input: bytes 0-1 pick the suite (big-endian index into the suite table,
 * modulo its size: it has more than 256 rows); byte 2 picks the version
 * (bits 0-2: TLS 1.0, 1.1, 1.2, DTLS 1.0, DTLS 1.2, SSL 3.0; ignored for
 * TLS 1.3 suites), Encrypt-then-MAC (bit 3), the
 * server direction (bit 4) and a KeyUpdate before the first record (bit 5).
 * The rest is a run of records, each decrypted in turn until one cannot
 * even be framed.  Key material: master secret 48 x 0x42, client random
 * 32 x 0x01, server random 32 x 0x02; TLS 1.3 traffic secret Hash.length x
 * 0x42 (tests/data/crypto/gen_fuzz_seeds.py makes valid seeds with them).
 */
#include <stdint.h>
#include <string.h>

#include "tlsalert/decrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t versions[8] = {0x0301, 0x0302, 0x0303, 0xfeff,
					     0xfefd, 0x0300, 0x0303, 0x0303};
	static uint8_t out[70000];
	if (size < 3)
		return 0;
	size_t n;
	const struct tlsa_suite *table = tlsa_suite_table(&n);
	const struct tlsa_suite *s = &table[((size_t)data[0] << 8 | data[1]) % n];
	uint8_t flags = data[2];
	uint8_t master[48], cr[32], sr[32], secret[48];
	memset(master, 0x42, sizeof(master));
	memset(secret, 0x42, sizeof(secret));
	memset(cr, 0x01, sizeof(cr));
	memset(sr, 0x02, sizeof(sr));

	struct tlsa_cipher_dir c, sv;
	memset(&c, 0, sizeof(c));
	memset(&sv, 0, sizeof(sv));
	struct tlsa_cipher_dir *d = &c;
	int rc;
	if (s->tls13) {
		rc = tlsa_dir_init_tls13(&c, s->id, secret, tlsa_hash_len(s->prf));
		if (rc == 0 && (flags & 0x20))
			rc = tlsa_dir_key_update(&c);
	} else {
		rc = tlsa_dir_init_tls12(&c, &sv, versions[flags & 7], s->id, master, cr, sr,
					 (flags & 8) != 0);
		if (flags & 0x10)
			d = &sv;
	}
	if (rc != 0)
		goto done;
	data += 3;
	size -= 3;
	for (int i = 0; i < 64 && size > 0; i++) {
		size_t ol = 0;
		uint8_t type = 0;
		struct tlsa_error err;
		rc = tlsa_dir_decrypt(d, data, size, out, sizeof(out), &ol, &type, &err);
		if (rc == TLSA_ETRUNC || rc == TLSA_ELIMIT)
			break;
		if (rc == 0) {
			volatile unsigned sum = type;
			for (size_t k = 0; k < ol; k++)
				sum += out[k];
		}
		size_t hdr = d->dtls ? 13 : 5;
		if (size < hdr)
			break;
		size_t len = hdr + ((size_t)data[hdr - 2] << 8 | data[hdr - 1]);
		if (len > size)
			break;
		data += len;
		size -= len;
	}
done:
	tlsa_dir_free(&c);
	tlsa_dir_free(&sv);
	return 0;
}
