/*
 * boringssl_sni_server PORT CERT KEY NAME: a BoringSSL server for one connection whose servername
 * callback refuses every SNI name but NAME with SSL_TLSEXT_ERR_ALERT_FATAL (the alert left
 * at the library's default).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static int on_name(SSL *ssl, int *alert, void *arg)
{
	(void)alert;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (name != NULL && strcmp(name, (const char *)arg) == 0)
		return SSL_TLSEXT_ERR_OK;
	fprintf(stderr, "refusing server name %s\n", name ? name : "(none)");
	return SSL_TLSEXT_ERR_ALERT_FATAL;
}

int main(int argc, char **argv)
{
	if (argc != 5)
		return 2;
	SSL_CTX *ctx = SSL_CTX_new(TLS_method());
	if (!SSL_CTX_use_certificate_chain_file(ctx, argv[2]) ||
	    !SSL_CTX_use_PrivateKey_file(ctx, argv[3], SSL_FILETYPE_PEM))
		return 1;
	SSL_CTX_set_tlsext_servername_callback(ctx, on_name);
	SSL_CTX_set_tlsext_servername_arg(ctx, argv[4]);
	int ls = socket(AF_INET6, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in6 a = {.sin6_family = AF_INET6,
				 .sin6_port = htons(atoi(argv[1])),
				 .sin6_addr = in6addr_any};
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(ls, 1) != 0)
		return 1;
	int fd = accept(ls, NULL, NULL);
	SSL *ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) != 1)
		ERR_print_errors_fp(stderr);
	SSL_free(ssl);
	close(fd);
	close(ls);
	SSL_CTX_free(ctx);
	return 0;
}
