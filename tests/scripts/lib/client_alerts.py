"""What each real TLS client prints for a received alert, as a pattern a test can match.

The texts are in client-alert-texts.tsv beside this file (taken by running the clients).

    python3 client_alerts.py match CLIENT CODE FILE
        exit 0 when FILE (the client's output) holds the text CLIENT prints for alert CODE,
        printing the line that matched; else exit 1 and say what was wanted and found.
    python3 client_alerts.py pattern CLIENT CODE
        print the pattern.

CLIENT: s_client, curl, gnutls, python, go.
"""

import os
import re
import sys

CLIENTS = ("s_client", "curl", "gnutls", "python", "go")


def table():
    rows = {}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "client-alert-texts.tsv")
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        code, reason, mnemonic, gnutls, go, curl = line.rstrip("\n").split("\t")
        rows[int(code)] = (reason, mnemonic, gnutls, go, curl)
    return rows


def row(code, rows=None):
    rows = table() if rows is None else rows
    return rows.get(code, ("reason(%d)" % (1000 + code), "-", "(unknown)", "alert(%d)" % code,
                           "35"))


def pattern(client, code, rows=None):
    """The regular expression of what CLIENT prints on receiving alert CODE."""
    reason, mnemonic, gnutls, go, curl = row(code, rows)
    packed = "%08X" % (0x0A000000 + 1000 + code)  # OpenSSL 3: ERR_LIB_SSL << 23 | reason
    if client == "s_client":
        # error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:...:SSL alert number 48
        return r"error:%s:SSL routines:[a-z0-9_]*:%s:.*:SSL alert number %d$" % (
            packed, re.escape(reason), code)
    if client == "curl":
        # curl: (35) OpenSSL/3.0.19: error:0A000418:SSL routines::tlsv1 alert unknown ca
        # (56 after the handshake: "OpenSSL SSL_read: ..., errno 0").  For certificate_expired
        # curl prints its own verification message instead, which does not name the alert.
        if curl == "60":
            return r"^curl: \(60\) SSL certificate (verification failed|problem)"
        return r"^curl: \((35|56|98)\) .*error:%s:SSL routines::%s" % (packed, re.escape(reason))
    if client == "gnutls":
        return r"^\*\*\* Received alert \[%d\]: %s$" % (code, re.escape(gnutls))
    if client == "go":
        if code == 0:
            return r"^(handshake|read): EOF$"
        return r"^(handshake|read|write): remote error: tls: %s$" % re.escape(go)
    if client == "python":
        if reason.startswith("reason("):
            return r"^(handshake|read): \[SSL\] unknown error \(_ssl\.c:\d+\)$"
        tag = "SSL" if mnemonic == "-" else "SSL: " + mnemonic
        return r"^(handshake|read): \[%s\] %s \(_ssl\.c:\d+\)$" % (re.escape(tag), re.escape(reason))
    raise ValueError("unknown client %r (have %s)" % (client, ", ".join(CLIENTS)))


def match(client, code, text, rows=None):
    """The first line of text that matches, or None."""
    p = re.compile(pattern(client, code, rows))
    for line in text.splitlines():
        if p.search(line):
            return line
    return None


def main(argv):
    if len(argv) == 4 and argv[1] == "pattern":
        print(pattern(argv[2], int(argv[3])))
        return 0
    if len(argv) != 5 or argv[1] != "match":
        sys.stderr.write(__doc__)
        return 2
    client, code = argv[2], int(argv[3])
    text = open(argv[4], encoding="utf-8", errors="replace").read()
    got = match(client, code, text)
    if got is not None:
        print(got.strip())
        return 0
    lines = [l for l in text.splitlines() if l.strip()]
    print("want /%s/, got: %s" % (pattern(client, code), " | ".join(lines[:4])[:400]))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
