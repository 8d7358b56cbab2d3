#!/usr/bin/env python3
"""Seeds for fuzz/fuzz_session_quic.c: each capture of tests/data/quic/ turned into
the session script of fuzz/session_script.h (byte 0: UDP; then per datagram one
chunk: op = direction << 7, a 2-byte length, the UDP payload).  The first
datagram's source is direction 0.  Usage: fuzz_session_seeds.py OUTDIR."""
import glob
import os
import struct
import sys


def datagrams(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    link = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ip = frame[14:] if link == 1 else frame
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        src = ip[12:16] + ip[ihl:ihl + 2]
        yield src, ip[ihl + 8:]


def main():
    out = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "*.pcap"))):
        first = None
        script = bytearray([4])
        for src, payload in datagrams(path):
            if first is None:
                first = src
            script += bytes([0 if src == first else 0x80]) + struct.pack(">H", len(payload))
            script += payload
        name = os.path.basename(path)[:-5]
        with open(os.path.join(out, name), "wb") as f:
            f.write(script)


if __name__ == "__main__":
    main()
