#!/usr/bin/env python3
"""Turn data/log-patterns.txt into the tables of the text recogniser.

usage: gen_logpatterns.py DATA_DIR OUT_HEADER

Checks what can be checked without C: unique ids, known directions and kinds,
every anchor holds a needle, every pattern has a sample that holds one of its
anchors, map codes exist in data/alerts.txt.  That each regex compiles and each
sample gives its code is checked by tests/unit/test_text_patterns.c.
"""
import re
import sys

from registry_data import load_alerts

DIRS = {"received": "TLSA_TEXT_RECEIVED", "sent": "TLSA_TEXT_SENT", "unknown": "TLSA_TEXT_UNKNOWN"}
KINDS = {"name": "LP_NAME", "namex": "LP_NAMEX", "name?": "LP_NAMEOPT", "name#": "LP_NAMENUM", "num": "LP_NUM",
         "hexnum": "LP_HEXNUM",
         "reason": "LP_REASON", "hexreason": "LP_HEXREASON", "decreason": "LP_DECREASON",
         "curl": "LP_CURL", "quic": "LP_QUIC", "quicany": "LP_QUICANY", "map": "LP_MAP", "fixed": "LP_FIXED",
         "none": "LP_NONE", "body": "LP_BODY"}


def cstr(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch in '\\"?':
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7f:
            out.append(ch)
        else:
            out.extend("\\%03o" % b for b in ch.encode("utf-8"))
    return '"' + "".join(out) + '"'


def unquote(s):
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        return s[1:-1]
    return s


UNLIMITED = 65535

# What a pattern's `transport` line may say (the mention's `transport`; NULL without one).
TRANSPORTS = ["quic"]


def literal_start(regex):
    """(text, boundary): the literal text every match starts with, after an optional
    leading boundary group "(^|[...])" (boundary 1 when present)."""
    i, boundary = 0, 0
    m = re.match(r"\(\^\|\[[^\]]*\]\)", regex)
    if m:
        boundary, i = 1, m.end()
    lit = ""
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex) and regex[i + 1] in "()[].?*+{}|^$\\":
            lit += regex[i + 1]
            i += 2
            continue
        if ch in "()[].?*+{}|^$":
            break
        lit += ch
        i += 1
    if i < len(regex) and regex[i] in "?*{" and lit:
        lit = lit[:-1]
    return lit, boundary


def auto_lookback(anchor, regex):
    """How far before the anchor a match can start, from the regex's literal start:
    0 (plus 1 for a leading boundary group "(^|[...])") when the regex starts with the
    anchor text, else UNLIMITED.  Patterns say more with "ANCHOR@N"."""
    lit, boundary = literal_start(regex)
    lit = lit.lower()
    if lit and (lit.startswith(anchor) or anchor.startswith(lit)):
        return boundary
    if lit and anchor in lit:
        return lit.index(anchor) + boundary
    return UNLIMITED


def longest_needle(needles, text):
    """(needle index, offset) of the longest needle `text` holds, or None."""
    best = None
    for ni, nd in enumerate(needles):
        at = text.find(nd)
        if at >= 0 and (best is None or len(nd) > len(needles[best[0]])):
            best = (ni, at)
    return best


def parse_kind(n, kspec, fail):
    """(kind, group, arg, map name) of a KIND field without its ",case" suffix."""
    parts = kspec.split(":")
    k = parts[0]
    if k not in KINDS:
        fail(n, "unknown kind %r" % k)
    group, arg, mapname = 0, 0, None
    if k == "map":
        if len(parts) != 3:
            fail(n, "map kind is map:NAME:GROUP")
        mapname, group = parts[1], int(parts[2])
    elif k == "fixed":
        arg = int(parts[1])
    elif k not in ("none", "body"):
        if len(parts) != 2:
            fail(n, "kind %s needs :GROUP" % k)
        group = int(parts[1])
    if group > 9:
        fail(n, "group numbers are 1-9")
    return k, group, arg, mapname


# A record split over lines: at most this many lines between its header and its body.
CTX_MAX_LINES = 16


def main():
    data_dir, out_path = sys.argv[1], sys.argv[2]
    path = data_dir + "/log-patterns.txt"
    alerts = load_alerts(data_dir + "/alerts.txt")
    needles, fingerprints, maps, patterns, samples, gates, ctx = [], [], {}, [], [], [], []
    ids = set()

    def fail(n, msg):
        raise SystemExit("%s:%d: %s" % (path, n, msg))

    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            kind = line.split("\t", 1)[0]
            if kind == "needle":
                f_ = line.split("\t")
                if len(f_) != 3:
                    fail(n, "expected: needle TEXT AT")
                text, at = unquote(f_[1]).lower(), int(f_[2])
                if len(text) < 3 or len(text) > 16:
                    fail(n, "needles are 3-16 characters")
                if at < 0 or at + 3 > len(text):
                    fail(n, "the fingerprint (3 bytes at AT) must lie inside the needle")
                needles.append(text)
                fingerprints.append(at)
            elif kind == "gate":
                f_ = line.split("\t")
                if len(f_) != 2 or not unquote(f_[1]):
                    fail(n, "expected: gate TEXT")
                gates.append((unquote(f_[1]).lower(), n))
            elif kind == "map":
                f_ = line.split("\t")
                if len(f_) != 4:
                    fail(n, "expected: map NAME KEY CODE")
                code = int(f_[3])
                if code not in alerts:
                    fail(n, "code %d is not in data/alerts.txt" % code)
                m = maps.setdefault(f_[1], {})
                key = f_[2].lower()
                if key in m:
                    fail(n, "duplicate key %r" % key)
                m[key] = code
            elif kind == "pattern":
                f_ = line.split("\t", 6)
                if len(f_) != 7:
                    fail(n, "expected: pattern ID STACK DIRECTION KIND ANCHORS REGEX")
                _, pid, stack, direction, kspec, anchors, regex = f_
                if pid in ids:
                    fail(n, "duplicate id %r" % pid)
                ids.add(pid)
                if direction not in DIRS:
                    fail(n, "direction must be received, sent or unknown")
                icase = True
                if kspec.endswith(",case"):
                    icase, kspec = False, kspec[:-5]
                k, group, arg, mapname = parse_kind(n, kspec, fail)
                if k == "fixed" and arg not in alerts:
                    fail(n, "fixed code %d is not in data/alerts.txt" % arg)
                alist = []
                for a in anchors.split(" | "):
                    a, back = a.strip(), None
                    at = a.rfind("@")
                    if at > 0 and a[at + 1:].isdigit() and (a[at - 1] == '"' or " " not in a[at:]):
                        a, back = a[:at], int(a[at + 1:])
                    a = unquote(a).lower()
                    if not a:
                        fail(n, "empty anchor")
                    if back is None:
                        back = auto_lookback(a, regex)
                    alist.append((a, back))
                patterns.append(dict(id=pid, stack=stack, dir=direction, kind=k, group=group,
                                     arg=arg, map=mapname, icase=icase, anchors=alist,
                                     regex=regex, line=n, transport=None))
            elif kind == "transport":
                f_ = line.split("\t")
                if len(f_) != 2 or not patterns or f_[1] not in TRANSPORTS:
                    fail(n, "expected: transport %s after a pattern" % "|".join(TRANSPORTS))
                if patterns[-1]["transport"] is not None:
                    fail(n, "a second transport line for %s" % patterns[-1]["id"])
                patterns[-1]["transport"] = f_[1]
            elif kind in ("follow", "before"):
                f_ = line.split("\t", 3)
                if len(f_) != 4 or not patterns:
                    fail(n, "expected: %s LINES %s REGEX after a pattern" %
                         (kind, "KIND" if kind == "follow" else "DIRECTION"))
                lines_ = int(f_[1])
                if not 1 <= lines_ <= CTX_MAX_LINES:
                    fail(n, "LINES is 1-%d" % CTX_MAX_LINES)
                k, group, arg, mapname, direction = "none", 0, 0, None, "unknown"
                if kind == "follow":
                    k, group, arg, mapname = parse_kind(n, f_[2], fail)
                else:
                    direction = f_[2]
                    if direction not in DIRS:
                        fail(n, "direction must be received, sent or unknown")
                ctx.append(dict(pattern=len(patterns) - 1, lines=lines_, follow=kind == "follow",
                                dir=direction, kind=k, group=group, arg=arg, map=mapname,
                                regex=f_[3], line=n))
            elif kind == "sample":
                f_ = line.split("\t", 2)
                if len(f_) != 3 or not patterns:
                    fail(n, "expected: sample CODE TEXT after a pattern")
                code = -1 if f_[1] == "null" else int(f_[1])
                if code != -1 and code not in alerts:
                    fail(n, "code %d is not in data/alerts.txt" % code)
                p = patterns[-1]
                if not any(a in f_[2].lower() for a, _ in p["anchors"]):
                    fail(n, "sample holds none of the anchors of %s" % p["id"])
                # "␤" (the symbol for newline) separates the lines of a sample of a
                # record over several lines.
                samples.append((len(patterns) - 1, code, f_[2].replace("\u2424", "\n")))
            else:
                fail(n, "unknown line type %r" % kind)

    if not gates:
        raise SystemExit("%s: no gate needle (local errors would never be looked for)" % path)
    if not needles or len(needles) > 24:
        raise SystemExit("%s: 1-24 needles" % path)
    prints = sorted(set(nd[at:at + 3] for nd, at in zip(needles, fingerprints)))
    if len(prints) > 8:
        raise SystemExit("%s: %d distinct needle fingerprints, at most 8" % (path, len(prints)))
    map_names = sorted(maps)
    anchors = []  # (needle index, offset of the needle in the anchor, anchor, pattern index)
    for pi, p in enumerate(patterns):
        if p["map"] is not None and p["map"] not in maps:
            fail(p["line"], "no map named %r" % p["map"])
        if not any(s[0] == pi for s in samples):
            fail(p["line"], "pattern %s has no sample" % p["id"])
        for a, back in p["anchors"]:
            best = longest_needle(needles, a)
            if best is None:
                fail(p["line"], "anchor %r holds no needle" % a)
            if len(a) > 64:
                fail(p["line"], "anchor %r is longer than 64 characters" % a)
            anchors.append((best[0], best[1], a, pi, back))
    # A gate is an anchor of no pattern (index LP_N_PATTERNS): the line is searched for
    # local errors.
    for g, line in gates:
        best = longest_needle(needles, g)
        if best is None:
            fail(line, "gate %r holds no needle" % g)
        anchors.append((best[0], best[1], g, len(patterns), 0))
    anchors.sort(key=lambda x: (x[0], x[3]))

    out = ["/* Generated by tools/gen_logpatterns.py from data/log-patterns.txt. Do not edit. */",
           "", "#define LP_N_NEEDLES %d" % len(needles),
           "#define LP_N_PATTERNS %d" % len(patterns),
           "#define LP_N_MAPS %d" % len(map_names),
           "#define LP_N_CTX %d" % len(ctx),
           "#define LP_CTX_MAX_LINES %d" % CTX_MAX_LINES, "",
           "/* The tables are static: each file of src/lib/text/ that uses some asks for them",
           " * (LP_TABLES_MAPS, LP_TABLES_SCAN) before including this, the others get the counts. */",
           "#if defined(LP_TABLES_SCAN)",
           "static const char *const lp_needles[LP_N_NEEDLES] = {%s};" %
           ", ".join(cstr(x) for x in needles),
           "static const unsigned char lp_needle_at[LP_N_NEEDLES] = {%s};" %
           ", ".join(str(x) for x in fingerprints),
           "#endif", "", "#if defined(LP_TABLES_MAPS)"]
    for mi, name in enumerate(map_names):
        out.append("static const struct lp_map_entry lp_map_%d[] = { /* %s */" % (mi, name))
        for key in sorted(maps[name]):
            out.append("\t{%s, %d}," % (cstr(key), maps[name][key]))
        out.append("};")
    out.append("static const struct lp_map lp_maps[%d] = {" % max(1, len(map_names)))
    for mi, name in enumerate(map_names):
        out.append("\t{%s, lp_map_%d, %d}," % (cstr(name), mi, len(maps[name])))
    if not map_names:
        out.append("\t{\"\", NULL, 0},")
    out.append("};")
    out.append("#endif")
    out.append("")
    out.append("#if defined(LP_TABLES_SCAN)")
    out.append("static const struct lp_pattern lp_patterns[LP_N_PATTERNS] = {")
    for p in patterns:
        lit, boundary = literal_start(p["regex"])
        if len(lit) < 3:
            lit, boundary = "", 0
        out.append("\t{%s, %s, %s, %s, %d, %d, %d, %d, %s, %s, %d, %s}," % (
            cstr(p["id"]), cstr(p["stack"]), DIRS[p["dir"]], KINDS[p["kind"]], p["group"],
            p["arg"], map_names.index(p["map"]) if p["map"] else -1, 1 if p["icase"] else 0,
            cstr(p["regex"]), cstr(lit.lower() if p["icase"] else lit), boundary,
            cstr(p["transport"]) if p["transport"] else "NULL"))
    out.append("};")
    out.append("")
    out.append("/* Records over several lines: a pattern's follow (body below) and before")
    out.append(" * (header above) lines, in pattern order. */")
    out.append("#endif")
    out.append("#if defined(LP_TABLES_CTX)")
    out.append("static const bool lp_kind_body[LP_N_PATTERNS] = {%s};" %
               ", ".join("1" if p["kind"] == "body" else "0" for p in patterns))
    out.append("static const struct lp_ctx lp_ctx[%d] = {" % max(1, len(ctx)))
    for c in ctx:
        if c["map"] is not None and c["map"] not in maps:
            fail(c["line"], "no map named %r" % c["map"])
        out.append("\t{%d, %d, %d, %s, %s, %d, %d, %d, %s}," % (
            c["pattern"], c["lines"], 1 if c["follow"] else 0, DIRS[c["dir"]], KINDS[c["kind"]],
            c["group"], c["arg"], map_names.index(c["map"]) if c["map"] else -1,
            cstr(c["regex"])))
    if not ctx:
        out.append("\t{65535, 0, 0, TLSA_TEXT_UNKNOWN, LP_NONE, 0, 0, -1, \"\"},")
    out.append("};")
    out.append("#endif")
    out.append("#if defined(LP_TABLES_SCAN)")
    out.append("")
    out.append("/* Sorted by needle: lp_needle_first[i] is the first anchor of needle i. */")
    out.append("static const struct lp_anchor lp_anchors[%d] = {" % len(anchors))
    for ni, at, a, pi, back in anchors:
        out.append("\t{%s, %d, %d, %d, %d, %d}," % (cstr(a), len(a), ni, at, pi, back))
    out.append("};")
    first = []
    for ni in range(len(needles) + 1):
        first.append(next((i for i, x in enumerate(anchors) if x[0] >= ni), len(anchors)))
    out.append("static const unsigned short lp_needle_first[LP_N_NEEDLES + 1] = {%s};" %
               ", ".join(str(x) for x in first))
    out.append("")
    out.append("static const struct lp_sample lp_samples[%d] = {" % len(samples))
    for pi, code, text in samples:
        out.append("\t{%d, %d, %s}," % (pi, code, cstr(text)))
    out.append("};")
    out.append("#endif")
    with open(out_path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
