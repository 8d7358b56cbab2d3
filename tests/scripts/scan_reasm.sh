#!/usr/bin/env bash
# TCP reassembly on the shapes of issue 12, each capture generated here by
# reasm_pcap.py (small, never committed):
#   ooo        a 3,000-byte ClientHello in 1-byte segments in random order, with
#              conflicting copies: reassembled whole (the alert, its frame, the SNI),
#              the conflicts counted, the first copy kept
#   junk       bare ACKs with 6 junk bytes at the ClientHello's sequence number and
#              after it: the ClientHello still parses (SNI), one conflict counted, no
#              notice about the trailing junk
#   twocopies  every packet twice, in two sequence spaces: one copy followed (the
#              latest SYN+ACK's, as tshark), the last alert at tshark's frame 22, no
#              gap, no resync, the other copy's segments counted
#   lost       bytes missing before the server's alert, then a RST from the client:
#              the alert at the frame and time of the packet that carried it (6)
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen=$PWD/tests/scripts/reasm_pcap.py
fail=0

# NAME WANT_BRIEF WANT_JSON_FIELDS WANT_SUMMARY_TAIL
check() {
	local name=$1 brief=$2 fields=$3 tail=$4 got
	got=$(cd "$tmp" && "$TLSALERT" scan --brief "$name.pcap" 2>&1)
	if [ "$got" != "$brief" ]; then
		printf '%s: scan --brief says\n%s\nwant\n%s\n' "$name" "$got" "$brief"
		fail=1
	fi
	got=$(cd "$tmp" && "$TLSALERT" scan --json "$name.pcap" 2>/dev/null | python3 -c '
import json, sys
e = json.loads(sys.stdin.readline())
print(e["frame"], e["time"], e["sni"], e["stage"], e["history"])')
	if [ "$got" != "$fields" ]; then
		printf '%s: first JSON line has %s, want %s\n' "$name" "$got" "$fields"
		fail=1
	fi
	got=$(cd "$tmp" && "$TLSALERT" scan --json --summary "$name.pcap" 2>/dev/null | tail -1)
	case $got in
	*"$tail") ;;
	*)
		printf '%s: summary %s\n  does not end in %s\n' "$name" "$got" "$tail"
		fail=1
		;;
	esac
}

python3 "$gen" ooo "$tmp/ooo.pcap" 3000 || exit 2
python3 "$gen" junk "$tmp/junk.pcap" || exit 2
python3 "$gen" twocopies "$tmp/twocopies.pcap" || exit 2
python3 "$gen" lost "$tmp/lost.pcap" || exit 2

check ooo "22:13:23 ooo.pcap:3063 server fatal handshake_failure (40)  client_hello" \
	"3063 2023-11-14T22:13:23.063000Z reasm.example client_hello H" \
	'"overlap_conflicts":59,"tcp_other_copy":0}'
check junk "22:13:20 junk.pcap:7 server fatal handshake_failure (40)  client_hello" \
	"7 2023-11-14T22:13:20.007000Z reasm.example client_hello H" \
	'"overlap_conflicts":1,"tcp_other_copy":0}'
check twocopies "22:13:20 twocopies.pcap:22 server encrypted alert  application_data" \
	"22 2023-11-14T22:13:20.022000Z reasm.example application_data Hhxfa" \
	'"overlap_conflicts":0,"tcp_other_copy":4}'
check lost "22:13:20 lost.pcap:6 server fatal handshake_failure (40)  server_hello" \
	"6 2023-11-14T22:13:20.006000Z reasm.example server_hello HhJg" \
	'"overlap_conflicts":0,"tcp_other_copy":0}'

# the two copies leave no gap and no resync behind
v=$(cd "$tmp" && "$TLSALERT" scan -v twocopies.pcap 2>&1 >/dev/null | grep 'packets,')
case $v in
*" 0 resyncs, 0 TCP gaps") ;;
*)
	echo "twocopies: -v says: $v"
	fail=1
	;;
esac
exit $fail
