#!/usr/bin/env bash
# `tlsalert scan` on input that arrives over time (`tcpdump -U -w - | tlsalert
# scan -`): a slow writer (slow_pcap.py) writes a corpus capture up to just
# after its first alert, then waits.  The alert must be on stdout, a file,
# while the writer still waits (stdin plain and gzip-compressed, a FIFO, with
# and without the output thread, text and JSON); once the writer is let go,
# the whole output must be that of the scan of the file.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
command -v python3 >/dev/null || { echo "python3 not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
slow=$PWD/tests/scripts/slow_pcap.py
pcap=$PWD/tests/data/corpus/sni-unrecognized-name-warning-tls12.pcap # alerts: frames 6, 14, 17

# Waits up to 10 s for PATTERN in FILE.
appears() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# NAME HOW PATTERN ARGS...: HOW is stdin, gzip or fifo.
check() {
	local name=$1 how=$2 pattern=$3
	shift 3
	local d=$tmp/$name
	mkdir "$d"
	local gz=() input=- expect_name=-
	[ "$how" = gzip ] && gz=(--gzip)
	if [ "$how" = fifo ]; then
		mkfifo "$d/fifo"
		input=$d/fifo expect_name=$d/fifo
		python3 "$slow" "$pcap" 6 "$d/go" 20 >"$d/fifo" &
		"$TLSALERT" scan --no-progress "$@" "$input" >"$d/out" 2>"$d/err" &
	else
		python3 "$slow" "${gz[@]}" "$pcap" 6 "$d/go" 20 |
			"$TLSALERT" scan --no-progress "$@" - >"$d/out" 2>"$d/err" &
	fi
	if ! appears "$d/out" "$pattern"; then
		echo "FAIL $name: the alert of frame 6 is not out while the writer waits"
		fail=1
	fi
	touch "$d/go"
	wait
	# the same scan of the file, named as the stream was
	if [ "$how" = fifo ]; then
		cp "$pcap" "$d/file" # a name as long as the FIFO's: the text layout depends on it
		"$TLSALERT" scan --no-progress "$@" "$d/file" 2>&1 |
			sed "s|$d/file|$expect_name|g" >"$d/want"
	else
		"$TLSALERT" scan --no-progress "$@" - <"$pcap" >"$d/want" 2>&1
	fi
	cat "$d/out" "$d/err" >"$d/got"
	if ! cmp -s "$d/want" "$d/got"; then
		echo "FAIL $name: the output differs from the scan of the file"
		diff "$d/want" "$d/got" | head -20
		fail=1
	fi
}

check stdin-text stdin ' -:6 ' -j 1
check stdin-thread stdin ' -:6 ' -j 2 # one file, two threads: the output thread writes
check stdin-json stdin '"frame":6,' -j 1 --json
check gzip gzip ' -:6 ' -j 2 --brief
check fifo fifo 'fifo,6,' -j 1 --csv
check fifo-thread fifo ':6 ' -j 4

# The alert is found in the first part alone: the test proves something only
# if a scan of that part finds it (it does not wait for the rest).
head -c "$(python3 -c "import sys; sys.path.insert(0, 'tests/scripts'); import slow_pcap; \
print(slow_pcap.split_at(open('$pcap', 'rb').read(), 6))")" "$pcap" >"$tmp/part.pcap"
if ! "$TLSALERT" scan --brief "$tmp/part.pcap" | grep -q 'part.pcap:6 '; then
	echo "FAIL: the first part of $pcap does not hold the alert of frame 6"
	fail=1
fi

[ $fail = 0 ] && echo "scan_stream: 6 streams, each alert out before the writer ended"
exit $fail
