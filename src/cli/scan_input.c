/* tlsalert scan: key logs and the progress line (scan_input.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan_input.h"

/* A skipped key log line: file, line number and what is wrong, never the secret
 * (keylog.c quotes nothing but a label-shaped word); through cli_fail() for its
 * escaping of control bytes, in the file name too. */
static void keylog_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	struct cli *c = ctx;
	(void)cli_fail(c, "%s:%lu: %s", origin, line, msg);
}

/* Reads one key log file into kl; 0, or the exit status of a failure. */
static int keylog_load(struct cli *c, struct tlsa_keylog *kl, const char *path, bool must)
{
	char *buf = NULL;
	size_t len = 0;
	/* access(), not a trial open: a FIFO or process substitution is opened once, to read */
	if (!must && access(path, R_OK) != 0) {
		fprintf(c->err,
			"tlsalert scan: SSLKEYLOGFILE %s cannot be read (%s): no decryption\n",
			path, strerror(errno));
		return 0;
	}
	if (cli_read_file(c, path, &buf, &len) != 0)
		return EXIT_ERROR;
	struct tlsa_error err = {0};
	int rc = tlsa_keylog_add_text(kl, buf, len, path, keylog_warn, c, &err);
	free(buf);
	if (rc < 0)
		return cli_fail(c, "%s: %s", path,
				rc == TLSA_ENOMEM ? "out of memory"
						  : "too many connections in the key logs");
	return 0;
}

int scan_keylogs_load(struct cli *c, const char *const *paths, size_t n, struct tlsa_keylog **out)
{
	*out = NULL;
	const char *env_keylog = getenv("SSLKEYLOGFILE");
	if (n == 0 && (env_keylog == NULL || env_keylog[0] == '\0'))
		return 0;
	struct tlsa_keylog *kl = tlsa_keylog_new();
	if (kl == NULL)
		return cli_fail(c, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (keylog_load(c, kl, paths[i], true) != 0) {
			tlsa_keylog_free(kl);
			return EXIT_ERROR;
		}
	}
	if (n == 0 && keylog_load(c, kl, env_keylog, false) != 0) {
		tlsa_keylog_free(kl);
		return EXIT_ERROR;
	}
	*out = kl;
	return 0;
}

void scan_progress_report(struct scan_progress *p)
{
	struct scan_shared *sh = p->sh;
	unsigned long long db = p->bytes - p->bytes_reported;
	unsigned long long dn = p->seen - p->alerts_reported;
	unsigned long long b = atomic_fetch_add(&sh->bytes, db) + db;
	unsigned long long n = atomic_fetch_add(&sh->alerts, dn) + dn;
	p->bytes_reported = p->bytes;
	p->alerts_reported = p->seen;
	/* one worker wins the redraw of each 64 MB step */
	unsigned long long next = atomic_load(&sh->next_progress);
	if (b < next ||
	    !atomic_compare_exchange_strong(&sh->next_progress, &next, b + PROGRESS_STEP))
		return;
	if (p->set->nfiles == 1)
		fprintf(sh->err, "\rscanning %s: %llu MB of payload, %llu alerts  ",
			p->set->files[0], b >> 20, n);
	else
		fprintf(sh->err, "\rscanning %zu files: %llu MB of payload, %llu alerts  ",
			p->set->nfiles, b >> 20, n);
}

static void progress(struct scan_progress *p, size_t len)
{
	p->bytes += len;
	if (p->bytes - p->bytes_reported >= (1u << 20))
		scan_progress_report(p); /* at most once per megabyte */
}

/* With --progress the data callbacks pass through here first. */
static void wrap_tcp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			  const struct tlsa_pktinfo *pkt)
{
	struct scan_progress *p = ctx;
	progress(p, len);
	p->inner.tcp_data(p->inner.ctx, f, dir, data, len, pkt);
}

static void wrap_udp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			  const struct tlsa_pktinfo *pkt)
{
	struct scan_progress *p = ctx;
	progress(p, len);
	p->inner.udp_data(p->inner.ctx, f, dir, data, len, pkt);
}

#define FWD(name, params, args)                                                                    \
	static void wrap_##name params                                                             \
	{                                                                                          \
		struct scan_progress *p = ctx;                                                     \
		p->inner.name args;                                                                \
	}
FWD(flow_open, (void *ctx, struct tlsa_flow *f, const struct tlsa_pktinfo *pkt),
    (p->inner.ctx, f, pkt))
FWD(tcp_gap, (void *ctx, struct tlsa_flow *f, int dir, uint64_t m, const struct tlsa_pktinfo *pkt),
    (p->inner.ctx, f, dir, m, pkt))
FWD(tcp_end,
    (void *ctx, struct tlsa_flow *f, int dir, enum tlsa_stream_end how,
     const struct tlsa_pktinfo *pkt),
    (p->inner.ctx, f, dir, how, pkt))
FWD(flow_close, (void *ctx, struct tlsa_flow *f), (p->inner.ctx, f))
FWD(notice, (void *ctx, const struct tlsa_pktinfo *pkt, const char *msg), (p->inner.ctx, pkt, msg))
FWD(secrets, (void *ctx, uint32_t type, const uint8_t *data, size_t len),
    (p->inner.ctx, type, data, len))

void scan_progress_wrap(struct scan_progress *p, struct tlsa_capture_handler *h)
{
	p->inner = *h;
	h->ctx = p;
	h->flow_open = wrap_flow_open;
	h->tcp_data = wrap_tcp_data;
	h->tcp_gap = wrap_tcp_gap;
	h->tcp_end = wrap_tcp_end;
	h->udp_data = wrap_udp_data;
	h->flow_close = wrap_flow_close;
	h->notice = wrap_notice;
	h->secrets = wrap_secrets;
}
