#!/usr/bin/env python3
"""Seeds for fuzz/fuzz_session_keys.c (the fuzz_session script format) from the
corpus captures that have key logs: the TCP payloads of each capture, in
order, one data op per packet, FIN as an end op.  Needs tshark.

    tests/data/keylog/fuzz_seeds.py   (from the repository root)
writes fuzz/corpus/fuzz_session_keys/cap-NAME, and prints the C string of
all the corpus key logs for fuzz_session_keys.c when given --keylog-c.
"""
import glob, os, subprocess, sys

# the corpus, compressed records (DEFLATE, LZS) and the suites OpenSSL 3 no longer speaks
DIRS = ("tests/data/corpus", "tests/data/compression", "tests/data/legacy-suites")
out = "fuzz/corpus/fuzz_session_keys"


def keylogs():
    return [k for d in DIRS for k in sorted(glob.glob(d + "/*.keylog"))]


if "--keylog-c" in sys.argv:
    for k in keylogs():
        for line in open(k):
            line = line.strip()
            if line and not line.startswith("#"):
                print('\t"%s\\n"' % line)
    sys.exit(0)

os.makedirs(out, exist_ok=True)
for k in keylogs():
    base = k[:-len(".keylog")]
    cap = [p for p in (base + ".pcap", base + ".pcapng") if os.path.exists(p)][0]
    rows = subprocess.run(
        ["tshark", "-r", cap, "-Y", "tcp", "-T", "fields", "-e", "tcp.srcport",
         "-e", "tcp.payload", "-e", "tcp.flags.fin"],
        capture_output=True, text=True, check=True).stdout.splitlines()
    first = None
    b = bytearray([0])  # SYN from direction 0 (the first packet's sender)
    for r in rows:
        port, payload, fin = (r.split("\t") + ["", "", ""])[:3]
        if first is None:
            first = port
        d = 0 if port == first else 0x80
        data = bytes.fromhex(payload.replace(":", "")) if payload else b""
        if data:
            b += bytes([d]) + len(data).to_bytes(2, "big") + data
        if fin in ("1", "True"):
            b += bytes([d | 7, 0, 0])
    name = os.path.join(out, "cap-" + os.path.basename(base))
    open(name, "wb").write(bytes(b))
    print(name, len(b))
