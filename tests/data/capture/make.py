#!/usr/bin/env python3
"""Writes the small captures the capture-layer tests read (tests/data/capture/*).

Every file carries the same short TCP conversation (or a UDP exchange) in a
different framing, so one test can check that each framing yields the same
stream bytes.  Run from anywhere: python3 tests/data/capture/make.py
"""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

CLI4, SRV4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CLI6 = bytes.fromhex("20010db8000000000000000000000001")
SRV6 = bytes.fromhex("20010db8000000000000000000000002")
OUT4A, OUT4B = bytes([192, 168, 1, 1]), bytes([192, 168, 1, 2])
CPORT, SPORT = 40000, 443
CDATA = b"\x16\x03\x01\x00\x05hello"          # client bytes
SDATA = b"\x15\x03\x03\x00\x02\x02\x28"       # server: fatal handshake_failure alert
UDATA = b"\x15\xfe\xfd" + b"\x00" * 8 + b"\x00\x02\x02\x0a"  # DTLS 1.2 alert


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, frag=0, total=None):
    tl = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nxt, payload, ext=b""):
    return struct.pack("!IHBB16s16s", 6 << 28, len(ext) + len(payload), nxt, 64, src, dst) + ext + payload


def tcp(sport, dport, seq, ack, flags, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                       65535, 0, 0) + data


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def eth(payload, etype=0x0800):
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", etype) + payload


FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def conversation(v6=False, CPORT=CPORT):
    """(direction, tcp segment bytes) of a complete small TCP connection."""
    c, s = 1000, 5000
    segs = [
        (0, tcp(CPORT, SPORT, c, 0, SYN)),
        (1, tcp(SPORT, CPORT, s, c + 1, SYN | ACK)),
        (0, tcp(CPORT, SPORT, c + 1, s + 1, ACK)),
        (0, tcp(CPORT, SPORT, c + 1, s + 1, PSH | ACK, CDATA)),
        (1, tcp(SPORT, CPORT, s + 1, c + 1 + len(CDATA), PSH | ACK, SDATA)),
        (1, tcp(SPORT, CPORT, s + 1 + len(SDATA), c + 1 + len(CDATA), FIN | ACK)),
        (0, tcp(CPORT, SPORT, c + 1 + len(CDATA), s + 2 + len(SDATA), FIN | ACK)),
        (1, tcp(SPORT, CPORT, s + 2 + len(SDATA), c + 2 + len(CDATA), ACK)),
    ]
    return segs


def ip_conv(v6=False):
    out = []
    for d, seg in conversation():
        src, dst = ((CLI6, SRV6) if d == 0 else (SRV6, CLI6)) if v6 else ((CLI4, SRV4) if d == 0 else (SRV4, CLI4))
        out.append(ipv6(src, dst, 6, seg) if v6 else ipv4(src, dst, 6, seg))
    out.append(ipv4(CLI4, SRV4, 17, udp(50000, 4433, UDATA)) if not v6 else ipv6(CLI6, SRV6, 17, udp(50000, 4433, UDATA)))
    return out


def write_pcap(name, linktype, frames, nsec=False, snaplen=262144, cut=0):
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, f in enumerate(frames):
        sec, frac = 1700000000 + i, (i * 1000 + 123) * (1000 if nsec else 1)
        out += struct.pack("<IIII", sec, frac, len(f), len(f)) + f
    if cut:
        out = out[:-cut]
    with open(os.path.join(HERE, name), "wb") as fh:
        fh.write(out)
    return out


def pcapng_block(btype, body):
    pad = (4 - len(body) % 4) % 4
    body += b"\0" * pad
    tl = 12 + len(body)
    return struct.pack("<II", btype, tl) + body + struct.pack("<I", tl)


def shb():
    return pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(linktype, tsresol=None):
    opts = b""
    if tsresol is not None:
        opts = struct.pack("<HHB3x", 9, 1, tsresol) + struct.pack("<HH", 0, 0)
    return pcapng_block(1, struct.pack("<HHI", linktype, 0, 262144) + opts)


def epb(iface, ts, data):
    return pcapng_block(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(data), len(data)) + data)


def ip_frames_eth(ips, wrap=lambda p, et: eth(p, et)):
    return [wrap(p, 0x86DD if p[0] >> 4 == 6 else 0x0800) for p in ips]


def main():
    conv4, conv6 = ip_conv(False), ip_conv(True)
    write_pcap("eth-ipv4.pcap", 1, ip_frames_eth(conv4))
    write_pcap("eth-ipv6-nsec.pcap", 1, ip_frames_eth(conv6), nsec=True)
    write_pcap("raw-ipv4.pcap", 101, conv4)
    write_pcap("linktype-ipv6.pcap", 229, conv6)
    write_pcap("null-ipv4.pcap", 0, [struct.pack("<I", 2) + p for p in conv4])
    write_pcap("loop-ipv6.pcap", 108, [struct.pack("!I", 24) + p for p in conv6])
    vlan = lambda p, et: eth(struct.pack("!HH", 100, et) + p, 0x8100)
    write_pcap("vlan.pcap", 1, ip_frames_eth(conv4, vlan))
    qinq = lambda p, et: eth(struct.pack("!HHHH", 10, 0x8100, 20, et) + p, 0x88A8)
    write_pcap("qinq.pcap", 1, ip_frames_eth(conv4, qinq))
    pppoe = lambda p, et: eth(struct.pack("!BBHHH", 0x11, 0, 7, len(p) + 2, 0x21 if et == 0x0800 else 0x57) + p, 0x8864)
    write_pcap("pppoe.pcap", 1, ip_frames_eth(conv4, pppoe))
    cmd = lambda p, et: eth(struct.pack("!BBHHH", 1, 1, 1, 2, et) + p, 0x8909)
    write_pcap("cisco-sgt.pcap", 1, ip_frames_eth(conv4, cmd))
    mpls = lambda p, et: eth(struct.pack("!II", (16 << 12) | 64, (17 << 12) | 0x100 | 64) + p, 0x8847)
    write_pcap("mpls.pcap", 1, ip_frames_eth(conv4, mpls))
    sll = lambda p, et: struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", et) + p
    write_pcap("sll.pcap", 113, ip_frames_eth(conv4, sll))
    sll2 = lambda p, et: struct.pack("!HHIHBB8s", et, 0, 2, 1, 0, 6, b"\x02\0\0\0\0\x01\0\0") + p
    write_pcap("sll2.pcap", 276, ip_frames_eth(conv6, sll2))
    # tunnels: the conversation inside an outer IPv4 packet
    gre = lambda p, et: eth(ipv4(OUT4A, OUT4B, 47, struct.pack("!HH", 0x2000, et) + b"\0\0\0\x07" + p))
    write_pcap("gre.pcap", 1, ip_frames_eth(conv4, gre))
    erspan = lambda p, et: eth(ipv4(OUT4A, OUT4B, 47, struct.pack("!HHI", 0x1000, 0x88BE, 1) +
                                    struct.pack("!HHI", 0x1000, 5, 0) + eth(p, et)))
    write_pcap("erspan2.pcap", 1, ip_frames_eth(conv4, erspan))
    vx = lambda p, et: eth(ipv4(OUT4A, OUT4B, 17, udp(12345, 4789, struct.pack("!II", 0x08000000, 42 << 8) + eth(p, et))))
    write_pcap("vxlan.pcap", 1, ip_frames_eth(conv4, vx))
    gen = lambda p, et: eth(ipv4(OUT4A, OUT4B, 17, udp(12345, 6081, struct.pack("!BBHI", 1, 0, 0x6558, 7 << 8) +
                                                     b"\x01\x02\x03\x04" + eth(p, et))))
    write_pcap("geneve.pcap", 1, ip_frames_eth(conv4, gen))
    gtp = lambda p, et: eth(ipv4(OUT4A, OUT4B, 17, udp(2152, 2152, struct.pack("!BBHI", 0x32, 0xFF, len(p) + 4, 9) +
                                                     struct.pack("!HBB", 1, 0, 0) + p)))
    write_pcap("gtpu.pcap", 1, ip_frames_eth(conv4, gtp))
    capwap = lambda p, et: eth(ipv4(OUT4A, OUT4B, 17, udp(5247, 5247, struct.pack("!I", (2 << 19) | (1 << 9)) +
                                                       b"\0\0\0\0" + eth(p, et))))
    write_pcap("capwap.pcap", 1, ip_frames_eth(conv4, capwap))
    ipip = lambda p, et: eth(ipv4(OUT4A, OUT4B, 4, p))
    write_pcap("ipip.pcap", 1, ip_frames_eth(conv4, ipip))
    sixin4 = lambda p, et: eth(ipv4(OUT4A, OUT4B, 41, p))
    write_pcap("6in4.pcap", 1, ip_frames_eth(conv6, sixin4))
    # IPv6 with extension headers (hop-by-hop, destination options) on every packet
    ext = []
    for p in conv6:
        nxt, body = p[6], p[40:]
        hbh = struct.pack("!BB6s", 60, 0, b"\x01\x04\0\0\0\0")
        dst = struct.pack("!BB6s", nxt, 0, b"\x01\x04\0\0\0\0")
        ext.append(ipv6(p[8:24], p[24:40], 0, body, hbh + dst))
    write_pcap("ipv6-ext.pcap", 1, ip_frames_eth(ext))
    # IPv4 fragments: the server's data segment split in 3 pieces, sent out of order
    frames = []
    for p in conv4:
        if p[9] == 6 and p[20 + 13] & PSH and p[12:16] == SRV4:
            body = p[20:]
            pieces = [(0, body[:8], True), (8, body[8:24], True), (24, body[24:], False)]
            for off, b, more in (pieces[2], pieces[0], pieces[1]):
                frames.append(ipv4(SRV4, CLI4, 6, b, ident=77, frag=(0x2000 if more else 0) | (off // 8)))
        else:
            frames.append(p)
    write_pcap("frag-ipv4.pcap", 101, frames)
    frames = []
    for p in conv6:
        if p[6] == 6 and p[40 + 13] & PSH and p[8:24] == SRV6:
            body = p[40:]
            for off, b, more in ((0, body[:16], True), (16, body[16:], False)):
                fh = struct.pack("!BBHI", 6, 0, off | (1 if more else 0), 99)
                frames.append(ipv6(SRV6, CLI6, 44, b, fh))
        else:
            frames.append(p)
    write_pcap("frag-ipv6.pcap", 229, frames)
    # pcapng: two sections; the first has two Ethernet interfaces with microsecond and
    # nanosecond resolution, the second one more
    out = shb() + idb(1) + idb(1, tsresol=9)
    for i, p in enumerate(conv4[:4]):
        out += epb(i % 2, (1700000000 + i) * (10**9 if i % 2 else 10**6), eth(p))
    out += shb() + idb(1)
    for i, p in enumerate(conv4[4:]):
        out += epb(0, (1700000004 + i) * 10**6, eth(p))
    with open(os.path.join(HERE, "multi.pcapng"), "wb") as fh:
        fh.write(out)
    with open(os.path.join(HERE, "cut.pcapng"), "wb") as fh:
        fh.write(out[:-10])  # inside the last packet block
    # pcapng variants: a big-endian section whose interface has a binary time resolution
    # (2^-20 s) and a time offset of 100 s, then a little-endian section with an obsolete
    # Packet Block and Simple Packet Blocks (which carry no time stamp)
    def be_block(btype, body):
        body += b"\0" * ((4 - len(body) % 4) % 4)
        return struct.pack(">II", btype, 12 + len(body)) + body + struct.pack(">I", 12 + len(body))
    opts = struct.pack(">HHB3x", 9, 1, 0x94) + struct.pack(">HHq", 14, 8, 100) + struct.pack(">HH", 0, 0)
    out = be_block(0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += be_block(1, struct.pack(">HHI", 1, 0, 262144) + opts)
    for i, p in enumerate(conv4[:4]):
        ts = ((1700000000 + i) << 20) + (i << 19)  # plus i/2 seconds
        f = eth(p)
        out += be_block(6, struct.pack(">IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    out += shb() + idb(1)
    for i, p in enumerate(conv4[4:6]):
        ts = (1700000004 + i) * 10**6
        f = eth(p)
        out += pcapng_block(2, struct.pack("<HHIIII", 0, 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    for p in conv4[6:]:
        f = eth(p)
        out += pcapng_block(3, struct.pack("<I", len(f)) + f)
    with open(os.path.join(HERE, "variants.pcapng"), "wb") as fh:
        fh.write(out)
    # pcapng with only an interface of a link type tlsalert does not decode (USER0)
    out = shb() + idb(147)
    for i, p in enumerate(conv4[:2]):
        out += epb(0, (1700000000 + i) * 10**6, p)
    with open(os.path.join(HERE, "unknown-link.pcapng"), "wb") as fh:
        fh.write(out)
    # pcapng whose interfaces have different link types (libpcap refuses these)
    out = shb() + idb(1) + idb(101)
    for i, p in enumerate(conv4[:4]):
        out += epb(i % 2, (1700000000 + i) * 10**6, eth(p) if i % 2 == 0 else p)
    with open(os.path.join(HERE, "mixed-link.pcapng"), "wb") as fh:
        fh.write(out)
    # gzip
    data = write_pcap("eth-ipv4.pcap", 1, ip_frames_eth(conv4))
    with open(os.path.join(HERE, "eth-ipv4.pcap.gz"), "wb") as fh:
        fh.write(gzip.compress(data, mtime=0))
    bad = bytearray(gzip.compress(data, mtime=0))
    bad[100] ^= 0xFF  # corrupt deflate data
    with open(os.path.join(HERE, "corrupt.pcap.gz"), "wb") as fh:
        fh.write(bytes(bad))
    # damaged files: last packet cut, absurd length, unknown link type
    write_pcap("cut-last.pcap", 1, ip_frames_eth(conv4), cut=5)
    frames = ip_frames_eth(conv4)
    write_pcap("cut-header.pcap", 1, frames, cut=len(frames[-1]) + 11)  # 5 bytes of the last header
    d = bytearray(write_pcap("absurd-len.pcap", 1, ip_frames_eth(conv4)))
    off = 24
    for _ in range(3):
        caplen = struct.unpack_from("<I", d, off + 8)[0]
        off += 16 + caplen
    struct.pack_into("<II", d, off + 8, 0x7FFFFFF0, 0x7FFFFFF0)
    with open(os.path.join(HERE, "absurd-len.pcap"), "wb") as fh:
        fh.write(bytes(d))
    write_pcap("unknown-link.pcap", 147, conv4)
    # corrupt headers in the middle: bad IHL, bad TCP data offset, junk on the VXLAN port
    frames = ip_frames_eth(conv4)
    junk = [eth(b"\x41" + b"\0" * 30), eth(ipv4(CLI4, SRV4, 6, b"\0" * 12 + b"\xf0" + b"\0" * 7)),
            eth(ipv4(OUT4A, OUT4B, 17, udp(1, 4789, b"\xff" * 5)))]
    write_pcap("corrupt-mid.pcap", 1, frames[:3] + junk + frames[3:])
    # one connection inside another: the outer one begins first and ends last (--summary order)
    outer = [eth(ipv4(*((CLI4, SRV4) if d == 0 else (SRV4, CLI4)), 6, seg)) for d, seg in conversation()]
    inner = [eth(ipv4(*((CLI4, SRV4) if d == 0 else (SRV4, CLI4)), 6, seg))
             for d, seg in conversation(CPORT=CPORT + 1)]
    write_pcap("nested.pcap", 1, outer[:3] + inner + outer[3:])


if __name__ == "__main__":
    main()
