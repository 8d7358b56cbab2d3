#!/usr/bin/env python3
"""IANA's names of cipher suites, groups and signature schemes, checked four ways.

1. tools/gen_iana.py accepts data/ and refuses, on a scratch copy, each planted
   fault: a suite of suites.txt named differently, a line out of order, a
   GREASE value, a duplicate name.
2. Every suite `openssl ciphers -V -stdname` lists has the same name in
   cipher-suites.txt (OpenSSL's -stdname is the IANA name).
3. Every suite value `gnutls-cli -l` lists is in cipher-suites.txt, or in a
   range IANA reserves unnamed (GnuTLS names its suites its own way, so only
   the values are compared).
4. `scan --json` over the test corpus (ours and the external captures):
   every name beside a number is the one the data file gives (GREASE for
   0x?a?a, null when unassigned: both must occur), and `code` equals
   `description` in every alert object.
Exits 77 when openssl is not installed.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "tools", "gen_iana.py")
fails = []


def load(fname):
    out = {}
    for line in open(os.path.join(ROOT, "data", fname), encoding="ascii"):
        if line.strip() and not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            out[int(f[0], 16)] = f[1]
    return out


def name_of(table, v):
    if (v >> 8) == (v & 0xFF) and (v & 0x0F) == 0x0A:
        return "GREASE"
    return table.get(v)


def gen(data_dir):
    """Runs the generator on data_dir, writing its header into a scratch directory."""
    with tempfile.TemporaryDirectory() as tmp:
        return subprocess.run([sys.executable, GEN, data_dir, os.path.join(tmp, "out.h")],
                              capture_output=True, text=True)


def edit(path, fn):
    with open(path) as f:
        lines = f.read().split("\n")
    with open(path, "w") as f:
        f.write("\n".join(fn(lines)))


def data_lines(lines):
    return [i for i, x in enumerate(lines) if x and not x.startswith("#")]


def rename_suite(lines):
    i = data_lines(lines)[0]
    f = lines[i].split("\t")
    f[1] = f[1] + "_X"
    lines[i] = "\t".join(f)
    return lines


def swap_first(lines):
    a, b = data_lines(lines)[:2]
    lines[a], lines[b] = lines[b], lines[a]
    return lines


def add_grease(lines):
    lines.append("0x2a2a\tgrease_like\tRFC8701")
    return lines


def dup_name(lines):
    a, b = data_lines(lines)[:2]
    fa, fb = lines[a].split("\t"), lines[b].split("\t")
    fb[1] = fa[1]
    lines[b] = "\t".join(fb)
    return lines


def generator_checks():
    r = gen(os.path.join(ROOT, "data"))
    if r.returncode != 0:
        fails.append("gen_iana.py refuses data/: " + r.stderr.strip())
    planted = (("suites.txt", rename_suite, r"suites\.txt:\d+: suite 0x\w+ is \w+ here but"),
               ("groups.txt", swap_first, r"groups\.txt:\d+: .* keep the file sorted"),
               ("sigalgs.txt", add_grease, r"sigalgs\.txt:\d+: 0x2a2a is a GREASE value"),
               ("cipher-suites.txt", dup_name, r"cipher-suites\.txt:\d+: name \w+ is already"))
    for fname, fault, want in planted:
        with tempfile.TemporaryDirectory() as tmp:
            for f in ("suites.txt", "cipher-suites.txt", "groups.txt", "sigalgs.txt"):
                shutil.copy(os.path.join(ROOT, "data", f), tmp)
            edit(os.path.join(tmp, fname), fault)
            r = gen(tmp)
            if r.returncode == 0 or not re.search(want, r.stderr):
                fails.append("planted fault in %s (%s) not reported as %r: rc %d, %r"
                             % (fname, fault.__name__, want, r.returncode, r.stderr.strip()))


def openssl_checks(suites):
    out = subprocess.run(["openssl", "ciphers", "-V", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                         capture_output=True, text=True, check=True).stdout
    n = 0
    for line in out.splitlines():
        m = re.match(r"\s*0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)", line)
        if not m:
            continue
        v, name = int(m[1] + m[2], 16), m[3]
        n += 1
        if suites.get(v) != name:
            fails.append("openssl names 0x%04x %s, cipher-suites.txt %s" % (v, name, suites.get(v)))
    if n < 50:
        fails.append("openssl listed only %d suites" % n)
    return n


# IANA reserves these cipher suite values "to avoid conflicts with widely deployed
# implementations" without naming them: a stack may still list one (GnuTLS's 0x0066,
# TLS_DHE_DSS_WITH_RC4_128_SHA from an expired draft).
RESERVED = set(range(0x0047, 0x005D)) | set(range(0x0060, 0x0067)) | {0xFEFE, 0xFEFF}


def gnutls_checks(suites):
    out = subprocess.run(["gnutls-cli", "-l"], capture_output=True, text=True).stdout
    n = 0
    for m in re.finditer(r"^(TLS_\S+)\s+0x([0-9a-f]{2}), 0x([0-9a-f]{2})", out, re.M):
        v = int(m[2] + m[3], 16)
        n += 1
        if v not in suites and v not in RESERVED:
            fails.append("gnutls knows suite 0x%04x (%s), cipher-suites.txt does not" % (v, m[1]))
    if n < 50:
        fails.append("gnutls-cli -l listed only %d suites" % n)
    return n


PAIRS = (("cipher_suites", "cipher_suite_names", "suites"),
         ("groups", "group_names", "groups"),
         ("signature_algorithms", "signature_algorithm_names", "sigalgs"))
ONE = (("cipher_suite_selected", "cipher_suite_selected_name", "suites"),
       ("key_share_group", "key_share_group_name", "groups"))


def check_object(o, where, tables, seen):
    for num, names, t in PAIRS:
        if num not in o:
            continue
        want = [name_of(tables[t], int(x, 16)) for x in o[num]]
        if o.get(names) != want:
            fails.append("%s: %s %s, want %s" % (where, names, o.get(names), want))
        seen[names] += len(want)
        seen["GREASE"] += want.count("GREASE")
        seen["unassigned"] += want.count(None)
    for num, name, t in ONE:
        if num not in o:
            continue
        want = None if o[num] is None else name_of(tables[t], int(o[num], 16))
        if name not in o or o[name] != want:
            fails.append("%s: %s %r, want %r" % (where, name, o.get(name), want))
        seen[name] += o[num] is not None
    for alert in (o, o.get("alert")):
        if isinstance(alert, dict) and "description" in alert:
            if "code" not in alert or alert["code"] != alert["description"]:
                fails.append("%s: code %r, description %r" % (where, alert.get("code"),
                                                              alert["description"]))
            seen["code"] += 1


def scan_checks(tables):
    corpus = os.path.join(ROOT, "tests", "data", "corpus")
    caps = sorted(glob.glob(os.path.join(corpus, "*.pcap*")) +
                  glob.glob(os.path.join(corpus, "external", "*.pcap*")))
    seen = {k: 0 for k in ("cipher_suite_names", "group_names", "signature_algorithm_names",
                           "cipher_suite_selected_name", "key_share_group_name", "code",
                           "GREASE", "unassigned")}
    for summary in ([], ["--summary"]):
        out = subprocess.run([os.environ["TLSALERT"], "scan", "--json", "-j", "1"] + summary + caps,
                             capture_output=True, text=True).stdout
        for i, line in enumerate(out.splitlines(), 1):
            check_object(json.loads(line), "scan %s line %d" % (" ".join(summary), i), tables, seen)
    for k, n in seen.items():
        if n == 0:
            fails.append("scan --json over the corpus wrote no %s to check" % k)
    return seen


def main():
    tables = {"suites": load("cipher-suites.txt"), "groups": load("groups.txt"),
              "sigalgs": load("sigalgs.txt")}
    generator_checks()
    seen = scan_checks(tables)
    notes = ["scan: %s" % ", ".join("%d %s" % (n, k) for k, n in seen.items())]
    have_openssl = shutil.which("openssl") is not None
    if have_openssl:
        notes.append("openssl: %d suites" % openssl_checks(tables["suites"]))
    if shutil.which("gnutls-cli"):
        notes.append("gnutls: %d suites" % gnutls_checks(tables["suites"]))
    else:
        notes.append("gnutls-cli not installed: its suite list not compared")
    for f in fails:
        print("FAIL:", f)
    print("iana_sync: %s; %d failures" % ("; ".join(notes), len(fails)))
    if fails:
        sys.exit(1)
    if not have_openssl:
        print("iana_sync: openssl not installed, its suite names not compared")
        sys.exit(77)


main()
