#!/usr/bin/env python3
"""Writes the seed inputs of fuzz/fuzz_quic.c into fuzz/corpus/fuzz_quic/:
the sample packets of RFC 9001 and RFC 9369 Appendix A (from vectors.txt
beside this script), which the target's fixed keys open, a coalesced
datagram, a Version Negotiation packet, and payloads of every frame type
the parser reads (flag bit 7: frames only).  Byte 0 of each seed is the
target's flag byte.

    python3 tests/data/quic/gen_fuzz_seeds.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "..", "fuzz", "corpus", "fuzz_quic")


def vectors():
    v = {}
    with open(os.path.join(HERE, "vectors.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, hexv = line.split()
            v[name] = bytes.fromhex(hexv)
    return v


def main():
    v = vectors()
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    for tag, v2flag in (("v1", 0x00), ("v2", 0x40)):
        seeds[tag + "-client-initial"] = bytes([0]) + v[tag + ".client_packet"]
        seeds[tag + "-server-initial"] = bytes([0]) + v[tag + ".server_packet"]
        seeds[tag + "-retry"] = bytes([0]) + v[tag + ".retry"]
        seeds[tag + "-chacha-1rtt"] = bytes([v2flag]) + v[tag + ".chacha_packet"]
    # a server Initial coalesced with a short-header packet of 8-byte DCID
    seeds["v1-coalesced"] = bytes([8]) + v["v1.server_packet"] + bytes([0x41]) + bytes(40)
    vn = bytes([0x80]) + bytes(4) + bytes([8]) + bytes(range(8)) + bytes([0])
    seeds["version-negotiation"] = bytes([0]) + vn + bytes.fromhex("000000016b3343cf")
    frames = [
        "1c4178061c746c733a206e6f206170706c69636174696f6e2070726f746f636f6c1d00001e000000",
        "18050208010203040506070800010203040506070809" "0a0b0c0d0e0f" "19041a0102030405060708"
        "1b08070605040302010b0403616263" "0e08401001020c010278797a",
        "01030a0002010001000101020304004101070505021044001100011202130314041500051606"
        "17070702abcd3102aabb30ccddee",
    ]
    for i, h in enumerate(frames):
        seeds["frames-%d" % i] = bytes([0x80]) + bytes.fromhex(h)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
