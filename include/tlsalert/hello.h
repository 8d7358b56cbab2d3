/*
 * libtlsalert: ClientHello / ServerHello parsing into handshake facts.
 *
 * The wire layer of the session tracker (tlsalert/session.h): what the
 * hellos of a connection said, read from handshake message bodies the caller
 * has already framed.  The stack guesses of tlsalert/fingerprint.h read the
 * same facts.
 */
#ifndef TLSALERT_HELLO_H
#define TLSALERT_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Who sent something. */
typedef enum tlsa_role { TLSA_ROLE_UNKNOWN, TLSA_ROLE_CLIENT, TLSA_ROLE_SERVER } tlsa_role;

/* "unknown", "client", "server". */
const char *tlsa_role_name(tlsa_role r);

#define TLSA_HS_MAX_LIST   64 /* list entries kept; counts go on */
#define TLSA_HS_MAX_EXT	   32 /* ClientHello extension types kept */
#define TLSA_HS_MAX_SH_EXT 12 /* ServerHello extension types kept */

/* What the handshake told about a connection, as far as it was visible. */
struct tlsa_hs_facts {
	bool client_hello;	       /* a ClientHello was parsed */
	bool server_hello;	       /* a ServerHello was parsed */
	bool hello_retry;	       /* the server sent a HelloRetryRequest */
	uint16_t client_version;       /* ClientHello legacy_version */
	uint16_t versions_offered[16]; /* supported_versions, or {client_version} */
	size_t n_versions_offered;
	uint16_t version_selected;	   /* ServerHello (supported_versions wins); 0 = none */
	uint16_t suites[TLSA_HS_MAX_LIST]; /* offered cipher suites */
	size_t n_suites;		   /* how many were offered (may exceed the list) */
	uint16_t suite_selected;
	bool suite_selected_set;
	uint16_t groups[TLSA_HS_MAX_LIST]; /* supported_groups */
	size_t n_groups;
	uint16_t key_share_group;	    /* group of the server's key share (or HRR request) */
	uint16_t sigalgs[TLSA_HS_MAX_LIST]; /* signature_algorithms offered */
	size_t n_sigalgs;
	char sni[256];		/* server_name (host_name), printable ASCII only */
	char alpn_offered[256]; /* comma-separated ALPN protocols offered */
	char alpn_selected[64];
	bool fallback_scsv;	    /* TLS_FALLBACK_SCSV offered */
	bool client_cert_requested; /* CertificateRequest seen (TLS <= 1.2, or DTLS) */
	int client_cert_sent;	    /* -1 unknown, 0 empty Certificate, 1 with certificates */
	int server_certs;	    /* certificates in the server's chain, -1 unseen */
	uint8_t client_random[32];  /* for decryption: key logs are keyed by it */
	uint8_t server_random[32];
	uint8_t session_id_len;
	bool key_share_invalid; /* a ClientHello key share whose size does not fit its group */
	/* The shape of the hellos, for tlsa_stack_guess() (tlsalert/fingerprint.h).  GREASE
	 * values (RFC 8701, 0x?a?a) are kept as 0x0a0a. */
	uint16_t ch_exts[TLSA_HS_MAX_EXT];    /* ClientHello extension types, in order */
	uint16_t n_ch_exts;		      /* how many (may exceed the list) */
	uint16_t sh_exts[TLSA_HS_MAX_SH_EXT]; /* ServerHello extension types, in order */
	uint16_t n_sh_exts;
	uint16_t ks_groups[4];	      /* groups of the ClientHello key shares */
	uint8_t n_ks_groups;	      /* how many (saturates at 255) */
	uint8_t n_compression;	      /* ClientHello compression methods */
	uint8_t psk_modes;	      /* psk_key_exchange_modes: bit 0 psk_ke, bit 1 psk_dhe_ke */
	uint8_t sh_session_id_len;    /* ServerHello legacy_session_id length */
	uint8_t compression_selected; /* ServerHello compression method: 0 null, 1 DEFLATE */
	bool grease;		   /* GREASE in the ClientHello (suites, extensions, groups...) */
	bool ch_padding;	   /* ClientHello padding extension (21) */
	bool ch_record_size_limit; /* ClientHello record_size_limit extension (28) */
	/* tlsa_stack_guess() of each side, made once by the hello parsers below
	 * (static stack tokens, NULL without a guess) */
	const char *client_stack, *server_stack;
};

/* Initial values: everything unseen. */
void tlsa_hs_facts_init(struct tlsa_hs_facts *hs);

/*
 * Hello parsing (also used by the tracker).  `body` is one handshake
 * message body (after the 4-byte header; for DTLS after the 12-byte one).
 * Fills the matching fields of `hs`, and the stack guess of that side from
 * what was read; returns 0 or TLSA_EINVAL/TLSA_ETRUNC with `err` naming the
 * offset within `body`.
 */
int tlsa_parse_client_hello(const uint8_t *body, size_t len, bool dtls, struct tlsa_hs_facts *hs,
			    struct tlsa_error *err);
int tlsa_parse_server_hello(const uint8_t *body, size_t len, bool dtls, struct tlsa_hs_facts *hs,
			    struct tlsa_error *err);

/*
 * An SSL 2.0-format CLIENT-HELLO (what old clients send to offer SSL 3.0 /
 * TLS 1.0+ compatibly): `rec` is the whole record with its 2-byte header.
 * Fills the version, suites (2-byte values of the 3-byte cipher specs whose
 * first byte is 0) and the random (the challenge, right-aligned in 32 bytes).
 */
int tlsa_parse_sslv2_client_hello(const uint8_t *rec, size_t len, struct tlsa_hs_facts *hs,
				  struct tlsa_error *err);

/* True when the random of a ServerHello marks it as a HelloRetryRequest. */
bool tlsa_is_hello_retry_random(const uint8_t random[32]);

#ifdef __cplusplus
}
#endif

#endif
