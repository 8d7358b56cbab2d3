#!/usr/bin/env bash
# Every alert mention in the logs test set carries a ranked `causes` array in
# --json: non-empty exactly when the cause tables know the alert (as explain
# says), ranked by score, and the CSV's likely_cause is its first id.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' tests/data/logs/alerts.tsv | cut -f4- >"$tmp/lines.log"
"$TLSALERT" logs --json "$tmp/lines.log" >"$tmp/out.jsonl" || true
"$TLSALERT" logs --csv "$tmp/lines.log" >"$tmp/out.csv" || true
python3 - "$tmp/out.jsonl" "$tmp/out.csv" "$TLSALERT" <<'PY'
import csv, json, subprocess, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
known = {}
def has_rules(code):
    if code not in known:
        out = subprocess.run([sys.argv[3], "explain", "--json", str(code)], capture_output=True,
                             text=True, check=True).stdout
        known[code] = len(json.loads(out)["causes"]) > 0
    return known[code]
bad = 0
with_causes = 0
for r in rows:
    cs = r.get("causes")
    if not isinstance(cs, list):
        print("no causes array:", r["line"]); bad += 1; continue
    if r["code"] is None:
        if cs: print("causes for an unnamed alert, line", r["line"]); bad += 1
        continue
    if bool(cs) != has_rules(r["code"]):
        print("line %d code %d: %d causes, tables say %s" % (r["line"], r["code"], len(cs), has_rules(r["code"]))); bad += 1
    scores = [c["score"] for c in cs]
    if scores != sorted(scores, reverse=True):
        print("line %d: causes not ranked" % r["line"]); bad += 1
    for c in cs:
        for k in ("id", "stack", "reason", "evidence", "fix", "score"):
            if k not in c: print("line %d: cause without %s" % (r["line"], k)); bad += 1
    with_causes += bool(cs)
csvrows = list(csv.DictReader(open(sys.argv[2])))
if len(csvrows) != len(rows):
    print("csv has %d rows, json %d" % (len(csvrows), len(rows))); bad += 1
for j, c in zip(rows, csvrows):
    want = j["causes"][0]["id"] if j["causes"] else ""
    if c["likely_cause"] != want:
        print("line %s: csv likely_cause %r, json %r" % (j["line"], c["likely_cause"], want)); bad += 1
print("logs_causes: %d mentions, %d with causes, %d problems" % (len(rows), with_causes, bad))
sys.exit(1 if bad or len(rows) < 300 else 0)
PY
