#!/usr/bin/env bash
# `tlsalert scan` over several files with several threads (--jobs): stdout,
# stderr and the exit status must be exactly those of a one-thread run, in
# every output mode, with broken and missing files among the good ones, and
# per-file results must not depend on the other files of the run.
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

[ $fail = 0 ] && echo "scan --jobs: $n output modes identical for 1, 2 and 5 jobs"
exit $fail
