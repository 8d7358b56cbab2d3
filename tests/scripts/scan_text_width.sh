#!/usr/bin/env bash
# The text layout fits a terminal (docs/scan.md, "Text output"):
# - every capture of tests/data/corpus, under a 30-character name: each alert's
#   first line is at most 100 columns (with and without its key log);
# - with COLUMNS=80, every line under an alert is at most 80 columns, unless it
#   is one word too long to break;
# - piped without COLUMNS nothing is wrapped: fewer lines than at 80 columns;
# - on a terminal (a pty from script(1), when present) without COLUMNS, text
#   wraps to the terminal's width (stty cols), and to 80 when it gives none.
set -u
cd "$(dirname "$0")/../data/corpus" || exit 1
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# short names: cNN-<start of the name>.<ext>, exactly 30 characters
i=0
while IFS= read -r f; do
	i=$((i + 1))
	ext=${f##*.}
	base=$(basename "$f" ".$ext")
	name=$(printf 'c%02d-%s' "$i" "$base")
	name=${name:0:$((29 - ${#ext}))}
	while [ $((${#name} + ${#ext} + 1)) -lt 30 ]; do name="${name}_"; done
	ln -s "$PWD/$f" "$tmp/$name.$ext"
	k="${f%.*}.keylog"
	[ -f "$k" ] && ln -s "$PWD/$k" "$tmp/$name.keylog"
done < <(find . -name '*.pcap' -o -name '*.pcapng' | sort)
[ "$i" -ge 50 ] || bad "only $i captures found"

cd "$tmp" || exit 1
alerts=0 lines=0
for f in *.pcap *.pcapng; do
	[ ${#f} -eq 30 ] || bad "$f: name of ${#f} characters, want 30"
	args=()
	[ -f "${f%.*}.keylog" ] && args=(--keylog "${f%.*}.keylog")
	for a in "" "${args[@]+"${args[*]}"}"; do
		# shellcheck disable=SC2086 # $a is empty or "--keylog FILE"
		out=$(env -u COLUMNS "$TLSALERT" scan --color never $a "$f" 2>/dev/null)
		# shellcheck disable=SC2086
		n=$("$TLSALERT" scan --json $a "$f" 2>/dev/null | wc -l)
		firsts=$(printf '%s\n' "$out" | grep -v '^ ' | grep -c .)
		[ "$firsts" -eq "$n" ] || bad "$f $a: $firsts alert lines for $n alerts"
		alerts=$((alerts + n))
		while IFS= read -r l; do
			lines=$((lines + 1))
			[ ${#l} -le 100 ] || bad "$f $a: ${#l} columns: $l"
		done < <(printf '%s\n' "$out" | grep -v '^ ' | grep .)
		# under the alert line, 80 columns
		# shellcheck disable=SC2086
		out80=$(COLUMNS=80 "$TLSALERT" scan --color never $a "$f" 2>/dev/null)
		printf '%s\n' "$out80" | awk -v f="$f" '/^ / && length > 80 && NF > 1 && \
			!/^ +[^ ]+$/ { if ($0 !~ /^ +[a-z]+: [^ ]+$/) { print "FAIL: " f ": " length " columns at COLUMNS=80: " $0; bad = 1 } }
			END { exit bad }' >&2 || fail=1
		if [ "$n" -gt 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -ge "$(printf '%s\n' "$out80" | wc -l)" ]; then
			bad "$f $a: as many lines unwrapped as at 80 columns"
		fi
	done
done
[ "$alerts" -ge 60 ] || bad "only $alerts alerts in the corpus"
[ "$lines" -eq "$alerts" ] || bad "$lines alert lines checked for $alerts alerts"

# a terminal: its width, else 80
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	for cols in 60 0; do
		want=$cols
		[ "$cols" -eq 0 ] && want=80
		script -qec "stty cols $cols rows 40; env -u COLUMNS $TLSALERT explain --color never 48" \
			/dev/null </dev/null >"$tmp/tty" 2>&1
		tr -d '\r' <"$tmp/tty" >"$tmp/tty.txt"
		# the wrapped paragraphs (indented 16: "sender says:", "check:" ...)
		max=$(awk '/^                / { if (length > m) m = length } END { print m + 0 }' \
			"$tmp/tty.txt")
		[ "$max" -le "$want" ] && [ "$max" -gt $((want - 15)) ] ||
			bad "terminal of $cols columns: longest line $max, want at most $want"
	done
else
	echo "scan_text_width: no script(1): terminal width not checked"
fi
[ $fail -eq 0 ] && echo "scan_text_width: $alerts alerts, every alert line within 100 columns"
exit $fail
