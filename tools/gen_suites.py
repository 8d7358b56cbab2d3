#!/usr/bin/env python3
"""Turn data/suites.txt and data/record-ciphers.txt into C: the cipher suite
table behind tlsa_suite_find().

usage: gen_suites.py DATA_DIR OUT_HEADER

Every suite of data/cipher-suites.txt (signalling values aside) must be in
suites.txt with its kx, cipher, MAC and PRF; the columns must agree with the
IANA name; every cipher must be in record-ciphers.txt.  A suite gets a row
of the table when its cipher has a mode (is decryptable here) and it is not
a TLS 1.3 integrity-only suite.  Any mistake fails the build with file:line.
"""
import os
import re
import sys

PROT = {"gcm": "TLSA_PROT_GCM", "ccm": "TLSA_PROT_CCM", "ccm8": "TLSA_PROT_CCM8",
        "chacha20_poly1305": "TLSA_PROT_CHACHA", "cbc": "TLSA_PROT_CBC",
        "stream": "TLSA_PROT_STREAM", "null": "TLSA_PROT_NULL"}
AEAD = ("gcm", "ccm", "ccm8", "chacha20_poly1305")
MAC = {"AEAD": "TLSA_HASH_NONE", "NULL": "TLSA_HASH_NONE", "MD5": "TLSA_HASH_MD5",
       "SHA": "TLSA_HASH_SHA1", "SHA256": "TLSA_HASH_SHA256", "SHA384": "TLSA_HASH_SHA384",
       "IMIT": "TLSA_HASH_NONE", "OMAC": "TLSA_HASH_NONE"}
PRF = {"sha256": "TLSA_HASH_SHA256", "sha384": "TLSA_HASH_SHA384"}
OTHER_PRF = ("sm3", "streebog")


def fail(where, msg):
    sys.exit("%s: %s" % (where, msg))


def lines(path):
    for n, line in enumerate(open(path, encoding="ascii"), 1):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            yield "%s:%d" % (path, n), line.split("\t")


def load_ciphers(path):
    ciphers = {}
    for where, f in lines(path):
        if len(f) != 10:
            fail(where, "%d fields, want 10" % len(f))
        name, mode, key, material, iv, block, lib, prov, tshark, why = f
        if name in ciphers:
            fail(where, "duplicate cipher %s" % name)
        if mode != "-" and mode not in PROT:
            fail(where, "unknown mode %r" % mode)
        if prov not in ("default", "legacy", "builtin") or tshark not in ("yes", "no"):
            fail(where, "provider must be default/legacy/builtin, tshark yes/no")
        if prov == "builtin" and not (name == "IDEA_CBC" or (mode == "gcm" and lib.endswith("-ECB"))):
            fail(where, "built in: IDEA (idea.c) and GCM over an ECB cipher (gcm_soft.c) only")
        if (mode == "-") != (why != "-"):
            fail(where, "a cipher without a mode says why, and only such a one")
        key, material, iv, block = int(key), int(material), int(iv), int(block)
        if mode == "-":
            ciphers[name] = None
            continue
        if (mode == "null") != (lib == "-") or (mode == "null") != (key == 0):
            fail(where, "only the null cipher has no libcrypto name and no key")
        if not 0 <= material <= key <= 32 or iv > 16:
            fail(where, "key material <= key <= 32 bytes, IV <= 16")
        if (mode == "cbc") != (block > 0) or (mode == "cbc" and iv != block):
            fail(where, "CBC ciphers (only) have a block size, and an IV of that size")
        if mode in AEAD and iv != (12 if mode == "chacha20_poly1305" else 4):
            fail(where, "TLS 1.2 AEAD salt: 4 bytes, 12 for ChaCha20-Poly1305")
        if mode in AEAD and material != key:
            fail(where, "no export AEAD")
        ciphers[name] = (mode, key, material, iv, block, lib, prov, tshark == "yes")
    return ciphers


def iana_names(path):
    names = {}
    for where, f in lines(path):
        if len(f) >= 2 and not f[1].endswith("_SCSV"):
            names[int(f[0], 16)] = f[1]
    return names


def check_name(where, name, kx, cipher, mac, prf):
    """The columns say what the IANA name says."""
    if kx == "TLS13":
        want = "TLS_%s_%s" % (cipher, prf.upper())
        if cipher == "NULL":
            want = "TLS_%s_%s" % (mac, prf.upper())
    elif mac in ("AEAD", "NULL") or cipher.endswith("_L") or cipher.endswith("_S"):
        want = None  # the name may or may not end in the PRF hash
    else:
        want = "TLS_%s_WITH_%s_%s" % (kx, cipher, mac)
    if want is not None and name != want:
        fail(where, "columns say %s, the name is %s" % (want, name))
    if want is None and not re.match(r"TLS_%s_WITH_%s(_%s)?\Z" % (kx, cipher, prf.upper()), name) \
            and not (cipher == "NULL" and name == "TLS_NULL_WITH_NULL_NULL"):
        fail(where, "columns %s/%s/%s do not fit the name %s" % (kx, cipher, prf, name))
    if prf == "sha384" and not name.endswith("SHA384"):
        fail(where, "a SHA-384 PRF only for suites named ..._SHA384")
    if name.endswith("SHA384") and prf != "sha384":
        fail(where, "a suite named ..._SHA384 has the SHA-384 PRF")


# Long: one pass over the data file with every check beside the field it reads.
def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_suites.py DATA_DIR OUT_HEADER")
    data = sys.argv[1]
    ciphers = load_ciphers(os.path.join(data, "record-ciphers.txt"))
    iana = iana_names(os.path.join(data, "cipher-suites.txt"))
    path = os.path.join(data, "suites.txt")
    rows, ids, names = [], set(), set()
    for where, f in lines(path):
        if len(f) != 6:
            fail(where, "%d fields, want 6" % len(f))
        sid, name, kx, cipher, mac, prf = f
        if not re.match(r"0x[0-9a-f]{4}\Z", sid):
            fail(where, "id %r is not 0xNNNN" % sid)
        num = int(sid, 16)
        if num in ids or name in names:
            fail(where, "duplicate suite %s %s" % (sid, name))
        if ids and num < max(ids):
            fail(where, "suite %s out of order: the table is searched by halves" % sid)
        ids.add(num)
        names.add(name)
        if iana.get(num) != name:
            fail(where, "suite %s is %s in cipher-suites.txt" % (sid, iana.get(num)))
        if cipher not in ciphers:
            fail(where, "cipher %s is not in record-ciphers.txt" % cipher)
        if mac not in MAC or (prf not in PRF and prf not in OTHER_PRF):
            fail(where, "unknown MAC %r or PRF %r" % (mac, prf))
        check_name(where, name, kx, cipher, mac, prf)
        c = ciphers[cipher]
        tls13 = kx == "TLS13"
        if tls13 != (num >> 8 == 0x13 or num in (0x00c6, 0x00c7, 0xc0b4, 0xc0b5)):
            fail(where, "TLS 1.3 suites are 0x13NN (and RFC 8998 and 9150 s four) and only those")
        if c is None or prf not in PRF or (tls13 and c[0] not in AEAD):
            continue  # cannot be decrypted here (see record-ciphers.txt); no row
        mode, key, material, iv, block, lib, prov, _ = c
        if (mode in AEAD) != (mac == "AEAD"):
            fail(where, "AEAD ciphers and only they have no MAC")
        if mode == "null" and mac == "NULL":
            continue  # TLS_NULL_WITH_NULL_NULL: nothing protects the records
        if tls13:
            iv = 12
        rows.append("\t{0x%04x, \"%s\", %s, %d, %d, %d, %d, %s, %s, %s, %s, %d, %s, %s}," % (
            num, name, PROT[mode], key, iv, block, 1 if cipher == "3DES_EDE_CBC" else 0, MAC[mac],
            PRF[prf], "true" if tls13 else "false", "NULL" if lib == "-" else '"%s"' % lib,
            material, "true" if prov == "legacy" else "false",
            "true" if prov == "builtin" else "false"))
    missing = sorted(set(iana) - ids)
    if missing:
        fail(path, "no line for suite 0x%04x %s of cipher-suites.txt" % (missing[0], iana[missing[0]]))
    out = ["/* Generated by tools/gen_suites.py from data/suites.txt and",
           " * data/record-ciphers.txt: do not edit. */",
           "static const struct tlsa_suite suites[] = {"] + rows + ["};", ""]
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("\n".join(out))
    os.replace(tmp, sys.argv[2])


main()
