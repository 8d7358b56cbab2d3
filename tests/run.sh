#!/usr/bin/env bash
# Runs the tests of one build ($BUILD, default build): unit programs, CLI
# golden tests, test scripts, and the fuzz corpora replays.  Ends with one line
# "BUILD: N passed, M failed, K skipped" and exits non-zero on any failure.
#
#   TIER=fast tests/run.sh     leaves out the scripts marked "# tier: full" (`make test`)
#   TIER=full tests/run.sh     every test, the default (`make check`)
#   ONLY=pattern tests/run.sh  runs only the tests whose name contains pattern
#   UPDATE=1 tests/run.sh      rewrites the golden files from the current output
#   TIMES=1 tests/run.sh       prints each test's wall time as it ends
#
# A test script that cannot run (a tool it needs is missing) prints why and
# exits 77: it counts as skipped, and its last line is shown as the reason.
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
export TLSALERT="$PWD/$BUILD/tlsalert"
export NO_COLOR=1 LC_ALL=C TZ=UTC
# Text wraps to COLUMNS even when piped (cli_term_width): goldens are made at 100 columns;
# a test that wants another width, or none, sets or unsets it.
export COLUMNS=100
unset SSLKEYLOGFILE # scan would decrypt with it: goldens are made without a key log
SHARED=${SHARED:-$PWD/../shared}
export SHARED
TIER=${TIER:-full}
case $TIER in
fast | full) ;;
*) echo "tests/run.sh: TIER must be fast or full, not '$TIER'" >&2; exit 2 ;;
esac
passed=0 failed=0 skipped=0
failures=() skips=() left_out=()

want() { case "$1" in *"${ONLY:-}"*) return 0 ;; esac; return 1; }
# The wall time of the test that just ended, with TIMES=1 (bash's clock in microseconds).
lap() {
	[ -n "${TIMES:-}" ] || return 0
	local us=$((${EPOCHREALTIME/./} - t0))
	printf '%4d.%03ds  %s\n' $((us / 1000000)) $((us / 1000 % 1000)) "$1"
}
start() { t0=${EPOCHREALTIME/./}; }
ok() { lap "$1"; passed=$((passed + 1)); }
bad() { lap "$1"; failed=$((failed + 1)); failures+=("$1"); echo "FAIL: $1" >&2; }
skip() { lap "$1"; skipped=$((skipped + 1)); skips+=("$1: $2"); }
# A script's first comment block holds "# tier: full" when it needs a peer
# tool (tshark, ...) or is slow: the fast tier leaves it out.
full_only() { sed -n '/^[^#]/q; /^# tier: full/p' "$1" | grep -q .; }

# 1. unit test programs
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	want "$t" || continue
	start
	if out=$("$t" 2>&1); then ok "$t"; else bad "$t"; printf '%s\n' "$out" >&2; fi
done

# 2. golden CLI tests: tests/golden/NAME/{cmd,stdout,stderr,rc}
for d in tests/golden/*/; do
	d=${d%/}
	[ -f "$d/cmd" ] || continue
	want "$d" || continue
	start
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
		ok "$d"
	else
		bad "$d"
		diff -u "$d/stdout" "$tmp/stdout" | head -40 >&2
		diff -u "$wanterr" "$tmp/stderr" | head -20 >&2
		diff -u "$d/rc" "$tmp/rc" >&2
	fi
	rm -rf "$tmp"
done

# 3. test scripts: tests/scripts/*.sh exit 0 on success, 77 when they cannot run
for s in tests/scripts/*.sh; do
	[ -f "$s" ] || continue
	want "$s" || continue
	if [ "$TIER" = fast ] && full_only "$s"; then
		left_out+=("$(basename "$s")")
		continue
	fi
	start
	out=$(bash "$s" 2>&1)
	case $? in
	0) ok "$s" ;;
	77) skip "$s" "$(printf '%s\n' "$out" | grep . | tail -1)" ;;
	*) bad "$s"; printf '%s\n' "$out" | tail -40 >&2 ;;
	esac
done

# 4. fuzz corpora replayed through each target
for r in "$BUILD"/replay/fuzz_*; do
	[ -x "$r" ] || continue
	want "$r" || continue
	n=$(basename "$r")
	start
	[ -d "fuzz/corpus/$n" ] || { bad "$r (no corpus fuzz/corpus/$n)"; continue; }
	if out=$("$r" "fuzz/corpus/$n" 2>&1); then ok "$r"; else bad "$r"; printf '%s\n' "$out" | tail -40 >&2; fi
done

echo
[ ${#left_out[@]} -eq 0 ] ||
	echo "fast tier: left out ${left_out[*]} (make check runs them)"
for s in "${skips[@]+"${skips[@]}"}"; do echo "skipped: $s"; done
for f in "${failures[@]+"${failures[@]}"}"; do echo "failed: $f"; done
echo "$BUILD: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
