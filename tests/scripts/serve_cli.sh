#!/usr/bin/env bash
# `tlsalert serve` against `openssl s_client` on loopback: the alert serve sends is the one
# s_client reports ("alert number N"), serve's text and JSON say what was sent and what the
# client did, and the exit status follows the verdict (0 follows, 1 violates: a client that
# sends its ClientHello and then sits on a fatal alert, 2 when no connection comes).  Then
# --matrix with 2 alerts x 2 steps against s_client: the CSV has one row per case, the
# client's exit status and its first error line naming the alert.  Also --capture-out: scan
# reads the alert serve sent from the capture, decrypted; and a client that comes back with
# a lower version after the alert is a fallback.
# tier: full (starts s_client a dozen times, about 15 s)
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v openssl >/dev/null || { echo "openssl not found"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# listening NAME: waits up to 5 s for serve's "listening on" line (stdout, or stderr
# beside --json); connecting to see would be served as a connection
listening() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on 127.0.0.1:$port " "$tmp/$1.out" "$tmp/$1.err" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# serve_bg NAME ARGS...: serve on a free port in the background (at most 30 s);
# $port is its port, $tmp/NAME.out/.err/.rc what it wrote and its status
serve_bg() {
	local name=$1
	shift
	port=$(free_port)
	(
		timeout 30 "$TLSALERT" serve --listen "127.0.0.1:$port" --timeout 3 "$@" \
			>"$tmp/$name.out" 2>"$tmp/$name.err"
		echo $? >"$tmp/$name.rc"
	) &
	pids+=($!)
	listening "$name" || bad "$name: serve did not listen on $port: $(cat "$tmp/$name.err")"
}

# s_client ARGS...: one connection to $port, nothing to send; its stderr+stdout in $tmp/client
s_client() {
	timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername localhost "$@" \
		</dev/null >"$tmp/client" 2>&1
}

wait_rc() { # wait_rc NAME: serve's exit status once it ended
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$tmp/$1.rc" ] && { cat "$tmp/$1.rc"; return; }
		sleep 0.05
	done
	echo timeout
}

json() { # json FILE EXPR: a field of the first JSON line
	python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).readline()); print(eval(sys.argv[2], {}, {"o": o}))' "$1" "$2"
}

# 1. TLS 1.3, unknown_ca after the ServerHello, JSON: encrypted, seq 0, s_client names it.
serve_bg t13 --alert unknown_ca --at server_hello --ca-out "$tmp/ca.pem" --json \
	--capture-out "$tmp/t13.pcapng"
s_client -CAfile "$tmp/ca.pem"
grep -q "alert number 48" "$tmp/client" || bad "t13: s_client did not report alert 48: $(head -3 "$tmp/client")"
rc=$(wait_rc t13)
[ "$rc" = 0 ] || bad "t13: exit status $rc, not 0: $(cat "$tmp/t13.err")"
[ "$(json "$tmp/t13.out" 'o["code"], o["name"], o["level"], o["step"], o["encrypted"], o["seq"], o["alert_sent"]')" = \
	"(48, 'unknown_ca', 2, 'server_hello', True, 0, True)" ] ||
	bad "t13: JSON of what was sent: $(cat "$tmp/t13.out")"
[ "$(json "$tmp/t13.out" 'o["version"], o["verdict"] in ("follows", "no_rule"), o["reaction"] in ("close", "alert", "close_notify")')" = \
	"('TLS 1.3', True, True)" ] || bad "t13: JSON reaction/verdict: $(cat "$tmp/t13.out")"
# the capture: scan reads the alert serve sent, decrypted with the DSB's secrets
if [ -s "$tmp/t13.pcapng" ]; then
	"$TLSALERT" scan --json "$tmp/t13.pcapng" >"$tmp/scan.json" 2>"$tmp/scan.err"
	grep -q '"sender":"server".*"code":48\|"code":48.*"sender":"server"' "$tmp/scan.json" ||
		bad "t13: scan of --capture-out does not show the server's alert 48: $(head -c 600 "$tmp/scan.json") $(cat "$tmp/scan.err")"
else
	bad "t13: --capture-out wrote nothing"
fi

# 2. TLS 1.2, handshake_failure on the ClientHello, text output.
serve_bg t12 --alert handshake_failure --at client_hello --tls 1.2
s_client -tls1_2
grep -q "alert number 40\|alert handshake failure" "$tmp/client" ||
	bad "t12: s_client did not report alert 40: $(head -3 "$tmp/client")"
rc=$(wait_rc t12)
[ "$rc" = 0 ] || bad "t12: exit status $rc, not 0: $(cat "$tmp/t12.err")"
grep -q "^listening on 127.0.0.1:$port (TLS 1.2); at client_hello: fatal handshake_failure (40)" "$tmp/t12.out" ||
	bad "t12: no listening line: $(head -2 "$tmp/t12.out")"
grep -q "^  sent     fatal handshake_failure (40) at client_hello, in plaintext" "$tmp/t12.out" ||
	bad "t12: no sent line: $(cat "$tmp/t12.out")"
grep -q "^  peer     " "$tmp/t12.out" || bad "t12: no peer line: $(cat "$tmp/t12.out")"
grep -q "^  verdict  \(follows\|no rule\)" "$tmp/t12.out" || bad "t12: no verdict line: $(cat "$tmp/t12.out")"

# 3. A client that sends its ClientHello and then ignores a fatal alert (stays silent and
#    open): the reaction is hang, the verdict violates, exit status 1.
serve_bg hang --alert internal_error --at client_hello --json
python3 - "$port" <<'PY'
import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(out.read())
time.sleep(5)  # longer than serve's --timeout 3: never reads the alert, never closes
s.close()
PY
rc=$(wait_rc hang)
[ "$rc" = 1 ] || bad "hang: exit status $rc, not 1: $(cat "$tmp/hang.out" "$tmp/hang.err")"
[ "$(json "$tmp/hang.out" 'o["reaction"], o["verdict"]')" = "('hang', 'violates')" ] ||
	bad "hang: JSON: $(cat "$tmp/hang.out")"

# 4. No connection within --idle: exit 2 with a message.
port=$(free_port)
timeout 20 "$TLSALERT" serve --listen "127.0.0.1:$port" --alert 48 --at finished --idle 1 \
	>"$tmp/idle.out" 2>"$tmp/idle.err"
rc=$?
[ "$rc" = 2 ] && [ -s "$tmp/idle.err" ] || bad "idle: exit $rc, stderr: $(cat "$tmp/idle.err")"

# 5. The matrix: 2 alerts x 2 steps against s_client, CSV.
timeout 120 "$TLSALERT" serve --matrix --csv --alerts unknown_ca,decode_error \
	--at client_hello,server_hello --timeout 10 \
	--client 'openssl s_client -connect 127.0.0.1:{port} -servername {host} -CAfile {ca} -quiet -verify_quiet </dev/null' \
	>"$tmp/m.csv" 2>"$tmp/m.err"
rc=$?
[ "$rc" = 0 ] || bad "matrix: exit status $rc: $(cat "$tmp/m.err")"
python3 - "$tmp/m.csv" <<'PY' || fail=1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = [(c, s) for c in ("48", "50") for s in ("client_hello", "server_hello")]
got = [(r["code"], r["step"]) for r in rows]
if got != want:
    print("FAIL: matrix rows", got, "not", want); sys.exit(1)
ok = True
for r in rows:
    if r["client_exit"] in ("", "0") or r["client_end"] != "exit":
        print("FAIL: matrix: s_client should fail:", r); ok = False
    if "alert number " + r["code"] not in r["client_error"] and "alert" not in r["client_error"]:
        print("FAIL: matrix: s_client's first error line does not name the alert:", r); ok = False
    if r["connections"] != "1" or r["reaction"] == "" or r["verdict"] not in ("follows", "no_rule"):
        print("FAIL: matrix: the wire reaction:", r); ok = False
sys.exit(0 if ok else 1)
PY
# 6. Fallback: a client that comes back offering TLS 1.2 at most after our alert; one that
#    retries the same version is no fallback.
timeout 60 "$TLSALERT" serve --matrix --csv --alerts 40 --at client_hello --client \
	'openssl s_client -connect 127.0.0.1:{port} -quiet </dev/null; openssl s_client -connect 127.0.0.1:{port} -tls1_2 -quiet </dev/null' \
	>"$tmp/fb.csv" 2>"$tmp/fb.err"
grep -q '^40,handshake_failure,client_hello,1,exit,2,fallback,,,violates,' "$tmp/fb.csv" ||
	bad "fallback: $(cat "$tmp/fb.csv" "$tmp/fb.err")"
timeout 60 "$TLSALERT" serve --matrix --csv --alerts 40 --at client_hello --client \
	'openssl s_client -connect 127.0.0.1:{port} -quiet </dev/null; openssl s_client -connect 127.0.0.1:{port} -quiet </dev/null' \
	>"$tmp/nofb.csv" 2>"$tmp/nofb.err"
grep -q '^40,handshake_failure,client_hello,1,exit,2,close,' "$tmp/nofb.csv" ||
	bad "no fallback: $(cat "$tmp/nofb.csv" "$tmp/nofb.err")"

[ "$fail" = 0 ] && echo "serve_cli: ok"
exit "$fail"
