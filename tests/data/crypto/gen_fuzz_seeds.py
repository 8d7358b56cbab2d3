#!/usr/bin/env python3
"""Writes seed inputs for fuzz/fuzz_decrypt.c into fuzz/corpus/fuzz_decrypt/:
valid records under the target's fixed key material (master secret 48 x
0x42, randoms 32 x 0x01 / 32 x 0x02, TLS 1.3 secret Hash.length x 0x42),
protected here with Python's cryptography package, for a spread of suites
and versions, so the fuzzer starts past authentication.

    python3 tests/data/crypto/gen_fuzz_seeds.py
"""
import hashlib
import hmac
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_suite_vectors as g  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
OUT = os.path.join(ROOT, "fuzz", "corpus", "fuzz_decrypt")
VERSIONS = [0x0301, 0x0302, 0x0303, 0xFEFF, 0xFEFD]
MASTER, CR, SR = b"\x42" * 48, b"\x01" * 32, b"\x02" * 32


def record12(name, version, etm, server, plains):
    prot, klen, mac, prf_, block = g.params(name)
    v12 = version in (0x0303, 0xFEFD)
    dtls = version >= 0xFE00
    ml = mac().digest_size if mac else 0
    ivl = (block if version == 0x0301 else 0) if prot == "cbc" else (12 if prot == "chacha" else 4)
    kb = g.prf(prf_ if v12 else "md5sha1", MASTER, b"key expansion", SR + CR, 2 * (ml + klen + ivl))
    i = 1 if server else 0
    mkey, key = kb[i * ml:(i + 1) * ml], kb[2 * ml + i * klen:2 * ml + (i + 1) * klen]
    iv = kb[2 * ml + 2 * klen + i * ivl:2 * ml + 2 * klen + (i + 1) * ivl]
    out, chain = b"", iv
    for seq, (ctype, plain) in enumerate(plains):
        sn = (((1 << 48) | seq) if dtls else seq).to_bytes(8, "big")
        rv = version.to_bytes(2, "big")
        if prot != "cbc":
            explicit = b"" if prot == "chacha" else bytes([seq]) * 8
            nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + sn)) if prot == "chacha" else iv + explicit
            body = explicit + g.aead(prot, key).encrypt(nonce, plain, sn + bytes([ctype]) + rv +
                                                         len(plain).to_bytes(2, "big"))
        else:
            eiv = b"" if version == 0x0301 else bytes([seq + 7]) * block
            use = chain if version == 0x0301 else eiv
            if etm:
                ct = g.cbc_encrypt(name, key, use, g.pad(plain, block))
                body = eiv + ct + hmac.new(mkey, sn + bytes([ctype]) + rv + (len(eiv) + len(ct)).to_bytes(2, "big") +
                                           eiv + ct, mac).digest()
            else:
                m = hmac.new(mkey, sn + bytes([ctype]) + rv + len(plain).to_bytes(2, "big") + plain, mac).digest()
                ct = g.cbc_encrypt(name, key, use, g.pad(plain + m, block))
                body = eiv + ct
            chain = ct[-block:]
        hdr = bytes([ctype]) + rv + (sn[:8] if dtls else b"") + len(body).to_bytes(2, "big")
        out += hdr + body
    return out


def record13(name, update, plains):
    prot, klen, _, prf_, _ = g.params(name)
    h = hashlib.sha384 if prf_ == "sha384" else hashlib.sha256
    secret = b"\x42" * h().digest_size
    if update:
        secret = g.hkdf_expand_label(h, secret, b"traffic upd", b"", h().digest_size)
    key = g.hkdf_expand_label(h, secret, b"key", b"", klen)
    iv = g.hkdf_expand_label(h, secret, b"iv", b"", 12)
    out = b""
    for seq, (ctype, plain) in enumerate(plains):
        inner = plain + bytes([ctype]) + bytes(seq)
        tl = 8 if prot == "ccm8" else 16
        hdr = bytes([23, 3, 3]) + (len(inner) + tl).to_bytes(2, "big")
        nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + seq.to_bytes(8, "big")))
        out += hdr + g.aead(prot, key).encrypt(nonce, inner, hdr)
    return out


def main():
    rows = [("%04x" % i, n) for i, n in g.decryptable(os.path.join(ROOT, "data"))]
    os.makedirs(OUT, exist_ok=True)
    plains = [(21, b"\x02\x28"), (23, b"hello"), (22, b"\x14\x00\x00\x0c" + bytes(12))]
    picks = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0xC02F, 0xC030, 0xCCA8, 0xC0AC, 0xC0AE,
             0x002F, 0xC028, 0x000A, 0x003C}
    n = 0
    for idx, (sid, name) in enumerate(rows):
        sid = int(sid, 16)
        if sid not in picks:
            continue
        if sid >> 8 == 0x13:
            for upd in (0, 1):
                data = idx.to_bytes(2, "big") + bytes([0x20 if upd else 0]) + record13(name, upd, plains)
                open(os.path.join(OUT, "%04x-13-%d" % (sid, upd)), "wb").write(data)
                n += 1
            continue
        cbc = g.params(name)[0] == "cbc"
        for vi, v in enumerate(VERSIONS):
            if not cbc and v not in (0x0303, 0xFEFD):
                continue
            for etm in ((0, 1) if cbc else (0,)):
                for server in (0, 1):
                    flags = vi | (8 if etm else 0) | (0x10 if server else 0)
                    data = idx.to_bytes(2, "big") + bytes([flags]) + record12(name, v, etm, server, plains)
                    open(os.path.join(OUT, "%04x-%04x-%d%d" % (sid, v, etm, server)), "wb").write(data)
                    n += 1
    print("%d seeds" % n)


main()
