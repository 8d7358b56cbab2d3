#!/usr/bin/env python3
"""Writes tests/data/crypto/prf_vectors.txt: TLS PRF outputs (RFC 2246 section 5
MD5+SHA-1, RFC 5246 section 5 P_SHA256 / P_SHA384) computed with Python's
hmac module, independent of libcrypto's TLS1-PRF.  Line: hash secret label
seed1 seed2 output (hex; label as text).

    python3 tests/data/crypto/gen_prf_vectors.py > tests/data/crypto/prf_vectors.txt
"""
import hashlib
import hmac


def det(label, n):
    out, i = b"", 0
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
    return p_hash(getattr(hashlib, kind), secret, s, n)


print("# hash secret label seed1 seed2 output")
for kind in ("md5sha1", "sha256", "sha384"):
    for slen, label, n in ((48, "key expansion", 104), (47, "master secret", 48), (16, "test label", 100)):
        secret = det("secret/%s/%d" % (kind, slen), slen)
        s1, s2 = det("s1/%s/%d" % (kind, slen), 32), det("s2/%s/%d" % (kind, slen), 32)
        print(kind, secret.hex(), label.replace(" ", "_"), s1.hex(), s2.hex(),
              prf(kind, secret, label.encode(), s1 + s2, n).hex())
