#!/usr/bin/env bash
# Regenerates the captures of tests/data/fingerprint/captures (not run by the tests): one
# loopback connection per pair of stacks, captured with tcpdump, so that the stack guess
# (docs/fingerprints.md) is tested on Java and Go hellos too.  Names say who is who:
# CLIENT-client-SERVER-server (12: the server allows TLS 1.2 only); java-alpn-client and
# gnutls-alpn-client talk to openssl s_server, openssl-alpn-server12 and gnutls-alpn-server12
# to openssl s_client.  Needs root (tcpdump), openssl, gnutls-bin, golang, a JDK (17 here),
# python3, curl.  Usage: sudo tests/data/fingerprint/captures/make.sh
set -u
cd "$(dirname "$0")" || exit 2
OUT=$PWD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp J.java g.go "$TMP/" && cd "$TMP" || exit 2
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=localhost \
	-days 30 2>/dev/null
openssl pkcs12 -export -in cert.pem -inkey key.pem -out ks.p12 -passout pass:pass -name k
javac J.java && go mod init fp >/dev/null 2>&1; go build -o g g.go || exit 2
OSRV="openssl s_server -cert cert.pem -key key.pem -naccept 1 -quiet"
PYCLI="import ssl,socket;c=ssl.create_default_context();c.check_hostname=False;\
c.verify_mode=ssl.CERT_NONE;s=c.wrap_socket(socket.create_connection(('localhost',PORT)),\
server_hostname='localhost');s.close()"

# one NAME PORT SERVER CLIENT: the connection between CLIENT and SERVER into NAME.pcap
one() {
	tcpdump -i lo -U -w "$OUT/$1.pcap" port "$2" 2>/dev/null &
	local tp=$!
	sleep 1
	bash -c "$3" >/dev/null 2>&1 &
	local sp=$!
	sleep 1.5
	timeout 10 bash -c "$4" >/dev/null 2>&1
	sleep 1
	kill $sp 2>/dev/null; wait $sp 2>/dev/null
	sleep 0.5
	kill $tp; wait $tp 2>/dev/null
}
P=15001
one java-client-openssl-server $P "$OSRV -accept $P" "java J client $P"; P=$((P + 1))
one openssl-client-java-server $P "java J server $P" "echo | openssl s_client -connect localhost:$P"; P=$((P + 1))
one java-client12-openssl-server $P "$OSRV -accept $P -tls1_2" "java J client $P"; P=$((P + 1))
one openssl-client-java12-server $P "java J server $P TLSv1.2" "echo | openssl s_client -connect localhost:$P"; P=$((P + 1))
one go-client-java-server $P "java J server $P" "./g client $P"; P=$((P + 1))
one java-client-go-server $P "./g server $P" "java J client $P"; P=$((P + 1))
one go-client-go12-server $P "./g server $P 12" "./g client $P"; P=$((P + 1))
one openssl-client-go12-server $P "./g server $P 12" "echo | openssl s_client -connect localhost:$P"; P=$((P + 1))
one gnutls-client-java-server $P "java J server $P" "gnutls-cli --insecure -p $P localhost </dev/null"; P=$((P + 1))
one java-client-gnutls-server $P "gnutls-serv -p $P --x509certfile cert.pem --x509keyfile key.pem" "java J client $P"; P=$((P + 1))
one curl-client-go-server $P "./g server $P" "curl -sk https://localhost:$P/"; P=$((P + 1))
one python-client-go12-server $P "./g server $P 12" "python3 -c \"${PYCLI//PORT/$P}\""; P=$((P + 1))
one gnutls-client-go12-server $P "./g server $P 12" "gnutls-cli --insecure -p $P localhost </dev/null"; P=$((P + 1))
one java-client-java-server $P "java J server $P" "java J client $P"; P=$((P + 1))
one java-alpn-client $P "$OSRV -accept $P -alpn h2" "java J client $P TLS x alpn"; P=$((P + 1))
one gnutls-alpn-client $P "$OSRV -accept $P -alpn h2" \
	"gnutls-cli --insecure --alpn=h2 -p $P localhost </dev/null"; P=$((P + 1))
one openssl-alpn-server12 $P "$OSRV -accept $P -alpn h2 -tls1_2 -servername example.test -cert2 cert.pem -key2 key.pem" \
	"echo | openssl s_client -connect localhost:$P -alpn h2 -servername example.test -status"; P=$((P + 1))
one gnutls-alpn-server12 $P \
	"gnutls-serv -p $P --x509certfile cert.pem --x509keyfile key.pem --alpn=h2 --priority NORMAL:-VERS-TLS1.3" \
	"echo | openssl s_client -connect localhost:$P -alpn h2 -servername example.test"
