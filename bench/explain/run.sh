#!/usr/bin/env bash
# Start-up cost of one `tlsalert explain` process (the acceptance bar is 5 ms).
# Usage: bench/explain/run.sh [N]   (default N=500 processes)
set -eu
cd "$(dirname "$0")/../.."
bin=${TLSALERT:-build/tlsalert}
n=${1:-500}
[ -x "$bin" ] || make -s
# CPU per process beyond an empty one (issue 12's bar: < 2 ms beyond /bin/true), from perf's
# task-clock; the libraries each process loads weigh here, not in the wall time of a warm loop.
if command -v perf >/dev/null 2>&1; then
	for cmd in /bin/true "$bin explain 40" "$bin list" "$bin decode 15030300020228"; do
		# shellcheck disable=SC2086 # the words of cmd are the command line
		printf '%-45s %s\n' "$cmd" "$(perf stat -r 50 -e task-clock $cmd 2>&1 >/dev/null |
			awk '/task-clock/ { print $1, "ms task-clock (perf stat -r 50)" }')"
	done
fi
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N --warmup 20 --runs "$n" "$bin explain --json 48" "$bin explain --json SSL_ERROR_UNKNOWN_CA_ALERT"
	exit 0
fi
python3 - "$bin" "$n" <<'PY'
import subprocess, sys, time
bin, n = sys.argv[1], int(sys.argv[2])
for args in (["explain", "--json", "48"], ["explain", "--json", "SSL_ERROR_UNKNOWN_CA_ALERT"],
             ["explain", "48"]):
    t = time.perf_counter()
    for _ in range(n):
        subprocess.run([bin] + args, stdout=subprocess.DEVNULL, check=True)
    print("%-45s %.2f ms per process (%d runs, includes fork+exec)" % (
        " ".join(args), (time.perf_counter() - t) / n * 1000, n))
PY
