#!/usr/bin/env bash
# The shape of the code in src/: no file over 900 lines, no function over 100
# lines (from its opening `{` at column 0 to the matching `}`, both counted),
# unless the comment block directly above the function says why, with a line
# holding "Long:" and a reason:
#   /* Long: one switch over every record type keeps the state machine in one place. */
# Before that it checks itself on planted files in a scratch directory.
MAX_FILE=900
MAX_FUNCTION=100
set -eu
cd "$(dirname "$0")/../.."
export MAX_FILE MAX_FUNCTION
exec python3 - <<'PY'
import os, re, shutil, sys, tempfile
sys.path.insert(0, "tests/scripts")
from c_source import strip_c

MAX_FILE = int(os.environ["MAX_FILE"])
MAX_FUNCTION = int(os.environ["MAX_FUNCTION"])
LONG = re.compile(r"\bLong:\s*\w")

def functions(text):
    """(name, first line, line count, has a "Long:" reason) of every function
    whose body opens with `{` at column 0."""
    lines, code = text.splitlines(), strip_c(text).splitlines()
    for i, line in enumerate(code):
        if not line.startswith("{"):
            continue
        depth, end = 0, None
        for j in range(i, len(code)):
            depth += code[j].count("{") - code[j].count("}")
            if depth <= 0:
                end = j
                break
        if end is None:
            end = len(code) - 1
        # the signature: the code lines right above the `{`
        sig = i
        while sig > 0 and code[sig - 1].strip() and not code[sig - 1].lstrip().startswith("#") \
                and not code[sig - 1].rstrip().endswith((";", "}", "{")):
            sig -= 1
        m = re.search(r"(\w+)\s*\(", " ".join(code[sig:i]))
        name = m.group(1) if m else "?"
        # the comment block directly above it: lines that are comment only
        top = sig
        while top > 0 and lines[top - 1].strip() and not code[top - 1].strip():
            top -= 1
        reason = any(LONG.search(l) for l in lines[top:sig])
        yield name, i + 1, end - i + 1, reason

def check(root):
    faults = []
    for d, _, files in sorted(os.walk(os.path.join(root, "src"))):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, root)
            text = open(path, encoding="utf-8", errors="replace").read()
            n = len(text.splitlines())
            if n > MAX_FILE:
                faults.append("%s: %d lines (at most %d)" % (rel, n, MAX_FILE))
            for name, line, count, reason in functions(text):
                if count > MAX_FUNCTION and not reason:
                    faults.append('%s:%d: %s(): %d lines (at most %d, or a comment above saying '
                                  '"Long:" and why)' % (rel, line, name, count, MAX_FUNCTION))
    return faults

def fn(name, lines, comment=""):
    """A function of exactly `lines` lines from its `{` to its `}`, braces in strings inside."""
    body = ['\tputs("{");', "\tif (x) {", "\t\tputc('}', stdout);", "\t}"]
    body += ["\tx++;"] * (lines - 2 - len(body))
    return comment + "static void %s(int x)\n{\n%s\n}\n\n" % (name, "\n".join(body))

def self_test():
    tmp = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(tmp, "src/lib"))
        with open(os.path.join(tmp, "src/lib/shape.c"), "w") as f:
            f.write(fn("ok_at_limit", MAX_FUNCTION))
            f.write(fn("over_limit", MAX_FUNCTION + 1))
            f.write(fn("long_with_reason", 110, "/*\n * Parses it all.\n * Long: one table walk.\n */\n"))
            f.write(fn("long_one_line_reason", 110, "// Long: kept whole for speed.\n"))
            f.write(fn("long_without_reason", 110, "/* Long: */\n"))
            f.write(fn("long_comment_apart", 110, "/* Long: a reason, but not directly above. */\n\n"))
            f.write("static int\nsplit_signature(int a,\n\tint b)\n{\n" + "\ta++;\n" * 101 + "\treturn b;\n}\n")
        with open(os.path.join(tmp, "src/lib/at_limit.h"), "w") as f:
            f.write("\n" * MAX_FILE)
        with open(os.path.join(tmp, "src/lib/over.h"), "w") as f:
            f.write("\n" * (MAX_FILE + 1))
        got = sorted(check(tmp))
    finally:
        shutil.rmtree(tmp)
    names = sorted(re.sub(r".*: (\w+)\(\).*", r"\1", g) for g in got if "()" in g)
    bad = []
    if names != ["long_comment_apart", "long_without_reason", "over_limit", "split_signature"]:
        bad.append("functions reported: %s" % names)
    if [g for g in got if "()" not in g] != ["src/lib/over.h: %d lines (at most %d)" % (MAX_FILE + 1, MAX_FILE)]:
        bad.append("files reported: %s" % [g for g in got if "()" not in g])
    over = [g for g in got if "over_limit()" in g]
    if not over or not over[0].startswith("src/lib/shape.c:%d: over_limit(): %d lines"
                                          % (MAX_FUNCTION + 4, MAX_FUNCTION + 1)):
        bad.append("over_limit reported as %s" % over)
    return bad

bad = self_test()
if bad:
    print("code_shape.sh self-test failed:\n  " + "\n  ".join(bad))
    sys.exit(1)
faults = check(".")
for f in faults:
    print(f)
if faults:
    print("code_shape: %d faults" % len(faults))
    sys.exit(1)
print("code_shape: src/ within %d lines a file, %d a function" % (MAX_FILE, MAX_FUNCTION))
PY
