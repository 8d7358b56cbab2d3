/*
 * libFuzzer target for the session tracker: the input is a script of
 * segments fed to one flow through the capture handler.
 *
 *   byte 0      bit 0-1: SYN direction (0, 1, else none); bit 2: UDP;
 *               bit 3: ports swapped; bit 4: with the record hook (records copied)
 *   then chunks: 1 byte op (bit 7 = direction; low bits: 0-5 data,
 *               6 gap, 7 end), 2 bytes big-endian length, then that many
 *               bytes of data (or, for a gap, the number of bytes lost)
 * The flow is then ended and closed, so TLS 1.3 inference runs too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsalert/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_alert(void *ctx, const struct tlsa_alert_event *ev)
{
	size_t *n = ctx;
	/* touch what a writer would read */
	*n += ev->record_length + (ev->stage ? strlen(ev->stage) : 0) +
	      (ev->history ? strlen(ev->history) : 0) + strlen(ev->hs->sni) +
	      strlen(ev->hs->alpn_offered);
}

static void on_record(void *ctx, const struct tlsa_record_event *ev)
{
	size_t *n = ctx;
	/* read the whole record handed over */
	for (size_t i = 0; i < ev->len; i++)
		*n += ev->record[i];
	if (*ev->conn_user == NULL)
		*ev->conn_user = n;
}

static void on_conn(void *ctx, const struct tlsa_conn_event *ev)
{
	size_t *n = ctx;
	*n += ev->n_alerts + (ev->history ? strlen(ev->history) : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t sink = 0;
	struct tlsa_tracker_opts o = {.ctx = &sink, .on_alert = on_alert, .on_conn = on_conn};
	if (data[0] & 16)
		o.on_record = on_record;
	struct tlsa_tracker *t = tlsa_tracker_new(&o);
	if (t == NULL)
		return 0;
	struct tlsa_capture_handler h;
	tlsa_tracker_handler(t, &h);

	struct tlsa_flow f;
	memset(&f, 0, sizeof(f));
	f.addr[0].family = f.addr[1].family = 4;
	f.addr[1].bytes[3] = 1;
	f.syn_dir = (data[0] & 3) < 2 ? (data[0] & 3) : -1;
	f.transport = (data[0] & 4) ? 17 : 6;
	f.port[0] = (data[0] & 8) ? 443 : 50000;
	f.port[1] = (data[0] & 8) ? 50000 : 443;
	struct tlsa_pktinfo pkt = {.frame = 1};
	h.flow_open(h.ctx, &f, &pkt);

	size_t i = 1;
	bool ended[2] = {false, false};
	while (i + 3 <= size) {
		uint8_t op = data[i];
		size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
		i += 3;
		int dir = op >> 7;
		pkt.frame++;
		switch (op & 7) {
		case 6:
			if (f.transport == 6 && !ended[dir])
				h.tcp_gap(h.ctx, &f, dir, len, &pkt);
			continue;
		case 7:
			if (f.transport == 6 && !ended[dir]) {
				h.tcp_end(h.ctx, &f, dir, (enum tlsa_stream_end)(len & 3), &pkt);
				ended[dir] = true;
			}
			continue;
		default: break;
		}
		if (len > size - i)
			len = size - i;
		if (f.transport == 17)
			h.udp_data(h.ctx, &f, dir, data + i, len, &pkt);
		else if (!ended[dir])
			h.tcp_data(h.ctx, &f, dir, data + i, len, &pkt);
		i += len;
	}
	pkt.frame++;
	for (int dir = 0; dir < 2; dir++)
		if (f.transport == 6 && !ended[dir])
			h.tcp_end(h.ctx, &f, dir, TLSA_END_FIN, &pkt);
	h.flow_close(h.ctx, &f);
	tlsa_tracker_free(t);
	return (int)(sink & 0);
}
