/* tlsalert scan: counting (--summary tallies and totals, -v counters, merging). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "scan_out.h"
#include "scan_summary.h"

struct pending {
	uint64_t flow_id;
	uint64_t frame;
	struct scan_causes causes;
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

void scan_counts_alert(struct scan_counts *k, const struct tlsa_alert_event *ev)
{
	const char *key;
	char buf[96];
	if (ev->description >= 0)
		key = scan_alert_name(ev->description);
	else if (ev->inferred && ev->likely >= 0) {
		snprintf(buf, sizeof(buf), "inferred (likely %s)", scan_alert_name(ev->likely));
		key = buf;
	} else
		key = ev->inferred ? "inferred" : "encrypted";
	counts_add(&k->by_alert, key);
	counts_add(&k->by_sender, tlsa_role_name(ev->sender));
}

void scan_counts_conn(struct scan_counts *k, const struct tlsa_conn_event *ev, const char *server)
{
	counts_add(&k->by_outcome, tlsa_outcome_name(ev->outcome));
	if (ev->outcome == TLSA_OUT_FAILED)
		counts_add(&k->by_server, server);
}

void scan_counts_merge(struct scan_counts *dst, const struct scan_counts *src)
{
	dst->nalerts += src->nalerts;
	dst->nconns += src->nconns;
	counts_merge(&dst->by_alert, &src->by_alert);
	counts_merge(&dst->by_sender, &src->by_sender);
	counts_merge(&dst->by_server, &src->by_server);
	counts_merge(&dst->by_outcome, &src->by_outcome);
}

void scan_counts_free(struct scan_counts *k)
{
	counts_free(&k->by_alert);
	counts_free(&k->by_sender);
	counts_free(&k->by_server);
	counts_free(&k->by_outcome);
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

void scan_summary_write(struct cli *c, struct scan_counts *k, const struct scan_totals *t)
{
	if (c->fmt == OUT_JSON) {
		struct jw w;
		jw_begin(&w, c->out);
		jw_str(&w, "type", "summary");
		jw_uint(&w, "connections", k->nconns);
		jw_uint(&w, "alerts", k->nalerts);
		json_counts(&w, "by_outcome", &k->by_outcome);
		json_counts(&w, "by_alert", &k->by_alert);
		json_counts(&w, "by_sender", &k->by_sender);
		json_counts(&w, "failed_by_server", &k->by_server);
		jw_obj_open(&w, "dropped");
		jw_uint(&w, "flows_evicted", t->cs.flows_evicted);
		jw_uint(&w, "tcp_gaps", t->cs.tcp_gaps);
		jw_uint(&w, "tcp_gap_bytes", t->cs.tcp_gap_bytes);
		jw_uint(&w, "tcp_buffer_full", t->cs.tcp_buffer_full);
		jw_uint(&w, "handshake_messages", t->ts.hs_msgs_dropped);
		jw_uint(&w, "handshake_bytes", t->ts.hs_bytes_dropped);
		jw_uint(&w, "ip_fragments", t->cs.frags_dropped);
		jw_uint(&w, "ip_fragment_bytes", t->cs.frag_bytes_dropped);
		jw_uint(&w, "dtls_fragments_invalid", t->ts.dtls_frags_invalid);
		jw_uint(&w, "quic_connections", t->ts.quic_conns_dropped);
		jw_obj_close(&w);
		jw_uint(&w, "quic_connections", t->ts.quic_conns);
		jw_uint(&w, "overlap_conflicts", t->cs.overlap_conflicts);
		jw_uint(&w, "tcp_other_copy", t->cs.tcp_other_copy);
		jw_end(&w);
	} else if (c->fmt == OUT_TEXT) {
		fprintf(c->out, "\n%zu TLS connection%s, %zu alert%s\n", k->nconns,
			k->nconns == 1 ? "" : "s", k->nalerts, k->nalerts == 1 ? "" : "s");
		print_counts_text(c->out, "by outcome", &k->by_outcome);
		print_counts_text(c->out, "by alert", &k->by_alert);
		print_counts_text(c->out, "by sender", &k->by_sender);
		print_counts_text(c->out, "failed connections by server", &k->by_server);
	}
}

void scan_pending_add(struct scan_pending *p, const struct tlsa_alert_event *ev,
		      const struct scan_causes *causes)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct pending *np = realloc(p->v, cap * sizeof(*np));
		if (np == NULL)
			return; /* the connection line then shows no causes */
		p->v = np;
		p->cap = cap;
	}
	struct pending *e = &p->v[p->n++];
	e->flow_id = ev->flow->id;
	e->frame = ev->pkt->frame;
	e->causes = *causes;
}

struct scan_causes scan_pending_take(struct scan_pending *p, uint64_t flow_id, uint64_t frame)
{
	struct scan_causes found = {0};
	for (size_t i = 0; i < p->n;) {
		if (p->v[i].flow_id != flow_id) {
			i++;
			continue;
		}
		if (p->v[i].frame == frame)
			found = p->v[i].causes;
		p->v[i] = p->v[--p->n];
	}
	return found;
}

void scan_pending_free(struct scan_pending *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

/* One connection's lines in the spool. */
struct held {
	uint64_t first_frame;
	size_t seq; /* arrival: keeps connections of the same first frame in order */
	long off, len;
};

FILE *scan_order_begin(struct scan_order *q, FILE *out)
{
	if (q->spool == NULL && !q->failed) {
		q->spool = tmpfile();
		q->failed = q->spool == NULL;
	}
	if (q->failed)
		return out;
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct held *v = realloc(q->v, cap * sizeof(*v));
		if (v == NULL)
			return out; /* written unsorted; scan_order_end sees no new line */
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n].off = ftell(q->spool);
	return q->spool;
}

void scan_order_end(struct scan_order *q, uint64_t first_frame)
{
	if (q->failed || q->spool == NULL || q->n == q->cap)
		return;
	struct held *h = &q->v[q->n];
	h->first_frame = first_frame;
	h->seq = q->n;
	h->len = ftell(q->spool) - h->off;
	if (h->off >= 0 && h->len >= 0)
		q->n++;
}

static int held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	if (x->first_frame != y->first_frame)
		return x->first_frame < y->first_frame ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void scan_order_flush(struct scan_order *q, FILE *out)
{
	if (q->spool != NULL) {
		qsort(q->v, q->n, sizeof(q->v[0]), held_cmp);
		char buf[8192];
		for (size_t i = 0; i < q->n; i++) {
			if (fseek(q->spool, q->v[i].off, SEEK_SET) != 0)
				break;
			for (long left = q->v[i].len; left > 0;) {
				size_t want = left < (long)sizeof(buf) ? (size_t)left : sizeof(buf);
				size_t got = fread(buf, 1, want, q->spool);
				if (got == 0)
					break;
				fwrite(buf, 1, got, out);
				left -= (long)got;
			}
		}
		fclose(q->spool);
	}
	free(q->v);
	*q = (struct scan_order){0};
}

void scan_totals_add(struct scan_totals *t, const struct tlsa_tracker_stats *ts,
		     const struct tlsa_capture_stats *cs)
{
	t->cs.packets += cs->packets;
	t->cs.tcp_gaps += cs->tcp_gaps;
	t->cs.tcp_gap_bytes += cs->tcp_gap_bytes;
	t->cs.flows_evicted += cs->flows_evicted;
	t->cs.frags_dropped += cs->frags_dropped;
	t->cs.frag_bytes_dropped += cs->frag_bytes_dropped;
	t->cs.tcp_buffer_full += cs->tcp_buffer_full;
	t->ts.hs_msgs_dropped += ts->hs_msgs_dropped;
	t->ts.hs_bytes_dropped += ts->hs_bytes_dropped;
	t->ts.dtls_frags_invalid += ts->dtls_frags_invalid;
	t->ts.quic_conns += ts->quic_conns;
	t->ts.quic_conns_dropped += ts->quic_conns_dropped;
	t->ts.quic_packets += ts->quic_packets;
	t->ts.quic_packets_opened += ts->quic_packets_opened;
	t->cs.overlap_conflicts += cs->overlap_conflicts;
	t->cs.tcp_other_copy += cs->tcp_other_copy;
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
	t->ts.dsb_keys += ts->dsb_keys;
}

/* n with a comma between groups of three digits: "3,214". */
static const char *thousands(uint64_t n, char buf[32])
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%" PRIu64, n), o = 0;
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* What the bounds made the run give up, once at the end (docs/capture.md, "Memory"). */
static void report_dropped(FILE *err, const struct scan_totals *t, const struct scan_limits *lim)
{
	const struct tlsa_tracker_stats *ts = &t->ts;
	const struct tlsa_capture_stats *cs = &t->cs;
	char a[32], line[512];
	size_t o = 0;
	line[0] = '\0';
#define ADD(...)                                                                                   \
	o += (size_t)snprintf(line + o, o < sizeof(line) ? sizeof(line) - o : 0, __VA_ARGS__)
	if (cs->flows_evicted > 0)
		ADD("%s%s flow%s evicted at --max-flows %" PRIu64, o ? ", " : "",
		    thousands(cs->flows_evicted, a), cs->flows_evicted == 1 ? "" : "s",
		    lim->max_flows);
	if (cs->tcp_buffer_full > 0)
		ADD("%s%s TCP hole%s given up at --flow-buffer or --buffer-total", o ? ", " : "",
		    thousands(cs->tcp_buffer_full, a), cs->tcp_buffer_full == 1 ? "" : "s");
	if (ts->hs_msgs_dropped > 0)
		ADD("%s%s handshake message%s over --handshake-buffer %" PRIu64
		    " or --buffer-total skipped",
		    o ? ", " : "", thousands(ts->hs_msgs_dropped, a),
		    ts->hs_msgs_dropped == 1 ? "" : "s", lim->max_handshake);
	if (cs->frags_dropped > 0)
		ADD("%s%s IP fragment%s dropped", o ? ", " : "", thousands(cs->frags_dropped, a),
		    cs->frags_dropped == 1 ? "" : "s");
	if (ts->dtls_frags_invalid > 0)
		ADD("%s%s invalid DTLS fragment%s ignored", o ? ", " : "",
		    thousands(ts->dtls_frags_invalid, a), ts->dtls_frags_invalid == 1 ? "" : "s");
	if (ts->quic_conns_dropped > 0)
		ADD("%s%s QUIC connection%s not followed (over %u open at once)", o ? ", " : "",
		    thousands(ts->quic_conns_dropped, a), ts->quic_conns_dropped == 1 ? "" : "s",
		    TLSA_QUIC_CONNS_MAX);
#undef ADD
	if (o > 0)
		fprintf(err, "tlsalert scan: %s: results may be incomplete\n", line);
}

void scan_totals_report(FILE *err, const struct scan_totals *t, bool verbose, bool keylog,
			const struct scan_limits *lim)
{
	const struct tlsa_tracker_stats *ts = &t->ts;
	const struct tlsa_capture_stats *cs = &t->cs;
	if (verbose)
		fprintf(err,
			"tlsalert scan: %" PRIu64 " packets, %" PRIu64 " flows (%" PRIu64
			" with TLS/DTLS), %" PRIu64 " records, %" PRIu64 " alerts (%" PRIu64
			" inferred), %" PRIu64 " resyncs, %" PRIu64 " TCP gaps\n",
			cs->packets, ts->flows, ts->tls_flows, ts->records, ts->alerts,
			ts->inferred, ts->resyncs, cs->tcp_gaps);
	if (verbose)
		fprintf(err,
			"tlsalert scan: dropped: %" PRIu64 " flows evicted, %" PRIu64
			" TCP holes given up at a buffer limit, %" PRIu64 " TCP gap bytes, %" PRIu64
			" handshake messages (%" PRIu64 " bytes), %" PRIu64
			" IP fragments (%" PRIu64 " bytes), %" PRIu64 " invalid DTLS fragments\n",
			cs->flows_evicted, cs->tcp_buffer_full, cs->tcp_gap_bytes,
			ts->hs_msgs_dropped, ts->hs_bytes_dropped, cs->frags_dropped,
			cs->frag_bytes_dropped, ts->dtls_frags_invalid);
	if (verbose && ts->quic_conns > 0)
		fprintf(err,
			"tlsalert scan: QUIC: %" PRIu64 " connections (%" PRIu64
			" not followed), %" PRIu64 " datagrams, %" PRIu64 " packets opened\n",
			ts->quic_conns, ts->quic_conns_dropped, ts->quic_packets,
			ts->quic_packets_opened);
	if (verbose && (cs->overlap_conflicts > 0 || cs->tcp_other_copy > 0))
		fprintf(err,
			"tlsalert scan: TCP: %" PRIu64
			" segments contradicted another copy of their "
			"bytes (overlap_conflicts), %" PRIu64
			" segments of a second copy of a stream "
			"ignored (tcp_other_copy); docs/capture.md, Overlaps\n",
			cs->overlap_conflicts, cs->tcp_other_copy);
	if (verbose && keylog)
		fprintf(err,
			"tlsalert scan: decryption: %" PRIu64 " connections with keys, %" PRIu64
			" records opened, %" PRIu64 " alerts decrypted\n",
			ts->dec_conns, ts->dec_records, ts->dec_alerts);
	if (ts->dec_failures > 0)
		fprintf(err,
			"tlsalert scan: %" PRIu64 " record%s did not authenticate under the key "
			"log (wrong key log or tampered record%s; see decrypt_error, -v)\n",
			ts->dec_failures, ts->dec_failures == 1 ? "" : "s",
			ts->dec_failures == 1 ? "" : "s");
	report_dropped(err, t, lim);
}

void scan_explain(FILE *err, const struct scan_explain_in *in)
{
	const struct tlsa_tracker_stats *ts = &in->tot->ts;
	const struct tlsa_capture_stats *cs = &in->tot->cs;
	const char *where = in->nfiles > 1 ? "these captures" : "this capture";
	if (in->nalerts == 0 && !in->failed) {
		if (cs->packets == 0 && in->iface != NULL)
			fprintf(err, "tlsalert scan: no packets captured on %s%s\n", in->iface,
				in->filter ? " that matched the filter" : "");
		else if (cs->packets == 0)
			fprintf(err, "tlsalert scan: %s\n",
				in->filter ? "no packet matched the filter"
					   : "no packets in the input");
		else if (ts->tls_flows == 0)
			fprintf(err,
				"tlsalert scan: no TLS or DTLS in the %" PRIu64
				" packet%s (%" PRIu64 " flow%s) of %s\n",
				cs->packets, cs->packets == 1 ? "" : "s", ts->flows,
				ts->flows == 1 ? "" : "s", where);
		else if (in->tot->no_handshake > 0 &&
			 in->tot->no_hello_quic == in->tot->no_handshake)
			/* A QUIC connection is only followed from a client Initial that opens, so
			   its start is there: what is missing is the rest of the hello. */
			fprintf(err,
				"tlsalert scan: %" PRIu64 " QUIC connection%s got no ServerHello, "
				"and %s ClientHello is not whole (an Initial packet is missing)\n",
				in->tot->no_handshake, in->tot->no_handshake == 1 ? "" : "s",
				in->tot->no_handshake == 1 ? "its" : "their");
		else if (in->tot->no_handshake > 0)
			fprintf(err,
				"tlsalert scan: the handshake of %" PRIu64
				" TLS connection%s is not in %s (the capture started after it)\n",
				in->tot->no_handshake, in->tot->no_handshake == 1 ? "" : "s",
				where);
	}
	uint64_t keys = in->keylog_conns + ts->dsb_keys;
	/* no connection got as far as a ServerHello: there was nothing to open */
	if (!(in->keylog || ts->dsb_keys > 0) || ts->tls_flows == 0 || ts->dec_conns > 0 ||
	    in->tot->server_hellos == 0)
		return;
	fprintf(err, "tlsalert scan: the key log (secrets of %" PRIu64 " connection%s) ", keys,
		keys == 1 ? "" : "s");
	if (ts->tls_flows == 1)
		fprintf(err, "did not match the TLS connection in %s\n", where);
	else
		fprintf(err, "matched none of the %" PRIu64 " TLS connections in %s\n",
			ts->tls_flows, where);
}
