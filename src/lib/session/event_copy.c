/*
 * Copies of alert and connection events with everything they point to, into
 * caller-owned storage (tlsalert/session.h says which pointers are copied and
 * which stay pointers to static storage).  Used on scan's per-alert path to
 * hand events to its output thread, so nothing here allocates.
 */
#include <stdint.h>
#include <string.h>

#include "tlsalert/session.h"

/*
 * Whoever adds a field to one of these structs: if it is a pointer, copy what
 * it points to below (or document it as static in session.h), check it in
 * tests/unit/test_event_copy.c, then update the size here.  The sizes are
 * those of the 64-bit Linux ABIs; elsewhere the check is skipped.
 */
#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(struct tlsa_alert_event) == 400, "tlsa_alert_event changed: see above");
_Static_assert(sizeof(struct tlsa_conn_event) == 560, "tlsa_conn_event changed: see above");
_Static_assert(sizeof(struct tlsa_hs_facts) == 1264, "tlsa_hs_facts changed: see above");
_Static_assert(sizeof(struct tlsa_cert_info) == 2976, "tlsa_cert_info changed: see above");
_Static_assert(sizeof(struct tlsa_flow) == 64, "tlsa_flow changed: see above");
_Static_assert(sizeof(struct tlsa_pktinfo) == 24, "tlsa_pktinfo changed: see above");
#endif

static const struct tlsa_hs_facts *copy_hs(struct tlsa_hs_facts *to,
					   const struct tlsa_hs_facts *from)
{
	if (from == NULL)
		return NULL;
	*to = *from; /* client_stack and server_stack are static tokens */
	return to;
}

static const struct tlsa_cert_info *copy_cert(struct tlsa_cert_info *to,
					      const struct tlsa_cert_info *from)
{
	if (from == NULL)
		return NULL;
	*to = *from;
	return to;
}

static const struct tlsa_flow *copy_flow(struct tlsa_flow *to, const struct tlsa_flow *from)
{
	if (from == NULL)
		return NULL;
	*to = *from;
	return to;
}

/* The tracker's history never exceeds TLSA_HISTORY_MAX; a longer one is cut. */
static const char *copy_history(char to[TLSA_HISTORY_MAX + 1], const char *from)
{
	if (from == NULL)
		return NULL;
	size_t n = strnlen(from, TLSA_HISTORY_MAX);
	memcpy(to, from, n);
	to[n] = '\0';
	return to;
}

void tlsa_alert_event_copy(struct tlsa_alert_event_copy *dst, const struct tlsa_alert_event *src)
{
	dst->ev = *src;
	if (src->pkt != NULL) {
		dst->pkt = *src->pkt;
		dst->ev.pkt = &dst->pkt;
	}
	dst->ev.flow = copy_flow(&dst->flow, src->flow);
	dst->ev.hs = copy_hs(&dst->hs, src->hs);
	dst->ev.server_cert = copy_cert(&dst->server_cert, src->server_cert);
	dst->ev.client_cert = copy_cert(&dst->client_cert, src->client_cert);
	dst->ev.history = copy_history(dst->history, src->history);
}

void tlsa_conn_event_copy(struct tlsa_conn_event_copy *dst, const struct tlsa_conn_event *src)
{
	dst->ev = *src;
	dst->ev.flow = copy_flow(&dst->flow, src->flow);
	dst->ev.hs = copy_hs(&dst->hs, src->hs);
	dst->ev.server_cert = copy_cert(&dst->server_cert, src->server_cert);
	dst->ev.client_cert = copy_cert(&dst->client_cert, src->client_cert);
	dst->ev.history = copy_history(dst->history, src->history);
}
