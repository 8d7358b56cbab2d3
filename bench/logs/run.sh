#!/usr/bin/env bash
# Benchmark: `tlsalert logs` against `grep -c -i alert` on the same 1 GB log, file in
# page cache, single-threaded, in the same run.
#
#   bench/logs/run.sh [SIZE_MB [ALERT_PER_MILLE]]     (defaults: 1000 MB, 2 per mille)
#
# The log is generated once (bench/logs/gen_log.py, fixed seed) into bench/out/logs-bench/.
# Each command runs 5 times after a warm-up read; the best wall time counts.  Prints a
# table: seconds, GB/s, peak resident size, and the ratio grep/tlsalert (> 1 means
# tlsalert is faster).  Results: docs/perf/logs.md.
set -u
cd "$(dirname "$0")/../.."
size=${1:-1000}
per_mille=${2:-2}
BUILD=${BUILD:-build}
bin=$PWD/$BUILD/tlsalert
out=bench/out/logs-bench
mkdir -p "$out"
log=$out/web-${size}m-${per_mille}.log
[ -x "$bin" ] || { echo "no $bin: make BUILD=$BUILD first" >&2; exit 2; }
if [ ! -s "$log" ]; then
	python3 bench/logs/gen_log.py "$log" "$size" "$per_mille" || exit 2
fi
bytes=$(stat -c %s "$log")
cat "$log" >/dev/null

# best wall time over 5 runs of "$@": "WALL CPU RSS" (CPU = user + sys of that run).
# Output goes to a file: GNU grep stops at the first match when stdout is /dev/null.
best() {
	local b="" c="" r="" t u m
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" >"$out/stdout.txt" 2>"$out/stderr.txt"
		set -- "$@"
		read -r t u m rss <<<"$(tail -1 "$out/time.txt")"
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then
			b=$t
			c=$(awk -v u="$u" -v s="$m" 'BEGIN { printf "%.2f", u + s }')
			r=$rss
		fi
	done
	echo "$b $c $r"
}

row() {
	local name=$1 res
	shift
	res=$(best "$@")
	set -- $res
	awk -v n="$name" -v t="$1" -v c="$2" -v m="$3" -v by="$bytes" \
		'BEGIN { printf "%-30s %6.2f s wall %6.2f GB/s   %6.2f s cpu %6.2f GB/s   %7d KiB\n", n, t,
			(t > 0 ? by / t / 1e9 : 0), c, (c > 0 ? by / c / 1e9 : 0), m }'
	echo "$1 $2" >"$out/t-${name// /_}"
}

echo "file: $log ($bytes bytes, $(grep -c '' "$log") lines), $(nproc) cores, $(date -u +%FT%TZ)"
echo "alert lines reported: $("$bin" logs --summary --json "$log" | python3 -c 'import json,sys; print(sum(json.loads(l)["count"] for l in sys.stdin))')"
echo "lines grep -c -i alert counts: $(LC_ALL=C grep -c -i alert "$log")"
row "tlsalert logs --summary" "$bin" logs --summary "$log"
row "tlsalert logs (text)" "$bin" logs --color=never "$log"
row "tlsalert logs --json" "$bin" logs --json "$log"
row "grep -c -i alert (LC_ALL=C)" env LC_ALL=C grep -c -i alert "$log"
row "grep -c -i alert (C.UTF-8)" env LC_ALL=C.UTF-8 grep -c -i alert "$log"
row "cat" cat "$log"
read -r ts tsc <"$out/t-tlsalert_logs_--summary"
read -r tj tjc <"$out/t-tlsalert_logs_--json"
read -r tg tgc <"$out/t-grep_-c_-i_alert_(LC_ALL=C)"
read -r tu tuc <"$out/t-grep_-c_-i_alert_(C.UTF-8)"
awk -v a="$ts" -v ac="$tsc" -v j="$tj" -v g="$tg" -v gc="$tgc" -v u="$tu" 'BEGIN {
	printf "speed ratio, time(grep) / time(tlsalert):\n"
	printf "  grep LC_ALL=C vs tlsalert --summary: wall %.2f, cpu %.2f\n", g / a, gc / ac
	printf "  grep LC_ALL=C vs tlsalert --json:    wall %.2f\n", g / j
	printf "  grep C.UTF-8  vs tlsalert --summary: wall %.2f\n", u / a }'
