#!/usr/bin/env python3
"""The compiled registry agrees with data/alerts.txt and with IANA's registry.

Runs `tlsalert list --all --json` and compares every field with the data file
(the build's source), and the assigned/reserved values and names with a copy
of IANA's registry (tests/data/reference/iana-registry.csv).
"""
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from registry_data import load_alerts  # noqa: E402

fails = []
out = subprocess.run([os.environ["TLSALERT"], "list", "--all", "--json"], check=True,
                     capture_output=True, text=True).stdout
rows = [json.loads(line) for line in out.splitlines()]
if [r["code"] for r in rows] != list(range(256)):
    fails.append("list --all does not hold exactly the values 0-255 in order")

data = load_alerts(os.path.join(ROOT, "data", "alerts.txt"))
for r in rows:
    e = data.get(r["code"])
    if e is None:
        if r["status"] != "unassigned" or r["name"] != "unassigned":
            fails.append("%d: should be unassigned" % r["code"])
        continue
    for key, jkey in (("name", "name"), ("status", "status"), ("summary", "meaning"),
                      ("says", "sender_says"), ("check", "receiver_checks"),
                      ("tls13note", "tls13_note"), ("sender", "sender"), ("rfcs", "rfcs"),
                      ("causes", "common_causes")):
        if e[key] != r[jkey]:
            fails.append("%d: %s differs: data %r, binary %r" % (r["code"], key, e[key], r[jkey]))
    for vk, jk in (("ssl3", "ssl3"), ("tls10", "tls1.0"), ("tls11", "tls1.1"), ("tls12", "tls1.2"),
                   ("tls13", "tls1.3"), ("tls11", "dtls1.0"), ("tls12", "dtls1.2")):
        if e[vk] != r["levels"][jk]:
            fails.append("%d: level rule %s differs" % (r["code"], jk))
    if e.get("dtls13", e["tls13"]) != r["levels"]["dtls1.3"]:
        fails.append("%d: level rule dtls1.3 differs" % r["code"])

with open(os.path.join(ROOT, "tests", "data", "reference", "iana-registry.csv")) as f:
    iana = {int(row["value"]): row["name"] for row in csv.DictReader(f)}
listed = {r["code"]: r["name"] for r in rows if r["status"] in ("assigned", "reserved")}
if listed != iana:
    fails.append("assigned+reserved values differ from IANA: only ours %s, only IANA %s, names %s" % (
        sorted(set(listed) - set(iana)), sorted(set(iana) - set(listed)),
        [(k, listed[k], iana[k]) for k in set(listed) & set(iana) if listed[k] != iana[k]]))

default = subprocess.run([os.environ["TLSALERT"], "list", "--json"], check=True,
                         capture_output=True, text=True).stdout
dl = {json.loads(x)["code"]: json.loads(x)["name"] for x in default.splitlines()}
if dl != iana:
    fails.append("`list --json` is not exactly the IANA assigned and reserved values")

for f in fails:
    print("FAIL:", f)
print("registry_sync: %d values checked, %d failures" % (len(rows), len(fails)))
sys.exit(1 if fails else 0)
