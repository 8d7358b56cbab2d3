#!/usr/bin/env bash
# The BoringSSL-style cases of issue 15 (acceptance 3), reproduced with `tlsalert serve`
# against five real clients (openssl s_client, curl, gnutls-cli, Python ssl, Go crypto/tls)
# and judged: repeated warning alerts (4, 5 and 16 unrecognized_name warnings after the
# ServerHello, TLS 1.2), a warning alert under TLS 1.3, a bogus level (3), an empty alert
# record, an alert split across two records (--shape fragmented), under TLS 1.2 and 1.3.
# For each case and client the test asserts what the client printed (its own words, as
# measured: OpenSSL caps consecutive warnings at 4 -- the 5th is "too many warn alerts"
# and unexpected_message; Go and GnuTLS take 16 (both refuse a 17th, which serve's cap of 16
# cannot send); GnuTLS takes a bogus level for a warning and waits) and what serve reported:
# the client's own alert, its reaction, and the verdict.
# tier: full (9 cases x 5 clients, about 40 s)
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
"$TLSALERT" serve --help >/dev/null 2>&1 || { echo "this tlsalert has no serve command"; exit 77; }
source tests/scripts/lib/serve_peers.bash

peers_begin

# CASE VER: the serve options of each case
declare -A args=(
	[repeat4]="--at server_hello --alert unrecognized_name --shape repeat=4"
	[repeat5]="--at server_hello --alert unrecognized_name --shape repeat=5"
	[repeat16]="--at server_hello --alert unrecognized_name --shape repeat=16"
	[warning13]="--at server_hello --alert unrecognized_name --level warning"
	[bogus]="--at server_hello --alert handshake_failure --level 3"
	[empty]="--at server_hello --alert handshake_failure --shape empty"
	[fragmented]="--at server_hello --alert handshake_failure --shape fragmented"
)
cases="repeat4:1.2 repeat5:1.2 repeat16:1.2 warning13:1.3 bogus:1.2 bogus:1.3 empty:1.2 empty:1.3
	fragmented:1.2 fragmented:1.3"

# check CASE VER: the clients' words and serve's judgement, from the table below
check() {
	"$PY" - "$tmp" "$1" "$2" "$clients" <<'PY' || fail=1
import json, os, re, sys
sys.path.insert(0, "tests/scripts/lib")
import client_alerts
tmp, case, ver, clients = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
OSSL = ("s_client", "curl", "python")
# What each client does (a pattern of its output, or a count of GnuTLS's non-fatal lines),
# and serve's report of it: (reaction, the client's alert code or None, verdict).
# "took" = it completed the handshake and read the response (no alert of its own).
TOOK = {"s_client": r"this is data", "curl": r"^$", "python": r"^ok$", "go": r"^ok$"}
NONFATAL = r"\*\*\* Non fatal error: A TLS warning alert has been received\."
def repeat(n):
    e = {c: (r"too many warn alerts|TOO_MANY_WARN_ALERTS", ("alert", 10, "follows"))
         for c in OSSL} if n > 4 else {c: (TOOK[c], ("took", None, "follows")) for c in OSSL}
    e["go"] = (TOOK["go"], ("took", None, "follows"))
    e["gnutls"] = ((NONFATAL, n), ("took", None, "follows"))
    return e
def same(text, judged):
    return {c: (text, judged) for c in ("s_client", "curl", "python", "gnutls", "go")}
names13 = {c: ("alert:112", ("close", None, "follows")) for c in ("s_client", "curl", "python", "go")}
names13["gnutls"] = (r"^\*\*\* Fatal error: A TLS fatal alert has been received\.$",
                     ("close", None, "follows"))
bogus12 = {c: (r"unknown alert type|UNKNOWN_ALERT_TYPE", ("alert", 47, "follows")) for c in OSSL}
bogus12["go"] = (r"^handshake: local error: tls: unexpected message$", ("alert", 10, "follows"))
bogus12["gnutls"] = ((NONFATAL, 1), ("hang", None, "no_rule"))
bogus13 = same("alert:40", ("close", None, "follows"))
bogus13["gnutls"] = names13["gnutls"]
def malformed(ossl):
    e = {c: (ossl, ("alert", 10, "follows")) for c in OSSL}
    e["gnutls"] = (r"^\*\*\* Fatal error: An unexpected TLS packet was received\.$",
                   ("alert", 10, "follows"))
    e["go"] = (r"^handshake: local error: tls: unexpected message$", ("alert", 10, "follows"))
    return e
EXPECT = {
    ("repeat4", "1.2"): repeat(4), ("repeat5", "1.2"): repeat(5), ("repeat16", "1.2"): repeat(16),
    ("warning13", "1.3"): names13,
    ("bogus", "1.2"): bogus12, ("bogus", "1.3"): bogus13,
    ("empty", "1.2"): malformed(r"invalid alert|INVALID_ALERT"),
    ("empty", "1.3"): malformed(r"bad length|BAD_LENGTH"),
    ("fragmented", "1.2"): malformed(r"invalid alert|INVALID_ALERT"),
    ("fragmented", "1.3"): malformed(r"invalid alert|INVALID_ALERT"),
}[(case, ver)]
where = "%s, TLS %s" % (case, ver)
bad = 0
def fail(msg):
    global bad
    print("FAIL: %s: %s" % (where, msg))
    bad = 1
conns = [json.loads(l) for l in open(os.path.join(tmp, "b.out"))]
if len(conns) != len(clients):
    fail("serve reported %d connections, not %d" % (len(conns), len(clients)))
said = []
for c, o in zip(clients, conns):
    text = open(os.path.join(tmp, "b." + c), errors="replace").read()
    want, (reaction, peer, verdict) = EXPECT[c]
    if isinstance(want, tuple):  # GnuTLS: that many non-fatal warnings, nothing fatal about them
        n = len(re.findall(want[0], text))
        ok = n == want[1] and "Received alert" in text
        desc = "%d x '%s'" % (want[1], want[0])
    elif want.startswith("alert:"):
        ok = client_alerts.match(c, int(want[6:]), text) is not None
        desc = client_alerts.pattern(c, int(want[6:]))
    elif want == "^$":  # curl: silent, exit 0
        ok = text.strip() == "" and open(os.path.join(tmp, "b.%s.rc" % c)).read().strip() == "0"
        desc = "no output, exit 0"
    else:
        ok = any(re.search(want, l) for l in text.splitlines())
        desc = want
    if not ok:
        lines = [l for l in text.splitlines() if l.strip()]
        fail("%s: want %s, got: %s" % (c, desc, " | ".join(lines[-4:])[:300]))
    # serve's side; "took" = the client went on: anything but an alert of its own
    got_r, got_p, got_v = o.get("reaction"), o.get("peer_alert_code"), o.get("verdict")
    if reaction == "took":
        okj = got_r != "alert" and got_p in (None, 0) and got_v == verdict  # 0: close_notify
    else:
        okj = (got_r, got_p, got_v) == (reaction, peer, verdict)
    if not okj or not o.get("alert_sent"):
        fail("%s: serve says sent=%s reaction %s, client alert %s, verdict %s; want %s, %s, %s" % (
            c, o.get("alert_sent"), got_r, got_p, got_v, reaction, peer, verdict))
    said.append("%s %s/%s" % (c, got_r, got_v))
print("%s: %s: %s" % ("FAIL" if bad else "ok", where, ", ".join(said)))
sys.exit(bad)
PY
}

for cv in $cases; do
	case=${cv%:*} ver=${cv#*:}
	# shellcheck disable=SC2086 # the words of args are options
	serve_start b --tls "$ver" --json --timeout 2 --idle 30 --count "$nclients" ${args[$case]} || continue
	for c in $clients; do
		client_run "$c" "$ver" b
		echo "$client_rc" >"$tmp/b.$c.rc"
	done
	r=$(serve_rc b)
	# 0: every client followed the RFC or no rule applies (GnuTLS and a bogus level)
	[ "$r" = 0 ] || bad "$case, TLS $ver: serve exit status $r: $(head -3 "$tmp/b.err")"
	check "$case" "$ver"
done
[ "$fail" = 0 ] || exit 1
[ "$skipped" = 0 ] || { echo "$skipped of 5 clients not installed"; exit 77; }
exit 0
