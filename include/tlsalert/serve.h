/*
 * libtlsalert: a TLS peer that sends a chosen alert at a chosen handshake
 * step, and reports how the other side reacts (`tlsalert serve`).
 *
 *   tlsa_serve_step_parse()     "server_hello" ... -> a step (names and aliases)
 *   tlsa_serve_step_check()     may this role use this step under this version?
 *   tlsa_serve_creds_*()        the key and certificate a server presents
 *   tlsa_serve_listen()         a listening socket (loopback unless told)
 *   tlsa_serve_accept()         one connection: handshake, the alert, the reaction
 *   tlsa_serve_connect()        the same as a client, to one server
 *
 * libssl runs the real handshake over memory buffers; every record it writes
 * is framed (and, where protected, opened with its own secrets) before it
 * reaches the socket, so the records up to the step go out as libssl made
 * them, a record holding the step's boundary is cut there (re-framed or
 * re-sealed), and the alert is written in its place, protected with the
 * direction's key at the right sequence number unless `plaintext`.
 * After a warning-level alert other than close_notify the connection goes on:
 * libssl's later records follow the alert (those of the same epoch re-sealed
 * at sequence numbers moved past the alert records), so a peer that accepts
 * warnings completes the handshake.  After any other alert nothing more of
 * libssl's goes out.  Either way the peer's bytes until it closes, resets or
 * the reaction timeout are its reaction.
 * Only this module (src/lib/net/) opens sockets.
 */
#ifndef TLSALERT_SERVE_H
#define TLSALERT_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/common.h"
#include "tlsalert/hello.h"
#include "tlsalert/probe.h"
#include "tlsalert/reaction.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Where the alert goes.  The names are `scan`'s stage vocabulary (docs/scan.md):
 * the stage `scan` reports for the alert in a capture of the connection.
 * The table in docs/serve.md says what each means per role and version.
 */
typedef enum tlsa_serve_step {
	TLSA_STEP_CLIENT_HELLO,	       /* server: instead of the ServerHello; client: instead
					  of the ClientHello */
	TLSA_STEP_SERVER_HELLO,	       /* after the ServerHello (TLS 1.3: and its CCS) */
	TLSA_STEP_SERVER_CERTIFICATE,  /* after the server's Certificate */
	TLSA_STEP_SERVER_KEY_EXCHANGE, /* after ServerKeyExchange (TLS 1.3: CertificateVerify) */
	TLSA_STEP_CERTIFICATE_REQUEST, /* after CertificateRequest (request_client_cert) */
	TLSA_STEP_SERVER_HELLO_DONE,   /* server: after its whole flight (TLS 1.3: its
					  Finished); client: on that flight, instead of its
					  second flight.  Alias "server_flight". */
	TLSA_STEP_CLIENT_CERTIFICATE,  /* server: on the client's second flight, instead of
					  answering it; client: after its own Certificate */
	TLSA_STEP_CLIENT_KEY_EXCHANGE, /* client, TLS 1.2: after its ClientKeyExchange */
	TLSA_STEP_CHANGE_CIPHER_SPEC,  /* TLS 1.2: after the sender's own CCS, sealed under
					  the new keys at sequence number 0 */
	TLSA_STEP_FINISHED,	       /* the handshake complete, before any data */
	TLSA_STEP_APPLICATION_DATA,    /* server: on the peer's first data, instead of the
					  answer; client: after its request */
	TLSA_STEP_MID_RESPONSE,	       /* server: after half of the answer */
	TLSA_STEP_CLOSING,	       /* instead of close_notify, after the answer */
	TLSA_STEP_COUNT
} tlsa_serve_step;

/* "server_hello" ... (static); "?" out of range. */
const char *tlsa_serve_step_name(tlsa_serve_step s);
/* A step by name or alias ("server_flight", "ccs", "hello", "close", "data", dashes for
 * underscores, any case): 0, or TLSA_EINVAL. */
int tlsa_serve_step_parse(const char *name, tlsa_serve_step *out);
/* NULL when the role may use the step under `version` (0x0303, 0x0304, 0xfefd), else
 * the reason it may not (static, one sentence). */
const char *tlsa_serve_step_check(tlsa_serve_step s, bool client_role, uint16_t version);

/* How the alert is written: enum tlsa_serve_shape, in tlsalert/reaction.h. */

#define TLSA_SERVE_REPEAT_MAX 16

/* "normal" ... (static); "?" out of range. */
const char *tlsa_serve_shape_name(tlsa_serve_shape s);
/* "normal", "fragmented", "split", "double", "empty", "coalesced", "repeat=N" (N 1..16):
 * 0 with *shape and *repeat (1 unless repeat=N), or TLSA_EINVAL with the reason. */
int tlsa_serve_shape_parse(const char *text, tlsa_serve_shape *shape, unsigned *repeat,
			   struct tlsa_error *err);

struct tlsa_serve_alert {
	uint8_t level; /* 1 warning, 2 fatal, or any byte */
	uint8_t code;  /* any byte */
	tlsa_serve_shape shape;
	unsigned repeat; /* TLSA_SHAPE_REPEAT: 1..16 (0: 1) */
	bool plaintext;	 /* unprotected even where the epoch is protected */
};

/*
 * The key and certificate a server (or a client asked for one) presents.
 * Made once, used by any number of connections (read only: threads may share it).
 */
struct tlsa_serve_creds;
/* A fresh EC P-256 key and a self-signed certificate for `name` (a DNS name, or an IP
 * address: the subjectAltName says which), valid from an hour ago for `days` (0: 7). */
int tlsa_serve_creds_self_signed(const char *name, unsigned days, struct tlsa_serve_creds **out,
				 struct tlsa_error *err);
/* A certificate chain (PEM, leaf first) and its private key (PEM; NULL: in cert_file). */
int tlsa_serve_creds_load(const char *cert_file, const char *key_file,
			  struct tlsa_serve_creds **out, struct tlsa_error *err);
/* The PEM of the certificate a client must trust (--ca-out): the self-signed leaf, or the
 * last certificate of a loaded chain.  Owned by c, *len bytes, NUL-terminated. */
const char *tlsa_serve_creds_ca_pem(const struct tlsa_serve_creds *c, size_t *len);
void tlsa_serve_creds_free(struct tlsa_serve_creds *c);

#define TLSA_SERVE_VERSION_TLS12  0x0303
#define TLSA_SERVE_VERSION_TLS13  0x0304
#define TLSA_SERVE_VERSION_DTLS12 0xfefd

struct tlsa_serve_opts {
	size_t sz;
	bool client_role; /* tlsa_serve_connect sets it */
	uint16_t version; /* 0x0303, 0x0304 or 0xfefd; 0: 0x0304 */
	tlsa_serve_step step;
	struct tlsa_serve_alert alert;
	const struct tlsa_serve_creds *creds; /* server: required; client: for a request */
	const char *alpn;		      /* comma-separated protocols (server: accepted,
						 the client's first one that matches wins;
						 client: offered), or NULL */
	bool request_client_cert;	      /* server: CertificateRequest (any cert accepted) */
	const char *sni;		      /* client: the name sent, or NULL */
	unsigned handshake_timeout_ms;	      /* 0: 10000 */
	unsigned reaction_timeout_ms;	      /* how long to watch after the alert; 0: 3000 */
	/* Evidence (--capture-out, --keylog-out); each may be NULL. */
	void *ctx;
	tlsa_probe_wire_fn on_wire;	/* dir 0: bytes we send, 1: bytes the peer sends */
	tlsa_probe_secret_fn on_secret; /* libssl's key log lines */
};

struct tlsa_serve_result {
	bool reached;		      /* the handshake got to the step */
	bool alert_sent;	      /* the alert went out */
	bool alert_encrypted;	      /* protected on the wire */
	uint16_t version, suite;      /* negotiated (0 if not yet) */
	char sni[256];		      /* the name the client asked for */
	char alpn[64];		      /* the protocol chosen, "" if none */
	struct tlsa_hs_facts hs;      /* the two hellos as `scan` reads them */
	uint16_t max_version_offered; /* the client's highest offered version (fallback
					 detection across connections) */
	uint64_t alert_seq;	      /* sequence number the (first) alert record was sealed with */
	unsigned alert_records;	      /* records the alert shape took */
	bool continued; /* a warning (level 1, not close_notify): the handshake and the data went
			   on after it, as a peer that ignores warnings expects */
	bool completed; /* the handshake completed (after the alert, when continued) */
	struct tlsa_serve_reaction reaction; /* what the peer did after the alert, judged
						(tlsalert/reaction.h) */
	struct tlsa_probe_addr local, remote;
	int peer_level, peer_code; /* the peer's own alert before the step (it refused the
				      handshake, or ours came after its answer), -1 none */
	char detail[160];	   /* why the step was not reached, or "" */
	unsigned elapsed_ms;
};

/* A listening TCP socket.  "127.0.0.1:4433", "[::1]:0" (0: any free port), "localhost:N". */
struct tlsa_serve_listener;
int tlsa_serve_listen(const char *addr_port, struct tlsa_serve_listener **out,
		      struct tlsa_error *err);
/* The port it listens on (the one the system chose for port 0). */
uint16_t tlsa_serve_port(const struct tlsa_serve_listener *l);
/* The same on UDP, for DTLS 1.2 (version 0xfefd): one peer at a time, the first datagram
 * of a new peer starts its connection.  The DTLS subset: the server role; no shape split
 * (a datagram is not split); after a warning nothing more goes out (no carrying on). */
int tlsa_serve_listen_dtls(const char *addr_port, struct tlsa_serve_listener **out,
			   struct tlsa_error *err);
void tlsa_serve_listener_free(struct tlsa_serve_listener *l);

/*
 * One connection: waits for a client (at most accept_timeout_ms; 0: for ever),
 * runs the handshake as a server to the step, sends the alert, watches the
 * reaction.  The listener keeps libssl's configuration for the last opts and
 * creds it saw, so a run of connections with the same ones sets it up once.
 * Network events (timeouts, a peer that leaves early) are in *r, not errors:
 * the return value is < 0 only for bad options, no client in time (TLSA_EIO,
 * "no connection"), or a failure of libssl itself.
 */
int tlsa_serve_accept(struct tlsa_serve_listener *l, unsigned accept_timeout_ms,
		      const struct tlsa_serve_opts *o, struct tlsa_serve_result *r,
		      struct tlsa_error *err);

/* The same as a client: connects to a (the caller resolved it once). */
int tlsa_serve_connect(const struct tlsa_probe_addr *a, const struct tlsa_serve_opts *o,
		       struct tlsa_serve_result *r, struct tlsa_error *err);

#ifdef __cplusplus
}
#endif

#endif
