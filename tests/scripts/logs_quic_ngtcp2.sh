#!/usr/bin/env bash
# tier: full (runs the ngtcp2 example client and server on loopback, a few seconds)
# Real QUIC logs (issue 16): ngtcp2's GnuTLS examples (Debian ngtcp2-client and
# ngtcp2-server: gtlsclient, gtlsserver) talk to each other on loopback, their debug
# logs are read by `tlsalert logs --json`, and each side's close must be the alert it
# sent or received, with transport "quic":
#   - no key-exchange group in common: the server sends handshake_failure (CRYPTO_ERROR
#     0x128) in its Initial packet, the client receives it;
#   - the server requires a client certificate the client does not send: the server sends
#     certificate_required (0x174), the client receives it.
set -u
cd "$(dirname "$0")/../.."
: "${TLSALERT:?}"
srv=$(command -v gtlsserver || ls /usr/sbin/gtlsserver 2>/dev/null)
cli=$(command -v gtlsclient)
[ -n "$srv" ] && [ -n "$cli" ] || { echo "gtlsserver/gtlsclient not found (apt-get install ngtcp2-server ngtcp2-client)"; exit 77; }
command -v openssl >/dev/null || { echo "openssl not found"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/k.pem" \
	-out "$tmp/c.pem" -days 2 -subj /CN=localhost 2>/dev/null || { echo "openssl req failed"; exit 77; }
fail=0

# run NAME "SERVER OPTIONS" "CLIENT OPTIONS": the two logs in $tmp/NAME.{srv,cli}.log
run() {
	local port=$((20000 + RANDOM % 30000))
	# shellcheck disable=SC2086
	"$srv" $2 -d "$tmp" 127.0.0.1 "$port" "$tmp/k.pem" "$tmp/c.pem" >"$tmp/$1.srv.log" 2>&1 &
	spid=$!
	sleep 0.5
	# shellcheck disable=SC2086
	timeout 10 "$cli" $3 --timeout=2s --exit-on-first-stream-close 127.0.0.1 "$port" \
		https://localhost/ >"$tmp/$1.cli.log" 2>&1
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	spid=""
}

# check LOG CODE DIRECTION: the log's first alert mention is CODE from DIRECTION, over QUIC
check() {
	local got
	got=$("$TLSALERT" logs --json "$1" | python3 -c 'import json, sys
ms = [json.loads(l) for l in sys.stdin if l.strip()]
m = ms[0] if ms else {}
print(m.get("code"), m.get("direction"), m.get("implementation"), m.get("transport"), m.get("quic_error_code"))')
	local want="$2 $3 ngtcp2 quic $((0x100 + $2))"
	if [ "$got" != "$want" ]; then
		echo "$(basename "$1"): got '$got', want '$want'"
		grep -n 'CONNECTION_CLOSE' "$1" | head -3
		fail=1
	fi
}

run groups "--groups=-GROUP-ALL:+GROUP-SECP384R1" "--groups=-GROUP-ALL:+GROUP-X25519"
check "$tmp/groups.srv.log" 40 sent
check "$tmp/groups.cli.log" 40 received
run certreq "--verify-client" ""
check "$tmp/certreq.srv.log" 116 sent
check "$tmp/certreq.cli.log" 116 received
exit $fail
