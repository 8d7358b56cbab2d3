#!/usr/bin/env bash
# `tlsalert scan` with several threads (--jobs): stdout, stderr and the exit
# status must be exactly those of a one-thread run, in every output mode, with
# several files (broken and missing ones among them; per-file results must not
# depend on the other files) and with one big file (its output thread).
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The corpus, plus a missing file, a cut capture and one with an absurd length in the middle.
cd tests/data/corpus
files=(*.pcap)
files=("${files[@]:0:10}" ../capture/cut-last.pcap no-such-file.pcap
	../capture/absurd-len.pcap "${files[@]:10}" *.pcapng)

run() { # NAME JOBS ARGS...
	local name=$1 jobs=$2
	shift 2
	"$TLSALERT" scan --no-progress -j "$jobs" "$@" >"$tmp/$name.$jobs.out" 2>"$tmp/$name.$jobs.err"
	echo $? >"$tmp/$name.$jobs.rc"
}

n=0
for mode in text brief json csv summary summary-json summary-csv verbose keylog; do
	case $mode in
	text) args=() ;;
	brief) args=(--brief) ;;
	json) args=(--json) ;;
	csv) args=(--csv) ;;
	summary) args=(--summary) ;;
	summary-json) args=(--summary --json) ;;
	summary-csv) args=(--summary --csv) ;;
	verbose) args=(-v --json) ;;
	keylog) args=(--json -v --keylog tls13-close-notify-openssl.keylog
		--keylog tls12-close-notify-openssl.keylog) ;;
	esac
	for j in 1 2 5; do
		run "$mode" "$j" "${args[@]}" "${files[@]}"
	done
	for j in 2 5; do
		for part in out err rc; do
			if ! cmp -s "$tmp/$mode.1.$part" "$tmp/$mode.$j.$part"; then
				echo "FAIL: scan $mode: --jobs $j $part differs from --jobs 1"
				diff "$tmp/$mode.1.$part" "$tmp/$mode.$j.$part" | head -5
				fail=1
			fi
		done
	done
	if [ "$(cat "$tmp/$mode.1.rc")" != 2 ]; then
		echo "FAIL: scan $mode: exit status $(cat "$tmp/$mode.1.rc"), want 2 (bad files)"
		fail=1
	fi
	n=$((n + 1))
done

# The bad files are named on stderr, in command-line order, and nothing else
# is lost: every corpus alert is still reported.
grep -c "no-such-file.pcap: cannot open" "$tmp/json.2.err" >/dev/null ||
	{ echo "FAIL: the missing file is not reported"; fail=1; }
order=$(grep -o -e 'cut-last.pcap' -e 'no-such-file.pcap' -e "absurd-len.pcap" "$tmp/json.2.err" |
	tr '\n' ' ')
if [ "$order" != "cut-last.pcap no-such-file.pcap absurd-len.pcap " ]; then
	echo "FAIL: errors out of order: $order"
	fail=1
fi
want=$(($(wc -l <truth.tsv) - 1))
got=$(grep -c '"file":"[^.][^"]*","frame"' "$tmp/json.2.out")
if [ "$got" != "$want" ]; then
	echo "FAIL: $got corpus alerts reported among the bad files, truth.tsv has $want"
	fail=1
fi

# A file's results are the same alone and among others (flow ids included).
"$TLSALERT" scan --json -j 2 tls13-close-notify-openssl.pcap >"$tmp/alone.out"
grep '"file":"tls13-close-notify-openssl.pcap"' "$tmp/json.2.out" >"$tmp/among.out"
if ! cmp -s "$tmp/alone.out" "$tmp/among.out"; then
	echo "FAIL: tls13-close-notify-openssl.pcap scans differently among other files"
	fail=1
fi

# The summary totals add up over the files.
conns=$(grep -c '"type":"connection"' "$tmp/summary-json.2.out")
total=$(grep -o '"type":"summary","connections":[0-9]*' "$tmp/summary-json.2.out" | grep -o '[0-9]*$')
if [ "$conns" != "$total" ]; then
	echo "FAIL: summary says $total connections, $conns connection lines"
	fail=1
fi

# One file with more events than the output thread's ring holds (256): the
# classic-pcap corpus captures with an Ethernet link type, one after another,
# twelve times over, with times moved on so that every copy is new traffic.
python3 - "$tmp/big.pcap" *.pcap <<'PY'
import struct, sys
out = open(sys.argv[1], "wb")
head = None
records = []
for name in sys.argv[2:]:
    data = open(name, "rb").read()
    if data[:4] != b"\xd4\xc3\xb2\xa1" or struct.unpack("<I", data[20:24])[0] != 1:
        continue  # only little-endian microsecond pcap, Ethernet
    head = head or data[:24]
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        records.append((sec, usec, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
out.write(head)
for rep in range(12):
    for sec, usec, pkt, orig in records:
        out.write(struct.pack("<IIII", sec + 3600 * rep, usec, len(pkt), orig) + pkt)
PY
keys=()
for k in *.keylog; do keys+=(--keylog "$k"); done
for mode in json text summary csv keylog; do
	case $mode in
	json) args=(--json) ;;
	text) args=() ;;
	summary) args=(--summary --json) ;;
	csv) args=(--csv) ;;
	keylog) args=(--json "${keys[@]}") ;;
	esac
	for j in 1 2; do
		run "big-$mode" "$j" "${args[@]}" "$tmp/big.pcap"
	done
	for part in out err rc; do
		if ! cmp -s "$tmp/big-$mode.1.$part" "$tmp/big-$mode.2.$part"; then
			echo "FAIL: scan $mode of one file: the output thread (-j 2) changes $part"
			diff "$tmp/big-$mode.1.$part" "$tmp/big-$mode.2.$part" | head -5
			fail=1
		fi
	done
	n=$((n + 1))
done
events=$(wc -l <"$tmp/big-json.1.out")
if [ "$events" -le 256 ]; then
	echo "FAIL: the one-file test has $events alerts, not more than the ring's 256"
	fail=1
fi

[ $fail = 0 ] && echo "scan --jobs: $n output modes identical for 1, 2 and 5 jobs ($events alerts in one file)"
exit $fail
