#!/usr/bin/env bash
# QUIC alerts from a second real stack: quic-go 0.29 (Debian
# golang-github-lucas-clemente-quic-go-dev, Go's crypto/tls of Go 1.19 as qtls),
# played by tests/scripts/lib/quic_peer.go, on the loopback interface under
# tcpdump, with the key log quic-go writes (tls.Config.KeyLogWriter); two cases
# pair it with ngtcp2's example programs (gtlsserver, gtlsclient).  For each
# capture scan's alert (code, sender, packet space, stage, transport "quic") is
# checked, and tshark must agree, with the key log and without it (quic_check,
# tests/scripts/lib/quic_capture.bash); without it an alert in Handshake packets
# is inferred or not reported, never another.  What each peer printed must be
# read by `logs` and `explain` as the same alert.
#
#   alpn       the client offers h3, the server serves doq only: the server's
#              Initial carries CRYPTO_ERROR 0x178 (no_application_protocol)
#   certrej    the client does not trust the server's self-signed certificate:
#              0x12a (bad_certificate, Go's alert for any verify error) from the
#              client, in a Handshake packet
#   certreq    the server requires a client certificate the client does not
#              send: quic-go 0.29 (Go 1.19) answers bad_certificate (0x12a), not
#              certificate_required (Go sends 116 from 1.21 on), in Handshake packets
#   groups     the server accepts P-384 only, the client offers X25519 only:
#              0x128 (handshake_failure) in the server's Initial
#   ok         a connection the client closes with application error 0 (0x1d):
#              no alert, the close named
#   xalpn      quic-go's client offering doq to ngtcp2's server (h3): 0x178 from
#              ngtcp2, in its Initial
#   xcertreq   ngtcp2's client, without a certificate, to quic-go's server that
#              requires one: 0x12a from quic-go
#
# With MAKE=DIR the captures and key logs are written to DIR as well, as
# quicgo-NAME.pcap and .keys (how tests/data/quic/quicgo-* were made; the fast
# tier's goldens scan-quic-quicgo* read them).  Skipped (77) without go, quic-go,
# tcpdump, tshark, or ngtcp2's examples (apt-get install golang-go
# golang-github-lucas-clemente-quic-go-dev tcpdump tshark ngtcp2-server ngtcp2-client).
# tier: full (builds a Go program, starts QUIC peers and tcpdump on lo; about 15 s)
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
GOPATH_QUIC=${GOPATH_QUIC:-/usr/share/gocode}
for tool in go tcpdump gtlsclient python3 openssl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$tool is not installed (apt-get install golang-go tcpdump ngtcp2-client); quic-go test not run"
		exit 77
	fi
done
gtlsserver=$(command -v gtlsserver || ls /usr/sbin/gtlsserver 2>/dev/null)
[ -n "$gtlsserver" ] || { echo "gtlsserver is not installed (apt-get install ngtcp2-server); quic-go test not run"; exit 77; }
if [ ! -d "$GOPATH_QUIC/src/github.com/lucas-clemente/quic-go" ]; then
	echo "quic-go is not installed (apt-get install golang-github-lucas-clemente-quic-go-dev); quic-go test not run"
	exit 77
fi
. tests/scripts/lib/need_tshark.bash
. tests/scripts/lib/quic_capture.bash
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
# GOPATH mode: quic-go 0.29 and its dependencies as Debian installs them, no network
(cd tests/scripts/lib && GO111MODULE=off GOPATH=$GOPATH_QUIC GOCACHE=$tmp/gocache GOFLAGS='' \
	go build -o "$tmp/quic_peer" quic_peer.go) >"$tmp/go.log" 2>&1 || {
	# a quic-go this program does not fit is a failure, not a skip
	echo "FAIL: cannot build quic_peer.go: $(head -5 "$tmp/go.log")"
	exit 1
}
peer=$tmp/quic_peer
cd "$tmp" || exit 1
mkdir -p htdocs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
	-out cert.pem -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	>/dev/null 2>&1 || { echo "openssl req failed"; exit 1; }
base=$((30000 + RANDOM % 20000))
fail=0

# server_go NAME PORT ARGS / server_ngtcp2 NAME PORT ARGS: a server in the background,
# returning once it listens; its output in NAME.srv, its key log NAME.srv.keys
server_go() {
	local name=$1 port=$2 i
	shift 2
	"$peer" -role server -addr "127.0.0.1:$port" -cert cert.pem -key key.pem -keylog "$name.srv.keys" \
		"$@" >"$name.srv" 2>"$name.srv.err" &
	srv_pid=$!
	pids+=("$srv_pid")
	for ((i = 0; i < 100; i++)); do
		grep -qs '^listening' "$name.srv.err" && return
		sleep 0.05
	done
}
server_ngtcp2() {
	local name=$1 port=$2
	shift 2
	SSLKEYLOGFILE=$name.srv.keys timeout 10 "$gtlsserver" -q -d "$tmp/htdocs" "$@" 127.0.0.1 "$port" \
		key.pem cert.pem >"$name.srv" 2>&1 &
	srv_pid=$!
	pids+=("$srv_pid")
	sleep 0.3
}
client_go() {
	local name=$1 port=$2
	shift 2
	"$peer" -role client -addr "127.0.0.1:$port" -keylog "$name.cli.keys" "$@" >"$name.cli" 2>&1
}
client_ngtcp2() {
	local name=$1 port=$2
	shift 2
	SSLKEYLOGFILE=$name.cli.keys timeout 5 gtlsclient -q --exit-on-all-streams-close "$@" \
		127.0.0.1 "$port" https://localhost/ >"$name.cli" 2>&1
}

# capture NAME SERVER "SERVER ARGS" CLIENT "CLIENT ARGS": one connection under tcpdump;
# NAME.keys is both peers' key log lines
capture() {
	local name=$1 port=$((base + ${#pids[@]})) i
	quic_cap_start "$name" "$port"
	# shellcheck disable=SC2086 # the words of the argument strings are options
	"server_$2" "$name" "$port" $3
	# shellcheck disable=SC2086
	"client_$4" "$name" "$port" $5
	# quic_peer ends by itself once it printed how the connection ended (at the latest
	# at its -timeout); gtlsserver serves on until it is killed
	for ((i = 0; i < 100; i++)); do
		[ "$2" = go ] && kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.05
	done
	[ "$2" = go ] || sleep 0.3
	kill "$srv_pid" 2>/dev/null
	wait "$srv_pid" 2>/dev/null
	quic_cap_stop
	cat "$name.cli.keys" "$name.srv.keys" 2>/dev/null | sort -u >"$name.keys"
	if [ -n "${MAKE:-}" ]; then
		cp "$name.pcap" "$MAKE/quicgo-$name.pcap"
		[ -s "$name.keys" ] && cp "$name.keys" "$MAKE/quicgo-$name.keys"
	fi
}

capture alpn go "-alpn doq" go "-alpn h3 -ca $tmp/cert.pem"
capture certrej go "" go "-alpn h3"
capture certreq go "-require-cert -ca $tmp/cert.pem" go "-ca $tmp/cert.pem"
capture groups go "-curves P384" go "-curves X25519 -ca $tmp/cert.pem"
capture ok go "" go "-ca $tmp/cert.pem"
capture xalpn ngtcp2 "" go "-alpn doq -ca $tmp/cert.pem"
capture xcertreq go "-alpn h3 -require-cert -ca $tmp/cert.pem" ngtcp2 ""

# scan and tshark, with the key log and without it.  quic-go repeats a close in every
# packet number space it still has keys for: a close the client sends in a Handshake
# packet may go in an Initial packet as well (then it is readable without keys).
# quic-go's server may send its ServerHello (Initial) before it finds no protocol in
# common (Go negotiates ALPN for its EncryptedExtensions): the close then comes at
# server_hello, in an Initial and a Handshake packet
quic_check alpn alpn.pcap alpn.keys \
	"120:server:initial:client_hello:false|120:server:initial:server_hello:false"
quic_check alpn-nokeys alpn.pcap "" \
	"120:server:initial:client_hello:false|120:server:initial:server_hello:false"
quic_check certrej certrej.pcap certrej.keys \
	"42:client:handshake:server_certificate:false|42:client:initial:server_certificate:false"
quic_check certrej-nokeys certrej.pcap "" \
	"-:client:handshake:server_hello:true|42:client:initial:server_hello:false|"
quic_check certreq certreq.pcap certreq.keys \
	"42:server:handshake:finished:false|42:server:initial:finished:false"
quic_check certreq-nokeys certreq.pcap "" \
	"-:server:handshake:server_hello:true|42:server:initial:server_hello:false|"
quic_check groups groups.pcap groups.keys "40:server:initial:client_hello:false"
quic_check ok ok.pcap ok.keys ""
quic_check ok-nokeys ok.pcap "" ""
quic_check xalpn xalpn.pcap xalpn.keys "120:server:initial:client_hello:false"
quic_check xcertreq xcertreq.pcap xcertreq.keys \
	"42:server:handshake:finished:false|42:server:initial:finished:false"
quic_check xcertreq-nokeys xcertreq.pcap "" \
	"-:server:handshake:server_hello:true|42:server:initial:server_hello:false|"
# the client's application close (0x1d, code 0) is the connection's close, named
grep -q '"close":{"frame_type":"0x1d","code":"0x0","name":"[^"]' ok.json ||
	{ echo "FAIL: ok: no application close in the connection object"; fail=1; }
grep -q '"outcome":"established"' ok.json || { echo "FAIL: ok: not established"; fail=1; }
grep -q decrypt_error ./*.json && { echo "FAIL: a packet did not authenticate: $(grep -l decrypt_error ./*.json)"; fail=1; }

# What each quic-go peer printed, read by `logs` and `explain`: the alert it names, and for
# the side that sent it, the cause of quic-go's own error text (a local error, docs/logs.md).
# expect NAME SIDE CODE [CAUSE]: NAME.SIDE's line (quic_peer's output) is CRYPTO_ERROR
# 0x100+CODE; with CAUSE, `logs` says it was sent, CAUSE first
: >printed.log
: >printed.want
expect() {
	local line
	line=$(head -1 "$1.$2")
	case $line in
	"CRYPTO_ERROR ("*) ;;
	*) echo "FAIL: $1: the $2 printed '$line', not a CRYPTO_ERROR"; fail=1; return ;;
	esac
	printf '%s\n' "$line" >>printed.log
	echo "$3 ${4:-}" >>printed.want
	"$TLSALERT" explain --json "$line" >"$1.$2.explain" 2>&1
	grep -q "^{\"input\":.*,\"code\":$3," "$1.$2.explain" ||
		{ echo "FAIL: explain '$line': not alert $3: $(head -c 200 "$1.$2.explain")"; fail=1; }
}
expect alpn srv 120 alpn-mismatch
expect alpn cli 120
expect certrej cli 42 untrusted-ca
expect certrej srv 42
expect certreq srv 42 client-cert-missing
expect certreq cli 42
expect groups srv 40 no-shared-group
expect groups cli 40
expect xalpn cli 120
expect xcertreq srv 42 client-cert-missing
"$TLSALERT" logs --json printed.log >printed.json 2>printed.err
python3 - printed.json printed.want printed.log <<'PY' || fail=1
import json, sys
got = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = [l.split() for l in open(sys.argv[2])]
lines = open(sys.argv[3]).read().splitlines()
bad = []
by_line = {}
for m in got:
    by_line.setdefault(m["line"], m)
for i, (w, text) in enumerate(zip(want, lines), 1):
    m = by_line.get(i)
    cause = m["causes"][0]["id"] if m and m["causes"] else "-"
    if m is None or m["code"] != int(w[0]) or m["transport"] != "quic":
        bad.append("line %d %r: %s, expected %s over QUIC" % (i, text, m and m["code"], w[0]))
    elif len(w) > 1 and (m["direction"] != "sent" or cause != w[1]):
        bad.append("line %d %r: %s, %s first, expected sent, %s" % (i, text, m["direction"],
                                                                   cause, w[1]))
    else:
        print("ok: logs: %d %s (%s, %s): %s" % (m["code"], m["name"], m["direction"], cause, text))
if bad:
    print("FAIL: logs: " + "; ".join(bad))
    sys.exit(1)
PY
[ $fail = 0 ] && echo "quic_quicgo: all cases agree with tshark, logs and explain"
exit $fail
