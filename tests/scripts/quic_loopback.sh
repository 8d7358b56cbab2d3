#!/usr/bin/env bash
# QUIC alerts in `scan`, from captures made here on the loopback interface with
# ngtcp2's example programs (Debian packages ngtcp2-server and ngtcp2-client:
# gtlsserver, gtlsclient; both write SSLKEYLOGFILE), and from the crafted
# captures of tests/data/quic/gen_synth.py (closes the ngtcp2 examples cannot be
# made to send).  For each, scan's alert (code, sender, packet space, stage,
# transport "quic") is checked, and tshark must agree: the first frame of each
# quic.cc.error_code.tls_alert it decodes (with the same key log) is the frame
# of scan's alert with that code (quic_check, tests/scripts/lib/quic_capture.bash,
# shared with quic_quicgo.sh, the same cases with quic-go).
#
#   groups     no group in common: the server's Initial carries CRYPTO_ERROR
#              0x128 (handshake_failure), readable without keys
#   certreq    the server requires a client certificate the client does not
#              send: 0x174 (certificate_required) in Handshake and 1-RTT
#              packets, read with the key log; without it, inferred
#   ok, draft29, upgrade (draft-29 upgraded to v1, RFC 9368), v2vn (a Version
#              Negotiation: the ngtcp2 of Debian 12 predates RFC 9369's v2):
#              no alert; the client's application close (0x1d, H3_NO_ERROR) is
#              the connection's close, never an alert
#   keyupdate  a 1 MB download, the client updating its keys every millisecond: key
#              updates followed (quic_key_updates), every opened packet authenticated
#   crafted    alpn-mismatch (0x178 from the server, Initial), no-alpn (0x178),
#              cert-rejected (0x130 unknown_ca from the client, Handshake), v2-vn (a
#              v2 Initial answered by Version Negotiation: no alert)
#
# With MAKE=DIR the loopback captures and their key logs are written to DIR as
# well (how tests/data/quic/ngtcp2-*.pcap were made).  Skipped (77) without
# tcpdump, gtlsserver/gtlsclient (apt-get install ngtcp2-server ngtcp2-client)
# or tshark.
# tier: full (starts QUIC servers and tcpdump on lo; about 35 s)
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
for tool in tcpdump gtlsserver gtlsclient python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$tool is not installed (apt-get install tcpdump ngtcp2-server ngtcp2-client); QUIC loopback test not run"
		exit 77
	fi
done
. tests/scripts/lib/need_tshark.bash
. tests/scripts/lib/quic_capture.bash
if ! python3 -c 'import cryptography' 2>/dev/null; then
	echo "python3-cryptography missing: QUIC loopback test not run"
	exit 77
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1
mkdir -p htdocs
head -c 1000000 /dev/urandom >htdocs/big
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
	-out cert.pem -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	>/dev/null 2>&1 || { echo "openssl req failed"; exit 1; }

# A free UDP port per case, from a base drawn at random (parallel runs differ).
base=$((30000 + RANDOM % 20000))

# capture NAME "SERVER OPTIONS" "CLIENT OPTIONS": a bounded tcpdump on lo around one
# client run against a fresh server.
capture() {
	local name=$1 sopts=$2 copts=$3 port=$((base + ${#pids[@]}))
	quic_cap_start "$name" "$port"
	# shellcheck disable=SC2086
	SSLKEYLOGFILE=$name.srv.keys timeout 10 gtlsserver -q -d "$tmp/htdocs" $sopts 127.0.0.1 "$port" \
		key.pem cert.pem \
		>"$name.srv.log" 2>&1 &
	local sp=$!
	pids+=("$sp")
	sleep 0.3
	# shellcheck disable=SC2086
	SSLKEYLOGFILE=$name.keys timeout 5 gtlsclient -q --exit-on-all-streams-close $copts \
		127.0.0.1 "$port" "https://localhost/${URI_PATH:-}" >"$name.cli.log" 2>&1
	sleep 0.5
	kill "$sp" 2>/dev/null
	quic_cap_stop
	touch "$name.keys"
	if [ -n "${MAKE:-}" ]; then
		cp "$name.pcap" "$MAKE/ngtcp2-$name.pcap"
		[ -s "$name.keys" ] && cp "$name.keys" "$MAKE/ngtcp2-$name.keys"
	fi
}

capture groups "--groups=-GROUP-ALL:+GROUP-SECP384R1" "--groups=-GROUP-ALL:+GROUP-X25519"
capture certreq "--verify-client" ""
capture ok "" ""
capture draft29 "" "-v 0xff00001d"
capture upgrade "--preferred-versions=0x1" "-v 0xff00001d --other-versions=0xff00001d,0x1"
capture v2vn "" "-v 0x6b3343cf"
# a 1 MB download with the client updating its keys every millisecond (no GSO: on lo a GSO
# buffer is captured as one datagram of many packets, which no reader can split)
URI_PATH=big capture keyupdate "--max-gso-dgrams=1" "--key-update=1ms"
python3 "$ROOT/tests/data/quic/gen_synth.py" . || { echo "FAIL: gen_synth.py"; exit 1; }

fail=0
quic_check groups groups.pcap "" "40:server:initial:client_hello:false"
# ngtcp2 sends this close in an Initial packet too when it has not yet seen the client
# drop its Initial keys (a matter of timing): then it is readable without keys.
quic_check certreq certreq.pcap certreq.keys \
	"116:server:handshake:finished:false|116:server:initial:finished:false"
quic_check certreq-nokeys certreq.pcap "" \
	"-:server:handshake:server_hello:true|116:server:initial:server_hello:false"
quic_check ok ok.pcap ok.keys ""
quic_check draft29 draft29.pcap draft29.keys ""
quic_check upgrade upgrade.pcap upgrade.keys ""
quic_check v2vn v2vn.pcap "" ""
quic_check keyupdate keyupdate.pcap keyupdate.keys ""
quic_check alpn-mismatch alpn-mismatch.pcap "" "120:server:initial:client_hello:false"
quic_check no-alpn no-alpn.pcap "" "120:server:initial:client_hello:false"
quic_check cert-rejected cert-rejected.pcap cert-rejected.keys "48:client:handshake:server_certificate:false"
quic_check cert-rejected-nokeys cert-rejected.pcap "" "-:client:handshake:server_hello:true"
quic_check v2-vn v2-vn.pcap "" ""
grep -q '"quic_version":"2","quic_retry":false,"quic_version_negotiation":true' v2-vn.json ||
	{ echo "FAIL: v2-vn: no v2 connection with a Version Negotiation"; fail=1; }

# the successful ones end with the client's application close, named, not an alert
for n in ok draft29 upgrade; do
	grep -q '"close":{"frame_type":"0x1d","code":"0x100","name":"H3_NO_ERROR"' "$n.json" ||
		{ echo "FAIL: $n: no H3_NO_ERROR close in the connection object"; fail=1; }
	grep -q '"outcome":"established"' "$n.json" || { echo "FAIL: $n: not established"; fail=1; }
done
# key updates followed: every packet that was opened authenticated
grep -q '"quic_key_updates":[1-9]' keyupdate.json || { echo "FAIL: keyupdate: no key update followed"; fail=1; }
grep -q 'decrypt_error' keyupdate.json && { echo "FAIL: keyupdate: a packet did not authenticate"; fail=1; }
grep -q '"quic_version_negotiation":true' v2vn.json 2>/dev/null ||
	grep -q 'no TLS or DTLS' v2vn.err ||
	{ echo "FAIL: v2vn: neither a Version Negotiation nor 'no TLS'"; fail=1; }
[ $fail = 0 ] && echo "quic_loopback: all cases agree with tshark"
exit $fail
