/*
 * net/: what its files share.  sock.c holds the socket calls, keys.c the key
 * shares and the TLS 1.3 handshake secret, hello_enc.c the ClientHello
 * encoder, answer.c the reader of the server's answer, probe.c the catalogue
 * and the run of one probe, starttls.c the plain-text upgrade requests.
 */
#ifndef TLSA_NET_INT_H
#define TLSA_NET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tlsalert/decrypt.h"
#include "tlsalert/probe.h"

/* sock.c */
uint64_t net_now_ms(void);
int net_connect(const struct tlsa_probe_addr *a, unsigned timeout_ms, struct tlsa_probe_result *r);
/* o (may be NULL) taps the bytes: o->on_wire */
int net_send_all(int fd, const uint8_t *p, size_t n, uint64_t deadline,
		 const struct tlsa_probe_opts *o);
ssize_t net_recv(int fd, uint8_t *p, size_t cap, uint64_t deadline,
		 const struct tlsa_probe_opts *o);
/* the two ends of a connected socket into r->local, r->remote */
void net_ends(int fd, struct tlsa_probe_result *r);
void net_close(int fd);

/* keys.c: the public value of the share of `group` (NULL, 0 if none) */
const uint8_t *net_keys_public(const struct tlsa_probe_keys *k, uint16_t group, size_t *len);
/* The size of a key share's public value for a group, 0 if the probe has none for it. */
size_t net_share_len(uint16_t group);
/*
 * The server handshake traffic secret of TLS 1.3 from the server's key share
 * and the transcript (ClientHello and ServerHello messages): out[0..*out_len).
 * TLSA_EUNSUPP when the probe holds no share of that group.
 */
int net_server_hs_secret(const struct tlsa_probe_keys *k, uint16_t group, const uint8_t *share,
			 size_t share_len, tlsa_hash h, const uint8_t *transcript, size_t tlen,
			 uint8_t out[48], size_t *out_len, struct tlsa_error *err);

/* tls_full.c: a libssl probe (p->kind != TLSA_KIND_HELLO) on the connected fd */
void net_full_handshake(int fd, const struct tlsa_probe_target *t, const struct tlsa_probe_def *p,
			const struct tlsa_probe_opts *o, unsigned timeout_ms,
			struct tlsa_probe_result *r);

/* starttls.c: the plain-text exchange before TLS; 0 or a reason in r->detail */
int net_starttls(int fd, const char *proto, const char *host, uint64_t deadline,
		 const struct tlsa_probe_opts *o, struct tlsa_probe_result *r);

/* The step `scan` names after a server handshake message of this type, or NULL. */
const char *net_server_step(unsigned type);

/* answer.c: the server's answer to hello[0..hlen) (the record), fed as it comes;
 * feed returns true once the outcome is decided (r->outcome) */
struct answer;
struct answer *net_answer_new(const uint8_t *hello, size_t hlen, const struct tlsa_probe_keys *k,
			      struct tlsa_probe_result *r);
/* o->on_secret hears the TLS 1.3 handshake secrets the answer reader derives (o may be NULL) */
void net_answer_tap(struct answer *a, const struct tlsa_probe_opts *o);
bool net_answer_feed(struct answer *a, const uint8_t *p, size_t n);
void net_answer_free(struct answer *a);
/* ... read from fd until decided, closed, reset or the deadline */
void net_read_answer(int fd, const uint8_t *hello, size_t hlen, const struct tlsa_probe_keys *k,
		     uint64_t deadline, const struct tlsa_probe_opts *o,
		     struct tlsa_probe_result *r);

#endif
