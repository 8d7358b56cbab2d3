#!/usr/bin/env bash
# The long tail of issue 13, measured on real lines: tests/data/logs/families.tsv holds
# records of each family (Java debug blocks, s_client -msg bodies, rustls dumps, SChannel
# XML and HRESULTs, hex dumps, mbedTLS codes, LibreSSL, Erlang, Haskell, wolfSSL,
# harness prose, NSS in URLs, Wireshark paraphrases, CamelCase) with their public
# source.  Each record is scanned alone by `tlsalert logs --json`: its first mention
# must give the code and direction of the row, and a record of several lines must give
# ONE mention spanning them (line 1 to its last line: `line`, `end_line`).  At least 99 %
# of the records must be right, and no line of families-none.txt may give a mention.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
bin=$BUILD/tlsalert
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
[ -x "$bin" ] || { echo "no $bin"; exit 1; }
BIN=$bin python3 - <<'PY'
import json, os, subprocess, sys, tempfile

binp = os.environ["BIN"]

def scan(text):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False, encoding="utf-8") as f:
        f.write(text + "\n")
        name = f.name
    try:
        out = subprocess.run([binp, "logs", "--json", name], capture_output=True, text=True)
    finally:
        os.unlink(name)
    if out.returncode not in (0, 1):
        sys.exit("tlsalert logs failed (%d): %s" % (out.returncode, out.stderr))
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]

rows, wrong = 0, []
for n, raw in enumerate(open("tests/data/logs/families.tsv", encoding="utf-8"), 1):
    raw = raw.rstrip("\n")
    if not raw or raw.startswith("#"):
        continue
    code, direction, source, text = raw.split("\t", 3)
    lines = text.split("\u2424")
    rows += 1
    ms = scan("\n".join(lines))
    want = None if code == "null" else int(code)
    why = None
    if not ms:
        why = "no mention"
    elif ms[0]["code"] != want or ms[0]["direction"] != direction:
        why = "gave %s %s (%s)" % (ms[0]["code"], ms[0]["direction"], ms[0]["pattern"])
    elif len(lines) > 1:
        if len(ms) != 1:
            why = "%d mentions for one record" % len(ms)
        elif ms[0]["end_line"] < ms[0]["line"] or ms[0]["end_line"] > len(lines):
            why = "lines %d..%d of %d" % (ms[0]["line"], ms[0]["end_line"], len(lines))
        elif ms[0]["end_line"] == ms[0]["line"]:
            why = "one line of a record over %d" % len(lines)
    if why:
        wrong.append("families.tsv:%d: want %s %s: %s" % (n, code, direction, why))

fp = []
for n, raw in enumerate(open("tests/data/logs/families-none.txt", encoding="utf-8"), 1):
    raw = raw.rstrip("\n")
    if not raw or raw.startswith("#"):
        continue
    for m in scan(raw):
        if m["pattern"] != "local-error":
            fp.append("families-none.txt:%d: %s %s %s" % (n, m["code"], m["direction"], m["pattern"]))

right = rows - len(wrong)
print("families: %d/%d records right (%.1f %%), %d false mentions" %
      (right, rows, 100.0 * right / max(rows, 1), len(fp)))
for w in wrong + fp:
    print("  " + w)
if rows < 50 or right * 100 < rows * 99 or fp:
    sys.exit(1)
PY
