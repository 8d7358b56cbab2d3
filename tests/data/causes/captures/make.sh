#!/usr/bin/env bash
# Regenerates the captures of tests/data/causes/captures (not run by the tests): loopback
# connections in which an NSS peer sends the alert of a cause rule that no log line can
# trigger (tests/data/causes/triggers.tsv, "capture:" rows).  NSS 3.87 (Debian 12
# libnss3-tools: selfserv, tstclnt, certutil, pk12util), OpenSSL 3.0, tcpdump, tshark and
# python3-cryptography; for the BoringSSL capture a BoringSSL tree built with CMake, named by
# BORINGSSL (DIR/include, DIR/build/libssl.a and libcrypto.a; without it that capture is
# kept as it is).  Needs root (tcpdump).
# Usage: sudo BORINGSSL=DIR tests/data/causes/captures/make.sh
#
#   nss-server-sni-unknown    selfserv serves good.example; tstclnt asks for unknown.example:
#                             the SNI callback answers SSL_SNI_SEND_ALERT -> 112 (nss-112-sni)
#   nss-server-fallback       tstclnt -V tls1.0:tls1.2 -K (TLS_FALLBACK_SCSV) against a TLS 1.3
#                             selfserv -> 86 (nss-86-fallback)
#   nss-server-alpn           selfserv -Q (ALPN http/1.1 only); s_client offers h2 -> 120
#                             (nss-120-alpn)
#   nss-server-reneg-sni      TLS 1.2, tstclnt -a good.example -a other.example -r 1: the
#                             renegotiation asks for another name; NSS refuses a name change
#                             with 40 (nss-40-sni).  The alert is encrypted; this NSS build
#                             writes no key log, so the .keylog is computed from the server's
#                             RSA key (rsa_keylog.py; TLS_RSA_WITH_AES_128_GCM_SHA256)
#   nss-client-ssl3-no-cert   SSL 3.0 (-V ssl3:ssl3 on both sides), selfserv -r requests a
#                             certificate, tstclnt -D has none: warning 41 (nss-41-no-cert)
#   nss-client-ech-rejected   tstclnt -N offers ECH (ech_config.py: a config whose key nobody
#                             holds) to openssl s_server, which ignores it; the NSS client
#                             ends with ech_required 121 (nss-121-ech); the key log is
#                             s_server's (-keylogfile)
#   curl-name-checked-after-handshake  curl (OpenSSL) asks for wrong.example, trusts the
#                             certificate of localhost, completes the TLS 1.2 handshake, then
#                             checks the name itself and closes with close_notify: no
#                             certificate alert (openssl-0-client-rejected-name)
#   curl-name-checked-midstream  the same capture from frame 10 on (editcap -r ... 10-20): a
#                             capture that starts after the handshake, for the scan golden
#                             scan-keylog-midstream (not a trigger)
#   boringssl-server-sni-unknown  boringssl_sni_server.c: a servername callback returning
#                             SSL_TLSEXT_ERR_ALERT_FATAL for every name but good.example;
#                             s_client asks for unknown.example -> 112 (boringssl-112-sni;
#                             BoringSSL a0689af29, 2026-08-21; the server logs
#                             OPENSSL_internal:CLIENTHELLO_TLSEXT, then PARSE_TLSEXT)
set -u
cd "$(dirname "$0")" || exit 2
OUT=$PWD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 2
mkdir db && certutil -N -d sql:db --empty-password || exit 2
head -c 64 /dev/urandom >noise
for n in server good.example other.example; do
	cn=$n
	[ "$n" = server ] && cn=localhost
	certutil -S -d sql:db -n "$n" -s "CN=$cn" -t "CT,C,C" -x -k rsa -g 2048 -v 12 -z noise \
		-8 "$cn" >/dev/null 2>&1 || exit 2
done
pk12util -o good.p12 -n good.example -d sql:db -W pass >/dev/null &&
	openssl pkcs12 -in good.p12 -passin pass:pass -nocerts -nodes -out good.key 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost -days 30 2>/dev/null
SS="selfserv -d sql:db -n server"

# one NAME PORT SERVER CLIENT WANT: the connection between CLIENT and SERVER into NAME.pcap;
# the client's output must contain WANT (the error for the alert it received), else the
# capture is not what its name says and the script stops
one() {
	tcpdump -i lo -U -w "$OUT/$1.pcap" port "$2" 2>/dev/null &
	local tp=$! sp
	sleep 1
	bash -c "$3" >/dev/null 2>&1 &
	sp=$!
	sleep 1.5
	timeout 10 bash -c "$4" >client.out 2>&1
	sleep 1
	kill $sp 2>/dev/null
	wait $sp 2>/dev/null
	sleep 0.5
	kill $tp
	wait $tp 2>/dev/null
	grep -q -- "$5" client.out || { echo "$1: the client did not report '$5':" >&2; cat client.out >&2; exit 1; }
}
P=16201
one nss-server-sni-unknown $P "$SS -p $P -a good.example" \
	"tstclnt -D -h localhost -p $P -a unknown.example -o -Q </dev/null" \
	SSL_ERROR_UNRECOGNIZED_NAME_ALERT
P=$((P + 1))
one nss-server-fallback $P "$SS -p $P" \
	"tstclnt -D -h localhost -p $P -V tls1.0:tls1.2 -K -o -Q </dev/null" \
	SSL_ERROR_INAPPROPRIATE_FALLBACK_ALERT
P=$((P + 1))
one nss-server-alpn $P "$SS -p $P -Q" \
	"openssl s_client -connect localhost:$P -alpn h2 </dev/null" "SSL alert number 120"
P=$((P + 1))
# NSS reports a received handshake_failure as SSL_ERROR_NO_CYPHER_OVERLAP
one nss-server-reneg-sni $P "$SS -p $P -a good.example -a other.example -V tls1.2:tls1.2" \
	"tstclnt -D -h localhost -p $P -V tls1.2:tls1.2 -c :009C -a good.example -a other.example -r 1 -o </dev/null" \
	SSL_ERROR_NO_CYPHER_OVERLAP
P=$((P + 1))
python3 "$OUT/rsa_keylog.py" "$OUT/nss-server-reneg-sni.pcap" good.key >"$OUT/nss-server-reneg-sni.keylog"
one nss-client-ssl3-no-cert $P "$SS -p $P -V ssl3:ssl3 -r" \
	"tstclnt -D -h localhost -p $P -V ssl3:ssl3 -o -Q </dev/null" \
	"Failed to load a suitable client certificate"
P=$((P + 1))
ECH=$(python3 "$OUT/ech_config.py" localhost)
one nss-client-ech-rejected $P \
	"sleep 8 | openssl s_server -cert cert.pem -key key.pem -accept $P -naccept 1 -keylogfile $TMP/ech.keylog" \
	"tstclnt -D -h localhost -p $P -N $ECH -o -Q </dev/null" SSL_ERROR_ECH_RETRY_WITHOUT_ECH
grep -v '^#' ech.keylog >"$OUT/nss-client-ech-rejected.keylog"
P=$((P + 1))
one curl-name-checked-after-handshake $P \
	"sleep 8 | openssl s_server -cert cert.pem -key key.pem -accept $P -naccept 1 -www" \
	"SSLKEYLOGFILE=$OUT/curl-name-checked-after-handshake.keylog curl -sS --tls-max 1.2 --cacert cert.pem --resolve wrong.example:$P:127.0.0.1 https://wrong.example:$P/" \
	"matches target host name"
editcap -r "$OUT/curl-name-checked-after-handshake.pcap" "$OUT/curl-name-checked-midstream.pcap" 10-20
P=$((P + 1))
if [ -n "${BORINGSSL:-}" ]; then
	cc -O1 -I"$BORINGSSL/include" "$OUT/boringssl_sni_server.c" "$BORINGSSL/build/libssl.a" \
		"$BORINGSSL/build/libcrypto.a" -lstdc++ -lpthread -o sni_server || exit 2
	one boringssl-server-sni-unknown $P "./sni_server $P cert.pem key.pem good.example" \
		"openssl s_client -connect localhost:$P -servername unknown.example </dev/null" \
		"SSL alert number 112"
fi
