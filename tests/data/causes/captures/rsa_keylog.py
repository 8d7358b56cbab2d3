#!/usr/bin/env python3
"""rsa_keylog.py PCAP KEY.pem: the SSLKEYLOGFILE line (CLIENT_RANDOM) of the first TLS 1.2
handshake in PCAP, computed from the server's RSA private key.  For captures of NSS peers:
this NSS build writes no key log.  The handshake must use RSA key exchange and a SHA-256 PRF
(TLS_RSA_WITH_AES_128_GCM_SHA256); with extended_master_secret (RFC 7627) when both hellos
carry it.  Reads the TCP payloads with tshark."""
import hashlib
import hmac
import subprocess
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding


def prf(secret, label, seed, n):
    """TLS 1.2 PRF with HMAC-SHA256 (RFC 5246 section 5)."""
    out, a, seed = b"", label + seed, label + seed
    while len(out) < n:
        a = hmac.new(secret, a, hashlib.sha256).digest()
        out += hmac.new(secret, a + seed, hashlib.sha256).digest()
    return out[:n]


pcap, keyfile = sys.argv[1], sys.argv[2]
rows = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp.len > 0", "-T", "fields", "-e",
                       "tcp.srcport", "-e", "tcp.payload"], capture_output=True, text=True,
                      check=True).stdout.split("\n")
streams = {}
first_port = None
for r in rows:
    if not r.strip():
        continue
    port, hexdata = r.split("\t")
    if first_port is None:
        first_port = port
    streams.setdefault(port == first_port, bytearray()).extend(bytes.fromhex(hexdata))


def plaintext_handshakes(data):
    """The handshake messages before the first ChangeCipherSpec, in order."""
    msgs, buf, i = [], b"", 0
    while i + 5 <= len(data):
        typ, ln = data[i], int.from_bytes(data[i + 3:i + 5], "big")
        if typ == 20:
            break
        if typ == 22:
            buf += bytes(data[i + 5:i + 5 + ln])
        i += 5 + ln
    j = 0
    while j + 4 <= len(buf):
        ln = int.from_bytes(buf[j + 1:j + 4], "big")
        msgs.append(buf[j:j + 4 + ln])
        j += 4 + ln
    return msgs


cli, srv = plaintext_handshakes(streams[True]), plaintext_handshakes(streams[False])
ch = next(m for m in cli if m[0] == 1)
cke = next(m for m in cli if m[0] == 16)
client_random = ch[6:38]
# transcript order: ClientHello, the server's flight, then the client's messages to CKE
transcript = ch + b"".join(srv) + b"".join(m for m in cli if m[0] != 1 and m[0] != 15)
key = serialization.load_pem_private_key(open(keyfile, "rb").read(), None)
pms = key.decrypt(cke[6:6 + int.from_bytes(cke[4:6], "big")], padding.PKCS1v15())


def has_ems(hello, body_at):
    """True when the hello (handshake message) carries extension 23."""
    p = body_at
    p += 1 + hello[p]  # session id
    if hello[0] == 1:
        p += 2 + int.from_bytes(hello[p:p + 2], "big")  # cipher suites
        p += 1 + hello[p]  # compression methods
    else:
        p += 3  # cipher suite, compression method
    end = p + 2 + int.from_bytes(hello[p:p + 2], "big")
    p += 2
    while p + 4 <= end:
        if int.from_bytes(hello[p:p + 2], "big") == 23:
            return True
        p += 4 + int.from_bytes(hello[p + 2:p + 4], "big")
    return False


sh = next(m for m in srv if m[0] == 2)
if has_ems(ch, 38) and has_ems(sh, 38):
    ms = prf(pms, b"extended master secret", hashlib.sha256(transcript).digest(), 48)
else:
    ms = prf(pms, b"master secret", client_random + sh[6:38], 48)
print("CLIENT_RANDOM %s %s" % (client_random.hex(), ms.hex()))
