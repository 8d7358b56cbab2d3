#!/usr/bin/env bash
# TLS 1.3 0-RTT (early data) through `tlsalert scan --keylog`, on the five
# captures made by tests/data/keylog/gen/make_0rtt.sh (OpenSSL and GnuTLS on
# loopback; a resumed connection whose early data the server accepts, and one
# whose early data it rejects; the GnuTLS captures also hold the full handshake
# that made the session; an OpenSSL client that sends close_notify during
# 0-RTT, in plaintext, after its compatibility ChangeCipherSpec and before the
# ServerHello), and one crafted by gen/early_alert.py (an alert under the early
# traffic key, which no stack at hand sends).  Each capture is scanned with up
# to three key logs:
#   full     its own key log (with CLIENT_EARLY_TRAFFIC_SECRET);
#   noearly  the same key log without the CLIENT_EARLY_TRAFFIC_SECRET line;
#   wrong    the early secret's last hex digit changed.
# Exact expectations: every alert (frame, sender, level, description,
# decrypted, or plaintext where the capture has it so; never inferred), per
# connection the number of records opened (the 0-RTT records before the
# ServerHello included) and the handshake history ("O": EndOfEarlyData,
# readable only under the early secret; "F": the client's Finished, under the
# handshake secret at sequence number 0 after the early records), decrypt_error only
# with the wrong secret, and nothing on stderr otherwise (no warning about
# EARLY_EXPORTER_SECRET).  scan_keylog_0rtt_tshark.sh compares the same
# captures with tshark.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
dir=tests/data/keylog
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect CAPTURE VARIANT ALERTS CONNECTIONS
#   ALERTS       "frame:sender:level:description:dec|plain ..." in output order
#   CONNECTIONS  "first_frame:records_decrypted:history ..." in output order
expect() {
	local b=$1 v=$2 alerts=$3 conns=$4 k
	case $v in
	full) k=$dir/$b.keylog ;;
	noearly)
		k=$tmp/$b.noearly.keylog
		grep -v '^CLIENT_EARLY_TRAFFIC_SECRET ' "$dir/$b.keylog" >"$k"
		;;
	wrong)
		k=$tmp/$b.wrong.keylog
		awk '$1 == "CLIENT_EARLY_TRAFFIC_SECRET" {
			d = substr($3, length($3)); $3 = substr($3, 1, length($3) - 1) (d == "0" ? "1" : "0")
		} { print }' "$dir/$b.keylog" >"$k"
		cmp -s "$k" "$dir/$b.keylog" && { echo "FAIL: $b: no early secret to change"; fail=1; }
		;;
	esac
	"$TLSALERT" scan --json --keylog "$k" "$dir/$b.pcap" >"$tmp/a.json" 2>"$tmp/a.err"
	local rc=$?
	"$TLSALERT" scan --summary --json --keylog "$k" "$dir/$b.pcap" >"$tmp/c.json" 2>/dev/null
	[ "$rc" -eq 0 ] || { echo "FAIL: $b ($v): exit status $rc"; fail=1; }
	python3 - "$b ($v)" "$v" "$alerts" "$conns" "$tmp/a.json" "$tmp/c.json" "$tmp/a.err" <<'PY' || fail=1
import json, sys
name, variant, alerts, conns, aj, cj, err = sys.argv[1:8]
bad = []
events = [json.loads(l) for l in open(aj) if l.strip()]
def kind(e):
    if e["inferred"]:
        return "inferred"
    if e["encrypted"]:
        return "dec" if e["decrypted"] else "undecrypted"
    return "plain"
got = ["%d:%s:%s:%s:%s" % (e["frame"], e["sender"], e["level"], e["description"], kind(e))
       for e in events]
if got != alerts.split():
    bad.append("alerts %s, expected %s" % (got, alerts.split()))
for e in events:
    has_err = e.get("decrypt_error") is not None
    if has_err != (variant == "wrong"):
        bad.append("frame %d: decrypt_error %r" % (e["frame"], e.get("decrypt_error")))
cs = [json.loads(l) for l in open(cj) if l.strip()]
got = ["%d:%d:%s" % (c["first_frame"], c["records_decrypted"], c["history"])
       for c in cs if c["type"] == "connection"]
if got != conns.split():
    bad.append("connections %s, expected %s" % (got, conns.split()))
stderr = open(err).read()
if variant == "wrong":
    if "did not authenticate" not in stderr:
        bad.append("no authentication failure reported on stderr")
elif stderr:
    bad.append("stderr: %r" % stderr)
if bad:
    print("FAIL: %s: %s" % (name, "; ".join(bad)))
    sys.exit(1)
PY
}

# OpenSSL, early data accepted.  Client: its 0-RTT data record (early secret,
# sequence number 0, before the ServerHello: opened under each offered TLS 1.3
# suite until one fits), EndOfEarlyData (early secret, 1), Finished (handshake
# secret, 0), one line of data and close_notify (application secret, 0 and 1).
# Without the early secret neither early record is opened (history "A" for
# the EndOfEarlyData), nothing else changes.
b=openssl-tls13-early-data-accepted
expect $b full "13:client:1:0:dec 16:server:1:0:dec" "1:9:HXAhxyfOFtALNln"
expect $b noearly "13:client:1:0:dec 16:server:1:0:dec" "1:7:HXAhxyfAFtALNln"
# a wrong early secret: the 0-RTT record opens under no suite (not reported:
# which suite it is under is not known), EndOfEarlyData fails authentication
# (reported), and
# so does the Finished after it (the handshake sequence number moved on);
# the alerts still open under the application secrets
expect $b wrong "13:client:1:0:dec 16:server:1:0:dec" "1:6:HXAhxyfAtALNln"
# OpenSSL, early data rejected (the ticket had been used: anti-replay), full
# handshake; the 0-RTT record the server skipped is never reported
b=openssl-tls13-early-data-rejected
expect $b full "14:client:1:0:dec 17:server:1:0:dec" "1:11:HXAhxycvfFttALNln"
expect $b noearly "14:client:1:0:dec 17:server:1:0:dec" "1:10:HXAhxycvfFttALNln"
# OpenSSL, the client gives up during 0-RTT: its close_notify (frame 6) is
# plaintext after its compatibility ChangeCipherSpec, before the ServerHello
# (not a TLS 1.2 ChangeCipherSpec: nothing after it is taken for protected);
# the server's close_notify under its application secret
b=openssl-tls13-early-data-client-close
expect $b full "6:client:1:0:plain 10:server:1:0:dec" "1:4:HXALhxyflnN"
expect $b noearly "6:client:1:0:plain 10:server:1:0:dec" "1:3:HXALhxyflnN"
# CRAFTED (gen/early_alert.py): the accepted capture with its 0-RTT record
# replaced by a user_canceled alert under the early secret: read at frame 4,
# decrypted; the early sequence numbers go on after it (EndOfEarlyData at 1).
# Without the early secret it is not reported at all (65 bytes: not the size
# of an alert, nothing to infer)
b=crafted-tls13-early-data-alert
expect $b full "4:client:1:90:dec 13:client:1:0:dec 16:server:1:0:dec" "1:9:HXLhxyfOFtALNln"
expect $b noearly "13:client:1:0:dec 16:server:1:0:dec" "1:7:HXAhxyfAFtALNln"
# GnuTLS: the first connection (frames 1-15) is a full handshake; --summary lists
# connections by first frame, not in the order they end
b=gnutls-tls13-early-data-accepted
expect $b full "15:client:1:0:dec 38:client:1:0:dec 39:server:1:0:dec" \
	"1:8:HhxyqcvfXCFaLN 18:9:HAhxyfOFaAaLlNn"
expect $b noearly "15:client:1:0:dec 38:client:1:0:dec 39:server:1:0:dec" \
	"1:8:HhxyqcvfXCFaLN 18:7:HAhxyfAFaAaLlNn"
b=gnutls-tls13-early-data-rejected
expect $b full "15:client:1:0:dec 35:client:1:0:dec 36:server:1:0:dec" \
	"1:8:HhxyqcvfXCFaLN 18:8:HAhxyfFaAaLlnN"
expect $b noearly "15:client:1:0:dec 35:client:1:0:dec 36:server:1:0:dec" \
	"1:8:HhxyqcvfXCFaLN 18:7:HAhxyfFaAaLlnN"

[ $fail -eq 0 ] && echo "scan_keylog_0rtt: 6 captures, 13 key log variants as expected"
exit $fail
