#!/usr/bin/env bash
# Differential test: for every capture of tests/data/keylog/ (made by
# tests/data/keylog/make.sh: OpenSSL, GnuTLS and Go, every cipher suite tlsalert
# decrypts, TLS 1.0-1.3 and DTLS 1.2), the alerts tshark decrypts with the key
# log,
#   tshark -o tls.keylog_file:K -r F -Y 'tls.alert_message or dtls.alert_message'
#          -T fields -e frame.number -e ...alert_message.level -e ...desc
# are exactly the alerts `tlsalert scan --keylog K --json` reports with a level
# and description (frame, level, description); every encrypted one must be
# "decrypted": true.  Nothing is inferred.  Skipped (exit 77 with a note) when
# tshark is not installed, and fails then under CI=true.
# tier: full (needs tshark; about 20 s)
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
. tests/scripts/lib/need_tshark.bash
dir=tests/data/keylog
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
for f in "$dir"/*.pcap; do
	k=${f%.pcap}.keylog
	b=$(basename "$f" .pcap)
	[ -f "$k" ] || { echo "FAIL: $b: no key log"; fail=1; continue; }
	n=$((n + 1))
	tshark -o "tls.keylog_file:$k" -r "$f" -Y 'tls.alert_message or dtls.alert_message' -T fields \
		-e frame.number -e tls.alert_message.level -e tls.alert_message.desc \
		-e dtls.alert_message.level -e dtls.alert_message.desc 2>/dev/null >"$tmp/$b.tshark"
	"$TLSALERT" scan --json --keylog "$k" "$f" >"$tmp/$b.json" 2>"$tmp/$b.err"
	python3 - "$b" "$tmp/$b.tshark" "$tmp/$b.json" <<'PY' || fail=1
import json, sys
name, ts, js = sys.argv[1:4]
want = []
for line in open(ts):
    f = line.rstrip("\n").split("\t")
    frame = int(f[0])
    lv, ds = (f[1], f[2]) if f[1] else (f[3], f[4])
    for l, d in zip(lv.split(","), ds.split(",")):
        want.append((frame, int(l), int(d)))
events = [json.loads(l) for l in open(js) if l.strip()]
got = [(e["frame"], e["level"], e["description"]) for e in events if e["level"] is not None]
bad = []
if sorted(want) != sorted(got):
    bad.append("tshark %s, tlsalert %s" % (sorted(want), sorted(got)))
for e in events:
    if e["inferred"]:
        bad.append("frame %d inferred" % e["frame"])
    if e["encrypted"] and not e["decrypted"]:
        bad.append("frame %d encrypted but not decrypted" % e["frame"])
    if e.get("decrypt_error"):
        bad.append("frame %d: %s" % (e["frame"], e["decrypt_error"]))
if not want:
    bad.append("tshark decrypted no alert: the capture is not a useful test")
if bad:
    print("FAIL: %s: %s" % (name, "; ".join(bad)))
    sys.exit(1)
PY
done
echo "scan_keylog_tshark: $n captures compared with tshark"
[ "$n" -ge 30 ] || { echo "FAIL: only $n captures"; fail=1; }
exit $fail
