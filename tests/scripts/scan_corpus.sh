#!/usr/bin/env bash
# Acceptance test of `tlsalert scan` on the project corpus
# (tests/data/corpus, copied from the shared corpus with its truth.tsv):
#   - every row of truth.tsv is reported with the same frame, sender, level
#     and description; encrypted rows with "encrypted": true; TLS 1.3
#     encrypted rows (record type 23) as inferred alerts from the right sender;
#   - nothing else is reported as a non-inferred alert on those captures;
#   - exit status 0 for every capture (each holds an alert).
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
dir=tests/data/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail=0
for f in "$dir"/*.pcap "$dir"/*.pcapng; do
	b=$(basename "$f")
	(cd "$dir" && "$TLSALERT" scan --json "$b") >"$tmp/$b.json" 2>"$tmp/$b.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $b: exit status $rc, want 0"
		cat "$tmp/$b.err"
		fail=1
	fi
done
cat "$tmp"/*.json >"$tmp/all.jsonl"

python3 - "$dir/truth.tsv" "$tmp/all.jsonl" <<'EOF' || fail=1
import csv, json, sys
truth_path, events_path = sys.argv[1], sys.argv[2]
events = [json.loads(l) for l in open(events_path) if l.strip()]
rows = list(csv.DictReader(open(truth_path), delimiter="\t"))
bad = 0
used = set()
for r in rows:
    sender = "client" if r["direction"] == "client_to_server" else "server"
    frame = int(r["frame_number"])
    enc = r["encrypted"] == "yes"
    inferred = r["record_content_type"] == "23"
    match = None
    for i, e in enumerate(events):
        if e["file"] != r["file"] or e["frame"] != frame:
            continue
        ok = e["sender"] == sender and e["encrypted"] == enc and e["inferred"] == inferred
        if not enc:
            ok = ok and e["level"] == int(r["level"]) and e["description"] == int(r["description"])
        else:
            ok = ok and e["level"] is None and e["description"] is None
        if ok:
            match = i
            break
    if match is None:
        bad += 1
        got = [e for e in events if e["file"] == r["file"]]
        print(f"FAIL: {r['file']} frame {frame}: want sender={sender} level={r['level']} "
              f"description={r['description']} encrypted={enc} inferred={inferred}; got "
              + "; ".join(f"frame {e['frame']} {e['sender']} {e['level']}/{e['description']} "
                          f"enc={e['encrypted']} inf={e['inferred']}" for e in got))
    else:
        used.add(match)
for i, e in enumerate(events):
    if i not in used and not e["inferred"]:
        bad += 1
        print(f"FAIL: {e['file']} frame {e['frame']}: alert not in truth.tsv "
              f"({e['sender']} {e['level']}/{e['description']})")
    if e["inferred"] and (e["level"] is not None or e["description"] is not None
                          or not e["evidence"]):
        bad += 1
        print(f"FAIL: {e['file']} frame {e['frame']}: inferred alert shown as decoded "
              "or without evidence")
print(f"{len(rows)} truth rows, {len(events)} events, {bad} problems")
sys.exit(1 if bad else 0)
EOF
exit $fail
