#!/usr/bin/env bash
# `tlsalert probe` against real servers it starts itself on loopback (127.0.0.1 and
# ::1, each on a free port, each stopped by `timeout` whatever happens): for each
# server configuration, the outcome of chosen probes is asserted -- the alert the
# server sends (its code), or ok with the version it chose.  Every server is
# `openssl s_server` (OpenSSL 3), `gnutls-serv`, nginx (unprivileged, its own prefix) or a Go
# crypto/tls server (tests/scripts/lib/probe_server.go); a stack that is not installed is skipped and
# counted.  A WANT may name the first cause too ("40/version-mismatch").  Also: the bad targets of issue 14 (a list, a CIDR block, an
# unresolvable name, a closed port) exit 2 with a message, before any probe.
# tier: full (starts a dozen servers, about 25 s)
set -u
cd "$(dirname "$0")/../.."
. tests/scripts/lib/decode_as.bash
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v openssl >/dev/null || { echo "openssl not found"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail=0
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1 ||
	{ echo "cannot make a certificate"; exit 2; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# server ADDR:PORT ARGS...: starts s_server there (at most 60 s) and waits until it listens
server() {
	local at=$1
	shift
	timeout 60 openssl s_server -accept "$at" -cert "$tmp/c.pem" -key "$tmp/k.pem" -www -quiet \
		"$@" >"$tmp/server.log" 2>&1 &
	pids+=($!)
	listening "$at" "s_server $*"
}

# listening ADDR:PORT WHAT: waits up to 5 s for a server there
listening() {
	local at=$1 i
	for ((i = 0; i < 100; i++)); do
		python3 - "$at" <<'PY' && return 0
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
host = host.strip("[]")
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
s.settimeout(0.2)
sys.exit(0 if s.connect_ex((host, int(port))) == 0 else 1)
PY
		sleep 0.05
	done
	echo "FAIL: $2 did not listen on $at"
	fail=1
	return 1
}

# expect TARGET "PROBE=WANT ..." [probe options]: WANT is an alert code, or ok:VERSION (TLS1.3)
expect() {
	local target=$1 wants=$2
	shift 2
	local names
	names=$(printf '%s\n' $wants | cut -d= -f1 | paste -sd, -)
	"$TLSALERT" probe --json --delay 0 --timeout 5 --seed 1 --probes "$names" "$@" "$target" \
		>"$tmp/out.json" 2>"$tmp/err"
	python3 - "$tmp/out.json" "$target" $wants <<'PY' || fail=1
import json, sys
got = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("type") == "probe":
        got[o["probe"]] = "ok:" + o["version"].replace(" ", "") if o["outcome"] == "ok" else \
            str(o["code"]) if o["outcome"] == "alert" else o["outcome"]
        if o["outcome"] == "alert" and o["causes"]:
            got[o["probe"] + "/"] = got[o["probe"]] + "/" + o["causes"][0]["id"]
bad = 0
for w in sys.argv[3:]:
    name, want = w.split("=", 1)
    if "/" in want:
        name += "/"
    if got.get(name) != want:
        print("FAIL: probe %s %s: got %s, want %s" % (sys.argv[2], name, got.get(name), want))
        bad = 1
    else:
        print("ok: probe %s %s = %s" % (sys.argv[2], name, want))
sys.exit(bad)
PY
}

p=$(free_port)
server "127.0.0.1:$p" && expect "localhost:$p" \
	"baseline=ok:TLS1.3 tls1.2-only=ok:TLS1.2 fallback-scsv=86 bad-key-share=47 \
	 truncated-extensions=50 duplicate-extension=47 sig-ecdsa=40 group-p384=ok:TLS1.3"
p=$(free_port)
server "127.0.0.1:$p" -Verify 1 && expect "localhost:$p" \
	"client-cert-none-1.3=116/client-cert-missing client-cert-none-1.2=40/client-cert-missing \
	 baseline=ok:TLS1.3"
p=$(free_port)
server "127.0.0.1:$p" && expect "localhost:$p" \
	"renegotiation=100/renegotiation-refused verify=ok:TLS1.3 client-cert-none-1.3=ok:TLS1.3" \
	--ca "$tmp/c.pem"
"$TLSALERT" probe --json --delay 0 --probes verify --ca "$tmp/c.pem" "localhost:$p" |
	grep -q '"verify_result":0,' || { echo "FAIL: verify with --ca: not verified"; fail=1; }
# without its CA the self-signed certificate is refused, and the summary names what clients send
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ok.pem" -out "$tmp/other-ca.pem" -days 2 \
	-subj /CN=other >/dev/null 2>&1
"$TLSALERT" probe --json --delay 0 --probes verify --ca "$tmp/other-ca.pem" "localhost:$p" \
	>"$tmp/v.json"
python3 - "$tmp/v.json" <<'PY' || fail=1
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
cert = objs[-1]["certificate"]
alerts = {a["stack"]: a["code"] for a in cert["client_alerts"]}
ok = (cert["verify_result"] == 18 and cert["cause"] == "untrusted-ca" and
      alerts.get("openssl") == 48 and alerts.get("go") == 42 and alerts.get("java") == 46)
print(("ok" if ok else "FAIL") + ": verify without its CA: %s, %s, %s" %
      (cert["verify_result"], cert["cause"], alerts))
sys.exit(0 if ok else 1)
PY
# --capture-out: the probe connections as a pcapng with their secrets; scan reads the same
# alerts (certificate_required only with the Decryption Secrets Block), and so does tshark
p=$(free_port)
server "127.0.0.1:$p" -Verify 1 -alpn h2 &&
	"$TLSALERT" probe --json --delay 0 --capture-out "$tmp/ev.pcapng" --keylog-out "$tmp/ev.keys" \
		--probes baseline,alpn-http1.1,client-cert-none-1.3,bad-key-share "localhost:$p" \
		>"$tmp/ev.json" &&
	"$TLSALERT" scan --json "$tmp/ev.pcapng" >"$tmp/ev-scan.json"
python3 - "$tmp/ev.json" "$tmp/ev-scan.json" <<'PY' || fail=1
import json, sys
probed = sorted(o["code"] for o in map(json.loads, open(sys.argv[1])) if o.get("outcome") == "alert")
scanned = sorted(o["code"] for o in map(json.loads, open(sys.argv[2])) if o.get("code") not in (None, 0))
ok = probed == scanned == [47, 116, 120]
print(("ok" if ok else "FAIL") + ": --capture-out: probe %s, scan %s" % (probed, scanned))
sys.exit(0 if ok else 1)
PY
grep -q '"verdict":"[^"]*requires a client certificate (certificate_required without one)' \
	"$tmp/ev.json" && echo "ok: the verdict names the client certificate requirement" ||
	{ echo "FAIL: verdict: $(grep -o '"verdict":"[^"]*"' "$tmp/ev.json")"; fail=1; }
grep -q "^SERVER_HANDSHAKE_TRAFFIC_SECRET " "$tmp/ev.keys" ||
	{ echo "FAIL: --keylog-out has no handshake secret"; fail=1; }
if command -v tshark >/dev/null; then
	got=$(tshark -r "$tmp/ev.pcapng" $(decode_as "$tmp/ev.pcapng" tcp tls) -Y tls.alert_message \
		-T fields -e tls.alert_message.desc \
		2>/dev/null | sort -n | paste -sd, -)
	[ "$got" = "47,116,120" ] && echo "ok: tshark reads the same alerts" ||
		{ echo "FAIL: tshark reads '$got' in --capture-out"; fail=1; }
fi

# a captured client replayed: a TLS 1.2-only client against a TLS 1.3-only server, as captured
p=$(free_port)
server "127.0.0.1:$p" -tls1_3 && expect "localhost:$p" "replay=70 baseline=ok:TLS1.3" \
	--hello-from tests/data/scenarios/version-openssl-server-tls12.pcap
# verdict_has TEXT: the summary of the last expect() says TEXT
verdict_has() {
	if grep -q "\"verdict\":\"[^\"]*$1" "$tmp/out.json"; then
		echo "ok: verdict says: $1"
	else
		echo "FAIL: verdict lacks '$1': $(grep -o '"verdict":"[^"]*"' "$tmp/out.json")"
		fail=1
	fi
}

p=$(free_port)
server "127.0.0.1:$p" -tls1_2 && expect "127.0.0.1:$p" "tls1.3-only=70 tls1.2-only=ok:TLS1.2 baseline=ok:TLS1.2" &&
	verdict_has "TLS versions 1.2"
p=$(free_port)
server "127.0.0.1:$p" -alpn h2 && expect "https://localhost:$p/" \
	"alpn-h2=ok:TLS1.3 alpn-http1.1=120 alpn-unknown=120 baseline=ok:TLS1.3" &&
	verdict_has "ALPN strictly (no_application_protocol"
p=$(free_port)
server "127.0.0.1:$p" -servername localhost -servername_fatal -cert2 "$tmp/c.pem" \
	-key2 "$tmp/k.pem" && expect "localhost:$p" "wrong-sni=112 baseline=ok:TLS1.3" &&
	verdict_has "refuses names it does not serve (unrecognized_name)"
p=$(free_port)
server "127.0.0.1:$p" -groups X25519 && expect "localhost:$p" "group-p384=40 group-x25519=ok:TLS1.3"
if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	p=$(free_port)
	server "[::1]:$p" && expect "[::1]:$p" "baseline=ok:TLS1.3"
else
	echo "skip: no ::1 on this machine"
fi

skipped=0
if command -v gnutls-serv >/dev/null; then
	p=$(free_port)
	timeout 60 gnutls-serv --x509certfile "$tmp/c.pem" --x509keyfile "$tmp/k.pem" -p "$p" \
		--priority "NORMAL:-VERS-TLS1.3" >/dev/null 2>&1 &
	pids+=($!)
	listening "127.0.0.1:$p" gnutls-serv && expect "localhost:$p" \
		"baseline=ok:TLS1.2 tls1.3-only=40/version-mismatch empty-sni=50 truncated-extensions=50"
else
	echo "skip: gnutls-serv not installed"
	skipped=$((skipped + 1))
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$NGINX" ]; then
	# nginx as an unprivileged user runs it: its own prefix, pid and log files in $tmp
	p=$(free_port)
	mkdir -p "$tmp/ngx"
	cat >"$tmp/ngx/nginx.conf" <<CONF
daemon off;
pid $tmp/ngx/nginx.pid;
error_log $tmp/ngx/error.log;
events {}
http {
	access_log off;
	client_body_temp_path $tmp/ngx/body;
	proxy_temp_path $tmp/ngx/proxy;
	fastcgi_temp_path $tmp/ngx/fastcgi;
	uwsgi_temp_path $tmp/ngx/uwsgi;
	scgi_temp_path $tmp/ngx/scgi;
	server {
		listen 127.0.0.1:$p ssl http2;
		ssl_certificate $tmp/c.pem;
		ssl_certificate_key $tmp/k.pem;
		ssl_protocols TLSv1.2;
	}
}
CONF
	timeout 60 "$NGINX" -p "$tmp/ngx" -c "$tmp/ngx/nginx.conf" -e "$tmp/ngx/error.log" \
		>/dev/null 2>&1 &
	pids+=($!)
	listening "127.0.0.1:$p" nginx && expect "localhost:$p" \
		"baseline=ok:TLS1.2 tls1.3-only=70/version-mismatch alpn-unknown=120/alpn-mismatch"
else
	echo "skip: nginx not installed"
	skipped=$((skipped + 1))
fi
if command -v go >/dev/null; then
	(cd tests/scripts/lib && go build -o "$tmp/probe_server" probe_server.go) ||
		{ echo "FAIL: cannot build the Go server"; fail=1; }
	for mode in "tls13 tls1.2-only=70/version-mismatch baseline=ok:TLS1.3" \
		"alpn-h2 alpn-unknown=120/alpn-mismatch alpn-h2=ok:TLS1.3" \
		"x25519 group-p384=40/no-shared-group group-x25519=ok:TLS1.3"; do
		set -- $mode
		p=$(free_port)
		"$tmp/probe_server" "$p" "$tmp/c.pem" "$tmp/k.pem" "$1" >/dev/null 2>&1 &
		pids+=($!)
		m=$1
		shift
		listening "127.0.0.1:$p" "Go server $m" && expect "localhost:$p" "baseline=ok:TLS1.3 $*"
	done
else
	echo "skip: go not installed"
	skipped=$((skipped + 1))
fi

# a hello's ALPN choice read from TLS 1.3 EncryptedExtensions proves the probe's own key schedule
p=$(free_port)
server "127.0.0.1:$p" -alpn h2 &&
	"$TLSALERT" probe --json --delay 0 --probes alpn-h2 "localhost:$p" | grep -q '"alpn":"h2"' ||
	{ echo "FAIL: ALPN h2 not read from the encrypted extensions"; fail=1; }

# --client-cert: a server that requires a certificate from its CA accepts the one given
p=$(free_port)
server "127.0.0.1:$p" -Verify 1 -verifyCAfile "$tmp/c.pem" &&
	expect "localhost:$p" "verify=116/client-cert-missing" &&
	expect "localhost:$p" "verify=ok:TLS1.3" --client-cert "$tmp/c.pem" --key "$tmp/k.pem" \
		--ca "$tmp/c.pem"

# --as: a common client's captured hello against a TLS 1.3 server that allows only AES-CCM,
# which none of these clients offers
p=$(free_port)
server "127.0.0.1:$p" -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 &&
	expect "localhost:$p" "as-go=40/no-shared-cipher" --as go &&
	expect "localhost:$p" "as-java=40" --as java

# STARTTLS: each protocol's plain-text part (tests/scripts/lib/starttls_server.py), then TLS
for proto in smtp imap pop3 ftp postgres ldap xmpp mysql; do
	p=$(free_port)
	timeout 40 python3 tests/scripts/lib/starttls_server.py "$proto" "$p" "$tmp/c.pem" \
		"$tmp/k.pem" >/dev/null 2>&1 &
	pids+=($!)
	listening "127.0.0.1:$p" "starttls_server $proto" &&
		expect "$proto://localhost:$p" "baseline=ok:TLS1.3"
done

# --seed: the same hellos, so the same output, run after run (text: no timings in it)
p=$(free_port)
server "127.0.0.1:$p" -alpn h2 && {
	"$TLSALERT" probe --delay 0 --seed 7 "localhost:$p" >"$tmp/s1.txt" 2>&1
	"$TLSALERT" probe --delay 0 --seed 7 "localhost:$p" >"$tmp/s2.txt" 2>&1
	if cmp -s "$tmp/s1.txt" "$tmp/s2.txt" && [ "$(wc -l <"$tmp/s1.txt")" -gt 60 ]; then
		echo "ok: --seed gives the same output twice"
	else
		echo "FAIL: --seed: two runs differ"
		diff "$tmp/s1.txt" "$tmp/s2.txt" | head -5
		fail=1
	fi
}

# --budget: no connection starts once it is spent (3 probes 700 ms apart, 1 s budget)
p=$(free_port)
server "127.0.0.1:$p" &&
	"$TLSALERT" probe --json --delay 700 --budget 1 --probes baseline,no-sni,no-alpn \
		"localhost:$p" >"$tmp/b.json" 2>"$tmp/b.err"
n=$(grep -c '"type":"probe"' "$tmp/b.json")
if [ "$n" = 2 ] && grep -q "budget of 1 s is spent: 1 probe not run" "$tmp/b.err"; then
	echo "ok: --budget stops after 2 probes"
else
	echo "FAIL: --budget: $n probes, stderr: $(cat "$tmp/b.err")"
	fail=1
fi

# bad targets: exit 2 and a message, nothing probed
closed=$(free_port)
for t in "10.0.0.0/8" "a,b" "host name" "nonexistent.invalid" "127.0.0.1:$closed" \
	"gopher://x" "[::1"; do
	"$TLSALERT" probe --delay 0 --probes baseline "$t" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	if [ "$rc" != 2 ] || [ ! -s "$tmp/e" ]; then
		echo "FAIL: probe '$t': exit $rc, stderr: $(cat "$tmp/e")"
		fail=1
	else
		echo "ok: probe '$t' refused: $(head -1 "$tmp/e")"
	fi
done
[ "$fail" = 0 ] && [ "$skipped" -gt 0 ] && exit 77
exit $fail
