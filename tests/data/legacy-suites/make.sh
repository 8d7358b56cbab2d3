#!/usr/bin/env bash
# Makes legacy-suites.pcap and legacy-suites.keylog here: one loopback TLS connection per
# suite below, GnuTLS client and server (gnutls-cli with SSLKEYLOGFILE, gnutls-serv), taken
# with tcpdump; the client says "bye" (close_notify) and the server answers it.  Suites
# OpenSSL 3's libssl no longer speaks: RC4, NULL, Camellia-CBC and -GCM, over TLS 1.0 to 1.2.
# Needs root (tcpdump), gnutls-bin, openssl (for the key pair); about 20 s.  Run once and
# commit the output; tests/scripts/legacy_suites_tshark.sh compares tshark with tlsalert on it.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" \
	-subj /CN=localhost -days 3650 2>/dev/null
# priority (cipher, MAC, version) per connection
suites=(
	"+ARCFOUR-128:+SHA1:+VERS-TLS1.2"
	"+ARCFOUR-128:+MD5:+VERS-TLS1.0"
	"+NULL:+SHA1:+VERS-TLS1.1"
	"+NULL:+SHA256:+VERS-TLS1.2"
	"+CAMELLIA-128-CBC:+SHA1:+VERS-TLS1.0"
	"+CAMELLIA-256-CBC:+SHA256:+VERS-TLS1.2"
	"+CAMELLIA-128-GCM:+AEAD:+VERS-TLS1.2"
	"+CAMELLIA-256-GCM:+AEAD:+VERS-TLS1.2"
)
port=44400
tcpdump -i lo -U -s 0 -w "$tmp/cap.pcap" "tcp portrange 44400-44420" 2>/dev/null &
sleep 1
: >"$tmp/keylog"
for s in "${suites[@]}"; do
	port=$((port + 1))
	prio="NONE:+CTYPE-X509:+SIGN-ALL:+COMP-NULL:+RSA:$s"
	gnutls-serv --x509certfile "$tmp/c.pem" --x509keyfile "$tmp/k.pem" -p $port \
		--priority "$prio" >/dev/null 2>&1 &
	srv=$!
	sleep 0.5
	echo | SSLKEYLOGFILE="$tmp/keylog" gnutls-cli --insecure -p $port --priority "$prio" \
		127.0.0.1 >/dev/null 2>&1 || true
	sleep 0.3
	kill $srv
	wait $srv 2>/dev/null || true
done
sleep 1
kill %1
wait 2>/dev/null || true
cp "$tmp/cap.pcap" legacy-suites.pcap
cp "$tmp/keylog" legacy-suites.keylog
echo "wrote legacy-suites.pcap ($(stat -c %s legacy-suites.pcap) bytes), $(wc -l <legacy-suites.keylog) key log lines"
