#!/usr/bin/env python3
"""Writes tests/data/crypto/suite_vectors.tsv: records protected by an
implementation independent of libtlsalert (Python's hmac/hashlib and the
`cryptography` package) for every suite of the decryption table (data/suites.txt) of the families the
first table had, and one suite of each other shape (cipher, MAC, export),
under SSL 3.0 to TLS 1.2, MAC-then-encrypt and encrypt-then-MAC.  The suite parameters are worked
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
    from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4, IDEA, RC2, SEED, Camellia, TripleDES
except ImportError:
    TripleDES = algorithms.TripleDES
    ARC4, IDEA, SEED, Camellia = algorithms.ARC4, algorithms.IDEA, algorithms.SEED, algorithms.Camellia
    RC2 = None

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


MACS = {"SHA": hashlib.sha1, "SHA256": hashlib.sha256, "SHA384": hashlib.sha384, "MD5": hashlib.md5}


def params(name):
    """(prot, key_len, mac hash or None, prf, block) from an IANA suite name."""
    prf_ = "sha384" if name.endswith("SHA384") else "sha256"
    mac = MACS.get(name.rsplit("_", 1)[1])
    if "3DES" in name:
        return "cbc", 24, mac, prf_, 8
    if "_RC4_" in name:
        return "stream", 16, mac, prf_, 0
    if "_WITH_NULL_" in name:
        return "null", 0, mac, prf_, 0
    if "_DES" in name or "_RC2_" in name or "_IDEA_" in name:
        return "cbc", 8 if "_DES" in name else 16, mac, prf_, 8
    klen = 32 if ("_256" in name or "CHACHA20" in name) else 16
    if "CHACHA20" in name:
        return "chacha", klen, None, prf_, 0
    if "GCM" in name:
        return "gcm", klen, None, prf_, 0
    if "CCM_8" in name:
        return "ccm8", klen, None, prf_, 0
    if "CCM" in name:
        return "ccm", klen, None, prf_, 0
    return "cbc", klen, mac, prf_, 16


def export_material(name):
    """Key bytes of an export suite's key block (5 for 40-bit), else None."""
    return 5 if "_40_" in name or "DES40" in name else None


def block_cipher(name, key):
    if "3DES" in name:
        return TripleDES(key)
    if "_DES" in name:
        return TripleDES(key)  # an 8-byte key: single DES
    if "_RC2_" in name:
        return RC2(key)
    if "_IDEA_" in name:
        return IDEA(key)
    if "_SEED_" in name:
        return SEED(key)
    if "CAMELLIA" in name:
        return Camellia(key)
    return algorithms.AES(key)


def ssl3_key_block(master, sr, cr, n):
    out, i = b"", 0
    while len(out) < n:
        label = bytes([0x41 + i]) * (i + 1)
        out += hashlib.md5(master + hashlib.sha1(label + master + sr + cr).digest()).digest()
        i += 1
    return out[:n]


def ssl3_mac(h, secret, seq, ctype, data):
    pl = 48 if h is hashlib.md5 else 40
    inner = h(secret + b"\x36" * pl + seq + bytes([ctype]) + len(data).to_bytes(2, "big") + data).digest()
    return h(secret + b"\x5c" * pl + inner).digest()


class CamelliaGCM:
    """GCM (SP 800-38D) over Camellia in ECB mode, written out here: Python's
    cryptography has no Camellia-GCM."""

    def __init__(self, key):
        self.key = key
        self.h = int.from_bytes(self.ecb(bytes(16)), "big")

    def ecb(self, block):
        enc = Cipher(Camellia(self.key), modes.ECB()).encryptor()
        return enc.update(block) + enc.finalize()

    def gmul(self, x):
        z, v = 0, self.h
        for i in range(128):
            if x >> (127 - i) & 1:
                z ^= v
            v = (v >> 1) ^ (0xE1 << 120) if v & 1 else v >> 1
        return z

    def ghash(self, aad, ct):
        y = 0
        for data in (aad, ct):
            for i in range(0, len(data), 16):
                y = self.gmul(y ^ int.from_bytes(data[i:i + 16].ljust(16, b"\0"), "big"))
        return self.gmul(y ^ (len(aad) * 8 << 64 | len(ct) * 8))

    def encrypt(self, nonce, plain, aad):
        ks = b"".join(self.ecb(nonce + (2 + i).to_bytes(4, "big")) for i in range((len(plain) + 15) // 16))
        ct = bytes(a ^ b for a, b in zip(plain, ks))
        s = self.ghash(aad, ct) ^ int.from_bytes(self.ecb(nonce + (1).to_bytes(4, "big")), "big")
        return ct + s.to_bytes(16, "big")


def aead(prot, key, name=""):
    if prot == "gcm" and "CAMELLIA" in name:
        return CamelliaGCM(key)
    if prot == "gcm":
        return AESGCM(key)
    if prot == "chacha":
        return ChaCha20Poly1305(key)
    return AESCCM(key, tag_length=8 if prot == "ccm8" else 16)


def cbc_encrypt(name, key, iv, data):
    enc = Cipher(block_cipher(name, key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def pad(data, block, extra=0):
    n = block - (len(data) + 1) % block + extra * block
    n %= 256
    return data + bytes([n]) * (n + 1)


PLAINS = [(21, bytes([2, 40])), (23, det("app", 5)), (21, bytes([1, 0]))]

# Suites run under every version; the other CBC suites under TLS 1.2 only.
ALL_VERSIONS = (0x002F, 0x000A, 0xC028)
# Suites whose vectors other tests load by name (test_decrypt_api.c).
KEEP = (0xC02F,)


def seqhdr(version, seq):
    if version >= 0xFE00:
        return seq.to_bytes(8, "big")  # epoch (1) << 48 | seq, already combined
    return seq.to_bytes(8, "big")


def tls12_records(name, sid, version, etm, out):
    prot, klen, mac, prf_, block = params(name)
    v12 = version in (0x0303, 0xFEFD)
    if prot in ("gcm", "ccm", "ccm8", "chacha") and not v12:
        return
    dtls = version >= 0xFE00
    ssl3 = version == 0x0300
    master = det("master/%s/%x/%d" % (name, version, etm), 48)
    cr = det("cr/%s/%x/%d" % (name, version, etm), 32)
    sr = det("sr/%s/%x/%d" % (name, version, etm), 32)
    ml = mac().digest_size if mac else 0
    mat = export_material(name) or klen
    if prot == "cbc":
        ivl = block if version <= 0x0301 and mat == klen else 0
    elif prot in ("stream", "null"):
        ivl = 0
    else:
        ivl = 12 if prot == "chacha" else 4
    need = 2 * (ml + mat + ivl)
    if ssl3:
        kb = ssl3_key_block(master, sr, cr, need)
    else:
        kb = prf(prf_ if v12 else "md5sha1", master, b"key expansion", sr + cr, need)
    keys = {}
    for i, d in enumerate("cs"):
        keys[d] = [kb[i * ml:(i + 1) * ml], kb[2 * ml + i * mat:2 * ml + (i + 1) * mat],
                   kb[2 * ml + 2 * mat + i * ivl:2 * ml + 2 * mat + (i + 1) * ivl]]
    if mat != klen:  # export: final keys and IVs from the randoms
        kind = prf_ if v12 else "md5sha1"
        if ssl3:
            keys["c"][1] = hashlib.md5(keys["c"][1] + cr + sr).digest()[:klen]
            keys["s"][1] = hashlib.md5(keys["s"][1] + sr + cr).digest()[:klen]
            ivs = hashlib.md5(cr + sr).digest()[:block] + hashlib.md5(sr + cr).digest()[:block]
        else:
            keys["c"][1] = prf(kind, keys["c"][1], b"client write key", cr + sr, klen)
            keys["s"][1] = prf(kind, keys["s"][1], b"server write key", cr + sr, klen)
            ivs = prf(kind, b"", b"IV block", cr + sr, 2 * block) if block else b""
        if prot == "cbc" and version <= 0x0301:
            keys["c"][2], keys["s"][2] = ivs[:block], ivs[block:]
    group = "%s/%04x%s" % (name, version, "/etm" if etm else "")
    for d in "cs":
        mkey, key, iv = keys[d]
        chain = iv
        rc4 = Cipher(ARC4(key), None).encryptor() if prot == "stream" else None
        for seq, (ctype, plain) in enumerate(PLAINS):
            wseq = ((1 << 48) | (seq + 5)) if dtls else seq  # DTLS: epoch 1, arbitrary seq
            rv = version
            if dtls:
                hdr_tail = wseq.to_bytes(8, "big")
            sn = wseq.to_bytes(8, "big")

            def rmac(data):
                if ssl3:
                    return ssl3_mac(mac, mkey, sn, ctype, data)
                return hmac.new(mkey, sn + bytes([ctype]) + rv.to_bytes(2, "big") +
                                len(data).to_bytes(2, "big") + data, mac).digest()
            if prot in ("stream", "null"):
                body = plain + rmac(plain)
                if rc4 is not None:
                    body = rc4.update(body)
            elif prot != "cbc":
                if prot == "chacha":
                    nonce = bytes(a ^ b for a, b in zip(iv, bytes(4) + sn))
                    explicit = b""
                else:
                    explicit = det("explicit/%s/%s/%d" % (group, d, seq), 8)
                    nonce = iv + explicit
                aad = sn + bytes([ctype]) + rv.to_bytes(2, "big") + len(plain).to_bytes(2, "big")
                body = explicit + aead(prot, key, name).encrypt(nonce, plain, aad)
            else:
                explicit_iv = b"" if version <= 0x0301 else det("iv/%s/%s/%d" % (group, d, seq), block)
                use_iv = chain if version <= 0x0301 else explicit_iv
                if ssl3:
                    data = plain + rmac(plain)
                    n = block - (len(data) + 1) % block
                    n %= block
                    ct = cbc_encrypt(name, key, use_iv, data + det("pad/%s/%d" % (group, seq), n) +
                                     bytes([n]))
                    body = ct
                elif not etm:
                    ct = cbc_encrypt(name, key, use_iv, pad(plain + rmac(plain), block, seq % 2))
                    body = explicit_iv + ct
                else:
                    ct = cbc_encrypt(name, key, use_iv, pad(plain, block, seq % 2))
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


# Suites of one shape (cipher, MAC, PRF, export or not) have rows alike but
# for id and name (tests/unit/test_suites_data.c checks those against the
# data): the first suite of each shape gets vectors.  AEAD suites run under
# TLS 1.2 and DTLS 1.2, CBC ones also with encrypt-then-MAC, old suites under
# SSL 3.0 to TLS 1.2, and those of ALL_VERSIONS under every version.
def decryptable(data):
    """(id, name) of the suites of data/suites.txt whose cipher has a mode."""
    modes_ = {}
    for line in open(os.path.join(data, "record-ciphers.txt")):
        if not line.startswith("#") and line.strip():
            f = line.rstrip("\n").split("\t")
            modes_[f[0]] = f[1]
    for line in open(os.path.join(data, "suites.txt")):
        if line.startswith("#") or not line.strip():
            continue
        sid, name, kx, cipher, mac, prf_ = line.rstrip("\n").split("\t")
        if modes_[cipher] == "-" or mac == "NULL" or prf_ not in ("sha256", "sha384"):
            continue
        if kx == "TLS13" and mac != "AEAD":
            continue
        yield int(sid, 16), name


def main():
    out, shapes = [], set()
    for sid, name in decryptable(os.path.join(ROOT, "data")):
        if sid >> 8 == 0x13:
            tls13_records(name, sid, out)
            continue
        p = params(name)
        shape = (name.split("_WITH_")[1], "EXPORT" in name)
        if shape in shapes and sid not in ALL_VERSIONS + KEEP:
            continue
        shapes.add(shape)
        if sid in ALL_VERSIONS:
            versions = (0x0301, 0x0302, 0x0303, 0xFEFF, 0xFEFD)
        elif p[0] in ("gcm", "ccm", "ccm8", "chacha"):
            versions = (0x0303, 0xFEFD)
        else:
            versions = (0x0301, 0x0302, 0x0303)
            if p[2] in (hashlib.md5, hashlib.sha1):
                versions = (0x0300,) + versions
        for version in versions:
            tls12_records(name, sid, version, False, out)
            if p[0] == "cbc" and version != 0x0300:
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
