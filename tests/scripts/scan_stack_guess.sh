#!/usr/bin/env bash
# The stack guessed from the hello shapes (scan JSON client_stack / server_stack) against the
# known implementation of each side of every corpus and key log capture
# (tests/data/fingerprint/sides.tsv): every guess made must be right, a hand-built hello must
# get none, most sides must be guessed, and an alert whose sender was guessed says so in its
# causes' evidence.  Prints how many sides were guessed and how many left unknown.
set -eu
cd "$(dirname "$0")/../data"
python3 - "$TLSALERT" <<'PY'
import json, subprocess, sys
tlsalert = sys.argv[1]
truth = {}
for line in open("fingerprint/sides.tsv"):
    if line.startswith("#") or line.startswith("file\t"):
        continue
    f, side, stack, _ = line.rstrip("\n").split("\t")
    truth[(f, side)] = stack
bad = guessed = unknown = ranked = 0
per_stack = {}
for name in sorted({f for f, _ in truth}):
    out = subprocess.run([tlsalert, "scan", "--summary", "--json", name],
                         capture_output=True, text=True).stdout
    recs = [json.loads(l) for l in out.splitlines()]
    conns = [r for r in recs if r.get("type") == "connection"]
    if not conns:
        print("%s: no connection" % name); bad += 1; continue
    for side in ("client", "server"):
        want = truth[(name, side)]
        got = {c["%s_stack" % side] for c in conns}
        if len(got) != 1:
            print("%s %s: connections disagree: %s" % (name, side, sorted(map(str, got)))); bad += 1
            continue
        got = got.pop()
        if got is None:
            unknown += 1
            continue
        guessed += 1
        per_stack[got] = per_stack.get(got, 0) + 1
        if got != want:
            print("%s %s: guessed %s, is %s" % (name, side, got, want)); bad += 1
    # every alert whose sender's stack was guessed (from the hellos seen by then) is ranked
    # with that stack, and its top cause says so
    out = subprocess.run([tlsalert, "scan", "--json", name], capture_output=True, text=True).stdout
    for a in (json.loads(l) for l in out.splitlines()):
        if a.get("sender") not in ("client", "server") or not a.get("causes"):
            continue
        stack = a["%s_stack" % a["sender"]]
        note = "sender's stack %s guessed from its" % stack
        if stack is not None and note not in a["causes"][0]["evidence"]:
            print("%s frame %d: sender stack %s not in the evidence: %s" % (
                name, a["frame"], stack, a["causes"][0]["evidence"])); bad += 1
        elif stack is not None:
            ranked += 1
total = guessed + unknown
print("stack guess: %d of %d sides guessed (%s), %d left unknown, %d wrong; %d alerts ranked "
      "for their sender's guessed stack" % (
          guessed, total, ", ".join("%s %d" % kv for kv in sorted(per_stack.items())), unknown,
          bad, ranked))
if guessed * 2 <= total:
    print("FAIL: fewer than half of the sides guessed"); bad += 1
sys.exit(1 if bad else 0)
PY
