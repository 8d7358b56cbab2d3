#!/usr/bin/env python3
"""Writes alerts.tsv: log and error lines shaped like the real output of each TLS
stack (formats: /work/shared/reference/log-formats.md), one per row, with the alert
code and direction a reader of the line should conclude.

usage: make_alerts.py > alerts.tsv      (the .tsv is committed; tests read only it)

Columns: expected_code  expected_direction  stack  line
"""
import random

rng = random.Random(20261127)

IANA = {0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
        22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure",
        41: "no_certificate", 42: "bad_certificate", 43: "unsupported_certificate",
        44: "certificate_revoked", 45: "certificate_expired", 46: "certificate_unknown",
        47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied", 50: "decode_error",
        51: "decrypt_error", 60: "export_restriction", 70: "protocol_version",
        71: "insufficient_security", 80: "internal_error", 86: "inappropriate_fallback",
        90: "user_canceled", 100: "no_renegotiation", 109: "missing_extension",
        110: "unsupported_extension", 111: "certificate_unobtainable", 112: "unrecognized_name",
        113: "bad_certificate_status_response", 114: "bad_certificate_hash_value",
        115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol"}
SSLV3 = {10, 20, 30, 40, 41, 42, 43, 44, 45, 46, 47}
TLSV13 = {109, 116}
NOALERT = {110, 111, 112, 113, 114}


def ossl_reason(c, style="1.x"):
    words = IANA[c].replace("_", " ")
    if c == 90:
        words = "user cancelled"
    if c == 115:
        words = "unknown psk identity"
    if c in NOALERT:
        return "tlsv1 " + words
    if style == "3.2" and c in SSLV3:
        return "ssl/tls alert " + words
    if style == "4":
        return "tls alert " + words
    pre = "sslv3" if c in SSLV3 else "tlsv13" if c in TLSV13 else "tlsv1"
    return "%s alert %s" % (pre, words)


def ossl_symbol(c):
    if c in NOALERT:
        return "TLSV1_" + IANA[c].upper()
    pre = "SSLV3" if c in SSLV3 else "TLSV13" if c in TLSV13 else "TLSV1"
    name = IANA[c].upper()
    if c == 90:
        name = "USER_CANCELLED"
    return "%s_ALERT_%s" % (pre, name)


def boring_symbol(c):
    pre = "SSLV3" if c in SSLV3 else "TLSV1"
    return "%s_ALERT_%s" % (pre, IANA[c].upper())


GO = {10: "unexpected message", 20: "bad record MAC", 21: "decryption failed", 22: "record overflow",
      40: "handshake failure", 42: "bad certificate", 43: "unsupported certificate",
      44: "revoked certificate", 45: "expired certificate", 46: "unknown certificate",
      47: "illegal parameter", 48: "unknown certificate authority", 49: "access denied",
      50: "error decoding message", 51: "error decrypting message",
      70: "protocol version not supported", 71: "insufficient security level",
      80: "internal error", 86: "inappropriate fallback", 90: "user canceled",
      100: "no renegotiation", 109: "missing extension", 110: "unsupported extension",
      112: "unrecognized name", 113: "bad certificate status response",
      115: "unknown PSK identity", 116: "certificate required", 120: "no application protocol"}
RUSTLS = {10: "UnexpectedMessage", 20: "BadRecordMac", 40: "HandshakeFailure", 42: "BadCertificate",
          43: "UnsupportedCertificate", 44: "CertificateRevoked", 45: "CertificateExpired",
          46: "CertificateUnknown", 47: "IllegalParameter", 48: "UnknownCA", 49: "AccessDenied",
          50: "DecodeError", 51: "DecryptError", 70: "ProtocolVersion",
          71: "InsufficientSecurity", 80: "InternalError", 86: "InappropriateFallback",
          90: "UserCanceled", 109: "MissingExtension", 110: "UnsupportedExtension",
          112: "UnrecognisedName", 115: "UnknownPSKIdentity", 116: "CertificateRequired",
          120: "NoApplicationProtocol"}
DOTNET = {10: "UnexpectedMessage", 20: "BadRecordMac", 40: "HandshakeFailure", 42: "BadCertificate",
          43: "UnsupportedCert", 44: "CertificateRevoked", 45: "CertificateExpired",
          46: "CertificateUnknown", 47: "IllegalParameter", 48: "UnknownCA", 49: "AccessDenied",
          50: "DecodeError", 51: "DecryptError", 70: "ProtocolVersion", 71: "InsuffientSecurity",
          80: "InternalError", 90: "UserCanceled", 100: "NoRenegotiation", 110: "UnsupportedExt"}
GNUTLS = {10: "Unexpected message", 20: "Bad record MAC", 40: "Handshake failed",
          42: "Certificate is bad", 43: "Certificate is not supported",
          44: "Certificate was revoked", 45: "Certificate is expired", 46: "Unknown certificate",
          47: "Illegal parameter", 48: "CA is unknown", 49: "Access was denied",
          50: "Decode error", 51: "Decrypt error", 70: "Error in protocol version",
          71: "Insufficient security", 80: "Internal error", 86: "Inappropriate fallback",
          90: "User canceled", 100: "No renegotiation is allowed",
          109: "An extension was expected but was not seen",
          110: "An unsupported extension was sent",
          112: "The server name sent was not recognized",
          115: "The SRP/PSK username is missing or not known", 116: "Certificate is required",
          120: "No supported application protocol could be negotiated"}
NSS = {20: ("SSL_ERROR_BAD_MAC_ALERT", -12272), 42: ("SSL_ERROR_BAD_CERT_ALERT", -12271),
       44: ("SSL_ERROR_REVOKED_CERT_ALERT", -12270), 45: ("SSL_ERROR_EXPIRED_CERT_ALERT", -12269),
       10: ("SSL_ERROR_HANDSHAKE_UNEXPECTED_ALERT", -12229),
       40: ("SSL_ERROR_HANDSHAKE_FAILURE_ALERT", -12227),
       47: ("SSL_ERROR_ILLEGAL_PARAMETER_ALERT", -12226),
       43: ("SSL_ERROR_UNSUPPORTED_CERT_ALERT", -12225),
       46: ("SSL_ERROR_CERTIFICATE_UNKNOWN_ALERT", -12224),
       48: ("SSL_ERROR_UNKNOWN_CA_ALERT", -12195), 49: ("SSL_ERROR_ACCESS_DENIED_ALERT", -12194),
       50: ("SSL_ERROR_DECODE_ERROR_ALERT", -12193), 51: ("SSL_ERROR_DECRYPT_ERROR_ALERT", -12192),
       70: ("SSL_ERROR_PROTOCOL_VERSION_ALERT", -12190),
       71: ("SSL_ERROR_INSUFFICIENT_SECURITY_ALERT", -12189),
       80: ("SSL_ERROR_INTERNAL_ERROR_ALERT", -12188),
       86: ("SSL_ERROR_INAPPROPRIATE_FALLBACK_ALERT", -12157),
       109: ("SSL_ERROR_MISSING_EXTENSION_ALERT", -12145),
       112: ("SSL_ERROR_UNRECOGNIZED_NAME_ALERT", -12182),
       116: ("SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT", -12107)}
APPLE = {10: ("errSSLPeerUnexpectedMsg", -9819), 20: ("errSSLPeerBadRecordMac", -9820),
         40: ("errSSLPeerHandshakeFail", -9824), 42: ("errSSLPeerBadCert", -9825),
         43: ("errSSLPeerUnsupportedCert", -9826), 44: ("errSSLPeerCertRevoked", -9827),
         45: ("errSSLPeerCertExpired", -9828), 46: ("errSSLPeerCertUnknown", -9829),
         48: ("errSSLPeerUnknownCA", -9831), 49: ("errSSLPeerAccessDenied", -9832),
         50: ("errSSLPeerDecodeError", -9833), 51: ("errSSLPeerDecryptError", -9834),
         70: ("errSSLPeerProtocolVersion", -9836), 71: ("errSSLPeerInsufficientSecurity", -9837),
         80: ("errSSLPeerInternalError", -9838), 90: ("errSSLPeerUserCancelled", -9839)}
ERLANG = {10: "Unexpected Message", 20: "Bad Record MAC", 40: "Handshake Failure",
          42: "Bad Certificate", 43: "Unsupported Certificate", 44: "Certificate Revoked",
          45: "Certificate Expired", 46: "Certificate Unknown", 47: "Illegal Parameter",
          48: "Unknown CA", 49: "Access Denied", 50: "Decode Error", 51: "Decrypt Error",
          70: "Protocol Version", 71: "Insufficient Security", 80: "Internal Error",
          86: "Inappropriate Fallback", 90: "User Canceled", 109: "Missing extension",
          110: "Unsupported Extension", 112: "Unrecognised Name", 115: "Unknown Psk Identity",
          116: "Certificate required", 120: "No application protocol"}
LONGNAME = {0: "close notify", 10: "unexpected message", 20: "bad record mac",
            40: "handshake failure", 42: "bad certificate", 43: "unsupported certificate",
            44: "certificate revoked", 45: "certificate expired", 46: "certificate unknown",
            47: "illegal parameter", 48: "unknown CA", 49: "access denied", 50: "decode error",
            51: "decrypt error", 70: "protocol version", 71: "insufficient security",
            80: "internal error", 90: "user canceled", 110: "unsupported extension",
            112: "unrecognized name", 115: "unknown PSK identity",
            120: "no application protocol"}
WIRESHARK = {0: "Close Notify", 10: "Unexpected Message", 20: "Bad Record MAC",
             40: "Handshake Failure", 42: "Bad Certificate", 45: "Certificate Expired",
             46: "Certificate Unknown", 47: "Illegal Parameter", 48: "Unknown CA",
             50: "Decode Error", 51: "Decrypt Error", 70: "Protocol Version",
             71: "Insufficient Security", 80: "Internal Error", 86: "Inappropriate Fallback",
             109: "Missing Extension", 112: "Unrecognized Name", 116: "Certificate Required",
             120: "No application Protocol"}

COMMON = [40, 42, 45, 46, 47, 48, 50, 51, 70, 80, 112, 116, 120]
rows = []


def add(code, direction, stack, line):
    assert "\t" not in line and "\n" not in line
    rows.append((code, direction, stack, line))


def ts():
    return "2026-%02d-%02d %02d:%02d:%02d" % (rng.randint(1, 12), rng.randint(1, 28),
                                              rng.randint(0, 23), rng.randint(0, 59),
                                              rng.randint(0, 59))


def ip():
    return "%d.%d.%d.%d" % (rng.choice([10, 192, 172, 203]), rng.randint(0, 255),
                            rng.randint(0, 255), rng.randint(1, 254))


all_codes = sorted(IANA)
for c in [c for c in all_codes if c not in (0, 1)]:
    r = 1000 + c
    add(c, "received", "openssl-3", "%016X:error:%08X:SSL routines:ssl3_read_bytes:%s:"
        "ssl/record/rec_layer_s3.c:%d:SSL alert number %d" % (rng.getrandbits(64), 0x0A000000 | r,
                                                              ossl_reason(c), rng.randint(300, 1700), c))
for c in COMMON + [10, 20, 44, 49, 71, 86, 90, 100, 110, 115]:
    r = 1000 + c
    add(c, "received", "nginx", "%s [info] %d#%d: *%d SSL_do_handshake() failed (SSL: error:%08X:SSL "
        "routines:ssl3_read_bytes:%s:SSL alert number %d) while SSL handshaking, client: %s, "
        "server: 0.0.0.0:443" % (ts().replace("-", "/"), rng.randint(1, 999), rng.randint(1, 9),
                                 rng.randint(1, 99999), 0x14094000 | r, ossl_reason(c), c, ip()))
for c in COMMON + [10, 20, 43, 44, 49]:
    style = "3.2" if c in SSLV3 else "1.x"
    add(c, "received", "curl", "curl: (35) TLS connect error: error:%08X:SSL routines::%s" %
        (0x0A000000 | (1000 + c), ossl_reason(c, style)))
for c in [40, 42, 46, 48, 70, 112, 116]:
    add(c, "received", "openssl-4", "sslize error: error:%08X:SSL routines::%s" %
        (0x0A000000 | (1000 + c), ossl_reason(c, "4")))
for c in COMMON + [10, 20, 44, 71, 86, 109, 115]:
    add(c, "received", "python", "ssl.SSLError: [SSL: %s] %s (_ssl.c:%d)" %
        (ossl_symbol(c), ossl_reason(c), rng.choice([997, 1000, 1006, 1007, 1056, 1124, 2560])))
for c in [40, 42, 48, 70, 112]:
    add(c, "received", "python", "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.example.com', "
        "port=443): Max retries exceeded with url: /v1/ (Caused by SSLError(SSLError(1, '[SSL: %s] "
        "%s (_ssl.c:1006)')))" % (ossl_symbol(c), ossl_reason(c)))
for c in [40, 42, 46, 48, 70, 80, 112, 116]:
    add(c, "received", "nodejs", "Error: write EPROTO %d:error:%08X:SSL routines:ssl3_read_bytes:%s:"
        "../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1544:SSL alert number %d" %
        (rng.getrandbits(47), 0x14094000 | (1000 + c), ossl_reason(c), c))
    add(c, "received", "nodejs", "  code: 'ERR_SSL_%s'" % ossl_symbol(c).replace("TLSV1_UNRECOGNIZED", "TLSV1_UNRECOGNIZED"))
for c in [40, 42, 45, 46, 48, 50, 70, 80, 112, 120, 121 - 1]:
    sym = boring_symbol(c) if c != 112 else "TLSV1_ALERT_UNRECOGNIZED_NAME"
    add(c, "received", "boringssl", "[%s][%d][debug][connection] [source/common/tls/ssl_socket.cc:%d] "
        "[C%d] remote address:%s:443,TLS_error:|%d:SSL routines:OPENSSL_internal:%s:TLS_error_end" %
        (ts(), rng.randint(1, 40), rng.randint(200, 300), rng.randint(1, 9999), ip(),
         0x10000000 | (1000 + c), sym))
for c in [42, 46, 48, 112]:
    sym = boring_symbol(c) if c != 112 else "TLSV1_ALERT_UNRECOGNIZED_NAME"
    add(c, "received", "boringssl", "javax.net.ssl.SSLHandshakeException: Read error: ssl=0x7b%08x: Failure in SSL "
        "library, usually a protocol error error:%08x:SSL routines:OPENSSL_internal:%s "
        "(../ssl/tls_record.cc:587 0x7b%08x:0x00000001)" % (rng.getrandbits(32), 0x10000000 | (1000 + c),
                                                            sym, rng.getrandbits(32)))
for c in [40, 42, 48]:
    add(c, "received", "dart", "HandshakeException: Handshake error in client (OS Error: %s(../../third_party/"
        "boringssl/src/ssl/tls_record.cc:594))" % boring_symbol(c))
# LibreSSL's TLS 1.3 stack (function ST_CONNECT, no "SSL alert number"): an alert it sent
# (tls13_alert_sent_cb; curl/curl#6790).
for c in [40, 48, 50, 70]:
    add(c, "sent", "libressl", "curl: (35) error:1404B%03X:SSL routines:ST_CONNECT:%s" %
        (1000 + c, ossl_reason(c)))
for c in [42, 48, 45]:
    add(c, "received", "postgresql", "psql: error: connection to server at \"db.internal\" (%s), port 5432 "
        "failed: SSL error: %s" % (ip(), ossl_reason(c)))
add(48, "received", "postgresql", "%s UTC [%d] LOG:  could not accept SSL connection: SSL error code 336151576" %
    (ts(), rng.randint(100, 9999)))
for c in [42, 48, 50]:
    add(c, "received", "postfix", "Nov 27 10:%02d:%02d mx postfix/smtpd[%d]: warning: TLS library problem: "
        "error:%08X:SSL routines:ssl3_read_bytes:%s:s3_pkt.c:1493:SSL alert number %d:" %
        (rng.randint(0, 59), rng.randint(0, 59), rng.randint(100, 99999), 0x14094000 | (1000 + c),
         ossl_reason(c), c))
for c in [42, 48, 46]:
    add(c, "received", "apache", "[%s] [ssl:info] [pid %d] [client %s:%d] AH02008: SSL library error 1 in "
        "handshake (server www.example.com:443) SSL Library Error: error:%08X:SSL routines:"
        "ssl3_read_bytes:%s (SSL alert number %d)" % (ts(), rng.randint(100, 9999), ip(),
                                                      rng.randint(1024, 65535), 0x14094000 | (1000 + c),
                                                      ossl_reason(c), c))
for c in [45, 48, 40]:
    add(c, "received", "ruby", "OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr=%s:443 "
        "state=error: %s" % (ip(), ossl_reason(c)))
for c in [40, 48, 70, 112]:
    add(c, "received", "openssl-state", "SSL3 alert read:fatal:%s" % LONGNAME[c])
for c in [40, 48, 42]:
    add(c, "sent", "openssl-state", "SSL3 alert write:fatal:%s" % LONGNAME[c])
add(0, "sent", "openssl-state", "SSL3 alert write:warning:close notify")
for c in [40, 48, 70, 116]:
    add(c, "received", "openssl-msg", "<<< TLS 1.%d, Alert [length 0002], fatal %s" %
        (rng.choice([2, 3]), IANA[c]))
for c in [48, 42, 116]:
    add(c, "sent", "openssl-msg", ">>> TLS 1.2, Alert [length 0002], fatal %s" % IANA[c])
add(-1, "received", "openssl-msg", "<<< TLS 1.3, Alert [length 0002], fatal ???")
for c in [40, 48, 42, 45, 46, 70, 80, 112, 120, 0]:
    add(c, "received", "curl", "* TLSv1.%d (IN), TLS alert, %s (%d):" %
        (rng.choice([2, 3]), LONGNAME[c], (1 if c == 0 else 2) * 256 + c))
for c in [42, 46, 48]:
    add(c, "sent", "curl", "* TLSv1.2 (OUT), TLS alert, %s (%d):" % (LONGNAME[c], 512 + c))
add(-1, "received", "curl", "curl: (35) schannel: next InitializeSecurityContext failed: SEC_E_ILLEGAL_MESSAGE "
    "(0x80090326) - This error usually occurs when a fatal SSL/TLS alert is received (e.g. handshake "
    "failed). More detail may be available in the Windows System event log.")
for c in sorted(GO):
    add(c, "received", "go", "%s http: TLS handshake error from %s:%d: remote error: tls: %s" %
        (ts().replace("-", "/"), ip(), rng.randint(1024, 65535), GO[c]))
for c in [20, 40, 42, 46, 47, 48, 50, 51, 70, 80, 112, 120]:
    add(c, "sent", "go", "read tcp %s:%d->%s:443: local error: tls: %s" %
        (ip(), rng.randint(1024, 65535), ip(), GO[c]))
for c in [112, 117, 60]:
    add(c, "received", "go", "Get \"https://svc.internal:8443/healthz\": remote error: tls: alert(%d)" % c)
for c in [40, 42, 48]:
    add(c, "received", "go", "grpc: addrConn.createTransport failed to connect to {api:443}. Err: connection error: "
        "desc = \"transport: authentication handshake failed: remote error: tls: %s\"" % GO[c])
for c in [112, 120, 40, 116]:
    add(c, "received", "quic", "CRYPTO_ERROR 0x%x (remote): tls: %s" % (0x100 + c, GO[c]))
for c in [120, 40]:
    add(c, "sent", "quic", "CRYPTO_ERROR 0x%x (local): tls: %s" % (0x100 + c, GO[c]))
for c in [40, 42, 46, 48, 49, 70, 80, 112, 116, 120, 10, 20, 0]:
    add(c, "received", "java", "javax.net.ssl.SSLHandshakeException: Received fatal alert: %s" % IANA[c])
for c in [22, 20]:
    add(c, "received", "java", "javax.net.ssl.SSLException: Received fatal alert: %s" % IANA[c])
add(46, "received", "java", "io.netty.handler.codec.DecoderException: javax.net.ssl.SSLHandshakeException: "
    "Received fatal alert: certificate_unknown")
add(112, "received", "java", "javax.net.ssl.SSLProtocolException: handshake alert:  unrecognized_name")
for c in [40, 70, 48]:
    add(c, "received", "java", "main, RECV TLSv1.2 ALERT:  fatal, description = %s" % IANA[c])
for c in [46, 40]:
    add(c, "sent", "java", "main, SEND TLSv1.2 ALERT:  fatal, description = %s" % IANA[c])
for c in [46, 40, 116]:
    add(c, "sent", "java", "javax.net.ssl|ERROR|%02d|main|%s.%03d UTC|TransportContext.java:%d|Fatal (%s): "
        "Couldn't kickstart handshaking (" % (rng.randint(1, 40), ts(), rng.randint(0, 999),
                                               rng.randint(300, 400), IANA[c].upper()))
add(46, "sent", "java", "javax.net.ssl.SSLHandshakeException: (certificate_unknown) PKIX path building failed: "
    "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification "
    "path to requested target")
for c in [40, 71]:
    add(c, "received", "bouncycastle", "org.bouncycastle.tls.TlsFatalAlertReceived: %s(%d)" % (IANA[c], c))
    add(c, "sent", "bouncycastle", "org.bouncycastle.tls.TlsFatalAlert: %s(%d)" % (IANA[c], c))
for c in sorted(RUSTLS):
    add(c, "received", "rustls", "Error: Custom { kind: InvalidData, error: \"received fatal alert: %s\" }" %
        RUSTLS[c])
for c in [48, 40, 112, 116, 120, 42]:
    prose = {48: "found the certificate was not issued by a trusted CA",
             40: "failed to negotiate an acceptable set of security parameters",
             112: "did not recognize a name in the `server_name` extension",
             116: "required a client certificate",
             120: "did not support any of the offered application protocols",
             42: "rejected the certificate as corrupt or incorrectly signed"}[c]
    add(c, "received", "rustls", "error: io error: received fatal alert: the peer %s" % prose)
for c in [42, 48]:
    add(c, "sent", "rustls", "[%sZ WARN  rustls::conn] Sending fatal alert %s" % (ts().replace(" ", "T"),
                                                                              RUSTLS[c]))
for c in sorted(DOTNET):
    add(c, "received", "dotnet", "System.Security.Authentication.AuthenticationException: Authentication failed "
        "because the remote party sent a TLS alert: '%s'." % DOTNET[c])
for c in [112, 116, 120]:
    add(c, "received", "dotnet", " ---> System.Security.Authentication.AuthenticationException: Authentication "
        "failed because the remote party sent a TLS alert: '%d'." % c)
for c in [20, 40, 42, 46, 48, 70, 80, 10]:
    add(c, "received", "schannel", "Error\t%s\tSchannel\t36887\tNone\tA fatal alert was received from the remote "
        "endpoint. The TLS protocol defined fatal alert code is %d." % (ts(), c) if False else
        "Error %s Schannel 36887 None A fatal alert was received from the remote endpoint. The TLS "
        "protocol defined fatal alert code is %d." % (ts(), c))
for c in [40, 46, 48, 70, 80]:
    add(c, "sent", "schannel", "A fatal alert was generated and sent to the remote endpoint. This may result in "
        "termination of the connection. The TLS protocol defined fatal error code is %d. The Windows "
        "SChannel error state is %d." % (c, rng.choice([1205, 1203, 960, 552])))
add(-1, "sent", "schannel", "Error %s Schannel 36874 None An TLS 1.2 connection request was received from a remote "
    "client application, but none of the cipher suites supported by the client application are "
    "supported by the server. The TLS connection request has failed." % ts())
for c in [40, 47, 48, 112, 70, 42, 45]:
    add(c, "received", "gnutls", "*** Received alert [%d]: %s" % (c, GNUTLS[c]))
for c in [47, 40, 48, 70, 112, 120]:
    add(c, "received", "gnutls", "* gnutls_handshake() failed: %s" % GNUTLS[c])
for c in [40, 48]:
    add(c, "received", "gnutls", "curl: (35) GnuTLS, handshake failed: %s" % GNUTLS[c])
for c in [47, 40]:
    add(c, "received", "wget", "GnuTLS: received alert [%d]: %s" % (c, GNUTLS[c]))
add(-1, "received", "gnutls", "*** Fatal error: A TLS fatal alert has been received.")
add(48, "received", "gnutls", "|<4>| REC[0x55d1c0a0]: Alert[2|48] - CA is unknown - was received")
add(70, "sent", "gnutls", "|<4>| REC: Sending Alert[2|70] - Error in protocol version")
for c in sorted(NSS):
    name, num = NSS[c]
    add(c, "received", "nss", "* NSS error %d (%s)" % (num, name))
for c in [40, 45, 48, 112]:
    add(c, "received", "firefox", "Secure Connection Failed. An error occurred during a connection to "
        "example.com. Error code: %s" % NSS[c][0].lower())
for c in sorted(APPLE):
    name, num = APPLE[c]
    add(c, "received", "apple", "%s MyApp[%d:%d] CFNetwork SSLHandshake failed (%d)" %
        (ts(), rng.randint(100, 999), rng.randint(1000, 99999), num))
for c in [48, 40, 45]:
    add(c, "received", "apple", "Error Domain=NSOSStatusErrorDomain Code=%d \"%s\"" % (APPLE[c][1], APPLE[c][0]))
for c in [40, 48, 112, 116, 70, 42]:
    add(c, "received", "mbedtls", "ssl_msg.c:%d: |2| got an alert message, type: [2:%d]" % (rng.randint(4000, 5000), c))
for c in [42, 40]:
    add(c, "sent", "mbedtls", "ssl_msg.c:4891: |3| send alert level=2 message=%d" % c)
add(-1, "received", "mbedtls", "E (%d) esp-tls-mbedtls: mbedtls_ssl_handshake returned -0x7780" % rng.randint(1000, 99999))
add(-1, "received", "mbedtls", "mbedtls_ssl_handshake returned -0x7780: SSL - A fatal alert message was received from our peer")
add(-1, "received", "wolfssl", "wolfSSL_connect error -313, received alert fatal error")
for c in sorted(ERLANG):
    add(c, "received", "erlang", "=NOTICE REPORT==== %s ===\\nTLS client: In state hello received SERVER ALERT: "
        "Fatal - %s" % (ts(), ERLANG[c]) if False else
        "TLS client: In state %s received SERVER ALERT: Fatal - %s" %
        (rng.choice(["hello", "certify", "wait_cert_cr", "wait_finished"]), ERLANG[c]))
for c in [48, 42, 45, 46]:
    add(c, "sent", "erlang", "{error,{tls_alert,{%s,\"TLS client: In state certify at ssl_handshake.erl:%d "
        "generated CLIENT ALERT: Fatal - %s\\n\"}}}" % (IANA[c], rng.randint(1000, 2200), ERLANG[c]))
for c in [40, 48, 112, 70, 20, 120]:
    add(c, "unknown", "wireshark", "%5d %11.6f %s → %s TLSv1.2 61 Alert (Level: Fatal, Description: %s)" %
        (rng.randint(1, 999), rng.random() * 10, ip(), ip(), WIRESHARK[c]))
add(-1, "unknown", "wireshark", "   14   0.010312 192.0.2.10 → 192.0.2.20 TLSv1.3 78 Encrypted Alert")
add(46, "received", "ocaml-tls", "TLS failure: TLS alert from peer: unknown 46")
add(40, "received", "serenity", "We were alerted of a critical error: 40 (HandshakeFailure)")
add(20, "received", "haskell-tls", "HandshakeFailed (Error_Protocol (\"received fatal error: BadRecordMac\",True,BadRecordMac))")
add(40, "received", "tlslite", "tlslite.errors.TLSRemoteAlert: handshake_failure")
add(10, "sent", "tlslite", "tlslite.errors.TLSLocalAlert: unexpected_message: Received ApplicationData instead of Finished")
add(112, "received", "chrome", "[1127/103000.123:ERROR:ssl_client_socket_impl.cc(985)] handshake failed; returned -1, "
    "SSL error code 1, net_error -159 net::ERR_SSL_UNRECOGNIZED_NAME_ALERT")
add(112, "received", "msquic", "[conn][0x7f1c] CRYPTO_ERROR 0x170 (remote): tls: unrecognized name")

add(117, "received", "rustls", "Error: received fatal alert: the peer sent an unknown alert (0x75)")
add(-1, "received", "gnutls", "gnutls_handshake: GNUTLS_E_FATAL_ALERT_RECEIVED (-12)")
add(-1, "received", "gnutls", "GnuTLS error: #<process api.example.com<1>>, -12")
add(-1, "received", "java", "javax.net.ssl|DEBUG|01|main|%s.%03d UTC|Alert.java:238|Received alert message (" %
    (ts(), rng.randint(0, 999)))
for c in [112, 40]:
    add(c, "received", "zcrypto", "remote error: alert(%d)" % c)
add(48, "received", "python", "[('SSL routines', 'SSL3_READ_BYTES', 'tlsv1 alert unknown ca')]")
add(40, "received", "python", "ssl.SSLError: [SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] ssl/tls alert handshake failure (_ssl.c:1000)")
add(42, "received", "kamailio", " 5(12) ERROR: tls [tls_server.c:1196]: tls_h_read_f(): TLS accept:error:0A000412:SSL routines::sslv3 alert bad certificate")
add(40, "received", "openssl-1.0", "139899582240576:error:14077410:SSL routines:SSL23_GET_SERVER_HELLO:sslv3 alert handshake failure:s23_clnt.c:769:")
add(40, "received", "dotnet", "System.Net.Security.HandshakeFailed(isServer: False, targetName: api, exceptionMessage: Authentication failed because the remote party sent a TLS alert: 'HandshakeFailure'.)")

# QUIC (issue 16): CRYPTO_ERROR = 0x100 + alert, as each stack prints it (real lines: ngtcp2
# 0.12 client and server on loopback, quic-go users' logs, Envoy/Chromium reasons).
add(40, "received", "ngtcp2", "I00000005 0xb4382c8cc67a0aec3a9dd90ffe3b2b0403 frm rx 0 Initial CONNECTION_CLOSE(0x1c) "
    "error_code=CRYPTO_ERROR(0x128) frame_type=0 reason_len=0 reason=[]")
add(40, "sent", "ngtcp2", "I00000005 0xa609e11b22f8069c183a8303dd668e25bb6e frm tx 0 Initial CONNECTION_CLOSE(0x1c) "
    "error_code=CRYPTO_ERROR(0x128) frame_type=0 reason_len=0 reason=[]")
add(116, "received", "ngtcp2", "I00000025 0x94a3d1d4d9f9198d42b88a8fda152a5c55 frm rx 1 Handshake CONNECTION_CLOSE(0x1c) "
    "error_code=CRYPTO_ERROR(0x174) frame_type=0 reason_len=0 reason=[]")
add(116, "sent", "ngtcp2", "I00000020 0x6b343387451eb09a181797e0caffaae9610e frm tx 1 1RTT CONNECTION_CLOSE(0x1c) "
    "error_code=CRYPTO_ERROR(0x174) frame_type=0 reason_len=0 reason=[]")
add(46, "received", "quic", "2025/10/17 21:40:09 server Closing connection with error: CRYPTO_ERROR 0x12e (remote) "
    "(frame type: 0x6): 199:TLS handshake failure (ENCRYPTION_HANDSHAKE) 46: certificate unknown.")
add(49, "received", "quic", "login failed: CRYPTO_ERROR 0x131 (remote): tls: access denied")
add(120, "unknown", "quic", "CRYPTO_ERROR (0x178): no suitable application protocol")
add(42, "received", "qlog", '{"time":12.5,"name":"transport:connection_closed","data":{"initiator":"remote",'
    '"connection_error":"crypto_error_0x12a","reason":"tls: bad certificate"}}')
add(40, "unknown", "qlog", '{"frame_type":"connection_close","error_space":"transport","error":"crypto_error_0x128"}')
add(120, "received", "msquic", "[0]5F0C.6A10::2024/02/01-10:00:00.000000000 [Microsoft-Quic][conn][0x1D2C8F0] "
    "Transport Shutdown: 376 (Remote=1) (QS=0)")
add(42, "sent", "msquic", "[1][2e73.2e8b][09:54:03.528362][conn][0x7f30ac0dcff0] Transport Shutdown: "
    "18446744071566328106 (Remote=0) (QS=1)")
add(42, "unknown", "msquic", "[conn][0x7f1c2c001c40] Shut down by transport, 0x8041012a")
add(120, "received", "quiche", "[2024-05-01T10:00:00Z INFO  quiche_client] connection closed, "
    "peer_error=Some(ConnectionError { is_app: false, error_code: 376, reason: [] })")
add(48, "sent", "quiche", "connection closed, local_error=Some(ConnectionError { is_app: false, error_code: 304, reason: [] })")
add(120, "received", "neqo", "Connection closed: Transport(PeerError(376))")
add(47, "sent", "neqo", "State::Closed(ConnectionError::Transport(Error::CryptoAlert(47)))")
add(120, "unknown", "neqo", "neqo-client: Closed(Transport(376))")
# Chromium sent it: BoringSSL's own CERTIFICATE_VERIFY_FAILED is in the reason.
add(46, "sent", "chromium", "Failed to establish a connection to https://127.0.0.1:8642/: "
    "net::ERR_QUIC_PROTOCOL_ERROR.QUIC_TLS_CERTIFICATE_UNKNOWN (TLS handshake failure (ENCRYPTION_HANDSHAKE) 46: "
    "certificate unknown. SSLErrorStack:[handshake.cc:298] error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED).")
add(46, "received", "chromium", '{"params":{"details":"TLS handshake failure (ENCRYPTION_HANDSHAKE) 46: certificate '
    'unknown","from_peer":true,"quic_error":199},"phase":0,"source":{"id":27,"type":10},"time":"12345","type":350}')
add(116, "sent", "chromium", 'QUIC_SESSION_CLOSED {"from_peer": false, "quic_error": 202}')
add(46, "unknown", "envoy", "QUIC_HANDSHAKE_FAILED with details: TLS handshake failure (ENCRYPTION_HANDSHAKE) 46: "
    "certificate unknown")
add(120, "received", "lsquic", "[INFO] conn: Received CONNECTION_CLOSE frame (transport-level code: 376; reason: "
    "no suitable application protocol)")

print("# expected_code\texpected_direction\tstack\tline   (generated by make_alerts.py; -1 = an alert the line does not name)")
for code, d, stack, line in rows:
    print("%d\t%s\t%s\t%s" % (code, d, stack, line))
