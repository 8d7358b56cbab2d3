#!/usr/bin/env python3
"""A STARTTLS server for tests/scripts/probe_loopback.sh: the plain-text part of one
protocol, then TLS with Python's ssl module, for each connection, for at most 30 s.

usage: starttls_server.py PROTO PORT CERT KEY
PROTO: smtp imap pop3 ftp postgres ldap xmpp mysql.  Prints "listening" when ready.
"""
import socket
import ssl
import sys
import threading
import time

proto, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)


def line(f):
    return f.readline(4096)


def plain(c):
    """The protocol's exchange before TLS; True when TLS should start."""
    f = c.makefile("rb")
    if proto == "smtp":
        c.sendall(b"220 test ESMTP\r\n")
        line(f)
        c.sendall(b"250-test\r\n250 STARTTLS\r\n")
        line(f)
        c.sendall(b"220 go ahead\r\n")
    elif proto == "imap":
        c.sendall(b"* OK ready\r\n")
        tag = line(f).split(b" ")[0]
        c.sendall(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n" + tag + b" OK begin TLS\r\n")
    elif proto == "pop3":
        c.sendall(b"+OK ready\r\n")
        line(f)
        c.sendall(b"+OK begin TLS\r\n")
    elif proto == "ftp":
        c.sendall(b"220 ready\r\n")
        line(f)
        c.sendall(b"234 AUTH TLS ok\r\n")
    elif proto == "postgres":
        if f.read(8) != bytes([0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]):
            return False
        c.sendall(b"S")
    elif proto == "ldap":
        head = f.read(2)
        f.read(head[1])
        # ExtendedResponse, messageID 1, resultCode success, empty DN and message
        c.sendall(bytes([0x30, 0x0C, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0A, 0x01, 0x00,
                         0x04, 0x00, 0x04, 0x00]))
    elif proto == "xmpp":
        data = b""
        while b">" not in data.split(b"?>", 1)[-1]:
            data += c.recv(4096)
        c.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                  b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"
                  b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
                  b"<required/></starttls></stream:features>")
        data = b""
        while b"starttls" not in data:
            data += c.recv(4096)
        c.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    elif proto == "mysql":
        body = (b"\x0a" + b"8.0.0-test\x00" + b"\x01\x00\x00\x00" + b"abcdefgh" + b"\x00" +
                b"\x00\x8a" + b"\x21" + b"\x02\x00" + b"\x00\x00" + b"\x15" + b"\x00" * 10 +
                b"ijklmnopqrst\x00")
        c.sendall(len(body).to_bytes(3, "little") + b"\x00" + body)
        # the ClientHello follows at once: read the SSL request unbuffered, byte-exact
        need = 4 + 32
        while need > 0:
            got = c.recv(need)
            if not got:
                return False
            need -= len(got)
    return True


def serve(c):
    try:
        c.settimeout(10)
        if plain(c):
            with ctx.wrap_socket(c, server_side=True) as t:
                t.recv(1)
    except (OSError, ssl.SSLError):
        pass
    finally:
        c.close()


s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
s.settimeout(1)
print("listening", flush=True)
end = time.time() + 30
while time.time() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
