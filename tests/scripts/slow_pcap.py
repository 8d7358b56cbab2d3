#!/usr/bin/env python3
"""Writes a classic pcap file to stdout in two parts, as a slow capture would:
the file header and frames 1..N, flushed; then it waits until the file GO
exists (or TIMEOUT seconds pass) and writes the other frames.

    slow_pcap.py [--gzip] [--drained FILE] PCAP N GO [TIMEOUT]

--gzip       compress (one gzip member, flushed with Z_SYNC_FLUSH after the
             first part, so that part can be decompressed before the rest)
--drained F  once the first part is written and stdout, a pipe, has been
             read empty by the reader, create the file F

Used by scan_stream.sh and scan_signal.sh: `tlsalert scan -` must print the
alerts of the first part while the writer is still waiting."""
import argparse
import fcntl
import os
import struct
import sys
import termios
import time
import zlib


def split_at(data, n):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        order = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        order = ">"
    else:
        sys.exit("slow_pcap.py: not a classic pcap file")
    off, frame = 24, 0
    while off < len(data) and frame < n:
        caplen = struct.unpack(order + "I", data[off + 8 : off + 12])[0]
        off += 16 + caplen
        frame += 1
    return off


def wait_drained(fd, timeout):
    end = time.monotonic() + timeout
    buf = bytearray(4)
    while time.monotonic() < end:
        fcntl.ioctl(fd, termios.FIONREAD, buf)
        if struct.unpack("i", bytes(buf))[0] == 0:
            return
        time.sleep(0.02)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--drained")
    ap.add_argument("pcap")
    ap.add_argument("n", type=int)
    ap.add_argument("go")
    ap.add_argument("timeout", type=float, nargs="?", default=30.0)
    a = ap.parse_args()
    data = open(a.pcap, "rb").read()
    off = split_at(data, a.n)
    out = sys.stdout.buffer
    z = zlib.compressobj(wbits=31) if a.gzip else None
    first, rest = data[:off], data[off:]
    if z is not None:
        first = z.compress(first) + z.flush(zlib.Z_SYNC_FLUSH)
        rest = z.compress(rest) + z.flush(zlib.Z_FINISH)
    out.write(first)
    out.flush()
    if a.drained:
        wait_drained(out.fileno(), a.timeout)
        open(a.drained, "w").close()
    end = time.monotonic() + a.timeout
    while not os.path.exists(a.go) and time.monotonic() < end:
        time.sleep(0.05)
    try:
        out.write(rest)
        out.flush()
    except BrokenPipeError:
        pass  # the reader was stopped before the end: what the signal test does


if __name__ == "__main__":
    main()
