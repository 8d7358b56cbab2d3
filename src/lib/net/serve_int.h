/*
 * net/serve_*: what the files of `serve` share.  serve_steps.c holds the
 * step and shape vocabulary, serve_creds.c the key and certificate,
 * serve_sock.c the listener, serve_rec.c the record trackers (framing our
 * own and the peer's records, opening the protected ones, sealing),
 * serve_conn.c the run of one connection.
 */
#ifndef TLSA_SERVE_INT_H
#define TLSA_SERVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlsalert/decrypt.h"
#include "tlsalert/serve.h"

/* serve_creds.c: the libssl objects of creds (X509 *, STACK_OF(X509) *, EVP_PKEY *) */
void serve_creds_objects(const struct tlsa_serve_creds *c, void **leaf, void **chain, void **key);

/* serve_sock.c */
/* a connected socket accepted within timeout_ms (0: no limit), non-blocking, or -1 */
int serve_accept_fd(struct tlsa_serve_listener *l, unsigned timeout_ms, struct tlsa_error *err);
/* a UDP listener (DTLS) */
bool serve_listener_udp(const struct tlsa_serve_listener *l);
/* UDP: the datagram that started the connection (n 0 for TCP) */
const uint8_t *serve_listener_first(struct tlsa_serve_listener *l, size_t *n);
/* the connection on fd is over */
void serve_accept_done(struct tlsa_serve_listener *l, int fd);
/* the listener's cached libssl configuration and the key it was made for */
void **serve_listener_ctx(struct tlsa_serve_listener *l, uint64_t **key);
/* bytes from fd by the deadline: > 0, 0 closed, -ETIMEDOUT, -ECONNRESET, -errno */
long serve_recv(int fd, uint8_t *p, size_t cap, uint64_t deadline);
int serve_send(int fd, const uint8_t *p, size_t n, uint64_t deadline);
void serve_ends(int fd, struct tlsa_probe_addr *local, struct tlsa_probe_addr *remote);

/*
 * serve_rec.c: one direction's records.  Keys come from libssl's key log
 * lines (serve_dir_secret); the epoch moves on as the messages go by (TLS
 * 1.3: the ServerHello, each side's Finished; TLS 1.2: each side's CCS).
 */
#define SERVE_SECRET_MAX 48
struct serve_dir {
	bool mine;		  /* our direction (else the peer's) */
	bool client;		  /* the client's direction */
	int epoch;		  /* 0 plaintext, 1 handshake keys (TLS 1.3), 2 traffic keys */
	struct tlsa_cipher_dir d; /* the current epoch's state (epoch > 0) */
	bool keyed;		  /* d is set up */
	uint8_t carry[4];	  /* a handshake header split across records */
	size_t carry_len;
	uint32_t msg_left; /* bytes of the current handshake message still to come */
};

struct serve_keys {
	uint16_t version, suite;
	uint8_t client_random[32], server_random[32];
	bool have_randoms;
	uint8_t hs[2][SERVE_SECRET_MAX], app[2][SERVE_SECRET_MAX]; /* [0] client, [1] server */
	size_t hs_len[2], app_len[2];
	uint8_t master[48];
	bool have_master;
};

/* one key log line into k */
void serve_keys_line(struct serve_keys *k, const char *line);
/* sets up d for `epoch` from k; TLSA_EUNSUPP when the keys are not known yet */
int serve_dir_enter(struct serve_dir *d, const struct serve_keys *k, int epoch);
void serve_dir_free(struct serve_dir *d);

/* Seals one record of `type` over plain[0..n) with d at its sequence number. */
int serve_seal(struct serve_dir *d, uint8_t type, const uint8_t *plain, size_t n, uint8_t *out,
	       size_t cap, size_t *out_len);

/*
 * One connection (serve_conn.c runs it, serve_pump.c moves its records).
 * Buffers are bounded: SERVE_BUF_CAP bytes each way.
 */
#define SERVE_BUF_CAP (64 * 1024)
struct serve_conn {
	const struct tlsa_serve_opts *o;
	struct tlsa_serve_result *r;
	bool client;	       /* we play the client */
	bool dtls;	       /* DTLS 1.2 over UDP: 13-byte record headers, datagrams */
	uint64_t dtls_next[2]; /* DTLS: our next record sequence number in epochs 0 and 1 */
	int fd;
	void *ssl;	   /* SSL * */
	void *rbio, *wbio; /* BIO *: what libssl reads, what it wrote */
	uint64_t deadline; /* the handshake's */
	struct serve_keys keys;
	struct serve_dir mine, peer;
	uint8_t *wout; /* libssl's output not yet framed */
	size_t wout_len;
	uint8_t *tx; /* framed records ready to go out */
	size_t tx_len;
	uint8_t *rin; /* the peer's bytes not yet framed */
	size_t rin_len;
	bool hrr;		   /* the last ServerHello was a HelloRetryRequest */
	bool cut;		   /* the step was reached in our output: tx ends there */
	bool trigger;		   /* the step was reached in the peer's messages */
	bool after_alert;	   /* the peer's records are its reaction */
	bool carry_on;		   /* after a warning: libssl's records go on after the alert */
	unsigned shift;		   /* alert records sealed in our current epoch: libssl's later
				      records there are re-sealed this many numbers on */
	bool overflow;		   /* a buffer cap was hit */
	bool unframed;		   /* the peer's bytes stopped being TLS records */
	int peer_level, peer_code; /* the peer's alert before ours, -1 none */
	/* after the alert: the peer's current and next epoch for the reaction parser */
	struct tlsa_cipher_dir rx[2];
	int rx_epoch[2];      /* 0: none */
	bool rx_ok[2];	      /* set up */
	const uint8_t *first; /* UDP: the first datagram, read by the listener */
	size_t first_len;
	uint8_t *scratch; /* one opened record */
};

/* serve_pump.c */
/* libssl's output into records, moved to tx up to the step's cut: true at the cut */
bool serve_out_pump(struct serve_conn *c);
/* the peer's complete records in rin: parsed, opened, counted (after our alert) */
void serve_in_pump(struct serve_conn *c);
/* appends to c->tx; false over the cap */
bool serve_tx_add(struct serve_conn *c, const uint8_t *p, size_t n);
/* the alert records of the opts' shape into out; *split: where the first segment ends (0:
 * one segment) */
int serve_alert_records(struct serve_conn *c, uint8_t *out, size_t cap, size_t *len, size_t *split);

void serve_ctx_free(void *ctx);

#endif
