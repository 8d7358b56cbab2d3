#!/usr/bin/env bash
# Regenerates the scenario matrix of issue 11 (not run by the tests): real loopback
# connections in which one TLS stack sends the alert of one cause to another, each captured
# alone with tcpdump into NAME.pcap, with the key log of whichever side writes one
# (NAME.keylog), what both peers printed (NAME.log) and one row of scenarios.tsv (what
# tests/scripts/scenarios.sh expects `tlsalert scan --json` to find: the alert, its sender
# and the top cause).
#
# Needs root (tcpdump -i lo), OpenSSL 3.0 (openssl), GnuTLS 3.7 (gnutls-bin), Go (golang-go),
# python3, curl, editcap and tshark (wireshark-common, tshark), NSS tools (libnss3-tools) and
# a JDK (java).  tshark checks that each capture holds the alert its row expects (with the
# key log), and whether that alert is readable without the key log (column plain).
# Certificates are made fresh in a scratch directory, with fixed validity dates where the
# scenario is about dates (expired in 2020, not valid before 2099).
# Servers listen on 127.0.0.1, ports 16400-16599; every peer runs under `timeout`, and the
# servers still running at exit are killed (trap).
# Usage: sudo tests/data/scenarios/make.sh [PATTERN]
#   with PATTERN (several, separated by spaces), only the scenarios whose name holds one of
#   them are made again, and their rows are printed instead of rewriting scenarios.tsv
set -u
export LC_ALL=C
cd "$(dirname "$0")" || exit 2
OUT=$PWD
ONLY=${1:-}
for t in openssl gnutls-serv gnutls-cli go python3 curl tcpdump editcap tshark tstclnt selfserv certutil pk12util java; do
	command -v $t >/dev/null || { echo "make.sh: $t is missing" >&2; exit 2; }
done
TMP=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$TMP"' EXIT
cp peer.go peer.py Client.java Server.java "$TMP"/ || exit 2
cd "$TMP" || exit 2
go build -o peer-go peer.go || exit 2

# --- certificates -------------------------------------------------------------------
cat >ca.cnf <<'EOF'
[ca]
default_ca = ca_default
[ca_default]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
[sub]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
EOF
: >index.txt
echo 1000 >serial
q() { "$@" >/dev/null 2>&1 || { echo "make.sh: failed: $*" >&2; exit 2; }; }
root() { # NAME CN
	q openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -subj "/CN=$2" \
		-days 3650 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
# cert NAME CN SAN ISSUER START END [BITS [EXT]]: a certificate signed by ISSUER
cert() {
	local san=()
	[ -n "$3" ] && san=(-addext "subjectAltName=$3")
	q openssl req -new -newkey "rsa:${7:-2048}" -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" "${san[@]}"
	q openssl ca -batch -config ca.cnf -cert "$4.pem" -keyfile "$4.key" -in "$1.csr" -out "$1.pem" \
		-startdate "$5" -enddate "$6" -extensions "${8:-leaf}" -notext
}
NOW=20250101000000Z
LATER=20350101000000Z
root ca "Scenario Test Root"
root other "Scenario Untrusted Root"
cert inter "Scenario Intermediate" "" ca $NOW $LATER 2048 sub
cert srv localhost "DNS:localhost,IP:127.0.0.1" ca $NOW $LATER
cert expired localhost "DNS:localhost,IP:127.0.0.1" ca 20200101000000Z 20200201000000Z
cert notyet localhost "DNS:localhost,IP:127.0.0.1" ca 20990101000000Z 20991231000000Z
cert wild "*.example.com" "DNS:*.example.com" ca $NOW $LATER
cert untrusted localhost "DNS:localhost,IP:127.0.0.1" other $NOW $LATER
cert leafi localhost "DNS:localhost,IP:127.0.0.1" inter $NOW $LATER
cert weak localhost "DNS:localhost,IP:127.0.0.1" ca $NOW $LATER 1024
cert cnonly localhost "" ca $NOW $LATER
cert client "Scenario Client" "" ca $NOW $LATER
cert client-untrusted "Scenario Client" "" other $NOW $LATER
cert client-expired "Scenario Client" "" ca 20200101000000Z 20200201000000Z
q openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -subj /CN=localhost \
	-days 3650 -addext subjectAltName=DNS:localhost,IP:127.0.0.1
cat leafi.pem inter.pem >leafi-chain.pem
mkdir nssdb && q certutil -N -d sql:nssdb --empty-password &&
	q certutil -A -d sql:nssdb -n root -t "C,," -i ca.pem
q keytool -importcert -noprompt -alias root -file ca.pem -keystore trust.jks -storepass changeit
# selfserv's database: the server's key and certificate (nickname srv), its root trusted for
# client certificates
q openssl pkcs12 -export -in srv.pem -inkey srv.key -name srv -out srv.p12 -passout pass:
mkdir nsssrv && q certutil -N -d sql:nsssrv --empty-password &&
	q pk12util -i srv.p12 -d sql:nsssrv -W "" && q certutil -A -d sql:nsssrv -n root -t "CT,," -i ca.pem
q openssl pkcs12 -export -in srv.pem -inkey srv.key -name srv -out srv-java.p12 -passout pass:changeit

# --- one scenario ---------------------------------------------------------------------
P=16400
: >rows.tsv
: >ports.txt
FAILED=
# scen NAME WANT SENDER-STACK PEER-STACK VERSION ALERT SENDER CAUSE DESCRIPTION
#   runs $SRV (in the background) and $CLI, capturing port $P into NAME.pcap; the log of
#   both must contain WANT (a grep pattern: what the stacks say of this failure), else the
#   capture is not what its name says and the script fails at its end.  Then P moves on.
# picked NAME: NAME holds one of the patterns of the command line (or there are none)
picked() {
	local w
	[ -z "$ONLY" ] && return 0
	for w in $ONLY; do
		[[ $1 == *$w* ]] && return 0
	done
	return 1
}
scen() {
	local name=$1 tp sp i
	if ! picked "$name"; then
		P=$((P + 1))
		return
	fi
	rm -f "$name".kl*
	tcpdump -i lo -U -s 0 -w "$OUT/$name.pcap" "tcp port $P" 2>/dev/null &
	tp=$!
	PIDS="$PIDS $tp"
	sleep 1
	SSLKEYLOGFILE=$TMP/$name.kl1 timeout 20 bash -c "$SRV" >srv.out 2>&1 &
	sp=$!
	PIDS="$PIDS $sp"
	for i in $(seq 150); do # 15 s: a Java server compiles first
		ss -ltn "sport = :$P" | grep -q LISTEN && break
		sleep 0.1
	done
	SSLKEYLOGFILE=$TMP/$name.kl2 KL=$TMP/$name.kl3 timeout 10 bash -c "$CLI" >cli.out 2>&1
	sleep 1
	kill $sp 2>/dev/null
	wait $sp 2>/dev/null
	sleep 0.5
	kill $tp
	wait $tp 2>/dev/null
	{
		echo "# server ($3/$4, port $P): ${SRV//$'\n'/ }"
		cat srv.out
		echo "# client: ${CLI//$'\n'/ }"
		cat cli.out
	} | sed "s|$TMP/||g" >"$OUT/$name.log"
	cat "$name".kl* 2>/dev/null | grep -v "^#" | sort -u >"$OUT/$name.keylog"
	[ -s "$OUT/$name.keylog" ] || rm -f "$OUT/$name.keylog"
	grep -q -- "$2" "$OUT/$name.log" || {
		echo "make.sh: $name: the peers did not say '$2':" >&2
		cat "$OUT/$name.log" >&2
		FAILED="$FAILED $name"
	}
	shift 2
	verify "$name" "$P" "$4" "$5"
	echo "$name $P" >>ports.txt
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$@" "$PLAIN" >>rows.tsv
	P=$((P + 1))
}

# tsalert PCAP PORT [KEYLOG]: "CODE SENDER" of the capture's first alert that is not
# close_notify, as tshark reads it (with the key log if given); nothing if there is none
tsalert() {
	local o=()
	[ -n "${3:-}" ] && o=(-o "tls.keylog_file:$3")
	tshark -r "$1" -d "tcp.port==$2,tls" "${o[@]}" -Y tls.alert_message.desc -T fields \
		-e tcp.srcport -e tls.alert_message.desc 2>/dev/null |
		awk -v p="$2" '{ n = split($2, d, ","); for (i = 1; i <= n; i++) if (d[i] != 0) {
			print d[i], ($1 == p ? "server" : "client"); exit } }'
}

# verify NAME PORT ALERT SENDER: tshark must see the alert the row expects (with the key
# log); PLAIN is yes when it sees it without the key log too
verify() {
	local kl="" got want="$3 $4"
	[ -f "$OUT/$1.keylog" ] && kl=$OUT/$1.keylog
	got=$(tsalert "$OUT/$1.pcap" "$2" "$kl")
	case $3 in -|\?) want="" ;; esac
	if [ "$got" != "$want" ]; then
		echo "make.sh: $1: tshark sees alert '$got', the row says '$want'" >&2
		FAILED="$FAILED $1"
	else
		echo "$1: ok ($got)" >&2
	fi
	PLAIN=no
	[ -n "$want" ] && [ "$(tsalert "$OUT/$1.pcap" "$2")" = "$want" ] && PLAIN=yes
}

# s_server ends at the end of its standard input: it gets one that stays open
osrv() { SRV="exec openssl s_server -accept 127.0.0.1:$P -naccept 1 -brief -keylogfile \$SSLKEYLOGFILE $* < <(sleep 30)"; }
ocli() { CLI="sleep 3 | openssl s_client -connect 127.0.0.1:$P -keylogfile \$KL -CAfile ca.pem -verify_return_error -brief $*"; }
gosrv() { SRV="exec ./peer-go -mode server -port $P $*"; }
gocli() { CLI="./peer-go -mode client -port $P -ca ca.pem -keylog \$KL $*"; }
pysrv() { SRV="exec python3 peer.py server $P $*"; }
pycli() { CLI="python3 peer.py client $P --ca ca.pem $*"; }
gsrv() { SRV="exec gnutls-serv -p $P $*"; }
gcli() { CLI="sleep 3 | gnutls-cli -p $P --x509cafile ca.pem $*"; }

# --- the server's certificate, judged by the client -------------------------------------
osrv -cert expired.pem -key expired.key; ocli -servername localhost -verify_hostname localhost
scen expired-openssl-client-tls13 'certificate has expired' openssl openssl TLS1.3 45 client cert-expired \
	"s_client rejects a server certificate that expired in February 2020"
osrv -tls1_2 -cert expired.pem -key expired.key; gocli
scen expired-go-client-tls12 'certificate has expired' go openssl TLS1.2 42 client cert-expired \
	"Go client rejects an expired server certificate with bad_certificate (TLS 1.2)"
osrv -tls1_2 -cert notyet.pem -key notyet.key; ocli -servername localhost
scen notyet-openssl-client-tls12 'certificate is not yet valid' openssl openssl TLS1.2 42 client cert-not-yet-valid \
	"s_client rejects a server certificate valid only from 2099 (TLS 1.2)"
osrv -cert notyet.pem -key notyet.key; pycli
scen notyet-python-client-tls13 'certificate is not yet valid' openssl openssl TLS1.3 42 client cert-not-yet-valid \
	"Python ssl client rejects a server certificate valid only from 2099"
osrv -cert srv.pem -key srv.key; gcli --sni-hostname wrong.example --verify-hostname wrong.example 127.0.0.1
scen name-mismatch-gnutls-client-tls13 'does not match' gnutls openssl TLS1.3 42 client cert-hostname-mismatch \
	"gnutls-cli asks for wrong.example, the certificate is for localhost"
osrv -tls1_2 -cert srv.pem -key srv.key; ocli -servername wrong.example -verify_hostname wrong.example
scen name-mismatch-openssl-client-tls12 'hostname mismatch' openssl openssl TLS1.2 42 client cert-hostname-mismatch \
	"s_client asks for wrong.example, the certificate is for localhost (TLS 1.2)"
osrv -cert wild.pem -key wild.key; pycli --sni a.b.example.com
scen wildcard-mismatch-python-client-tls13 "Hostname mismatch" openssl openssl TLS1.3 42 client cert-hostname-mismatch \
	"Python asks for a.b.example.com; *.example.com covers one label only"
osrv -tls1_2 -cert wild.pem -key wild.key; gocli -sni example.com
scen wildcard-mismatch-go-client-tls12 'not example.com' go openssl TLS1.2 42 client cert-hostname-mismatch \
	"Go asks for example.com; *.example.com does not cover the bare domain (TLS 1.2)"
osrv -cert untrusted.pem -key untrusted.key; gocli
scen untrusted-ca-go-client-tls13 'unknown authority' go openssl TLS1.3 42 client untrusted-ca \
	"Go client: server certificate from a root it does not trust"
osrv -tls1_2 -cert untrusted.pem -key untrusted.key; ocli -servername localhost
scen untrusted-ca-openssl-client-tls12 'unable to get local issuer' openssl openssl TLS1.2 48 client untrusted-ca \
	"s_client: server certificate from a root it does not trust (TLS 1.2)"
osrv -tls1_2 -cert untrusted.pem -key untrusted.key; CLI="timeout 8 java Client.java $P"
scen untrusted-ca-java-client-tls12 'PKIX path building failed' java openssl TLS1.2 46 client untrusted-ca \
	"Java (JSSE) client: server certificate from a root it does not trust (TLS 1.2)"
osrv -cert leafi.pem -key leafi.key; ocli -servername localhost
scen missing-intermediate-openssl-client-tls13 'unable to get local issuer' openssl openssl TLS1.3 48 client untrusted-ca \
	"server sends its leaf without the intermediate that signed it"
gsrv --x509certfile leafi.pem --x509keyfile leafi.key --priority NORMAL:-VERS-TLS1.3
gcli 127.0.0.1 --sni-hostname localhost
scen missing-intermediate-gnutls-client-tls12 'issuer is unknown' gnutls gnutls TLS1.2 42 client untrusted-ca \
	"gnutls-serv sends its leaf without the intermediate; gnutls-cli cannot build the chain (TLS 1.2)"
osrv -tls1_2 -cert self.pem -key self.key; pycli
scen self-signed-python-client-tls12 'self.signed certificate' openssl openssl TLS1.2 48 client untrusted-ca \
	"Python ssl client: the server's certificate is self-signed (TLS 1.2)"
osrv -cert self.pem -key self.key; CLI="sleep 3 | tstclnt -d sql:nssdb -h 127.0.0.1 -p $P -a localhost -Q"
scen self-signed-nss-client-tls13 'issuer has been marked as not trusted' nss openssl TLS1.3 48 client untrusted-ca \
	"NSS tstclnt: the server's certificate is self-signed"
gosrv -cert weak.pem -key weak.key -max 1.2; ocli -servername localhost
scen weak-key-openssl-client-tls12 'key too weak' openssl go TLS1.2 42 client weak-key \
	"s_client (security level 2) rejects the server's 1024-bit RSA key (TLS 1.2)"

# --- the client's certificate, judged by the server -------------------------------------
osrv -Verify 1 -CAfile ca.pem -cert srv.pem -key srv.key; ocli
scen client-cert-missing-openssl-server-tls13 'peer did not return a certificate' openssl openssl TLS1.3 116 server client-cert-missing \
	"s_server -Verify requires a client certificate; s_client sends none"
osrv -tls1_2 -Verify 1 -CAfile ca.pem -cert srv.pem -key srv.key; ocli
scen client-cert-missing-openssl-server-tls12 'peer did not return a certificate' openssl openssl TLS1.2 40 server client-cert-missing \
	"s_server -Verify, TLS 1.2: the missing client certificate is handshake_failure"
gosrv -cert srv.pem -key srv.key -ca ca.pem -clientauth -max 1.2; pycli
scen client-cert-missing-go-server-tls12 "didn't provide a certificate" go openssl TLS1.2 42 server client-cert-missing \
	"Go server requires a client certificate; the Python client has none (TLS 1.2)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --x509cafile ca.pem --require-client-cert --priority NORMAL:-VERS-TLS1.3
gcli 127.0.0.1 --sni-hostname localhost
scen client-cert-missing-gnutls-server-tls12 'No certificate was found\|certificate' gnutls gnutls TLS1.2 50 server client-cert-missing \
	"gnutls-serv --require-client-cert; gnutls-cli sends none (TLS 1.2)"
osrv -tls1_2 -Verify 1 -verify_return_error -CAfile ca.pem -cert srv.pem -key srv.key; ocli -cert client-untrusted.pem -key client-untrusted.key
scen client-cert-untrusted-openssl-server-tls12 'unable to get local issuer\|certificate verify failed' openssl openssl TLS1.2 48 server client-cert-untrusted \
	"s_server: the client's certificate is from a root it does not trust (TLS 1.2)"
gosrv -cert srv.pem -key srv.key -ca ca.pem -clientauth; ocli -cert client-untrusted.pem -key client-untrusted.key
scen client-cert-untrusted-go-server-tls13 'unknown authority' go openssl TLS1.3 42 server client-cert-untrusted \
	"Go server: the client's certificate is from a root it does not trust"
osrv -tls1_2 -Verify 1 -verify_return_error -CAfile ca.pem -cert srv.pem -key srv.key; ocli -cert client-expired.pem -key client-expired.key
scen client-cert-expired-openssl-server-tls12 'certificate has expired' openssl openssl TLS1.2 45 server cert-expired \
	"s_server: the client's certificate expired in 2020 (TLS 1.2)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --x509cafile ca.pem --require-client-cert --verify-client-cert
gcli 127.0.0.1 --sni-hostname localhost --x509certfile client-expired.pem --x509keyfile client-expired.key
scen client-cert-expired-gnutls-server-tls13 'Error in the certificate' gnutls gnutls TLS1.3 49 server cert-expired \
	"gnutls-serv verifies the client's certificate, which expired in 2020: GnuTLS answers access_denied"

# --- negotiation ----------------------------------------------------------------------
osrv -tls1_3 -cert srv.pem -key srv.key; ocli -tls1_2
scen version-openssl-server-tls12 'unsupported protocol' openssl openssl TLS1.2 70 server version-mismatch \
	"TLS 1.3-only s_server, TLS 1.2-only s_client"
gosrv -cert srv.pem -key srv.key -min 1.3; pycli --max 1.2
scen version-go-server-tls12 'protocol version' go openssl TLS1.2 70 server version-mismatch \
	"TLS 1.3-only Go server, Python client up to TLS 1.2"
gsrv --x509certfile srv.pem --x509keyfile srv.key --priority NORMAL:-VERS-ALL:+VERS-TLS1.3; ocli -tls1_2
scen version-gnutls-server-tls12 'No supported cipher suites' gnutls openssl TLS1.2 40 server version-mismatch \
	"TLS 1.3-only gnutls-serv, TLS 1.2-only s_client: GnuTLS answers handshake_failure, not protocol_version"
osrv -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384 -cert srv.pem -key srv.key; ocli -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
scen suite-openssl-server-tls12 'no shared cipher' openssl openssl TLS1.2 40 server no-shared-cipher \
	"s_server allows ECDHE-RSA-AES256-GCM-SHA384 only, s_client offers AES128-GCM only (TLS 1.2)"
osrv -ciphersuites TLS_AES_256_GCM_SHA384 -cert srv.pem -key srv.key; ocli -ciphersuites TLS_AES_128_GCM_SHA256
scen suite-openssl-server-tls13 'no shared cipher' openssl openssl TLS1.3 40 server no-shared-cipher \
	"TLS 1.3: s_server allows TLS_AES_256_GCM_SHA384 only, s_client offers TLS_AES_128_GCM_SHA256 only"
gsrv --x509certfile srv.pem --x509keyfile srv.key --priority NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM
ocli -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
scen suite-gnutls-server-tls12 'handshake failure\|no suitable\|NO_CIPHER' gnutls openssl TLS1.2 40 server no-shared-cipher \
	"gnutls-serv allows AES-256-GCM only, s_client offers AES128-GCM only (TLS 1.2)"
gosrv -cert srv.pem -key srv.key -max 1.2 -suites 0xc030; ocli -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
scen suite-go-server-tls12 'no cipher suite supported' go openssl TLS1.2 40 server no-shared-cipher \
	"Go server allows ECDHE-RSA-AES256-GCM-SHA384 only, s_client offers AES128-GCM only (TLS 1.2)"
osrv -groups X25519 -cert srv.pem -key srv.key; ocli -groups P-384
scen group-openssl-server-tls13 'no suitable key share' openssl openssl TLS1.3 40 server no-shared-group \
	"s_server accepts X25519 only, s_client offers P-384 only"
gosrv -cert srv.pem -key srv.key -curves 29; gcli 127.0.0.1 --sni-hostname localhost --priority NORMAL:-GROUP-ALL:+GROUP-SECP384R1
scen group-go-server-tls13 'no ECDHE curve\|curve\|group' go gnutls TLS1.3 40 server no-shared-group \
	"Go server accepts X25519 only, gnutls-cli offers secp384r1 only"
osrv -cert srv.pem -key srv.key; ocli -sigalgs ECDSA+SHA256:ed25519
scen sigalg-openssl-server-tls13 'no suitable signature algorithm' openssl openssl TLS1.3 40 server no-shared-sigalg \
	"s_server has an RSA key, s_client accepts ECDSA and Ed25519 signatures only"
gsrv --x509certfile srv.pem --x509keyfile srv.key; ocli -sigalgs ECDSA+SHA256:ed25519
scen sigalg-gnutls-server-tls13 'signature\|handshake failure' gnutls openssl TLS1.3 40 server no-shared-sigalg \
	"gnutls-serv has an RSA key, s_client accepts ECDSA and Ed25519 signatures only"
gosrv -cert srv.pem -key srv.key -alpn h2; ocli -alpn x-scenario
scen alpn-go-server-tls13 'no application protocol' go openssl TLS1.3 120 server alpn-mismatch \
	"Go server speaks h2 only, s_client offers x-scenario (Go lets a lone http/1.1 through)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --alpn h2 --alpn-fatal --priority NORMAL:-VERS-TLS1.3; ocli -tls1_2 -alpn http/1.1
scen alpn-gnutls-server-tls12 'no application protocol\|application protocol' gnutls openssl TLS1.2 120 server alpn-mismatch \
	"gnutls-serv --alpn h2 --alpn-fatal, s_client offers http/1.1 (TLS 1.2)"
pysrv srv.pem srv.key --sni-only good.example; ocli -servername unknown.example
scen sni-unknown-python-server-tls13 'unknown server name' openssl openssl TLS1.3 112 server sni-unknown \
	"Python server serves good.example only; s_client asks for unknown.example"
pysrv srv.pem srv.key --sni-only good.example; gcli 127.0.0.1 --sni-hostname unknown.example --priority NORMAL:-VERS-TLS1.3
scen sni-unknown-python-server-tls12 'unknown server name' openssl gnutls TLS1.2 112 server sni-unknown \
	"Python server serves good.example only; gnutls-cli asks for unknown.example (TLS 1.2)"
osrv -cert srv.pem -key srv.key; ocli -tls1_2 -fallback_scsv
scen fallback-openssl-server-tls12 'inappropriate fallback' openssl openssl TLS1.2 86 server fallback-scsv \
	"s_client retries with TLS 1.2 and the fallback SCSV; s_server speaks TLS 1.3"
gosrv -cert srv.pem -key srv.key; ocli -tls1_2 -fallback_scsv
scen fallback-go-server-tls12 'inappropriate fallback\|fallback' go openssl TLS1.2 86 server fallback-scsv \
	"s_client retries with TLS 1.2 and the fallback SCSV; the Go server speaks TLS 1.3"
gsrv --x509certfile srv.pem --x509keyfile srv.key; gcli 127.0.0.1 --sni-hostname localhost --priority NORMAL:-VERS-TLS1.3:%FALLBACK_SCSV
scen fallback-gnutls-server-tls12 'inappropriate fallback\|fallback' gnutls gnutls TLS1.2 86 server fallback-scsv \
	"gnutls-cli retries with TLS 1.2 and %FALLBACK_SCSV; gnutls-serv speaks TLS 1.3"

# --- renegotiation: s_client's "R" command, TLS 1.2 -------------------------------------
RENEG="(sleep 1; echo R; sleep 3) | openssl s_client -connect 127.0.0.1:\$P -keylogfile \$KL -CAfile ca.pem -tls1_2"
osrv -tls1_2 -cert srv.pem -key srv.key; CLI=${RENEG//\$P/$P}
scen reneg-openssl-server-tls12 'RENEGOTIATING\|no renegotiation' openssl openssl TLS1.2 100 server renegotiation-refused \
	"s_client renegotiates; OpenSSL 3 s_server refuses client-initiated renegotiation"
gosrv -cert srv.pem -key srv.key -max 1.2; CLI=${RENEG//\$P/$P}
scen reneg-go-server-tls12 'RENEGOTIATING' go openssl TLS1.2 10 server renegotiation-refused \
	"s_client renegotiates; a Go server never renegotiates and answers unexpected_message"

# --- conditions that are no alert of a stack ---------------------------------------------
SRV="exec python3 -m http.server --bind 127.0.0.1 $P"
CLI="curl -sS --max-time 5 --cacert ca.pem https://127.0.0.1:$P/"
scen plaintext-http-curl-client - openssl plain-http - - - plaintext-service \
	"curl https:// to a plain HTTP server: it answers HTTP/1.0 400, no alert is sent"
SRV="exec python3 peer.py banner $P"; pycli
scen plaintext-smtp-python-client 'wrong version number' openssl plain-smtp - - - plaintext-service \
	"Python ssl client to a plaintext SMTP server: a 220 banner where a ServerHello should be"
osrv -cert srv.pem -key srv.key
CLI="python3 peer.py bigrecord $P --len 24576"
scen record-too-large-openssl-server - openssl python TLS1.2 22 server record-too-large \
	"a hand-built handshake record header announces 24576 bytes; s_server answers record_overflow"
gosrv -cert srv.pem -key srv.key; CLI="python3 peer.py bigrecord $P --len 24576"
scen record-too-large-go-server - go python TLS1.2 22 server record-too-large \
	"a hand-built handshake record header announces 24576 bytes; the Go server answers record_overflow"

# --- mid-stream: captures cut just before their alert ---------------------------------
# midcut SRC NAME VERSION ALERT SENDER CAUSE DESCRIPTION: NAME.pcap is SRC.pcap from its
# first alert on (tshark finds it, with SRC's key log): no SYN, no hellos, no certificate
midcut() {
	picked "$2" || return
	local src=$1 name=$2 port kl=() f
	port=$(awk -v n="$src" '$1 == n { print $2 }' ports.txt)
	[ -f "$OUT/$src.keylog" ] && kl=(-o "tls.keylog_file:$OUT/$src.keylog")
	f=$(tshark -r "$OUT/$src.pcap" -d "tcp.port==$port,tls" "${kl[@]}" -Y tls.alert_message \
		-T fields -e frame.number 2>/dev/null | head -1)
	[ -n "$f" ] || { echo "make.sh: $src: no alert to cut at" >&2; FAILED="$FAILED $name"; return; }
	q editcap -r "$OUT/$src.pcap" "$OUT/$name.pcap" "$f-100000"
	rm -f "$OUT/$name.keylog"
	[ -f "$OUT/$src.keylog" ] && cp "$OUT/$src.keylog" "$OUT/$name.keylog"
	{ echo "# $src.pcap from frame $f on (editcap -r)"; cat "$OUT/$src.log"; } >"$OUT/$name.log"
	shift 2
	verify "$name" "$port" "$2" "$3"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" \
		"$(awk -F'\t' -v n="$src" '$1 == n { print $2 "\t" $3 }' rows.tsv)" "$@" "$PLAIN" >>rows.tsv
}
midcut untrusted-ca-openssl-client-tls12 midstream-openssl-client-tls12 TLS1.2 48 client untrusted-ca \
	"untrusted-ca-openssl-client-tls12 from its alert on: the plaintext alert alone, no handshake"
# the alert is encrypted and its handshake is missing: no key log can open it ("?")
midcut untrusted-ca-go-client-tls13 midstream-go-client-tls13 TLS1.3 '?' client handshake-not-captured \
	"untrusted-ca-go-client-tls13 from its alert on: an encrypted alert whose handshake is not in the capture"

# --- the same families again, from other stacks and at the other version ---------------
# (so that the matrix holds each family from more than one sender, and the diagnosis is
# built for the family rather than for one capture)
JCLI="timeout 8 java -Djavax.net.ssl.trustStore=trust.jks -Djavax.net.ssl.trustStorePassword=changeit Client.java"
ncli() { CLI="sleep 3 | tstclnt -d sql:nssdb -h 127.0.0.1 -p $P -a localhost -Q $*"; }
osrv -tls1_2 -cert expired.pem -key expired.key; gcli 127.0.0.1 --sni-hostname localhost
scen expired-gnutls-client-tls12 'expired' gnutls openssl TLS1.2 42 client cert-expired \
	"gnutls-cli rejects a server certificate that expired in February 2020 (TLS 1.2)"
osrv -cert expired.pem -key expired.key; pycli
scen expired-python-client-tls13 'certificate has expired' openssl openssl TLS1.3 45 client cert-expired \
	"Python ssl client rejects a server certificate that expired in February 2020"
osrv -tls1_2 -cert expired.pem -key expired.key; ncli
scen expired-nss-client-tls12 'expired' nss openssl TLS1.2 45 client cert-expired \
	"NSS tstclnt rejects a server certificate that expired in February 2020 (TLS 1.2)"
osrv -tls1_2 -cert expired.pem -key expired.key; CLI="$JCLI $P localhost"
scen expired-java-client-tls12 'expired\|NotAfter' java openssl TLS1.2 45 client cert-expired \
	"Java (JSSE) client, trusting the root: the server certificate expired in 2020 (TLS 1.2)"
osrv -cert notyet.pem -key notyet.key; gocli
scen notyet-go-client-tls13 'not yet valid\|expired or is not yet valid' go openssl TLS1.3 42 client cert-not-yet-valid \
	"Go client rejects a server certificate valid only from 2099"
osrv -tls1_2 -cert notyet.pem -key notyet.key; gcli 127.0.0.1 --sni-hostname localhost
scen notyet-gnutls-client-tls12 'not activated\|not yet' gnutls openssl TLS1.2 42 client cert-not-yet-valid \
	"gnutls-cli rejects a server certificate valid only from 2099 (TLS 1.2)"
osrv -cert srv.pem -key srv.key; gocli -sni wrong.example
scen name-mismatch-go-client-tls13 'not wrong.example\|valid for' go openssl TLS1.3 42 client cert-hostname-mismatch \
	"Go client asks for wrong.example, the certificate is for localhost"
osrv -tls1_2 -cert srv.pem -key srv.key; pycli --sni wrong.example
scen name-mismatch-python-client-tls12 'Hostname mismatch' openssl openssl TLS1.2 42 client cert-hostname-mismatch \
	"Python asks for wrong.example, the certificate is for localhost (TLS 1.2)"
osrv -tls1_2 -cert srv.pem -key srv.key; CLI="$JCLI $P wrong.example"
scen name-mismatch-java-client-tls12 'No name matching\|No subject alternative' java openssl TLS1.2 46 client cert-hostname-mismatch \
	"Java (JSSE) client asks for wrong.example, the certificate is for localhost (TLS 1.2)"
osrv -cert wild.pem -key wild.key; ocli -servername a.b.example.com -verify_hostname a.b.example.com
scen wildcard-mismatch-openssl-client-tls13 'hostname mismatch' openssl openssl TLS1.3 42 client cert-hostname-mismatch \
	"s_client asks for a.b.example.com; *.example.com covers one label only"
osrv -tls1_2 -cert wild.pem -key wild.key; gcli 127.0.0.1 --sni-hostname example.com --verify-hostname example.com
scen wildcard-mismatch-gnutls-client-tls12 'does not match' gnutls openssl TLS1.2 42 client cert-hostname-mismatch \
	"gnutls-cli asks for example.com; *.example.com does not cover the bare domain (TLS 1.2)"
osrv -cert untrusted.pem -key untrusted.key; pycli
scen untrusted-ca-python-client-tls13 'unable to get local issuer' openssl openssl TLS1.3 48 client untrusted-ca \
	"Python ssl client: server certificate from a root it does not trust"
osrv -tls1_2 -cert untrusted.pem -key untrusted.key; gcli 127.0.0.1 --sni-hostname localhost
scen untrusted-ca-gnutls-client-tls12 'issuer is unknown\|not trusted' gnutls openssl TLS1.2 42 client untrusted-ca \
	"gnutls-cli: server certificate from a root it does not trust (TLS 1.2)"
osrv -tls1_2 -cert untrusted.pem -key untrusted.key; ncli
scen untrusted-ca-nss-client-tls12 'issuer\|not trusted' nss openssl TLS1.2 48 client untrusted-ca \
	"NSS tstclnt: server certificate from a root it does not trust (TLS 1.2)"
osrv -tls1_2 -cert leafi.pem -key leafi.key; gocli
scen missing-intermediate-go-client-tls12 'unknown authority' go openssl TLS1.2 42 client untrusted-ca \
	"Go client: the server sends its leaf without the intermediate that signed it (TLS 1.2)"
osrv -tls1_2 -cert leafi.pem -key leafi.key; CLI="$JCLI $P localhost"
scen missing-intermediate-java-client-tls12 'PKIX path building failed' java openssl TLS1.2 46 client untrusted-ca \
	"Java (JSSE) client, trusting the root: the server omits the intermediate (TLS 1.2)"
osrv -cert self.pem -key self.key; gocli
scen self-signed-go-client-tls13 'unknown authority' go openssl TLS1.3 42 client untrusted-ca \
	"Go client: the server's certificate is self-signed"
osrv -tls1_2 -cert self.pem -key self.key; gcli 127.0.0.1 --sni-hostname localhost
scen self-signed-gnutls-client-tls12 'issuer is unknown\|not trusted\|signer' gnutls openssl TLS1.2 42 client untrusted-ca \
	"gnutls-cli: the server's certificate is self-signed (TLS 1.2)"
gosrv -cert weak.pem -key weak.key; ocli -servername localhost
scen weak-key-openssl-client-tls13 'key too weak\|too small' openssl go TLS1.3 42 client weak-key \
	"s_client (security level 2) rejects the server's 1024-bit RSA key"
gosrv -cert weak.pem -key weak.key -max 1.2; pycli
scen weak-key-python-client-tls12 'too small\|too weak' openssl go TLS1.2 42 client weak-key \
	"Python ssl client (security level 2) rejects the server's 1024-bit RSA key (TLS 1.2)"
pysrv srv.pem srv.key --ca ca.pem --clientauth; ocli
scen client-cert-missing-python-server-tls13 'peer did not return a certificate' openssl openssl TLS1.3 116 server client-cert-missing \
	"Python server requires a client certificate; s_client sends none"
gosrv -cert srv.pem -key srv.key -ca ca.pem -clientauth; ocli
scen client-cert-missing-go-server-tls13 "didn't provide a certificate" go openssl TLS1.3 42 server client-cert-missing \
	"Go server requires a client certificate; s_client sends none: Go 1.19 answers bad_certificate, not certificate_required"
gsrv --x509certfile srv.pem --x509keyfile srv.key --x509cafile ca.pem --require-client-cert
gcli 127.0.0.1 --sni-hostname localhost
scen client-cert-missing-gnutls-server-tls13 'certificate' gnutls gnutls TLS1.3 116 server client-cert-missing \
	"gnutls-serv --require-client-cert; gnutls-cli sends none"
pysrv srv.pem srv.key --ca ca.pem --clientauth --max 1.2; ocli -cert client-untrusted.pem -key client-untrusted.key
scen client-cert-untrusted-python-server-tls12 'unable to get local issuer\|certificate verify failed' openssl openssl TLS1.2 48 server client-cert-untrusted \
	"Python server: the client's certificate is from a root it does not trust (TLS 1.2)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --x509cafile ca.pem --require-client-cert --verify-client-cert --priority NORMAL:-VERS-TLS1.3
gcli 127.0.0.1 --sni-hostname localhost --x509certfile client-untrusted.pem --x509keyfile client-untrusted.key
scen client-cert-untrusted-gnutls-server-tls12 'Error in the certificate\|not trusted\|issuer' gnutls gnutls TLS1.2 49 server client-cert-untrusted \
	"gnutls-serv verifies the client's certificate, from a root it does not trust (TLS 1.2)"
gosrv -cert srv.pem -key srv.key -ca ca.pem -clientauth -max 1.2; ocli -cert client-expired.pem -key client-expired.key
scen client-cert-expired-go-server-tls12 'expired' go openssl TLS1.2 42 server cert-expired \
	"Go server: the client's certificate expired in 2020 (TLS 1.2)"
osrv -Verify 1 -verify_return_error -CAfile ca.pem -cert srv.pem -key srv.key; ocli -cert client-expired.pem -key client-expired.key
scen client-cert-expired-openssl-server-tls13 'certificate has expired' openssl openssl TLS1.3 45 server cert-expired \
	"s_server: the client's certificate expired in 2020"
osrv -tls1_2 -cert srv.pem -key srv.key; ocli -tls1_3
scen version-openssl-server-tls13 'unsupported protocol\|protocol version' openssl openssl TLS1.3 70 server version-mismatch \
	"TLS 1.2-only s_server, TLS 1.3-only s_client"
osrv -tls1_3 -cert srv.pem -key srv.key; gcli 127.0.0.1 --sni-hostname localhost --priority NORMAL:-VERS-ALL:+VERS-TLS1.2
scen version-openssl-server-gnutls-tls12 'unsupported protocol\|protocol' openssl gnutls TLS1.2 70 server version-mismatch \
	"TLS 1.3-only s_server, TLS 1.2-only gnutls-cli"
pysrv srv.pem srv.key --min 1.3; gocli -max 1.2
scen version-python-server-tls12 'unsupported protocol\|protocol' openssl go TLS1.2 70 server version-mismatch \
	"TLS 1.3-only Python server, Go client up to TLS 1.2"
gsrv --x509certfile srv.pem --x509keyfile srv.key --priority NORMAL:-CIPHER-ALL:+AES-256-GCM
ocli -ciphersuites TLS_AES_128_GCM_SHA256
scen suite-gnutls-server-tls13 'handshake failure\|no suitable\|cipher' gnutls openssl TLS1.3 40 server no-shared-cipher \
	"TLS 1.3: gnutls-serv allows AES-256-GCM only, s_client offers TLS_AES_128_GCM_SHA256 only"
osrv -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384 -cert srv.pem -key srv.key
gcli 127.0.0.1 --sni-hostname localhost --priority NORMAL:-VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM
scen suite-openssl-server-gnutls-tls12 'no shared cipher' openssl gnutls TLS1.2 40 server no-shared-cipher \
	"s_server allows ECDHE-RSA-AES256-GCM-SHA384 only, gnutls-cli offers AES-128-GCM only (TLS 1.2)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --priority NORMAL:-GROUP-ALL:+GROUP-X25519; ocli -groups P-384
scen group-gnutls-server-tls13 'group\|handshake failure\|key share' gnutls openssl TLS1.3 40 server no-shared-group \
	"gnutls-serv accepts X25519 only, s_client offers P-384 only"
osrv -groups X25519 -cert srv.pem -key srv.key; gcli 127.0.0.1 --sni-hostname localhost --priority NORMAL:-GROUP-ALL:+GROUP-SECP384R1
scen group-openssl-server-gnutls-tls13 'no suitable key share\|key share' openssl gnutls TLS1.3 40 server no-shared-group \
	"s_server accepts X25519 only, gnutls-cli offers secp384r1 only"
gosrv -cert srv.pem -key srv.key; ocli -sigalgs ECDSA+SHA256:ed25519
scen sigalg-go-server-tls13 'signature' go openssl TLS1.3 40 server no-shared-sigalg \
	"Go server has an RSA key, s_client accepts ECDSA and Ed25519 signatures only"
osrv -tls1_2 -cert srv.pem -key srv.key; ocli -tls1_2 -sigalgs ECDSA+SHA256:ed25519
scen sigalg-openssl-server-tls12 'no shared cipher\|signature' openssl openssl TLS1.2 40 server no-shared-sigalg \
	"s_server has an RSA key, s_client accepts ECDSA and Ed25519 signatures only (TLS 1.2)"
gosrv -cert srv.pem -key srv.key -alpn h2 -max 1.2; ocli -tls1_2 -alpn x-scenario
scen alpn-go-server-tls12 'no application protocol' go openssl TLS1.2 120 server alpn-mismatch \
	"Go server speaks h2 only, s_client offers x-scenario (TLS 1.2)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --alpn h2 --alpn-fatal; ocli -alpn http/1.1
scen alpn-gnutls-server-tls13 'application protocol' gnutls openssl TLS1.3 120 server alpn-mismatch \
	"gnutls-serv --alpn h2 --alpn-fatal, s_client offers http/1.1"
gsrv --x509certfile srv.pem --x509keyfile srv.key --sni-hostname good.example --sni-hostname-fatal; ocli -servername unknown.example
scen sni-unknown-gnutls-server-tls13 'server name\|Unrecognized name\|unrecognized' gnutls openssl TLS1.3 112 server sni-unknown \
	"gnutls-serv serves good.example only (--sni-hostname-fatal); s_client asks for unknown.example"
pysrv srv.pem srv.key --sni-only good.example; gocli -sni unknown.example
scen sni-unknown-python-server-go-tls13 'unknown server name' openssl go TLS1.3 112 server sni-unknown \
	"Python server serves good.example only; the Go client asks for unknown.example"
osrv -cert srv.pem -key srv.key; gcli 127.0.0.1 --sni-hostname localhost --priority NORMAL:-VERS-TLS1.3:%FALLBACK_SCSV
scen fallback-openssl-server-gnutls-tls12 'inappropriate fallback\|fallback' openssl gnutls TLS1.2 86 server fallback-scsv \
	"gnutls-cli retries with TLS 1.2 and %FALLBACK_SCSV; s_server speaks TLS 1.3"
pysrv srv.pem srv.key --max 1.2; CLI=${RENEG//\$P/$P}
scen reneg-python-server-tls12 'RENEGOTIATING\|renegotiation' openssl openssl TLS1.2 100 server renegotiation-refused \
	"s_client renegotiates; a Python (OpenSSL 3) server refuses client-initiated renegotiation"
SRV="exec python3 -m http.server --bind 127.0.0.1 $P"; gocli
scen plaintext-http-go-client - go plain-http - - - plaintext-service \
	"Go client to a plain HTTP server: it answers HTTP/1.0 400, no alert is sent"
SRV="exec python3 peer.py banner $P"; gcli 127.0.0.1 --sni-hostname localhost
scen plaintext-smtp-gnutls-client - gnutls plain-smtp - 10 client plaintext-service \
	"gnutls-cli to a plaintext SMTP server: a 220 banner where a ServerHello should be; GnuTLS answers unexpected_message"
gsrv --x509certfile srv.pem --x509keyfile srv.key; CLI="python3 peer.py bigrecord $P --len 24576"
scen record-too-large-gnutls-server - gnutls python TLS1.2 22 server record-too-large \
	"a hand-built handshake record header announces 24576 bytes; gnutls-serv answers record_overflow"
pysrv srv.pem srv.key; CLI="python3 peer.py bigrecord $P --len 24576"
scen record-too-large-python-server - openssl python TLS1.2 22 server record-too-large \
	"a hand-built handshake record header announces 24576 bytes; the Python server answers record_overflow"
nsrv() { SRV="exec selfserv -d sql:nsssrv -n srv -p $P $*"; }
nsrv -r -r -V tls1.2:tls1.2; ocli -tls1_2
scen client-cert-missing-nss-server-tls12 'certificate\|CERT' nss openssl TLS1.2 42 server client-cert-missing \
	"selfserv -r -r requires a client certificate; s_client sends none (TLS 1.2)"
nsrv -r -r; ocli
scen client-cert-missing-nss-server-tls13 'certificate\|CERT' nss openssl TLS1.3 116 server client-cert-missing \
	"selfserv -r -r requires a client certificate; s_client sends none"
nsrv -V tls1.3:tls1.3; ocli -tls1_2
scen version-nss-server-tls12 'protocol\|version' nss openssl TLS1.2 70 server version-mismatch \
	"TLS 1.3-only selfserv, TLS 1.2-only s_client"
nsrv -I x25519; ocli -groups P-384
scen group-nss-server-tls13 'group\|key\|handshake' nss openssl TLS1.3 40 server no-shared-group \
	"selfserv accepts x25519 only, s_client offers P-384 only"
nsrv; ocli -sigalgs ECDSA+SHA256:ed25519
scen sigalg-nss-server-tls13 'signature\|handshake\|alert' nss openssl TLS1.3 40 server no-shared-sigalg \
	"selfserv has an RSA key, s_client accepts ECDSA and Ed25519 signatures only"
nsrv; CLI="python3 peer.py bigrecord $P --len 24576"
scen record-too-large-nss-server - nss python TLS1.2 22 server record-too-large \
	"a hand-built handshake record header announces 24576 bytes; selfserv answers record_overflow"
osrv -cert wild.pem -key wild.key
CLI="sleep 3 | tstclnt -d sql:nssdb -h 127.0.0.1 -p $P -a a.b.example.com -Q"
scen wildcard-mismatch-nss-client-tls13 'domain\|DOMAIN' nss openssl TLS1.3 42 client cert-hostname-mismatch \
	"NSS tstclnt asks for a.b.example.com; *.example.com covers one label only"
osrv -tls1_2 -cert notyet.pem -key notyet.key; ncli
scen notyet-nss-client-tls12 'expired\|EXPIRED\|valid' nss openssl TLS1.2 45 client cert-not-yet-valid \
	"NSS tstclnt rejects a server certificate valid only from 2099 (TLS 1.2)"
osrv -cert leafi.pem -key leafi.key; ncli
scen missing-intermediate-nss-client-tls13 'issuer\|ISSUER' nss openssl TLS1.3 48 client untrusted-ca \
	"NSS tstclnt: the server sends its leaf without the intermediate that signed it"
osrv -cert expired.pem -key expired.key; gocli
scen expired-go-client-tls13 'expired' go openssl TLS1.3 42 client cert-expired \
	"Go client rejects an expired server certificate"
osrv -tls1_2 -cert untrusted.pem -key untrusted.key; gocli
scen untrusted-ca-go-client-tls12 'unknown authority' go openssl TLS1.2 42 client untrusted-ca \
	"Go client: server certificate from a root it does not trust (TLS 1.2)"
osrv -cert wild.pem -key wild.key; gocli -sni a.b.example.com
scen wildcard-mismatch-go-client-tls13 'not a.b.example.com\|valid for' go openssl TLS1.3 42 client cert-hostname-mismatch \
	"Go asks for a.b.example.com; *.example.com covers one label only"
osrv -tls1_2 -cert leafi.pem -key leafi.key; pycli
scen missing-intermediate-python-client-tls12 'unable to get local issuer' openssl openssl TLS1.2 48 client untrusted-ca \
	"Python ssl client: the server omits the intermediate (TLS 1.2)"
osrv -cert self.pem -key self.key; pycli
scen self-signed-python-client-tls13 'self.signed certificate' openssl openssl TLS1.3 48 client untrusted-ca \
	"Python ssl client: the server's certificate is self-signed"
osrv -tls1_2 -cert srv.pem -key srv.key; pycli --min 1.3
scen version-openssl-server-python-tls13 'unsupported protocol\|protocol version' openssl openssl TLS1.3 70 server version-mismatch \
	"TLS 1.2-only s_server, TLS 1.3-only Python client"
osrv -cert expired.pem -key expired.key; gcli 127.0.0.1 --sni-hostname localhost
scen expired-gnutls-client-tls13 'expired' gnutls openssl TLS1.3 42 client cert-expired \
	"gnutls-cli rejects a server certificate that expired in February 2020"
osrv -cert untrusted.pem -key untrusted.key; gcli 127.0.0.1 --sni-hostname localhost
scen untrusted-ca-gnutls-client-tls13 'issuer is unknown\|not trusted' gnutls openssl TLS1.3 42 client untrusted-ca \
	"gnutls-cli: server certificate from a root it does not trust"
osrv -tls1_2 -cert srv.pem -key srv.key; gcli --sni-hostname wrong.example --verify-hostname wrong.example 127.0.0.1
scen name-mismatch-gnutls-client-tls12 'does not match' gnutls openssl TLS1.2 42 client cert-hostname-mismatch \
	"gnutls-cli asks for wrong.example, the certificate is for localhost (TLS 1.2)"
osrv -Verify 1 -CAfile ca.pem -cert srv.pem -key srv.key; gcli 127.0.0.1 --sni-hostname localhost
scen client-cert-missing-openssl-server-gnutls-tls13 'peer did not return a certificate' openssl gnutls TLS1.3 116 server client-cert-missing \
	"s_server -Verify requires a client certificate; gnutls-cli sends none"
gosrv -cert srv.pem -key srv.key -max 1.2 -curves 29; ocli -tls1_2 -groups P-384 -cipher ECDHE
scen group-go-server-tls12 'no cipher suite\|curve\|group' go openssl TLS1.2 40 server no-shared-group \
	"Go server accepts X25519 only, s_client offers P-384 only and ECDHE suites only (TLS 1.2)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --sni-hostname good.example --sni-hostname-fatal --priority NORMAL:-VERS-TLS1.3
ocli -tls1_2 -servername unknown.example
scen sni-unknown-gnutls-server-tls12 'server name\|Unrecognized name\|unrecognized' gnutls openssl TLS1.2 112 server sni-unknown \
	"gnutls-serv serves good.example only (--sni-hostname-fatal); s_client asks for unknown.example (TLS 1.2)"
pysrv srv.pem srv.key; ocli -tls1_2 -fallback_scsv
scen fallback-python-server-tls12 'inappropriate fallback\|fallback' openssl openssl TLS1.2 86 server fallback-scsv \
	"s_client retries with TLS 1.2 and the fallback SCSV; the Python server speaks TLS 1.3"
SRV="exec python3 -m http.server --bind 127.0.0.1 $P"; ncli
scen plaintext-http-nss-client - nss plain-http - 22 client plaintext-service \
	"NSS tstclnt to a plain HTTP server: it answers HTTP/1.0 400, read as a record too long: NSS answers record_overflow"
SRV="exec python3 -m http.server --bind 127.0.0.1 $P"; CLI="$JCLI $P localhost"
scen plaintext-http-java-client - java plain-http - 10 client plaintext-service \
	"Java (JSSE) client to a plain HTTP server: it answers HTTP/1.0 400; Java answers unexpected_message"
JSRV="exec java -Djavax.net.ssl.keyStore=srv-java.p12 -Djavax.net.ssl.keyStorePassword=changeit -Djavax.net.ssl.trustStore=trust.jks -Djavax.net.ssl.trustStorePassword=changeit Server.java"
SRV="$JSRV $P need TLSv1.2"; ocli -tls1_2
scen client-cert-missing-java-server-tls12 'Empty client certificate chain\|certificate' java openssl TLS1.2 42 server client-cert-missing \
	"Java (JSSE) server requires a client certificate; s_client sends none (TLS 1.2)"
SRV="$JSRV $P need TLSv1.2"; ocli -tls1_2 -cert client-untrusted.pem -key client-untrusted.key
scen client-cert-untrusted-java-server-tls12 'PKIX path\|certificate' java openssl TLS1.2 46 server client-cert-untrusted \
	"Java (JSSE) server: the client's certificate is from a root it does not trust (TLS 1.2)"
SRV="$JSRV $P TLSv1.3"; ocli -tls1_2
scen version-java-server-tls12 'protocol\|version' java openssl TLS1.2 70 server version-mismatch \
	"TLS 1.3-only Java (JSSE) server, TLS 1.2-only s_client"
SRV="$JSRV $P TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"; ocli -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
scen suite-java-server-tls12 'cipher\|handshake' java openssl TLS1.2 40 server no-shared-cipher \
	"Java (JSSE) server allows ECDHE-RSA-AES256-GCM-SHA384 only, s_client offers AES128-GCM only (TLS 1.2)"
osrv -Verify 1 -verify_return_error -CAfile ca.pem -cert srv.pem -key srv.key; ocli -cert client-untrusted.pem -key client-untrusted.key
scen client-cert-untrusted-openssl-server-tls13 'unable to get local issuer\|certificate verify failed' openssl openssl TLS1.3 48 server client-cert-untrusted \
	"s_server: the client's certificate is from a root it does not trust"
gosrv -cert srv.pem -key srv.key -ca ca.pem -clientauth; ocli -cert client-expired.pem -key client-expired.key
scen client-cert-expired-go-server-tls13 'expired' go openssl TLS1.3 42 server cert-expired \
	"Go server: the client's certificate expired in 2020"
osrv -tls1_2 -cert self.pem -key self.key; ncli
scen self-signed-nss-client-tls12 'issuer\|ISSUER\|trusted' nss openssl TLS1.2 48 client untrusted-ca \
	"NSS tstclnt: the server's certificate is self-signed (TLS 1.2)"
nsrv; ocli -tls1_2 -fallback_scsv
scen fallback-nss-server-tls12 'fallback\|FALLBACK\|alert' nss openssl TLS1.2 86 server fallback-scsv \
	"s_client retries with TLS 1.2 and the fallback SCSV; selfserv speaks TLS 1.3"
# a certificate whose name is in its commonName only, no subjectAltName: Go (1.15 on) no
# longer reads the commonName; OpenSSL's own check (and this Python) still does
osrv -tls1_2 -cert cnonly.pem -key cnonly.key; gocli
scen cn-only-go-client-tls12 'legacy Common Name\|not valid for\|SAN' go openssl TLS1.2 42 client cert-hostname-mismatch \
	"Go asks for localhost; the certificate names it in its commonName only, which Go ignores (TLS 1.2)"
osrv -cert notyet.pem -key notyet.key; gcli 127.0.0.1 --sni-hostname localhost
scen notyet-gnutls-client-tls13 'not activated\|not yet' gnutls openssl TLS1.3 42 client cert-not-yet-valid \
	"gnutls-cli rejects a server certificate valid only from 2099"
nsrv -r -r -V tls1.2:tls1.2; ocli -tls1_2 -cert client-untrusted.pem -key client-untrusted.key
scen client-cert-untrusted-nss-server-tls12 'ISSUER\|issuer\|CERT\|cert' nss openssl TLS1.2 48 server client-cert-untrusted \
	"selfserv -r -r: the client's certificate is from a root it does not trust (TLS 1.2)"
pysrv srv.pem srv.key --ca ca.pem --clientauth --max 1.2; ocli -tls1_2 -cert client-expired.pem -key client-expired.key
scen client-cert-expired-python-server-tls12 'certificate has expired\|expired' openssl openssl TLS1.2 45 server cert-expired \
	"Python server: the client's certificate expired in 2020 (TLS 1.2)"
osrv -tls1_2 -cert srv.pem -key srv.key; ncli -V tls1.3:tls1.3
scen version-openssl-server-nss-tls13 'unsupported protocol\|protocol version\|PROTOCOL' openssl nss TLS1.3 70 server version-mismatch \
	"TLS 1.2-only s_server, TLS 1.3-only NSS tstclnt"
osrv -tls1_2 -groups X25519 -cert srv.pem -key srv.key; ocli -tls1_2 -groups P-384 -cipher ECDHE
scen group-openssl-server-tls12 'no shared cipher\|group' openssl openssl TLS1.2 40 server no-shared-group \
	"s_server accepts X25519 only, s_client offers P-384 only and ECDHE suites only (TLS 1.2)"
gosrv -cert srv.pem -key srv.key -max 1.2; ocli -tls1_2 -sigalgs ECDSA+SHA256:ed25519
scen sigalg-go-server-tls12 'signature\|cipher suite' go openssl TLS1.2 40 server no-shared-sigalg \
	"Go server has an RSA key, s_client accepts ECDSA and Ed25519 signatures only (TLS 1.2)"
gsrv --x509certfile srv.pem --x509keyfile srv.key --priority NORMAL:-VERS-TLS1.3; ocli -tls1_2 -sigalgs ECDSA+SHA256:ed25519
scen sigalg-gnutls-server-tls12 'signature\|handshake failure\|cipher' gnutls openssl TLS1.2 40 server no-shared-sigalg \
	"gnutls-serv has an RSA key, s_client accepts ECDSA and Ed25519 signatures only (TLS 1.2)"
midcut sni-unknown-python-server-go-tls13 midstream-python-server-tls13 TLS1.3 112 server sni-unknown \
	"sni-unknown-python-server-go-tls13 from its alert on: the plaintext unrecognized_name alone"
midcut client-cert-missing-go-server-tls13 midstream-go-server-tls13 TLS1.3 '?' server handshake-not-captured \
	"client-cert-missing-go-server-tls13 from its alert on: an encrypted alert whose handshake is not in the capture"

if [ -z "$ONLY" ]; then
	{
		printf '# Scenario matrix of issue 11, written by make.sh: one capture each (NAME.pcap,\n'
		printf '# NAME.keylog where a peer wrote one, NAME.log what the peers printed).\n'
		printf '# Columns: the stacks of the alert'"'"'s sender and of its peer, the version, the alert\n'
		printf '# (as tshark reads it with the key log; "-": no alert is sent, "?": an encrypted alert\n'
		printf '# no key can open), its sender, the cause that must rank first, what happens, and\n'
		printf '# plain: yes when the alert is readable without the key log.\n'
		printf '# tests/scripts/scenarios.sh checks these against `tlsalert scan --json`.\n'
		printf 'name\tsender_stack\tpeer_stack\tversion\talert\tsender\tcause\tdescription\tplain\n'
	} >"$OUT/scenarios.tsv"
	cat rows.tsv >>"$OUT/scenarios.tsv"
else
	cat rows.tsv
fi
[ -z "$FAILED" ] || { echo "make.sh: not as expected:$FAILED" >&2; exit 1; }
