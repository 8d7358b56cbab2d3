# Sourced by the QUIC loopback tests (tests/scripts/quic_loopback.sh: ngtcp2,
# tests/scripts/quic_quicgo.sh: quic-go): a capture on lo around one run of two
# peers, and the check of scan's alerts against tshark's on it.  The sourcing
# script runs in its scratch directory, sets $TLSALERT and fail=0, and kills the
# processes listed in $pids (an array) on exit.
#
#   quic_cap_start NAME PORT   tcpdump of UDP port PORT on lo into NAME.pcap (at
#                              most 15 s), returning once it listens
#   quic_cap_stop              ends it (the packets written so far are kept)
#   quic_check NAME PCAP KEYS WANT
#                              scan --json (and --summary) PCAP, with the key log
#                              KEYS unless empty: the alerts must be WANT, a
#                              ";"-separated list of code:sender:space:stage:inferred
#                              ("-" for an inferred alert's unknown code, empty: no
#                              alert, "|" between alternatives), each over QUIC v1 or
#                              draft-29, every connection's close named; and tshark,
#                              with the same key log, must decode the same alerts:
#                              the first frame of each quic.cc.error_code.tls_alert
#                              is the frame of scan's alert with that code.  A
#                              mismatch prints FAIL and sets fail=1; NAME.json holds
#                              scan's output.
. "$(dirname "${BASH_SOURCE[0]}")/decode_as.bash"

quic_cap_start() {
	local name=$1 port=$2 i
	rm -f "$name.pcap"
	timeout 15 tcpdump -i lo -U --immediate-mode -s 0 -w "$name.pcap" "udp port $port" >/dev/null 2>&1 &
	quic_cap_pid=$!
	pids+=("$quic_cap_pid")
	# it listens once its file has a header
	for ((i = 0; i < 50; i++)); do
		[ -s "$name.pcap" ] && return 0
		sleep 0.1
	done
}

quic_cap_stop() {
	# the last packets may still be on their way through the capture
	sleep 0.3
	kill "$quic_cap_pid" 2>/dev/null
	wait "$quic_cap_pid" 2>/dev/null
}

quic_check() {
	local name=$1 pcap=$2 keys=$3 want=$4 rc rc2
	local kopt=() topt=()
	if [ -n "$keys" ]; then
		kopt=(--keylog "$keys")
		topt=(-o "tls.keylog_file:$keys")
	fi
	"$TLSALERT" scan --json "${kopt[@]}" "$pcap" >"$name.json" 2>"$name.err"
	rc=$?
	"$TLSALERT" scan --json --summary "${kopt[@]}" "$pcap" >>"$name.json" 2>>"$name.err"
	rc2=$?
	[ $rc2 -gt $rc ] && rc=$rc2
	if [ $rc -gt 1 ]; then
		echo "FAIL: $name: scan exit $rc: $(head -3 "$name.err")"
		fail=1
		return
	fi
	tshark -r "$pcap" "${topt[@]}" $(decode_as "$pcap" udp quic) -Y quic.cc.error_code \
		-T fields -e frame.number \
		-e quic.cc.error_code -e quic.cc.error_code.tls_alert >"$name.tshark" 2>/dev/null
	python3 - "$name" "$name.json" "$name.tshark" "$want" <<'PY' || fail=1
import json, sys
name, js, ts, want = sys.argv[1:5]
objs = [json.loads(l) for l in open(js)]
alerts = [o for o in objs if "type" not in o]
conns = [o for o in objs if o.get("type") == "connection"]
bad = []
got = ["%s:%s:%s:%s:%s" % (a["code"] if a["code"] is not None else "-", a["sender"],
                           a["quic_space"], a["stage"], str(a["inferred"]).lower())
       for a in alerts]
alts = [[w for w in alt.split(";") if w] for alt in want.split("|")]
if got not in alts:
    bad.append("alerts %s, expected %s" % (got, " or ".join(map(str, alts))))
for a in alerts:
    if a["transport"] != "quic" or a["quic_version"] not in ("1", "draft-29"):
        bad.append("transport %s, quic_version %s" % (a["transport"], a["quic_version"]))
for c in conns:
    if c["transport"] != "quic":
        bad.append("connection transport %s" % c["transport"])
    cl = c.get("close")
    if cl is not None and not cl["name"]:
        bad.append("a close without a name")
# tshark: the first frame of each alert code, against scan's (inferred ones aside)
first = {}
for line in open(ts):
    f = line.rstrip("\n").split("\t")
    if len(f) < 3 or not f[2]:
        continue
    for code in f[2].split(","):
        first.setdefault(int(code), int(f[0]))
mine = {a["code"]: a["frame"] for a in alerts if not a["inferred"]}
if mine != first:
    bad.append("tshark's alerts %s, scan's %s" % (first, mine))
if bad:
    print("FAIL: %s: %s" % (name, "; ".join(bad)))
    sys.exit(1)
print("ok: %s: %s; tshark: %s" % (name, ", ".join(got) or "no alert",
      ", ".join("%d in frame %d" % (c, f) for c, f in sorted(first.items())) or "no alert"))
PY
}
