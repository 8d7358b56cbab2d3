#!/usr/bin/env python3
"""A QUIC-heavy capture for timing `tlsalert scan` against tshark (bench/quic/scan.sh):
COPIES copies of each capture of tests/data/quic/ (ngtcp2 loopback connections: a groups
mismatch, a missing client certificate, successful v1/draft-29/upgraded connections; the
crafted ALPN and certificate rejections), each copy with its own client address and port
(10.x.y.z:port), copies started 1 ms apart and their packets merged in time order.  The
key logs of the originals are written once (the copies share the client randoms, so the
same secrets open them).

Usage: gen_scan.py OUT.pcap OUT.keys [COPIES]    (COPIES = 2000)
"""
import glob
import heapq
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "tests", "data", "quic")


def read_pcap(path):
    data = open(path, "rb").read()
    off, out = 24, []
    link = struct.unpack("<I", data[20:24])[0]
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ip = frame[14:] if link == 1 else frame
        if len(ip) >= 28 and ip[9] == 17:
            out.append((sec * 1000000 + usec, ip))
    return out


def rewrite(ip, client, n):
    """The client's address becomes 10.(n>>16).(n>>8).n, its port 20000 + n % 40000."""
    ihl = (ip[0] & 15) * 4
    ip = bytearray(ip)
    caddr = bytes([10, (n >> 16) & 255, (n >> 8) & 255, n & 255])
    cport = struct.pack(">H", 20000 + n % 40000)
    src, dst = bytes(ip[12:16]) + bytes(ip[ihl:ihl + 2]), bytes(ip[16:20]) + bytes(ip[ihl + 2:ihl + 4])
    if src == client:
        ip[12:16], ip[ihl:ihl + 2] = caddr, cport
        ip[16:20] = bytes([172, 16, 0, 1])
    else:
        ip[16:20], ip[ihl + 2:ihl + 4] = caddr, cport
        ip[12:16] = bytes([172, 16, 0, 1])
    ip[10:12] = b"\0\0"
    s = sum(struct.unpack(">%dH" % (ihl // 2), bytes(ip[:ihl])))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    ip[10:12] = struct.pack(">H", ~s & 0xffff)
    ip[ihl + 6:ihl + 8] = b"\0\0"  # no UDP checksum
    return bytes(ip)


def main():
    out, keys = sys.argv[1], sys.argv[2]
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    templates = []
    # the captures the figures of docs/PERFORMANCE.md were made with (not quicgo-*)
    paths = glob.glob(os.path.join(DATA, "ngtcp2-*.pcap")) + glob.glob(os.path.join(DATA, "crafted-*.pcap"))
    for p in sorted(paths):
        pk = read_pcap(p)
        if pk:
            ihl = (pk[0][1][0] & 15) * 4
            client = pk[0][1][12:16] + pk[0][1][ihl:ihl + 2]
            t0 = pk[0][0]
            templates.append([(t - t0, ip) for t, ip in pk] + [client])
    heap = []
    for n in range(copies * len(templates)):
        tpl = templates[n % len(templates)]
        client = tpl[-1]
        start = 1767225600 * 1000000 + n * 1000
        for i, (dt, ip) in enumerate(tpl[:-1]):
            heapq.heappush(heap, (start + dt, n, i, rewrite(ip, client, n)))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        while heap:
            t, _, _, ip = heapq.heappop(heap)
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(ip), len(ip)))
            f.write(ip)
    with open(keys, "w") as k:
        for p in sorted(glob.glob(os.path.join(DATA, "ngtcp2-*.keys")) +
                        glob.glob(os.path.join(DATA, "crafted-*.keys"))):
            k.write(open(p).read())


if __name__ == "__main__":
    main()
