#!/usr/bin/env bash
# Regenerates the TLS 1.3 0-RTT (early data) captures of tests/data/keylog/
# (not run by the tests).  One OpenSSL s_server process (-early_data, default
# anti-replay protection, so a session ticket carries early data only once)
# serves these connections on loopback:
#
#   1. s_client, a full handshake; it saves the session (-sess_out).  Not captured.
#   2. openssl-tls13-early-data-accepted: s_client resumes that session
#      (-sess_in) and sends the file $TMP/early.txt as early data (-early_data);
#      the server accepts it (EndOfEarlyData follows), the client then sends
#      one more line and closes: close_notify from the client, then from the
#      server.
#   3. openssl-tls13-early-data-rejected: s_client resumes the same session
#      again with the same early data; the session left the server's cache
#      when it was resumed (anti-replay), so the server makes a full handshake
#      and rejects the early data (no early_data extension in
#      EncryptedExtensions), skipping the client's 0-RTT record it cannot
#      open; then as above, close_notify from both sides.
#   4. s_client, a full handshake for a fresh session.  Not captured.
#   5. openssl-tls13-early-data-client-close: early_close.c (this directory,
#      built here with cc and libssl) resumes it, writes one line of early
#      data and calls SSL_shutdown() at once.  OpenSSL sends that close_notify
#      in PLAINTEXT (record type 21, 2 bytes), not under the early traffic
#      key, here before the ServerHello (4 and 5 are repeated until it is);
#      the server fails reading the early data and closes (its close_notify,
#      encrypted).
#
# GnuTLS (gnutls-serv / gnutls-cli --resume --earlydata=FILE, key log through
# SSLKEYLOGFILE) makes two more captures, each holding both connections: a full
# handshake (the server asks for a client certificate, the client sends an
# empty one; the client's close_notify), then the resumption with early data
# (the echoed line, close_notify from both sides):
#   gnutls-tls13-early-data-accepted: gnutls-serv --earlydata accepts it.
#   gnutls-tls13-early-data-rejected: gnutls-serv without --earlydata
#      rejects it.
#
# Each captured connection is recorded with tcpdump (-i lo -U, started before
# the client, stopped after it), the key log written by the client itself
# (with CLIENT_EARLY_TRAFFIC_SECRET).
#
# Not made here: an alert under the early traffic key.  No client at hand
# sends one: s_client and gnutls-cli have no command for it, and libssl writes
# an alert requested during 0-RTT in plaintext (capture 5).  gen/early_alert.py
# crafts crafted-tls13-early-data-alert from capture 2; it is run at the end
# whenever capture 2 is rewritten.
#
# Needs root (tcpdump), openssl 3.x with its headers, a C compiler, tshark and
# gnutls-bin.  Usage, from the repository root:
#   tests/data/keylog/gen/make_0rtt.sh     (ONLY=PATTERN: write only the captures
#                                           whose name contains PATTERN; the
#                                           connections are all made anyway)
set -u
cd "$(dirname "$0")/.." || exit 2
OUT=$PWD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
P=24651 # OpenSSL; GnuTLS on the next ports

# where capture NAME goes: here, or (not selected by ONLY) the scratch directory
dest() { [[ $1 == *"${ONLY:-}"* ]] && echo "$OUT" || echo "$TMP"; }
cc -O1 -o "$TMP/early_close" gen/early_close.c -lssl -lcrypto || exit 2

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
	-days 3650 -subj "/CN=localhost/O=tlsalert test" 2>/dev/null
printf 'early data, sent before the handshake completes\n' >"$TMP/early.txt"

# the server: up to 19 connections (5 below, but up to 8 tries of 4 and 5).  Its standard input is a FIFO
# held open by a sleeping writer: s_server without -quiet ends a connection
# (and with -quiet still closes it early) when its input reaches end of file.
mkfifo "$TMP/in"
sleep 40 >"$TMP/in" &
sl=$!
openssl s_server -accept $P -cert "$TMP/cert.pem" -key "$TMP/key.pem" -tls1_3 \
	-early_data -naccept 19 <"$TMP/in" >"$TMP/server.out" 2>&1 &
sv=$!
sleep 0.7

# 1. the session to resume (a ticket arrives after the handshake; wait for it)
(echo first; sleep 0.7) | openssl s_client -connect 127.0.0.1:$P -tls1_3 \
	-sess_out "$TMP/sess.pem" >"$TMP/first.out" 2>&1
[ -s "$TMP/sess.pem" ] || { echo "make_0rtt: no session saved" >&2; exit 2; }

# record NAME COMMAND...: runs the client command (in which $D is the capture's
# directory) under tcpdump
record() {
	local name=$1
	shift
	D=$(dest "$name")
	rm -f "$D/$name.pcap" "$D/$name.keylog"
	tcpdump -i lo -U -s 0 -w "$D/$name.pcap" "tcp port $P" 2>/dev/null &
	local td=$!
	sleep 0.7
	"$@" >"$TMP/$name.out" 2>&1
	sleep 0.7
	kill "$td"
	wait "$td" 2>/dev/null
	printf '%-45s %6d bytes, key log %d lines; client: %s\n' "$name" \
		"$(stat -c %s "$D/$name.pcap")" "$(grep -c . "$D/$name.keylog")" \
		"$(grep -E 'Early data was|Reused|SSL_(write|shutdown|read)|resumed session' "$TMP/$name.out" | tr '\n' ' ')"
}
# s_client resuming the saved session with early data, one more line, then EOF
resume() {
	(sleep 0.3; echo "after the handshake"; sleep 0.5) | timeout 10 openssl s_client \
		-connect 127.0.0.1:$P -tls1_3 -sess_in "$TMP/sess.pem" \
		-early_data "$TMP/early.txt" -keylogfile "$D/$1.keylog"
}
record openssl-tls13-early-data-accepted resume openssl-tls13-early-data-accepted
record openssl-tls13-early-data-rejected resume openssl-tls13-early-data-rejected
# 4. a fresh session; 5. the client that gives up during 0-RTT.  Whether its
# close_notify reaches the wire before the ServerHello is a race; the case
# wanted is "before" (the client's compatibility ChangeCipherSpec, then a
# plaintext alert, no ServerHello yet), so try up to 8 times, checked with tshark.
n=openssl-tls13-early-data-client-close
for try in 1 2 3 4 5 6 7 8; do
	(echo again; sleep 0.7) | openssl s_client -connect 127.0.0.1:$P -tls1_3 \
		-sess_out "$TMP/sess2.pem" >"$TMP/again.out" 2>&1
	record $n bash -c 'timeout 10 "$0" "$1" "$2" "$3"' "$TMP/early_close" $P \
		"$TMP/sess2.pem" "$(dest $n)/$n.keylog"
	first=$(tshark -r "$(dest $n)/$n.pcap" -Y 'tls.record.content_type == 21 ||
		tls.handshake.type == 2' -T fields -e tls.handshake.type 2>/dev/null | head -1)
	[ -z "$first" ] && break
	echo "  try $try: the ServerHello came first; again"
done
kill $sv $sl 2>/dev/null
wait $sv $sl 2>/dev/null
printf 's_server: %d connections, %d read early data, early text printed %d times\n' \
	"$(grep -c '^CIPHER is' "$TMP/server.out")" "$(grep -c '^Early data received' "$TMP/server.out")" \
	"$(grep -c 'early data, sent before' "$TMP/server.out")"

# gnutls NAME SERVER-OPTIONS: both connections of gnutls-cli --resume in one capture
gnutls() {
	local name=$1 opts=$2
	P=$((P + 1))
	gnutls-serv -p $P --x509certfile "$TMP/cert.pem" --x509keyfile "$TMP/key.pem" --echo -q \
		$opts >"$TMP/$name.server" 2>&1 &
	local gs=$!
	sleep 0.7
	record "$name" gnutls_client "$name"
	kill "$gs" 2>/dev/null
	wait "$gs" 2>/dev/null
}
gnutls_client() {
	(sleep 0.5; echo "after the handshake"; sleep 0.7) | SSLKEYLOGFILE=$D/$1.keylog \
		timeout 10 gnutls-cli --insecure -p $P --resume --waitresumption \
		--earlydata="$TMP/early.txt" 127.0.0.1
}
gnutls gnutls-tls13-early-data-accepted --earlydata
gnutls gnutls-tls13-early-data-rejected ""
if [[ openssl-tls13-early-data-accepted == *"${ONLY:-}"* ]]; then
	python3 gen/early_alert.py || exit 2
fi
