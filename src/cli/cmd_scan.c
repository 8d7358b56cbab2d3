/* tlsalert scan: every TLS/DTLS alert in packet captures or on an interface. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "scan_causes.h"
#include "tlsalert/capture.h"
#include "tlsalert/keylog.h"
#include "tlsalert/session.h"

static void scan_usage(FILE *f)
{
	fputs("usage: tlsalert scan [options] FILE...\n"
	      "       tlsalert scan [options] -i IFACE\n"
	      "\n"
	      "Finds every TLS and DTLS alert in pcap/pcapng files (gzip accepted, '-' = stdin)\n"
	      "or on a live interface, on any port, after STARTTLS, and in UDP (DTLS).  TLS 1.3\n"
	      "alerts hidden in encrypted records are inferred from their size and position.\n"
	      "\n"
	      "Input:\n"
	      "  -i, --interface IFACE  capture live until interrupted (Ctrl-C)\n"
	      "  -f, --filter EXPR      BPF filter (libpcap syntax)\n"
	      "  --max-flows N          flows kept at once (default 65536)\n"
	      "  --flow-buffer BYTES    out-of-order bytes kept per direction (default 262144)\n"
	      "  --idle-timeout SEC     close a flow after SEC seconds of silence (default 300)\n"
	      "  --no-infer             do not infer TLS 1.3 alerts from record sizes\n"
	      "  -j, --jobs N           threads: up to N files at once, and a second thread per\n"
	      "                         file for the output when N allows (default: one per\n"
	      "                         CPU; -j 1: one thread); the output is the same for any N\n"
	      "Decryption:\n"
	      "  --keylog FILE          NSS key log (SSLKEYLOGFILE format): decrypt alerts;\n"
	      "                         repeatable;"
	      " default: the file named by $SSLKEYLOGFILE, if it exists\n"
	      "  --decrypt-all          open every protected record, not only those that can hold\n"
	      "                         an alert (slower)\n"
	      "Diagnosis:\n"
	      "  --client-stack NAME    the TLS stack the client runs, when you know it (openssl,\n"
	      "                         boringssl, go, java, gnutls, nss, rustls, schannel, ...);\n"
	      "                         it replaces the guess from the ClientHello's shape\n"
	      "  --server-stack NAME    the same for the server (needed when it alerts before its\n"
	      "                         ServerHello, which is what a guess is made from)\n"
	      "Output:\n"
	      "  --summary              one line per TLS connection and totals, not per alert\n"
	      "  --json                 JSON Lines (fields: docs/scan.md)\n"
	      "  --csv                  CSV with a header line\n"
	      "  --brief                text output: one line per alert, without the explanation\n"
	      "  -v, --verbose          also report capture and parsing notices on stderr\n"
	      "  --color WHEN           auto (default), always or never; NO_COLOR is respected\n"
	      "  -h, --help             this help\n"
	      "\n"
	      "Exit status: 0 alerts found, 1 no alert, 2 error (results found before it are\n"
	      "still written).\n",
	      f);
}

/* Summary mode: the causes of an alert, kept until its connection is reported. */
struct pending {
	uint64_t flow_id;
	uint64_t frame;
	struct scan_causes causes;
};

struct count {
	char *key;
	size_t n;
};

struct counts {
	struct count *v;
	size_t n, cap;
};

/* What the workers of one run share: the progress line's totals. */
struct scan_shared {
	FILE *err;		     /* the real stderr */
	atomic_ullong bytes;	     /* payload bytes scanned, every worker */
	atomic_ullong alerts;	     /* alerts found, as of each worker's last report */
	atomic_ullong next_progress; /* byte count at which the line is next redrawn */
};

/*
 * One scan over one or more files.  With several files, each file is scanned
 * by a worker with its own copy of this struct (and its own tracker), and the
 * copies' counts are merged afterwards; see scan_files().
 */
struct scan {
	struct cli *c;
	char **files;
	size_t nfiles;
	bool summary, verbose, progress, brief;
	bool out_thread; /* each file's output is formatted by a thread of its own */
	/* --client-stack/--server-stack: stack tokens, or NULL */
	struct scan_stacks stacks;
	struct scan_memo *memo; /* ranked causes per diagnosis context */
	struct pending *pend;	/* summary: causes of alerts of connections not yet ended */
	size_t n_pend, cap_pend;
	int width;				  /* of the file:frame column */
	size_t nalerts, nconns;			  /* written out */
	size_t seen;				  /* alerts found (the tracker's thread) */
	struct outq *q;				  /* the output thread, or NULL */
	unsigned long long bytes, bytes_reported; /* progress: this worker's payload bytes */
	size_t alerts_reported;
	struct scan_shared *sh;
	struct counts by_alert, by_sender, by_server, by_outcome;
	struct tlsa_capture_handler inner;
};

static void counts_add(struct counts *cs, const char *key)
{
	for (size_t i = 0; i < cs->n; i++) {
		if (strcmp(cs->v[i].key, key) == 0) {
			cs->v[i].n++;
			return;
		}
	}
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? cs->cap * 2 : 16;
		struct count *v = realloc(cs->v, cap * sizeof(*v));
		if (v == NULL)
			return;
		cs->v = v;
		cs->cap = cap;
	}
	char *k = strdup(key);
	if (k == NULL)
		return;
	cs->v[cs->n].key = k;
	cs->v[cs->n].n = 1;
	cs->n++;
}

static int count_cmp(const void *a, const void *b)
{
	const struct count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void counts_free(struct counts *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free(cs->v[i].key);
	free(cs->v);
}

/* ------------------------------------------------------------ formatting */

static void fmt_addr(const struct tlsa_addr *a, char *buf, size_t cap)
{
	if (a->family == 6)
		inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)cap);
	else
		inet_ntop(AF_INET, a->bytes, buf, (socklen_t)cap);
}

static void fmt_time(int64_t sec, uint32_t nsec, char *buf, size_t cap)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, cap, "%" PRId64, sec);
		return;
	}
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	if (nsec % 1000 == 0)
		snprintf(buf + n, cap - n, ".%06" PRIu32 "Z", nsec / 1000);
	else
		snprintf(buf + n, cap - n, ".%09" PRIu32 "Z", nsec);
}

static const char *wire_version_name(uint16_t v, char *buf, size_t cap)
{
	tlsa_version tv = tlsa_version_from_wire(v);
	if (tv != TLSA_VER_UNKNOWN)
		return tlsa_version_name(tv);
	if (v >= 0x7f00 && v <= 0x7fff)
		snprintf(buf, cap, "TLS 1.3 draft %u", v & 0xff);
	else
		snprintf(buf, cap, "0x%04x", v);
	return buf;
}

static const char *alert_name(int code)
{
	return code >= 0 && code <= 255 ? tlsa_alert_get((uint8_t)code)->name : NULL;
}

/* Sender and receiver of an alert. */
struct ends {
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	unsigned sport, dport;
};

static void ends_of(const struct tlsa_flow *f, int dir, struct ends *e)
{
	fmt_addr(&f->addr[dir], e->src, sizeof(e->src));
	fmt_addr(&f->addr[1 - dir], e->dst, sizeof(e->dst));
	e->sport = f->port[dir];
	e->dport = f->port[1 - dir];
}

/* ["0x1301","0x1302"]: one preformatted value, as output speed matters here. */
static void json_hex16_list(struct jw *w, const char *key, const uint16_t *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char buf[2 + TLSA_HS_MAX_LIST * 9 + 1];
	size_t at = 0;
	buf[at++] = '[';
	for (size_t i = 0; i < n && i < TLSA_HS_MAX_LIST; i++) {
		if (i > 0)
			buf[at++] = ',';
		buf[at++] = '"';
		buf[at++] = '0';
		buf[at++] = 'x';
		buf[at++] = hex[v[i] >> 12];
		buf[at++] = hex[(v[i] >> 8) & 15];
		buf[at++] = hex[(v[i] >> 4) & 15];
		buf[at++] = hex[v[i] & 15];
		buf[at++] = '"';
	}
	buf[at++] = ']';
	buf[at] = '\0';
	jw_raw(w, key, buf);
}

static void json_name_list(struct jw *w, const char *key, const char *list)
{
	jw_arr_open(w, key);
	while (list && *list) {
		const char *e = strchr(list, ',');
		size_t n = e ? (size_t)(e - list) : strlen(list);
		jw_strn(w, NULL, list, n);
		list = e ? e + 1 : NULL;
	}
	jw_arr_close(w);
}

static void json_hs(struct jw *w, const struct scan_memo *memo, const struct tlsa_hs_facts *hs)
{
	char buf[80];
	jw_str(w, "sni", hs->sni[0] ? hs->sni : NULL);
	json_name_list(w, "alpn_offered", hs->alpn_offered);
	jw_str(w, "alpn_selected", hs->alpn_selected[0] ? hs->alpn_selected : NULL);
	jw_arr_open(w, "versions_offered");
	if (hs->client_hello)
		for (size_t i = 0; i < hs->n_versions_offered && i < 16; i++)
			jw_str(w, NULL,
			       wire_version_name(hs->versions_offered[i], buf, sizeof(buf)));
	jw_arr_close(w);
	jw_str(w, "version_selected",
	       hs->server_hello ? wire_version_name(hs->version_selected, buf, sizeof(buf)) : NULL);
	if (hs->client_hello)
		jw_uint(w, "cipher_suites_offered", hs->n_suites);
	else
		jw_null(w, "cipher_suites_offered");
	json_hex16_list(w, "cipher_suites", hs->suites, hs->client_hello ? hs->n_suites : 0);
	if (hs->suite_selected_set) {
		snprintf(buf, sizeof(buf), "0x%04x", hs->suite_selected);
		jw_str(w, "cipher_suite_selected", buf);
	} else {
		jw_null(w, "cipher_suite_selected");
	}
	json_hex16_list(w, "groups", hs->groups, hs->n_groups);
	if (hs->key_share_group) {
		snprintf(buf, sizeof(buf), "0x%04x", hs->key_share_group);
		jw_str(w, "key_share_group", buf);
	} else {
		jw_null(w, "key_share_group");
	}
	json_hex16_list(w, "signature_algorithms", hs->sigalgs, hs->n_sigalgs);
	jw_bool(w, "fallback_scsv", hs->fallback_scsv);
	jw_bool(w, "key_share_invalid", hs->key_share_invalid);
	jw_bool(w, "client_cert_requested", hs->client_cert_requested);
	if (hs->client_cert_sent < 0)
		jw_null(w, "client_cert_sent");
	else
		jw_bool(w, "client_cert_sent", hs->client_cert_sent > 0);
	if (hs->client_hello) {
		static const char digits[] = "0123456789abcdef";
		char hex[65];
		for (int i = 0; i < 32; i++) {
			hex[2 * i] = digits[hs->client_random[i] >> 4];
			hex[2 * i + 1] = digits[hs->client_random[i] & 15];
		}
		hex[64] = '\0';
		jw_str(w, "client_random", hex);
	} else {
		jw_null(w, "client_random");
	}
	enum scan_stack_source src;
	jw_str(w, "client_stack", scan_stack_of(memo, hs, TLSA_ROLE_CLIENT, &src));
	jw_str(w, "client_stack_source", scan_stack_source_name(src));
	jw_str(w, "server_stack", scan_stack_of(memo, hs, TLSA_ROLE_SERVER, &src));
	jw_str(w, "server_stack_source", scan_stack_source_name(src));
}

/* ---------------------------------------------------------------- alerts */

/* One certificate's facts as PREFIX_subject ... PREFIX_chain_length. */
static void json_cert(struct jw *w, const char *prefix, const struct tlsa_cert_info *ci)
{
	char key[48];
	if (ci == NULL)
		return;
	if (ci->parsed) {
		snprintf(key, sizeof(key), "%s_subject", prefix);
		jw_str(w, key, ci->subject);
		snprintf(key, sizeof(key), "%s_issuer", prefix);
		jw_str(w, key, ci->issuer);
		snprintf(key, sizeof(key), "%s_not_before", prefix);
		jw_str(w, key, ci->not_before[0] ? ci->not_before : NULL);
		snprintf(key, sizeof(key), "%s_not_after", prefix);
		jw_str(w, key, ci->not_after[0] ? ci->not_after : NULL);
	}
	snprintf(key, sizeof(key), "%s_chain_length", prefix);
	jw_int(w, key, ci->chain_length);
}

/* Decryption fields (docs/scan.md): only when a key log is in use. */
static void json_decrypt(struct jw *w, bool keylog, bool decrypted, const char *error,
			 const struct tlsa_cert_info *server, const struct tlsa_cert_info *client)
{
	if (!keylog)
		return;
	jw_bool(w, "decrypted", decrypted);
	if (error != NULL)
		jw_str(w, "decrypt_error", error);
	json_cert(w, "server_cert", server);
	json_cert(w, "client_cert", client);
}

static void print_alert_json(struct scan *s, const struct tlsa_alert_event *ev)
{
	struct jw w;
	struct ends e;
	char tbuf[64], vbuf[16];
	ends_of(ev->flow, ev->dir, &e);
	fmt_time(ev->pkt->ts_sec, ev->pkt->ts_nsec, tbuf, sizeof(tbuf));

	jw_begin(&w, s->c->out);
	jw_str(&w, "file", s->files[ev->pkt->file_index]);
	jw_uint(&w, "frame", ev->pkt->frame);
	jw_str(&w, "time", tbuf);
	jw_str(&w, "src", e.src);
	jw_uint(&w, "src_port", e.sport);
	jw_str(&w, "dst", e.dst);
	jw_uint(&w, "dst_port", e.dport);
	jw_str(&w, "transport", ev->flow->transport == 17 ? "udp" : "tcp");
	jw_uint(&w, "flow_id", ev->flow->id);
	jw_str(&w, "sender", tlsa_role_name(ev->sender));
	jw_str(&w, "role_source", tlsa_role_source_name(ev->role_source));
	jw_str(&w, "starttls", ev->starttls);
	jw_str(&w, "version", tlsa_version_name(ev->version));
	jw_bool(&w, "version_negotiated", ev->version_negotiated);
	snprintf(vbuf, sizeof(vbuf), "0x%04x", ev->record_version);
	jw_str(&w, "record_version", vbuf);
	jw_uint(&w, "record_type", ev->content_type);
	jw_uint(&w, "record_length", ev->record_length);
	jw_uint(&w, "record_seq", ev->record_seq);
	if (ev->dtls)
		jw_uint(&w, "epoch", ev->epoch);
	jw_bool(&w, "encrypted", ev->encrypted);
	jw_bool(&w, "inferred", ev->inferred);
	json_decrypt(&w, ev->keylog, ev->decrypted, ev->decrypt_error, ev->server_cert,
		     ev->client_cert);
	if (ev->level >= 0) {
		jw_int(&w, "level", ev->level);
		jw_str(&w, "level_name", tlsa_level_name(ev->level));
	} else {
		jw_null(&w, "level");
		jw_null(&w, "level_name");
	}
	if (ev->description >= 0) {
		jw_int(&w, "description", ev->description);
		jw_str(&w, "name", alert_name(ev->description));
		tlsa_severity sev =
			tlsa_effective_severity((uint8_t)ev->description, ev->level, ev->version);
		jw_str(&w, "severity", tlsa_severity_name(sev));
	} else {
		jw_null(&w, "description");
		jw_null(&w, "name");
		jw_null(&w, "severity");
	}
	if (ev->likely >= 0) {
		jw_int(&w, "likely", ev->likely);
		jw_str(&w, "likely_name", alert_name(ev->likely));
	} else {
		jw_null(&w, "likely");
		jw_null(&w, "likely_name");
	}
	jw_str(&w, "evidence", ev->evidence);
	jw_str(&w, "cipher_shapes", ev->cipher_shapes);
	jw_str(&w, "stage", ev->stage);
	jw_str(&w, "history", ev->history);
	json_hs(&w, s->memo, ev->hs);
	const struct scan_causes *sc = scan_causes_of(s->memo, ev);
	causes_json(&w, "causes", sc->cs, sc->n);
	jw_end(&w);
}

static const char csv_alert_header[] =
	"file,frame,time,src,src_port,dst,dst_port,transport,sender,role_source,version,"
	"record_version,record_length,encrypted,inferred,level,description,name,likely,stage,"
	"history,sni,alpn_selected,cipher_suite_selected,evidence,likely_cause";

static void print_alert_csv(struct scan *s, const struct tlsa_alert_event *ev)
{
	FILE *f = s->c->out;
	struct ends e;
	char tbuf[64], buf[16];
	ends_of(ev->flow, ev->dir, &e);
	fmt_time(ev->pkt->ts_sec, ev->pkt->ts_nsec, tbuf, sizeof(tbuf));
	csv_field(f, s->files[ev->pkt->file_index], true);
	csv_int(f, (long long)ev->pkt->frame, false);
	csv_field(f, tbuf, false);
	csv_field(f, e.src, false);
	csv_int(f, e.sport, false);
	csv_field(f, e.dst, false);
	csv_int(f, e.dport, false);
	csv_field(f, ev->flow->transport == 17 ? "udp" : "tcp", false);
	csv_field(f, tlsa_role_name(ev->sender), false);
	csv_field(f, tlsa_role_source_name(ev->role_source), false);
	csv_field(f, tlsa_version_name(ev->version), false);
	snprintf(buf, sizeof(buf), "0x%04x", ev->record_version);
	csv_field(f, buf, false);
	csv_int(f, (long long)ev->record_length, false);
	csv_field(f, ev->encrypted ? "true" : "false", false);
	csv_field(f, ev->inferred ? "true" : "false", false);
	if (ev->level >= 0)
		csv_int(f, ev->level, false);
	else
		csv_field(f, "", false);
	if (ev->description >= 0) {
		csv_int(f, ev->description, false);
		csv_field(f, alert_name(ev->description), false);
	} else {
		csv_field(f, "", false);
		csv_field(f, "", false);
	}
	csv_field(f, ev->likely >= 0 ? alert_name(ev->likely) : "", false);
	csv_field(f, ev->stage, false);
	csv_field(f, ev->history, false);
	csv_field(f, ev->hs->sni, false);
	csv_field(f, ev->hs->alpn_selected, false);
	if (ev->hs->suite_selected_set)
		snprintf(buf, sizeof(buf), "0x%04x", ev->hs->suite_selected);
	else
		buf[0] = '\0';
	csv_field(f, buf, false);
	csv_field(f, ev->evidence ? ev->evidence : "", false);
	const struct scan_causes *sc = scan_causes_of(s->memo, ev);
	csv_field(f, sc->n > 0 ? sc->cs[0].id : "", false);
	csv_end(f);
}

/*
 * The explanation under an alert line: what the alert means (for an inferred
 * alert, the likely one), from whom to whom, and the likeliest cause.
 */
static void explain_alert_text(struct scan *s, const struct tlsa_alert_event *ev)
{
	struct cli *c = s->c;
	char buf[1024];
	int code = ev->description >= 0 ? ev->description : ev->likely;
	const char *peer = ev->sender == TLSA_ROLE_CLIENT   ? "the server"
			   : ev->sender == TLSA_ROLE_SERVER ? "the client"
							    : "the peer";
	const char *who = ev->sender == TLSA_ROLE_CLIENT   ? "The client"
			  : ev->sender == TLSA_ROLE_SERVER ? "The server"
							   : "The sender";

	if (code < 0) {
		if (ev->inferred)
			snprintf(buf, sizeof(buf),
				 "%s most likely sent an alert: an encrypted record of alert size, "
				 "then the connection closed. The session keys (an SSLKEYLOGFILE) "
				 "would tell which.",
				 who);
		else
			snprintf(buf, sizeof(buf),
				 "%s sent an alert under encryption; its code cannot be read "
				 "without "
				 "the session keys (an SSLKEYLOGFILE).",
				 who);
	} else {
		const struct tlsa_alert *a = tlsa_alert_get((uint8_t)code);
		char lead[128] = "";
		if (ev->description < 0)
			snprintf(lead, sizeof(lead), "Inferred, most likely %s: ", a->name);
		if (code == 0 || code == 90)
			snprintf(buf, sizeof(buf), "%s%s %s: %s", lead, who,
				 code == 0 ? "closed its side" : "cancelled", a->summary);
		else
			snprintf(buf, sizeof(buf), "%s%s rejected %s: %s", lead, who, peer,
				 a->summary);
	}
	fprintf(c->out, "    %s", cli_c(c, C_DIM));
	cli_wrap(c->out, buf, 4, 4, 100);
	const struct scan_causes *sc = scan_causes_of(s->memo, ev);
	if (sc->n > 0) {
		snprintf(buf, sizeof(buf), "likely cause: %s (%s). %s", sc->cs[0].id,
			 sc->cs[0].title, sc->cs[0].fix);
		fputs("    ", c->out);
		cli_wrap(c->out, buf, 4, 4, 100);
	}
	enum scan_stack_source csrc, ssrc;
	const struct tlsa_stack_def *cst =
		tlsa_stack_parse(scan_stack_of(s->memo, ev->hs, TLSA_ROLE_CLIENT, &csrc));
	const struct tlsa_stack_def *sst =
		tlsa_stack_parse(scan_stack_of(s->memo, ev->hs, TLSA_ROLE_SERVER, &ssrc));
	if (cst != NULL || sst != NULL) {
		/* with a given stack, each side says where its stack comes from */
		bool given = csrc == STACK_GIVEN || ssrc == STACK_GIVEN;
		const char *cfrom = csrc == STACK_GIVEN ? " (given)" : " (from its hello shape)";
		const char *sfrom = ssrc == STACK_GIVEN ? " (given)" : " (from its hello shape)";
		char cw[96] = "", sw[96] = "";
		if (cst != NULL)
			snprintf(cw, sizeof(cw), "client %s %s%s",
				 csrc == STACK_GIVEN ? "runs" : "looks like", cst->name,
				 given ? cfrom : "");
		if (sst != NULL)
			snprintf(sw, sizeof(sw), "server %s %s%s",
				 ssrc == STACK_GIVEN ? "runs" : "looks like", sst->name,
				 given ? sfrom : "");
		snprintf(buf, sizeof(buf), "%s%s%s%s", cw, cst && sst ? ", " : "", sw,
			 given ? "" : " (from the hello shapes)");
		fputs("    ", c->out);
		cli_wrap(c->out, buf, 4, 4, 100);
	}
	fputs(cli_c(c, C_RESET), c->out);
}

static void print_alert_text(struct scan *s, const struct tlsa_alert_event *ev)
{
	struct cli *c = s->c;
	struct ends e;
	char tbuf[64], from[80], to[80], what[96];
	ends_of(ev->flow, ev->dir, &e);
	fmt_time(ev->pkt->ts_sec, ev->pkt->ts_nsec, tbuf, sizeof(tbuf));
	snprintf(from, sizeof(from), "%s%s%s:%u", strchr(e.src, ':') ? "[" : "", e.src,
		 strchr(e.src, ':') ? "]" : "", e.sport);
	snprintf(to, sizeof(to), "%s%s%s:%u", strchr(e.dst, ':') ? "[" : "", e.dst,
		 strchr(e.dst, ':') ? "]" : "", e.dport);
	enum cli_color col = C_YELLOW;
	if (ev->description >= 0) {
		const char *lv = tlsa_level_name(ev->level);
		snprintf(what, sizeof(what), "%s %s (%d)", lv ? lv : "level?",
			 alert_name(ev->description), ev->description);
		col = ev->level == 2 ? C_RED : ev->description == 0 ? C_GREEN : C_YELLOW;
	} else if (ev->inferred) {
		snprintf(what, sizeof(what), "inferred alert, %zu bytes%s%s", ev->record_length,
			 ev->likely >= 0 ? ", likely " : "",
			 ev->likely >= 0 ? alert_name(ev->likely) : "");
		col = C_MAGENTA;
	} else {
		snprintf(what, sizeof(what), "encrypted alert, %zu bytes", ev->record_length);
		col = C_CYAN;
	}
	char where[512];
	snprintf(where, sizeof(where), "%s:%" PRIu64, s->files[ev->pkt->file_index],
		 ev->pkt->frame);
	fprintf(c->out, "%-*s %-30s %-21s -> %-21s %-4s %-7s %-8s %s%-52s%s %s\n", s->width, where,
		tbuf, from, to, ev->flow->transport == 17 ? "udp" : "tcp",
		tlsa_role_name(ev->sender), tlsa_version_name(ev->version), cli_c(c, col), what,
		cli_c(c, C_RESET), ev->stage);
	if (!s->brief)
		explain_alert_text(s, ev);
}

static void pending_add(struct scan *s, const struct tlsa_alert_event *ev)
{
	if (s->n_pend == s->cap_pend) {
		size_t cap = s->cap_pend ? s->cap_pend * 2 : 16;
		struct pending *np = realloc(s->pend, cap * sizeof(*np));
		if (np == NULL)
			return; /* the connection line then shows no causes */
		s->pend = np;
		s->cap_pend = cap;
	}
	struct pending *p = &s->pend[s->n_pend++];
	p->flow_id = ev->flow->id;
	p->frame = ev->pkt->frame;
	p->causes = *scan_causes_of(s->memo, ev);
}

/* The causes of the alert that ended a connection; forgets the connection's alerts. */
static struct scan_causes pending_take(struct scan *s, uint64_t flow_id, uint64_t frame)
{
	struct scan_causes found = {0};
	for (size_t i = 0; i < s->n_pend;) {
		if (s->pend[i].flow_id != flow_id) {
			i++;
			continue;
		}
		if (s->pend[i].frame == frame)
			found = s->pend[i].causes;
		s->pend[i] = s->pend[--s->n_pend];
	}
	return found;
}

/* Writes one alert (in the output thread when there is one, see outq). */
static void emit_alert(struct scan *s, const struct tlsa_alert_event *ev)
{
	s->nalerts++;
	if (s->summary) {
		const char *k;
		char buf[96];
		if (ev->description >= 0)
			k = alert_name(ev->description);
		else if (ev->inferred && ev->likely >= 0) {
			snprintf(buf, sizeof(buf), "inferred (likely %s)", alert_name(ev->likely));
			k = buf;
		} else
			k = ev->inferred ? "inferred" : "encrypted";
		counts_add(&s->by_alert, k);
		counts_add(&s->by_sender, tlsa_role_name(ev->sender));
		if (s->c->fmt != OUT_CSV)
			pending_add(s, ev);
		return;
	}
	if (s->c->fmt == OUT_JSON)
		print_alert_json(s, ev);
	else if (s->c->fmt == OUT_CSV)
		print_alert_csv(s, ev);
	else
		print_alert_text(s, ev);
}

/* ----------------------------------------------------------- connections */

static void conn_alert_text(const struct tlsa_conn_event *ev, char *buf, size_t cap)
{
	if (!ev->have_alert) {
		snprintf(buf, cap, "no alert");
		return;
	}
	const char *sender = tlsa_role_name(ev->alert_sender);
	if (ev->alert_description >= 0)
		snprintf(buf, cap, "%s %s (%d) by %s at %s",
			 tlsa_level_name(ev->alert_level) ? tlsa_level_name(ev->alert_level)
							  : "level?",
			 alert_name(ev->alert_description), ev->alert_description, sender,
			 ev->alert_stage);
	else if (ev->alert_inferred && ev->alert_likely >= 0)
		snprintf(buf, cap, "inferred alert (likely %s) by %s at %s",
			 alert_name(ev->alert_likely), sender, ev->alert_stage);
	else if (ev->alert_inferred)
		snprintf(buf, cap, "inferred alert by %s at %s", sender, ev->alert_stage);
	else
		snprintf(buf, cap, "encrypted alert by %s at %s", sender, ev->alert_stage);
}

static void emit_conn(struct scan *s, const struct tlsa_conn_event *ev)
{
	s->nconns++;
	if (!s->summary)
		return;
	const struct tlsa_flow *f = ev->flow;
	int cd = ev->client_dir >= 0 ? ev->client_dir : 0;
	struct ends e;
	char tbuf[64], from[80], to[80], what[160];
	ends_of(f, cd, &e);
	fmt_time(ev->ts_sec, ev->ts_nsec, tbuf, sizeof(tbuf));
	snprintf(from, sizeof(from), "%s%s%s:%u", strchr(e.src, ':') ? "[" : "", e.src,
		 strchr(e.src, ':') ? "]" : "", e.sport);
	snprintf(to, sizeof(to), "%s%s%s:%u", strchr(e.dst, ':') ? "[" : "", e.dst,
		 strchr(e.dst, ':') ? "]" : "", e.dport);
	conn_alert_text(ev, what, sizeof(what));
	counts_add(&s->by_outcome, tlsa_outcome_name(ev->outcome));
	if (ev->outcome == TLSA_OUT_FAILED)
		counts_add(&s->by_server, to);

	struct cli *c = s->c;
	const char *file = s->files[ev->file_index];
	struct scan_causes sc = pending_take(s, f->id, ev->have_alert ? ev->alert_frame : 0);
	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "type", "connection");
		jw_str(&w, "file", file);
		jw_uint(&w, "first_frame", ev->first_frame);
		jw_uint(&w, "last_frame", ev->last_frame);
		jw_str(&w, "time", tbuf);
		jw_str(&w, "client", e.src);
		jw_uint(&w, "client_port", e.sport);
		jw_str(&w, "server", e.dst);
		jw_uint(&w, "server_port", e.dport);
		jw_str(&w, "transport", f->transport == 17 ? "udp" : "tcp");
		jw_str(&w, "role_source", tlsa_role_source_name(ev->role_source));
		jw_str(&w, "starttls", ev->starttls);
		jw_str(&w, "version", tlsa_version_name(ev->version));
		jw_bool(&w, "version_negotiated", ev->version_negotiated);
		jw_str(&w, "outcome", tlsa_outcome_name(ev->outcome));
		jw_uint(&w, "alerts", ev->n_alerts);
		if (ev->keylog) {
			jw_bool(&w, "decrypting", ev->decrypting);
			jw_uint(&w, "records_decrypted", ev->n_decrypted);
			if (ev->decrypt_error != NULL)
				jw_str(&w, "decrypt_error", ev->decrypt_error);
			json_cert(&w, "server_cert", ev->server_cert);
			json_cert(&w, "client_cert", ev->client_cert);
		}
		if (ev->have_alert) {
			jw_obj_open(&w, "alert");
			jw_uint(&w, "frame", ev->alert_frame);
			jw_str(&w, "sender", tlsa_role_name(ev->alert_sender));
			jw_bool(&w, "encrypted", ev->alert_encrypted);
			jw_bool(&w, "inferred", ev->alert_inferred);
			if (ev->alert_level >= 0)
				jw_int(&w, "level", ev->alert_level);
			else
				jw_null(&w, "level");
			if (ev->alert_description >= 0) {
				jw_int(&w, "description", ev->alert_description);
				jw_str(&w, "name", alert_name(ev->alert_description));
			} else {
				jw_null(&w, "description");
				jw_null(&w, "name");
			}
			if (ev->alert_likely >= 0)
				jw_str(&w, "likely_name", alert_name(ev->alert_likely));
			else
				jw_null(&w, "likely_name");
			jw_str(&w, "stage", ev->alert_stage);
			causes_json(&w, "causes", sc.cs, sc.n);
			jw_obj_close(&w);
		} else {
			jw_null(&w, "alert");
		}
		jw_str(&w, "history", ev->history);
		json_hs(&w, s->memo, ev->hs);
		jw_end(&w);
	} else if (c->fmt == OUT_CSV) {
		FILE *o = c->out;
		csv_field(o, file, true);
		csv_int(o, (long long)ev->first_frame, false);
		csv_field(o, tbuf, false);
		csv_field(o, e.src, false);
		csv_int(o, e.sport, false);
		csv_field(o, e.dst, false);
		csv_int(o, e.dport, false);
		csv_field(o, f->transport == 17 ? "udp" : "tcp", false);
		csv_field(o, tlsa_version_name(ev->version), false);
		csv_field(o, ev->hs->sni, false);
		csv_field(o, tlsa_outcome_name(ev->outcome), false);
		csv_field(o, ev->have_alert ? what : "", false);
		csv_field(o, ev->history, false);
		csv_end(o);
	} else {
		enum cli_color col = ev->outcome == TLSA_OUT_ESTABLISHED ? C_GREEN
				     : ev->outcome == TLSA_OUT_FAILED	 ? C_RED
									 : C_YELLOW;
		char where[512];
		snprintf(where, sizeof(where), "%s:%" PRIu64, file, ev->first_frame);
		fprintf(c->out, "%-*s %-21s -> %-21s %-4s %-8s %s%-11s%s %s%s%s\n", s->width, where,
			from, to, f->transport == 17 ? "udp" : "tcp",
			tlsa_version_name(ev->version), cli_c(c, col),
			tlsa_outcome_name(ev->outcome), cli_c(c, C_RESET), what,
			ev->hs->sni[0] ? "  sni=" : "", ev->hs->sni);
		if (sc.n > 0 && ev->outcome != TLSA_OUT_ESTABLISHED)
			fprintf(c->out, "%*s %slikely cause: %s (%s)%s\n", s->width, "",
				cli_c(c, C_DIM), sc.cs[0].id, sc.cs[0].title, cli_c(c, C_RESET));
	}
}

static void print_counts_text(FILE *f, const char *title, struct counts *cs)
{
	if (cs->n > 1)
		qsort(cs->v, cs->n, sizeof(cs->v[0]), count_cmp);
	fprintf(f, "%s:\n", title);
	if (cs->n == 0)
		fprintf(f, "  (none)\n");
	for (size_t i = 0; i < cs->n; i++)
		fprintf(f, "  %6zu  %s\n", cs->v[i].n, cs->v[i].key);
}

static void json_counts(struct jw *w, const char *key, struct counts *cs)
{
	if (cs->n > 1)
		qsort(cs->v, cs->n, sizeof(cs->v[0]), count_cmp);
	jw_obj_open(w, key);
	for (size_t i = 0; i < cs->n; i++)
		jw_uint(w, cs->v[i].key, cs->v[i].n);
	jw_obj_close(w);
}

static void print_aggregate(struct scan *s)
{
	struct cli *c = s->c;
	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "type", "summary");
		jw_uint(&w, "connections", s->nconns);
		jw_uint(&w, "alerts", s->nalerts);
		json_counts(&w, "by_outcome", &s->by_outcome);
		json_counts(&w, "by_alert", &s->by_alert);
		json_counts(&w, "by_sender", &s->by_sender);
		json_counts(&w, "failed_by_server", &s->by_server);
		jw_end(&w);
	} else if (c->fmt == OUT_TEXT) {
		fprintf(c->out, "\n%zu TLS connection%s, %zu alert%s\n", s->nconns,
			s->nconns == 1 ? "" : "s", s->nalerts, s->nalerts == 1 ? "" : "s");
		print_counts_text(c->out, "by outcome", &s->by_outcome);
		print_counts_text(c->out, "by alert", &s->by_alert);
		print_counts_text(c->out, "by sender", &s->by_sender);
		print_counts_text(c->out, "failed connections by server", &s->by_server);
	}
}

/* ---------------------------------------------------------- output thread */

/*
 * Formatting the output (JSON above all) is about a fifth of a scan's work, so
 * a second thread does it while the tracker goes on.  The tracker reuses the
 * memory its events point to, so each event is copied, with everything it
 * points to, into a slot of a ring; the output thread takes the slots in
 * order and writes them exactly as the tracker's thread would have.
 */
#define OUTQ_SLOTS 256

struct outq_slot {
	bool conn;
	struct tlsa_alert_event a;
	struct tlsa_conn_event c;
	struct tlsa_pktinfo pkt;
	struct tlsa_flow flow;
	struct tlsa_hs_facts hs;
	struct tlsa_cert_info server_cert, client_cert;
	char history[128];
};

struct outq {
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	size_t head, tail; /* slots filled, slots written out (head - tail <= OUTQ_SLOTS) */
	bool closed;
	struct scan *s;
	pthread_t tid;
	struct outq_slot slot[OUTQ_SLOTS];
};

static void *outq_main(void *arg)
{
	struct outq *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->tail == q->head && !q->closed)
			pthread_cond_wait(&q->more, &q->lock);
		size_t end = q->head;
		if (q->tail == end)
			break; /* closed and drained */
		pthread_mutex_unlock(&q->lock);
		for (size_t i = q->tail; i != end; i++) {
			struct outq_slot *e = &q->slot[i % OUTQ_SLOTS];
			if (e->conn)
				emit_conn(q->s, &e->c);
			else
				emit_alert(q->s, &e->a);
		}
		pthread_mutex_lock(&q->lock);
		q->tail = end;
		pthread_cond_signal(&q->room);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* Starts the output thread of s; false (output stays in the caller's thread) on failure. */
static bool outq_start(struct scan *s)
{
	struct outq *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return false;
	q->s = s;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->room, NULL);
	if (pthread_create(&q->tid, NULL, outq_main, q) != 0) {
		pthread_cond_destroy(&q->room);
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->lock);
		free(q);
		return false;
	}
	s->q = q;
	return true;
}

/* Waits until everything queued is written, then ends the output thread. */
static void outq_stop(struct scan *s)
{
	struct outq *q = s->q;
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->tid, NULL);
	pthread_cond_destroy(&q->room);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q);
	s->q = NULL;
}

/* A free slot, waiting for the output thread if the ring is full. */
static struct outq_slot *outq_slot(struct outq *q)
{
	pthread_mutex_lock(&q->lock);
	while (q->head - q->tail == OUTQ_SLOTS)
		pthread_cond_wait(&q->room, &q->lock);
	struct outq_slot *e = &q->slot[q->head % OUTQ_SLOTS];
	pthread_mutex_unlock(&q->lock);
	return e;
}

static void outq_publish(struct outq *q)
{
	pthread_mutex_lock(&q->lock);
	if (q->head++ == q->tail)
		pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
}

/* Copies what the event points to into e and points the copy there. */
static const struct tlsa_hs_facts *copy_hs(struct outq_slot *e, const struct tlsa_hs_facts *hs)
{
	if (hs == NULL)
		return NULL;
	e->hs = *hs;
	return &e->hs;
}

static const struct tlsa_cert_info *copy_cert(struct tlsa_cert_info *to,
					      const struct tlsa_cert_info *from)
{
	if (from == NULL)
		return NULL;
	*to = *from;
	return to;
}

static const char *copy_history(struct outq_slot *e, const char *h)
{
	if (h == NULL)
		return NULL;
	snprintf(e->history, sizeof(e->history), "%s", h);
	return e->history;
}

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	struct scan *s = ctx;
	s->seen++;
	if (s->q == NULL) {
		emit_alert(s, ev);
		return;
	}
	struct outq_slot *e = outq_slot(s->q);
	e->conn = false;
	e->a = *ev;
	e->pkt = *ev->pkt;
	e->a.pkt = &e->pkt;
	e->flow = *ev->flow;
	e->a.flow = &e->flow;
	e->a.hs = copy_hs(e, ev->hs);
	e->a.history = copy_history(e, ev->history);
	e->a.server_cert = copy_cert(&e->server_cert, ev->server_cert);
	e->a.client_cert = copy_cert(&e->client_cert, ev->client_cert);
	outq_publish(s->q);
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	struct scan *s = ctx;
	if (s->q == NULL) {
		emit_conn(s, ev);
		return;
	}
	struct outq_slot *e = outq_slot(s->q);
	e->conn = true;
	e->c = *ev;
	e->flow = *ev->flow;
	e->c.flow = &e->flow;
	e->c.hs = copy_hs(e, ev->hs);
	e->c.history = copy_history(e, ev->history);
	e->c.server_cert = copy_cert(&e->server_cert, ev->server_cert);
	e->c.client_cert = copy_cert(&e->client_cert, ev->client_cert);
	outq_publish(s->q);
}

/* ------------------------------------------------------------- plumbing */

static void on_notice(void *ctx, const struct tlsa_pktinfo *pkt, const char *msg)
{
	struct scan *s = ctx;
	if (!s->verbose)
		return;
	if (pkt != NULL)
		fprintf(s->c->err, "tlsalert scan: %s: frame %" PRIu64 ": %s\n",
			s->files[pkt->file_index], pkt->frame, msg);
	else
		fprintf(s->c->err, "tlsalert scan: %s\n", msg);
}

#define PROGRESS_STEP (64ull << 20) /* the progress line is redrawn every 64 MB */

/* Adds this worker's news to the shared totals; redraws the line every 64 MB. */
static void progress_report(struct scan *s)
{
	struct scan_shared *sh = s->sh;
	unsigned long long db = s->bytes - s->bytes_reported;
	unsigned long long dn = s->seen - s->alerts_reported;
	unsigned long long b = atomic_fetch_add(&sh->bytes, db) + db;
	unsigned long long n = atomic_fetch_add(&sh->alerts, dn) + dn;
	s->bytes_reported = s->bytes;
	s->alerts_reported = s->seen;
	/* one worker wins the redraw of each 64 MB step */
	unsigned long long next = atomic_load(&sh->next_progress);
	if (b < next ||
	    !atomic_compare_exchange_strong(&sh->next_progress, &next, b + PROGRESS_STEP))
		return;
	if (s->nfiles == 1)
		fprintf(sh->err, "\rscanning %s: %llu MB of payload, %llu alerts  ", s->files[0],
			b >> 20, n);
	else
		fprintf(sh->err, "\rscanning %zu files: %llu MB of payload, %llu alerts  ",
			s->nfiles, b >> 20, n);
}

static void progress(struct scan *s, size_t len)
{
	s->bytes += len;
	if (s->bytes - s->bytes_reported >= (1u << 20))
		progress_report(s); /* at most once per megabyte */
}

/* With --progress the data callbacks pass through here first. */
static void wrap_tcp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			  const struct tlsa_pktinfo *pkt)
{
	struct scan *s = ctx;
	progress(s, len);
	s->inner.tcp_data(s->inner.ctx, f, dir, data, len, pkt);
}

static void wrap_udp_data(void *ctx, struct tlsa_flow *f, int dir, const uint8_t *data, size_t len,
			  const struct tlsa_pktinfo *pkt)
{
	struct scan *s = ctx;
	progress(s, len);
	s->inner.udp_data(s->inner.ctx, f, dir, data, len, pkt);
}

#define FWD(name, params, args)                                                                    \
	static void wrap_##name params                                                             \
	{                                                                                          \
		struct scan *s = ctx;                                                              \
		s->inner.name args;                                                                \
	}
FWD(flow_open, (void *ctx, struct tlsa_flow *f, const struct tlsa_pktinfo *pkt),
    (s->inner.ctx, f, pkt))
FWD(tcp_gap, (void *ctx, struct tlsa_flow *f, int dir, uint64_t m, const struct tlsa_pktinfo *pkt),
    (s->inner.ctx, f, dir, m, pkt))
FWD(tcp_end,
    (void *ctx, struct tlsa_flow *f, int dir, enum tlsa_stream_end how,
     const struct tlsa_pktinfo *pkt),
    (s->inner.ctx, f, dir, how, pkt))
FWD(flow_close, (void *ctx, struct tlsa_flow *f), (s->inner.ctx, f))
FWD(notice, (void *ctx, const struct tlsa_pktinfo *pkt, const char *msg), (s->inner.ctx, pkt, msg))
FWD(secrets, (void *ctx, uint32_t type, const uint8_t *data, size_t len),
    (s->inner.ctx, type, data, len))

/* A skipped key log line: file, line number and what is wrong, never the secret. */
static void keylog_warn(void *ctx, const char *origin, unsigned long line, const char *msg)
{
	struct cli *c = ctx;
	fprintf(c->err, "tlsalert scan: %s:%lu: %s\n", origin, line, msg);
}

/* Reads one key log file into kl; 0, or the exit status of a failure. */
static int keylog_load(struct cli *c, struct tlsa_keylog *kl, const char *path, bool must)
{
	char *buf = NULL;
	size_t len = 0;
	if (!must) {
		FILE *f = fopen(path, "rb");
		if (f == NULL) {
			fprintf(c->err,
				"tlsalert scan: SSLKEYLOGFILE %s cannot be read (%s): "
				"no decryption\n",
				path, strerror(errno));
			return 0;
		}
		fclose(f);
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

static volatile int stop_live; /* live capture: set by SIGINT and SIGTERM */
static void on_sigint(int sig)
{
	(void)sig;
	stop_live = 1;
}

/* ---------------------------------------------------------- many files */

/* The library's counters, summed over the files of the run (the ones -v prints). */
struct scan_totals {
	struct tlsa_tracker_stats ts;
	struct tlsa_capture_stats cs;
};

static void totals_add(struct scan_totals *t, const struct tlsa_tracker_stats *ts,
		       const struct tlsa_capture_stats *cs)
{
	t->cs.packets += cs->packets;
	t->cs.tcp_gaps += cs->tcp_gaps;
	t->ts.flows += ts->flows;
	t->ts.tls_flows += ts->tls_flows;
	t->ts.records += ts->records;
	t->ts.alerts += ts->alerts;
	t->ts.inferred += ts->inferred;
	t->ts.resyncs += ts->resyncs;
	t->ts.dec_conns += ts->dec_conns;
	t->ts.dec_records += ts->dec_records;
	t->ts.dec_alerts += ts->dec_alerts;
	t->ts.dec_failures += ts->dec_failures;
}

static void counts_merge(struct counts *dst, const struct counts *src)
{
	for (size_t i = 0; i < src->n; i++) {
		size_t j = 0;
		while (j < dst->n && strcmp(dst->v[j].key, src->v[i].key) != 0)
			j++;
		if (j == dst->n) {
			counts_add(dst, src->v[i].key);
			if (j == dst->n)
				continue; /* out of memory */
			dst->v[j].n = 0;
		}
		dst->v[j].n += src->v[i].n;
	}
}

/*
 * One file's scan.  A file gets its own tracker and capture, so its flows,
 * flow ids and diagnoses do not depend on the other files or on how many
 * workers run: the output is the same whatever --jobs says.
 */
struct job {
	struct scan w;		/* the run's settings; this file's counts */
	struct cli cli;		/* writes to `out`/`err` when they are set */
	FILE *out, *err;	/* temporary files of a worker, or NULL */
	struct scan_totals tot; /* this file's library counters */
	int spool_errno;	/* the temporary files could not be made */
	bool failed;
	bool done; /* set under scan_pool.lock */
};

static void job_free(struct job *j)
{
	if (j->out != NULL)
		fclose(j->out);
	if (j->err != NULL)
		fclose(j->err);
	j->out = j->err = NULL;
	counts_free(&j->w.by_alert);
	counts_free(&j->w.by_sender);
	counts_free(&j->w.by_server);
	counts_free(&j->w.by_outcome);
}

/* Scans file number i (or, when `live`, the interface named files[0]) into job j;
 * `run` holds the settings shared by all files. */
static void run_file(struct job *j, const struct scan *run, const struct tlsa_capture_opts *copts,
		     const struct tlsa_tracker_opts *topts, size_t i, bool live)
{
	struct scan *w = &j->w;
	/* the run's settings, none of its counts */
	*w = (struct scan){.c = &j->cli,
			   .files = run->files,
			   .nfiles = run->nfiles,
			   .summary = run->summary,
			   .verbose = run->verbose,
			   .progress = run->progress,
			   .brief = run->brief,
			   .out_thread = run->out_thread,
			   .width = run->width,
			   .sh = run->sh,
			   .stacks = run->stacks,
			   .memo = scan_memo_new(&run->stacks)};

	struct tlsa_tracker_opts to = *topts;
	to.ctx = w;
	to.on_alert = on_alert;
	to.on_conn = on_conn;
	to.on_notice = on_notice;
	struct tlsa_tracker *t = tlsa_tracker_new(&to);
	struct tlsa_capture *cap = NULL;
	if (t != NULL) {
		struct tlsa_capture_handler h;
		tlsa_tracker_handler(t, &h);
		if (w->progress) {
			w->inner = h;
			h.ctx = w;
			h.flow_open = wrap_flow_open;
			h.tcp_data = wrap_tcp_data;
			h.tcp_gap = wrap_tcp_gap;
			h.tcp_end = wrap_tcp_end;
			h.udp_data = wrap_udp_data;
			h.flow_close = wrap_flow_close;
			h.notice = wrap_notice;
			h.secrets = wrap_secrets;
		}
		cap = tlsa_capture_new(copts, &h);
	}
	const char *file = w->files[i];
	if (cap != NULL && w->out_thread)
		outq_start(w); /* if it fails, the output is written in this thread */
	if (cap == NULL) {
		cli_fail(w->c, "%s: out of memory", file);
		j->failed = true;
	} else {
		struct tlsa_error err = {0};
		int rc = live ? tlsa_capture_live(cap, file, &stop_live, &err)
			      : tlsa_capture_file(cap, file, (uint32_t)i, &err);
		/* the flows of the file end here: after an error too, their alerts
		 * are still reported */
		tlsa_capture_finish(cap);
		outq_stop(w); /* all written before any message about the file */
		if (rc != 0) {
			if (w->progress && j->err == NULL)
				fputs("\r\033[K", w->c->err);
			if (strncmp(err.msg, file, strlen(file)) == 0)
				cli_fail(w->c, "%s", err.msg); /* already names the file */
			else
				cli_fail(w->c, "%s: %s", file, err.msg);
			j->failed = true;
		}
		struct tlsa_tracker_stats ts;
		struct tlsa_capture_stats cs;
		tlsa_tracker_get_stats(t, &ts);
		tlsa_capture_get_stats(cap, &cs);
		totals_add(&j->tot, &ts, &cs);
	}
	if (w->progress)
		progress_report(w); /* this file's last counts */
	tlsa_capture_free(cap);
	tlsa_tracker_free(t);
	scan_memo_free(w->memo);
	w->memo = NULL;
	free(w->pend);
	w->pend = NULL;
	w->n_pend = w->cap_pend = 0;
	fflush(w->c->out);
}

/* Adds a finished file's counts to the run's. */
static void job_merge(struct scan *s, struct scan_totals *tot, bool *failed, struct job *j)
{
	s->nalerts += j->w.nalerts;
	s->nconns += j->w.nconns;
	counts_merge(&s->by_alert, &j->w.by_alert);
	counts_merge(&s->by_sender, &j->w.by_sender);
	counts_merge(&s->by_server, &j->w.by_server);
	counts_merge(&s->by_outcome, &j->w.by_outcome);
	totals_add(tot, &j->tot.ts, &j->tot.cs);
	*failed |= j->failed;
}

/* Workers take files in order; the main thread writes each file's output in order. */
struct scan_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* a job finished, or one was written out */
	struct job *jobs;
	size_t njobs;
	size_t next;	/* the next file to take */
	size_t written; /* files written out so far */
	size_t ahead;	/* at most this many files are scanned ahead of the writer */
	const struct scan *run;
	const struct tlsa_capture_opts *copts;
	const struct tlsa_tracker_opts *topts;
};

static void *worker_main(void *arg)
{
	struct scan_pool *p = arg;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->next < p->njobs && p->next >= p->written + p->ahead)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->next >= p->njobs)
			break;
		size_t i = p->next++;
		pthread_mutex_unlock(&p->lock);

		struct job *j = &p->jobs[i];
		if ((j->out = tmpfile()) == NULL || (j->err = tmpfile()) == NULL) {
			j->spool_errno = errno;
			j->failed = true;
		} else {
			j->cli.out = j->out;
			j->cli.err = j->err;
			run_file(j, p->run, p->copts, p->topts, i, false);
		}

		pthread_mutex_lock(&p->lock);
		j->done = true;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Copies a spooled stream to `to`. */
static void spool_copy(FILE *from, FILE *to)
{
	char buf[1 << 16];
	size_t n;
	if (from == NULL)
		return;
	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

/*
 * Scans every file of the run with up to `jobs` threads, one file per thread
 * at a time.  Each file's output is spooled and written out in the order of
 * the command line, so the output does not depend on `jobs`.
 */
static void scan_files(struct scan *s, const struct tlsa_capture_opts *copts,
		       const struct tlsa_tracker_opts *topts, unsigned jobs,
		       struct scan_totals *tot, bool *failed)
{
	struct cli *c = s->c;
	struct job *all = calloc(s->nfiles, sizeof(*all));
	if (all == NULL) {
		cli_fail(c, "out of memory");
		*failed = true;
		return;
	}
	for (size_t i = 0; i < s->nfiles; i++)
		all[i].cli = *c;

	struct scan_pool p = {.jobs = all,
			      .njobs = s->nfiles,
			      .ahead = 2 * (size_t)jobs,
			      .run = s,
			      .copts = copts,
			      .topts = topts};
	pthread_t tid[64];
	size_t nthreads = 0;
	if (jobs > 1 && s->nfiles > 1) {
		pthread_mutex_init(&p.lock, NULL);
		pthread_cond_init(&p.cond, NULL);
		if (jobs > s->nfiles)
			jobs = (unsigned)s->nfiles;
		while (nthreads < jobs && nthreads < sizeof(tid) / sizeof(tid[0]) &&
		       pthread_create(&tid[nthreads], NULL, worker_main, &p) == 0)
			nthreads++;
	}

	for (size_t i = 0; i < s->nfiles; i++) {
		struct job *j = &all[i];
		if (nthreads == 0) {
			run_file(j, s, copts, topts, i, false); /* straight to the output */
		} else {
			pthread_mutex_lock(&p.lock);
			while (!j->done)
				pthread_cond_wait(&p.cond, &p.lock);
			pthread_mutex_unlock(&p.lock);
			if (j->spool_errno != 0)
				cli_fail(c,
					 "%s: not scanned: no temporary file for its output (%s)",
					 s->files[i], strerror(j->spool_errno));
			spool_copy(j->out, c->out);
			fflush(c->out);
			if (s->progress && j->err != NULL && ftell(j->err) > 0)
				fputs("\r\033[K", c->err);
			spool_copy(j->err, c->err);
		}
		job_merge(s, tot, failed, j);
		job_free(j);
		if (nthreads > 0) {
			pthread_mutex_lock(&p.lock);
			p.written++;
			pthread_cond_broadcast(&p.cond);
			pthread_mutex_unlock(&p.lock);
		}
	}
	for (size_t k = 0; k < nthreads; k++)
		pthread_join(tid[k], NULL);
	if (nthreads > 0) {
		pthread_cond_destroy(&p.cond);
		pthread_mutex_destroy(&p.lock);
	}
	free(all);
}

static int parse_num(struct cli *c, const char *opt, const char *arg, unsigned long long max,
		     unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v > max)
		return cli_fail(c, "%s needs a number up to %llu, got '%s'", opt, max, arg);
	*out = v;
	return 0;
}

int cmd_scan(struct cli *c, int argc, char **argv)
{
	enum {
		OPT_JSON = 256,
		OPT_CSV,
		OPT_SUMMARY,
		OPT_MAXFLOWS,
		OPT_FLOWBUF,
		OPT_IDLE,
		OPT_NOINFER,
		OPT_COLOR,
		OPT_PROGRESS,
		OPT_NOPROGRESS,
		OPT_BRIEF,
		OPT_KEYLOG,
		OPT_DECRYPT_ALL,
		OPT_JOBS,
		OPT_CLIENT_STACK,
		OPT_SERVER_STACK
	};
	static const struct option opts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"csv", no_argument, NULL, OPT_CSV},
		{"summary", no_argument, NULL, OPT_SUMMARY},
		{"interface", required_argument, NULL, 'i'},
		{"filter", required_argument, NULL, 'f'},
		{"max-flows", required_argument, NULL, OPT_MAXFLOWS},
		{"flow-buffer", required_argument, NULL, OPT_FLOWBUF},
		{"idle-timeout", required_argument, NULL, OPT_IDLE},
		{"no-infer", no_argument, NULL, OPT_NOINFER},
		{"brief", no_argument, NULL, OPT_BRIEF},
		{"keylog", required_argument, NULL, OPT_KEYLOG},
		{"decrypt-all", no_argument, NULL, OPT_DECRYPT_ALL},
		{"jobs", required_argument, NULL, 'j'},
		{"client-stack", required_argument, NULL, OPT_CLIENT_STACK},
		{"server-stack", required_argument, NULL, OPT_SERVER_STACK},
		{"verbose", no_argument, NULL, 'v'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"no-progress", no_argument, NULL, OPT_NOPROGRESS},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tlsa_capture_opts copts = {.sz = sizeof(copts)};
	struct tlsa_tracker_opts topts = {0};
	struct scan s = {.c = c};
	struct scan_shared sh = {.err = c->err, .next_progress = PROGRESS_STEP};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs = ncpu < 1 ? 1 : ncpu > 64 ? 64 : (unsigned)ncpu;
	const char *iface = NULL, *color = NULL;
	int want_progress = -1;
	const char *keylogs[64];
	size_t nkeylogs = 0;
	unsigned long long v;
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+hi:f:vj:", opts, NULL)) != -1) {
		switch (o) {
		case OPT_JSON: c->fmt = OUT_JSON; break;
		case OPT_CSV: c->fmt = OUT_CSV; break;
		case OPT_SUMMARY: s.summary = true; break;
		case 'i': iface = optarg; break;
		case 'f': copts.bpf = optarg; break;
		case OPT_MAXFLOWS:
			if (parse_num(c, "--max-flows", optarg, 100000000, &v) != 0)
				return EXIT_ERROR;
			copts.max_flows = (size_t)v;
			break;
		case OPT_FLOWBUF:
			if (parse_num(c, "--flow-buffer", optarg, 1ull << 32, &v) != 0)
				return EXIT_ERROR;
			copts.max_flow_buffer = (size_t)v;
			break;
		case OPT_IDLE:
			if (parse_num(c, "--idle-timeout", optarg, 1u << 30, &v) != 0)
				return EXIT_ERROR;
			copts.idle_timeout = (uint32_t)v;
			break;
		case OPT_NOINFER: topts.no_infer = true; break;
		case OPT_BRIEF: s.brief = true; break;
		case OPT_KEYLOG:
			if (nkeylogs == sizeof(keylogs) / sizeof(keylogs[0]))
				return cli_fail(c, "at most %zu --keylog files", nkeylogs);
			keylogs[nkeylogs++] = optarg;
			break;
		case OPT_DECRYPT_ALL: topts.decrypt_all = true; break;
		case OPT_CLIENT_STACK:
			if (scan_stack_option(c, "--client-stack", optarg, &s.stacks.client) != 0)
				return EXIT_ERROR;
			break;
		case OPT_SERVER_STACK:
			if (scan_stack_option(c, "--server-stack", optarg, &s.stacks.server) != 0)
				return EXIT_ERROR;
			break;
		case 'j':
			if (parse_num(c, "--jobs", optarg, 64, &v) != 0)
				return EXIT_ERROR;
			jobs = v == 0 ? 1 : (unsigned)v;
			break;
		case 'v': s.verbose = true; break;
		case OPT_PROGRESS: want_progress = 1; break;
		case OPT_NOPROGRESS: want_progress = 0; break;
		case OPT_COLOR: color = optarg; break;
		case 'h': scan_usage(c->out); return EXIT_OK;
		default:
			if (optopt == 'i' || optopt == 'f' || optopt == 'j' ||
			    (optopt >= OPT_MAXFLOWS && optopt <= OPT_COLOR) ||
			    optopt == OPT_KEYLOG || optopt >= OPT_CLIENT_STACK)
				cli_fail(c, "option '%s' needs an argument", argv[optind - 1]);
			else
				cli_fail(c, "unknown option '%s'", argv[optind - 1]);
			scan_usage(c->err);
			return EXIT_ERROR;
		}
	}
	if (iface == NULL && optind >= argc) {
		cli_fail(c, "no capture file given (use '-' for stdin, or -i IFACE)");
		scan_usage(c->err);
		return EXIT_ERROR;
	}
	if (iface != NULL && optind < argc)
		return cli_fail(c, "give either capture files or -i IFACE, not both");
	struct tlsa_keylog *kl = NULL;
	const char *env_keylog = getenv("SSLKEYLOGFILE");
	if (nkeylogs > 0 || (env_keylog != NULL && env_keylog[0] != '\0')) {
		kl = tlsa_keylog_new();
		if (kl == NULL)
			return cli_fail(c, "out of memory");
		for (size_t i = 0; i < nkeylogs; i++) {
			if (keylog_load(c, kl, keylogs[i], true) != 0) {
				tlsa_keylog_free(kl);
				return EXIT_ERROR;
			}
		}
		if (nkeylogs == 0 && keylog_load(c, kl, env_keylog, false) != 0) {
			tlsa_keylog_free(kl);
			return EXIT_ERROR;
		}
		topts.keylog = kl;
	}
	c->color = c->fmt == OUT_TEXT && cli_want_color(c->out, color);
	s.progress = want_progress >= 0 ? want_progress == 1 : isatty(fileno(c->err)) != 0;
	s.sh = &sh;

	static char *live_name[1];
	if (iface != NULL) {
		live_name[0] = (char *)iface;
		s.files = live_name;
		s.nfiles = 1;
	} else {
		s.files = argv + optind;
		s.nfiles = (size_t)(argc - optind);
	}

	for (size_t i = 0; i < s.nfiles; i++) {
		size_t n = strlen(s.files[i]) + 6;
		if (n > (size_t)s.width)
			s.width = n > 200 ? 200 : (int)n;
	}
	/* Threads: one per file at a time, up to `jobs`; when that leaves a core per
	 * file spare, each file's output is formatted by a second thread. */
	size_t workers = s.nfiles < jobs ? s.nfiles : jobs;
	s.out_thread = jobs >= 2 * workers;
	if (c->fmt == OUT_CSV)
		fprintf(c->out, "%s\n",
			s.summary ? "file,first_frame,time,client,client_port,server,server_port,"
				    "transport,version,sni,outcome,alert,history"
				  : csv_alert_header);

	bool failed = false;
	struct scan_totals tot = {0};
	if (iface != NULL) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		struct job j = {.cli = *c};
		run_file(&j, &s, &copts, &topts, 0, true);
		job_merge(&s, &tot, &failed, &j);
		job_free(&j);
	} else {
		scan_files(&s, &copts, &topts, jobs, &tot, &failed);
	}
	if (s.progress && atomic_load(&sh.bytes) >= PROGRESS_STEP)
		fputs("\r\033[K", c->err);
	if (s.summary)
		print_aggregate(&s);
	if (s.verbose) {
		const struct tlsa_tracker_stats *ts = &tot.ts;
		const struct tlsa_capture_stats *cs = &tot.cs;
		fprintf(c->err,
			"tlsalert scan: %" PRIu64 " packets, %" PRIu64 " flows (%" PRIu64
			" with TLS/DTLS), %" PRIu64 " records, %" PRIu64 " alerts (%" PRIu64
			" inferred), %" PRIu64 " resyncs, %" PRIu64 " TCP gaps\n",
			cs->packets, ts->flows, ts->tls_flows, ts->records, ts->alerts,
			ts->inferred, ts->resyncs, cs->tcp_gaps);
	}
	{
		const struct tlsa_tracker_stats ts = tot.ts;
		if (s.verbose && topts.keylog != NULL)
			fprintf(c->err,
				"tlsalert scan: decryption: %" PRIu64
				" connections with keys, %" PRIu64 " records opened, %" PRIu64
				" alerts decrypted\n",
				ts.dec_conns, ts.dec_records, ts.dec_alerts);
		if (ts.dec_failures > 0)
			fprintf(c->err,
				"tlsalert scan: %" PRIu64
				" record%s did not authenticate under the key "
				"log (wrong key log or tampered record%s; see decrypt_error, -v)\n",
				ts.dec_failures, ts.dec_failures == 1 ? "" : "s",
				ts.dec_failures == 1 ? "" : "s");
	}
	tlsa_keylog_free(kl);
	counts_free(&s.by_alert);
	counts_free(&s.by_sender);
	counts_free(&s.by_server);
	counts_free(&s.by_outcome);
	int rc = EXIT_OK;
	if (failed)
		rc = EXIT_ERROR;
	else if (s.nalerts == 0)
		rc = EXIT_NONE;
	fflush(c->out);
	return rc;
}
