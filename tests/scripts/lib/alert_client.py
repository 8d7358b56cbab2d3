"""A Python ssl client for the `tlsalert serve` tests (tests/scripts/serve_*.sh).

    python3 alert_client.py [--tls 1.2|1.3] [--ca FILE] [--sni NAME] [--n N]
                            [--timeout SEC] HOST:PORT

Connects N times in a row, runs the handshake, sends a small HTTP request and
reads to the end; prints one line per connection: "ok" (clean close) or where
it failed and the exception's text, e.g.
"handshake: [SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:992)".
Without --ca nothing is verified (the tests judge alerts, not trust).
"""

import argparse
import socket
import ssl
import sys


def once(host, port, ctx, sni, limit):
    try:
        raw = socket.create_connection((host, port), timeout=limit)
    except OSError as e:
        return "connect: %s" % e
    with raw:
        try:
            c = ctx.wrap_socket(raw, server_hostname=sni)
        except (ssl.SSLError, OSError) as e:
            return "handshake: %s" % e
        with c:
            try:
                c.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                          % sni.encode())
                while c.recv(4096):
                    pass
                return "ok"
            except (ssl.SSLError, OSError) as e:
                return "read: %s" % e


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tls", choices=["1.2", "1.3"])
    ap.add_argument("--ca")
    ap.add_argument("--sni", default="localhost")
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("target")
    a = ap.parse_args()
    host, port = a.target.rsplit(":", 1)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if a.ca:
        ctx.load_verify_locations(a.ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if a.tls:
        v = ssl.TLSVersion.TLSv1_2 if a.tls == "1.2" else ssl.TLSVersion.TLSv1_3
        ctx.minimum_version = ctx.maximum_version = v
    for _ in range(max(1, min(a.n, 10000))):
        print(once(host.strip("[]"), int(port), ctx, a.sni, a.timeout), flush=True)


if __name__ == "__main__":
    sys.exit(main())
