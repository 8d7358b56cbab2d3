#!/usr/bin/env bash
# `tlsalert serve`: N sequential handshakes with an alert on loopback (issue 15: 1,000 in
# <= 10 s, memory flat over the run).  One serve process (--count N) and one Go crypto/tls
# client process that connects N times in a row (tests/scripts/lib/alert_client.go), so the
# time is serve's and the handshakes', not process start-ups.  Prints the wall time, serve's
# user+sys CPU and peak RSS (/usr/bin/time -v), and serve's RSS sampled every N/10
# connections: flat means the last sample is within a few hundred KB of the first.
# Usage: bench/serve/run.sh [N] [STEP] [TLS]    (default 1000 server_hello 1.3)
set -eu
cd "$(dirname "$0")/../.."
bin=${TLSALERT:-$PWD/build/tlsalert}
n=${1:-1000}
step=${2:-server_hello}
ver=${3:-1.3}
[ -x "$bin" ] || make -s
command -v go >/dev/null || { echo "bench/serve: go is needed for the client"; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/serve: /usr/bin/time is needed (apt-get install time)"; exit 2; }
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
(cd tests/scripts/lib && go build -o "$tmp/client" alert_client.go)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/time -v -o "$tmp/time" "$bin" serve --listen "127.0.0.1:$port" --count "$n" --alert 40 \
	--at "$step" --tls "$ver" --timeout 2 --idle 60 --json >"$tmp/out" 2>"$tmp/err" &
spid=$!
for ((i = 0; i < 400; i++)); do
	grep -qs "listening on" "$tmp/err" && break
	sleep 0.025
done
grep -qs "listening on" "$tmp/err" || { echo "serve did not start: $(cat "$tmp/err")"; exit 2; }
# the serve process itself (time's child), for its RSS during the run
tpid=$(pgrep -P "$spid" | head -1)
start=$(date +%s.%N)
python3 - "$tmp/client" "$port" "$n" "${tpid:-$spid}" "$ver" <<'PY'
import subprocess, sys
client, port, n, pid, ver = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
def rss():
    try:
        for line in open("/proc/%s/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
p = subprocess.Popen([client, "-n", str(n), "-tls", ver, "-timeout", "5", "127.0.0.1:" + port],
                     stdout=subprocess.PIPE, text=True)
samples, lines, alerts = [], 0, 0
for line in p.stdout:
    lines += 1
    alerts += "remote error: tls: handshake failure" in line
    if lines % max(1, n // 10) == 0 and lines < n:
        samples.append((lines, rss()))
p.wait()
print("client: %d connections, %d reported the alert (handshake failure)" % (lines, alerts))
print("serve RSS (KB) after k connections: " +
      ", ".join("%d: %s" % s for s in samples))
PY
wait "$spid" || true
spid=
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "%d handshakes with an alert: %.2f s wall (%.2f ms each)\n", n, e - s, (e - s) * 1000 / n }'
awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { m = $2 }
	END { printf "serve: %.2f s user+sys CPU, peak RSS %d KB\n", u + s, m }' "$tmp/time"
grep -c '"alert_sent":true' "$tmp/out" | sed 's/^/serve: alert sent on /; s/$/ connections/'
