#!/usr/bin/env python3
"""tests/data/diagnose/corpus.tsv (the hand-written diagnosis contexts that test_diagnose ranks)
has exactly one line per alert record of the corpus truth (tests/data/diagnose/truth.tsv, a copy
of /work/shared/corpus/truth.tsv), with the same alert code and the same sender."""
import csv
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
D = os.path.join(ROOT, "tests", "data", "diagnose")
fails = []

truth = {}
with open(os.path.join(D, "truth.tsv")) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        code = row["decrypted_code"] if row["description"] == "encrypted" else row["description"]
        sender = "client" if row["direction"] == "client_to_server" else "server"
        truth[(row["file"], row["frame_number"])] = (int(code), sender, row["level"])

seen = set()
with open(os.path.join(D, "corpus.tsv")) as f:
    lines = [l.rstrip("\n") for l in f if not l.startswith("#") and l.strip()]
for l in lines[1:]:
    f_ = l.split("\t")
    if len(f_) != 10:
        fails.append("bad line %r" % l)
        continue
    key = (f_[0], f_[1])
    if key in seen:
        fails.append("%s frame %s twice" % key)
    seen.add(key)
    t = truth.get(key)
    if t is None:
        fails.append("%s frame %s is not in truth.tsv" % key)
        continue
    if int(f_[2]) != t[0] or f_[4] != t[1]:
        fails.append("%s frame %s: corpus.tsv says %s from %s, truth %d from %s" %
                     (key + (f_[2], f_[4], t[0], t[1])))
    lvl = "unknown" if f_[3] == "-" else f_[3]
    if lvl != t[2]:
        fails.append("%s frame %s: level %s, truth %s" % (key + (lvl, t[2])))
for key in truth:
    if key not in seen:
        fails.append("%s frame %s has no diagnosis context" % key)
for f_ in fails:
    print("FAIL:", f_)
print("causes_corpus: %d truth rows, %d contexts, %d failures" % (len(truth), len(seen), len(fails)))
sys.exit(1 if fails else 0)
