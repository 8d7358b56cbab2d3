#!/usr/bin/env python3
"""Makes a damaged or odd copy of a small classic pcap, in the shapes of the
hardening reproducers (../shared/hardening/, issue 12), for the tests:

  hostile.py KIND IN OUT

  gz-badcrc     gzip'ed, the CRC of the trailer zeroed (every packet intact)
  gz-notrailer  gzip'ed, the 8-byte trailer removed
  gz-cut        gzip'ed, cut in the middle of the deflate data
  snaplen       the file header's snap length set to 60 (records longer than it)
  usec-max      every microsecond field 0xffffffff
  nsec-max      nanosecond magic, every nanosecond field 0xffffffff
  ng            pcapng of the same packets (if_tsresol 10^-6, no offset)
  ng-trailer    pcapng whose last block's trailing length is 8 more than its header's
  ng-cut10      pcapng cut after 10 bytes
  ng-tsoff-max  pcapng, if_tsoffset INT64_MAX
  ng-tsoff-min  pcapng, if_tsoffset INT64_MIN
  ng-ts-max     pcapng, if_tsresol 10^0 and every time stamp 2^64 - 1
  padded        1,000 frames of 200 bytes that are not IP first (over 200 KB: more than a
                pipe holds, so a reader that opens a FIFO twice loses data)
"""
import gzip
import struct
import sys


def records(data):
    """(sec, frac, caplen, wirelen, bytes) of each record of a little-endian pcap."""
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, cap, wire = struct.unpack_from("<IIII", data, off)
        out.append((sec, frac, cap, wire, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return out


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def block(btype, body, trail_extra=0):
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n + trail_extra)


def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)


def pcapng(data, idb_opts=b"", ts=None, trail_last=0):
    link = struct.unpack_from("<I", data, 20)[0]
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    if idb_opts:
        idb_opts += opt(0, b"")
    out += block(1, struct.pack("<HHI", link, 0, 0) + idb_opts)
    recs = records(data)
    for i, (sec, frac, cap, wire, pkt) in enumerate(recs):
        t = sec * 1000000 + frac if ts is None else ts
        body = struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, cap, wire)
        body += pkt + b"\0" * (-cap % 4)
        out += block(6, body, trail_last if i == len(recs) - 1 else 0)
    return out


def retime(data, magic, frac):
    out = struct.pack("<I", magic) + data[4:24]
    for sec, _, cap, wire, pkt in records(data):
        out += struct.pack("<IIII", sec, frac, cap, wire) + pkt
    return out


def make(kind, data):
    if kind == "gz-badcrc":
        z = bytearray(gz(data))
        z[-8:-4] = b"\0\0\0\0"
        return bytes(z)
    if kind == "gz-notrailer":
        return gz(data)[:-8]
    if kind == "gz-cut":
        z = gz(data)
        return z[:len(z) // 2]
    if kind == "snaplen":
        return data[:16] + struct.pack("<I", 60) + data[20:]
    if kind == "usec-max":
        return retime(data, 0xA1B2C3D4, 0xFFFFFFFF)
    if kind == "nsec-max":
        return retime(data, 0xA1B23C4D, 0xFFFFFFFF)
    if kind == "ng":
        return pcapng(data)
    if kind == "ng-trailer":
        return pcapng(data, trail_last=8)
    if kind == "ng-cut10":
        return pcapng(data)[:10]
    if kind == "ng-tsoff-max":
        return pcapng(data, opt(14, struct.pack("<q", 2**63 - 1)))
    if kind == "ng-tsoff-min":
        return pcapng(data, opt(14, struct.pack("<q", -2**63)))
    if kind == "ng-ts-max":
        return pcapng(data, opt(9, b"\x00"), ts=2**64 - 1)
    if kind == "padded":
        sec, frac = records(data)[0][:2]
        filler = b"\xff" * 6 + b"\x02" * 6 + b"\x88\xb5" + b"\0" * 186
        out = data[:24]
        for _ in range(1000):
            out += struct.pack("<IIII", sec, frac, len(filler), len(filler)) + filler
        return out + data[24:]
    sys.exit("hostile.py: unknown kind " + kind)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    if struct.unpack_from("<I", data, 0)[0] != 0xA1B2C3D4:
        sys.exit("hostile.py: IN must be a little-endian microsecond pcap")
    with open(sys.argv[3], "wb") as f:
        f.write(make(sys.argv[1], data))


main()
