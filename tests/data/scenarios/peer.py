#!/usr/bin/env python3
"""The Python (ssl module, on OpenSSL) side of the scenario captures, and the hand-built
records (tests/data/scenarios/make.sh).  One connection; errors go to stderr as Python words
them.  Not run by the tests.

  peer.py server PORT CERT KEY [--sni-only NAME] [--alpn P,..] [--ca CA --clientauth]
                 [--min V] [--max V]
  peer.py client PORT [CERT KEY] [--sni NAME] [--ca CA] [--min V] [--max V]
  peer.py bigrecord PORT --len N  a handshake record header announcing N bytes, then silence
  peer.py banner PORT          a plaintext SMTP server: a 220 banner, 500 to anything
"""
import argparse
import socket
import ssl
import sys
import time

VERS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
        "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def server(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.min:
        ctx.minimum_version = VERS[a.min]
    if a.max:
        ctx.maximum_version = VERS[a.max]
    if a.alpn:
        ctx.set_alpn_protocols(a.alpn.split(","))
    if a.clientauth:
        ctx.load_verify_locations(a.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    if a.sni_only:
        def cb(sock, name, c):
            if name != a.sni_only:
                print("server: unknown server name %r" % name, file=sys.stderr)
                return ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
            return None
        ctx.sni_callback = cb
    ls = socket.create_server(("127.0.0.1", a.port))
    ls.settimeout(8)
    c, _ = ls.accept()
    c.settimeout(5)
    try:
        s = ctx.wrap_socket(c, server_side=True)
        print("server: handshake done", s.version(), file=sys.stderr)
        data = s.recv(100)
        s.sendall(data)
        s.close()
    except (ssl.SSLError, OSError) as e:
        print("server: %s" % e, file=sys.stderr)
        c.close()


def client(a):
    ctx = ssl.create_default_context(cafile=a.ca)
    if a.min:
        ctx.minimum_version = VERS[a.min]
    if a.max:
        ctx.maximum_version = VERS[a.max]
    if a.cert:
        ctx.load_cert_chain(a.cert, a.key)
    c = socket.create_connection(("127.0.0.1", a.port), timeout=5)
    try:
        s = ctx.wrap_socket(c, server_hostname=a.sni)
        print("client: connected", s.version(), file=sys.stderr)
        s.sendall(b"hello\n")
        s.recv(100)
        s.close()
    except (ssl.SSLError, OSError) as e:
        print("client: %s" % e, file=sys.stderr)
        c.close()
        sys.exit(1)


def banner(a):
    ls = socket.create_server(("127.0.0.1", a.port))
    ls.settimeout(8)
    c, _ = ls.accept()
    c.settimeout(5)
    c.sendall(b"220 mail.example ESMTP ready\r\n")
    try:
        d = c.recv(4096)
        print("server: received %d bytes, first %s" % (len(d), d[:5].hex()), file=sys.stderr)
        c.sendall(b"500 5.5.1 command unrecognized\r\n")
        c.recv(4096)
    except OSError as e:
        print("server: %s" % e, file=sys.stderr)
    c.close()


def bigrecord(a):
    c = socket.create_connection(("127.0.0.1", a.port), timeout=5)
    # content type 22 (handshake), version 3.1, a length over 2^14 + 2048
    c.sendall(bytes([22, 3, 1, a.len >> 8, a.len & 0xff]) + b"\x01" + bytes(99))
    try:
        while True:
            d = c.recv(4096)
            if not d:
                break
            print("client: received %s" % d.hex(), file=sys.stderr)
    except OSError as e:
        print("client: %s" % e, file=sys.stderr)
    c.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("port", type=int)
    p.add_argument("cert", nargs="?")
    p.add_argument("key", nargs="?")
    p.add_argument("--sni-only")
    p.add_argument("--alpn")
    p.add_argument("--ca")
    p.add_argument("--clientauth", action="store_true")
    p.add_argument("--sni", default="localhost")
    p.add_argument("--min")
    p.add_argument("--max")
    p.add_argument("--len", type=int, default=0x6000)
    a = p.parse_args()
    {"server": server, "client": client, "bigrecord": bigrecord, "banner": banner}[a.mode](a)


if __name__ == "__main__":
    main()
