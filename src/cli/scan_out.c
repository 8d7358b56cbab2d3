/* tlsalert scan: the writers of alert and connection events (text, JSON, CSV). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "scan_out.h"
#include "tlsalert/quic.h"
#include "tlsalert/quicerr.h"

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

const char *scan_wire_version_name(uint16_t v, char *buf, size_t cap)
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

const char *scan_alert_name(int code)
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

/* "addr:port" of each end, "[addr]:port" for IPv6; from and to hold cap bytes. */
static void ends_text(const struct ends *e, char *from, char *to, size_t cap)
{
	snprintf(from, cap, "%s%s%s:%u", strchr(e->src, ':') ? "[" : "", e->src,
		 strchr(e->src, ':') ? "]" : "", e->sport);
	snprintf(to, cap, "%s%s%s:%u", strchr(e->dst, ':') ? "[" : "", e->dst,
		 strchr(e->dst, ':') ? "]" : "", e->dport);
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

/*
 * ["TLS_AES_128_GCM_SHA256",null]: the IANA name of each value of a list that
 * json_hex16_list() writes, in the same order, null where IANA assigned none.
 * IANA names are letters, digits and '_' of at most 63 characters
 * (tools/gen_iana.py checks), so they are copied without escaping.
 */
static void json_name16_list(struct jw *w, const char *key, const uint16_t *v, size_t n,
			     const char *(*name_of)(uint16_t))
{
	char buf[2 + TLSA_HS_MAX_LIST * 66 + 1];
	size_t at = 0;
	buf[at++] = '[';
	for (size_t i = 0; i < n && i < TLSA_HS_MAX_LIST; i++) {
		const char *name = name_of(v[i]);
		size_t len = name ? strlen(name) : 0;
		if (len > 63)
			name = NULL;
		if (i > 0)
			buf[at++] = ',';
		if (name == NULL) {
			memcpy(buf + at, "null", 4);
			at += 4;
			continue;
		}
		buf[at++] = '"';
		memcpy(buf + at, name, len);
		at += len;
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
			       scan_wire_version_name(hs->versions_offered[i], buf, sizeof(buf)));
	jw_arr_close(w);
	jw_str(w, "version_selected",
	       hs->server_hello ? scan_wire_version_name(hs->version_selected, buf, sizeof(buf))
				: NULL);
	if (hs->client_hello)
		jw_uint(w, "cipher_suites_offered", hs->n_suites);
	else
		jw_null(w, "cipher_suites_offered");
	size_t n_suites = hs->client_hello ? hs->n_suites : 0;
	json_hex16_list(w, "cipher_suites", hs->suites, n_suites);
	json_name16_list(w, "cipher_suite_names", hs->suites, n_suites, tlsa_cipher_suite_name);
	if (hs->suite_selected_set) {
		snprintf(buf, sizeof(buf), "0x%04x", hs->suite_selected);
		jw_str(w, "cipher_suite_selected", buf);
		jw_str(w, "cipher_suite_selected_name", tlsa_cipher_suite_name(hs->suite_selected));
	} else {
		jw_null(w, "cipher_suite_selected");
		jw_null(w, "cipher_suite_selected_name");
	}
	if (hs->server_hello) {
		/* as IANA's registry spells them: "NULL" is the method, not a JSON null */
		static const char *const comp_names[] = {"NULL", "DEFLATE"};
		jw_uint(w, "compression_selected", hs->compression_selected);
		jw_str(w, "compression_selected_name",
		       hs->compression_selected < 2	? comp_names[hs->compression_selected]
		       : hs->compression_selected == 64 ? "LZS"
							: "unassigned");
	} else {
		jw_null(w, "compression_selected");
		jw_null(w, "compression_selected_name");
	}
	json_hex16_list(w, "groups", hs->groups, hs->n_groups);
	json_name16_list(w, "group_names", hs->groups, hs->n_groups, tlsa_group_name);
	if (hs->key_share_group) {
		snprintf(buf, sizeof(buf), "0x%04x", hs->key_share_group);
		jw_str(w, "key_share_group", buf);
		jw_str(w, "key_share_group_name", tlsa_group_name(hs->key_share_group));
	} else {
		jw_null(w, "key_share_group");
		jw_null(w, "key_share_group_name");
	}
	json_hex16_list(w, "signature_algorithms", hs->sigalgs, hs->n_sigalgs);
	json_name16_list(w, "signature_algorithm_names", hs->sigalgs, hs->n_sigalgs,
			 tlsa_sigalg_name);
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
/* The leaf's name, key and signature facts and the chain facts (docs/json.md). */
static void json_cert_facts(struct jw *w, const char *prefix, const struct tlsa_cert_info *ci)
{
	char key[48], val[48];
	snprintf(key, sizeof(key), "%s_cn", prefix);
	jw_str(w, key, ci->cn[0] ? ci->cn : NULL);
	snprintf(key, sizeof(key), "%s_san", prefix);
	jw_arr_open(w, key);
	for (int i = 0; i < ci->san_count && i < TLSA_CERT_SAN_MAX; i++)
		jw_str(w, NULL, ci->san[i]);
	jw_arr_close(w);
	snprintf(key, sizeof(key), "%s_san_count", prefix);
	jw_int(w, key, ci->san_count);
	snprintf(key, sizeof(key), "%s_key", prefix);
	if (ci->key_type[0] == '\0')
		jw_null(w, key);
	else {
		if (ci->key_curve[0] != '\0')
			snprintf(val, sizeof(val), "%s %s", ci->key_type, ci->key_curve);
		else if (ci->key_bits > 0 && strncmp(ci->key_type, "Ed", 2) != 0)
			snprintf(val, sizeof(val), "%s %d", ci->key_type, ci->key_bits);
		else
			snprintf(val, sizeof(val), "%s", ci->key_type);
		jw_str(w, key, val);
	}
	snprintf(key, sizeof(key), "%s_key_type", prefix);
	jw_str(w, key, ci->key_type[0] ? ci->key_type : NULL);
	snprintf(key, sizeof(key), "%s_key_bits", prefix);
	jw_int(w, key, ci->key_bits);
	snprintf(key, sizeof(key), "%s_sig_alg", prefix);
	jw_str(w, key, ci->sig_alg[0] ? ci->sig_alg : NULL);
	snprintf(key, sizeof(key), "%s_self_signed", prefix);
	jw_bool(w, key, ci->self_signed);
	snprintf(key, sizeof(key), "%s_issuer_in_chain", prefix);
	jw_bool(w, key, ci->issuer_in_chain);
	snprintf(key, sizeof(key), "%s_chain_ordered", prefix);
	jw_bool(w, key, ci->chain_ordered);
}

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
	if (ci->facts_read) {
		json_cert_facts(w, prefix, ci);
		return;
	}
	/* Not read (an empty Certificate, or DER of another shape): null. */
	static const char *const keys[] = {
		"cn",	   "san",	  "san_count",	     "key",	     "key_type", "key_bits",
		"sig_alg", "self_signed", "issuer_in_chain", "chain_ordered"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(key, sizeof(key), "%s_%s", prefix, keys[i]);
		jw_null(w, key);
	}
}

/* Decryption fields (docs/scan.md): only when a key log is in use; then the
 * certificates seen. */
static void json_decrypt(struct jw *w, bool keylog, bool decrypted, const char *error,
			 const struct tlsa_cert_info *server, const struct tlsa_cert_info *client)
{
	if (keylog) {
		jw_bool(w, "decrypted", decrypted);
		if (error != NULL)
			jw_str(w, "decrypt_error", error);
	}
	/* Certificates are read whenever they are on the wire, key log or not. */
	json_cert(w, "server_cert", server);
	json_cert(w, "client_cert", client);
}

/* "tcp", "udp", or "quic" for a QUIC connection's events (docs/quic.md). */
static const char *transport_of(const struct tlsa_flow *f, bool quic)
{
	return quic ? "quic" : f->transport == 17 ? "udp" : "tcp";
}

/* A QUIC version as written in the JSON: its name ("1", "2", "draft-29"), else hex. */
static void jw_quic_version(struct jw *w, const char *key, uint32_t v)
{
	char buf[16];
	const char *name = tlsa_quic_version_name(v);
	if (name == NULL) {
		snprintf(buf, sizeof(buf), "0x%08" PRIx32, v);
		name = buf;
	}
	jw_str(w, key, name);
}

static void jw_hex(struct jw *w, const char *key, uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	jw_str(w, key, buf);
}

/* The QUIC fields of an alert event. */
static void json_alert_quic(struct jw *w, const struct tlsa_alert_event *ev)
{
	jw_quic_version(w, "quic_version", ev->quic_version);
	jw_str(w, "quic_space", ev->quic_space);
	if (ev->inferred) {
		jw_null(w, "quic_error_code");
		jw_null(w, "quic_frame_type");
		jw_null(w, "reason");
		return;
	}
	jw_hex(w, "quic_error_code", ev->quic_error);
	jw_hex(w, "quic_frame_type", ev->quic_frame_type);
	jw_str(w, "reason", ev->quic_reason);
}

/* The QUIC fields of a connection event: its first CONNECTION_CLOSE, named. */
static void json_conn_quic(struct jw *w, const struct tlsa_conn_event *ev)
{
	jw_quic_version(w, "quic_version", ev->quic_version);
	jw_bool(w, "quic_retry", ev->quic_retry);
	jw_bool(w, "quic_version_negotiation", ev->quic_version_negotiation);
	jw_uint(w, "quic_key_updates", ev->quic_key_updates);
	const struct tlsa_quic_close *qc = &ev->quic_close;
	if (!qc->closed) {
		jw_null(w, "close");
		return;
	}
	struct tlsa_quic_error qe;
	tlsa_quic_error_describe(qc->code, qc->app, &qe);
	jw_obj_open(w, "close");
	jw_str(w, "frame_type", qc->app ? "0x1d" : "0x1c");
	jw_hex(w, "code", qc->code);
	jw_str(w, "name", qe.name);
	jw_str(w, "kind", tlsa_quic_kind_name(qe.kind));
	if (qe.alert >= 0)
		jw_int(w, "alert", qe.alert);
	else
		jw_null(w, "alert");
	jw_str(w, "sender", tlsa_role_name(qc->sender));
	jw_str(w, "space", qc->space);
	jw_uint(w, "frame", qc->frame);
	jw_str(w, "reason", qc->reason);
	jw_obj_close(w);
}

static void print_alert_json(struct scan_writer *o, const struct tlsa_alert_event *ev)
{
	struct jw w;
	struct ends e;
	char tbuf[64], vbuf[16];
	ends_of(ev->flow, ev->dir, &e);
	fmt_time(ev->pkt->ts_sec, ev->pkt->ts_nsec, tbuf, sizeof(tbuf));

	jw_begin(&w, o->c->out);
	jw_str(&w, "file", o->set->files[ev->pkt->file_index]);
	jw_uint(&w, "frame", ev->pkt->frame);
	jw_str(&w, "time", tbuf);
	jw_str(&w, "src", e.src);
	jw_uint(&w, "src_port", e.sport);
	jw_str(&w, "dst", e.dst);
	jw_uint(&w, "dst_port", e.dport);
	jw_str(&w, "transport", transport_of(ev->flow, ev->quic));
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
	if (ev->quic)
		json_alert_quic(&w, ev);
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
		jw_int(&w, "code", ev->description);
		jw_str(&w, "name", scan_alert_name(ev->description));
		tlsa_severity sev =
			tlsa_effective_severity((uint8_t)ev->description, ev->level, ev->version);
		jw_str(&w, "severity", tlsa_severity_name(sev));
	} else {
		jw_null(&w, "description");
		jw_null(&w, "code");
		jw_null(&w, "name");
		jw_null(&w, "severity");
	}
	if (ev->likely >= 0) {
		jw_int(&w, "likely", ev->likely);
		jw_str(&w, "likely_name", scan_alert_name(ev->likely));
	} else {
		jw_null(&w, "likely");
		jw_null(&w, "likely_name");
	}
	jw_str(&w, "evidence", ev->evidence);
	jw_str(&w, "cipher_shapes", ev->cipher_shapes);
	jw_str(&w, "stage", ev->stage);
	jw_str(&w, "history", ev->history);
	json_hs(&w, o->memo, ev->hs);
	const struct scan_causes *sc = scan_causes_of(o->memo, ev);
	causes_json(&w, "causes", sc->cs, sc->n);
	jw_end(&w);
}

static const char csv_alert_header[] =
	"file,frame,time,src,src_port,dst,dst_port,transport,sender,role_source,version,"
	"record_version,record_length,encrypted,inferred,level,description,name,likely,stage,"
	"history,sni,alpn_selected,cipher_suite_selected,evidence,likely_cause";

static void print_alert_csv(struct scan_writer *o, const struct tlsa_alert_event *ev)
{
	FILE *f = o->c->out;
	struct ends e;
	char tbuf[64], buf[16];
	ends_of(ev->flow, ev->dir, &e);
	fmt_time(ev->pkt->ts_sec, ev->pkt->ts_nsec, tbuf, sizeof(tbuf));
	csv_field(f, o->set->files[ev->pkt->file_index], true);
	csv_int(f, (long long)ev->pkt->frame, false);
	csv_field(f, tbuf, false);
	csv_field(f, e.src, false);
	csv_int(f, e.sport, false);
	csv_field(f, e.dst, false);
	csv_int(f, e.dport, false);
	csv_field(f, transport_of(ev->flow, ev->quic), false);
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
		csv_field(f, scan_alert_name(ev->description), false);
	} else {
		csv_field(f, "", false);
		csv_field(f, "", false);
	}
	csv_field(f, ev->likely >= 0 ? scan_alert_name(ev->likely) : "", false);
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
	const struct scan_causes *sc = scan_causes_of(o->memo, ev);
	csv_field(f, sc->n > 0 ? sc->cs[0].id : "", false);
	csv_end(f);
}

/* Writes one alert (in the output thread when there is one, see scan_ring.h). */
void scan_out_alert(struct scan_writer *o, const struct tlsa_alert_event *ev)
{
	o->counts.nalerts++;
	if (o->set->summary) {
		scan_counts_alert(&o->counts, ev);
		if (o->c->fmt != OUT_CSV)
			scan_pending_add(&o->pend, ev, scan_causes_of(o->memo, ev));
		return;
	}
	if (o->c->fmt == OUT_JSON)
		print_alert_json(o, ev);
	else if (o->c->fmt == OUT_CSV)
		print_alert_csv(o, ev);
	else
		scan_text_alert(o, ev);
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
			 scan_alert_name(ev->alert_description), ev->alert_description, sender,
			 ev->alert_stage);
	else if (ev->alert_inferred && ev->alert_likely >= 0)
		snprintf(buf, cap, "inferred alert (likely %s) by %s at %s",
			 scan_alert_name(ev->alert_likely), sender, ev->alert_stage);
	else if (ev->alert_inferred)
		snprintf(buf, cap, "inferred alert by %s at %s", sender, ev->alert_stage);
	else
		snprintf(buf, cap, "encrypted alert by %s at %s", sender, ev->alert_stage);
}

/* A connection as its writers see it. */
struct conn_view {
	struct ends e; /* client, server */
	char tbuf[64], from[80], to[80], what[160];
	const char *file;
	struct scan_causes sc; /* of the alert that ended it */
};

/* The "alert" object of a connection, or null. */
static void conn_json_alert(struct jw *w, const struct tlsa_conn_event *ev,
			    const struct scan_causes *sc)
{
	if (!ev->have_alert) {
		jw_null(w, "alert");
		return;
	}
	jw_obj_open(w, "alert");
	jw_uint(w, "frame", ev->alert_frame);
	jw_str(w, "sender", tlsa_role_name(ev->alert_sender));
	jw_bool(w, "encrypted", ev->alert_encrypted);
	jw_bool(w, "inferred", ev->alert_inferred);
	if (ev->alert_level >= 0)
		jw_int(w, "level", ev->alert_level);
	else
		jw_null(w, "level");
	if (ev->alert_description >= 0) {
		jw_int(w, "description", ev->alert_description);
		jw_int(w, "code", ev->alert_description);
		jw_str(w, "name", scan_alert_name(ev->alert_description));
	} else {
		jw_null(w, "description");
		jw_null(w, "code");
		jw_null(w, "name");
	}
	if (ev->alert_likely >= 0)
		jw_str(w, "likely_name", scan_alert_name(ev->alert_likely));
	else
		jw_null(w, "likely_name");
	jw_str(w, "stage", ev->alert_stage);
	causes_json(w, "causes", sc->cs, sc->n);
	jw_obj_close(w);
}

static void conn_json(struct scan_writer *o, const struct tlsa_conn_event *ev,
		      const struct conn_view *v)
{
	struct jw w;
	jw_begin(&w, o->c->out);
	jw_str(&w, "type", "connection");
	jw_str(&w, "file", v->file);
	jw_uint(&w, "first_frame", ev->first_frame);
	jw_uint(&w, "last_frame", ev->last_frame);
	jw_str(&w, "time", v->tbuf);
	jw_str(&w, "client", v->e.src);
	jw_uint(&w, "client_port", v->e.sport);
	jw_str(&w, "server", v->e.dst);
	jw_uint(&w, "server_port", v->e.dport);
	jw_str(&w, "transport", transport_of(ev->flow, ev->quic));
	if (ev->quic)
		json_conn_quic(&w, ev);
	jw_str(&w, "role_source", tlsa_role_source_name(ev->role_source));
	jw_str(&w, "starttls", ev->starttls);
	jw_str(&w, "version", tlsa_version_name(ev->version));
	jw_bool(&w, "version_negotiated", ev->version_negotiated);
	jw_str(&w, "outcome", tlsa_outcome_name(ev->outcome));
	jw_uint(&w, "alerts", ev->n_alerts);
	if (ev->outcome == TLSA_OUT_PLAINTEXT) {
		/* no alert to hang the causes on: this object carries them */
		struct tlsa_cause k;
		causes_plaintext(&k, "server", ev->plaintext, ev->plaintext_frame);
		jw_obj_open(&w, "plaintext");
		jw_str(&w, "line", ev->plaintext);
		jw_uint(&w, "frame", ev->plaintext_frame);
		jw_str(&w, "sender", "server");
		causes_json(&w, "causes", &k, 1);
		jw_obj_close(&w);
	} else {
		jw_null(&w, "plaintext");
	}
	if (ev->keylog) {
		jw_bool(&w, "decrypting", ev->decrypting);
		jw_uint(&w, "records_decrypted", ev->n_decrypted);
		if (ev->decrypt_error != NULL)
			jw_str(&w, "decrypt_error", ev->decrypt_error);
	}
	json_cert(&w, "server_cert", ev->server_cert);
	json_cert(&w, "client_cert", ev->client_cert);
	conn_json_alert(&w, ev, &v->sc);
	jw_str(&w, "history", ev->history);
	json_hs(&w, o->memo, ev->hs);
	jw_end(&w);
}

static const char csv_conn_header[] =
	"file,first_frame,time,client,client_port,server,server_port,transport,version,sni,"
	"outcome,alert,history";

static void conn_csv(struct scan_writer *o, const struct tlsa_conn_event *ev,
		     const struct conn_view *v)
{
	FILE *f = o->c->out;
	csv_field(f, v->file, true);
	csv_int(f, (long long)ev->first_frame, false);
	csv_field(f, v->tbuf, false);
	csv_field(f, v->e.src, false);
	csv_int(f, v->e.sport, false);
	csv_field(f, v->e.dst, false);
	csv_int(f, v->e.dport, false);
	csv_field(f, transport_of(ev->flow, ev->quic), false);
	csv_field(f, tlsa_version_name(ev->version), false);
	csv_field(f, ev->hs->sni, false);
	csv_field(f, tlsa_outcome_name(ev->outcome), false);
	csv_field(f, ev->have_alert ? v->what : "", false);
	csv_field(f, ev->history, false);
	csv_end(f);
}

/*
 * One connection of --summary in text: a head line (file:frame, outcome,
 * version, client -> server) short enough for 100 columns with a 30-character
 * file name, then what ended it and its likeliest cause, each wrapped to the
 * terminal under a 4-column indent.
 */
static void conn_text(struct scan_writer *o, const struct tlsa_conn_event *ev,
		      const struct conn_view *v)
{
	struct cli *c = o->c;
	enum cli_color col = ev->outcome == TLSA_OUT_ESTABLISHED ? C_GREEN
			     : ev->outcome == TLSA_OUT_FAILED	 ? C_RED
								 : C_YELLOW;
	char where[512], buf[1024];
	snprintf(where, sizeof(where), "%s:%" PRIu64, v->file, ev->first_frame);
	/* aligned on the longest file:frame of the run, up to a 30-character name */
	int pad = o->set->width < 36 ? o->set->width : 36;
	fprintf(c->out, "%-*s %s%-11s%s %-8s %-21s -> %s%s\n", pad, where, cli_c(c, col),
		tlsa_outcome_name(ev->outcome), cli_c(c, C_RESET), tlsa_version_name(ev->version),
		v->from, v->to, ev->quic ? " quic" : ev->flow->transport == 17 ? " udp" : "");
	if (ev->outcome == TLSA_OUT_PLAINTEXT)
		snprintf(buf, sizeof(buf), "%s%sthe server answered in plain text: \"%s\"",
			 ev->have_alert ? v->what : "", ev->have_alert ? ", after " : "",
			 ev->plaintext);
	else
		snprintf(buf, sizeof(buf), "%s", v->what);
	if (ev->quic && ev->quic_close.closed &&
	    (ev->quic_close.app || ev->quic_close.code < 0x100 || ev->quic_close.code > 0x1ff)) {
		/* a close that is no alert: named */
		struct tlsa_quic_error qe;
		tlsa_quic_error_describe(ev->quic_close.code, ev->quic_close.app, &qe);
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "%sCONNECTION_CLOSE %s 0x%" PRIx64 " %s from the %s", buf[0] ? "; " : "",
			 ev->quic_close.app ? "0x1d" : "0x1c", ev->quic_close.code, qe.name,
			 tlsa_role_name(ev->quic_close.sender));
	}
	if (ev->hs->sni[0] != '\0')
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "; SNI %s", ev->hs->sni);
	fputs("    ", c->out);
	cli_wrap(c->out, buf, 4, 6, c->width);
	const char *id = NULL, *title = NULL;
	if (ev->outcome == TLSA_OUT_PLAINTEXT) {
		const struct tlsa_cause_def *d = tlsa_cause_def_get("plaintext-service");
		id = "plaintext-service";
		title = d != NULL ? d->title : NULL;
	} else if (v->sc.n > 0 && ev->outcome != TLSA_OUT_ESTABLISHED) {
		id = v->sc.cs[0].id;
		title = v->sc.cs[0].title;
	}
	if (id == NULL)
		return;
	snprintf(buf, sizeof(buf), "likely cause: %s (%s)", id, title != NULL ? title : id);
	fprintf(c->out, "    %s", cli_c(c, C_DIM));
	cli_wrap(c->out, buf, 4, 6, c->width);
	fputs(cli_c(c, C_RESET), c->out);
}

/* Writes one finished connection (--summary only; otherwise it is only counted). */
bool scan_out_conn_writes(const struct scan_writer *o, const struct tlsa_conn_event *ev)
{
	/* A plain-text answer has no alert to report it: without --summary, text output
	   still shows that connection (JSON and CSV keep to alert records). */
	bool plain = ev->outcome == TLSA_OUT_PLAINTEXT && o->c->fmt == OUT_TEXT;
	return o->set->summary || plain;
}

void scan_out_conn(struct scan_writer *o, const struct tlsa_conn_event *ev)
{
	o->counts.nconns++;
	if (!scan_out_conn_writes(o, ev))
		return;
	struct conn_view v;
	ends_of(ev->flow, ev->client_dir >= 0 ? ev->client_dir : 0, &v.e);
	fmt_time(ev->ts_sec, ev->ts_nsec, v.tbuf, sizeof(v.tbuf));
	ends_text(&v.e, v.from, v.to, sizeof(v.from));
	conn_alert_text(ev, v.what, sizeof(v.what));
	if (o->set->summary)
		scan_counts_conn(&o->counts, ev, v.to);
	v.file = o->set->files[ev->file_index];
	v.sc = scan_pending_take(&o->pend, ev->flow->id, ev->have_alert ? ev->alert_frame : 0);
	/* the writers write to o->c->out: pointed at the spool for this connection */
	FILE *out = o->c->out;
	o->c->out = scan_order_begin(&o->order, out);
	if (o->c->fmt == OUT_JSON)
		conn_json(o, ev, &v);
	else if (o->c->fmt == OUT_CSV)
		conn_csv(o, ev, &v);
	else
		conn_text(o, ev, &v);
	o->c->out = out;
	scan_order_end(&o->order, ev->first_frame);
}

void scan_out_finish(struct scan_writer *o)
{
	scan_order_flush(&o->order, o->c->out);
}

void scan_out_csv_header(struct cli *c, bool summary)
{
	fprintf(c->out, "%s\n", summary ? csv_conn_header : csv_alert_header);
}
