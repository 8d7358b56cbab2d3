#!/usr/bin/env python3
"""Writes deflate.pcap and deflate.keylog here: TLS 1.2 connections whose
ServerHello selects a compression method (RFC 3749), AES-128-GCM, with a key
log.  Connection 1 (port 40001) selects DEFLATE: every record after the
ChangeCipherSpecs is compressed through one zlib stream per direction (a
sync flush per record), then encrypted; the server ends with a close_notify
whose compressed bytes, read raw, look like an alert of another code.
Connection 2 (port 40002) selects method 64 (LZS), which tlsalert cannot
inflate: its alerts must be reported unreadable, never decoded.  Made here
because no OpenSSL at hand still compresses.  Run once; the output is
committed:  python3 tests/data/compression/make.py
"""
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "crypto"))
import gen_suite_vectors as g  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402


def hs(t, body):
    return bytes([t]) + len(body).to_bytes(3, "big") + body


def rec(t, body):
    return bytes([t, 3, 3]) + len(body).to_bytes(2, "big") + body


def conn(port, comp, out, keylog):
    cr = g.det("cr/%d" % port, 32)
    sr = g.det("sr/%d" % port, 32)
    master = g.det("master/%d" % port, 48)
    keylog.append("CLIENT_RANDOM %s %s" % (cr.hex(), master.hex()))
    ch = hs(1, b"\x03\x03" + cr + b"\x00" + b"\x00\x02\x00\x9c" + bytes([2, comp, 0]))
    sh = hs(2, b"\x03\x03" + sr + b"\x00" + b"\x00\x9c" + bytes([comp]))
    kb = g.prf("sha256", master, b"key expansion", sr + cr, 40)
    keys = {"c": (kb[0:16], kb[32:36]), "s": (kb[16:32], kb[36:40])}
    seqs = {"c": 0, "s": 0}
    zs = {d: zlib.compressobj(6, zlib.DEFLATED, 15) for d in "cs"}

    def protect(d, t, plain):
        if comp == 1:
            z = zs[d].compress(plain) + zs[d].flush(zlib.Z_SYNC_FLUSH)
        else:
            z = bytes([0x5a, 0xa5]) + plain  # not DEFLATE: stands for LZS output
        key, salt = keys[d]
        explicit = seqs[d].to_bytes(8, "big")
        aad = seqs[d].to_bytes(8, "big") + bytes([t, 3, 3]) + len(z).to_bytes(2, "big")
        seqs[d] += 1
        return rec(t, explicit + AESGCM(key).encrypt(salt + explicit, z, aad))

    fin = hs(20, g.det("fin", 12))
    flights = [
        ("c", rec(22, ch)),
        ("s", rec(22, sh + hs(14, b""))),
        ("c", rec(20, b"\x01") + protect("c", 22, fin)),
        ("s", rec(20, b"\x01") + protect("s", 22, fin)),
        ("c", protect("c", 23, b"GET / HTTP/1.0\r\n\r\n")),
        ("s", protect("s", 23, b"HTTP/1.0 200 OK\r\n\r\n" + b"hello " * 40)),
        ("s", protect("s", 21, b"\x01\x00")),
        ("c", protect("c", 21, b"\x01\x00")),
    ]
    tcp(port, flights, out)


def tcp(port, flights, out):
    c, s = ("10.0.0.1", port), ("10.0.0.2", 443)
    seq = {"c": 1000, "s": 5000}
    out.append(pkt(c, s, 1000 - 1, 0, 0x02, b""))
    out.append(pkt(s, c, 5000 - 1, 1000, 0x12, b""))
    out.append(pkt(c, s, 1000, 5000, 0x10, b""))
    for d, data in flights:
        a, b = (c, s) if d == "c" else (s, c)
        o = "s" if d == "c" else "c"
        out.append(pkt(a, b, seq[d], seq[o], 0x18, data))
        seq[d] += len(data)


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def pkt(src, dst, seq, ack, flags, data):
    tcp_h = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack, 0x50, flags, 65535, 0, 0)
    total = 20 + len(tcp_h) + len(data)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0, 0, 64, 6, 0, ip4(src[0]), ip4(dst[0]))
    return b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x08\x00" + ip + tcp_h + data


def main():
    out, keylog = [], []
    conn(40001, 1, out, keylog)
    conn(40002, 64, out, keylog)
    with open(os.path.join(HERE, "deflate.pcap"), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(out):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
    with open(os.path.join(HERE, "deflate.keylog"), "w") as f:
        f.write("\n".join(keylog) + "\n")


main()
