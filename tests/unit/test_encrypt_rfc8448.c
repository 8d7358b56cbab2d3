/*
 * TLS 1.3 sealing against RFC 8448 section 3 (simple 1-RTT handshake,
 * TLS_AES_128_GCM_SHA256): every protected record of the trace, sealed with
 * tlsa_dir_encrypt() from its plaintext at the sequence number the trace
 * implies, must come out byte for byte as the RFC prints it (the records
 * and traffic secrets are the RFC's, transcribed in
 * tests/data/rfc8448/simple-1rtt.txt).  The application data and alert
 * plaintexts are the RFC's, written here; the handshake records' plaintext
 * is taken from opening the RFC's record (its tag proves it).  Then the
 * argument checks, padding, and the sequence numbers' bookkeeping.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hexvec.h"
#include "tlsalert/decrypt.h"

static uint8_t want[2048], plain[2048], got[2048];

static void init(struct tlsa_cipher_dir *d, const char *secret_name)
{
	uint8_t s[32];
	CHECK_INT(rfc8448(secret_name, s, sizeof(s)), 32);
	CHECK_INT(tlsa_dir_init_tls13(d, 0x1301, s, 32), 0);
}

/* Seals n bytes of p as `type` at sequence number seq and compares with the
 * named record of the RFC. */
static void seal_eq(struct tlsa_cipher_dir *d, uint64_t seq, uint8_t type, const uint8_t *p,
		    size_t n, const char *name)
{
	size_t wl = rfc8448(name, want, sizeof(want)), gl = 0;
	struct tlsa_error err = {0};
	CHECK(wl > 5);
	d->seq = seq;
	int rc = tlsa_dir_encrypt(d, type, p, n, got, sizeof(got), &gl, &err);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", name, err.msg);
	CHECK_INT(rc, 0);
	CHECK_INT(gl, wl);
	if (gl != wl || memcmp(got, want, wl) != 0)
		fprintf(stderr, "%s: sealed record differs from the RFC's\n", name);
	CHECK(gl == wl && memcmp(got, want, wl) == 0);
	CHECK_INT(d->seq, seq + 1);
	CHECK_INT(d->last_seq, seq);
}

/* The plaintext of the RFC's record `name`, opened at seq. */
static size_t plaintext_of(struct tlsa_cipher_dir *d, uint64_t seq, const char *name, uint8_t *type)
{
	size_t rl = rfc8448(name, want, sizeof(want)), pl = 0;
	d->seq = seq;
	CHECK_INT(tlsa_dir_decrypt(d, want, rl, plain, sizeof(plain), &pl, type, NULL), 0);
	return pl;
}

int main(void)
{
	struct tlsa_cipher_dir shs = {0}, chs = {0}, sap = {0}, cap = {0};
	uint8_t type = 0;
	/* "{client} send application_data record": payload 00 01 02 .. 31 */
	uint8_t app[50];
	for (int i = 0; i < 50; i++)
		app[i] = (uint8_t)i;
	static const uint8_t close_notify[] = {0x01, 0x00};

	/* server handshake flight (EE .. Finished), server hs key, seq 0 */
	init(&shs, "server_hs_secret");
	size_t pl = plaintext_of(&shs, 0, "server_hs_record", &type);
	CHECK_INT(type, 22);
	CHECK_INT(pl, 657);
	seal_eq(&shs, 0, 22, plain, pl, "server_hs_record");

	/* client Finished, client hs key, seq 0 */
	init(&chs, "client_hs_secret");
	pl = plaintext_of(&chs, 0, "client_fin_record", &type);
	seal_eq(&chs, 0, 22, plain, pl, "client_fin_record");

	/* server: NewSessionTicket (seq 0), data (1), close_notify (2) */
	init(&sap, "server_ap_secret");
	pl = plaintext_of(&sap, 0, "server_nst_record", &type);
	seal_eq(&sap, 0, 22, plain, pl, "server_nst_record");
	seal_eq(&sap, 1, 23, app, sizeof(app), "server_app_record");
	seal_eq(&sap, 2, 21, close_notify, 2, "server_alert_record");

	/* client: data (seq 0), close_notify (1), in a row from a fresh state */
	init(&cap, "client_ap_secret");
	seal_eq(&cap, 0, 23, app, sizeof(app), "client_app_record");
	seal_eq(&cap, 1, 21, close_notify, 2, "client_alert_record");

	/* the wrong sequence number gives another record */
	size_t gl = 0;
	cap.seq = 0;
	CHECK_INT(tlsa_dir_encrypt(&cap, 21, close_notify, 2, got, sizeof(got), &gl, NULL), 0);
	size_t wl = rfc8448("client_alert_record", want, sizeof(want));
	CHECK(gl == wl && memcmp(got, want, 5) == 0 && memcmp(got, want, wl) != 0);

	/* padding: 7 zero bytes after the inner type, opened back to the alert */
	struct tlsa_cipher_dir opener = {0};
	init(&opener, "client_ap_secret");
	cap.seq = 5;
	opener.seq = 5;
	CHECK_INT(
		tlsa_dir_encrypt_padded(&cap, 21, close_notify, 2, 7, got, sizeof(got), &gl, NULL),
		0);
	CHECK_INT(gl, 5 + 2 + 1 + 7 + 16);
	size_t ol = 0;
	CHECK_INT(tlsa_dir_decrypt(&opener, got, gl, plain, sizeof(plain), &ol, &type, NULL), 0);
	CHECK(type == 21 && ol == 2 && plain[0] == 1 && plain[1] == 0);
	/* an empty record of type 23 (allowed for application data) */
	CHECK_INT(tlsa_dir_encrypt(&cap, 23, NULL, 0, got, sizeof(got), &gl, NULL), 0);
	CHECK_INT(gl, 5 + 1 + 16);
	CHECK_INT(tlsa_dir_decrypt(&opener, got, gl, plain, sizeof(plain), &ol, &type, NULL), 0);
	CHECK(type == 23 && ol == 0);

	/* refusals, none of which counts a sequence number */
	struct tlsa_error err = {0};
	uint64_t before = cap.seq;
	CHECK_INT(tlsa_dir_encrypt(&cap, 0, app, 1, got, sizeof(got), &gl, &err), TLSA_EINVAL);
	CHECK(strstr(err.msg, "padding") != NULL);
	CHECK_INT(tlsa_dir_encrypt(&cap, 21, close_notify, 2, got, 5 + 2 + 1 + 15, &gl, &err),
		  TLSA_ELIMIT);
	CHECK_INT(gl, 0);
	CHECK_INT(tlsa_dir_encrypt(&cap, 21, close_notify, 2, got, 5 + 2 + 1 + 16, &gl, &err), 0);
	before++;
	static uint8_t big[70000];
	CHECK_INT(tlsa_dir_encrypt(&cap, 23, big, 65536, big, sizeof(big), &gl, &err), TLSA_ELIMIT);
	CHECK_INT(tlsa_dir_encrypt(&cap, 23, big, 65535 - 17, got, sizeof(got), &gl, &err),
		  TLSA_ELIMIT); /* the buffer */
	CHECK_INT(tlsa_dir_encrypt(&cap, 23, app, 2, got, sizeof(got), NULL, &err), TLSA_EINVAL);
	CHECK_INT(tlsa_dir_encrypt(NULL, 23, app, 2, got, sizeof(got), &gl, &err), TLSA_EINVAL);
	CHECK_INT(cap.seq, before);
	struct tlsa_cipher_dir unset = {0};
	CHECK_INT(tlsa_dir_encrypt(&unset, 23, app, 2, got, sizeof(got), &gl, &err), TLSA_EINVAL);

	tlsa_dir_free(&opener);
	tlsa_dir_free(&shs);
	tlsa_dir_free(&chs);
	tlsa_dir_free(&sap);
	tlsa_dir_free(&cap);
	return CHECK_DONE();
}
