#!/usr/bin/env python3
"""ech_config.py NAME: prints a base64 ECHConfigList (one ECHConfig, version 0xfe0d, HPKE
X25519 / HKDF-SHA256 / AES-128-GCM) for public name NAME, with an X25519 public key whose
private key is thrown away: no server can accept an ECH made with it."""
import base64
import struct
import sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization

pub = X25519PrivateKey.generate().public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw)
name = sys.argv[1].encode()
body = (bytes([7]) + struct.pack(">H", 0x0020) + struct.pack(">H", len(pub)) + pub +
        struct.pack(">H", 4) + struct.pack(">HH", 0x0001, 0x0001) + bytes([0]) +
        bytes([len(name)]) + name + struct.pack(">H", 0))
cfg = struct.pack(">HH", 0xfe0d, len(body)) + body
print(base64.b64encode(struct.pack(">H", len(cfg)) + cfg).decode())
