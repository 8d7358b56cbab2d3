#!/usr/bin/env bash
# Regenerates the captures and key logs of tests/data/keylog/ (not run by the
# tests): one loopback connection per cipher suite and stack, each ending with
# alerts, captured with tcpdump (-i lo -U, started before the client and
# stopped after it), the key log written by the stack itself:
#   openssl-*  OpenSSL s_server / s_client (-keylogfile)
#   gnutls-*   gnutls-serv / gnutls-cli (SSLKEYLOGFILE)
#   go-*       tests/data/keylog/gen (crypto/tls KeyLogWriter, SSLKEYLOGFILE)
# Needs root (tcpdump), openssl, gnutls-bin, golang.  Usage, from the
# repository root:  sudo tests/data/keylog/make.sh   (ONLY=PATTERN: only the captures whose
# name contains PATTERN)
set -u
cd "$(dirname "$0")" || exit 2
OUT=$PWD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PORT=24400

# a self-signed RSA certificate (every TLS 1.2 suite below uses RSA
# authentication), and another one that clients are told to trust instead
# (for a failure alert)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
	-days 3650 -subj "/CN=localhost/O=tlsalert test" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca-key.pem" -out "$TMP/other-ca.pem" \
	-days 3650 -subj "/CN=some other CA" 2>/dev/null
(cd gen && GOCACHE=$TMP/gocache go build -o "$TMP/gen" .) || exit 2

# capture NAME PROTO "SERVER COMMAND" "CLIENT COMMAND"  ($P is the port, $K the key log)
capture() {
	local name=$1 proto=$2 server=$3 client=$4
	[[ $name == *"${ONLY:-}"* ]] || return 0
	PORT=$((PORT + 1))
	export P=$PORT K=$OUT/$name.keylog
	rm -f "$OUT/$name.pcap" "$K"
	tcpdump -i lo -U -s 0 -w "$OUT/$name.pcap" "$proto port $P" 2>/dev/null &
	local td=$!
	sleep 0.7
	bash -c "$server" >"$TMP/$name.server" 2>&1 &
	local sv=$!
	sleep 0.7
	timeout 10 bash -c "$client" >"$TMP/$name.client" 2>&1
	sleep 0.7
	kill "$sv" 2>/dev/null
	wait "$sv" 2>/dev/null
	sleep 0.3
	kill "$td"
	wait "$td" 2>/dev/null
	printf '%-45s %6d bytes, key log %d lines\n' "$name" "$(stat -c %s "$OUT/$name.pcap")" \
		"$(grep -c . "$K" 2>/dev/null || echo 0)"
}

S="-cert $TMP/cert.pem -key $TMP/key.pem -naccept 1 -quiet"
# client input: one line, then EOF (the client then sends close_notify)
IN="(echo hello; sleep 0.5)"

# ---- OpenSSL, TLS 1.3: the five AEADs
for cs in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256 \
	TLS_AES_128_CCM_SHA256 TLS_AES_128_CCM_8_SHA256; do
	n=$(echo "$cs" | tr 'A-Z_' 'a-z-')
	capture "openssl-tls13-${n#tls-}" tcp \
		"sleep 4 | openssl s_server -accept \$P $S -tls1_3 -ciphersuites $cs" \
		"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_3 -ciphersuites $cs -keylogfile \$K -quiet"
done

# ---- OpenSSL, TLS 1.2: AEADs and CBC, with and without Encrypt-then-MAC
for c in ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305 \
	AES128-CCM AES128-CCM8 AES256-CCM; do
	n=$(echo "$c" | tr 'A-Z' 'a-z')
	capture "openssl-tls12-$n" tcp \
		"sleep 4 | openssl s_server -accept \$P $S -tls1_2 -cipher $c" \
		"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_2 -cipher $c -keylogfile \$K -quiet"
done
for c in ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384 AES256-SHA; do
	n=$(echo "$c" | tr 'A-Z' 'a-z')
	capture "openssl-tls12-$n-etm" tcp \
		"sleep 4 | openssl s_server -accept \$P $S -tls1_2 -cipher $c" \
		"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_2 -cipher $c -keylogfile \$K -quiet"
	capture "openssl-tls12-$n-mte" tcp \
		"sleep 4 | openssl s_server -accept \$P $S -tls1_2 -cipher $c" \
		"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_2 -cipher $c -no_etm -keylogfile \$K -quiet"
done
# TLS 1.0 CBC (implicit IV chaining: every record is decrypted)
capture openssl-tls10-ecdhe-rsa-aes128-sha tcp \
	"sleep 4 | openssl s_server -accept \$P $S -tls1 -cipher ECDHE-RSA-AES128-SHA@SECLEVEL=0" \
	"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1 -cipher ECDHE-RSA-AES128-SHA@SECLEVEL=0 -keylogfile \$K -quiet"

# ---- OpenSSL, DTLS 1.2
capture openssl-dtls12-ecdhe-rsa-aes128-gcm-sha256 udp \
	"sleep 4 | openssl s_server -dtls1_2 -accept \$P $S -cipher ECDHE-RSA-AES128-GCM-SHA256" \
	"$IN | openssl s_client -dtls1_2 -connect 127.0.0.1:\$P -cipher ECDHE-RSA-AES128-GCM-SHA256 -keylogfile \$K -quiet"

# ---- OpenSSL failures: the client rejects a self-signed / expired certificate
capture openssl-tls13-unknown-ca tcp \
	"sleep 4 | openssl s_server -accept \$P $S -tls1_3" \
	"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_3 -verify_return_error -keylogfile \$K -quiet"
capture openssl-tls12-unknown-ca tcp \
	"sleep 4 | openssl s_server -accept \$P $S -tls1_2" \
	"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_2 -verify_return_error -keylogfile \$K -quiet"
# the server requires a client certificate, the client has none (TLS 1.3: certificate_required)
capture openssl-tls13-certificate-required tcp \
	"sleep 4 | openssl s_server -accept \$P $S -tls1_3 -Verify 1" \
	"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_3 -keylogfile \$K -quiet"

# HelloRetryRequest: the client's first key share (P-256) is not the server's group (X25519)
capture openssl-tls13-hello-retry-request tcp \
	"sleep 4 | openssl s_server -accept \$P $S -tls1_3 -groups X25519" \
	"$IN | openssl s_client -connect 127.0.0.1:\$P -tls1_3 -groups P-256:X25519 -keylogfile \$K -quiet"
# KeyUpdate: s_client's "K" command (update and request the peer's), then more data
capture openssl-tls13-key-update tcp \
	"sleep 4 | openssl s_server -accept \$P $S -tls1_3" \
	"(echo hello; sleep 0.4; echo K; sleep 0.4; echo after; sleep 0.5) | openssl s_client -connect 127.0.0.1:\$P -tls1_3 -keylogfile \$K"

# ---- GnuTLS
G="--x509certfile $TMP/cert.pem --x509keyfile $TMP/key.pem --echo -q"
for pr in "tls13-aes-128-gcm:+VERS-TLS1.3:+AES-128-GCM" "tls13-chacha20:+VERS-TLS1.3:+CHACHA20-POLY1305" \
	"tls13-aes-128-ccm:+VERS-TLS1.3:+AES-128-CCM" "tls12-aes-256-gcm:+VERS-TLS1.2:+AES-256-GCM" \
	"tls12-chacha20:+VERS-TLS1.2:+CHACHA20-POLY1305" "tls12-aes-128-cbc-sha1:+VERS-TLS1.2:+AES-128-CBC:+SHA1" \
	"tls12-aes-128-ccm:+VERS-TLS1.2:+AES-128-CCM"; do
	n=${pr%%:*}
	pri="NORMAL:-VERS-ALL:-CIPHER-ALL:${pr#*:}"
	capture "gnutls-$n" tcp \
		"gnutls-serv -p \$P $G --priority '$pri'" \
		"$IN | SSLKEYLOGFILE=\$K gnutls-cli --insecure -p \$P --priority '$pri' 127.0.0.1"
done
# the GnuTLS client does not trust the server's certificate
capture gnutls-tls13-untrusted-certificate tcp \
	"gnutls-serv -p \$P $G" \
	"$IN | SSLKEYLOGFILE=\$K gnutls-cli --x509cafile $TMP/other-ca.pem -p \$P 127.0.0.1"

# ---- Go crypto/tls
capture go-tls13 tcp \
	"SSLKEYLOGFILE=\$K.s $TMP/gen server 127.0.0.1:\$P $TMP/cert.pem $TMP/key.pem tls13" \
	"SSLKEYLOGFILE=\$K $TMP/gen client 127.0.0.1:\$P tls13"
for s in 0xc02f 0xc030 0xcca8 0xc013 0xc027; do
	capture "go-tls12-$s" tcp \
		"$TMP/gen server 127.0.0.1:\$P $TMP/cert.pem $TMP/key.pem tls12 $s" \
		"SSLKEYLOGFILE=\$K $TMP/gen client 127.0.0.1:\$P tls12 $s"
done
capture go-tls13-client-rejects-self-signed tcp \
	"$TMP/gen server 127.0.0.1:\$P $TMP/cert.pem $TMP/key.pem tls13" \
	"SSLKEYLOGFILE=\$K $TMP/gen client 127.0.0.1:\$P tls13 - verify"
rm -f "$OUT"/*.keylog.s
