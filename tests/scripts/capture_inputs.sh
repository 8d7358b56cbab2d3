#!/usr/bin/env bash
# The capture layer through `tlsalert scan`: every framing of the same small
# conversation in tests/data/capture/ (link layers, VLANs, PPPoE, MPLS,
# tunnels, fragments, pcapng, gzip, stdin) must give the same alerts as plain
# Ethernet; a cut file still prints what came before and exits 2; a BPF filter
# on a file keeps frame numbers.
set -u
cd "$(dirname "$0")/../data/capture" || exit 1
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
# alert rows without the file, frame and time columns (CSV: the text line has no addresses)
norm() { cut -d, -f4- | tail -n +2; }

want4=$("$TLSALERT" scan --csv eth-ipv4.pcap | norm)
want6=$("$TLSALERT" scan --csv eth-ipv6-nsec.pcap | norm)
[ "$(printf '%s\n' "$want4" | wc -l)" -eq 2 ] || bad "eth-ipv4.pcap: expected 2 alerts, got: $want4"
[ "$(printf '%s\n' "$want6" | wc -l)" -eq 2 ] || bad "eth-ipv6-nsec.pcap: expected 2 alerts"

for f in raw-ipv4.pcap null-ipv4.pcap vlan.pcap qinq.pcap pppoe.pcap mpls.pcap cisco-sgt.pcap \
	sll.pcap gre.pcap erspan2.pcap vxlan.pcap geneve.pcap gtpu.pcap capwap.pcap ipip.pcap \
	frag-ipv4.pcap multi.pcapng eth-ipv4.pcap.gz; do
	got=$("$TLSALERT" scan --csv "$f" | norm)
	[ "$got" = "$want4" ] || bad "$f: $got"
done
for f in linktype-ipv6.pcap loop-ipv6.pcap sll2.pcap 6in4.pcap ipv6-ext.pcap frag-ipv6.pcap; do
	got=$("$TLSALERT" scan --csv "$f" | norm)
	[ "$got" = "$want6" ] || bad "$f: $got"
done

# standard input, compressed or not
got=$("$TLSALERT" scan --csv - <eth-ipv4.pcap.gz | norm)
[ "$got" = "$want4" ] || bad "stdin (gzip): $got"
got=$("$TLSALERT" scan --csv - <sll2.pcap | norm)
[ "$got" = "$want6" ] || bad "stdin: $got"

# the last packet is cut: the alert of frame 5 is still written, exit 2, the error names frame 9
out=$("$TLSALERT" scan --csv cut-last.pcap 2>/tmp/capture_inputs.$$)
rc=$?
err=$(cat /tmp/capture_inputs.$$)
rm -f /tmp/capture_inputs.$$
[ "$rc" -eq 2 ] || bad "cut-last.pcap: exit status $rc, want 2"
case "$out" in *$'\n'cut-last.pcap,5,*) ;; *) bad "cut-last.pcap: output '$out'" ;; esac
case "$err" in *"cut-last.pcap: frame 9: truncated dump file"*) ;; *) bad "cut-last.pcap: stderr '$err'" ;; esac

# a BPF filter: only the UDP alert, still numbered frame 9
out=$("$TLSALERT" scan --csv -f udp eth-ipv4.pcap)
case "$out" in *$'\n'eth-ipv4.pcap,9,*,udp,*) ;; *) bad "-f udp: '$out'" ;; esac
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || bad "-f udp: more than one row"

exit $fail
