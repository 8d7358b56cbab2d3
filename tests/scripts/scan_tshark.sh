#!/usr/bin/env bash
# Differential test: every plaintext alert that tshark dissects in the test
# captures (tests/data/corpus and the permissively licensed external captures
# in tests/data/corpus/external, see SOURCES.tsv there) must be reported by
# `tlsalert scan` in the same frame with the same level and description.
# Plaintext alerts we report that tshark does not show are listed, and each
# must have a stated reason in EXPECTED_EXTRA below.
# tier: full (needs tshark; about 35 s)
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
. tests/scripts/lib/need_tshark.bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# file:frame -> why tshark shows no alert where we find a plaintext one.
declare -A EXPECTED_EXTRA=(
	["record-overflow-openssl.pcap:6"]="the client's first record is over the size limit, so tshark's TLS heuristics never pick up the stream (it needs -d tcp.port==4433,tls); we find TLS at the server's first record"
)

fail=0
checked=0
for f in tests/data/corpus/*.pcap tests/data/corpus/*.pcapng tests/data/corpus/external/*.pcap; do
	[ -f "$f" ] || continue
	b=$(basename "$f")
	tshark -r "$f" -Y 'tls.alert_message || dtls.alert_message' -T fields \
		-e frame.number -e tls.alert_message.level -e tls.alert_message.desc \
		-e dtls.alert_message.level -e dtls.alert_message.desc 2>/dev/null >"$tmp/t" || {
		echo "FAIL: tshark could not read $b"
		fail=1
		continue
	}
	"$TLSALERT" scan --json "$f" >"$tmp/o" 2>"$tmp/e"
	python3 - "$b" "$tmp/t" "$tmp/o" >"$tmp/r" <<'EOF'
import json, sys
name, tpath, opath = sys.argv[1:4]
ours = {}
for l in open(opath):
    if l.strip():
        e = json.loads(l)
        if e["level"] is not None:
            ours.setdefault(e["frame"], []).append((e["level"], e["description"]))
theirs = {}
for l in open(tpath):
    cols = l.rstrip("\n").split("\t")
    frame = int(cols[0])
    lv = cols[1] or cols[3]
    ds = cols[2] or cols[4]
    if not lv:
        continue  # encrypted: tshark cannot read it either
    for a, b in zip(lv.split(","), ds.split(",")):
        theirs.setdefault(frame, []).append((int(a), int(b)))
for frame, alerts in sorted(theirs.items()):
    for a in alerts:
        got = ours.get(frame, [])
        if a in got:
            print(f"OK {name}:{frame} {a[0]}/{a[1]}")
        else:
            print(f"MISSING {name}:{frame} tshark {a[0]}/{a[1]}, we have {got}")
for frame, alerts in sorted(ours.items()):
    for a in alerts:
        if a not in theirs.get(frame, []):
            print(f"EXTRA {name}:{frame} {a[0]}/{a[1]}")
EOF
	while read -r kind where what; do
		case $kind in
		OK) checked=$((checked + 1)) ;;
		MISSING) echo "FAIL: $where: $what"; fail=1 ;;
		EXTRA)
			if [ -n "${EXPECTED_EXTRA[$where]+x}" ]; then
				echo "note: $where $what found by us only: ${EXPECTED_EXTRA[$where]}"
			else
				echo "FAIL: $where: plaintext alert $what that tshark does not show, no reason given"
				fail=1
			fi
			;;
		esac
	done <"$tmp/r"
done
echo "$checked plaintext alerts agree with tshark"
[ "$checked" -gt 0 ] || fail=1
exit $fail
