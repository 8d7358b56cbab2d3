#!/usr/bin/env bash
# QUIC spellings in `tlsalert logs --json` (issue 16): every QUIC row of
# tests/data/logs/alerts.tsv (its stack column names a QUIC stack) gives one mention
# with transport "quic" and quic_error_code 0x100 + its alert, and no other row says
# "quic"; the QUIC lines of lookalikes.txt (application closes, H3 codes, transport
# errors, idle timeouts, stateless resets) give no mention at all.
set -u
cd "$(dirname "$0")/../.."
: "${TLSALERT:?}"
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
BIN=$TLSALERT python3 - <<'PY'
import json, os, subprocess, sys, tempfile

QUIC = {"quic", "ngtcp2", "qlog", "msquic", "quiche", "neqo", "chromium", "envoy", "lsquic"}
rows = []
for raw in open("tests/data/logs/alerts.tsv", encoding="utf-8"):
    if raw.startswith("#"):
        continue
    code, d, stack, line = raw.rstrip("\n").split("\t", 3)
    rows.append((int(code), d, stack, line))

def scan(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        name = f.name
    try:
        out = subprocess.run([os.environ["BIN"], "logs", "--json", name], capture_output=True, text=True)
    finally:
        os.unlink(name)
    if out.returncode not in (0, 1):
        sys.exit("logs failed (%d): %s" % (out.returncode, out.stderr))
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]

bad = []
got = {}
for m in scan([r[3] for r in rows]):
    got.setdefault(m["line"], []).append(m)
nquic = 0
for n, (code, d, stack, line) in enumerate(rows, 1):
    ms = got.get(n, [])
    quic = [m for m in ms if m.get("transport") == "quic"]
    if stack in QUIC and code >= 0:
        nquic += 1
        if len(quic) != 1 or quic[0]["quic_error_code"] != 0x100 + code:
            bad.append("line %d (%s): want one QUIC mention of 0x%x, got %s" %
                       (n, stack, 0x100 + code, [(m["code"], m.get("transport"), m.get("quic_error_code")) for m in ms]))
    elif quic:
        bad.append("line %d (%s): not QUIC, but a mention says transport quic" % (n, stack))
if nquic < 20:
    bad.append("only %d QUIC rows in alerts.tsv, want at least 20" % nquic)

look, on = [], False
for raw in open("tests/data/logs/lookalikes.txt", encoding="utf-8"):
    if raw.startswith("# QUIC closes that are not TLS alerts"):
        on = True
    if on and raw.strip() and not raw.startswith("#"):
        look.append(raw.rstrip("\n"))
if len(look) < 20:
    bad.append("only %d QUIC lookalikes, want at least 20" % len(look))
for m in scan(look):
    bad.append("lookalike line %d gave a mention: %s (%s)" % (m["line"], m["matched"], m["pattern"]))
for b in bad:
    print(b)
print("logs_quic: %d QUIC rows, %d lookalikes, %d problems" % (nquic, len(look), len(bad)))
sys.exit(1 if bad else 0)
PY
