#!/usr/bin/env bash
# Runs the benchmarks (make bench): every bench/*/run.sh in name order, with no
# arguments; the exit status is the worst one.
#   bench/run.sh                     all benchmarks, their default modes
#   bench/run.sh NAME [ARGS...]      only bench/NAME/run.sh, with ARGS
#                                    (e.g. bench/run.sh scan plain keylog)
set -u
cd "$(dirname "$0")/.." || exit 2
if [ $# -gt 0 ]; then
	s=bench/$1/run.sh
	if [ ! -f "$s" ]; then
		echo "bench/run.sh: no benchmark '$1' (have: $(ls -d bench/*/run.sh 2>/dev/null |
			cut -d/ -f2 | tr '\n' ' '))" >&2
		exit 2
	fi
	shift
	exec bash "$s" "$@"
fi
rc=0
for s in bench/*/run.sh; do
	[ -f "$s" ] || continue
	echo "=== ${s%/run.sh}"
	bash "$s"
	r=$?
	if [ "$r" -ne 0 ]; then
		echo "${s%/run.sh}: exit status $r" >&2
		[ "$r" -gt "$rc" ] && rc=$r
	fi
done
exit "$rc"
