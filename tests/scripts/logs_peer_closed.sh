#!/usr/bin/env bash
# Local errors that mean the connection ended under the logging side
# (tests/data/logs/peer-closed.tsv): `logs --json` reports each line once as pattern
# peer-closed with no alert (code null, peer_closed true, direction unknown) and the causes
# unexpected-eof, connection-reset, plaintext-service; `explain` says no alert was sent.
cd "$(dirname "$0")/../.." || exit 2
bin=${TLSALERT:-build/tlsalert}
[ -x "$bin" ] || { echo "no $bin"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' tests/data/logs/peer-closed.tsv | cut -f3- >"$tmp/lines"
"$bin" logs --json "$tmp/lines" >"$tmp/out.json"
python3 - "$tmp/lines" "$tmp/out.json" <<'PY' || exit 1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
got = {}
for l in open(sys.argv[2]):
    m = json.loads(l)
    got.setdefault(m["line"], []).append(m)
bad = 0
for i, text in enumerate(lines, 1):
    ms = got.get(i, [])
    ok = (len(ms) == 1 and ms[0]["pattern"] == "peer-closed" and ms[0]["code"] is None and
          ms[0]["peer_closed"] is True and ms[0]["direction"] == "unknown" and
          [c["id"] for c in ms[0]["causes"]] ==
          ["unexpected-eof", "connection-reset", "plaintext-service"])
    if not ok:
        bad += 1
        print("FAIL line %d: %s\n   got %s" % (i, text, [(m["pattern"], m["code"], m["direction"])
                                                      for m in ms]))
print("logs_peer_closed: %d lines, %d wrong" % (len(lines), bad))
sys.exit(1 if bad or len(lines) < 5 else 0)
PY
out=$("$bin" explain "$(head -1 "$tmp/lines")")
case $out in
*"no alert was received, and none was sent"*) ;;
*) echo "explain: $out"; exit 1 ;;
esac
