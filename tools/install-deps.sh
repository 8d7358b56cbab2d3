#!/bin/sh
# Installs the Debian packages tlsalert needs to build and test, if missing.
# Run as root (or through sudo).  Used by the README's first command and .ci/run.
# man-db and pkg-config: tests/scripts/install.sh tries a staged `make install`; openssl,
# gnutls-bin, golang-go and nginx-light: the servers tests/scripts/probe_loopback.sh probes.
set -e
pkgs="build-essential clang python3 libpcap-dev libssl-dev zlib1g-dev tshark tcpdump man-db pkg-config
	openssl gnutls-bin golang-go nginx-light"
[ -n "${TLSALERT_MIN_DEPS:-}" ] && pkgs="build-essential python3 libpcap-dev libssl-dev zlib1g-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
