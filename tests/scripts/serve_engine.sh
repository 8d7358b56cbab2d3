#!/usr/bin/env bash
# The serve engine (src/lib/net/serve_*.c) against OpenSSL's own programs on 127.0.0.1:
# build/tests/test_serve, run as a driver, plays the server to `openssl s_client` and
# the client to `openssl s_server`, sends the alert at the step in the shape asked, and
# the peer's own words must name it (`SSL alert number 48`, `too many warn alerts`,
# `invalid alert`, ...); the driver's line says what it saw of the peer's reaction.
# Every program runs under `timeout`.
# tier: full (about 75 handshakes, each up to a 1.5 s reaction timeout; about 90 s)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
DRIVER=$PWD/$BUILD/tests/test_serve
command -v openssl >/dev/null || { echo "openssl not found"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
[ -x "$DRIVER" ] || { echo "$DRIVER not built"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# server VER STEP LEVEL CODE SHAPE 'WANT (ERE in s_client's output)' 'WANT2 (ERE in the
# driver's line)' [driver flags...] [-- s_client flags...]
server() {
	local v=$1 st=$2 lv=$3 cd=$4 sh=$5 want=$6 want2=$7
	shift 7
	local df=() cf=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do df+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	cf=("$@")
	n=$((n + 1))
	timeout 20 "$DRIVER" serve 127.0.0.1:0 "$v" "$st" "$lv" "$cd" "$sh" ca="$tmp/ca.pem" \
		timeout=1500 "${df[@]}" >"$tmp/s.out" 2>&1 &
	local sp=$! port=
	for _ in $(seq 100); do
		port=$(awk '/^port/{print $2}' "$tmp/s.out")
		[ -n "$port" ] && [ -s "$tmp/ca.pem" ] && break
		sleep 0.1
	done
	local V=-tls1_3
	[ "$v" = 0303 ] && V=-tls1_2
	[ "$v" = fefd ] && V=-dtls1_2
	(printf 'GET / HTTP/1.0\r\n\r\n'; sleep 1) |
		timeout 8 openssl s_client "$V" -connect "127.0.0.1:$port" -servername localhost \
			-CAfile "$tmp/ca.pem" -verify_return_error -ign_eof "${cf[@]}" >"$tmp/c.out" 2>&1
	wait "$sp"
	local line
	line=$(grep '^reached=' "$tmp/s.out")
	if ! grep -Eq -- "$want" "$tmp/c.out" || ! grep -Eq -- "$want2" <<<"$line"; then
		echo "FAIL: server $v $st $lv:$cd $sh ${df[*]}: want /$want/ from s_client, /$want2/ from the driver"
		echo "  s_client: $(grep -E 'alert|error|Verify' "$tmp/c.out" | head -3 | tr '\n' ' ')"
		echo "  driver: $line $(grep -v '^port\|^reached' "$tmp/s.out" | head -2)"
		fail=$((fail + 1))
	fi
	rm -f "$tmp/ca.pem"
}

# client VER STEP LEVEL CODE SHAPE 'WANT (ERE in s_server's output)' 'WANT2' [s_server flags]
client() {
	local v=$1 st=$2 lv=$3 cd=$4 sh=$5 want=$6 want2=$7
	shift 7
	n=$((n + 1))
	local port V=-tls1_3 sp try round
	[ "$v" = 0303 ] && V=-tls1_2
	# s_server accepts one connection (-naccept 1): when a client of another test run on
	# the machine at the same time, waiting for its own server on a port number that was
	# ours a moment ago, takes it first, the driver finds nothing listening ("connect:
	# ... refused"): the case runs again
	for round in 1 2; do
		# a free port can be taken between the look and the bind: try another
		for try in 1 2 3; do
			port=$(free_port)
			timeout 10 openssl s_server "$V" -accept "127.0.0.1:$port" -cert "$tmp/sc.pem" \
				-key "$tmp/sk.pem" -naccept 1 "$@" < <(sleep 4) >"$tmp/ss.out" 2>&1 &
			sp=$!
			for _ in $(seq 100); do
				grep -q ACCEPT "$tmp/ss.out" 2>/dev/null && break
				kill -0 "$sp" 2>/dev/null || break
				sleep 0.1
			done
			grep -q ACCEPT "$tmp/ss.out" && break
			kill "$sp" 2>/dev/null
			wait "$sp" 2>/dev/null
		done
		timeout 10 "$DRIVER" connect 127.0.0.1 "$port" "$v" "$st" "$lv" "$cd" "$sh" \
			timeout=1500 >"$tmp/cc.out" 2>&1
		kill "$sp" 2>/dev/null
		wait "$sp" 2>/dev/null
		grep -q '^connect: ' "$tmp/cc.out" || break
		echo "note: client $v $st $lv:$cd $sh: $(head -1 "$tmp/cc.out") (round $round)"
	done
	if ! grep -Eq -- "$want" "$tmp/ss.out" || ! grep -Eq -- "$want2" "$tmp/cc.out"; then
		echo "FAIL: client $v $st $lv:$cd $sh: want /$want/ from s_server, /$want2/ from the driver"
		echo "  s_server: $(grep -E 'alert|error' "$tmp/ss.out" | head -3 | tr '\n' ' ')"
		echo "  driver: $(head -2 "$tmp/cc.out")"
		fail=$((fail + 1))
	fi
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/sk.pem" \
	-out "$tmp/sc.pem" -days 2 -subj /CN=localhost >/dev/null 2>&1 ||
	{ echo "cannot make a certificate"; exit 2; }
cp "$tmp/sc.pem" "$tmp/cc.pem"
cp "$tmp/sk.pem" "$tmp/ck.pem"

# Every server step, both versions: the client names the alert; protected where due
# (TLS 1.3 from the ServerHello on, TLS 1.2 from the CCS on), at the sequence number due.
for v in 0304 0303; do
	server $v client_hello 2 40 normal 'SSL alert number 40' 'reached=1 sent=1 encrypted=0'
	server $v server_hello 2 48 normal 'SSL alert number 48' \
		"encrypted=$([ $v = 0304 ] && echo 1 || echo 0) seq=0"
	server $v server_certificate 2 42 normal 'SSL alert number 42' 'sent=1'
	server $v server_key_exchange 2 50 normal 'SSL alert number 50' 'sent=1'
	server $v certificate_request 2 116 normal 'SSL alert number 116' 'sent=1' rcc
	server $v server_hello_done 2 43 normal 'SSL alert number 43' 'sent=1'
	server $v client_certificate 2 42 normal 'SSL alert number 42' 'sent=1' rcc
	server $v finished 2 80 normal 'SSL alert number 80' 'encrypted=1 seq=[01] '
	server $v application_data 2 80 normal 'SSL alert number 80' 'encrypted=1'
	server $v mid_response 2 80 normal 'SSL alert number 80' 'encrypted=1'
	server $v closing 2 80 normal 'SSL alert number 80' 'encrypted=1'
	# a code no registry knows, a bogus level
	server $v finished 2 222 normal 'SSL alert number 222' 'sent=1'
done
# plaintext where the epoch is protected: TLS 1.2 has no protection yet at that step
server 0303 server_hello_done 2 40 normal 'SSL alert number 40' 'encrypted=0' plaintext
server 0304 server_hello_done 2 40 normal 'bad record type' 'encrypted=0' plaintext
server 0304 finished 2 40 normal 'bad record type' 'encrypted=0' plaintext
# TLS 1.3: OpenSSL takes a fatal user_canceled as a warning (a closure alert) and waits
server 0304 closing 2 90 normal '.' 'encrypted=1 .*kind=hang'
server 0303 closing 2 90 normal 'SSL alert number 90' 'encrypted=1'
server 0303 change_cipher_spec 2 42 normal 'data between ccs and finished' 'encrypted=1 seq=0 '
server 0303 server_hello_done 7 42 normal 'unknown alert type' 'sent=1'

# Shapes.  OpenSSL refuses a record holding more or less than one alert, accepts four
# TLS 1.2 warnings and refuses the fifth; a warning lets the handshake go on.
for v in 0304 0303; do
	server $v server_hello_done 2 42 fragmented 'invalid alert' 'records=2 '
	server $v server_hello_done 2 42 double 'invalid alert' 'records=1 '
	server $v server_hello_done 2 42 empty 'invalid alert|bad length' 'records=1 '
	server $v server_hello_done 2 42 split 'SSL alert number 42' 'records=1 '
	server $v server_hello_done 2 42 coalesced 'SSL alert number 42' 'records=1 '
	server $v finished 1 100 repeat=3 'no renegotiation' 'records=3 '
done
server 0303 server_hello 1 112 repeat=4 'tlsalert serve: this is data' 'continued=1 completed=1'
server 0303 server_hello 1 112 repeat=5 'too many warn alerts' 'records=5 .*completed=0'
server 0304 server_hello_done 1 42 normal 'SSL alert number 42' 'continued=1'

# ALPN: the server picks the client's protocol it knows
server 0304 finished 2 120 normal 'ALPN protocol: h2' 'alpn=h2 ' alpn=h2 -- -alpn h2,http/1.1
server 0304 client_hello 2 120 normal 'no_application_protocol|SSL alert number 120' 'sent=1' \
	alpn=h2 -- -alpn spdy/1

# DTLS 1.2 on UDP (the server role): protected from the CCS on, in datagrams; OpenSSL
# drops a plaintext alert once the epoch is protected (nothing to say), and a UDP peer
# never closes: the watch ends at the timeout
for st in client_hello server_hello server_certificate server_key_exchange server_hello_done \
	finished application_data closing; do
	server fefd $st 2 48 normal 'SSL alert number 48' 'sent=1 .*version=(0000|fefd)'
done
server fefd certificate_request 2 116 normal 'SSL alert number 116' 'sent=1' rcc
server fefd finished 2 48 normal 'SSL alert number 48' 'encrypted=1 seq=1 '
server fefd server_hello_done 2 42 fragmented 'invalid alert' 'records=2 '
server fefd server_hello_done 2 42 double 'invalid alert' 'records=1 '
server fefd server_hello_done 2 42 repeat=3 'SSL alert number 42' 'records=3 '
server fefd server_hello_done 2 42 coalesced 'SSL alert number 42' 'records=1 '

# The client role against s_server
for v in 0304 0303; do
	client $v client_hello 2 40 normal 'unexpected message' 'reached=1 sent=1 encrypted=0'
	client $v server_hello_done 2 40 normal 'SSL alert number 40' 'reached=1 sent=1'
	client $v client_certificate 2 42 normal 'SSL alert number 42' 'reached=1 sent=1' -verify 1
	client $v finished 2 48 normal 'SSL alert number 48' 'encrypted=1'
	client $v application_data 2 80 normal 'SSL alert number 80' 'encrypted=1'
	client $v closing 2 80 normal 'SSL alert number 80' 'encrypted=1'
done
client 0303 client_key_exchange 2 40 normal 'SSL alert number 40' 'encrypted=0'
client 0303 change_cipher_spec 2 40 normal 'data between ccs and finished' 'encrypted=1 seq=0 '
client 0303 client_certificate 2 42 normal 'ACCEPT' 'reached=0 .*without reaching client_certificate'

echo "serve_engine: $n cases, $fail failed"
[ "$fail" -eq 0 ]
