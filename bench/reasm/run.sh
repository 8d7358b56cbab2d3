#!/usr/bin/env bash
# TCP reassembly against hostile segment orders (issue 12, item 1): one flow of N
# out-of-order 1-byte segments with conflicting overlaps, made by the shared
# generator (../shared/hardening/gen.py ooo OUT N 1 ORDER 1), scanned with
# `scan --json -j 1`; CPU time (user+sys, from getrusage) and peak RSS, best of
# REPS runs.  Bars: 260,000 in random order <= 2 s; 100,000 ascending <= 0.5 s.
# Usage: bench/reasm/run.sh            (REPS=3, SHARED=../shared, OUT=bench/out)
#        TLSALERT=/other/tlsalert bench/reasm/run.sh   to time another build
set -u
cd "$(dirname "$0")/../.."
bin=${TLSALERT:-build/tlsalert}
shared=${SHARED:-../shared}
out=${OUT:-bench/out}
reps=${REPS:-3}
gen=$shared/hardening/gen.py
[ -f "$gen" ] || { echo "bench/reasm: $gen not found (SHARED=...)" >&2; exit 2; }
[ -x "$bin" ] || make -s || exit 2
mkdir -p "$out"
specs="260000:rand:2 100000:asc:0.5 100000:desc:- 12500:rand:-"
for spec in $specs; do
	IFS=: read -r n order bar <<<"$spec"
	f=$out/reasm-ooo-$n-$order.pcap
	[ -f "$f" ] || python3 "$gen" ooo "$f" "$n" 1 "$order" 1 || exit 2
done
python3 - "$bin" "$out" "$reps" $specs <<'PY'
import os, resource, subprocess, sys
bin, out, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
print("%-20s %9s %12s %8s %s" % ("capture", "CPU s", "peak RSS MB", "bar s", "verdict"))
for spec in sys.argv[4:]:
    n, order, bar = spec.split(":")
    f = os.path.join(out, "reasm-ooo-%s-%s.pcap" % (n, order))
    best = None
    for _ in range(reps):
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execv(bin, [bin, "scan", "--json", "-j", "1", f])
        _, status, ru = os.wait4(pid, 0)
        cpu = ru.ru_utime + ru.ru_stime
        if best is None or cpu < best[0]:
            best = (cpu, ru.ru_maxrss / 1024)
    verdict = "" if bar == "-" else ("ok" if best[0] <= float(bar) else "OVER THE BAR")
    print("%-20s %9.3f %12.1f %8s %s" % ("ooo %s %s" % (n, order), best[0], best[1], bar, verdict))
PY
