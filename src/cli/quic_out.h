/* Writers for QUIC spellings of alerts (include/tlsalert/quicerr.h), shared by `explain`
 * and `logs`: the QUIC meaning of a CRYPTO_ERROR and the names of other QUIC closes. */
#ifndef TLSA_QUIC_OUT_H
#define TLSA_QUIC_OUT_H

#include "cli.h"
#include "tlsalert/quicerr.h"

/* The QUIC error of a mention whose wording is QUIC's (m->transport "quic") and names its
 * alert: CRYPTO_ERROR 0x100 + code, spelled by m->implementation.  False otherwise. */
bool quic_from_mention(const struct tlsa_text_mention *m, struct tlsa_quic_error *q);

/* "CRYPTO_ERROR 0x178 = 0x100 + 120 no_application_protocol",
 * "QUIC_STATUS_TLS_ALERT 0x8041012a (msquic) = CRYPTO_ERROR 0x12a = 0x100 + 42 bad_certificate",
 * "PROTOCOL_VIOLATION (transport error 0x0a): not a TLS alert". */
void quic_headline(char *buf, size_t cap, const struct tlsa_quic_error *q);

/* The headline in bold, then the meaning and the note wrapped under it. */
void quic_text(struct cli *c, const struct tlsa_quic_error *q);

/* The JSON fields (docs/json.md "QUIC"): transport, quic_alert, quic_error_code,
 * quic_error_hex, quic_error_name, quic_error_kind, quic_stack, quic_value,
 * quic_meaning, quic_note. */
void quic_json_fields(struct jw *w, const struct tlsa_quic_error *q);

#endif
