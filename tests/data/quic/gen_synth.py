#!/usr/bin/env python3
"""Writes small QUIC v1 captures of closes the ngtcp2 example programs cannot be
made to send (tests/scripts/quic_loopback.sh makes the others):

  alpn-mismatch.pcap   the client offers only "h3-29"; the server closes in its
                       Initial with CRYPTO_ERROR 0x178 (no_application_protocol),
                       readable without keys
  cert-rejected.pcap   the server's flight (ServerHello in an Initial; EE,
                       Certificate, CertificateVerify, Finished in a Handshake
                       packet); the client closes in a Handshake packet with
                       CRYPTO_ERROR 0x130 (unknown_ca): needs cert-rejected.keys
  no-alpn.pcap         a ClientHello without ALPN; the server closes with 0x178
  v2-vn.pcap           a QUIC v2 (RFC 9369) client Initial answered by Version
                       Negotiation (v1 and a reserved version): no alert, the
                       connection's quic_version_negotiation

Usage: gen_synth.py OUTDIR.  Deterministic: the same bytes at every run (fixed
randoms and secrets, an Ed25519 certificate, whose signatures are deterministic).
Packets are built with the RFC 9001 rules written out here in Python (the
`cryptography` package), independently of the C code under test.
"""
import datetime
import hashlib
import hmac
import os
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

SALT_V1 = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
SALT_V2 = bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9")  # RFC 9369 3.3.1


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand_label(secret, label, length):
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def keys_of(secret, v2=False):
    p = b"quicv2 " if v2 else b"quic "
    return (hkdf_expand_label(secret, p + b"key", 16), hkdf_expand_label(secret, p + b"iv", 12),
            hkdf_expand_label(secret, p + b"hp", 16))


def initial_secrets(dcid, v2=False):
    init = hkdf_extract(SALT_V2 if v2 else SALT_V1, dcid)
    return (hkdf_expand_label(init, b"client in", 32), hkdf_expand_label(init, b"server in", 32))


def varint(v):
    if v < 0x40:
        return bytes([v])
    if v < 0x4000:
        return struct.pack(">H", 0x4000 | v)
    return struct.pack(">I", 0x80000000 | v)


def long_packet(ptype, dcid, scid, pn, frames, secret, pad_to=0, v2=False):
    """An Initial (ptype 0) or Handshake (2) packet of QUIC v1 (v2: RFC 9369's type bits,
    Initial 1, Handshake 3), protected."""
    key, iv, hp = keys_of(secret, v2)
    pn_bytes = struct.pack(">I", pn)[-2:]  # 2-byte packet number
    bits = {0: 1, 2: 3}[ptype] if v2 else ptype
    first = 0xc0 | (bits << 4) | (len(pn_bytes) - 1)
    version = 0x6b3343cf if v2 else 1
    head = bytes([first]) + struct.pack(">I", version) + bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid
    if ptype == 0:
        head += varint(0)  # no token
    payload = frames
    # room for the header protection sample: at least 4 bytes after the packet number
    min_payload = max(4 - len(pn_bytes), 0) + 4
    if len(payload) < min_payload:
        payload += b"\x00" * (min_payload - len(payload))
    if pad_to:
        extra = pad_to - (len(head) + 2 + len(pn_bytes) + len(payload) + 16)
        if extra > 0:
            payload += b"\x00" * extra
    length = len(pn_bytes) + len(payload) + 16
    head += struct.pack(">H", 0x4000 | length)
    aad = head + pn_bytes
    nonce = bytes(a ^ b for a, b in zip(iv, b"\x00" * 8 + struct.pack(">I", pn)))
    sealed = AESGCM(key).encrypt(nonce, payload, aad)
    pn_off = len(head)
    sample = sealed[4 - len(pn_bytes):4 - len(pn_bytes) + 16]
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(sample) + enc.finalize()
    pkt = bytearray(aad + sealed)
    pkt[0] ^= mask[0] & 0x0f
    for i in range(len(pn_bytes)):
        pkt[pn_off + i] ^= mask[1 + i]
    return bytes(pkt)


def crypto_frame(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


def close_frame(code, frame_type, reason):
    r = reason.encode()
    return b"\x1c" + varint(code) + varint(frame_type) + varint(len(r)) + r


def ext(t, body):
    return struct.pack(">HH", t, len(body)) + body


def vec(n, body):
    return len(body).to_bytes(n, "big") + body


def client_hello(rand, alpns):
    exts = ext(0, vec(2, b"\x00" + vec(2, b"example.test")))
    exts += ext(10, vec(2, struct.pack(">H", 0x001d)))
    exts += ext(13, vec(2, struct.pack(">HHH", 0x0403, 0x0804, 0x0807)))
    if alpns:
        exts += ext(16, vec(2, b"".join(vec(1, a.encode()) for a in alpns)))
    exts += ext(43, vec(1, struct.pack(">H", 0x0304)))
    exts += ext(51, vec(2, struct.pack(">HH", 0x001d, 32) + bytes(range(32))))
    exts += ext(57, bytes.fromhex("0104800075300304800004b0"))  # transport parameters
    body = struct.pack(">H", 0x0303) + rand + vec(1, b"") + vec(2, struct.pack(">HH", 0x1301, 0x1302))
    body += vec(1, b"\x00") + vec(2, exts)
    return b"\x01" + vec(3, body)


def server_hello(rand):
    exts = ext(43, struct.pack(">H", 0x0304)) + ext(51, struct.pack(">HH", 0x001d, 32) + bytes(range(32, 64)))
    body = struct.pack(">H", 0x0303) + rand + vec(1, b"") + struct.pack(">HB", 0x1301, 0) + vec(2, exts)
    return b"\x02" + vec(3, body)


def certificate_der():
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "untrusted.example.test")])
    t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(4242)
            .not_valid_before(t0).not_valid_after(t0 + datetime.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("untrusted.example.test")]),
                           critical=False)
            .sign(key, None))
    return cert.public_bytes(serialization.Encoding.DER)


def server_flight():
    ee = b"\x08" + vec(3, vec(2, ext(16, vec(2, vec(1, b"h3")))))
    cert = b"\x0b" + vec(3, vec(1, b"") + vec(3, vec(3, certificate_der()) + vec(2, b"")))
    cv = b"\x0f" + vec(3, struct.pack(">H", 0x0807) + vec(2, bytes(64)))
    fin = b"\x14" + vec(3, bytes(32))
    return ee + cert + cv + fin


def udp_ip(src, dst, sport, dport, payload):
    udp = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0, bytes(src), bytes(dst))
    s = sum(struct.unpack(">10H", ip))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    ip = ip[:10] + struct.pack(">H", ~s & 0xffff) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp


def write_pcap(path, dgrams):
    cli, srv = (10, 0, 0, 1), (10, 0, 0, 2)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, (from_client, payload) in enumerate(dgrams):
            a, b, pa, pb = (cli, srv, 50123, 8443) if from_client else (srv, cli, 8443, 50123)
            frame = udp_ip(a, b, pa, pb, payload)
            f.write(struct.pack("<IIII", 1767225600 + i, 1000 * i, len(frame), len(frame)))
            f.write(frame)


DCID = bytes.fromhex("8394c8f03e515708")
CSCID = bytes.fromhex("c1c2c3c4")
SSCID = bytes.fromhex("5a5b5c5d5e5f")


def initial_close(out, name, alpns):
    csec, ssec = initial_secrets(DCID)
    rand = hashlib.sha256(name.encode()).digest()
    ch = long_packet(0, DCID, CSCID, 0, crypto_frame(0, client_hello(rand, alpns)), csec, pad_to=1200)
    reason = "no application protocol" if alpns else "no ALPN offered"
    close = long_packet(0, CSCID, SSCID, 0, close_frame(0x178, 0x06, reason), ssec)
    write_pcap(os.path.join(out, name + ".pcap"), [(True, ch), (False, close)])


def cert_rejected(out):
    csec, ssec = initial_secrets(DCID)
    rand = hashlib.sha256(b"cert-rejected").digest()
    chs = hashlib.sha256(b"client handshake").digest()
    shs = hashlib.sha256(b"server handshake").digest()
    hello = client_hello(rand, ["h3"])
    # the ClientHello over two Initials, second part first (as Chrome sends them)
    cut = 100
    p1 = long_packet(0, DCID, CSCID, 0, crypto_frame(cut, hello[cut:]), csec, pad_to=1200)
    p2 = long_packet(0, DCID, CSCID, 1, crypto_frame(0, hello[:cut]), csec, pad_to=1200)
    sh = long_packet(0, CSCID, SSCID, 0, crypto_frame(0, server_hello(hashlib.sha256(b"s").digest())), ssec)
    hs = long_packet(2, CSCID, SSCID, 0, crypto_frame(0, server_flight()), shs)
    ack = b"\x02\x00\x00\x00\x00"  # ACK of packet 0
    cl = long_packet(2, SSCID, CSCID, 0, ack + close_frame(0x130, 0x06, "certificate verify failed"), chs)
    write_pcap(os.path.join(out, "cert-rejected.pcap"),
               [(True, p1), (True, p2), (False, sh + hs), (True, cl)])
    with open(os.path.join(out, "cert-rejected.keys"), "w") as f:
        f.write("CLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\n" % (rand.hex(), chs.hex()))
        f.write("SERVER_HANDSHAKE_TRAFFIC_SECRET %s %s\n" % (rand.hex(), shs.hex()))


def v2_version_negotiation(out):
    """A QUIC v2 client Initial answered by Version Negotiation offering v1 only."""
    csec, _ = initial_secrets(DCID, v2=True)
    rand = hashlib.sha256(b"v2-vn").digest()
    ch = long_packet(0, DCID, CSCID, 0, crypto_frame(0, client_hello(rand, ["h3"])), csec,
                     pad_to=1200, v2=True)
    vn = bytes([0x80 | 0x2a]) + struct.pack(">I", 0) + bytes([len(CSCID)]) + CSCID + \
        bytes([len(DCID)]) + DCID + struct.pack(">II", 1, 0x1a2a3a4a)
    write_pcap(os.path.join(out, "v2-vn.pcap"), [(True, ch), (False, vn)])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    initial_close(out, "alpn-mismatch", ["h3-29"])
    initial_close(out, "no-alpn", [])
    cert_rejected(out)
    v2_version_negotiation(out)


if __name__ == "__main__":
    main()
