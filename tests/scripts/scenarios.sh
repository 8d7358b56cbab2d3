#!/usr/bin/env bash
# Issue 11 acceptance: the scenario matrix (tests/data/scenarios, made by its make.sh from
# real loopback connections between OpenSSL, GnuTLS, Go, Python, NSS and Java).  For every
# row of scenarios.tsv, `tlsalert scan --json` must report the expected alert (the first
# alert that is not close_notify; alert "-": none at all), its sender and the expected cause
# first in `causes` (for a connection without an alert: the first cause of its --summary
# line).  A capture with a key log is scanned with it; one whose alert is plaintext on the
# wire (column plain = yes) is also scanned without it, which must give the same answer.
#
# Rows that are wrong today are listed in tests/data/scenarios/known-wrong.tsv with what
# they give.  The script fails when a row not listed there is wrong (a regression) and when
# a listed row is right (the list only shrinks: remove the row).  Its last line counts the
# right and known-wrong checks.  An expected cause must be an id of data/causes.txt unless
# its row is known to be wrong.  Alert "?" is an alert whose code cannot be read (an
# encrypted alert of a connection whose handshake is not in the capture).
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v python3 >/dev/null || { echo "scenarios: python3 is missing"; exit 77; }
unset SSLKEYLOGFILE
cd tests/data/scenarios || exit 2
python3 - "$TLSALERT" <<'PY'
import json, os, subprocess, sys

tlsalert = sys.argv[1]


def table(path, ncol):
    rows = []
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) != ncol:
            sys.exit("%s: %d columns, want %d: %s" % (path, len(f), ncol, line.strip()))
        rows.append(f)
    return rows[1:]


def scan(name, keylog, summary):
    cmd = [tlsalert, "scan", "--json"]
    if summary:
        cmd.append("--summary")
    if keylog:
        cmd += ["--keylog", name + ".keylog"]
    p = subprocess.run(cmd + [name + ".pcap"], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        return None, "exit status %d: %s" % (p.returncode, p.stderr.strip())
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()], None


def code_of(a):
    """The alert's code, else its likely code, else "?" (an alert whose code cannot be read)."""
    c = a.get("description")
    c = a.get("likely") if c is None else c
    return "?" if c is None else c


def top(objs):
    c = objs.get("causes") or []
    return c[0]["id"] if c else "none"


def check(row, keylog):
    """What scan gives for the row, as the TSV spells it, and whether it is right."""
    name, _, _, _, alert, sender, cause = row[:7]
    events, err = scan(name, keylog, False)
    if err:
        return False, err
    alerts = [e for e in events if "sender" in e and code_of(e) != 0 and e.get("type") != "connection"]
    if alert == "-":
        if alerts:
            a = alerts[0]
            return False, "alert %s from %s, cause %s" % (code_of(a), a.get("sender"), top(a))
        conns, err = scan(name, keylog, True)
        if err:
            return False, err
        conns = [c for c in conns if c.get("type") == "connection"]
        if len(conns) != 1:
            return False, "%d connections" % len(conns)
        # a connection's causes: its own, else those of its plain-text answer
        got = top(conns[0]) if conns[0].get("causes") else top(conns[0].get("plaintext") or {})
        return got == cause, "no alert (%s), cause %s" % (conns[0].get("outcome"), got)
    if not alerts:
        return False, "no alert"
    a = alerts[0]
    got = (str(code_of(a)), a.get("sender"), top(a))
    return got == (alert, sender, cause), "alert %s from %s, cause %s" % got


rows = table("scenarios.tsv", 9)
known = {(r[0], r[1]): r[2] for r in table("known-wrong.tsv", 3)}
names = {r[0] for r in rows}
right = listed = bad = 0
checked = set()
for mode in {m for (_, m) in known}:
    if mode not in ("key log", "no key log"):
        sys.exit("known-wrong.tsv: mode %r is neither 'key log' nor 'no key log'" % mode)
# an expected cause is a cause id of data/causes.txt, or (while the id does not exist yet)
# one whose rows are all known to be wrong: a misspelt id cannot pass unseen
ids = {l.split(":", 1)[1].strip() for l in open("../../../data/causes.txt") if l.startswith("cause:")}
for r in rows:
    if r[6] not in ids and not any(n == r[0] for (n, _) in known):
        print("FAIL: %s: cause %s is not an id of data/causes.txt" % (r[0], r[6]))
        bad += 1
for (n, m) in known:
    if n not in names:
        print("FAIL: known-wrong.tsv lists %s, which is not in scenarios.tsv" % n)
        bad += 1
for row in rows:
    name, plain = row[0], row[8]
    has_keylog = os.path.exists(name + ".keylog")
    modes = ["key log"] if has_keylog else ["no key log"]
    if has_keylog and plain == "yes":
        modes.append("no key log")
    for mode in modes:
        checked.add((name, mode))
        ok, got = check(row, mode == "key log")
        want = "alert %s from %s, cause %s" % (row[4], row[5], row[6])
        if row[4] == "-":
            want = "no alert, cause %s" % row[6]
        label = "%s [%s]" % (name, mode)
        if ok and (name, mode) in known:
            print("FAIL: %s: right now (%s): remove it from known-wrong.tsv" % (label, got))
            bad += 1
        elif ok:
            print("ok: %s" % label)
            right += 1
        elif (name, mode) in known:
            note = "" if known[(name, mode)] == got else " (known-wrong.tsv says: %s)" % known[(name, mode)]
            print("known-wrong: %s: got %s, want %s%s" % (label, got, want, note))
            listed += 1
        else:
            print("FAIL: %s: WRONG (got %s, want %s)" % (label, got, want))
            bad += 1
for (n, m) in sorted(set(known) - checked):
    if n in names:
        print("FAIL: known-wrong.tsv lists %s [%s], which is not checked: remove it" % (n, m))
        bad += 1
print("scenarios: %d right, %d known-wrong, %d failed" % (right, listed, bad))
sys.exit(1 if bad else 0)
PY
