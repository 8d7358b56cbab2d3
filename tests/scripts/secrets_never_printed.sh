#!/usr/bin/env bash
# No byte of a secret is ever printed (docs/scan.md, "Decryption with key
# logs"): scan runs with every key log of the corpus (tests/data, and
# ../shared/corpus when it is beside the checkout), with those key logs folded
# at every width from 8 to 130 columns (a terminal copy puts pieces of secrets
# where labels go), with malformed lines of every kind, and with the same lines
# in a pcapng Decryption Secrets Block, in every output mode (text, --json,
# --csv, -v, --summary, --decrypt-all), stdout and stderr together; any run of
# 16 hex digits of a secret field in that output fails.  The check itself is
# first shown to find a secret planted in an output.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

keylogs=$(find tests/data ../shared/corpus ../shared/hardening -name '*.keylog' 2>/dev/null | sort)
[ -n "$keylogs" ] || { echo "FAIL: no key log found"; exit 1; }
python3 tests/scripts/secrets_never_printed.py make "$tmp" $keylogs || exit 1

fail=0
caps=$(cat "$tmp/captures")
kargs=()
for k in $(cat "$tmp/made"); do kargs+=(--keylog "$k"); done
for mode in "" --json --csv -v --summary "--json -v" "--json --summary" "--decrypt-all -v"; do
	# shellcheck disable=SC2086 # word splitting of the mode and the lists is meant
	"$TLSALERT" scan -j 1 $mode "${kargs[@]}" $caps "$tmp/dsb.pcapng" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -le 1 ] || { echo "FAIL: scan $mode: exit status $rc"; tail -3 "$tmp/out"; fail=1; }
	grep -q . "$tmp/out" || { echo "FAIL: scan $mode printed nothing"; fail=1; }
	python3 tests/scripts/secrets_never_printed.py check "$tmp" "scan $mode" "$tmp/out" || fail=1
	# the same through SSLKEYLOGFILE, the key logs folded at every width
	# shellcheck disable=SC2086
	SSLKEYLOGFILE=$(sed -n 3p "$tmp/made") "$TLSALERT" scan -j 1 $mode $caps >"$tmp/out" 2>&1
	python3 tests/scripts/secrets_never_printed.py check "$tmp" "SSLKEYLOGFILE scan $mode" \
		"$tmp/out" || fail=1
done
# warnings seen at all: the malformed lines were read, not silently dropped
"$TLSALERT" scan -j 1 "${kargs[@]}" "$tmp/dsb.pcapng" 2>&1 | grep -q "not a label" ||
	{ echo "FAIL: no warning for the folded key logs"; fail=1; }
"$TLSALERT" scan -j 1 -v "$tmp/dsb.pcapng" 2>&1 | grep -q "Decryption Secrets Block, line" ||
	{ echo "FAIL: no warning for the malformed lines of the DSB"; fail=1; }
# the check finds a planted secret
python3 tests/scripts/secrets_never_printed.py plant "$tmp" >"$tmp/planted"
if python3 tests/scripts/secrets_never_printed.py check "$tmp" planted "$tmp/planted" >/dev/null; then
	echo "FAIL: a planted secret was not found"
	fail=1
fi
[ $fail -eq 0 ] && echo "secrets_never_printed: $(wc -w <<<"$keylogs") key logs, $(wc -l <"$tmp/made") made, 8 modes: no secret printed"
exit $fail
