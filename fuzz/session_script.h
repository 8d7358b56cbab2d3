/*
 * The script both session fuzz targets play through the capture handler:
 *
 *   byte 0      bit 0-1: SYN direction (0, 1, else none); bit 2: UDP;
 *               bit 3: ports swapped (the other bits are the target's own)
 *   then chunks: 1 byte op (bit 7 = direction; low bits: 0-5 data,
 *               6 gap, 7 end), 2 bytes big-endian length, then that many
 *               bytes of data (or, for a gap, the number of bytes lost)
 *
 * The flow is then ended and closed, so TLS 1.3 inference runs too.
 */
#ifndef TLSA_FUZZ_SESSION_SCRIPT_H
#define TLSA_FUZZ_SESSION_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlsalert/capture.h"

static void play_session_script(const uint8_t *data, size_t size,
				const struct tlsa_capture_handler *h)
{
	struct tlsa_flow f;
	memset(&f, 0, sizeof(f));
	f.addr[0].family = f.addr[1].family = 4;
	f.addr[1].bytes[3] = 1;
	f.syn_dir = (data[0] & 3) < 2 ? (data[0] & 3) : -1;
	f.transport = (data[0] & 4) ? 17 : 6;
	f.port[0] = (data[0] & 8) ? 443 : 50000;
	f.port[1] = (data[0] & 8) ? 50000 : 443;
	struct tlsa_pktinfo pkt = {.frame = 1};
	h->flow_open(h->ctx, &f, &pkt);

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
				h->tcp_gap(h->ctx, &f, dir, len, &pkt);
			continue;
		case 7:
			if (f.transport == 6 && !ended[dir]) {
				h->tcp_end(h->ctx, &f, dir, (enum tlsa_stream_end)(len & 3), &pkt);
				ended[dir] = true;
			}
			continue;
		default: break;
		}
		if (len > size - i)
			len = size - i;
		if (f.transport == 17)
			h->udp_data(h->ctx, &f, dir, data + i, len, &pkt);
		else if (!ended[dir])
			h->tcp_data(h->ctx, &f, dir, data + i, len, &pkt);
		i += len;
	}
	pkt.frame++;
	for (int dir = 0; dir < 2; dir++)
		if (f.transport == 6 && !ended[dir])
			h->tcp_end(h->ctx, &f, dir, TLSA_END_FIN, &pkt);
	h->flow_close(h->ctx, &f);
}

#endif
