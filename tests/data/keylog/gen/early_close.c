/*
 * early_close: a TLS 1.3 client for make_0rtt.sh that gives up during 0-RTT.
 * It resumes a saved session (PEM, from `openssl s_client -sess_out`), writes
 * one line of early data (SSL_write_early_data), then calls SSL_shutdown()
 * before the handshake has gone any further, and reads until the server
 * closes.  The key log is written through SSL_CTX_set_keylog_callback
 * (OpenSSL 3.0 does not read SSLKEYLOGFILE itself).
 *
 *   early_close PORT SESSION.pem KEYLOG
 *
 * Build: cc -o early_close early_close.c -lssl -lcrypto
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

static FILE *keylog;

static void log_line(const SSL *ssl, const char *line)
{
	(void)ssl;
	fprintf(keylog, "%s\n", line);
	fflush(keylog);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: early_close PORT SESSION.pem KEYLOG\n");
		return 2;
	}
	FILE *sf = fopen(argv[2], "r");
	keylog = fopen(argv[3], "w");
	if (sf == NULL || keylog == NULL) {
		perror("early_close");
		return 2;
	}
	SSL_SESSION *sess = PEM_read_SSL_SESSION(sf, NULL, NULL, NULL);
	fclose(sf);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sess == NULL || fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "early_close: no session or no connection\n");
		return 2;
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_keylog_callback(ctx, log_line);
	SSL *ssl = SSL_new(ctx);
	SSL_set_session(ssl, sess);
	SSL_set_fd(ssl, fd);

	static const char early[] = "early data, then the client gives up\n";
	size_t written = 0;
	int r = SSL_write_early_data(ssl, early, sizeof(early) - 1, &written);
	printf("SSL_write_early_data: %d (%zu bytes)\n", r, written);
	r = SSL_shutdown(ssl);
	printf("SSL_shutdown: %d\n", r);
	char buf[512];
	do
		r = SSL_read(ssl, buf, sizeof(buf));
	while (r > 0);
	printf("SSL_read: %d, SSL_get_error %d\n", r, SSL_get_error(ssl, r));
	ERR_print_errors_fp(stdout);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	SSL_SESSION_free(sess);
	close(fd);
	fclose(keylog);
	return 0;
}
