#!/usr/bin/env bash
# build/tlsalert loads libpcap and libcrypto only when a command calls them
# (src/cli/lazy_libs.c): explain, list, decode and logs load neither (nor
# libpcap's chain: dbus, systemd, gcrypt); scan of a capture read in place
# without a filter loads no libpcap; a BPF filter loads libpcap, a key log
# libcrypto, --version both, and each then works.  Read from the dynamic
# loader's own trace (LD_DEBUG=files), not from timings (those are in
# docs/PERFORMANCE.md).  First the check is shown to see a library loaded.
set -u
cd "$(dirname "$0")/../.."
TLSALERT=${TLSALERT:-$PWD/build/tlsalert}
fail=0
f=tests/data/corpus/tls13-close-notify-curl-https.pcap
kl=tests/data/keylog/gnutls-tls12-aes-128-ccm

# loaded WANT CMD...: the libraries among libpcap, libcrypto, libdbus-1 and
# libsystemd that CMD loads are exactly WANT (space-separated, sorted)
loaded() {
	local want=$1 got
	shift
	got=$(LD_DEBUG=files "$TLSALERT" "$@" 2>&1 >/dev/null |
		grep -oE 'file=lib(pcap|crypto|dbus-1|systemd)\.so[^ ]*' | sed -E 's/^file=(lib[a-z0-9-]+)\..*/\1/' |
		sort -u | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" != "$want" ]; then
		echo "FAIL: tlsalert $*: loads '$got', expected '$want'"
		fail=1
	fi
}

# the check sees what a program linked with the libraries loads
probe=$(LD_DEBUG=files /usr/bin/env true 2>&1 | grep -c 'file=libc\.so')
[ "$probe" -ge 1 ] || { echo "LD_DEBUG=files shows nothing here: cannot check"; exit 77; }

if ldd "$TLSALERT" | grep -qE 'libpcap|libcrypto'; then
	echo "FAIL: $TLSALERT is linked with libpcap or libcrypto:"
	ldd "$TLSALERT"
	fail=1
fi
loaded "" explain 40
loaded "" explain --json 'SSL alert number 40'
loaded "" list --json
loaded "" decode 15030300020228
loaded "" logs tests/data/logs/sample.log
loaded "" scan -j 1 $f
loaded "libdbus-1 libpcap libsystemd" scan -j 1 -f tcp $f
loaded "libcrypto" scan -j 1 --keylog $kl.keylog $kl.pcap
loaded "libcrypto libdbus-1 libpcap libsystemd" --version

# and what they load works: the same alerts with and without a filter that
# keeps everything, decrypted alerts with the key log, versions printed
a=$("$TLSALERT" scan -j 1 --json $f | wc -l)
b=$("$TLSALERT" scan -j 1 --json -f 'tcp or udp' $f | wc -l)
[ "$a" -gt 0 ] && [ "$a" = "$b" ] || { echo "FAIL: scan -f: $b alerts, without: $a"; fail=1; }
"$TLSALERT" scan -j 1 --json --keylog $kl.keylog $kl.pcap | grep -q '"decrypted":true' ||
	{ echo "FAIL: scan --keylog decrypted no alert"; fail=1; }
"$TLSALERT" scan -j 1 -f 'tcp port' $f 2>&1 | grep -q 'filter' ||
	{ echo "FAIL: a bad filter is not reported through libpcap's message"; fail=1; }
[ $fail -eq 0 ] && echo "lazy_libs: libpcap and libcrypto loaded only by the commands that use them"
exit $fail
