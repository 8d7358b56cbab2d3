#!/usr/bin/env python3
"""Writes a web-server/application log for the `tlsalert logs` benchmark.

usage: gen_log.py OUT SIZE_MB [ALERT_PER_MILLE]

The mix, per 1000 lines (deterministic, seed fixed):
  ~600 nginx access lines (a third of them with an ssl_protocol/cipher field, "TLSv1.3 ...")
  ~300 application lines (logfmt and JSON; INFO/DEBUG mostly, ~4% WARN/ERROR with
       ordinary errors: timeouts, refused connections, SQL, HTTP 5xx)
   ~60 nginx error-log lines (upstream timeouts, connect() failed, client closed)
   ~30 Java stack-trace lines
  ALERT_PER_MILLE (default 2) lines where a TLS stack reports an alert (OpenSSL via nginx,
  Go, Java, Python, curl, GnuTLS, .NET, rustls), and as many TLS look-alikes
  (certificate verify failed, wrong version number, no shared cipher, ...).
"""
import random
import sys

out, size_mb = sys.argv[1], int(sys.argv[2])
per_mille = float(sys.argv[3]) if len(sys.argv) > 3 else 2.0
rng = random.Random(1127)

paths = ["/", "/index.html", "/api/v1/users", "/api/v1/orders/%d", "/static/app.%x.js",
         "/static/style.css", "/login", "/logout", "/api/v2/search?q=%s", "/healthz", "/metrics",
         "/images/banner-%d.png", "/api/alerts/%d", "/cart/add?item=%d"]
agents = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15",
          "curl/8.5.0", "python-requests/2.31.0", "Go-http-client/2.0", "kube-probe/1.29",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148"]
words = ["alpha", "bravo", "cart", "order", "user", "session", "token", "cache", "queue",
         "worker", "batch", "report", "invoice", "payment", "search", "index"]
ciphers = ["TLSv1.3 TLS_AES_256_GCM_SHA384", "TLSv1.3 TLS_AES_128_GCM_SHA256",
           "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256", "TLSv1.3 TLS_CHACHA20_POLY1305_SHA256"]
app_errors = ["context deadline exceeded", "connection refused", "dial tcp 10.0.3.4:5432: i/o timeout",
              "pq: duplicate key value violates unique constraint \"orders_pkey\"",
              "upstream returned 503", "redis: connection pool timeout", "EOF",
              "json: cannot unmarshal string into Go value of type int"]
alerts = [
    "{d} [info] {p}#{p}: *{n} SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48) while SSL handshaking, client: {ip}, server: 0.0.0.0:443",
    "{d} [info] {p}#{p}: *{n} SSL_do_handshake() failed (SSL: error:0A000412:SSL routines::sslv3 alert bad certificate:SSL alert number 42) while SSL handshaking, client: {ip}, server: 0.0.0.0:443",
    "{d} [error] {p}#{p}: *{n} SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: {ip}, server: api, request: \"GET /v1/ HTTP/1.1\", upstream: \"https://10.0.9.9:8443/v1/\"",
    "{t} level=error msg=\"request failed\" err=\"Get \\\"https://billing.internal:8443/charge\\\": remote error: tls: bad certificate\" req_id={n}",
    "{d} http: TLS handshake error from {ip}:{port}: remote error: tls: unknown certificate",
    "{t} ERROR [pool-{p}-thread-{p}] c.e.PaymentClient - call failed: javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure",
    "{t} ERROR urllib3.connectionpool Retrying after SSLError(SSLError(1, '[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version (_ssl.c:1006)'))",
    "* TLSv1.3 (IN), TLS alert, unknown CA (560):",
    "*** Received alert [112]: The server name sent was not recognized",
    "{t} fail: System.Net.Http.HttpRequestException: The SSL connection could not be established. ---> System.Security.Authentication.AuthenticationException: Authentication failed because the remote party sent a TLS alert: 'HandshakeFailure'.",
    "{t} WARN  hyper::client: error: received fatal alert: CertificateExpired",
]
lookalikes = [
    "{d} [crit] {p}#{p}: *{n} SSL_do_handshake() failed (SSL: error:0A0000C1:SSL routines::no shared cipher) while SSL handshaking, client: {ip}, server: 0.0.0.0:443",
    "{t} ERROR requests failed: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)",
    "{d} http: TLS handshake error from {ip}:{port}: tls: first record does not look like a TLS handshake",
    "{d} [info] {p}#{p}: *{n} SSL_read() failed (SSL: error:0A000126:SSL routines::unexpected eof while reading) while keepalive, client: {ip}",
    "{t} level=error msg=\"dial failed\" err=\"x509: certificate signed by unknown authority\"",
    "{d} [info] {p}#{p}: *{n} peer closed connection in SSL handshake while SSL handshaking, client: {ip}, server: 0.0.0.0:443",
]


def ip():
    return "%d.%d.%d.%d" % (rng.choice([10, 172, 192, 203, 198]), rng.randint(0, 255),
                            rng.randint(0, 255), rng.randint(1, 254))


def ts(i):
    return "2026-11-27T%02d:%02d:%02d.%03dZ" % ((i // 3600000) % 24, (i // 60000) % 60,
                                                 (i // 1000) % 60, i % 1000)


def nginx_date(i):
    return "2026/11/27 %02d:%02d:%02d" % ((i // 3600000) % 24, (i // 60000) % 60, (i // 1000) % 60)


def fill(tpl, i):
    return tpl.format(d=nginx_date(i), t=ts(i), p=rng.randint(1, 64), n=rng.randint(1, 10 ** 7),
                      ip=ip(), port=rng.randint(1024, 65535))


def access(i):
    p = rng.choice(paths)
    if "%" in p:
        p = p % (rng.randint(1, 99999) if "%d" in p or "%x" in p else rng.choice(words))
    line = '%s - - [27/Nov/2026:%02d:%02d:%02d +0000] "%s %s HTTP/%s" %d %d "-" "%s" %.3f' % (
        ip(), (i // 3600000) % 24, (i // 60000) % 60, (i // 1000) % 60,
        rng.choice(["GET", "GET", "GET", "POST", "PUT"]), p, rng.choice(["1.1", "2.0"]),
        rng.choice([200, 200, 200, 200, 304, 301, 404, 500, 502]), rng.randint(0, 200000),
        rng.choice(agents), rng.random())
    if rng.random() < 0.33:
        line += " " + rng.choice(ciphers)
    return line


def app(i):
    r = rng.random()
    if r < 0.04:
        lvl, msg = rng.choice(["WARN", "ERROR"]), "operation failed: " + rng.choice(app_errors)
    else:
        lvl = rng.choice(["INFO", "INFO", "INFO", "DEBUG"])
        msg = "%s %s processed in %d ms" % (rng.choice(words), rng.choice(words), rng.randint(1, 900))
    if rng.random() < 0.5:
        return '%s level=%s caller=%s.go:%d msg="%s" req_id=%x' % (
            ts(i), lvl.lower(), rng.choice(words), rng.randint(10, 900), msg, rng.getrandbits(48))
    return '{"ts":"%s","level":"%s","logger":"%s","msg":"%s","duration_ms":%d}' % (
        ts(i), lvl, rng.choice(words), msg, rng.randint(1, 900))


def nginx_error(i):
    return "%s [%s] %d#%d: *%d %s, client: %s, server: api, request: \"GET /v1/ HTTP/1.1\"" % (
        nginx_date(i), rng.choice(["error", "warn", "info"]), rng.randint(1, 64), rng.randint(1, 64),
        rng.randint(1, 10 ** 7),
        rng.choice(["upstream timed out (110: Connection timed out) while reading response header from upstream",
                    "connect() failed (111: Connection refused) while connecting to upstream",
                    "client closed connection while waiting for request",
                    "open() \"/srv/www/favicon.ico\" failed (2: No such file or directory)"]), ip())


def java(i):
    return "\tat com.example.%s.%sService.handle(%sService.java:%d)" % (
        rng.choice(words), rng.choice(words).title(), rng.choice(words).title(), rng.randint(10, 900))


# A pool of lines, then random picks from it: fast and still varied.
pool_plain = []
for i in range(60000):
    r = rng.random()
    if r < 0.6:
        pool_plain.append(access(i))
    elif r < 0.9:
        pool_plain.append(app(i))
    elif r < 0.96:
        pool_plain.append(nginx_error(i))
    else:
        pool_plain.append(java(i))
pool_alert = [fill(rng.choice(alerts), i) for i in range(2000)]
pool_look = [fill(rng.choice(lookalikes), i) for i in range(2000)]

target = size_mb * 1000 * 1000
written = 0
n_alert = 0
p_alert = per_mille / 1000.0
with open(out, "w") as f:
    while written < target:
        batch = []
        for _ in range(20000):
            r = rng.random()
            if r < p_alert:
                batch.append(rng.choice(pool_alert))
                n_alert += 1
            elif r < 2 * p_alert:
                batch.append(rng.choice(pool_look))
            else:
                batch.append(rng.choice(pool_plain))
        s = "\n".join(batch) + "\n"
        f.write(s)
        written += len(s)
print("%s: %d bytes, %d alert lines" % (out, written, n_alert), file=sys.stderr)
