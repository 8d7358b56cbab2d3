#!/usr/bin/env bash
# The cap on QUIC connections open at once (TLSA_QUIC_CONNS_MAX, 8,192; docs/quic.md
# "Bounds"): 8,200 clients each send the client Initial of tests/data/quic/ngtcp2-ok.pcap
# (a ClientHello that opens, no answer) from their own address, so none closes.  The
# first 8,192 are followed, the other 8 are counted: --summary's
# dropped.quic_connections, -v's QUIC line and the end-of-run "results may be incomplete".
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - tests/data/quic/ngtcp2-ok.pcap "$tmp/flood.pcap" 8200 <<'PY' || exit 1
import struct, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
link = struct.unpack("<I", data[20:24])[0]
caplen = struct.unpack("<I", data[24 + 8:24 + 12])[0]
frame = data[40:40 + caplen]
ip = bytearray(frame[14:] if link == 1 else frame)  # the client's first Initial
assert ip[9] == 17, "the first packet is not UDP"
ihl = (ip[0] & 15) * 4
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # raw IP
    for i in range(n):
        ip[12:16] = bytes([10, 9, i >> 8 & 255, i & 255])
        ip[10:12] = b"\0\0"
        s = sum(struct.unpack(">%dH" % (ihl // 2), bytes(ip[:ihl])))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        ip[10:12] = struct.pack(">H", ~s & 0xffff)
        ip[ihl + 6:ihl + 8] = b"\0\0"
        f.write(struct.pack("<IIII", 1767225600 + i // 1000, i % 1000 * 1000, len(ip), len(ip)))
        f.write(ip)
PY
fail=0
"$TLSALERT" scan -v --json --summary "$tmp/flood.pcap" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: exit $rc, want 1 (no alert): $(tail -2 "$tmp/err")"; fail=1; }
python3 - "$tmp/out" <<'PY' || fail=1
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
ok = last.get("type") == "summary" and last["quic_connections"] == 8192 and \
    last["dropped"]["quic_connections"] == 8
print("ok: --summary: 8192 followed, 8 dropped" if ok else
      "FAIL: --summary: %s followed, %s dropped" % (last.get("quic_connections"),
                                                   last.get("dropped", {}).get("quic_connections")))
sys.exit(0 if ok else 1)
PY
for want in "QUIC: 8192 connections (8 not followed), 8192 datagrams" \
	"8 QUIC connections not followed (over 8192 open at once): results may be incomplete" \
	"more than 8192 QUIC connections open at once"; do
	if grep -qF "$want" "$tmp/err"; then
		echo "ok: stderr says \"$want\""
	else
		echo "FAIL: stderr lacks \"$want\":"
		sed 's/^/  /' "$tmp/err" | head -8
		fail=1
	fi
done
exit $fail
