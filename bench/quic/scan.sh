#!/usr/bin/env bash
# QUIC in `scan` against tshark (docs/PERFORMANCE.md, "QUIC in scan"): builds the
# QUIC-heavy capture of gen_scan.py (COPIES copies of tests/data/quic/, with the key
# log), then times on that same file, in one run: tlsalert scan --json with and
# without the key log, and tshark with the same keys; then the peak RSS of scan on a
# capture of RSS_COPIES copies.  Best of REPS runs each (user+sys CPU and wall time
# apart; peak RSS the largest seen); ratios are tshark's figure over tlsalert's.
#
#   bench/quic/scan.sh
# Environment:
#   COPIES=1000  RSS_COPIES=2000  REPS=5  SLOW_REPS=3 (tshark)
#   BUILD=build (tlsalert is $BUILD/tlsalert, or set TLSALERT)
#   BEFORE=/path/to/an/older/tlsalert: its rows too, runs interleaved with the new one's
# Needs python3 and /usr/bin/time; tshark is skipped when missing.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
BUILD=${BUILD:-build}
T=${TLSALERT:-$ROOT/$BUILD/tlsalert}
COPIES=${COPIES:-1000}
RSS_COPIES=${RSS_COPIES:-2000}
REPS=${REPS:-5}
SLOW_REPS=${SLOW_REPS:-3}
BEFORE=${BEFORE:-}
[ -x "$T" ] || { echo "bench/quic/scan.sh: no $T (make first)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/quic/scan.sh: needs /usr/bin/time" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export LC_ALL=C
unset SSLKEYLOGFILE

F=$TMP/q.pcap
K=$TMP/q.keys
python3 bench/quic/gen_scan.py "$F" "$K" "$COPIES" || exit 2
cat "$F" >/dev/null # page cache

# run NAME REPS CMD...: best user+sys, best wall, largest peak RSS, output lines
declare -A CPU WALL RSS LINES
run() {
	local name=$1 reps=$2 i u s e m c
	shift 2
	for ((i = 0; i < reps; i++)); do
		/usr/bin/time -f "%U %S %e %M" -o "$TMP/t" "$@" >"$TMP/out" 2>/dev/null
		read -r u s e m <"$TMP/t"
		c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
		if [ -z "${CPU[$name]:-}" ] || awk -v a="$c" -v b="${CPU[$name]}" 'BEGIN { exit !(a < b) }'; then
			CPU[$name]=$c
		fi
		if [ -z "${WALL[$name]:-}" ] || awk -v a="$e" -v b="${WALL[$name]}" 'BEGIN { exit !(a < b) }'; then
			WALL[$name]=$e
		fi
		if [ -z "${RSS[$name]:-}" ] || [ "$m" -gt "${RSS[$name]}" ]; then
			RSS[$name]=$m
		fi
	done
	LINES[$name]=$(wc -l <"$TMP/out")
}

rows=()
for ((r = 0; r < REPS; r++)); do # interleaved, one run each per round
	run "scan --json --keylog" 1 "$T" scan --json --keylog "$K" "$F"
	run "scan --json (no keys)" 1 "$T" scan --json "$F"
	if [ -n "$BEFORE" ]; then
		run "before: scan --json --keylog" 1 "$BEFORE" scan --json --keylog "$K" "$F"
		run "before: scan --json (no keys)" 1 "$BEFORE" scan --json "$F"
	fi
done
rows+=("scan --json --keylog" "scan --json (no keys)")
[ -n "$BEFORE" ] && rows+=("before: scan --json --keylog" "before: scan --json (no keys)")
TS="tshark -Y quic.cc.error_code.tls_alert (same keys)"
if command -v tshark >/dev/null; then
	run "$TS" "$SLOW_REPS" tshark -r "$F" -o "tls.keylog_file:$K" -Y quic.cc.error_code.tls_alert \
		-T fields -e frame.number -e quic.cc.error_code.tls_alert
	rows+=("$TS")
fi

echo "QUIC bench capture: $COPIES copies, $(stat -c %s "$F") bytes; best of $REPS (tshark $SLOW_REPS)"
printf '%-52s %9s %8s %10s %7s %11s %10s\n' command "CPU (s)" "wall (s)" "peak RSS" lines "tshark/CPU" "tshark/wall"
for n in "${rows[@]}"; do
	rc="" rw=""
	if [ -n "${CPU[$TS]:-}" ] && [ "$n" != "$TS" ]; then
		rc=$(awk -v a="${CPU[$TS]}" -v b="${CPU[$n]}" 'BEGIN { if (b > 0) printf "%.1fx", a / b }')
		rw=$(awk -v a="${WALL[$TS]}" -v b="${WALL[$n]}" 'BEGIN { if (b > 0) printf "%.1fx", a / b }')
	fi
	printf '%-52s %9s %8s %7.1f MB %7s %11s %10s\n' "$n" "${CPU[$n]}" "${WALL[$n]}" \
		"$(awk -v m="${RSS[$n]}" 'BEGIN { print m / 1024 }')" "${LINES[$n]}" "$rc" "$rw"
done

rm -f "$F" "$K"
python3 bench/quic/gen_scan.py "$F" "$K" "$RSS_COPIES" || exit 2
unset 'RSS[rss]'
run rss 3 "$T" scan --json --keylog "$K" "$F"
printf '%s copies (%s bytes): scan --json --keylog peak RSS %.1f MB (CPU %s s)\n' "$RSS_COPIES" \
	"$(stat -c %s "$F")" "$(awk -v m="${RSS[rss]}" 'BEGIN { print m / 1024 }')" "${CPU[rss]}"
if [ -n "$BEFORE" ]; then
	run rss_before 3 "$BEFORE" scan --json --keylog "$K" "$F"
	printf '%s copies, before: peak RSS %.1f MB (CPU %s s)\n' "$RSS_COPIES" \
		"$(awk -v m="${RSS[rss_before]}" 'BEGIN { print m / 1024 }')" "${CPU[rss_before]}"
fi
