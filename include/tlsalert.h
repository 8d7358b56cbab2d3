/*
 * libtlsalert: find, decode and explain TLS and DTLS alerts.
 *
 * This umbrella header pulls in every public part of the library:
 *
 *   tlsalert/registry.h  the IANA alert registry, names in every spelling,
 *                        protocol versions and per-version level rules
 *   tlsalert/quicerr.h   QUIC error codes and the TLS alerts they carry (CRYPTO_ERROR)
 *   tlsalert/decode.h    hex parsing and alert-record decoding
 *   tlsalert/text.h      alerts in logs and error messages of TLS stacks
 *   tlsalert/keylog.h    NSS key logs (SSLKEYLOGFILE) keyed by client random
 *   tlsalert/decrypt.h   TLS 1.0-1.3 / DTLS record decryption with known secrets
 *   tlsalert/quic.h      QUIC packets: headers, Initial and key-log keys, protection
 *                        removal, Retry tags, frames
 *   tlsalert/capture.h   pcap/pcapng/live capture, TCP reassembly, flows
 *   tlsalert/diagnose.h  why a stack sends an alert: cause tables, ranked diagnosis
 *   tlsalert/hello.h     ClientHello / ServerHello parsing into handshake facts
 *   tlsalert/session.h   TLS/DTLS session tracking and alert events from captures
 *   tlsalert/fingerprint.h  the stack that built a hello, guessed from its shape
 *
 * Contracts that hold across the library:
 *   - It never prints, never exits and keeps no mutable global state; every
 *     function is safe to call from several threads on distinct objects.
 *   - Strings returned as `const char *` from the registry point to static
 *     storage and live as long as the program.  Anything the library
 *     allocates is released by the matching *_free() function, documented
 *     next to the function that allocates it.  Callers own the buffers they
 *     pass in.
 *   - Functions that can fail on untrusted input return 0 on success and a
 *     negative TLSA_E* code on failure, and fill a caller-provided
 *     struct tlsa_error with the byte offset and a readable message.
 */
#ifndef TLSALERT_H
#define TLSALERT_H

#include "tlsalert/registry.h"
#include "tlsalert/quicerr.h"
#include "tlsalert/decode.h"
#include "tlsalert/text.h"
#include "tlsalert/keylog.h"
#include "tlsalert/decrypt.h"
#include "tlsalert/quic.h"
#include "tlsalert/capture.h"
#include "tlsalert/diagnose.h"
#include "tlsalert/hello.h"
#include "tlsalert/session.h"
#include "tlsalert/fingerprint.h"

#endif
