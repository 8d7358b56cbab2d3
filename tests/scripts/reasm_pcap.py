#!/usr/bin/env python3
"""Writes small TLS-over-TCP captures of the shapes that TCP reassembly must survive
(scan_reasm.sh reads them):

  reasm_pcap.py ooo OUT N        a ClientHello of N bytes sent as N 1-byte segments in
                                 random order (fixed seed), the first byte last, plus
                                 conflicting copies of some bytes after the real ones;
                                 then the server's fatal alert
  reasm_pcap.py junk OUT         bare ACKs carrying 6 junk bytes at the sequence number
                                 of the ClientHello that follows them, and one at the end
  reasm_pcap.py twocopies OUT    every packet twice, as taken on both sides of a
                                 middlebox that shifts the server's sequence numbers
  reasm_pcap.py lost OUT         a server segment missing from the capture, then the
                                 server's alert, then a RST from the client
"""
import random
import struct
import sys

SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
CLI, SRV = bytes([10, 1, 0, 1]), bytes([10, 1, 0, 2])
CPORT = 50123


class Pcap:
    def __init__(self):
        self.recs = []
        self.usec = 0

    def tcp(self, frm, seq, ack, flags, data=b""):
        src, dst = (CLI, SRV) if frm == "c" else (SRV, CLI)
        sp, dp = (CPORT, 443) if frm == "c" else (443, CPORT)
        th = struct.pack(">HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                         5 << 4, flags, 8192, 0, 0)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 0, 0x4000, 64, 6, 0,
                         src, dst)
        frame = b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x08\x00" + ip + th + data
        self.usec += 1000
        self.recs.append(struct.pack("<IIII", 1700000000 + self.usec // 1000000,
                                     self.usec % 1000000, len(frame), len(frame)) + frame)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            f.write(b"".join(self.recs))


def record(ctype, body, ver=0x0303):
    return struct.pack(">BHH", ctype, ver, len(body)) + body


def handshake(mtype, body):
    return bytes([mtype]) + len(body).to_bytes(3, "big") + body


def client_hello(total):
    """A TLS 1.2 ClientHello record of exactly `total` bytes (SNI, then padding)."""
    name = b"reasm.example"
    sni = struct.pack(">HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    head = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x00\x02\xc0\x2f" + b"\x01\x00"
    fixed = 5 + 4 + len(head) + 2 + len(sni) + 4
    pad = max(0, total - fixed)
    exts = sni + struct.pack(">HH", 0x15, pad) + bytes(pad)
    rec = record(22, handshake(1, head + struct.pack(">H", len(exts)) + exts), 0x0301)
    assert len(rec) == total or total < fixed
    return rec


SERVER_HELLO = record(22, handshake(2, b"\x03\x03" + bytes(32) + b"\x00\xc0\x2f\x00"))
FATAL_HS_FAILURE = record(21, b"\x02\x28")


def opening(p, cisn=1000, sisn=5000):
    p.tcp("c", cisn, 0, SYN)
    p.tcp("s", sisn, cisn + 1, SYN | ACK)
    p.tcp("c", cisn + 1, sisn + 1, ACK)


def ooo(out, n):
    p = Pcap()
    opening(p)
    ch = client_hello(int(n))
    order = list(range(1, len(ch)))
    random.Random(12).shuffle(order)
    junk = random.Random(13)
    for k, i in enumerate(order + [0]):
        p.tcp("c", 1001 + i, 5001, ACK | PSH, ch[i:i + 1])
        if k % 50 == 49 and i > 0:
            # a conflicting copy of bytes already held: the first copy wins
            p.tcp("c", 1001 + i, 5001, ACK | PSH, bytes([ch[i] ^ 0xFF]))
    p.tcp("s", 5001, 1001 + len(ch), ACK | PSH, FATAL_HS_FAILURE)
    p.tcp("s", 5001 + len(FATAL_HS_FAILURE), 1001 + len(ch), ACK | FIN)
    p.write(out)


def junk(out):
    p = Pcap()
    opening(p)
    ch = client_hello(300)
    p.tcp("c", 1001, 5001, ACK, b"\xde\xad\xbe\xef\x00\x00")  # junk on bare ACKs: no PSH
    p.tcp("c", 1001, 5001, ACK, b"\x00\x11\x22\x33\x44\x55")
    p.tcp("c", 1001, 5001, ACK | PSH, ch)
    p.tcp("s", 5001, 1001 + len(ch), ACK | PSH, FATAL_HS_FAILURE)
    c_end = 1001 + len(ch)
    p.tcp("c", c_end, 5001 + len(FATAL_HS_FAILURE), ACK, b"\x66\x77\x88\x99\xaa\xbb")
    p.tcp("c", c_end, 5001 + len(FATAL_HS_FAILURE), ACK | RST)
    p.write(out)


def twocopies(out, delta="0x6F3A1C00"):
    """The server's sequence numbers differ by delta between the two sides; each packet is
    taken on the server's side (server space) and on the client's (client space)."""
    delta = int(delta, 0)
    p = Pcap()
    cisn, sisn = 1000, 5000
    ch = client_hello(300)
    stream = SERVER_HELLO + record(20, b"\x01") + record(22, bytes(40))
    stream += b"".join(record(23, bytes([i]) * 300) for i in range(6))
    stream += record(21, bytes(26))  # encrypted alert: the last record
    segs = [stream[i:i + 500] for i in range(0, len(stream), 500)]

    def both(frm, seq, ack, flags, data=b""):
        if frm == "s":  # server side first, then the client side
            p.tcp("s", seq, ack, flags, data)
            p.tcp("s", seq + delta, ack, flags, data)
        else:
            p.tcp("c", seq, ack + delta, flags, data)
            p.tcp("c", seq, ack, flags, data)

    p.tcp("c", cisn, 0, SYN)
    p.tcp("c", cisn, 0, SYN)
    both("s", sisn, cisn + 1, SYN | ACK)
    both("c", cisn + 1, sisn + 1, ACK)
    both("c", cisn + 1, sisn + 1, ACK | PSH, ch)
    s = sisn + 1
    for seg in segs:
        both("s", s, cisn + 1 + len(ch), ACK | PSH, seg)
        s += len(seg)
        both("c", cisn + 1 + len(ch), s, ACK)
    both("s", s, cisn + 1 + len(ch), ACK | FIN)
    both("c", cisn + 1 + len(ch), s + 1, ACK | FIN)
    p.write(out)


def lost(out):
    p = Pcap()
    opening(p)
    ch = client_hello(300)
    p.tcp("c", 1001, 5001, ACK | PSH, ch)
    c_end = 1001 + len(ch)
    p.tcp("s", 5001, c_end, ACK | PSH, SERVER_HELLO)
    s = 5001 + len(SERVER_HELLO)
    s += 700  # a server segment of 700 bytes the capture lost (a certificate)
    p.tcp("s", s, c_end, ACK | PSH, FATAL_HS_FAILURE)  # the alert: its own frame
    p.tcp("c", c_end, 5001 + len(SERVER_HELLO), ACK)  # the client never got the lost bytes
    p.tcp("c", c_end, 5001 + len(SERVER_HELLO), ACK | RST)
    p.write(out)


if __name__ == "__main__":
    globals()[sys.argv[1]](*sys.argv[2:])
