#!/usr/bin/env bash
# Pasted client errors where no alert was received (tests/data/logs/client-rejects.tsv):
# `tlsalert explain --json LINE` answers each once, with the code the pasting side's stack
# sends, direction "sent", "received": false, and a reader_view that starts with "no alert
# was received"; stack_alerts lists more than one stack.
cd "$(dirname "$0")/../.." || exit 2
bin=${TLSALERT:-build/tlsalert}
[ -x "$bin" ] || { echo "no $bin"; exit 2; }
fail=0
n=0
while IFS=$'\t' read -r code src line; do
	case $code in '#'* | '') continue ;; esac
	n=$((n + 1))
	out=$("$bin" explain --json "$line" 2>&1)
	rc=$?
	got=$(printf '%s\n' "$out" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
if len(rows) != 1:
    print("%d answers" % len(rows)); sys.exit()
r = rows[0]
bad = []
if r.get("direction") != "sent": bad.append("direction %s" % r.get("direction"))
if r.get("received") is not False: bad.append("received %s" % r.get("received"))
if not r.get("reader_view", "").startswith("no alert was received"): bad.append("view: " + r.get("reader_view", "")[:60])
print("%s %s" % (r.get("code"), "; ".join(bad)))' 2>&1)
	if [ $rc -ne 0 ] || [ "$got" != "$code " ]; then
		echo "FAIL ($src): want $code, got rc $rc: $got"
		echo "   $line"
		fail=1
	fi
done <tests/data/logs/client-rejects.tsv
[ "$n" -ge 25 ] || { echo "only $n lines"; fail=1; }
echo "explain_client_rejects: $n lines"
exit $fail
