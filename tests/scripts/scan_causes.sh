#!/usr/bin/env bash
# Issue 6 acceptance: on every connection of the corpus, the alert that ended
# it carries, as its top-ranked cause, the cause of the scenario the corpus
# README describes (tests/data/diagnose/corpus.tsv, column `expect`).  Key logs
# are given where the corpus has them, so encrypted alerts are read.
set -eu
cd "$(dirname "$0")/../../tests/data/corpus"
python3 - "$TLSALERT" <<'PY'
import json, os, subprocess, sys
tlsalert = sys.argv[1]
expect = {}
for line in open("../diagnose/corpus.tsv"):
    if line.startswith("#") or line.startswith("file\t"):
        continue
    f = line.rstrip("\n").split("\t")
    expect[(f[0], int(f[1]))] = f[9]
help_text = subprocess.run([tlsalert, "scan", "--help"], capture_output=True, text=True).stdout
has_keylog = "--keylog" in help_text
files = sorted({k[0] for k in expect})
bad = checked = 0
for name in files:
    cmd = [tlsalert, "scan", "--summary", "--json"]
    keylog = os.path.splitext(name)[0] + ".keylog"
    if has_keylog and os.path.exists(keylog):
        cmd += ["--keylog", keylog]
    out = subprocess.run(cmd + [name], capture_output=True, text=True).stdout
    conns = [json.loads(l) for l in out.splitlines()]
    conns = [c for c in conns if c.get("type") == "connection" and c.get("alert")]
    if not conns:
        print("%s: no connection with an alert" % name); bad += 1; continue
    for c in conns:
        a = c["alert"]
        want = expect.get((name, a["frame"]))
        if want is None:
            print("%s: ending alert at frame %d is not in corpus.tsv" % (name, a["frame"])); bad += 1
            continue
        got = a["causes"][0]["id"] if a.get("causes") else None
        checked += 1
        if got != want:
            print("%s frame %d (%s, %s): top cause %s, want %s" % (
                name, a["frame"], a.get("name") or a.get("likely_name"), c["outcome"], got, want))
            bad += 1
print("scan_causes: %d connections checked, %d wrong%s" % (
    checked, bad, "" if has_keylog else " (scan has no --keylog yet)"))
sys.exit(1 if bad else 0)
PY
