#!/usr/bin/env bash
# The permissively licensed external captures in tests/data/corpus/external
# (other people's traffic: STARTTLS over SMTP/XMPP/IRC/PostgreSQL/LDAP,
# tunnels, QinQ, IPv6, DTLS 1.0/1.2, SSL 3.0, mid-stream captures): every
# alert record in tshark-alerts.tsv there (tshark 4.0 with -d where noted,
# plaintext and encrypted alike) must be reported in the same frame by the
# same sender address, plaintext ones with the same level and description.
# Alerts we report beyond that table must have a stated reason below.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
dir=tests/data/corpus/external
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in "$dir"/*.pcap; do
	"$TLSALERT" scan --json "$f" >"$tmp/$(basename "$f").json" 2>/dev/null
done

python3 - "$dir/tshark-alerts.tsv" "$tmp" <<'EOF'
import csv, json, os, sys
tsv, tmp = sys.argv[1:3]
# file:frame -> why we report an alert that tshark's table does not have
expected_extra = {
    "zeek--tls1.2-late-protocol-error.pcap:20":
        "an 18-byte encrypted alert record at the start of the segment; tshark counts the "
        "segment as part of an earlier PDU (see the external README)",
    "zeek--tls13draft16-ff52.a01.pcap:12":
        "inferred: the server's last record is alert-sized before the close (tshark cannot "
        "see TLS 1.3 alerts without keys)",
}
ours = {}
for name in os.listdir(tmp):
    for l in open(os.path.join(tmp, name)):
        e = json.loads(l)
        ours.setdefault((e["file"].split("/")[-1], e["frame"]), []).append(e)
bad = ok = 0
seen = set()
for r in csv.DictReader(open(tsv), delimiter="\t"):
    key = (r["file"], int(r["frame"]))
    got = [e for e in ours.get(key, []) if e["src"] == r["src"] and e["src_port"] == int(r["src_port"])]
    if r["level"]:
        got = [e for e in got if e["level"] == int(r["level"]) and e["description"] == int(r["description"])]
    else:
        got = [e for e in got if e["encrypted"]]
    if got:
        ok += 1
        seen.add(key)
    else:
        bad += 1
        print(f"FAIL: {key[0]} frame {key[1]}: tshark has {r['level'] or 'encrypted'}/"
              f"{r['description']} from {r['src']}:{r['src_port']}; we have "
              f"{[(e['sender'], e['level'], e['description'], e['encrypted']) for e in ours.get(key, [])]}")
for key, evs in sorted(ours.items()):
    if key in seen:
        continue
    why = expected_extra.get(f"{key[0]}:{key[1]}")
    if why:
        print(f"note: {key[0]} frame {key[1]}: reported by us only: {why}")
    elif all(e["inferred"] for e in evs):
        print(f"note: {key[0]} frame {key[1]}: inferred TLS 1.3 alert (not visible to tshark)")
    else:
        bad += 1
        print(f"FAIL: {key[0]} frame {key[1]}: alert not in tshark's table and no reason given")
print(f"{ok} of tshark's alert records found, {bad} problems")
sys.exit(1 if bad or ok == 0 else 0)
EOF
