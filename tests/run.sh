#!/usr/bin/env bash
# Runs every test of one build ($BUILD, default build): unit programs, CLI
# golden tests, test scripts, and the fuzz corpora replays.  Prints one
# "N passed, M failed" line at the end and exits non-zero on any failure.
#
#   UPDATE=1 tests/run.sh    rewrites the golden files from the current output
#   ONLY=pattern tests/run.sh  runs only the tests whose name contains pattern
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
export TLSALERT="$PWD/$BUILD/tlsalert"
export NO_COLOR=1 LC_ALL=C TZ=UTC
unset SSLKEYLOGFILE # scan would decrypt with it: goldens are made without a key log
SHARED=${SHARED:-$PWD/../shared}
export SHARED
passed=0 failed=0
failures=()

want() { case "$1" in *"${ONLY:-}"*) return 0 ;; esac; return 1; }
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL: $1" >&2; }

# 1. unit test programs
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	want "$t" || continue
	if out=$("$t" 2>&1); then ok; else bad "$t"; printf '%s\n' "$out" >&2; fi
done

# 2. golden CLI tests: tests/golden/NAME/{cmd,stdout,stderr,rc}
for d in tests/golden/*/; do
	d=${d%/}
	[ -f "$d/cmd" ] || continue
	want "$d" || continue
	tmp=$(mktemp -d)
	(cd "$d" && bash ./cmd >"$tmp/stdout" 2>"$tmp/stderr" </dev/null; echo $? >"$tmp/rc")
	if [ -n "${UPDATE:-}" ]; then
		cp "$tmp/stdout" "$d/stdout"; cp "$tmp/rc" "$d/rc"
		if [ -s "$tmp/stderr" ]; then cp "$tmp/stderr" "$d/stderr"; else rm -f "$d/stderr"; fi
	fi
	[ -f "$d/stderr" ] || : >"$tmp/want_stderr"
	wanterr="$d/stderr"; [ -f "$wanterr" ] || wanterr="$tmp/want_stderr"
	if cmp -s "$tmp/stdout" "$d/stdout" && cmp -s "$tmp/stderr" "$wanterr" &&
		cmp -s "$tmp/rc" "$d/rc"; then
		ok
	else
		bad "$d"
		diff -u "$d/stdout" "$tmp/stdout" | head -40 >&2
		diff -u "$wanterr" "$tmp/stderr" | head -20 >&2
		diff -u "$d/rc" "$tmp/rc" >&2
	fi
	rm -rf "$tmp"
done

# 3. test scripts: tests/scripts/*.sh exit 0 on success
for s in tests/scripts/*.sh; do
	[ -f "$s" ] || continue
	want "$s" || continue
	if out=$(bash "$s" 2>&1); then ok; else bad "$s"; printf '%s\n' "$out" | tail -40 >&2; fi
done

# 4. fuzz corpora replayed through each target
for r in "$BUILD"/replay/fuzz_*; do
	[ -x "$r" ] || continue
	want "$r" || continue
	n=$(basename "$r")
	[ -d "fuzz/corpus/$n" ] || { bad "$r (no corpus fuzz/corpus/$n)"; continue; }
	if out=$("$r" "fuzz/corpus/$n" 2>&1); then ok; else bad "$r"; printf '%s\n' "$out" | tail -40 >&2; fi
done

echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "failed: $f"; done
echo "$BUILD: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
