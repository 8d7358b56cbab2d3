#!/usr/bin/env python3
"""Extracts the encrypted alert records of the shared corpus into
tests/data/crypto/vectors.tsv and copies the key logs they need into
tests/data/crypto/keylogs/.  Run once from the repository root:

    python3 tests/data/crypto/extract_vectors.py /work/shared/corpus

For every row of truth.tsv marked encrypted=yes it rebuilds the TCP stream
of the capture (tshark -T fields, payload by frame), walks its records,
reads the client and server randoms, the suite, version and Encrypt-then-MAC
from the hellos, and counts the records each direction sent under each set
of keys.  Which key and which sequence number a record used is found by
decrypting with Python's `cryptography` package (independent of
libtlsalert): TLS 1.2 counts every record after ChangeCipherSpec, TLS 1.3
counts the type-23 records under the handshake secret until one fails to
open, then under the application secret.  The alert found must carry the
description truth.tsv names; the level comes from that decryption.
"""
import csv
import hashlib
import hmac
import os
import shutil
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

HRR = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
OUT = os.path.dirname(os.path.abspath(__file__))


def keylog(path):
    d = {}
    for line in open(path):
        p = line.split()
        if len(p) == 3 and not line.startswith("#"):
            d[(p[0], p[1].lower())] = bytes.fromhex(p[2])
    return d


def streams(path):
    """{(src, sport): [(frame, bytes)]} in frame order, retransmissions dropped."""
    cmd = ["tshark", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "ip.src",
           "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "tcp.seq", "-e", "tcp.payload"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    s, nxt = {}, {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 6 or not f[5]:
            continue
        key = (f[1] or f[2], f[3])
        seq, data = int(f[4]), bytes.fromhex(f[5])
        exp = nxt.get(key, seq)
        if seq + len(data) <= exp and key in nxt:
            continue  # retransmission
        data = data[exp - seq:] if seq < exp else data
        s.setdefault(key, []).append((int(f[0]), data))
        nxt[key] = seq + len(f[5]) // 2
    return s


def records(chunks):
    """[(type, version, record bytes, frame completing it)]"""
    buf, frames, out = b"", [], []
    for frame, data in chunks:
        buf += data
        frames += [frame] * len(data)
        while len(buf) >= 5:
            n = 5 + int.from_bytes(buf[3:5], "big")
            if len(buf) < n:
                break
            out.append((buf[0], int.from_bytes(buf[1:3], "big"), buf[:n], frames[n - 1]))
            buf, frames = buf[n:], frames[n:]
    return out


def hello(rec):
    """(msg type, random, suite, selected version, etm) from a handshake record."""
    b = rec[5:]
    t, body = b[0], b[4:]
    ver, rnd = int.from_bytes(body[0:2], "big"), body[2:34]
    p = 34
    p += 1 + body[p]
    if t == 1:
        return t, rnd, None, ver, False
    suite = int.from_bytes(body[p:p + 2], "big")
    p += 3
    etm, sel = False, ver
    if p + 2 <= len(body):
        end = p + 2 + int.from_bytes(body[p:p + 2], "big")
        p += 2
        while p + 4 <= end:
            et, el = int.from_bytes(body[p:p + 2], "big"), int.from_bytes(body[p + 2:p + 4], "big")
            if et == 0x2B:
                sel = int.from_bytes(body[p + 4:p + 6], "big")
            if et == 0x16:
                etm = True
            p += 4 + el
    return t, rnd, suite, sel, etm


def p_hash(h, secret, seed, n):
    out, a = b"", seed
    while len(out) < n:
        a = hmac.new(secret, a, h).digest()
        out += hmac.new(secret, a + seed, h).digest()
    return out[:n]


def expand_label(h, secret, label, n):
    info = n.to_bytes(2, "big") + bytes([6 + len(label)]) + b"tls13 " + label + b"\x00"
    return hmac.new(secret, info + b"\x01", h).digest()[:n]


def aead_for(suite, key):
    return ChaCha20Poly1305(key) if suite in (0x1303, 0xCCA8, 0xCCA9, 0xCCAA) else AESGCM(key)


SUITES12 = {0xC02F: (16, 4, hashlib.sha256), 0xC030: (32, 4, hashlib.sha384),
            0xC02B: (16, 4, hashlib.sha256), 0xC02C: (32, 4, hashlib.sha384),
            0x009C: (16, 4, hashlib.sha256), 0x009D: (32, 4, hashlib.sha384),
            0xCCA8: (32, 12, hashlib.sha256), 0xCCA9: (32, 12, hashlib.sha256)}
SUITES13 = {0x1301: (16, hashlib.sha256), 0x1302: (32, hashlib.sha384), 0x1303: (32, hashlib.sha256)}


def open12(suite, key, iv, seq, rec):
    sn = seq.to_bytes(8, "big")
    if SUITES12[suite][1] == 12:
        nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + sn))
        ct = rec[5:]
    else:
        nonce, ct = iv + rec[5:13], rec[13:]
    aad = sn + rec[0:3] + (len(ct) - 16).to_bytes(2, "big")
    return aead_for(suite, key).decrypt(nonce, ct, aad)


def open13(suite, secret, seq, rec):
    klen, h = SUITES13[suite]
    key, iv = expand_label(h, secret, b"key", klen), expand_label(h, secret, b"iv", 12)
    nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + seq.to_bytes(8, "big")))
    pt = aead_for(suite, key).decrypt(nonce, rec[5:], rec[:5]).rstrip(b"\x00")
    return pt[-1], pt[:-1]


def main(corpus):
    truth = list(csv.DictReader(open(os.path.join(corpus, "truth.tsv")), delimiter="\t"))
    os.makedirs(os.path.join(OUT, "keylogs"), exist_ok=True)
    rows = []
    for t in truth:
        if t["encrypted"] != "yes":
            continue
        cap = os.path.join(corpus, t["file"])
        kl_name = t["keylog_file"]
        shutil.copy(os.path.join(corpus, kl_name), os.path.join(OUT, "keylogs", kl_name))
        kl = keylog(os.path.join(corpus, kl_name))
        st = streams(cap)
        recs = {k: records(v) for k, v in st.items()}
        cli = next(k for k, v in recs.items() if v and v[0][0] == 22 and v[0][2][5] == 1)
        srv = next(k for k in recs if k != cli)
        cr = hello(recs[cli][0][2])[1]
        sh = [hello(r[2]) for r in recs[srv] if r[0] == 22 and r[2][5] == 2]
        sh = [h for h in sh if h[1] != HRR][0]
        sr, suite, version, etm = sh[1], sh[2], sh[3], sh[4]
        sender = cli if t["direction"] == "client_to_server" else srv
        dname = "client" if sender == cli else "server"
        found = None
        if version == 0x0304:
            labels = ["%s_HANDSHAKE_TRAFFIC_SECRET" % dname.upper(), "%s_TRAFFIC_SECRET_0" % dname.upper()]
            li, seq = 0, 0
            for typ, _, rec, frame in recs[sender]:
                if typ != 23:
                    continue
                while True:
                    try:
                        inner, pt = open13(suite, kl[(labels[li], cr.hex())], seq, rec)
                        break
                    except Exception:
                        if li + 1 >= len(labels):
                            raise
                        li, seq = li + 1, 0
                if frame == int(t["frame_number"]) and inner == 21:
                    found = (labels[li], seq, rec, pt)
                    break
                seq += 1
        else:
            klen, ivlen, h = SUITES12[suite]
            ms = kl[("CLIENT_RANDOM", cr.hex())]
            kb = p_hash(h, ms, b"key expansion" + sr + cr, 2 * (klen + ivlen))
            i = 0 if dname == "client" else 1
            key, iv = kb[i * klen:(i + 1) * klen], kb[2 * klen + i * ivlen:2 * klen + (i + 1) * ivlen]
            seq = None
            for typ, _, rec, frame in recs[sender]:
                if typ == 20:
                    seq = 0
                    continue
                if seq is None:
                    continue
                pt = open12(suite, key, iv, seq, rec)
                if frame == int(t["frame_number"]) and typ == 21:
                    found = ("CLIENT_RANDOM", seq, rec, pt)
                    break
                seq += 1
        if found is None:
            sys.exit("%s frame %s: alert record not found" % (t["file"], t["frame_number"]))
        label, seq, rec, pt = found
        if len(pt) != 2 or str(pt[1]) != t["decrypted_code"]:
            sys.exit("%s frame %s: decrypted %s, truth says %s" % (t["file"], t["frame_number"],
                                                                   pt.hex(), t["decrypted_code"]))
        rows.append([t["file"], t["frame_number"], kl_name, cr.hex(), sr.hex(), "%04x" % suite,
                     "%04x" % version, str(int(etm)), dname, label, str(seq), rec.hex(), str(pt[0]),
                     t["decrypted_code"]])
    with open(os.path.join(OUT, "vectors.tsv"), "w") as f:
        f.write("# file\tframe\tkeylog\tclient_random\tserver_random\tsuite\tversion\tetm\t"
                "direction\tsecret\tseq\trecord\tlevel\tdescription\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print("%d vectors" % len(rows))


main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus")
