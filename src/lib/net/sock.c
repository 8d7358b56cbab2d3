/*
 * Sockets for `probe`: one resolution, then connections to that pinned
 * address with a connect timeout, and reads bounded by a deadline.  The only
 * file of the library that calls socket(), connect() or getaddrinfo().
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
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net_int.h"

int tlsa_probe_resolve(const struct tlsa_probe_target *t, struct tlsa_probe_addr *out,
		       struct tlsa_error *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	memset(out, 0, sizeof(*out));
	if (t->host_is_address)
		hints.ai_flags = AI_NUMERICHOST;
	int rc = getaddrinfo(t->host, NULL, &hints, &res);
	if (rc != 0 || res == NULL)
		return tlsa_error_set(err, TLSA_EIO, 0, "cannot resolve %s: %s", t->host,
				      rc != 0 ? gai_strerror(rc) : "no address");
	/* the first answer, pinned: every probe goes to the same address */
	/* copied out, not cast: ai_addr's alignment is only that of struct sockaddr */
	if (res->ai_family == AF_INET && res->ai_addrlen >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in a;
		memcpy(&a, res->ai_addr, sizeof(a));
		memcpy(out->addr, &a.sin_addr, 4);
	} else if (res->ai_family == AF_INET6 && res->ai_addrlen >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 a;
		memcpy(&a, res->ai_addr, sizeof(a));
		memcpy(out->addr, &a.sin6_addr, 16);
	} else {
		freeaddrinfo(res);
		return tlsa_error_set(err, TLSA_EIO, 0,
				      "cannot resolve %s: no IPv4 or IPv6 address", t->host);
	}
	out->family = res->ai_family;
	out->port = t->port;
	freeaddrinfo(res);
	inet_ntop(out->family, out->addr, out->text, sizeof(out->text));
	return 0;
}

uint64_t net_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A connected socket, or -1 with r->outcome/detail set. */
int net_connect(const struct tlsa_probe_addr *a, unsigned timeout_ms, struct tlsa_probe_result *r)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->addr, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->addr, 16);
		sl = sizeof(*s6);
	}
	int fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r->outcome = TLSA_PROBE_CONNECT;
		snprintf(r->detail, sizeof(r->detail), "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
		r->outcome = TLSA_PROBE_CONNECT;
		snprintf(r->detail, sizeof(r->detail), "connect to %s port %u: %s", a->text,
			 a->port, strerror(errno));
		close(fd);
		return -1;
	}
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int n = poll(&p, 1, (int)timeout_ms);
	int soerr = 0;
	socklen_t el = sizeof(soerr);
	if (n == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el);
	if (n != 1 || soerr != 0) {
		r->outcome = TLSA_PROBE_CONNECT;
		snprintf(r->detail, sizeof(r->detail), "connect to %s port %u: %s", a->text,
			 a->port, n == 0 ? "timed out" : strerror(n < 0 ? errno : soerr));
		close(fd);
		return -1;
	}
	return fd;
}

int net_send_all(int fd, const uint8_t *p, size_t n, uint64_t deadline,
		 const struct tlsa_probe_opts *o)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k > 0 && o != NULL && o->on_wire != NULL)
			o->on_wire(o->ctx, 0, p, (size_t)k);
		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		uint64_t now = net_now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd pf = {.fd = fd, .events = POLLOUT};
		poll(&pf, 1, (int)(deadline - now));
	}
	return 0;
}

/* Up to cap bytes by the deadline: > 0 bytes, 0 the peer closed, -ETIMEDOUT, -errno. */
ssize_t net_recv(int fd, uint8_t *p, size_t cap, uint64_t deadline, const struct tlsa_probe_opts *o)
{
	for (;;) {
		ssize_t k = recv(fd, p, cap, 0);
		if (k > 0 && o != NULL && o->on_wire != NULL)
			o->on_wire(o->ctx, 1, p, (size_t)k);
		if (k >= 0)
			return k;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		uint64_t now = net_now_ms();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		poll(&pf, 1, (int)(deadline - now));
	}
}

static void end_of(const struct sockaddr_storage *ss, struct tlsa_probe_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		memcpy(a->addr, &s4->sin_addr, 4);
		a->port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		memcpy(a->addr, &s6->sin6_addr, 16);
		a->port = ntohs(s6->sin6_port);
	} else {
		return;
	}
	a->family = ss->ss_family;
	inet_ntop(a->family, a->addr, a->text, sizeof(a->text));
}

void net_ends(int fd, struct tlsa_probe_result *r)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		end_of(&ss, &r->local);
	sl = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0)
		end_of(&ss, &r->remote);
}

void net_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
