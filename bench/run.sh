#!/usr/bin/env bash
# Runs every benchmark: each bench/*/run.sh in name order (make bench).
# Arguments are passed to every one of them; the status is the worst one.
#   bench/run.sh             all benchmarks
#   ONLY=scan bench/run.sh   only the benchmarks whose directory name contains "scan"
set -u
cd "$(dirname "$0")/.."
rc=0
found=0
for s in bench/*/run.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$(dirname "$s")")
	case "$name" in *"${ONLY:-}"*) ;; *) continue ;; esac
	found=1
	echo "=== bench/$name"
	bash "$s" "$@"
	r=$?
	if [ "$r" -ne 0 ]; then
		echo "bench/$name: exit status $r" >&2
		[ "$r" -gt "$rc" ] && rc=$r
	fi
done
if [ "$found" -eq 0 ]; then
	echo "bench/run.sh: no bench/*/run.sh matches ONLY='${ONLY:-}'" >&2
	exit 2
fi
exit "$rc"
