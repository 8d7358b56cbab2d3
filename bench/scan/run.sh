#!/usr/bin/env bash
# Scan benchmark (bench/scan/README.md): builds the 1 GB capture from the
# bench templates, puts it in page cache, then times in one run, on that same
# file: tlsalert scan (JSON and text), ssldump, tshark and cat, with peak RSS.
#
#   bench/scan/run.sh [MODE...]      MODE: plain parts keylog overhead sanity selftest all
#                                    (default: plain parts)
#   overhead: BEFORE=/path/to/an/older/tlsalert: `scan --json` of both binaries, runs
#             interleaved, best of REPS each (is scan without --keylog any slower?)
# Environment:
#   BUILD=build-x       tlsalert is $BUILD/tlsalert (default build/), or set TLSALERT
#   SIZE=1e9            capture size in bytes      SEED=20261127   generator seed
#   PARTS=$(nproc)      files for the "parts" mode REPS=3          runs per fast command
#   SLOW_REPS=1         runs per tshark command    SHARED=../shared  shared material
# Results: a table on stdout, bench/out/scan-results.tsv, tool logs in bench/out/logs/.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
OUT=$ROOT/bench/out
BUILD=${BUILD:-build}
T=${TLSALERT:-$ROOT/$BUILD/tlsalert}
SHARED=${SHARED:-$ROOT/../shared}
TEMPLATES=${TEMPLATES:-$SHARED/bench-templates}
SIZE=${SIZE:-1e9}
SEED=${SEED:-20261127}
PARTS=${PARTS:-$(nproc)}
REPS=${REPS:-3}
SLOW_REPS=${SLOW_REPS:-1}
LOGS=$OUT/logs
RES=$OUT/scan-results.tsv
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT" "$LOGS"
# One run at a time: runs share bench/out/ and would skew each other's timings.
exec 9>"$OUT/.scan-run.lock"
if ! flock -n 9; then
	echo "bench/scan/run.sh: another run holds $OUT/.scan-run.lock; waiting for it ..." >&2
	flock 9
fi
rm -f "$LOGS"/*.stderr
export LC_ALL=C
# scan reads the key log named by SSLKEYLOGFILE when there is no --keylog: the
# plain runs must not decrypt.
unset SSLKEYLOGFILE

modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(plain parts)
want() {
	local m
	for m in "${modes[@]}"; do
		[ "$m" = "$1" ] || [ "$m" = all ] && return 0
	done
	return 1
}
for m in "${modes[@]}"; do
	case "$m" in plain | parts | keylog | overhead | sanity | selftest | all) ;;
	*) echo "bench/scan/run.sh: unknown mode '$m' (plain parts keylog overhead sanity selftest all)" >&2
	   exit 2 ;;
	esac
done
note() { printf '%s\n' "$*"; }

# ---- dependencies --------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		note "installing GNU time (peak RSS) ..."
		apt-get install -y time >"$LOGS/apt-time.log" 2>&1 || { apt-get update >/dev/null 2>&1 &&
			apt-get install -y time >>"$LOGS/apt-time.log" 2>&1; }
	fi
	[ -x /usr/bin/time ] || { echo "bench/scan: needs /usr/bin/time (Debian package 'time')" >&2; exit 2; }
fi
for tool in cc awk; do
	command -v $tool >/dev/null || { echo "bench/scan: needs $tool" >&2; exit 2; }
done
have() { command -v "$1" >/dev/null; }
[ -d "$TEMPLATES" ] || { echo "bench/scan: no templates in $TEMPLATES (set SHARED or TEMPLATES)" >&2; exit 2; }

# ---- generator and capture -----------------------------------------------
GEN=$OUT/gen
if [ ! -x "$GEN" ] || [ bench/scan/gen.c -nt "$GEN" ]; then
	cc -std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
		-Wvla -Wformat=2 -Wcast-align -Wwrite-strings -o "$GEN" bench/scan/gen.c -lm || exit 2
fi
F=$OUT/scan.pcap
K=$OUT/scan.keylog
MAN=$OUT/scan.manifest.tsv
PART_PAT=$OUT/scan-part%d.pcap
stamp="size=$SIZE seed=$SEED gen=$(sha256sum <bench/scan/gen.c | cut -c1-16) tpl=$(cat "$TEMPLATES"/*.pcap | sha256sum | cut -c1-16)"
if [ ! -f "$F" ] || [ "$(cat "$F.stamp" 2>/dev/null)" != "$stamp" ]; then
	note "generating $F ($SIZE bytes, seed $SEED) ..."
	t0=$(date +%s%N)
	"$GEN" -t "$TEMPLATES" -o "$F" -k "$K" -m "$MAN" -b "$SIZE" -s "$SEED" || exit 2
	t1=$(date +%s%N)
	note "  generated in $(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.2f", d/1e9}') s"
	echo "$stamp" >"$F.stamp"
fi
parts_files=()
for ((i = 1; i <= PARTS; i++)); do parts_files+=("$(printf "$PART_PAT" "$i")"); done
if want parts && [ "$PARTS" -gt 1 ]; then
	if [ ! -f "${parts_files[0]}" ] || [ "$(cat "$OUT/scan-parts.stamp" 2>/dev/null)" != "$stamp parts=$PARTS" ]; then
		rm -f "$OUT"/scan-part*.pcap
		note "generating $PARTS part files (same connections, split by connection) ..."
		"$GEN" -t "$TEMPLATES" -o "$PART_PAT" -n "$PARTS" -m "$OUT/scan-parts.manifest.tsv" \
			-b "$SIZE" -s "$SEED" || exit 2
		echo "$stamp parts=$PARTS" >"$OUT/scan-parts.stamp"
	fi
fi
BYTES=$(stat -c %s "$F")

# Per-template alert counts (tshark, small files), cached: expected figures
# for the big file = copies x counts.
CNT=$OUT/template-counts.tsv
tstamp="$(cat "$TEMPLATES"/* | sha256sum | cut -c1-16)"
if have tshark && [ "$(head -1 "$CNT" 2>/dev/null)" != "# $tstamp" ]; then
	note "counting alerts in each template with tshark ..."
	{
		echo "# $tstamp"
		for p in "$TEMPLATES"/*.pcap; do
			b=$(basename "$p" .pcap)
			ko=()
			[ -f "$TEMPLATES/$b.keylog" ] && ko=(-o "tls.keylog_file:$TEMPLATES/$b.keylog")
			v=$(tshark -r "$p" -Y 'tls.record.content_type==21' 2>/dev/null | wc -l)
			a=$(tshark -r "$p" "${ko[@]}" -T fields -e tls.alert_message.desc \
				-Y tls.alert_message 2>/dev/null | tr ',' '\n' | grep -c .)
			printf '%s\t%s\t%s\n' "$b" "$v" "$a"
		done
	} >"$CNT.tmp" && mv "$CNT.tmp" "$CNT"
fi
expected() { # prints: connections packets visible_type21_packets alert_records
	awk -F'\t' 'NR==FNR { if ($1 !~ /^#/) { v[$1] = $2; a[$1] = $3 } next }
		FNR > 1 && $1 != "TOTAL" { c += $2; p += $3; ev += $2 * v[$1]; ea += $2 * a[$1] }
		END { print c, p, ev, ea }' "$CNT" "$MAN"
}
read -r E_CONN E_PKTS E_VIS E_ALERTS < <(expected)

# ---- measuring -----------------------------------------------------------
printf 'label\twall_s\tuser_s\tsys_s\tmax_rss_kb\texit\tbytes\tcommand\n' >"$TMP/results.tsv"
# measure LABEL REPS STDOUT BYTES CMD...: best (lowest) wall time of REPS runs.
measure() {
	local label=$1 reps=$2 out=$3 bytes=$4
	shift 4
	local best="" bu="" bs="" rss=0 rc=0 i
	note "  $label ..." >&2
	for ((i = 0; i < reps; i++)); do
		local t0 t1 w u s m
		t0=$(date +%s%N)
		/usr/bin/time -o "$TMP/time" -f '%U %S %M' "$@" >"$out" 2>>"$LOGS/$label.stderr"
		rc=$?
		t1=$(date +%s%N)
		w=$((t1 - t0))
		read -r u s m < <(tail -1 "$TMP/time")
		[ "$m" -gt "$rss" ] && rss=$m
		if [ -z "$best" ] || [ "$w" -lt "$best" ]; then best=$w bu=$u bs=$s; fi
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" \
		"$(awk -v d="$best" 'BEGIN{printf "%.3f", d/1e9}')" "$bu" "$bs" "$rss" "$rc" "$bytes" \
		"$*" >>"$TMP/results.tsv"
}
warm() { cat "$@" >/dev/null; cat "$@" >/dev/null; }

# Does `tlsalert scan` work?  Probe on a small real capture.
probe_scan() {
	SCAN_OK=0 SCAN_WHY=""
	if [ ! -x "$T" ]; then
		SCAN_WHY="no tlsalert binary at $T (make BUILD=$BUILD)"
		return
	fi
	"$T" scan --json "$TEMPLATES/fail-proto70.pcap" >"$TMP/probe.out" 2>"$TMP/probe.err"
	local rc=$?
	if [ $rc -le 1 ] && [ -s "$TMP/probe.out" ]; then
		SCAN_OK=1
	else
		SCAN_WHY="'tlsalert scan' does not work yet (exit $rc: $(head -1 "$TMP/probe.err"))"
	fi
}
probe_keylog() {
	KEY_OK=0 KEY_WHY=""
	[ "$SCAN_OK" = 1 ] || { KEY_WHY=$SCAN_WHY; return; }
	"$T" scan --json --keylog "$TEMPLATES/fail-certreq13.keylog" "$TEMPLATES/fail-certreq13.pcap" \
		>"$TMP/probe.out" 2>"$TMP/probe.err"
	local rc=$?
	if [ $rc -le 1 ] && grep -q '"description":116[,}]' "$TMP/probe.out"; then
		KEY_OK=1
	elif [ $rc -le 1 ]; then
		KEY_WHY="'tlsalert scan --keylog' ran but did not decrypt the certificate_required(116) alert of fail-certreq13 (no \"description\":116 line)"
	else
		KEY_WHY="'tlsalert scan --keylog' is not implemented yet (exit $rc: $(head -1 "$TMP/probe.err"))"
	fi
}
probe_scan

gb() { awk -v b="$1" 'BEGIN{printf "%.2f", b/1e9}'; }
SSL_NOTE="ssldump runs with -n: without it, it resolves every address by DNS (15 s for a 5 MB file here)"

if want plain; then
	note "plain: $F ($(gb "$BYTES") GB) — warming page cache"
	warm "$F"
	measure cat "$REPS" /dev/null "$BYTES" cat "$F"
	if [ "$SCAN_OK" = 1 ]; then
		# default: the output formatted by a second thread; -j 1: one thread
		measure tlsalert-json "$REPS" /dev/null "$BYTES" "$T" scan --json "$F"
		measure tlsalert-text "$REPS" /dev/null "$BYTES" "$T" scan "$F"
		measure tlsalert-json-1thread "$REPS" /dev/null "$BYTES" "$T" scan --json -j 1 "$F"
		measure tlsalert-text-1thread "$REPS" /dev/null "$BYTES" "$T" scan -j 1 "$F"
		"$T" scan --json "$F" >"$OUT/scan.tlsalert.jsonl" 2>>"$LOGS/tlsalert-count.stderr"
	else
		note "  tlsalert: skipped — $SCAN_WHY"
	fi
	if have ssldump; then
		measure ssldump "$REPS" /dev/null "$BYTES" ssldump -n -r "$F"
		measure ssldump-A "$REPS" /dev/null "$BYTES" ssldump -n -A -r "$F"
	else
		note "  ssldump: not installed, skipped"
	fi
	if have tshark; then
		measure tshark-type21 "$SLOW_REPS" "$OUT/scan.tshark-type21.txt" "$BYTES" \
			tshark -r "$F" -Y 'tls.record.content_type==21'
		measure tshark-alert "$SLOW_REPS" "$OUT/scan.tshark-alert.txt" "$BYTES" \
			tshark -r "$F" -Y tls.alert_message
	else
		note "  tshark: not installed, skipped"
	fi
fi

if want parts && [ "$PARTS" -gt 1 ]; then
	PBYTES=$(cat "${parts_files[@]}" | wc -c)
	note "parts: ${#parts_files[@]} files, $(gb "$PBYTES") GB — warming page cache"
	warm "${parts_files[@]}"
	measure cat-parts "$REPS" /dev/null "$PBYTES" cat "${parts_files[@]}"
	if [ "$SCAN_OK" = 1 ]; then
		if ! want plain; then
			warm "$F"
			measure tlsalert-json "$REPS" /dev/null "$BYTES" "$T" scan --json "$F"
			warm "${parts_files[@]}"
		fi
		# One thread, then the default: one thread per CPU (--jobs).
		measure tlsalert-json-parts-j1 "$REPS" /dev/null "$PBYTES" "$T" scan --json -j 1 \
			"${parts_files[@]}"
		measure tlsalert-json-parts "$REPS" /dev/null "$PBYTES" "$T" scan --json "${parts_files[@]}"
		# What all cores give when the caller runs one process per file.
		measure tlsalert-json-xargs "$REPS" /dev/null "$PBYTES" \
			bash -c 'printf "%s\n" "${@:2}" | xargs -P "$1" -n 1 "$0" scan --json' \
			"$T" "$PARTS" "${parts_files[@]}"
		"$T" scan --json "${parts_files[@]}" >"$OUT/scan-parts.tlsalert.jsonl" \
			2>>"$LOGS/tlsalert-count.stderr"
	else
		note "  tlsalert: skipped — $SCAN_WHY"
	fi
fi

if want keylog; then
	note "keylog: $F with $K — warming page cache"
	warm "$F" "$K"
	probe_keylog
	if have tshark; then
		measure tshark-keylog-alert "$SLOW_REPS" "$OUT/scan.tshark-keylog-alert.txt" "$BYTES" \
			tshark -r "$F" -o "tls.keylog_file:$K" -Y tls.alert_message
	fi
	if [ "$KEY_OK" = 1 ]; then
		measure tlsalert-keylog-json "$REPS" /dev/null "$BYTES" "$T" scan --json --keylog "$K" "$F"
		measure tlsalert-keylog-json-1thread "$REPS" /dev/null "$BYTES" "$T" scan --json -j 1 \
			--keylog "$K" "$F"
		"$T" scan --json --keylog "$K" "$F" >"$OUT/scan.tlsalert-keylog.jsonl" \
			2>>"$LOGS/tlsalert-count.stderr"
	else
		note "  tlsalert --keylog: skipped — $KEY_WHY"
	fi
fi
if want overhead; then
	if [ -n "${BEFORE:-}" ] && [ -x "$BEFORE" ] && [ "$SCAN_OK" = 1 ]; then
		note "overhead: $BEFORE against $T, scan --json, interleaved"
		warm "$F"
		for ((r = 0; r < REPS; r++)); do
			measure tlsalert-before-json-$r 1 /dev/null "$BYTES" "$BEFORE" scan --json "$F"
			measure tlsalert-after-json-$r 1 /dev/null "$BYTES" "$T" scan --json "$F"
		done
	else
		note "  overhead: skipped — set BEFORE to an executable older tlsalert"
	fi
fi
cp "$TMP/results.tsv" "$RES"

# ---- report --------------------------------------------------------------
note ""
note "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{printf "%.0f GB RAM", $2/1048576}' /proc/meminfo), kernel $(uname -r), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
note "versions: $(have tshark && tshark -v 2>/dev/null | head -1), $(have ssldump && ssldump -v 2>/dev/null | head -1) (Debian package $(dpkg-query -W -f='${Version}' ssldump 2>/dev/null)), tlsalert $("$T" --version 2>/dev/null | cut -d' ' -f2)"
note "capture: $F, $BYTES bytes, expected $E_CONN connections, $E_PKTS packets, $E_VIS visible type-21 records, $E_ALERTS alert records (all, with keys)"
[ "$SCAN_OK" = 1 ] || note "tlsalert: $SCAN_WHY"
if want keylog; then [ "$KEY_OK" = 1 ] || note "tlsalert --keylog: $KEY_WHY"; fi
note "$SSL_NOTE"
note ""
awk -F'\t' '
	NR == 1 { next }
	{ lab[NR] = $1; w[NR] = $2; u[NR] = $3; s[NR] = $4; r[NR] = $5; ex[NR] = $6; b[NR] = $7; n = NR
	  if ($1 == "tlsalert-json") { tj = $2; cj = $3 + $4 }
	  if ($1 == "tlsalert-text") tt = $2
	  if ($1 == "tlsalert-keylog-json") { tk = $2; ck = $3 + $4 } }
	function ratio(i, ref) {
		return (ref > 0 && lab[i] !~ /^tlsalert/) ? sprintf("%.1f", w[i] / ref) : "-"
	}
	function cratio(i, ref) {
		return (ref > 0 && lab[i] !~ /^tlsalert/) ? sprintf("%.1f", (u[i] + s[i]) / ref) : "-"
	}
	END {
		printf "| run | wall s | GB/s | user s | sys s | CPU %% | peak RSS MB | exit |"
		printf " wall / tlsalert JSON wall | wall / tlsalert text wall | CPU / tlsalert JSON CPU |\n"
		printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
		for (i = 2; i <= n; i++) {
			keyed = lab[i] ~ /keylog/
			printf "| %s | %.3f | %.2f | %.2f | %.2f | %.0f | %.1f | %s | %s | %s | %s |\n", lab[i],
				w[i], (w[i] > 0 ? b[i] / 1e9 / w[i] : 0), u[i], s[i],
				(w[i] > 0 ? 100 * (u[i] + s[i]) / w[i] : 0), r[i] / 1024, ex[i],
				ratio(i, keyed ? tk : tj), keyed ? "-" : ratio(i, tt), cratio(i, keyed ? ck : cj)
		}
	}' "$RES"
note ""
count() { [ -f "$1" ] && wc -l <"$1" || echo "-"; }
if want plain; then
	note "found: tshark type-21 packets $(count "$OUT/scan.tshark-type21.txt") (expected $E_VIS records);" \
		"tshark tls.alert_message packets $(count "$OUT/scan.tshark-alert.txt");" \
		"tlsalert JSON lines $(count "$OUT/scan.tlsalert.jsonl")"
fi
if want parts && [ "$SCAN_OK" = 1 ]; then
	note "parts: tlsalert JSON lines $(count "$OUT/scan-parts.tlsalert.jsonl") (single file: $(count "$OUT/scan.tlsalert.jsonl"))"
fi
if want keylog; then
	note "keylog: tshark alert packets $(count "$OUT/scan.tshark-keylog-alert.txt") (expected $E_ALERTS records);" \
		"tlsalert JSON lines $(count "$OUT/scan.tlsalert-keylog.jsonl")," \
		"of which decrypted $(grep -c '"decrypted":true' "$OUT/scan.tlsalert-keylog.jsonl" 2>/dev/null)," \
		"plaintext $(grep -c '"encrypted":false' "$OUT/scan.tlsalert-keylog.jsonl" 2>/dev/null)," \
		"inferred $(grep -c '"inferred":true' "$OUT/scan.tlsalert-keylog.jsonl" 2>/dev/null)"
fi

# ---- sanity of the capture (slow: a full tshark pass) --------------------
if want sanity && have tshark; then
	note ""
	note "sanity: capinfos and tshark -q -z conv,tcp on $F"
	capinfos -c -s "$F" 2>/dev/null | sed 's/^/  /'
	tshark -r "$F" -q -z conv,tcp 2>/dev/null >"$OUT/scan.conv.txt"
	tail -4 "$OUT/scan.conv.txt" | sed 's/^/  /'
	note "  conversations: $(grep -c '<->' "$OUT/scan.conv.txt") (expected $E_CONN)"
fi

# ---- self-test of the generator (a few seconds) --------------------------
if want selftest; then
	GEN=$GEN CNT=$CNT TEMPLATES=$TEMPLATES bash bench/scan/selftest.sh || exit 1
fi
exit 0
