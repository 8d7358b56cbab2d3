#!/usr/bin/env bash
# The browser captures of tests/data/quic/chromium-* (tools/quic_browser_captures.sh:
# headless Chromium against ngtcp2's example server, the key log in a Decryption Secrets
# Block) against tshark, which reads the same block: every CONNECTION_CLOSE tshark decodes
# is one of scan's, in the same frame, with the same error code, and tshark's TLS alert
# (quic.cc.error_code.tls_alert) is scan's alert; scan reports no alert tshark does not.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
. tests/scripts/lib/need_tshark.bash
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for f in tests/data/quic/chromium-*.pcap*; do
	n=$(basename "$f")
	# the alert events, then the connections (their close)
	"$TLSALERT" scan --json "$f" >"$tmp/$n.scan" 2>"$tmp/$n.err"
	rc=$?
	"$TLSALERT" scan --json --summary "$f" >>"$tmp/$n.scan" 2>>"$tmp/$n.err"
	if [ "$rc" -gt 1 ]; then
		echo "FAIL: $n: scan exit $rc: $(head -1 "$tmp/$n.err")"
		fail=1
		continue
	fi
	tshark -r "$f" -Y quic.frame_type==0x1c -T fields -E separator=/t -e frame.number \
		-e quic.cc.error_code -e quic.cc.error_code.tls_alert >"$tmp/$n.tshark" 2>/dev/null
	python3 - "$n" "$tmp/$n.scan" "$tmp/$n.tshark" <<'PY' || fail=1
import json, sys
name, scan_path, tshark_path = sys.argv[1:]
alerts, closes = {}, {}
for line in open(scan_path):
    o = json.loads(line)
    if o.get("type") == "connection" and o.get("close"):
        c = o["close"]
        closes[c["frame"]] = int(c["code"], 16)
    elif "type" not in o and o.get("transport") == "quic":
        alerts[o["frame"]] = o["code"]
theirs = {}
for line in open(tshark_path):
    f = line.rstrip("\n").split("\t")
    if len(f) == 3 and f[1]:
        theirs[int(f[0])] = (int(f[1].split(",")[0]), int(f[2].split(",")[0]) if f[2] else None)
bad = 0
for frame, (code, alert) in sorted(theirs.items()):
    if closes.get(frame) != code:
        print("FAIL: %s: frame %d: tshark's close 0x%x, scan's %s" % (name, frame, code, closes.get(frame)))
        bad += 1
    if alerts.get(frame) != alert:
        print("FAIL: %s: frame %d: tshark's alert %s, scan's %s" % (name, frame, alert, alerts.get(frame)))
        bad += 1
for frame in sorted(set(alerts) - set(theirs)):
    print("FAIL: %s: frame %d: scan's alert %d, tshark has none" % (name, frame, alerts[frame]))
    bad += 1
if not bad:
    print("ok: %s: %d close(s), %d alert(s); scan = tshark" % (name, len(theirs), len(alerts)))
sys.exit(1 if bad else 0)
PY
done
exit $fail
