#!/usr/bin/env python3
"""Makes tests/data/keylog/crafted-tls13-early-data-alert.{pcap,keylog}: a
CRAFTED capture, since no TLS stack at hand sends an alert under the early
traffic key (see make_0rtt.sh).  It is openssl-tls13-early-data-accepted.pcap
with one change: the client's 0-RTT data record (the only type-23 record
before the ServerHello, early sequence number 0) is replaced by a record of
the same length holding a warning user_canceled alert (1, 90), encrypted
under that connection's CLIENT_EARLY_TRAFFIC_SECRET with TLS_AES_256_GCM_SHA384
(the suite the capture negotiates), zero padding filling the length.  Every
other byte is the real capture's, so what follows (the server accepting the
early data, EndOfEarlyData, close_notify) is not a reaction to the alert.
The key log is copied.  Needs Python's `cryptography`.

    tests/data/keylog/gen/early_alert.py     (from anywhere)
"""
import os
import shutil
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
src = os.path.join(here, "openssl-tls13-early-data-accepted")
dst = os.path.join(here, "crafted-tls13-early-data-alert")


def expand_label(secret, label, length):
    info = struct.pack(">H", length) + bytes([6 + len(label)]) + b"tls13 " + label + b"\0"
    return HKDFExpand(hashes.SHA384(), length, info).derive(secret)


with open(src + ".keylog") as f:
    early = [l.split() for l in f if l.startswith("CLIENT_EARLY_TRAFFIC_SECRET ")][0]
secret = bytes.fromhex(early[2])
key, iv = expand_label(secret, b"key", 32), expand_label(secret, b"iv", 12)

data = bytearray(open(src + ".pcap", "rb").read())
assert struct.unpack("<I", data[:4])[0] == 0xA1B2C3D4 and struct.unpack("<I", data[20:24])[0] == 1
off, done = 24, False
while off < len(data) and not done:
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkt = off + 16
    ip = pkt + 14  # Ethernet (tcpdump on lo)
    tcp = ip + (data[ip] & 0x0F) * 4
    payload = tcp + (data[tcp + 12] >> 4) * 4
    end = pkt + caplen
    p = payload
    while p + 5 <= end and not done:
        rtype, rlen = data[p], struct.unpack(">H", data[p + 3:p + 5])[0]
        if rtype == 22 and data[p + 5] == 2:
            raise SystemExit("early_alert: ServerHello before any 0-RTT record")
        if rtype == 23:
            header = bytes(data[p:p + 5])
            inner = bytes([1, 90, 21]) + bytes(rlen - 16 - 3)  # alert, type, zero padding
            nonce = iv  # sequence number 0: IV XOR 0
            body = AESGCM(key).encrypt(nonce, inner, header)
            assert len(body) == rlen
            data[p + 5:p + 5 + rlen] = body
            done = True
        p += 5 + rlen
    off = end
assert done, "no 0-RTT record found"
open(dst + ".pcap", "wb").write(data)
shutil.copyfile(src + ".keylog", dst + ".keylog")
print("wrote", dst + ".pcap", len(data), "bytes")
