#!/usr/bin/env bash
# Differential test: TLS record compression (tests/data/compression/deflate.pcap). The
# alerts tshark reads with the key log,
#   tshark -o tls.keylog_file:K -r F -Y tls.alert_message -T fields -e frame.number
#          -e tls.alert_message.desc
# are the decrypted alerts of `tlsalert scan --json --keylog K` (frame, description); the
# alerts tshark cannot read (the LZS connection) tlsalert reports with decrypted false
# and no description.  Skipped (exit 77) without tshark, a failure then under CI=true.
# tier: full (needs tshark)
set -eu
cd "$(dirname "$0")/../.."
. tests/scripts/lib/need_tshark.bash
T=${TLSALERT:-${BUILD:-build}/tlsalert}
D=tests/data/compression
want=$(tshark -o tls.keylog_file:$D/deflate.keylog -r $D/deflate.pcap -Y tls.alert_message \
	-T fields -e frame.number -e tls.alert_message.desc 2>/dev/null |
	awk -F'\t' '{print $1, ($2 == "" ? "unreadable" : $2)}')
got=$("$T" scan --json --keylog $D/deflate.keylog $D/deflate.pcap | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o.get("record_type") != 21:
        continue
    print(o["frame"], o["code"] if o["decrypted"] else "unreadable")')
if [ "$want" != "$got" ]; then
	printf 'tshark:\n%s\ntlsalert:\n%s\n' "$want" "$got"
	exit 1
fi
[ "$(echo "$want" | grep -c unreadable)" = 2 ] && [ "$(echo "$want" | grep -c ' 0$')" = 2 ] || {
	echo "the capture no longer holds 2 inflated and 2 unreadable alerts: $want"
	exit 1
}
echo "compression: $(echo "$want" | wc -l) alerts as tshark reads them"
