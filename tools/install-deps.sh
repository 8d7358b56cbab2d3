#!/bin/sh
# Installs the Debian packages tlsalert needs to build and test, if missing.
# Run as root (or through sudo).  Used by the README's first command and .ci/run.
# man-db and pkg-config: tests/scripts/install.sh tries a staged `make install`; openssl,
# gnutls-bin, golang-go and nginx-light: the servers tests/scripts/probe_loopback.sh probes;
# curl, gnutls-bin, golang-go and openssl: the clients the serve tests run (tests/scripts/serve_*.sh);
# ngtcp2-client and ngtcp2-server: the QUIC peers of quic_loopback.sh and logs_quic_ngtcp2.sh;
# golang-github-lucas-clemente-quic-go-dev: quic-go (0.29 on Debian 12, with its qtls for Go
# 1.19), which quic_quicgo.sh builds tests/scripts/lib/quic_peer.go against (GOPATH mode).
# nginx-light is installed on its own and may fail: its package starts a service on port 80,
# which a container or a busy port can refuse; the test runs nginx from its binary alone and
# counts nginx as skipped when the binary is not there.
set -e
pkgs="build-essential clang python3 libpcap-dev libssl-dev zlib1g-dev tshark tcpdump man-db pkg-config
	openssl gnutls-bin golang-go curl ngtcp2-client ngtcp2-server
	golang-github-lucas-clemente-quic-go-dev"
[ -n "${TLSALERT_MIN_DEPS:-}" ] && pkgs="build-essential python3 libpcap-dev libssl-dev zlib1g-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
nginx=""
[ -z "${TLSALERT_MIN_DEPS:-}" ] && [ ! -x /usr/sbin/nginx ] && nginx=nginx-light
[ -z "$missing" ] && [ -z "$nginx" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
[ -n "$missing" ] && $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
if [ -n "$nginx" ]; then
	$SUDO apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 ||
		echo "install-deps: nginx-light did not install cleanly; tests use /usr/sbin/nginx if it is there"
fi
exit 0
