#!/usr/bin/env bash
# The memory bounds of `scan` engage and what they drop is counted and told
# (docs/capture.md, "Memory"): a flood of flows past --max-flows, handshake
# messages past --handshake-buffer and --buffer-total, out-of-order bytes past
# --buffer-total, IP fragments that never complete, DTLS fragments past their
# message.  Each capture is made small by scan_bounds.py; the end-of-run line
# comes once, on stderr, and the -v and JSON summary counters agree with it.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v python3 >/dev/null || { echo "scan_bounds: python3 missing"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
gen() { python3 tests/scripts/scan_bounds.py "$@" || { echo "scan_bounds: generator failed: $*"; exit 1; }; }
bad() { echo "scan_bounds: $*"; fail=1; }

# expect NAME 'stderr line' JSON-FIELD VALUE -- scan args...
expect() {
	local name=$1 line=$2 field=$3 value=$4
	shift 5
	"$TLSALERT" scan --no-progress "$@" >"$tmp/out" 2>"$tmp/err"
	[ "$(grep -cF -- "$line" "$tmp/err")" = 1 ] ||
		bad "$name: stderr has not exactly one '$line':" "$(cat "$tmp/err")"
	[ "$(grep -c 'results may be incomplete' "$tmp/err")" = 1 ] ||
		bad "$name: the drop line is not said exactly once"
	"$TLSALERT" scan --no-progress --summary --json "$@" 2>/dev/null | tail -n 1 >"$tmp/sum"
	got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dropped"][sys.argv[2]])' \
		"$tmp/sum" "$field" 2>/dev/null)
	[ "$got" = "$value" ] || bad "$name: summary dropped.$field is '$got', not $value"
}

gen flood "$tmp/flood.pcap" 3000
expect flood "tlsalert scan: 2,900 flows evicted at --max-flows 100: results may be incomplete" \
	flows_evicted 2900 -- --max-flows 100 "$tmp/flood.pcap"
"$TLSALERT" scan --no-progress -v --max-flows 100 "$tmp/flood.pcap" 2>&1 >/dev/null |
	grep -q '^tlsalert scan: dropped: 2900 flows evicted,' || bad "flood: -v does not count 2900 evictions"
# the same flood within the limit: nothing dropped, nothing said
"$TLSALERT" scan --no-progress --max-flows 5000 "$tmp/flood.pcap" 2>"$tmp/err" >/dev/null
grep -q 'results may be incomplete' "$tmp/err" && bad "flood: a drop line without a drop"

# 20 flows, each a 20 KiB message claiming 30000 bytes: none fits 8 KiB
gen hs "$tmp/hs.pcap" 20 20 30000
expect handshake-buffer \
	"tlsalert scan: 20 handshake messages over --handshake-buffer 8192 or --buffer-total skipped: results may be incomplete" \
	handshake_messages 20 -- --handshake-buffer 8192 "$tmp/hs.pcap"
# 40 unfinished 16 KiB messages against 128 KiB for all flows' handshakes: most are skipped
gen hs "$tmp/hs40.pcap" 40 16 20000
"$TLSALERT" scan --no-progress --summary --json --buffer-total 262144 "$tmp/hs40.pcap" 2>/dev/null |
	tail -n 1 >"$tmp/sum"
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dropped"]["handshake_messages"])' "$tmp/sum")
[ "$n" -ge 30 ] && [ "$n" -lt 40 ] || bad "buffer-total: $n handshake messages skipped, expected 30-39"
# the default handshake buffer keeps them all
"$TLSALERT" scan --no-progress "$tmp/hs40.pcap" 2>"$tmp/err" >/dev/null
grep -q 'results may be incomplete' "$tmp/err" && bad "handshake: dropped at the defaults"

# 20 flows of 32 KiB after a hole, 128 KiB for all of them: the runs of two fit (each holds
# 33,600 bytes in a 64,400-byte buffer, doubled as it grew), the 18 others give up their hole
# once each
gen ooo "$tmp/ooo.pcap" 20 32
expect ooo "TCP holes given up at --flow-buffer or --buffer-total: results may be incomplete" \
	tcp_buffer_full 18 -- --buffer-total 262144 "$tmp/ooo.pcap"

gen frag "$tmp/frag.pcap" 5
expect frag "tlsalert scan: 5 IP fragments dropped: results may be incomplete" ip_fragments 5 -- \
	"$tmp/frag.pcap"

gen dtls "$tmp/dtls.pcap"
expect dtls "tlsalert scan: 3 invalid DTLS fragments ignored: results may be incomplete" \
	dtls_fragments_invalid 3 -- "$tmp/dtls.pcap"
"$TLSALERT" scan --no-progress -v "$tmp/dtls.pcap" 2>&1 >/dev/null | grep -c 'invalid DTLS handshake fragment' |
	grep -qx 3 || bad "dtls: not one notice per invalid fragment"

[ $fail = 0 ] && echo "scan_bounds: ok"
exit $fail
