#!/usr/bin/env python3
"""Every rule of data/causes-*.txt has a trigger in tests/data/causes/triggers.tsv, and it works.

1. Every rule id has a row, and every row names a rule; a rule whose data says
   `logline: none` has a "none: WHY" or "capture:" row, and only such a rule has a "none:"
   row; WHY (why no capture shows it) must not be empty.
2. All log lines go through one `tlsalert logs --json` call.  Per line: exactly one mention,
   direction "sent", a `rule_id` that is the row's rule (or the one rule its `accept` column
   names), the code of that rule, and that rule's cause ranked first with that rule
   (causes[0].rule_id).  One of the row's own rule's fragments must match the line (checked
   here with an independent matcher), so an accepted tie is a real one.
3. A "capture:PATH [client=STACK] [server=STACK]" row: `tlsalert scan --json` (with PATH's
   key log, the same path ending in .keylog, if there is one; with --client-stack /
   --server-stack for the stacks the row names) exits 0 and ranks the rule first
   (causes[0].rule_id) for some alert of the capture.
Each failure prints one line: the rule, what was wanted, what was found.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from gen_causes import load_causes  # noqa: E402

TLSALERT = os.environ["TLSALERT"]
TSV = os.path.join(ROOT, "tests", "data", "causes", "triggers.tsv")


def fragment_matches(frag, line):
    """The data's matching rule (docs/causes.md): the '*'-separated pieces occur in order,
    ASCII case ignored."""
    pos, text = 0, line.lower()
    for piece in frag.lower().split("*"):
        if not piece:
            continue
        k = text.find(piece, pos)
        if k < 0:
            return False
        pos = k + len(piece)
    return True


def is_none(inp):
    """A "none: WHY" row, WHY not empty."""
    return inp.startswith("none: ") and inp[len("none: "):].strip() != ""


data = load_causes(os.path.join(ROOT, "data"))
rules = {r["rule"]: r for r in data["rules"]}
fails = []
rows = []
with open(TSV) as f:
    for n, raw in enumerate(f, 1):
        if raw.startswith("#") or not raw.strip():
            continue
        parts = raw.rstrip("\n").split("\t")
        if len(parts) != 3:
            fails.append("%s:%d: expected 3 TAB-separated columns" % (TSV, n))
            continue
        rows.append((n, parts[0], parts[1], parts[2]))

# 1. Coverage.
seen = {}
for n, rid, accept, inp in rows:
    if rid not in rules:
        fails.append("%s:%d: %s is not a rule of data/causes-*.txt" % (TSV, n, rid))
    elif rid in seen:
        fails.append("%s:%d: %s has a row already (line %d)" % (TSV, n, rid, seen[rid]))
    else:
        seen[rid] = n
for rid, r in rules.items():
    if rid not in seen:
        fails.append("%s: no trigger row (want a log line, a capture or 'none: WHY')" % rid)
for n, rid, accept, inp in rows:
    r = rules.get(rid)
    if r is None:
        continue
    if is_none(inp) and r["logline_none"] is None:
        fails.append("%s: row says none, but the data gives fragments %s" % (rid, r["loglines"]))
    if inp.startswith("none") and not is_none(inp):
        fails.append("%s: a 'none' row must say why: 'none: WHY' (TSV line %d)" % (rid, n))
    if r["logline_none"] is not None and not inp.startswith(("none", "capture:")):
        fails.append("%s: the data says logline: none, but the row gives a log line" % rid)
    if accept != "-":
        other = accept.split(":", 1)[0]
        if other not in rules or ":" not in accept or not accept.split(":", 1)[1].strip():
            fails.append("%s: accept must be '-' or 'RULE: the facts that separate them'" % rid)

# 2. Log lines, in one call.
lines = [(n, rid, accept, inp) for n, rid, accept, inp in rows
         if rid in rules and not inp.startswith(("none", "capture:"))]
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "triggers.log")
    with open(path, "w") as f:
        for _, _, _, inp in lines:
            f.write(inp + "\n")
    out = subprocess.run([TLSALERT, "logs", "--json", path], capture_output=True, text=True)
by_line = {}
for l in out.stdout.splitlines():
    m = json.loads(l)
    by_line.setdefault(m["line"], []).append(m)
for i, (n, rid, accept, inp) in enumerate(lines, 1):
    r = rules[rid]
    allowed = {rid}
    if accept != "-":
        allowed.add(accept.split(":", 1)[0])
    if not any(fragment_matches(f, inp) for f in r["loglines"]):
        fails.append("%s: none of its fragments %s matches its line (TSV line %d)" %
                     (rid, r["loglines"], n))
    ms = by_line.get(i, [])
    want = "1 mention: sent, code %d, rule %s" % (r["alert"], " or ".join(sorted(allowed)))
    if len(ms) != 1:
        fails.append("%s: want %s; got %d mentions %s (TSV line %d)" % (
            rid, want, len(ms), [(m["code"], m["direction"], m.get("rule_id")) for m in ms], n))
        continue
    m = ms[0]
    got_rule = m.get("rule_id")
    top = m["causes"][0]["rule_id"] if m.get("causes") else None
    gr = rules.get(got_rule, {"notls": False, "peerclosed": [], "alert": -2})
    ok = (got_rule in allowed and
          m["direction"] == ("unknown" if gr["peerclosed"] else "sent") and
          m["code"] == (None if gr["notls"] or gr["peerclosed"] else gr["alert"]) and
          top == got_rule)
    if not ok:
        fails.append("%s: want %s, cause 1 from it; got code %s, %s, rule %s, cause 1 from %s "
                     "(TSV line %d)" % (rid, want, m["code"], m["direction"], got_rule, top, n))

# 3. Captures.
for n, rid, accept, inp in rows:
    if rid not in rules or not inp.startswith("capture:"):
        continue
    words = inp[len("capture:"):].split()
    bad = [w for w in words[1:] if w.split("=", 1)[0] not in ("client", "server") or "=" not in w]
    if bad or not words:
        fails.append("%s: capture row wants PATH [client=STACK] [server=STACK]; got %r "
                     "(TSV line %d)" % (rid, inp, n))
        continue
    cap = os.path.join(ROOT, words[0])
    cmd = [TLSALERT, "scan", "--json"]
    for w in words[1:]:
        side, stack = w.split("=", 1)
        cmd += ["--%s-stack" % side, stack]
    keylog = os.path.splitext(cap)[0] + ".keylog"
    if os.path.exists(keylog):
        cmd += ["--keylog", keylog]
    res = subprocess.run(cmd + [cap], capture_output=True, text=True)
    if res.returncode != 0:
        fails.append("%s: %s exited %d: %s (TSV line %d)" % (
            rid, " ".join(cmd[1:] + [words[0]]), res.returncode, res.stderr.strip(), n))
        continue
    tops = []
    for l in res.stdout.splitlines():
        o = json.loads(l)
        if o.get("causes"):
            tops.append(o["causes"][0].get("rule_id"))
    if rid not in tops:
        fails.append("%s: want it ranked first in %s; got %s (TSV line %d)" % (rid, inp, tops, n))

for f in fails:
    print("FAIL:", f)
print("causes_triggers: %d rules, %d log lines, %d captures, %d none, %d failures" % (
    len(rules), len(lines), sum(1 for r in rows if r[3].startswith("capture:")),
    sum(1 for r in rows if is_none(r[3])), len(fails)))
sys.exit(1 if fails else 0)
