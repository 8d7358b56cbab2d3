#!/usr/bin/env bash
# tlsalert logs over tests/data/logs: every line of alerts.tsv gives exactly its
# expected alert (code, or null for -1) and direction, and nothing else; no line of
# lookalikes.txt gives an alert mention (a local error of a cause rule, pattern
# local-error, is allowed there: those lines are what a stack logs when it sends an
# alert; tests/scripts/causes_triggers.sh checks them; so is pattern peer-closed, code
# null: the connection ended under the logging side and no alert passed).  Runs the whole file in one
# call, then compares per line number.
set -u
cd "$(dirname "$0")/../.."
: "${TLSALERT:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

grep -v '^#' tests/data/logs/alerts.tsv >"$tmp/rows"
n=$(wc -l <"$tmp/rows")
[ "$n" -ge 300 ] || { echo "alerts.tsv has $n rows, want at least 300"; fail=1; }
cut -f4- "$tmp/rows" >"$tmp/lines"
"$TLSALERT" logs --csv "$tmp/lines" >"$tmp/out.csv"
rc=$?
[ "$rc" -eq 0 ] || { echo "logs exit status $rc, want 0"; fail=1; }
# line,code,direction of every mention (file name is the first CSV field, no commas in it)
tail -n +2 "$tmp/out.csv" | awk -F, '{ c = $5 == "" ? -1 : $5; print $2 "\t" c "\t" $7 }' >"$tmp/got"
awk -F'\t' '{ print NR "\t" $1 "\t" $2 }' "$tmp/rows" >"$tmp/want"
if ! diff "$tmp/want" "$tmp/got" >"$tmp/diff"; then
	echo "alerts.tsv: mentions differ from expectations (line<TAB>code<TAB>direction):"
	head -60 "$tmp/diff"
	# Show the offending input lines.
	grep '^[<>]' "$tmp/diff" | cut -f1 | tr -d '<> ' | sort -un | head -20 | while read -r l; do
		echo "  line $l: $(sed -n "${l}p" "$tmp/rows")"
	done
	fail=1
fi

grep -v '^#' tests/data/logs/lookalikes.txt | grep -v '^$' >"$tmp/look"
m=$(wc -l <"$tmp/look")
[ "$m" -ge 80 ] || { echo "lookalikes.txt has $m lines, want at least 80"; fail=1; }
"$TLSALERT" logs --csv "$tmp/look" >"$tmp/look.csv"
rc=$?
# Every column before `matched` is free of commas; column 9 is the pattern.
tail -n +2 "$tmp/look.csv" | awk -F, '$9 != "local-error" && $9 != "peer-closed"' >"$tmp/look.out"
if [ "$rc" -gt 1 ] || [ -s "$tmp/look.out" ]; then
	echo "lookalikes gave mentions (exit $rc):"
	cat "$tmp/look.out"
	fail=1
fi
exit $fail
