#!/usr/bin/env python3
"""The compiled cause tables agree with data/causes.txt and data/causes-*.txt.

1. tools/gen_causes.py and tools/gen_localerrors.py run now give the headers the build compiled
   ($BUILD/gen/causes_data.h, $BUILD/gen/localerrors_data.h: the text layer's local errors).
2. For every stack and every alert code, `tlsalert explain --json --stack S CODE` lists exactly
   the data's rules for that stack and code, in data order, with the same cause, sender,
   steps, versions, conditions, situation, error text and fix, and exactly the data's
   "never" entries.
3. Every cause id and step of the data, and every fact a rule may test (the one list,
   tools/causes_data.py), is documented in docs/causes.md.
4. Every alert code a stack sends according to the reference tables
   (tests/data/diagnose/tsv-codes.tsv) has at least one rule for that stack.
5. The binary knows every `logline` fragment of the data: a line "error: FRAGMENT" ('*' as
   " x ") gives one mention, sent, whose `rule_fragment` is a fragment of its `rule_id` in the data
   and whose code is that rule's (null, with not_tls true, for a `notls` rule); the
   rule is the fragment's own, or one whose fragment has at least as many literal characters (an equal or more specific text, docs/causes.md).
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from causes_data import NUM_FACTS, TRI_FACTS, load_causes  # noqa: E402

fails = []
build = os.environ.get("BUILD", "build")
for name in ("causes", "localerrors"):
    built = os.path.join(ROOT, build, "gen", "%s_data.h" % name)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, "%s_data.h" % name)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_%s.py" % name),
                        os.path.join(ROOT, "data"), fresh], check=True)
        with open(fresh) as a, open(built) as b:
            if a.read() != b.read():
                fails.append("%s is stale: it differs from what tools/gen_%s.py makes now"
                             % (built, name))

data = load_causes(os.path.join(ROOT, "data"))
stacks = [s["stack"] for s in data["stacks"]]
codes = sorted({r["alert"] for r in data["rules"]} | {n["alert"] for n in data["nevers"]})
fix_of = {c["cause"]: c["fix"] for c in data["causes"]}
checked = 0
for st in stacks:
    args = [os.environ["TLSALERT"], "explain", "--json", "--stack", st] + [str(c) for c in codes]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()
    if len(out) != len(codes):
        fails.append("%s: %d lines for %d codes" % (st, len(out), len(codes)))
        continue
    for code, line in zip(codes, out):
        obj = json.loads(line)
        want = [r for r in data["rules"] if r["alert"] == code and
                (r["stack"] == "*" or st in r["stack"].split())]
        got = obj["stack_situations"]
        if [r["rule"] for r in want] != [g["rule_id"] for g in got]:
            fails.append("%s %d: rules %s, binary %s" % (st, code, [r["rule"] for r in want],
                                                          [g["rule_id"] for g in got]))
            continue
        for r, g in zip(want, got):
            exp = {"cause": r["cause"], "sender": r["sender"],
                   "versions": r.get("versions", "").split(),
                   "steps": r.get("steps", "").split(), "when": r.get("when", "").split(),
                   "situation": r["situation"], "error": r["error"],
                   "fix": r.get("fix") or fix_of[r["cause"]], "weight": r["weight"]}
            for k, v in exp.items():
                if g[k] != v:
                    fails.append("%s: %s differs: data %r, binary %r" % (r["rule"], k, v, g[k]))
            checked += 1
        nwant = [n["text"] for n in data["nevers"] if n["alert"] == code and n["never"] == st]
        if nwant != [n["text"] for n in obj["stack_never"]]:
            fails.append("%s %d: never entries differ" % (st, code))
        if obj["stack"] != st:
            fails.append("%s: explain reports stack %r" % (st, obj["stack"]))

# Every rule was seen at least once (rules of "*" once per stack).
if checked < len(data["rules"]):
    fails.append("only %d rule rows checked for %d rules" % (checked, len(data["rules"])))

# 4. Every (stack, code) the reference tables list has at least one rule.
with open(os.path.join(ROOT, "tests", "data", "diagnose", "tsv-codes.tsv")) as f:
    rows = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")][1:]
for st, src, codes in rows:
    for code in map(int, codes.split()):
        if not any(r["alert"] == code and (r["stack"] == "*" or st in r["stack"].split())
                   for r in data["rules"]):
            fails.append("%s sends %d (%s) but no rule covers it" % (st, code, src))

# 5. The local-error matcher of the binary has the data's fragments.
frags = [(r, fr) for r in data["rules"] for fr in r["loglines"]]
rule_of = {r["rule"]: r for r in data["rules"]}
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "fragments.log")
    with open(path, "w") as f:
        for _, fr in frags:
            f.write("error: " + fr.replace("*", " x ") + "\n")
    out = subprocess.run([os.environ["TLSALERT"], "logs", "--json", path], capture_output=True,
                         text=True).stdout
got = {}
for line in out.splitlines():
    m = json.loads(line)
    got.setdefault(m["line"], []).append(m)
lit = lambda fr: len(fr.replace("*", ""))  # noqa: E731
for i, (r, fr) in enumerate(frags, 1):
    ms = got.get(i, [])
    if len(ms) != 1 or ms[0].get("rule_id") not in rule_of:
        fails.append("%s: fragment %r gives %s" % (r["rule"], fr, [(m["code"], m.get("rule_id"))
                                                                  for m in ms]))
        continue
    m = ms[0]
    other = rule_of[m["rule_id"]]
    # a `notls` rule's line received no alert: code null, not_tls true
    # a `peerclosed` rule's line: no alert either way, direction unknown, peer_closed true
    code = None if other["notls"] or other["peerclosed"] else other["alert"]
    want_dir = "unknown" if other["peerclosed"] else "sent"
    if (m["direction"] != want_dir or m["code"] != code or
            m.get("not_tls") != other["notls"] or
            m.get("peer_closed") != bool(other["peerclosed"]) or
            m.get("rule_fragment") not in other["loglines"] or
            (other is not r and lit(m["rule_fragment"]) < lit(fr))):
        fails.append("%s: fragment %r gives %s %s rule %s text %r" % (
            r["rule"], fr, m["code"], m["direction"], m["rule_id"], m.get("rule_fragment")))

with open(os.path.join(ROOT, "docs", "causes.md")) as f:
    doc = f.read()
for c in data["causes"]:
    if "`%s`" % c["cause"] not in doc:
        fails.append("docs/causes.md does not document cause %s" % c["cause"])
for s in data["steps"]:
    if "`%s`" % s["step"] not in doc:
        fails.append("docs/causes.md does not document step %s" % s["step"])
for fact in TRI_FACTS + NUM_FACTS:
    if "`%s`" % fact not in doc:
        fails.append("docs/causes.md does not document fact %s" % fact)

for f in fails:
    print("FAIL:", f)
print("causes_sync: %d rules, %d rule rows compared, %d log fragments, %d failures" %
      (len(data["rules"]), checked, len(frags), len(fails)))
sys.exit(1 if fails else 0)
