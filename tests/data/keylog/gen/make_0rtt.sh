#!/usr/bin/env bash
# Regenerates the TLS 1.3 0-RTT (early data) captures of tests/data/keylog/
# (not run by the tests).  One OpenSSL s_server process (-early_data, default
# anti-replay protection, so a session ticket carries early data only once)
# serves three connections from OpenSSL s_client on loopback:
#
#   1. a full handshake; the client saves the session (-sess_out).  Not captured.
#   2. openssl-tls13-early-data-accepted: the client resumes that session
#      (-sess_in) and sends the file $TMP/early.txt as early data (-early_data);
#      the server accepts it (EndOfEarlyData follows), the client then sends
#      one more line and closes: close_notify from the client, then from the
#      server.
#   3. openssl-tls13-early-data-rejected: the client resumes the same session
#      again with the same early data; the ticket was already used, so the
#      server's anti-replay protection rejects the early data (no early_data
#      extension in EncryptedExtensions) and skips the client's 0-RTT records
#      it cannot open; then as above, close_notify from both sides.
#
# GnuTLS (gnutls-serv / gnutls-cli --resume --earlydata=FILE, key log through
# SSLKEYLOGFILE) makes two more captures, each holding both connections: a full
# handshake (the server asks for a client certificate, the client sends an
# empty one; the client's close_notify), then the resumption with early data
# (the echoed line, close_notify from both sides):
#   4. gnutls-tls13-early-data-accepted: gnutls-serv --earlydata accepts it.
#   5. gnutls-tls13-early-data-rejected: gnutls-serv without --earlydata
#      rejects it.
#
# Each captured connection is recorded with tcpdump (-i lo -U, started before
# the client, stopped after it), the key log written by s_client
# (-keylogfile, with CLIENT_EARLY_TRAFFIC_SECRET).
#
# Not made: an alert sent by the client under the early traffic key.
# s_client has no command for it, and libssl refuses SSL_shutdown() while the
# handshake is in progress (SSL_R_SHUTDOWN_WHILE_IN_INIT), which is the whole
# time 0-RTT data may be written.
#
# Needs root (tcpdump), openssl 3.x and gnutls-bin.  Usage, from the repository root:
#   tests/data/keylog/gen/make_0rtt.sh
set -u
cd "$(dirname "$0")/.." || exit 2
OUT=$PWD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
P=24651 # OpenSSL; GnuTLS on the next ports

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
	-days 3650 -subj "/CN=localhost/O=tlsalert test" 2>/dev/null
printf 'early data, sent before the handshake completes\n' >"$TMP/early.txt"

# the server: three connections, then it exits.  Its standard input is a FIFO
# held open by a sleeping writer: s_server without -quiet ends a connection
# (and with -quiet still closes it early) when its input reaches end of file.
mkfifo "$TMP/in"
sleep 15 >"$TMP/in" &
sl=$!
openssl s_server -accept $P -cert "$TMP/cert.pem" -key "$TMP/key.pem" -tls1_3 \
	-early_data -naccept 3 <"$TMP/in" >"$TMP/server.out" 2>&1 &
sv=$!
sleep 0.7

# 1. the session to resume (a ticket arrives after the handshake; wait for it)
(echo first; sleep 0.7) | openssl s_client -connect 127.0.0.1:$P -tls1_3 \
	-sess_out "$TMP/sess.pem" >"$TMP/first.out" 2>&1
[ -s "$TMP/sess.pem" ] || { echo "make_0rtt: no session saved" >&2; exit 2; }

# resume NAME: one captured resumption with early data
resume() {
	local name=$1
	rm -f "$OUT/$name.pcap" "$OUT/$name.keylog"
	tcpdump -i lo -U -s 0 -w "$OUT/$name.pcap" "tcp port $P" 2>/dev/null &
	local td=$!
	sleep 0.7
	(sleep 0.3; echo "after the handshake"; sleep 0.5) | timeout 10 openssl s_client \
		-connect 127.0.0.1:$P -tls1_3 -sess_in "$TMP/sess.pem" \
		-early_data "$TMP/early.txt" -keylogfile "$OUT/$name.keylog" \
		>"$TMP/$name.out" 2>&1
	sleep 0.7
	kill "$td"
	wait "$td" 2>/dev/null
	printf '%-45s %6d bytes, key log %d lines; client: %s\n' "$name" \
		"$(stat -c %s "$OUT/$name.pcap")" "$(grep -c . "$OUT/$name.keylog")" \
		"$(grep -E 'Early data was|Reused' "$TMP/$name.out" | tr '\n' ' ')"
}
resume openssl-tls13-early-data-accepted
resume openssl-tls13-early-data-rejected
kill $sv $sl 2>/dev/null
wait $sv $sl 2>/dev/null
printf 's_server: %d connections, %d read early data, early text printed %d times\n' \
	"$(grep -c '^CIPHER is' "$TMP/server.out")" "$(grep -c '^Early data received' "$TMP/server.out")" \
	"$(grep -c 'early data, sent before' "$TMP/server.out")"

# gnutls NAME SERVER-OPTIONS: both connections of gnutls-cli --resume in one capture
gnutls() {
	local name=$1 opts=$2
	P=$((P + 1))
	rm -f "$OUT/$name.pcap" "$OUT/$name.keylog"
	tcpdump -i lo -U -s 0 -w "$OUT/$name.pcap" "tcp port $P" 2>/dev/null &
	local td=$!
	sleep 0.7
	gnutls-serv -p $P --x509certfile "$TMP/cert.pem" --x509keyfile "$TMP/key.pem" --echo -q \
		$opts >"$TMP/$name.server" 2>&1 &
	local gs=$!
	sleep 0.7
	(sleep 0.5; echo "after the handshake"; sleep 0.7) | SSLKEYLOGFILE=$OUT/$name.keylog \
		timeout 10 gnutls-cli --insecure -p $P --resume --waitresumption \
		--earlydata="$TMP/early.txt" 127.0.0.1 >"$TMP/$name.out" 2>&1
	sleep 0.7
	kill "$gs" 2>/dev/null
	wait "$gs" 2>/dev/null
	kill "$td"
	wait "$td" 2>/dev/null
	printf '%-45s %6d bytes, key log %d lines; client: %s\n' "$name" \
		"$(stat -c %s "$OUT/$name.pcap")" "$(grep -c . "$OUT/$name.keylog")" \
		"$(grep -E 'resumed session' "$TMP/$name.out" | tr '\n' ' ')"
}
gnutls gnutls-tls13-early-data-accepted --earlydata
gnutls gnutls-tls13-early-data-rejected ""
