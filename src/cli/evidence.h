/*
 * --capture-out and --keylog-out of `probe` and `serve` (evidence.c): every
 * connection's bytes as packets of a pcapng file, with the connection's
 * secrets in a Decryption Secrets Block before them, and the secrets appended
 * to a key log file.
 */
#ifndef TLSA_CLI_EVIDENCE_H
#define TLSA_CLI_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "tlsalert/probe.h"

struct evidence;

/* Opens the files (either path may be NULL); NULL after a message. */
struct evidence *evidence_open(struct cli *c, const char *pcap_path, const char *keylog_path);
/* A tlsa_probe_wire_fn, ctx the evidence: dir 0 from the client, 1 from the server. */
void evidence_wire(void *ctx, int dir, const uint8_t *p, size_t n);
/* A tlsa_probe_secret_fn: one key log line of the current connection. */
void evidence_secret(void *ctx, const char *line);
/* The current connection ended: its secrets and packets (TCP segments, or UDP
 * datagrams when `udp`) are written, between the two addresses. */
void evidence_conn(struct evidence *e, const struct tlsa_probe_addr *client,
		   const struct tlsa_probe_addr *server, bool udp);
/* Closes the files (NULL: nothing); EXIT_ERROR with a message if a write failed. */
int evidence_close(struct cli *c, struct evidence *e);

#endif
