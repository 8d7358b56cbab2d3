#!/usr/bin/env bash
# TLS 1.3 0-RTT against tshark: on the six captures of scan_keylog_0rtt.sh,
# tshark with each capture's own key log must find the same alerts as
# `tlsalert scan --keylog` (frame, source port, level, description), and
# EndOfEarlyData (and an early_data extension in EncryptedExtensions) exactly
# in the captures where the server accepted early data.
# tier: full (needs tshark; about 6 s)
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
. tests/scripts/lib/need_tshark.bash
dir=tests/data/keylog
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

for b in openssl-tls13-early-data-accepted openssl-tls13-early-data-rejected \
	openssl-tls13-early-data-client-close gnutls-tls13-early-data-accepted \
	gnutls-tls13-early-data-rejected crafted-tls13-early-data-alert; do
	ts() { tshark -o "tls.keylog_file:$dir/$b.keylog" -r "$dir/$b.pcap" "$@" 2>/dev/null; }
	ts -Y tls.alert_message -T fields -e frame.number -e tcp.srcport \
		-e tls.alert_message.level -e tls.alert_message.desc >"$tmp/t.tsv"
	"$TLSALERT" scan --json --keylog "$dir/$b.keylog" "$dir/$b.pcap" 2>/dev/null |
		python3 -c '
import json, sys
for l in sys.stdin:
    e = json.loads(l)
    print("%d\t%d\t%d\t%d" % (e["frame"], e["src_port"], e["level"], e["description"]))' \
			>"$tmp/j.tsv"
	[ -s "$tmp/t.tsv" ] && cmp -s "$tmp/t.tsv" "$tmp/j.tsv" ||
		{ echo "FAIL: $b: tshark and tlsalert differ"; diff "$tmp/t.tsv" "$tmp/j.tsv"; fail=1; }
	eoed=$(ts -Y 'tls.handshake.type == 5' -T fields -e frame.number | wc -l)
	ee42=$(ts -Y 'tls.handshake.type == 8 && tls.handshake.extension.type == 42' \
		-T fields -e frame.number | wc -l)
	[[ $b == *client-close ]] && continue # accepted, but no EndOfEarlyData sent
	want=0
	[[ $b == *accepted || $b == crafted-* ]] && want=1
	[ "$eoed" -eq $want ] && [ "$ee42" -eq $want ] ||
		{ echo "FAIL: $b: tshark finds $eoed EndOfEarlyData, $ee42 early_data in EncryptedExtensions, expected $want"; fail=1; }
done
[ $fail -eq 0 ] && echo "scan_keylog_0rtt_tshark: 6 captures agree with tshark"
exit $fail
