/*
 * tlsa_alert_event_copy and tlsa_conn_event_copy: events from real captures
 * (a TLS 1.3 failure with its key log, so that a certificate is seen; STARTTLS;
 * DTLS) are copied in the callbacks and checked field by field after the
 * tracker and capture are freed, when every buffer the events pointed to is
 * gone.  The static assertions in src/lib/session/event_copy.c catch a new field.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tlsalert/capture.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

#define MAXEV 16

/* What the callback saw, taken by hand (not through the function under test). */
struct alert_snap {
	struct tlsa_alert_event ev;
	struct tlsa_pktinfo pkt;
	struct tlsa_flow flow;
	struct tlsa_hs_facts hs;
	struct tlsa_cert_info server_cert, client_cert;
	char history[TLSA_HISTORY_MAX + 1];
};

struct conn_snap {
	struct tlsa_conn_event ev;
	struct tlsa_flow flow;
	struct tlsa_hs_facts hs;
	struct tlsa_cert_info server_cert, client_cert;
	char history[TLSA_HISTORY_MAX + 1];
};

struct got {
	size_t na, nc;
	struct tlsa_alert_event_copy a[MAXEV];
	struct alert_snap as[MAXEV];
	struct tlsa_conn_event_copy c[MAXEV];
	struct conn_snap cs[MAXEV];
};

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct got *g = ctx;
	if (g->na == MAXEV)
		return;
	struct alert_snap *s = &g->as[g->na];
	memcpy(&s->ev, ev, sizeof(*ev));
	memcpy(&s->pkt, ev->pkt, sizeof(s->pkt));
	memcpy(&s->flow, ev->flow, sizeof(s->flow));
	memcpy(&s->hs, ev->hs, sizeof(s->hs));
	if (ev->server_cert != NULL)
		memcpy(&s->server_cert, ev->server_cert, sizeof(s->server_cert));
	if (ev->client_cert != NULL)
		memcpy(&s->client_cert, ev->client_cert, sizeof(s->client_cert));
	CHECK(ev->history != NULL && strlen(ev->history) <= TLSA_HISTORY_MAX);
	snprintf(s->history, sizeof(s->history), "%s", ev->history ? ev->history : "");
	tlsa_alert_event_copy(&g->a[g->na], ev);
	g->na++;
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	struct got *g = ctx;
	if (g->nc == MAXEV)
		return;
	struct conn_snap *s = &g->cs[g->nc];
	memcpy(&s->ev, ev, sizeof(*ev));
	memcpy(&s->flow, ev->flow, sizeof(s->flow));
	memcpy(&s->hs, ev->hs, sizeof(s->hs));
	if (ev->server_cert != NULL)
		memcpy(&s->server_cert, ev->server_cert, sizeof(s->server_cert));
	if (ev->client_cert != NULL)
		memcpy(&s->client_cert, ev->client_cert, sizeof(s->client_cert));
	CHECK(ev->history != NULL && strlen(ev->history) <= TLSA_HISTORY_MAX);
	snprintf(s->history, sizeof(s->history), "%s", ev->history ? ev->history : "");
	tlsa_conn_event_copy(&g->c[g->nc], ev);
	g->nc++;
}

static struct tlsa_keylog *load_keylog(const char *path)
{
	struct tlsa_keylog *kl = tlsa_keylog_new();
	FILE *f = fopen(path, "rb");
	CHECK(kl != NULL && f != NULL);
	if (kl == NULL || f == NULL) {
		if (f != NULL)
			fclose(f);
		return kl;
	}
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	struct tlsa_error err = {0};
	CHECK(tlsa_keylog_add_text(kl, buf, n, path, NULL, NULL, &err) > 0);
	return kl;
}

/* Scans one capture with a tracker of its own, then frees both. */
static void scan_file(struct got *g, const char *path, struct tlsa_keylog *kl)
{
	struct tlsa_tracker_opts o = {
		.sz = sizeof(o), .ctx = g, .on_alert = on_alert, .on_conn = on_conn, .keylog = kl};
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);
	struct tlsa_capture_opts copts = {0};
	struct tlsa_capture *cap = tlsa_capture_new(&copts, &h);
	CHECK(cap != NULL);
	struct tlsa_error err = {0};
	if (cap != NULL) {
		CHECK_INT(tlsa_capture_file(cap, path, 0, &err), 0);
		tlsa_capture_finish(cap);
	}
	tlsa_capture_free(cap);
	tlsa_tracker_free(t);
}

/* A certificate pointer of the copy: NULL as in the source, else its own storage. */
static void check_cert(const struct tlsa_cert_info *got, const struct tlsa_cert_info *own,
		       const struct tlsa_cert_info *was, const struct tlsa_cert_info *snap)
{
	if (was == NULL) {
		CHECK(got == NULL);
		return;
	}
	CHECK(got == own);
	CHECK(memcmp(own, snap, sizeof(*own)) == 0);
}

static void check_alert(const struct tlsa_alert_event_copy *c, const struct alert_snap *s)
{
	const struct tlsa_alert_event *e = &c->ev, *w = &s->ev;
	/* copied: pointers into the copy, same contents */
	CHECK(e->pkt == &c->pkt);
	CHECK(memcmp(&c->pkt, &s->pkt, sizeof(c->pkt)) == 0);
	CHECK(e->flow == &c->flow);
	CHECK(memcmp(&c->flow, &s->flow, sizeof(c->flow)) == 0);
	CHECK(e->hs == &c->hs);
	CHECK(memcmp(&c->hs, &s->hs, sizeof(c->hs)) == 0);
	check_cert(e->server_cert, &c->server_cert, w->server_cert, &s->server_cert);
	check_cert(e->client_cert, &c->client_cert, w->client_cert, &s->client_cert);
	CHECK(e->history == c->history);
	CHECK_STR(e->history, s->history);
	/* static: the same pointers */
	CHECK(e->starttls == w->starttls);
	CHECK(e->evidence == w->evidence);
	CHECK(e->cipher_shapes == w->cipher_shapes);
	CHECK(e->stage == w->stage);
	CHECK(e->decrypt_error == w->decrypt_error);
	CHECK(e->hs->client_stack == s->hs.client_stack);
	CHECK(e->hs->server_stack == s->hs.server_stack);
	/* values */
	CHECK_INT(e->dir, w->dir);
	CHECK_INT(e->sender, w->sender);
	CHECK_INT(e->role_source, w->role_source);
	CHECK_INT(e->dtls, w->dtls);
	CHECK_INT(e->content_type, w->content_type);
	CHECK_INT(e->record_version, w->record_version);
	CHECK_INT(e->record_length, w->record_length);
	CHECK_INT(e->record_seq, w->record_seq);
	CHECK_INT(e->epoch, w->epoch);
	CHECK_INT(e->version, w->version);
	CHECK_INT(e->version_negotiated, w->version_negotiated);
	CHECK_INT(e->encrypted, w->encrypted);
	CHECK_INT(e->inferred, w->inferred);
	CHECK_INT(e->level, w->level);
	CHECK_INT(e->description, w->description);
	CHECK_INT(e->likely, w->likely);
	CHECK_INT(e->keylog, w->keylog);
	CHECK_INT(e->decrypted, w->decrypted);
	CHECK_INT(e->peer_plaintext, w->peer_plaintext);
}

static void check_conn(const struct tlsa_conn_event_copy *c, const struct conn_snap *s)
{
	const struct tlsa_conn_event *e = &c->ev, *w = &s->ev;
	CHECK(e->flow == &c->flow);
	CHECK(memcmp(&c->flow, &s->flow, sizeof(c->flow)) == 0);
	CHECK(e->hs == &c->hs);
	CHECK(memcmp(&c->hs, &s->hs, sizeof(c->hs)) == 0);
	check_cert(e->server_cert, &c->server_cert, w->server_cert, &s->server_cert);
	check_cert(e->client_cert, &c->client_cert, w->client_cert, &s->client_cert);
	CHECK(e->history == c->history);
	CHECK_STR(e->history, s->history);
	CHECK(e->starttls == w->starttls);
	CHECK(e->alert_stage == w->alert_stage);
	CHECK(e->decrypt_error == w->decrypt_error);
	CHECK_INT(e->file_index, w->file_index);
	CHECK_INT(e->first_frame, w->first_frame);
	CHECK_INT(e->last_frame, w->last_frame);
	CHECK_INT(e->ts_sec, w->ts_sec);
	CHECK_INT(e->ts_nsec, w->ts_nsec);
	CHECK_INT(e->client_dir, w->client_dir);
	CHECK_INT(e->role_source, w->role_source);
	CHECK_INT(e->dtls, w->dtls);
	CHECK_INT(e->version, w->version);
	CHECK_INT(e->version_negotiated, w->version_negotiated);
	CHECK_INT(e->outcome, w->outcome);
	CHECK_INT(e->n_alerts, w->n_alerts);
	CHECK_INT(e->have_alert, w->have_alert);
	CHECK_INT(e->alert_description, w->alert_description);
	CHECK_INT(e->alert_level, w->alert_level);
	CHECK_INT(e->alert_encrypted, w->alert_encrypted);
	CHECK_INT(e->alert_inferred, w->alert_inferred);
	CHECK_INT(e->alert_likely, w->alert_likely);
	CHECK_INT(e->alert_sender, w->alert_sender);
	CHECK_INT(e->alert_frame, w->alert_frame);
	CHECK_INT(e->keylog, w->keylog);
	CHECK_INT(e->decrypting, w->decrypting);
	CHECK_INT(e->n_decrypted, w->n_decrypted);
	CHECK_STR(e->plaintext, w->plaintext);
	CHECK_INT(e->plaintext_frame, w->plaintext_frame);
}

/* Real events: every field survives the tracker, and a copy of a copy is whole. */
static void test_captures(struct got *g)
{
	struct tlsa_keylog *kl =
		load_keylog("tests/data/corpus/tls13-unknown-ca-openssl-client.keylog");
	scan_file(g, "tests/data/corpus/tls13-unknown-ca-openssl-client.pcap", kl);
	scan_file(g, "tests/data/corpus/starttls-smtp-unknown-ca.pcap", NULL);
	scan_file(g, "tests/data/corpus/dtls12-no-shared-cipher-openssl.pcap", NULL);
	scan_file(g, "tests/data/plaintext/curl-https-to-http.pcap", NULL);
	tlsa_keylog_free(kl);

	CHECK(g->na >= 3);
	CHECK(g->nc >= 3);
	bool cert = false, starttls = false, dtls = false;
	for (size_t i = 0; i < g->na; i++) {
		check_alert(&g->a[i], &g->as[i]);
		cert |= g->a[i].ev.server_cert != NULL;
		starttls |= g->a[i].ev.starttls != NULL;
		dtls |= g->a[i].ev.dtls;
	}
	CHECK(cert && starttls && dtls); /* the captures show what they are chosen for */
	bool plain = false;
	for (size_t i = 0; i < g->nc; i++) {
		check_conn(&g->c[i], &g->cs[i]);
		plain |=
			g->c[i].ev.outcome == TLSA_OUT_PLAINTEXT && g->c[i].ev.plaintext[0] != '\0';
	}
	CHECK(plain);

	/* a copy moves by being copied again */
	static struct tlsa_alert_event_copy a2;
	static struct tlsa_conn_event_copy c2;
	tlsa_alert_event_copy(&a2, &g->a[0].ev);
	memset(&g->a[0], 0xa5, sizeof(g->a[0]));
	check_alert(&a2, &g->as[0]);
	tlsa_conn_event_copy(&c2, &g->c[0].ev);
	memset(&g->c[0], 0xa5, sizeof(g->c[0]));
	check_conn(&c2, &g->cs[0]);
}

/* NULL pointers stay NULL; a client certificate and an over-long history. */
static void test_edges(void)
{
	static struct tlsa_alert_event_copy a;
	static struct tlsa_conn_event_copy c;
	struct tlsa_alert_event ev = {.level = -1, .description = -1, .likely = -1};
	memset(&a, 0xa5, sizeof(a));
	tlsa_alert_event_copy(&a, &ev);
	CHECK(a.ev.pkt == NULL && a.ev.flow == NULL && a.ev.hs == NULL);
	CHECK(a.ev.history == NULL && a.ev.server_cert == NULL && a.ev.client_cert == NULL);
	CHECK_INT(a.ev.description, -1);

	char longer[2 * TLSA_HISTORY_MAX];
	memset(longer, 'C', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	struct tlsa_cert_info cert = {.parsed = true, .chain_length = 2};
	snprintf(cert.subject, sizeof(cert.subject), "CN=client");
	snprintf(cert.san[TLSA_CERT_SAN_MAX - 1], sizeof(cert.san[0]), "last.example");
	cert.chain_ordered = true;
	struct tlsa_conn_event cev = {.history = longer, .client_cert = &cert, .client_dir = -1};
	tlsa_conn_event_copy(&c, &cev);
	CHECK(c.ev.client_cert == &c.client_cert);
	CHECK_STR(c.ev.client_cert->subject, "CN=client");
	CHECK_INT(c.ev.client_cert->chain_length, 2);
	CHECK_STR(c.ev.client_cert->san[TLSA_CERT_SAN_MAX - 1],
		  "last.example"); /* fields at the end */
	CHECK(c.ev.client_cert->chain_ordered);
	CHECK(c.ev.server_cert == NULL && c.ev.flow == NULL && c.ev.hs == NULL);
	CHECK(c.ev.history == c.history);
	CHECK_INT(strlen(c.ev.history), TLSA_HISTORY_MAX);
	CHECK_INT(c.ev.client_dir, -1);
}

int main(void)
{
	struct got *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return 1;
	test_captures(g);
	free(g);
	test_edges();
	return CHECK_DONE();
}
