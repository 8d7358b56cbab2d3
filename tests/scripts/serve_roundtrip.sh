#!/usr/bin/env bash
# Round trip of the serve engine: for every code 0-255, at three steps (server_hello,
# server_hello_done, finished), under TLS 1.2 and TLS 1.3, the alert the engine sends
# (build/tests/test_serve as a driver, a Python ssl client) is the one `tlsalert scan`
# reports in a capture of the loopback traffic (tcpdump; with the engine's key log for
# the protected ones), at the step asked, and the one tshark decodes.
# DTLS 1.2 the same for codes 0-31 (openssl s_client over UDP).
# tier: full (6 x 256 + 3 x 32 handshakes under tcpdump, about 90 s; needs tcpdump on lo, i.e. root)
set -u
cd "$(dirname "$0")/../.."
. tests/scripts/lib/decode_as.bash
BUILD=${BUILD:-build}
DRIVER=$PWD/$BUILD/tests/test_serve
TLSALERT=${TLSALERT:-$PWD/$BUILD/tlsalert}
for t in tcpdump tshark python3; do
	command -v $t >/dev/null || { echo "$t not found"; exit 77; }
done
[ -x "$DRIVER" ] || { echo "$DRIVER not built"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
timeout 2 tcpdump --immediate-mode -Z root -i lo -c 1 -w "$tmp/probe.pcap" 'tcp port 9' \
	>/dev/null 2>&1
[ $? -eq 1 ] && { echo "cannot capture on lo"; exit 77; }
fail=0

# the client: N connections, any error ignored (the alert ends most of them)
cat >"$tmp/client.py" <<'PY'
import socket, ssl, sys
port, n, v = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ctx.maximum_version = (
    ssl.TLSVersion.TLSv1_3 if v == "0304" else ssl.TLSVersion.TLSv1_2)
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            t.sendall(b"GET / HTTP/1.0\r\n\r\n")
            t.recv(100)
    except (ssl.SSLError, OSError):
        pass
    finally:
        s.close()
PY

# scan's alerts from the server, one "level:code:stage" a line, in order
scan_alerts() {
	"$TLSALERT" scan --json --keylog "$1" "$2" 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    j = json.loads(l)
    if j.get("sender") == "server" and "code" in j:
        print("%s:%s:%s" % (j["level"], j["code"], j["stage"]))'
}

# serve_captured DIR L4 DRIVER-ARGS...: the driver serving on a free loopback port (its
# key log DIR/keys), and tcpdump writing that port's L4 (tcp, udp) traffic to DIR/c.pcap;
# sets the caller's sp (the driver), tp (tcpdump) and port
serve_captured() {
	local d=$1 l4=$2
	shift 2
	timeout 120 "$DRIVER" serve 127.0.0.1:0 "$@" keylog="$d/keys" >"$d/s.out" 2>&1 &
	sp=$! port=
	pids+=($sp)
	for _ in $(seq 50); do
		port=$(awk '/^port/{print $2}' "$d/s.out")
		[ -n "$port" ] && break
		sleep 0.1
	done
	tcpdump --immediate-mode -B 65536 -Z root -i lo -U -w "$d/c.pcap" "$l4 port $port" \
		>"$d/tcpdump.log" 2>&1 &
	tp=$!
	pids+=($tp)
	sleep 1
}

roundtrip() {
	local v=$1 st=$2 stage=$3 # $4: the stages a crossing flight reaches
	local d=$tmp/$v-$st
	mkdir -p "$d"
	local sp tp port
	serve_captured "$d" tcp "$v" "$st" 2 0 normal codes=all count=256 timeout=300
	timeout 120 python3 "$tmp/client.py" "$port" 256 "$v"
	wait "$sp"
	sleep 0.5
	kill -INT "$tp"
	wait "$tp" 2>/dev/null
	if grep -q 'dropped by kernel' "$d/tcpdump.log" &&
		! grep -q '^0 packets dropped by kernel' "$d/tcpdump.log"; then
		echo "$v $st: the capture lost packets (a busy machine), not judged"
		return
	fi
	seq 0 255 | sed "s/^/2:/; s/\$/:$stage/" >"$d/want"
	scan_alerts "$d/keys" "$d/c.pcap" >"$d/scan"
	tshark -r "$d/c.pcap" $(decode_as "$d/c.pcap" tcp tls) -o "tls.keylog_file:$d/keys" \
		-Y 'tls.alert_message && tcp.srcport == '"$port" \
		-T fields -e tls.alert_message.level -e tls.alert_message.desc 2>/dev/null |
		tr '\t' ':' | sed "s/\$/:$stage/" >"$d/tshark"
	# the alerts: scan exactly; tshark never otherwise, and it may miss a few (it merges
	# two connections when the client reuses a port: 256 draws from the ephemeral range
	# collide about once a run; ports other protocols registered are decoded as TLS)
	if ! cmp -s <(cut -d: -f1,2 "$d/want") <(cut -d: -f1,2 "$d/scan"); then
		echo "FAIL: $v $st: scan does not report the 256 alerts sent ($(wc -l <"$d/scan") lines)"
		diff <(cut -d: -f1,2 "$d/want") <(cut -d: -f1,2 "$d/scan") | head -5
		fail=$((fail + 1))
	fi
	local extra got
	extra=$(comm -13 <(cut -d: -f1,2 "$d/want" | sort) <(cut -d: -f1,2 "$d/tshark" | sort) | wc -l)
	got=$(sort -u "$d/tshark" | wc -l)
	if [ "$extra" -ne 0 ] || [ "$got" -lt 248 ]; then
		echo "FAIL: $v $st: tshark decodes $extra alerts that were not sent, $got of 256 in all"
		fail=$((fail + 1))
	fi
	# the stage: the step's, or one the peer's next flight reaches when it crossed our
	# alert on the wire (waking the peer with the flight can let it run, and answer,
	# before our next send on a busy machine: under ASan most of them cross)
	local bad
	bad=$(cut -d: -f3 "$d/scan" | grep -cvxE "$stage|$4")
	if [ "$bad" -ne 0 ]; then
		echo "FAIL: $v $st: scan names $bad stages other than $stage (or $4):"
		cut -d: -f3 "$d/scan" | grep -vxE "$stage|$4" | sort | uniq -c | head -3
		fail=$((fail + 1))
	fi
}

# DTLS 1.2 (a subset: codes 0-31, openssl s_client as the client, over UDP)
roundtrip_dtls() {
	local st=$1 stage=$2 n=32
	local d=$tmp/fefd-$st
	mkdir -p "$d"
	local sp tp port
	serve_captured "$d" udp fefd "$st" 2 0 normal codes=all count=$n timeout=200
	for _ in $(seq $n); do
		sleep 0.4 | timeout 5 openssl s_client -dtls1_2 -connect "127.0.0.1:$port" \
			-ign_eof >/dev/null 2>&1
	done
	wait "$sp"
	sleep 0.5
	kill -INT "$tp"
	wait "$tp" 2>/dev/null
	seq 0 $((n - 1)) | sed "s/^/2:/; s/\$/:$stage/" >"$d/want"
	scan_alerts "$d/keys" "$d/c.pcap" >"$d/scan"
	tshark -r "$d/c.pcap" -o "tls.keylog_file:$d/keys" $(decode_as "$d/c.pcap" udp dtls) \
		-Y 'dtls.alert_message && udp.srcport == '"$port" \
		-T fields -e dtls.alert_message.level -e dtls.alert_message.desc 2>/dev/null |
		tr '\t' ':' | sed "s/\$/:$stage/" >"$d/tshark"
	if ! cmp -s <(cut -d: -f1,2 "$d/want") <(cut -d: -f1,2 "$d/scan"); then
		echo "FAIL: DTLS 1.2 $st: scan does not report the $n alerts sent ($(wc -l <"$d/scan") lines)"
		diff <(cut -d: -f1,2 "$d/want") <(cut -d: -f1,2 "$d/scan") | head -5
		fail=$((fail + 1))
	fi
	# tshark (4.x) calls some of them "Encrypted Alert" once several DTLS connections
	# went to one server port, plaintext ones too: only what it decodes must agree
	local wrong
	wrong=$(paste -d' ' "$d/want" "$d/tshark" | awk '$2 !~ /^::/ && $1 != $2' | wc -l)
	if [ "$(wc -l <"$d/tshark")" -ne "$n" ] || [ "$wrong" -ne 0 ]; then
		echo "FAIL: DTLS 1.2 $st: tshark decodes $wrong alerts otherwise, or misses some"
		fail=$((fail + 1))
	fi
}

for v in ${VERSIONS:-0303 0304}; do
	[ "$v" = fefd ] && continue
	roundtrip $v server_hello server_hello server_hello
	if [ $v = 0304 ]; then
		roundtrip $v server_hello_done server_flight finished
	else
		roundtrip $v server_hello_done server_hello_done \
			'client_key_exchange|change_cipher_spec|finished'
	fi
	roundtrip $v finished finished application_data
done
if [ -z "${VERSIONS:-}" ] || [ "${VERSIONS:-}" = fefd ]; then
	roundtrip_dtls server_hello server_hello
	roundtrip_dtls server_hello_done server_hello_done
	roundtrip_dtls finished finished
fi
echo "serve_roundtrip: $fail failed"
[ "$fail" -eq 0 ]
