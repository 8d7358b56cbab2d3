#!/usr/bin/env python3
"""Writes tests/data/crypto/suite_vectors.tsv: records protected by an
implementation independent of libtlsalert (Python's hmac/hashlib and the
`cryptography` package) for every suite in src/lib/crypto/suites.c, under
every protocol version the suite exists in.  The suite parameters are worked
out here from the IANA name alone, so a wrong row in the C table shows up as
a record that does not decrypt.  Run once; the output is committed:

    python3 tests/data/crypto/gen_suite_vectors.py > tests/data/crypto/suite_vectors.tsv
"""
import hashlib
import hmac
import os
import re
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM, ChaCha20Poly1305

try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:
    TripleDES = algorithms.TripleDES

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")


def det(label, n):
    """Deterministic pseudo-random bytes, so the file is reproducible."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (label, i)).encode()).digest()
        i += 1
    return out[:n]


def p_hash(h, secret, seed, n):
    out, a = b"", seed
    while len(out) < n:
        a = hmac.new(secret, a, h).digest()
        out += hmac.new(secret, a + seed, h).digest()
    return out[:n]


def prf(kind, secret, label, seed, n):
    s = label + seed
    if kind == "md5sha1":
        half = (len(secret) + 1) // 2
        a = p_hash(hashlib.md5, secret[:half], s, n)
        b = p_hash(hashlib.sha1, secret[len(secret) - half:], s, n)
        return bytes(x ^ y for x, y in zip(a, b))
    return p_hash(hashlib.sha256 if kind == "sha256" else hashlib.sha384, secret, s, n)


def hkdf_expand_label(h, secret, label, ctx, n):
    info = n.to_bytes(2, "big") + bytes([6 + len(label)]) + b"tls13 " + label + bytes([len(ctx)]) + ctx
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(secret, t + info + bytes([i]), h).digest()
        out += t
        i += 1
    return out[:n]


def params(name):
    """(prot, key_len, mac hash or None, prf, block) from an IANA suite name."""
    prf_ = "sha384" if name.endswith("SHA384") else "sha256"
    if "3DES" in name:
        return "cbc", 24, hashlib.sha1, prf_, 8
    klen = 32 if ("AES_256" in name or "CHACHA20" in name) else 16
    if "CHACHA20" in name:
        return "chacha", klen, None, prf_, 0
    if "GCM" in name:
        return "gcm", klen, None, prf_, 0
    if "CCM_8" in name:
        return "ccm8", klen, None, prf_, 0
    if "CCM" in name:
        return "ccm", klen, None, prf_, 0
    mac = {"SHA": hashlib.sha1, "SHA256": hashlib.sha256, "SHA384": hashlib.sha384}[name.rsplit("_", 1)[1]]
    return "cbc", klen, mac, prf_, 16


def aead(prot, key):
    if prot == "gcm":
        return AESGCM(key)
    if prot == "chacha":
        return ChaCha20Poly1305(key)
    return AESCCM(key, tag_length=8 if prot == "ccm8" else 16)


def cbc_encrypt(key, iv, data, block):
    alg = TripleDES(key) if block == 8 else algorithms.AES(key)
    enc = Cipher(alg, modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def pad(data, block, extra=0):
    n = block - (len(data) + 1) % block + extra * block
    n %= 256
    return data + bytes([n]) * (n + 1)


PLAINS = [(21, bytes([2, 40])), (23, det("app", 5)), (21, bytes([1, 0]))]

# Suites run under every version; the other CBC suites under TLS 1.2 only.
ALL_VERSIONS = (0x002F, 0x000A, 0xC028)


def seqhdr(version, seq):
    if version >= 0xFE00:
        return seq.to_bytes(8, "big")  # epoch (1) << 48 | seq, already combined
    return seq.to_bytes(8, "big")


def tls12_records(name, sid, version, etm, out):
    prot, klen, mac, prf_, block = params(name)
    v12 = version in (0x0303, 0xFEFD)
    if prot != "cbc" and not v12:
        return
    dtls = version >= 0xFE00
    master = det("master/%s/%x/%d" % (name, version, etm), 48)
    cr = det("cr/%s/%x/%d" % (name, version, etm), 32)
    sr = det("sr/%s/%x/%d" % (name, version, etm), 32)
    ml = mac().digest_size if mac else 0
    if prot == "cbc":
        ivl = block if version == 0x0301 else 0
    else:
        ivl = 12 if prot == "chacha" else 4
    kb = prf(prf_ if v12 else "md5sha1", master, b"key expansion", sr + cr, 2 * (ml + klen + ivl))
    keys = {}
    for i, d in enumerate("cs"):
        keys[d] = (kb[i * ml:(i + 1) * ml], kb[2 * ml + i * klen:2 * ml + (i + 1) * klen],
                   kb[2 * ml + 2 * klen + i * ivl:2 * ml + 2 * klen + (i + 1) * ivl])
    group = "%s/%04x%s" % (name, version, "/etm" if etm else "")
    for d in "cs":
        mkey, key, iv = keys[d]
        chain = iv
        for seq, (ctype, plain) in enumerate(PLAINS):
            wseq = ((1 << 48) | (seq + 5)) if dtls else seq  # DTLS: epoch 1, arbitrary seq
            rv = version
            if dtls:
                hdr_tail = wseq.to_bytes(8, "big")
            sn = wseq.to_bytes(8, "big")
            if prot != "cbc":
                if prot == "chacha":
                    nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + sn))
                    explicit = b""
                else:
                    explicit = det("explicit/%s/%s/%d" % (group, d, seq), 8)
                    nonce = iv + explicit
                aad = sn + bytes([ctype]) + rv.to_bytes(2, "big") + len(plain).to_bytes(2, "big")
                body = explicit + aead(prot, key).encrypt(nonce, plain, aad)
            else:
                explicit_iv = b"" if version == 0x0301 else det("iv/%s/%s/%d" % (group, d, seq), block)
                use_iv = chain if version == 0x0301 else explicit_iv
                if not etm:
                    m = hmac.new(mkey, sn + bytes([ctype]) + rv.to_bytes(2, "big") +
                                 len(plain).to_bytes(2, "big") + plain, mac).digest()
                    ct = cbc_encrypt(key, use_iv, pad(plain + m, block, seq % 2), block)
                    body = explicit_iv + ct
                else:
                    ct = cbc_encrypt(key, use_iv, pad(plain, block, seq % 2), block)
                    m = hmac.new(mkey, sn + bytes([ctype]) + rv.to_bytes(2, "big") +
                                 (len(explicit_iv) + len(ct)).to_bytes(2, "big") + explicit_iv + ct,
                                 mac).digest()
                    body = explicit_iv + ct + m
                chain = ct[-block:]
            if dtls:
                rec = bytes([ctype]) + rv.to_bytes(2, "big") + hdr_tail + len(body).to_bytes(2, "big") + body
            else:
                rec = bytes([ctype]) + rv.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body
            out.append([group, "%04x" % version, "%04x" % sid, str(int(etm)), master.hex(), cr.hex(),
                        sr.hex(), "client" if d == "c" else "server", str(seq), rec.hex(), str(ctype),
                        plain.hex() or "-"])


def tls13_records(name, sid, out):
    prot, klen, _, prf_, _ = params(name)
    h = hashlib.sha384 if prf_ == "sha384" else hashlib.sha256
    for d in ("client", "server"):
        secret = det("secret13/%s/%s" % (name, d), h().digest_size)
        group = "%s/0304/%s" % (name, d)
        for update in (0, 1):
            key = hkdf_expand_label(h, secret, b"key", b"", klen)
            iv = hkdf_expand_label(h, secret, b"iv", b"", 12)
            for seq, (ctype, plain) in enumerate(PLAINS):
                inner = plain + bytes([ctype]) + bytes(seq * 3)  # some zero padding
                tl = 8 if prot == "ccm8" else 16
                hdr = bytes([23, 3, 3]) + (len(inner) + tl).to_bytes(2, "big")
                nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + seq.to_bytes(8, "big")))
                rec = hdr + aead(prot, key).encrypt(nonce, inner, hdr)
                out.append([group, "0304", "%04x" % sid, str(update), secret.hex() if update == 0 else "-",
                            "-", "-", d, str(seq), rec.hex(), str(ctype), plain.hex() or "-"])
            secret = hkdf_expand_label(h, secret, b"traffic upd", b"", h().digest_size)


def main():
    table = open(os.path.join(ROOT, "src", "lib", "crypto", "suites.c")).read()
    rows = re.findall(r'\(?\{?(?:TLS13|AEAD|CBC)?\(?\s*0x([0-9a-f]{4}),\s*"(TLS_[A-Z0-9_]+)"', table)
    out = []
    for sid, name in rows:
        sid = int(sid, 16)
        if sid >> 8 == 0x13:
            tls13_records(name, sid, out)
            continue
        versions = (0x0301, 0x0302, 0x0303, 0xFEFF, 0xFEFD)
        if sid not in ALL_VERSIONS:
            versions = (0x0303, 0xFEFD) if params(name)[0] != "cbc" else (0x0303,)
        for version in versions:
            tls12_records(name, sid, version, False, out)
            if params(name)[0] == "cbc":
                tls12_records(name, sid, version, True, out)
    print("# group\tversion\tsuite\tetm_or_keyupdate\tsecret\tclient_random\tserver_random\tdirection\tseq\trecord\ttype\tplaintext")
    last = None
    for row in out:
        if row[0] == last:
            row[4:7] = ["-", "-", "-"]
        last = row[0]
        print("\t".join(row))


if __name__ == "__main__":
    main()
