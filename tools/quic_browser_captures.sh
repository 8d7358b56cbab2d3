#!/usr/bin/env bash
# Makes the browser captures of tests/data/quic/chromium-*: Chromium (Debian package
# chromium, headless) fetching a page over HTTP/3 from ngtcp2's example server
# (gtlsserver) on the loopback interface, captured by tcpdump, with Chromium's key log
# (--ssl-key-log-file) put into the capture as a pcapng Decryption Secrets Block (editcap
# --inject-secrets), as a browser user hands one over:
#
#   chromium-cert-rejected.pcapng  the server's self-signed certificate is not trusted:
#                                  Chromium closes with CRYPTO_ERROR 0x12e
#                                  (certificate_unknown) in a Handshake packet, its
#                                  reason naming CERTIFICATE_VERIFY_FAILED
#   chromium-ok.pcapng             the same certificate pinned by its SPKI hash
#                                  (--ignore-certificate-errors-spki-list): the page
#                                  loads, the client closes with NO_ERROR; no alert
#   chromium-noanswer.pcap         nothing listens on the port: Chromium's first Initials
#                                  (its ClientHello spans two of them) get no answer
#
# Usage: tools/quic_browser_captures.sh DIR    (needs chromium, gtlsserver, tcpdump,
# editcap, openssl; run as a user that may capture on lo).  The captures are small
# (a few KB) and shipped; tests/scripts/quic_browser.sh and the golden scan-quic-chromium
# read them.  Nothing here runs in `make check`: Chromium is a 300 MB install.
set -u
out=${1:?usage: tools/quic_browser_captures.sh DIR}
mkdir -p "$out" && out=$(cd "$out" && pwd)
for tool in chromium gtlsserver tcpdump editcap openssl; do
	command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 2; }
done
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 2
mkdir htdocs && echo hello >htdocs/index.html
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
	-out cert.pem -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	>/dev/null 2>&1 || { echo "openssl req failed" >&2; exit 2; }
spki=$(openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der |
	openssl dgst -sha256 -binary | base64)

# one NAME PORT SERVE [CHROMIUM OPTIONS...]: one page load under tcpdump
one() {
	local name=$1 port=$2 serve=$3 i
	shift 3
	if [ "$serve" = yes ]; then
		timeout 60 gtlsserver -q -d htdocs 127.0.0.1 "$port" key.pem cert.pem \
			>"$name.srv" 2>&1 &
		pids+=($!)
	fi
	timeout 60 tcpdump -i lo -U -w "$name.pcap" "udp port $port" >"$name.td" 2>&1 &
	local td=$!
	pids+=($td)
	for ((i = 0; i < 50; i++)); do
		grep -qs "listening on" "$name.td" && break
		sleep 0.1
	done
	timeout 30 chromium --headless=new --no-sandbox --disable-gpu \
		--user-data-dir="$tmp/profile-$name" --ssl-key-log-file="$tmp/$name.keys" \
		--host-resolver-rules="MAP localhost 127.0.0.1" --enable-quic \
		--origin-to-force-quic-on="localhost:$port" "$@" \
		--dump-dom "https://localhost:$port/index.html" >"$name.dom" 2>"$name.err"
	sleep 1
	kill "$td" 2>/dev/null
	wait "$td" 2>/dev/null
}

base=$((40000 + RANDOM % 20000))
one cert-rejected "$base" yes
one ok $((base + 1)) yes --ignore-certificate-errors-spki-list="$spki"
one noanswer $((base + 2)) no
grep -q hello ok.dom || { echo "the pinned page did not load: $(tail -1 ok.err)" >&2; exit 1; }
for n in cert-rejected ok; do
	[ -s "$n.keys" ] || { echo "chromium wrote no key log for $n" >&2; exit 1; }
	editcap --inject-secrets "tls,$n.keys" "$n.pcap" "$out/chromium-$n.pcapng" || exit 1
done
cp noanswer.pcap "$out/chromium-noanswer.pcap"
ls -l "$out"/chromium-*
