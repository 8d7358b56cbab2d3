/*
 * Sockets for `serve`: the listener (loopback by default: the caller
 * chooses the address), accepting one connection within a timeout, and
 * reads and writes bounded by a deadline.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_int.h"
#include "serve_int.h"

struct tlsa_serve_listener {
	int fd;
	bool udp;	     /* DTLS */
	uint8_t first[2048]; /* UDP: the datagram that started the connection */
	size_t first_len;
	uint16_t port;
	void *ssl_ctx;	     /* SSL_CTX * made for the options below (serve_conn.c) */
	uint64_t ctx_key[4]; /* what it was made for */
};

/* "host:port", "[v6]:port" -> host (no brackets), port; false if malformed */
static bool split_addr(const char *text, char *host, size_t cap, unsigned long *port)
{
	const char *colon;
	const char *h = text;
	size_t hl;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (close == NULL || close[1] != ':')
			return false;
		h = text + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || strchr(text, ':') != colon)
			return false;
		hl = (size_t)(colon - text);
	}
	if (hl == 0 || hl >= cap || colon[1] < '0' || colon[1] > '9')
		return false;
	char *end;
	*port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || *port > 65535)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	return true;
}

static int listen_on(const char *addr_port, bool udp, struct tlsa_serve_listener **out,
		     struct tlsa_error *err)
{
	char host[256];
	unsigned long port;
	*out = NULL;
	if (addr_port == NULL || !split_addr(addr_port, host, sizeof(host), &port))
		return tlsa_error_set(err, TLSA_EINVAL, 0,
				      "listen on ADDR:PORT or [V6]:PORT, not \"%s\"",
				      addr_port != NULL ? addr_port : "");
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM,
				 .ai_flags = AI_PASSIVE};
	struct addrinfo *res = NULL;
	char ps[8];
	snprintf(ps, sizeof(ps), "%lu", port);
	int rc = getaddrinfo(host, ps, &hints, &res);
	if (rc != 0 || res == NULL)
		return tlsa_error_set(err, TLSA_EIO, 0, "cannot resolve %s: %s", host,
				      rc != 0 ? gai_strerror(rc) : "no address");
	int fd = socket(res->ai_family,
			(udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    (!udp && listen(fd, 64) != 0)) {
		int e = errno;
		freeaddrinfo(res);
		if (fd >= 0)
			close(fd);
		return tlsa_error_set(err, TLSA_EIO, 0, "cannot listen on %s: %s", addr_port,
				      strerror(e));
	}
	freeaddrinfo(res);
	struct tlsa_serve_listener *l = calloc(1, sizeof(*l));
	if (l == NULL) {
		close(fd);
		return tlsa_error_set(err, TLSA_ENOMEM, 0, "out of memory");
	}
	l->fd = fd;
	l->udp = udp;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		l->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
							 : ((struct sockaddr_in *)&ss)->sin_port);
	*out = l;
	return 0;
}

int tlsa_serve_listen(const char *addr_port, struct tlsa_serve_listener **out,
		      struct tlsa_error *err)
{
	return listen_on(addr_port, false, out, err);
}

int tlsa_serve_listen_dtls(const char *addr_port, struct tlsa_serve_listener **out,
			   struct tlsa_error *err)
{
	return listen_on(addr_port, true, out, err);
}

bool serve_listener_udp(const struct tlsa_serve_listener *l)
{
	return l->udp;
}

/*
 * UDP: a datagram holding a ClientHello (a handshake record of epoch 0 whose first
 * message is a ClientHello) starts a connection: a socket of its own, bound to the
 * listener's address (SO_REUSEADDR) and connected to the peer, so the kernel gives it
 * that peer's later datagrams; the datagram itself is kept for the engine.  Other
 * datagrams (a previous peer's late ones) are dropped.  -2: none yet, -1 failed.
 */
static int accept_udp(struct tlsa_serve_listener *l, int wait_ms)
{
	struct sockaddr_storage ss, me;
	socklen_t sl = sizeof(ss), ml = sizeof(me);
	struct pollfd p = {.fd = l->fd, .events = POLLIN};
	if (poll(&p, 1, wait_ms) <= 0)
		return -2;
	ssize_t k = recvfrom(l->fd, l->first, sizeof(l->first), 0, (struct sockaddr *)&ss, &sl);
	const uint8_t *b = l->first;
	if (k < 26 || b[0] != 22 || b[3] != 0 || b[4] != 0 || b[13] != 1)
		return -2;
	l->first_len = (size_t)k;
	int one = 1;
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    getsockname(l->fd, (struct sockaddr *)&me, &ml) != 0 ||
	    bind(fd, (struct sockaddr *)&me, ml) != 0 ||
	    connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

const uint8_t *serve_listener_first(struct tlsa_serve_listener *l, size_t *n)
{
	*n = l->udp ? l->first_len : 0;
	return l->first;
}

void serve_accept_done(struct tlsa_serve_listener *l, int fd)
{
	close(fd);
	l->first_len = 0;
}

uint16_t tlsa_serve_port(const struct tlsa_serve_listener *l)
{
	return l != NULL ? l->port : 0;
}

void tlsa_serve_listener_free(struct tlsa_serve_listener *l)
{
	if (l == NULL)
		return;
	close(l->fd);
	serve_ctx_free(l->ssl_ctx);
	free(l);
}

void **serve_listener_ctx(struct tlsa_serve_listener *l, uint64_t **key)
{
	*key = l->ctx_key;
	return &l->ssl_ctx;
}

int serve_accept_fd(struct tlsa_serve_listener *l, unsigned timeout_ms, struct tlsa_error *err)
{
	uint64_t deadline = net_now_ms() + timeout_ms;
	for (;;) {
		if (l->udp) {
			int wait = 100;
			if (timeout_ms > 0) {
				uint64_t now = net_now_ms();
				if (now >= deadline)
					return tlsa_error_set(err, TLSA_EIO, 0,
							      "no connection within %u ms",
							      timeout_ms);
				wait = (int)(deadline - now);
			}
			int fd = accept_udp(l, wait);
			if (fd >= 0)
				return fd;
			if (fd == -1)
				return tlsa_error_set(err, TLSA_EIO, 0, "connect: %s",
						      strerror(errno));
			continue;
		}
		int fd = accept(l->fd, NULL, NULL);
		if (fd >= 0) {
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			return fd;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			return tlsa_error_set(err, TLSA_EIO, 0, "accept: %s", strerror(errno));
		int wait = -1;
		if (timeout_ms > 0) {
			uint64_t now = net_now_ms();
			if (now >= deadline)
				return tlsa_error_set(err, TLSA_EIO, 0,
						      "no connection within %u ms", timeout_ms);
			wait = (int)(deadline - now);
		}
		struct pollfd p = {.fd = l->fd, .events = POLLIN};
		poll(&p, 1, wait);
	}
}

long serve_recv(int fd, uint8_t *p, size_t cap, uint64_t deadline)
{
	return (long)net_recv(fd, p, cap, deadline, NULL); /* serve taps the bytes itself */
}

int serve_send(int fd, const uint8_t *p, size_t n, uint64_t deadline)
{
	return net_send_all(fd, p, n, deadline, NULL);
}

void serve_ends(int fd, struct tlsa_probe_addr *local, struct tlsa_probe_addr *remote)
{
	struct tlsa_probe_result r;
	memset(&r, 0, sizeof(r));
	net_ends(fd, &r);
	*local = r.local;
	*remote = r.remote;
}
