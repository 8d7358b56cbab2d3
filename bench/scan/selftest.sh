#!/usr/bin/env bash
# Self-test of the benchmark generator, run by `bench/scan/run.sh selftest`
# (which builds $GEN and the per-template counts $CNT first).  Makes a small
# capture (SELFTEST_SIZE bytes, default 5e6) and checks with tshark that:
# every IPv4 and TCP checksum is right, packets are in time order, every copy
# is its own TCP conversation, the visible type-21 records and (with the key
# log) all alert records are exactly copies x per-template counts, every
# patched copy has its own client random, and the split files hold exactly
# the connections of the single file.  Exit 0 = all checks passed.
set -u
: "${GEN:?run through bench/scan/run.sh selftest}" "${CNT:?}" "${TEMPLATES:?}"
command -v tshark >/dev/null || { echo "selftest: needs tshark" >&2; exit 2; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
SZ=${SELFTEST_SIZE:-5e6}
fails=0
check() { # check WHAT GOT WANT
	if [ "$2" = "$3" ]; then
		echo "  ok   $1: $2"
	else
		echo "  FAIL $1: got $2, want $3"
		fails=$((fails + 1))
	fi
}
"$GEN" -t "$TEMPLATES" -o "$D/s.pcap" -k "$D/s.keylog" -m "$D/s.tsv" -b "$SZ" -s 7 || exit 1
"$GEN" -t "$TEMPLATES" -o "$D/p%d.pcap" -n 3 -m "$D/p.tsv" -b "$SZ" -s 7 || exit 1
echo "selftest: $(tail -1 "$D/s.tsv" | cut -f2) connections, $(stat -c %s "$D/s.pcap") bytes"

check "file size = manifest total" "$(stat -c %s "$D/s.pcap")" "$(tail -1 "$D/s.tsv" | cut -f4)"
check "time order" "$(capinfos -o "$D/s.pcap" 2>/dev/null | awk -F': *' '/Strict time order/{print $2}')" True
check "bad IPv4/TCP checksums" "$(tshark -r "$D/s.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-Y 'ip.checksum.status != 1 || tcp.checksum.status != 1' 2>/dev/null | wc -l)" 0
read -r conn vis alerts patched unpatched_tpl < <(awk -F'\t' '
	NR == FNR { if ($1 !~ /^#/) { v[$1] = $2; a[$1] = $3 } next }
	FNR > 1 && $1 != "TOTAL" { c += $2; ev += $2 * v[$1]; ea += $2 * a[$1]
		if ($5 == "yes") p += $2; else if ($2 > 0) u++ }
	END { print c, ev, ea, p, u + 0 }' "$CNT" "$D/s.tsv")
tshark -r "$D/s.pcap" -q -z conv,tcp 2>/dev/null | awk '/<->/{print $1, $3}' | sort >"$D/conv"
check "TCP conversations" "$(wc -l <"$D/conv")" "$conn"
check "distinct client addresses" "$(cut -d' ' -f1 "$D/conv" | cut -d: -f1 | sort -u | wc -l)" "$conn"
check "visible type-21 records" "$(tshark -r "$D/s.pcap" -T fields -e tls.record.content_type \
	-Y 'tls.record.content_type==21' 2>/dev/null | tr ',' '\n' | grep -c '^21$')" "$vis"
check "alert records with the key log" "$(tshark -r "$D/s.pcap" -o "tls.keylog_file:$D/s.keylog" \
	-T fields -e tls.alert_message.desc -Y tls.alert_message 2>/dev/null | tr ',' '\n' | grep -c .)" "$alerts"
check "distinct ClientHello randoms" "$(tshark -r "$D/s.pcap" -T fields -e tls.handshake.random \
	-Y 'tls.handshake.type==1' 2>/dev/null | sort -u | wc -l)" "$((patched + unpatched_tpl))"
tshark -r "$D/s.pcap" -T fields -e tls.handshake.random -Y 'tls.handshake.type==2' 2>/dev/null |
	grep '^ffffffff' >"$D/srand"
check "patched ServerHello randoms present" "$([ -s "$D/srand" ] && echo yes || echo no)" yes
check "patched ServerHello randoms distinct" "$(sort -u "$D/srand" | wc -l)" "$(wc -l <"$D/srand")"
for p in "$D"/p[0-9]*.pcap; do tshark -r "$p" -q -z conv,tcp 2>/dev/null; done |
	awk '/<->/{print $1, $3}' | sort >"$D/pconv"
check "split files: same connections" "$(cmp -s "$D/conv" "$D/pconv" && echo same || echo different)" same
check "split files: same packets" "$(for p in "$D"/p[0-9]*.pcap; do capinfos -c -M "$p" 2>/dev/null |
	awk '/Number of packets/{print $NF}'; done | awk '{s += $1} END {print s}')" "$(tail -1 "$D/s.tsv" | cut -f3)"
if [ "$fails" -ne 0 ]; then
	echo "selftest: $fails check(s) FAILED"
	exit 1
fi
echo "selftest: all checks passed"
