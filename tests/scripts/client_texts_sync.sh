#!/usr/bin/env bash
# The client texts the serve tests expect (tests/scripts/lib/client-alert-texts.tsv, taken by
# running the clients) against what the shared reference documents of the same stacks
# ($SHARED/reference/log-formats.md): OpenSSL's reason strings of received alerts (its table
# "SSL_R_..._ALERT_... = 1000 + N"), GnuTLS's alert names and Go's alert texts.  A row that
# disagrees with the reference is either a misread run or a reference to correct: both are
# worth a look.  Also: every pattern client_alerts.py builds matches the table's own text.
set -u
cd "$(dirname "$0")/../.."
ref=${SHARED:-../shared}/reference/log-formats.md
[ -f "$ref" ] || { echo "no $ref (the shared reference is not here)"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
python3 - "$ref" <<'PY'
import re, sys
sys.path.insert(0, "tests/scripts/lib")
import client_alerts
ref = open(sys.argv[1], encoding="utf-8").read()
rows = client_alerts.table()
bad = 0
def fail(msg):
    global bad
    print("FAIL: " + msg)
    bad = 1
# OpenSSL: | 1048 | SSL_R_TLSV1_ALERT_UNKNOWN_CA | tlsv1 alert unknown ca |
openssl = {int(m.group(1)) - 1000: (m.group(2), m.group(3).strip())
           for m in re.finditer(r"^\| (1\d\d\d) \| SSL_R_(\w+) \| ([^|]+)\|", ref, re.M)}
if len(openssl) < 30:
    fail("found only %d OpenSSL reasons in the reference" % len(openssl))
for code, (sym, text) in sorted(openssl.items()):
    reason, mnemonic = client_alerts.row(code, rows)[:2]
    if reason != text:
        fail("%d: OpenSSL reason %r, the reference says %r" % (code, reason, text))
    if mnemonic != "-" and mnemonic != sym:
        fail("%d: Python's mnemonic %s, OpenSSL's symbol %s" % (code, mnemonic, sym))
# Go: the texts named in section 7, each must be some row's text
go = re.sub(r"\s+", " ", ref[ref.index("## 7. Go crypto/tls"):ref.index("## 8.")]).replace("**", "")
texts = {r[3] for r in rows.values()}
for t in ("unknown certificate", "unknown certificate authority", "error decoding message",
          "protocol version not supported", "insufficient security level", "no application protocol"):
    if t not in go:
        fail("the reference's Go section no longer mentions %r" % t)
    elif t not in texts:
        fail("Go's %r is in the reference but in no row" % t)
# GnuTLS: gnutls_alert_get_name() prose in section 4
gnutls = ref[ref.index("## 4. GnuTLS"):ref.index("## 5.")]
flat = re.sub(r"\s+", " ", gnutls)
for code, r in sorted(rows.items()):
    name = r[2]
    if name not in ("(unknown)", "Close notify") and '"%s"' % name not in flat:
        fail("%d: GnuTLS name %r is not in the reference" % (code, name))
# each pattern matches the text it is built from
for code, r in sorted(rows.items()):
    reason, mnemonic, gname, gotext, curl = r
    samples = {
        "s_client": "80AB:error:%08X:SSL routines:ssl3_read_bytes:%s:../ssl/record/rec_layer_s3.c:1601:"
                    "SSL alert number %d" % (0x0A000000 + 1000 + code, reason, code),
        "gnutls": "*** Received alert [%d]: %s" % (code, gname),
        "go": "handshake: " + ("EOF" if code == 0 else "remote error: tls: " + gotext),
    }
    for c, text in samples.items():
        if client_alerts.match(c, code, text, rows) is None:
            fail("%d: the %s pattern does not match %r" % (code, c, text))
print("%s: %d OpenSSL reasons, the Go and GnuTLS names, %d rows" % (
    "FAIL" if bad else "ok", len(openssl), len(rows)))
sys.exit(bad)
PY
