#!/usr/bin/env bash
# Every alert tshark reads in the 47 captures of ../shared/external-captures
# (tshark-alerts.tsv: other projects' captures, tunnels included, read by
# tshark with the key logs that come with them) is found by `scan` in the same
# frame with the same description, without port hints.  Only the captures
# whose licence allows it are copied into the repo (scan_external.sh); this
# test reads the rest where they lie, beside the checkout, as CI has them.
set -eu
dir=${SHARED:-../shared}/external-captures
if [ ! -f "$dir/tshark-alerts.tsv" ]; then
	echo "$dir/tshark-alerts.tsv not found (the shared external captures are not beside the checkout)"
	exit 77
fi
cd "$dir"
python3 - "$TLSALERT" <<'PY'
import collections, csv, json, os, subprocess, sys
rows = list(csv.DictReader(open("tshark-alerts.tsv"), delimiter="\t"))
by_file = collections.defaultdict(list)
for r in rows:
    by_file[r["file"]].append(r)
bad = 0
for name, rs in sorted(by_file.items()):
    cmd = [sys.argv[1], "scan", "--json", "--brief"]
    keylog = os.path.splitext(name)[0] + ".keylog"
    if os.path.exists(keylog):
        cmd += ["--keylog", keylog]
    out = subprocess.run(cmd + [name], capture_output=True, text=True).stdout
    seen = collections.defaultdict(list)
    for line in out.splitlines():
        e = json.loads(line)
        seen[e["frame"]].append(e)
    for r in rs:
        es = seen.get(int(r["frame"]), [])
        want = int(r["description"]) if r["description"].isdigit() else None
        if not es:
            print("%s frame %s: tshark reads an alert, scan reports none" % (name, r["frame"]))
            bad += 1
        elif want is not None and not any(e["description"] == want for e in es):
            print("%s frame %s: tshark reads %d, scan %s" % (
                name, r["frame"], want, [e["description"] for e in es]))
            bad += 1
print("scan_external_shared: %d tshark alerts in %d captures, %d not matched" % (
    len(rows), len(by_file), bad))
sys.exit(1 if bad else 0)
PY
