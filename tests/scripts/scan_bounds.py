#!/usr/bin/env python3
"""Small hostile captures for scan_bounds.sh (the shapes of ../shared/hardening/gen.py):

  flood OUT N          N TCP flows, one ClientHello fragment each, no FIN
  hs OUT N KIB CLAIM   N flows, each one handshake message claiming CLAIM bytes, KIB KiB of it sent
  dtls OUT             one DTLS flow: a ClientHello, then fragments past their message
  frag OUT N           N IPv4 first fragments that never complete
  ooo OUT N KIB        N flows, each a hole at its first byte and KIB KiB after it
"""
import struct
import sys

ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
SRV = bytes([192, 168, 0, 1])


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.t = 1_700_000_000_000_000

    def pkt(self, data):
        self.t += 10
        self.f.write(struct.pack("<IIII", self.t // 1_000_000, self.t % 1_000_000, len(data), len(data)))
        self.f.write(data)


def ip4(src, dst, proto, payload, ident=0, frag=0):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst) + payload


def tcp(sport, dport, seq, flags, payload=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def addr(i):
    return bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])


def flood(out, n):
    w = Pcap(out)
    for i in range(int(n)):
        body = b"\x03\x03" + i.to_bytes(4, "big") * 8 + b"\x00\x00\x02\x13\x01\x01\x00"
        rec = b"\x16\x03\x01\x02\x00" + b"\x01\x00\x01\xfc" + body
        w.pkt(ETH + ip4(addr(i), SRV, 6, tcp(1024 + i % 60000, 443, 1000, 0x18, rec[:60])))


def hs(out, n, kib, claim):
    w = Pcap(out)
    for i in range(int(n)):
        sp, seq = 1024 + i, 1000
        w.pkt(ETH + ip4(addr(i), SRV, 6, tcp(sp, 443, seq - 1, 0x02)))
        msg = b"\x01" + int(claim).to_bytes(3, "big") + b"\x03\x03" + i.to_bytes(4, "big") * 8
        msg += bytes(int(kib) * 1024 - len(msg))
        stream = b"".join(b"\x16\x03\x01" + len(msg[o:o + 16384]).to_bytes(2, "big") + msg[o:o + 16384]
                          for o in range(0, len(msg), 16384))
        for o in range(0, len(stream), 1460):
            w.pkt(ETH + ip4(addr(i), SRV, 6, tcp(sp, 443, seq + o, 0x18, stream[o:o + 1460])))


def dtls(out):
    w = Pcap(out)
    c, s = b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x02"

    def rec(seqn, body):
        return b"\x16\xfe\xfd\x00\x00" + seqn.to_bytes(6, "big") + len(body).to_bytes(2, "big") + body

    def frag(mt, mlen, off, flen, data):
        return bytes([mt]) + mlen.to_bytes(3, "big") + b"\x00\x00" + off.to_bytes(3, "big") + flen.to_bytes(3, "big") + data

    ch = b"\xfe\xfd" + b"\x22" * 32 + b"\x00\x00\x00\x02\xc0\x2b\x01\x00\x00\x00"
    w.pkt(ETH + ip4(c, s, 17, struct.pack(">HHHH", 5000, 4433, 8 + 25 + len(ch), 0) + rec(0, frag(1, len(ch), 0, len(ch), ch))))
    bad = [frag(2, 100, 0xFFFFFF, 0, b""), frag(2, 0xFFFFFF, 0xFFFFF0, 32, bytes(32)), frag(11, 0x20000, 0x1FFE0, 0xFFFFFF, bytes(32))]
    for k, f in enumerate(bad):
        r = rec(k + 1, f)
        w.pkt(ETH + ip4(s, c, 17, struct.pack(">HHHH", 4433, 5000, 8 + len(r), 0) + r))


def frag(out, n):
    w = Pcap(out)
    payload = tcp(1234, 443, 1, 0x18, b"\x16\x03\x01\x00\x40" + bytes(64))[:72]
    for i in range(int(n)):
        w.pkt(ETH + ip4(addr(i), SRV, 6, payload, ident=i, frag=0x2000))


def ooo(out, n, kib):
    w = Pcap(out)
    for i in range(int(n)):
        w.pkt(ETH + ip4(addr(i), SRV, 6, tcp(1024 + i, 443, 999, 0x02)))
        for o in range(1, int(kib) * 1024, 1400):
            w.pkt(ETH + ip4(addr(i), SRV, 6, tcp(1024 + i, 443, 1000 + o, 0x18, bytes(1400))))


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
