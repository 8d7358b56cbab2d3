#!/usr/bin/env bash
# tlsalert scan --keylog on the project corpus (tests/data/corpus: captures,
# their key logs next to them, truth.tsv):
#   - every encrypted row of truth.tsv is reported at its frame, from its
#     sender, with "decrypted": true, "encrypted": true, "inferred": false and
#     the level/description tshark decrypts (decrypted_code column);
#   - plaintext rows are unchanged; nothing is inferred and no record fails
#     authentication on those captures;
#   - SSLKEYLOGFILE is used when no --keylog is given, and --keylog may repeat;
#   - a malformed key log line is reported with its line number on stderr and
#     skipped, never printing the secret; a missing --keylog file is an error (2);
#   - a wrong key log gives decrypt_error, a notice, and no decrypted alert;
#   - secrets in a pcapng Decryption Secrets Block are used without --keylog.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
dir=tests/data/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

for k in "$dir"/*.keylog; do
	b=$(basename "${k%.keylog}")
	f=$(ls "$dir/$b".pcap* | head -1)
	(cd "$dir" && "$TLSALERT" scan --json --keylog "$b.keylog" "$(basename "$f")") \
		>"$tmp/$b.json" 2>"$tmp/$b.err"
	rc=$?
	[ "$rc" -eq 0 ] || { echo "FAIL: $b: exit status $rc"; cat "$tmp/$b.err"; fail=1; }
done
cat "$tmp"/*.json >"$tmp/all.jsonl"

python3 - "$dir/truth.tsv" "$tmp/all.jsonl" <<'PY' || fail=1
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if r["keylog_file"]]
events = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
bad = 0
for r in rows:
    sender = "client" if r["direction"] == "client_to_server" else "server"
    frame = int(r["frame_number"])
    enc = r["encrypted"] == "yes"
    code = int(r["decrypted_code"] if enc else r["description"])
    got = [e for e in events if e["file"] == r["file"] and e["frame"] == frame]
    ok = [e for e in got if e["sender"] == sender and e["description"] == code
          and e["encrypted"] == enc and e["decrypted"] == enc and not e["inferred"]
          and e["level"] in (1, 2)]
    if not ok:
        bad += 1
        print("FAIL: %s frame %d: want %s %d (decrypted=%s); got %s" % (
            r["file"], frame, sender, code, enc,
            [(e["sender"], e["level"], e["description"], e["decrypted"], e["inferred"]) for e in got]))
files = {r["file"] for r in rows}
for e in events:
    if e["file"] in files and (e["inferred"] or e.get("decrypt_error")):
        bad += 1
        print("FAIL: %s frame %d: inferred or decrypt_error with the right key log" % (e["file"], e["frame"]))
n = sum(1 for r in rows if r["encrypted"] == "yes")
print("scan_keylog: %d rows with key logs (%d encrypted), %d problems" % (len(rows), n, bad))
sys.exit(1 if bad else 0)
PY

# SSLKEYLOGFILE, repeated --keylog, malformed lines, missing file
c13=tls13-certificate-required-openssl-server
(cd "$dir" && SSLKEYLOGFILE=$c13.keylog "$TLSALERT" scan --json $c13.pcap) >"$tmp/env.json" 2>&1
grep -q '"description":116' "$tmp/env.json" && grep -q '"decrypted":true' "$tmp/env.json" ||
	{ echo "FAIL: SSLKEYLOGFILE not used"; fail=1; }
{ echo "CLIENT_RANDOM zz 00"; echo "NOT_A_LABEL $(printf '%064d' 0) 00"
  echo "CLIENT_HANDSHAKE_TRAFFIC_SECRET $(printf '%064d' 1) 0123456789abcdef0123"; } >"$tmp/bad.keylog"
(cd "$dir" && "$TLSALERT" scan --json --keylog "$tmp/bad.keylog" --keylog $c13.keylog $c13.pcap) \
	>"$tmp/rep.json" 2>"$tmp/rep.err"
rc=$?
[ "$rc" -eq 0 ] && grep -q '"description":116' "$tmp/rep.json" ||
	{ echo "FAIL: repeated --keylog (rc $rc)"; fail=1; }
for l in 1 2 3; do
	grep -q "bad.keylog:$l:" "$tmp/rep.err" || { echo "FAIL: malformed line $l not reported"; cat "$tmp/rep.err"; fail=1; }
done
grep -q "0123456789abcdef0123" "$tmp/rep.err" && { echo "FAIL: a secret was printed"; fail=1; }
(cd "$dir" && "$TLSALERT" scan --json --keylog /nonexistent/k.log $c13.pcap) >/dev/null 2>"$tmp/miss.err"
[ $? -eq 2 ] && grep -q "nonexistent" "$tmp/miss.err" || { echo "FAIL: missing --keylog file not an error"; fail=1; }

# pcapng Decryption Secrets Block (made with editcap --inject-secrets tls,KEYLOG): no --keylog
# needed; the empty client Certificate gives client_cert_chain_length 0
"$TLSALERT" scan --json tests/data/keylog/tls13-certificate-required-dsb.pcapng >"$tmp/dsb.json" 2>&1
grep -q '"decrypted":true' "$tmp/dsb.json" && grep -q '"description":116' "$tmp/dsb.json" &&
	grep -q '"client_cert_chain_length":0' "$tmp/dsb.json" ||
	{ echo "FAIL: pcapng DSB secrets not used"; cat "$tmp/dsb.json"; fail=1; }

# wrong secrets: right client randoms, last hex digit of each secret changed
awk '{ s=$3; t=substr(s,length(s),1)=="0"?"1":"0"; print $1, $2, substr(s,1,length(s)-1) t }' \
	"$dir/tls13-close-notify-openssl.keylog" | grep -v '^#' >"$tmp/wrong.keylog"
(cd "$dir" && "$TLSALERT" scan --json -v --keylog "$tmp/wrong.keylog" tls13-close-notify-openssl.pcap) \
	>"$tmp/wrong.json" 2>"$tmp/wrong.err"
grep -q '"decrypted":true' "$tmp/wrong.json" && { echo "FAIL: alert decrypted with wrong keys"; fail=1; }
grep -q 'does not authenticate' "$tmp/wrong.err" || { echo "FAIL: no authentication notice"; fail=1; }
# TLS 1.2 with a wrong master secret: the alert records are still alerts (outer type 21), reported
# encrypted without level or description, and carry the connection's decrypt_error
awk '{ s=$3; t=substr(s,length(s),1)=="0"?"1":"0"; print $1, $2, substr(s,1,length(s)-1) t }' \
	"$dir/tls12-close-notify-openssl.keylog" | grep -v '^#' >"$tmp/wrong12.keylog"
(cd "$dir" && "$TLSALERT" scan --json --keylog "$tmp/wrong12.keylog" tls12-close-notify-openssl.pcap) \
	>"$tmp/wrong12.json" 2>"$tmp/wrong12.err"
[ "$(grep -c '"decrypt_error":"authentication failed: wrong key log or tampered record"' "$tmp/wrong12.json")" = 2 ] &&
	[ "$(grep -c '"encrypted":true,"inferred":false,"decrypted":false' "$tmp/wrong12.json")" = 2 ] &&
	[ "$(grep -c '"level":null' "$tmp/wrong12.json")" = 2 ] &&
	grep -q 'did not authenticate' "$tmp/wrong12.err" ||
	{ echo "FAIL: TLS 1.2 wrong key: alerts not reported as undecrypted with decrypt_error"; cat "$tmp/wrong12.json"; fail=1; }
exit $fail
