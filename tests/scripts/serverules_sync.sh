#!/usr/bin/env bash
# data/serve-rules.txt, its generator and the unit test stay in step:
#   - every rule id of the data file is in the table of docs/reaction.md and
#     has a row of exact verdicts in
#     tests/unit/test_reaction.c (which also checks the compiled table has no
#     rule without a row), and the test names no id the data file lacks;
#   - tools/gen_serverules.py refuses a table with a planted fault (no
#     catch-all, a duplicate id, a stanza hidden by the ones above it, a
#     reaction both allowed and forbidden, an unknown token), so the checks
#     the judge relies on cannot quietly stop working.
set -eu
cd "$(dirname "$0")/../.."
data=data/serve-rules.txt
test=tests/unit/test_reaction.c
fail=0
ids=$(sed -n 's/^id: //p' "$data")
for id in $ids; do
	grep -q "{\"$id\"," "$test" || { echo "serverules_sync: $id has no row in $test"; fail=1; }
	grep -q "^| \`$id\` |" docs/reaction.md || { echo "serverules_sync: $id is not in docs/reaction.md"; fail=1; }
done
for id in $(grep -o '^	{"[a-z0-9-]*",' "$test" | tr -d '\t{",' | sort -u); do
	echo "$ids" | grep -qx "$id" || { echo "serverules_sync: $test names $id, not in $data"; fail=1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT; [ -n "${KEEP:-}" ] && trap - EXIT
plant() { # NAME: a python expression over s (the file text) -> the faulty text
	mkdir -p "$tmp/$1"
	python3 -c "import sys; s=open('$data').read(); open('$tmp/$1/serve-rules.txt','w').write($2)"
	if python3 tools/gen_serverules.py "$tmp/$1" "$tmp/$1/out.h" 2>"$tmp/$1/err"; then
		echo "serverules_sync: the generator took a table with $1"; fail=1
	fi
}
plant no-catch-all "s[:s.index('id: no-rule')]"
plant duplicate-id "s.replace('id: tls12-warning\n', 'id: tls12-fatal\n')"
plant hidden "s.replace('id: tls13-malformed', 'id: tls13-all\nversion: tls1.3\nlevel: *\ncode: *\nshape: *\nplaintext: *\nrfc: RFC 8446 6\nsays: x\n\nid: tls13-malformed')"
plant both "s.replace('follows: alert close\nviolates: continue hang', 'follows: alert close hang\nviolates: continue hang', 1)"
plant unknown-token "s.replace('shape: empty fragmented double', 'shape: empty fragmented doubled', 1)"
plant uncovered "s.replace('code: known unknown\nshape: normal repeat split coalesced', 'code: known\nshape: normal repeat split coalesced', 1)"
python3 tools/gen_serverules.py data "$tmp/ok.h" || { echo "serverules_sync: the generator refuses $data"; fail=1; }
[ "$fail" = 0 ] && echo "serverules_sync: $(echo "$ids" | wc -w) rules, each with a test row; 6 planted faults refused"
exit "$fail"
