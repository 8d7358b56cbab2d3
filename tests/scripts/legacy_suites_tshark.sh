#!/usr/bin/env bash
# Differential test: the suites OpenSSL 3 no longer speaks (tests/data/legacy-suites: RC4, NULL,
# Camellia-CBC and Camellia-GCM from GnuTLS on loopback).  Every alert tshark decrypts with the
# key log,
#   tshark -o tls.keylog_file:K -r F -Y tls.alert_message -T fields -e frame.number
#          -e tls.alert_message.desc
# is an alert `tlsalert scan --json --keylog K` reports decrypted, with the same frame and
# description, and tlsalert reports no other.  Skipped (exit 77) without tshark, a failure
# then under CI=true.
# tier: full (needs tshark)
set -eu
cd "$(dirname "$0")/../.."
. tests/scripts/lib/need_tshark.bash
T=${TLSALERT:-${BUILD:-build}/tlsalert}
D=tests/data/legacy-suites
want=$(tshark -o tls.keylog_file:$D/legacy-suites.keylog -r $D/legacy-suites.pcap \
	-Y tls.alert_message -T fields -e frame.number -e tls.alert_message.desc 2>/dev/null |
	awk -F'\t' '{print $1, $2}')
got=$("$T" scan --json --keylog $D/legacy-suites.keylog $D/legacy-suites.pcap | python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o.get("record_type") == 21:
        print(o["frame"], o["code"] if o["decrypted"] else "unreadable")')
if [ "$want" != "$got" ]; then
	printf 'tshark:\n%s\ntlsalert:\n%s\n' "$want" "$got"
	exit 1
fi
n=$(echo "$want" | grep -c ' 0$' || true)
[ "$n" = 16 ] || { echo "want 16 close_notify alerts in the capture, tshark reads $n"; exit 1; }
echo "legacy suites: $n alerts decrypted as tshark decrypts them"
