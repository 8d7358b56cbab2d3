#!/usr/bin/env bash
# `make install DESTDIR=stage PREFIX=/usr` installs what a user and a program
# need, and it works from there: the command runs, `man -l` (and `man tlsalert`
# with the staged MANPATH) renders the page without warnings, pkg-config finds
# the library, and a small C program compiled and linked with pkg-config's
# flags against the staged headers and archive runs.  Then `make uninstall`
# leaves no file behind.  Needs man (man-db) and pkg-config:
# tools/install-deps.sh installs them.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
for tool in man pkg-config cc; do
	command -v $tool >/dev/null ||
		{ echo "install: $tool is not installed (tools/install-deps.sh installs it)"; exit 77; }
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
faults=0
fail() { echo "install: $*"; faults=$((faults + 1)); }
# make, as a fresh one: not the job server of a `make test` that runs this script
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory BUILD="$BUILD" "$@"; }

mk install DESTDIR="$stage" PREFIX=/usr >"$stage.log" 2>&1 ||
	{ cat "$stage.log"; rm -f "$stage.log"; echo "install: make install failed"; exit 1; }
rm -f "$stage.log"
root=$stage/usr
for f in bin/tlsalert lib/libtlsalert.a include/tlsalert.h lib/pkgconfig/tlsalert.pc \
	share/man/man1/tlsalert.1 $(cd include && ls tlsalert/*.h | sed 's|^|include/|'); do
	[ -f "$root/$f" ] || fail "make install did not install $f"
done
[ -x "$root/bin/tlsalert" ] || fail "bin/tlsalert is not executable"
[ "$(stat -c %a "$root/lib/libtlsalert.a")" = 644 ] || fail "lib/libtlsalert.a is not mode 644"

# the installed command
"$root/bin/tlsalert" --version | head -1 | grep -q '^tlsalert ' || fail "the installed tlsalert --version does not run"

# the man page renders, by file and by name, without a warning of groff
out=$(MANWIDTH=80 man --warnings -l "$root/share/man/man1/tlsalert.1" 2>"$stage/man.err")
[ $? -eq 0 ] || fail "man -l failed"
grep -q 'tlsalert - find, decode and explain TLS and DTLS alerts' <<<"$out" ||
	fail "man -l: no NAME line in the rendered page"
[ -s "$stage/man.err" ] && fail "man --warnings -l: $(cat "$stage/man.err")"
MANPATH=$root/share/man man -w tlsalert 2>/dev/null | grep -q "^$root/share/man/man1/tlsalert.1" ||
	fail "man -w tlsalert does not find the staged page through MANPATH"

# pkg-config: the staged .pc, its prefix moved to the stage
export PKG_CONFIG_PATH=$root/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
pkg-config --exists tlsalert || fail "pkg-config does not find tlsalert"
[ "$(pkg-config --modversion tlsalert)" = "$("$root/bin/tlsalert" --version | sed -n '1s/^tlsalert //p')" ] ||
	fail "pkg-config --modversion is not the version of tlsalert --version"
cflags=$(pkg-config --cflags tlsalert) || fail "pkg-config --cflags failed"
libs=$(pkg-config --libs --static tlsalert) || fail "pkg-config --libs --static failed"
[ "$(echo $cflags)" = "-I$root/include" ] || fail "pkg-config --cflags: '$cflags'"
grep -q -- "-L$root/lib -ltlsalert" <<<"$libs" || fail "pkg-config --libs: '$libs'"

# a program of a user: the public headers alone, linked with pkg-config's flags
cat >"$stage/x.c" <<'C'
#include <stdio.h>
#include <tlsalert.h>

int main(void)
{
	const struct tlsa_alert *a = tlsa_alert_get(48);
	if (a == NULL)
		return 1;
	printf("%d %s\n", a->code, a->name);
	return 0;
}
C
# a sanitizer build's archive needs the sanitizer runtime
san=""
nm "$root/lib/libtlsalert.a" 2>/dev/null | grep -q '__asan_' && san="-fsanitize=address,undefined"
if cc -std=c11 -Wall -Werror $san $cflags -o "$stage/x" "$stage/x.c" $libs 2>"$stage/cc.err"; then
	got=$("$stage/x")
	[ "$got" = "48 unknown_ca" ] || fail "the program linked against the staged library printed '$got'"
else
	fail "cc \$(pkg-config --cflags tlsalert) x.c \$(pkg-config --libs --static tlsalert) failed: $(cat "$stage/cc.err")"
fi

# uninstall removes every file it installed
mk uninstall DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1 || fail "make uninstall failed"
left=$(cd "$stage" && find usr -type f)
[ -z "$left" ] || fail "make uninstall left: $left"

[ "$faults" -eq 0 ] || { echo "install: $faults faults"; exit 1; }
echo "install: make install staged the command, library, headers, pkg-config file and man page; all work; uninstall removed them"
