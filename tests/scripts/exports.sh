#!/usr/bin/env bash
# The library archive exports its public API and nothing else: every defined
# global symbol of $BUILD/libtlsalert.a starts with tlsa_ and is declared in a
# public header (include/tlsalert/*.h), and every function those headers
# declare is defined.  The Makefile makes every other global local
# (docs/DEVELOPING.md, "Exported symbols").
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
lib=$BUILD/libtlsalert.a
[ -f "$lib" ] || { echo "exports.sh: $lib not built"; exit 1; }
command -v nm >/dev/null || { echo "exports.sh: nm (binutils) is missing"; exit 1; }
fail=0
defined=$(nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u)
[ -n "$defined" ] || { echo "exports.sh: $lib defines no global symbol"; exit 1; }
for s in $defined; do
	case "$s" in
	tlsa_*) ;;
	*) echo "exported but not public API (no tlsa_ prefix): $s"; fail=1; continue ;;
	esac
	grep -qw -- "$s" include/tlsalert/*.h || { echo "exported but declared in no public header: $s"; fail=1; }
done
# Functions declared in the public headers: "name(" after a type, at the
# start of a declaration line.
declared=$(cat include/tlsalert/*.h | grep -oE '^[a-z][a-z0-9_ ]*[ *](tlsa_[a-z0-9_]+)\(' |
	grep -oE 'tlsa_[a-z0-9_]+\($' | tr -d '(' | sort -u)
for s in $declared; do
	grep -qx -- "$s" <<<"$defined" || { echo "declared in include/tlsalert/ but not defined by $lib: $s"; fail=1; }
done
n=$(wc -l <<<"$defined")
[ "$fail" -eq 0 ] && echo "exports.sh: $n symbols, all tlsa_ and declared in include/tlsalert/"
exit "$fail"
