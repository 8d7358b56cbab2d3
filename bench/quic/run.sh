#!/usr/bin/env bash
# The per-packet cost of QUIC protection (bench/quic/bench_quic.c): CPU ns per
# call of key derivation, header parsing, header protection + AEAD of RFC 9001
# Appendix A's packets, and the frame walk, best of 5 runs of N calls.
# Usage: bench/quic/run.sh [N]      (N = 20000; needs build/libtlsalert.a)
set -u
cd "$(dirname "$0")/../.."
[ -f build/libtlsalert.a ] || make -s build/libtlsalert.a || exit 2
mkdir -p bench/out
cc -std=c11 -O2 -Iinclude -o bench/out/bench_quic bench/quic/bench_quic.c build/libtlsalert.a \
	-lssl -lcrypto -lpcap -lz -lpthread || exit 2
exec bench/out/bench_quic "${1:-20000}"
