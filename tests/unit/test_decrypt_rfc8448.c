/*
 * TLS 1.3 record protection against RFC 8448 section 3 (simple 1-RTT
 * handshake, TLS_AES_128_GCM_SHA256): every protected record of the trace,
 * decrypted with the direction state made from its traffic secret, with the
 * sequence numbers the trace implies.  Vectors in tests/data/rfc8448/.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"

static uint8_t out[2048], rec[2048];

/* Decrypts the named record with d (at its current sequence number). */
static int open_rec(struct tlsa_cipher_dir *d, const char *name, size_t *ol, uint8_t *type)
{
	size_t rl = rfc8448(name, rec, sizeof(rec));
	struct tlsa_error err = {0};
	CHECK(rl > 5);
	int rc = tlsa_dir_decrypt(d, rec, rl, out, sizeof(out), ol, type, &err);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", name, err.msg);
	return rc;
}

static void init(struct tlsa_cipher_dir *d, const char *secret_name)
{
	uint8_t s[32];
	CHECK_INT(rfc8448(secret_name, s, sizeof(s)), 32);
	CHECK_INT(tlsa_dir_init_tls13(d, 0x1301, s, 32), 0);
}

int main(void)
{
	struct tlsa_cipher_dir shs = {0}, chs = {0}, sap = {0}, cap = {0};
	size_t ol;
	uint8_t type;

	/* server handshake flight: EE, Certificate, CertificateVerify, Finished */
	init(&shs, "server_hs_secret");
	uint8_t key[16];
	CHECK_INT(rfc8448("server_hs_key", key, 16), 16);
	CHECK(memcmp(shs.key, key, 16) == 0);
	CHECK_INT(open_rec(&shs, "server_hs_record", &ol, &type), 0);
	CHECK_INT(type, 22);
	CHECK_INT(ol, 679 - 5 - 16 - 1);
	static const uint8_t ee[] = {0x08, 0x00, 0x00, 0x24, 0x00, 0x22, 0x00, 0x0a};
	CHECK(memcmp(out, ee, sizeof(ee)) == 0);
	CHECK_INT(out[4 + 0x24], 0x0b); /* Certificate follows EncryptedExtensions */
	CHECK_INT(shs.seq, 1);

	/* client Finished under the client handshake secret */
	init(&chs, "client_hs_secret");
	CHECK_INT(open_rec(&chs, "client_fin_record", &ol, &type), 0);
	CHECK_INT(type, 22);
	CHECK_INT(ol, 36);
	CHECK_INT(out[0], 20); /* Finished */

	/* server application traffic: NewSessionTicket, data, close_notify */
	init(&sap, "server_ap_secret");
	CHECK_INT(open_rec(&sap, "server_nst_record", &ol, &type), 0);
	CHECK_INT(type, 22);
	CHECK_INT(out[0], 4); /* NewSessionTicket */
	CHECK_INT(open_rec(&sap, "server_app_record", &ol, &type), 0);
	CHECK_INT(type, 23);
	CHECK_INT(ol, 50);
	int seq_ok = 1;
	for (int i = 0; i < 50; i++)
		seq_ok &= out[i] == i;
	CHECK(seq_ok);
	CHECK_INT(open_rec(&sap, "server_alert_record", &ol, &type), 0);
	CHECK_INT(type, 21);
	CHECK_INT(ol, 2);
	CHECK(out[0] == 1 && out[1] == 0); /* warning close_notify */
	CHECK_INT(sap.seq, 3);

	/* client application traffic: data, close_notify */
	init(&cap, "client_ap_secret");
	CHECK_INT(open_rec(&cap, "client_app_record", &ol, &type), 0);
	CHECK_INT(type, 23);
	CHECK_INT(ol, 50);
	CHECK_INT(open_rec(&cap, "client_alert_record", &ol, &type), 0);
	CHECK_INT(type, 21);
	CHECK(ol == 2 && out[0] == 1 && out[1] == 0);

	/* the wrong sequence number, the wrong direction's key: TLSA_EAUTH */
	cap.seq = 0;
	CHECK_INT(open_rec(&cap, "client_alert_record", &ol, &type), TLSA_EAUTH);
	CHECK_INT(cap.seq, 1); /* the record was counted */
	sap.seq = 1;
	CHECK_INT(open_rec(&sap, "client_alert_record", &ol, &type), TLSA_EAUTH);
	/* handshake key for an application record */
	shs.seq = 1;
	CHECK_INT(open_rec(&shs, "server_alert_record", &ol, &type), TLSA_EAUTH);

	/* a KeyUpdate changes the key: the old record no longer opens */
	cap.seq = 1;
	CHECK_INT(tlsa_dir_key_update(&cap), 0);
	CHECK_INT(cap.seq, 0);
	cap.seq = 1;
	CHECK_INT(open_rec(&cap, "client_alert_record", &ol, &type), TLSA_EAUTH);

	/* header problems: truncated, outer type not 23, output too small */
	struct tlsa_error err = {0};
	size_t rl = rfc8448("server_alert_record", rec, sizeof(rec));
	sap.seq = 2;
	CHECK_INT(tlsa_dir_decrypt(&sap, rec, 4, out, sizeof(out), &ol, &type, &err), TLSA_ETRUNC);
	CHECK_INT(tlsa_dir_decrypt(&sap, rec, rl - 1, out, sizeof(out), &ol, &type, &err),
		  TLSA_ETRUNC);
	CHECK_INT(tlsa_dir_decrypt(&sap, rec, rl, out, 3, &ol, &type, &err), TLSA_ELIMIT);
	CHECK_INT(sap.seq, 2); /* none of those were counted */
	rec[0] = 21;
	CHECK_INT(tlsa_dir_decrypt(&sap, rec, rl, out, sizeof(out), &ol, &type, &err), TLSA_EINVAL);
	CHECK_INT(sap.seq, 2);
	rec[0] = 23;
	CHECK_INT(tlsa_dir_decrypt(&sap, rec, rl, out, sizeof(out), &ol, &type, &err), 0);
	CHECK_INT(type, 21);
	/* a record too short for the tag */
	static const uint8_t tiny[] = {23, 3, 3, 0, 4, 1, 2, 3, 4};
	CHECK_INT(tlsa_dir_decrypt(&sap, tiny, sizeof(tiny), out, sizeof(out), &ol, &type, &err),
		  TLSA_EINVAL);
	CHECK(strstr(err.msg, "too short") != NULL);

	/* init argument checks */
	struct tlsa_cipher_dir bad = {0};
	uint8_t s48[48] = {0};
	CHECK_INT(tlsa_dir_init_tls13(&bad, 0x1301, s48, 48), TLSA_EINVAL); /* wrong length */
	CHECK_INT(tlsa_dir_init_tls13(&bad, 0xc02f, s48, 32), TLSA_EINVAL); /* not TLS 1.3 */
	CHECK_INT(tlsa_dir_init_tls13(&bad, 0x1302, s48, 48), 0);
	CHECK_INT(tlsa_dir_decrypt(NULL, rec, rl, out, sizeof(out), &ol, &type, &err), TLSA_EINVAL);
	tlsa_dir_free(&bad);
	CHECK_INT(tlsa_dir_key_update(&bad), TLSA_EINVAL);

	tlsa_dir_free(&shs);
	tlsa_dir_free(&chs);
	tlsa_dir_free(&sap);
	tlsa_dir_free(&cap);
	return CHECK_DONE();
}
