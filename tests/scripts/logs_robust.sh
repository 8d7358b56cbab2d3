#!/usr/bin/env bash
# tlsalert logs on awkward input: NUL bytes and invalid UTF-8 (JSON stays valid),
# mentions straddling the 256 KiB read blocks, a line longer than the 64 MiB line
# buffer, concatenated gzip members, a directory as input, and memory that does not
# grow with the input size.
set -u
cd "$(dirname "$0")/../.."
: "${TLSALERT:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# 1. Binary junk: every output line is valid JSON, the two alerts are found.
"$TLSALERT" logs --json tests/data/logs/binary.log >"$tmp/bin.json" || bad "binary.log: exit $?"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="ascii")]
assert [(r["line"], r["code"]) for r in rows] == [(2, 70), (3, 48)], rows
' "$tmp/bin.json" || bad "binary.log: JSON not valid or wrong"

# 2. 5000 alert lines of varying length: none is lost at a block boundary.
python3 -c '
import random
r = random.Random(7)
with open("'"$tmp"'/blocks.log", "w") as f:
    for i in range(5000):
        f.write("x" * r.randint(0, 300) + " remote error: tls: bad certificate " + "y" * r.randint(0, 200) + "\n")
'
n=$("$TLSALERT" logs --csv "$tmp/blocks.log" | tail -n +2 | cut -d, -f2 | sort -un | wc -l)
[ "$n" -eq 5000 ] || bad "blocks.log: $n distinct lines with a mention, want 5000"

# 3. One line longer than the line buffer (64 MiB): the alert at its end is found on
#    line 2, at the right column.
{
	echo "first line"
	head -c 70000000 /dev/zero | tr '\0' a
	echo " Received fatal alert: unknown_ca"
	echo "x remote error: tls: bad certificate"
} >"$tmp/long.log"
out=$("$TLSALERT" logs --csv "$tmp/long.log" | tail -n +2 | tr '\n' '|')
[ "$out" = "$tmp/long.log,2,70000002,70000033,48,unknown_ca,received,java,java.received,Received fatal alert: unknown_ca,untrusted-ca|$tmp/long.log,3,3,36,42,bad_certificate,received,go,go.remote,remote error: tls: bad certificate,untrusted-ca|" ] ||
	bad "long.log: got '$out'"

# 4. Concatenated gzip members are one stream.
cat tests/data/logs/sample.log.gz tests/data/logs/sample.log.gz >"$tmp/two.gz"
n=$("$TLSALERT" logs --csv "$tmp/two.gz" | tail -n +2 | wc -l)
# 8 per copy: 7 alert mentions and line 5's local error (openssl-48-unknown-ca).
[ "$n" -eq 16 ] || bad "two gzip members: $n mentions, want 16"
last=$("$TLSALERT" logs --csv "$tmp/two.gz" | tail -1 | cut -d, -f2)
[ "$last" -eq 25 ] || bad "two gzip members: last line $last, want 25"

# 5. A directory is an error with a message, exit 2.
"$TLSALERT" logs tests/data/logs >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || bad "directory: exit $rc, want 2"
grep -q "tests/data/logs" "$tmp/err" || bad "directory: message '$(cat "$tmp/err")'"

# 6. Memory: 300 MB through a pipe keeps the resident size small.
if [ -x /usr/bin/time ]; then
	python3 -c '
import sys
line = b"2026-11-27T10:00:00Z INFO request served in 12 ms from 10.0.0.1\n" * 1000
alert = b"remote error: tls: unknown certificate authority\n"
for i in range(4600):
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.write(alert)
' | /usr/bin/time -f "%M" -o "$tmp/rss" "$TLSALERT" logs --summary --json >"$tmp/sum.json"
	rss=$(cat "$tmp/rss")
	[ "$rss" -lt 60000 ] || bad "resident size $rss KiB for a 300 MB stream"
	grep -q '"count":4600' "$tmp/sum.json" || bad "summary: $(cat "$tmp/sum.json")"
fi
exit $fail
