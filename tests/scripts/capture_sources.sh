#!/usr/bin/env bash
# Inputs as users have them (issue 12, item 4): one capture given as a named
# pipe (mkfifo), a process substitution, /dev/stdin, "-", gzip through a
# pipe, and from a pipe written a few bytes at a time (records straddle every
# read): each gives the alerts of the plain file; SSLKEYLOGFILE may be a pipe.  A gzip stream cut in its
# data keeps what came before and exits 2.
set -u
cd "$(dirname "$0")/../data/capture" || exit 1
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT || exit 1
# alert rows without the file column (the input: eth-ipv4.pcap after 1,000 frames that are not IP)
norm() { cut -d, -f2- | tail -n +2; }
python3 hostile.py padded eth-ipv4.pcap "$t/p.pcap" || exit 1
P=$t/p.pcap
want=$("$TLSALERT" scan --csv "$P" | norm)
[ "$(printf '%s\n' "$want" | grep -c .)" -eq 2 ] || bad "$P: expected 2 alerts, got: $want"

check() { # LABEL RC OUTPUT
	[ "$2" -eq 0 ] || bad "$1: exit status $2"
	[ "$(printf '%s' "$3" | norm)" = "$want" ] || bad "$1: $3"
}
mkfifo "$t/fifo" || exit 1
(cat "$P" >"$t/fifo" &)
out=$(timeout 20 "$TLSALERT" scan --csv "$t/fifo"); check fifo $? "$out"
# a small file: the writer is done (and gone) before the reader gets going; a reader that
# opened the FIFO a second time would wait forever
mkfifo "$t/fifo-small" || exit 1
(cat eth-ipv4.pcap >"$t/fifo-small" &)
out=$(timeout 20 "$TLSALERT" scan --csv "$t/fifo-small" | cut -d, -f2- | tail -n +2)
[ "$out" = "$("$TLSALERT" scan --csv eth-ipv4.pcap | norm)" ] || bad "small fifo: $out"
mkfifo "$t/fifo-gz" || exit 1
(gzip -c "$P" >"$t/fifo-gz" &)
out=$(timeout 20 "$TLSALERT" scan --csv "$t/fifo-gz"); check "fifo (gzip)" $? "$out"
out=$(timeout 20 "$TLSALERT" scan --csv <(cat "$P")); check "<(cat)" $? "$out"
out=$(timeout 20 "$TLSALERT" scan --csv <(gzip -c "$P")); check "<(gzip -c)" $? "$out"
out=$(timeout 20 "$TLSALERT" scan --csv /dev/stdin <"$P"); check "/dev/stdin < file" $? "$out"
out=$(cat "$P" | timeout 20 "$TLSALERT" scan --csv /dev/stdin); check "cat | /dev/stdin" $? "$out"
out=$(gzip -c "$P" | timeout 20 "$TLSALERT" scan --csv -); check "gzip -c | -" $? "$out"
out=$(gzip -c "$P" | timeout 20 "$TLSALERT" scan --csv /dev/stdin); check "gzip -c | /dev/stdin" $? "$out"
# 7 bytes per write, every record split across reads (the small file: fewer writes)
P=eth-ipv4.pcap
want=$("$TLSALERT" scan --csv "$P" | norm)
dribble() { python3 -c '
import os, sys, time
d = open(sys.argv[1], "rb").read()
for i in range(0, len(d), 7):
    os.write(1, d[i:i + 7])
    time.sleep(0.0005)
' "$1"; }
out=$(dribble "$P" | timeout 20 "$TLSALERT" scan --csv -); check "7-byte writes" $? "$out"
python3 hostile.py ng "$P" "$t/x.pcapng" || exit 1
out=$(dribble "$t/x.pcapng" | timeout 20 "$TLSALERT" scan --csv -); check "pcapng, 7-byte writes" $? "$out"
gzip -c "$P" >"$t/x.pcap.gz"
out=$(dribble "$t/x.pcap.gz" | timeout 20 "$TLSALERT" scan --csv -); check "gzip, 7-byte writes" $? "$out"

# a gzip stream cut in the middle of its data: exit 2, truncated, named at a frame
python3 hostile.py gz-cut eth-ipv4.pcap "$t/cut.pcap.gz" || exit 1
"$TLSALERT" scan --csv "$t/cut.pcap.gz" >/dev/null 2>"$t/err"
rc=$?
[ "$rc" -eq 2 ] || bad "gzip cut: exit status $rc, want 2"
grep -q "cut.pcap.gz: frame [0-9]*: truncated: the gzip-compressed data ends without its trailer" \
	"$t/err" || bad "gzip cut: $(cat "$t/err")"

# SSLKEYLOGFILE naming a pipe: opened once (a trial open first would leave nothing to read)
K=../corpus/sni-unrecognized-name-warning-tls12.keylog
C=../corpus/sni-unrecognized-name-warning-tls12.pcap
n=$(SSLKEYLOGFILE=<(cat "$K") timeout 20 "$TLSALERT" scan --json "$C" | grep -c '"decrypted":true')
[ "$n" -ge 1 ] || bad "SSLKEYLOGFILE=<(cat ...): nothing decrypted"
exit $fail
