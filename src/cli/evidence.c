/*
 * Evidence of `probe` and `serve`: --keylog-out writes the secrets a
 * connection's keys come from (probe: the TLS 1.3 handshake secrets of its own
 * hellos, libssl's key log; serve: libssl's key log), and --capture-out writes
 * every connection as a pcapng file: a Decryption Secrets Block with the
 * connection's secrets, then its packets (raw IPv4 or IPv6; TCP: the
 * handshake, the bytes as they went each way, the closing FINs; UDP: one
 * datagram per write), so that `tlsalert scan` and Wireshark read the same
 * alerts, decrypted.  A connection's bytes are kept until it ends (at most
 * CONN_MAX).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "evidence.h"

#define CONN_MAX   (2u << 20) /* bytes of one connection kept for the capture */
#define SEGS_MAX   4096	      /* segments of one connection */
#define SECRET_MAX 8192	      /* bytes of key log lines of one connection */

struct seg {
	int dir;
	size_t off, len; /* in bytes[] */
	struct timeval tv;
};

struct evidence {
	FILE *pcap, *keylog;
	uint8_t *bytes; /* this connection's bytes, both directions, in order */
	size_t n;
	struct seg segs[SEGS_MAX];
	size_t nsegs;
	char secrets[SECRET_MAX];
	size_t nsecrets;
	bool cut;    /* the connection passed a limit: the rest is not in the capture */
	bool failed; /* a write failed */
	uint16_t ipid;
	uint8_t pkt[40 + 20 + 65536]; /* one packet being written */
};

/* ------------------------------------------------------------ pcapng */

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* One block: type, body (padded to 4), and the length before and after it. */
static void block(struct evidence *e, uint32_t type, const uint8_t *head, size_t hlen,
		  const uint8_t *body, size_t blen)
{
	static const uint8_t zero[4];
	uint8_t w[8];
	size_t pad = (4 - blen % 4) % 4;
	uint32_t total = (uint32_t)(12 + hlen + blen + pad);
	put_le32(w, type);
	put_le32(w + 4, total);
	if (fwrite(w, 1, 8, e->pcap) != 8 || fwrite(head, 1, hlen, e->pcap) != hlen ||
	    (blen > 0 && fwrite(body, 1, blen, e->pcap) != blen) ||
	    (pad > 0 && fwrite(zero, 1, pad, e->pcap) != pad) || fwrite(w + 4, 1, 4, e->pcap) != 4)
		e->failed = true;
}

static void header_blocks(struct evidence *e)
{
	uint8_t shb[16], idb[8];
	put_le32(shb, 0x1a2b3c4d); /* byte-order magic */
	put_le16(shb + 4, 1);
	put_le16(shb + 6, 0);
	memset(shb + 8, 0xff, 8); /* section length unknown */
	block(e, 0x0a0d0d0a, shb, sizeof(shb), NULL, 0);
	put_le16(idb, 101); /* LINKTYPE_RAW: IPv4 or IPv6 */
	put_le16(idb + 2, 0);
	put_le32(idb + 4, 0); /* no snapshot length */
	block(e, 1, idb, sizeof(idb), NULL, 0);
}

/* ------------------------------------------------------------ packets */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The IP header of a packet of `len` transport bytes (protocol 6 or 17). */
static size_t ip_header(struct evidence *e, const struct tlsa_probe_addr *from,
			const struct tlsa_probe_addr *to, uint8_t proto, size_t len)
{
	uint8_t *pkt = e->pkt;
	bool v6 = from->family == AF_INET6;
	size_t ip = v6 ? 40 : 20, total = ip + len;
	memset(pkt, 0, ip);
	if (v6) {
		pkt[0] = 0x60;
		pkt[4] = (uint8_t)(len >> 8);
		pkt[5] = (uint8_t)len;
		pkt[6] = proto;
		pkt[7] = 64;
		memcpy(pkt + 8, from->addr, 16);
		memcpy(pkt + 24, to->addr, 16);
	} else {
		pkt[0] = 0x45;
		pkt[2] = (uint8_t)(total >> 8);
		pkt[3] = (uint8_t)total;
		pkt[4] = (uint8_t)(e->ipid >> 8);
		pkt[5] = (uint8_t)e->ipid++;
		pkt[6] = 0x40; /* don't fragment */
		pkt[8] = 64;
		pkt[9] = proto;
		memcpy(pkt + 12, from->addr, 4);
		memcpy(pkt + 16, to->addr, 4);
		uint16_t c = fold(sum16(pkt, 20, 0));
		pkt[10] = (uint8_t)(c >> 8);
		pkt[11] = (uint8_t)c;
	}
	return ip;
}

/* The transport checksum (over the pseudo-header, then the header and data at
 * pkt + ip) written at `at`, and the packet in an Enhanced Packet Block. */
static void finish(struct evidence *e, bool v6, size_t ip, uint8_t proto, size_t tlen, size_t at,
		   const struct timeval *tv)
{
	uint8_t *pkt = e->pkt, *t = pkt + ip, epb[20];
	size_t total = ip + tlen;
	uint32_t s = v6 ? sum16(pkt + 8, 32, 0) : sum16(pkt + 12, 8, 0);
	s += proto + (uint32_t)tlen;
	uint16_t c = fold(sum16(t, tlen, s));
	if (proto == 17 && c == 0)
		c = 0xffff; /* UDP: 0 means "no checksum" */
	t[at] = (uint8_t)(c >> 8);
	t[at + 1] = (uint8_t)c;
	uint64_t us = (uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec;
	put_le32(epb, 0);
	put_le32(epb + 4, (uint32_t)(us >> 32));
	put_le32(epb + 8, (uint32_t)us);
	put_le32(epb + 12, (uint32_t)total);
	put_le32(epb + 16, (uint32_t)total);
	block(e, 6, epb, sizeof(epb), pkt, total);
}

/* One TCP segment from `from` to `to` as a raw IP packet in an Enhanced Packet Block. */
static void packet(struct evidence *e, const struct tlsa_probe_addr *from,
		   const struct tlsa_probe_addr *to, uint32_t seq, uint32_t ack, uint8_t flags,
		   const uint8_t *data, size_t len, const struct timeval *tv)
{
	size_t tcp = 20;
	if (len > 65535 - 60)
		return;
	size_t ip = ip_header(e, from, to, 6, tcp + len);
	uint8_t *t = e->pkt + ip;
	memset(t, 0, tcp);
	t[0] = (uint8_t)(from->port >> 8);
	t[1] = (uint8_t)from->port;
	t[2] = (uint8_t)(to->port >> 8);
	t[3] = (uint8_t)to->port;
	t[4] = (uint8_t)(seq >> 24), t[5] = (uint8_t)(seq >> 16), t[6] = (uint8_t)(seq >> 8);
	t[7] = (uint8_t)seq;
	t[8] = (uint8_t)(ack >> 24), t[9] = (uint8_t)(ack >> 16), t[10] = (uint8_t)(ack >> 8);
	t[11] = (uint8_t)ack;
	t[12] = 5 << 4;
	t[13] = flags;
	t[14] = 0xff;
	t[15] = 0xff;
	if (len > 0)
		memcpy(t + tcp, data, len);
	finish(e, from->family == AF_INET6, ip, 6, tcp + len, 16, tv);
}

/* One UDP datagram (DTLS) from `from` to `to`. */
static void datagram(struct evidence *e, const struct tlsa_probe_addr *from,
		     const struct tlsa_probe_addr *to, const uint8_t *data, size_t len,
		     const struct timeval *tv)
{
	size_t udp = 8;
	if (len > 65535 - 48)
		return;
	size_t ip = ip_header(e, from, to, 17, udp + len);
	uint8_t *t = e->pkt + ip;
	memset(t, 0, udp);
	t[0] = (uint8_t)(from->port >> 8);
	t[1] = (uint8_t)from->port;
	t[2] = (uint8_t)(to->port >> 8);
	t[3] = (uint8_t)to->port;
	t[4] = (uint8_t)((udp + len) >> 8);
	t[5] = (uint8_t)(udp + len);
	if (len > 0)
		memcpy(t + udp, data, len);
	finish(e, from->family == AF_INET6, ip, 17, udp + len, 6, tv);
}

enum { FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10 };

/* A DTLS connection as packets: one datagram per write. */
static void write_udp(struct evidence *e, const struct tlsa_probe_addr *cl,
		      const struct tlsa_probe_addr *sv)
{
	for (size_t i = 0; i < e->nsegs; i++) {
		const struct seg *g = &e->segs[i];
		if (g->dir == 0)
			datagram(e, cl, sv, e->bytes + g->off, g->len, &g->tv);
		else
			datagram(e, sv, cl, e->bytes + g->off, g->len, &g->tv);
	}
}

/* The connection as packets: handshake, data each way, FINs. */
static void write_conn(struct evidence *e, const struct tlsa_probe_addr *cl,
		       const struct tlsa_probe_addr *sv)
{
	uint32_t cseq = 1000, sseq = 5000;
	struct timeval tv;
	if (e->nsegs > 0)
		tv = e->segs[0].tv;
	else
		gettimeofday(&tv, NULL);
	packet(e, cl, sv, cseq++, 0, SYN, NULL, 0, &tv);
	packet(e, sv, cl, sseq++, cseq, SYN | ACK, NULL, 0, &tv);
	packet(e, cl, sv, cseq, sseq, ACK, NULL, 0, &tv);
	for (size_t i = 0; i < e->nsegs; i++) {
		const struct seg *g = &e->segs[i];
		const uint8_t *p = e->bytes + g->off;
		if (g->dir == 0) {
			packet(e, cl, sv, cseq, sseq, PSH | ACK, p, g->len, &g->tv);
			cseq += (uint32_t)g->len;
		} else {
			packet(e, sv, cl, sseq, cseq, PSH | ACK, p, g->len, &g->tv);
			sseq += (uint32_t)g->len;
		}
		tv = g->tv;
	}
	packet(e, cl, sv, cseq++, sseq, FIN | ACK, NULL, 0, &tv);
	packet(e, sv, cl, sseq++, cseq, FIN | ACK, NULL, 0, &tv);
	packet(e, cl, sv, cseq, sseq, ACK, NULL, 0, &tv);
}

/* ------------------------------------------------------------ interface */

struct evidence *evidence_open(struct cli *c, const char *pcap_path, const char *keylog_path)
{
	struct evidence *e = calloc(1, sizeof(*e));
	if (e == NULL) {
		cli_fail(c, "out of memory");
		return NULL;
	}
	e->bytes = malloc(CONN_MAX);
	if (e->bytes == NULL) {
		free(e);
		cli_fail(c, "out of memory");
		return NULL;
	}
	if (pcap_path != NULL && (e->pcap = fopen(pcap_path, "wb")) == NULL) {
		cli_fail(c, "--capture-out %s: %s", pcap_path, strerror(errno));
		evidence_close(c, e);
		return NULL;
	}
	if (keylog_path != NULL && (e->keylog = fopen(keylog_path, "a")) == NULL) {
		cli_fail(c, "--keylog-out %s: %s", keylog_path, strerror(errno));
		evidence_close(c, e);
		return NULL;
	}
	if (e->pcap != NULL)
		header_blocks(e);
	return e;
}

void evidence_wire(void *ctx, int dir, const uint8_t *p, size_t n)
{
	struct evidence *e = ctx;
	if (e->pcap == NULL || e->cut)
		return;
	if (n > CONN_MAX - e->n || e->nsegs == SEGS_MAX) {
		e->cut = true;
		return;
	}
	struct seg *g = &e->segs[e->nsegs++];
	g->dir = dir;
	g->off = e->n;
	g->len = n;
	gettimeofday(&g->tv, NULL);
	memcpy(e->bytes + e->n, p, n);
	e->n += n;
}

void evidence_secret(void *ctx, const char *line)
{
	struct evidence *e = ctx;
	size_t n = strlen(line);
	if (e->keylog != NULL && fprintf(e->keylog, "%s\n", line) < 0)
		e->failed = true;
	if (e->pcap != NULL && n + 1 <= SECRET_MAX - e->nsecrets) {
		memcpy(e->secrets + e->nsecrets, line, n);
		e->secrets[e->nsecrets + n] = '\n';
		e->nsecrets += n + 1;
	}
}

void evidence_conn(struct evidence *e, const struct tlsa_probe_addr *client,
		   const struct tlsa_probe_addr *server, bool udp)
{
	if (e->pcap != NULL && client->port != 0 && server->port != 0) {
		if (e->nsecrets > 0) {
			uint8_t head[8];
			put_le32(head, 0x544c534b); /* "TLSK": an NSS key log */
			put_le32(head + 4, (uint32_t)e->nsecrets);
			block(e, 0x0000000a, head, sizeof(head), (const uint8_t *)e->secrets,
			      e->nsecrets);
		}
		if (udp)
			write_udp(e, client, server);
		else
			write_conn(e, client, server);
	}
	e->n = e->nsegs = e->nsecrets = 0;
	e->cut = false;
}

int evidence_close(struct cli *c, struct evidence *e)
{
	int rc = 0;
	if (e == NULL)
		return 0;
	if (e->pcap != NULL && (fclose(e->pcap) != 0 || e->failed))
		rc = cli_fail(c, "--capture-out: a write failed: %s", strerror(errno));
	if (e->keylog != NULL && (fclose(e->keylog) != 0 || e->failed) && rc == 0)
		rc = cli_fail(c, "--keylog-out: a write failed: %s", strerror(errno));
	free(e->bytes);
	free(e);
	return rc;
}
