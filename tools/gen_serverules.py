#!/usr/bin/env python3
"""Turn data/serve-rules.txt (how a peer must react to the alert `serve` sent)
into C: the rule table of the reaction judge (src/lib/net/reaction_judge.c).

usage: gen_serverules.py DATA_DIR OUT_HEADER

Checks every stanza (the keys, each once; known values; a unique id; no
reaction both allowed and forbidden; an RFC reference) and the table as a
whole: every case of the three judged versions is matched by a stanza before
the catch-all, the last stanza matches everything, and every stanza is the
first match of at least one case (none is hidden by those above it).  Any
mistake fails the build with file:line.
"""
import itertools
import os
import re
import sys

KEYS = ("id", "version", "level", "code", "shape", "plaintext", "follows", "violates", "rfc",
        "says", "note")
OPTIONAL = ("follows", "violates", "note")
# Token -> bit, in the order of the C enums (include/tlsalert/reaction.h).
CLASSES = {
    "version": ["tls1.2", "tls1.3", "dtls1.2", "other"],
    "level": ["warning", "fatal", "bogus"],
    "code": ["close_notify", "user_canceled", "known", "unknown"],
    "shape": ["normal", "fragmented", "split", "double", "repeat", "empty", "coalesced"],
    "plaintext": ["no", "yes"],
}
KINDS = ["continue", "alert", "close_notify", "opaque", "close", "hang"]


def mask(where, key, value, tokens):
    if value.strip() == "*":
        return (1 << len(tokens)) - 1
    m = 0
    for t in value.split():
        if t not in tokens:
            sys.exit("%s: %s: %r is not one of %s" % (where, key, t, " ".join(tokens)))
        if m & (1 << tokens.index(t)):
            sys.exit("%s: %s: %r twice" % (where, key, t))
        m |= 1 << tokens.index(t)
    if not m:
        sys.exit("%s: %s is empty" % (where, key))
    return m


def load(path):
    rows, cur, start = [], {}, 0
    lines = open(path, encoding="utf-8").read().split("\n")
    for n, line in enumerate(lines + [""], 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                rows.append((start, cur))
                cur = {}
            continue
        if not cur:
            start = n
        k, sep, v = line.partition(":")
        if not sep or k not in KEYS or k in cur:
            sys.exit("%s:%d: expected one of %s once per stanza" % (path, n, ", ".join(KEYS)))
        cur[k] = v.strip()
    out, ids = [], set()
    for line, s in rows:
        where = "%s:%d" % (path, line)
        missing = [k for k in KEYS if k not in s and k not in OPTIONAL]
        if missing:
            sys.exit("%s: missing %s" % (where, ", ".join(missing)))
        if not re.match(r"[a-z][a-z0-9-]*\Z", s["id"]) or s["id"] in ids:
            sys.exit("%s: bad or duplicate id %r" % (where, s["id"]))
        ids.add(s["id"])
        r = {"id": s["id"], "line": line}
        for k, tokens in CLASSES.items():
            r[k] = mask(where, k, s[k], tokens)
        for k in ("follows", "violates"):
            r[k] = mask(where, k, s[k], KINDS) if k in s else 0
        if r["follows"] & r["violates"]:
            sys.exit("%s: a reaction both follows and violates" % where)
        if s["rfc"] != "-" and not re.match(r"RFC \d{4} \d+(\.\d+)*\Z", s["rfc"]):
            sys.exit("%s: rfc must read 'RFC NNNN S.S'" % where)
        if (s["rfc"] == "-") != (s["says"] == "-") or (s["rfc"] == "-" and (r["follows"] or
                                                                           r["violates"])):
            sys.exit("%s: a rule without an RFC sentence can only say 'no rule'" % where)
        for k in ("says", "note", "rfc"):
            if "\\" in s.get(k, ""):
                sys.exit("%s: %s holds a backslash" % (where, k))
        r["rfc"] = None if s["rfc"] == "-" else s["rfc"]
        r["says"] = None if s["says"] == "-" else s["says"]
        r["note"] = s.get("note")
        out.append(r)
    if not out:
        sys.exit("%s: no rules" % path)
    check_table(path, out)
    return out


def check_table(path, rows):
    axes = [list(range(len(CLASSES[k]))) for k in CLASSES]
    last = rows[-1]
    if any(last[k] != (1 << len(t)) - 1 for k, t in CLASSES.items()):
        sys.exit("%s:%d: the last stanza must match every case" % (path, last["line"]))
    first = {}
    for case in itertools.product(*axes):
        hit = None
        for i, r in enumerate(rows):
            if all(r[k] >> v & 1 for k, v in zip(CLASSES, case)):
                hit = i
                break
        if hit is None:
            sys.exit("%s: no stanza matches %s" % (path, dict(zip(CLASSES, case))))
        first.setdefault(hit, case)
        if hit == len(rows) - 1 and case[0] != CLASSES["version"].index("other"):
            sys.exit("%s: only the catch-all matches %s" %
                     (path, " ".join(CLASSES[k][v] for k, v in zip(CLASSES, case))))
    for i, r in enumerate(rows):
        if i not in first:
            sys.exit("%s:%d: %s is hidden by the stanzas above it" % (path, r["line"], r["id"]))


def cstr(s):
    return "NULL" if s is None else '"%s"' % s.replace('"', '\\"')


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_serverules.py DATA_DIR OUT_HEADER")
    rows = load(os.path.join(sys.argv[1], "serve-rules.txt"))
    out = ["/* Generated by tools/gen_serverules.py from data/serve-rules.txt: do not edit. */",
           "static const struct tlsa_reaction_rule serve_rules[] = {"]
    for r in rows:
        out.append("\t{%s, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x,\n\t %s,\n\t %s,\n\t %s}," %
                   (cstr(r["id"]), r["version"], r["level"], r["code"], r["shape"],
                    r["plaintext"], r["follows"], r["violates"], cstr(r["rfc"]),
                    cstr(r["says"]), cstr(r["note"])))
    out += ["};", ""]
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("\n".join(out))
    os.replace(tmp, sys.argv[2])


main()
