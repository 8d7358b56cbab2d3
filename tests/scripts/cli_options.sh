#!/usr/bin/env bash
# Every option a command accepts is documented, and a short option means one
# thing everywhere.  The option tables are read from src/cli/cmd_*.c (one table
# per command: {"name", no_argument|required_argument, NULL, val}; a val that
# is a character literal is also the short option), then:
#   - `tlsalert CMD --help` names every long option of CMD's table, and its
#     short options as "-x, --name";
#   - docs/tlsalert.1 names every long and short option;
#   - one short letter is the same long option in every command, and the man
#     page's list of short options is exactly the tables' (plus -V and -h of
#     tlsalert itself);
#   - `tlsalert --help` names every command, -h/--help and -V/--version;
#     `tlsalert --version` (and -V, version) prints "tlsalert VERSION" with
#     TLSALERT_VERSION of src/cli/cli.h, then the libpcap, OpenSSL and zlib
#     versions, one line each; the man page's .TH carries the same version.
# Before the real check it plants faults in copies (a help text without an
# option, a letter used twice) and fails if they are not caught.
set -u
cd "$(dirname "$0")/../.."
T=${TLSALERT:-build/tlsalert}
MAN=docs/tlsalert.1
faults=0
fail() { echo "cli_options: $*"; faults=$((faults + 1)); }

# "name val" per line for one command source file; val is the character of a
# short option or "-" for a long-only option.
table() {
	grep -oE '\{"[a-z0-9-]+", (no|required)_argument, NULL, [^}]+\}' "$1" |
		sed -E 's/^\{"([a-z0-9-]+)", [a-z_]+, NULL, (.*)\}$/\1 \2/' |
		awk '{ v = $2; if (v ~ /^'"'"'.'"'"'$/) v = substr(v, 2, 1); else v = "-"; print $1, v }'
}

# The man page as plain text: roff escapes for '-' and fonts removed.
man_text() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$1"; }

# check_cmd CMD HELP MANTEXT TABLE: the help and the man page name every
# option, as a word (--color is not found in "--colour").
check_cmd() {
	local cmd=$1 help=$2 man=$3 name val n=0
	while read -r name val; do
		n=$((n + 1))
		grep -qE -- "(^|[^a-z0-9-])--$name([^a-z0-9-]|\$)" <<<"$help" ||
			fail "$cmd --help does not name --$name"
		grep -qE -- "(^|[^a-z0-9-])--$name([^a-z0-9-]|\$)" <<<"$man" ||
			fail "$MAN does not name --$name ($cmd)"
		if [ "$val" != - ]; then
			grep -qE -- "(^|[^a-z0-9-])-$val, --$name([^a-z0-9-]|\$)" <<<"$help" ||
				fail "$cmd --help does not show '-$val, --$name'"
		fi
	done <<<"$4"
	[ "$n" -gt 0 ] || fail "$cmd: no option table found"
}

# check_letters "cmd letter name" lines: one letter, one long option.
check_letters() {
	awk '$2 != "-" { k = $2; if (k in name && name[k] != $3)
			printf "cli_options: -%s is --%s in %s but --%s in %s\n", k, name[k], cmd[k], $3, $1;
		else { name[k] = $3; cmd[k] = $1 } }' <<<"$1"
}

# The man page's list of short options, "letter name" per line.
man_shorts() {
	sed -n '/^Each short option means the same/,/^\.RE/p' "$1" |
		sed -e 's/\\-/-/g' | grep -E '^\.B -' | sed 's/^\.B //' |
		paste - - | sed -E 's/^-(.)\t--(.*)$/\1 \2/'
}

# --- planted faults: the checks must catch them ---------------------------
saved=$faults
check_cmd demo "  --json   JSON" "--json --csv" "$(printf 'json -\ncsv -\n')" >/dev/null
[ $((faults - saved)) -eq 1 ] || { echo "cli_options: self-check: a help text without --csv was not caught"; exit 1; }
check_cmd demo "  -r FILE, --file" "--file" "file r" >/dev/null
[ $((faults - saved)) -eq 2 ] || { echo "cli_options: self-check: a missing '-r, --file' was not caught"; exit 1; }
check_cmd demo "  --colour WHEN" "--colour" "color -" >/dev/null
[ $((faults - saved)) -eq 4 ] || { echo "cli_options: self-check: --colour was taken for --color"; exit 1; }
[ -n "$(check_letters "$(printf 'scan f filter\ndecode f file\n')")" ] ||
	{ echo "cli_options: self-check: -f with two meanings was not caught"; exit 1; }
faults=$saved

# --- the real check -------------------------------------------------------
[ -x "$T" ] || { echo "cli_options: $T not built"; exit 1; }
mantext=$(man_text "$MAN")
letters=""
cmds=()
for src in src/cli/cmd_*.c; do
	cmd=$(basename "$src" .c)
	cmd=${cmd#cmd_}
	cmds+=("$cmd")
	tab=$(table "$src")
	help=$("$T" "$cmd" --help) || fail "$cmd --help: exit status $?"
	check_cmd "$cmd" "$help" "$mantext" "$tab"
	letters+=$(awk -v c="$cmd" '$2 != "-" { print c, $2, $1 }' <<<"$tab")$'\n'
done
letters+=$'tlsalert V version\ntlsalert h help\n'
out=$(check_letters "$letters")
[ -z "$out" ] || { printf '%s\n' "$out"; faults=$((faults + 1)); }

want=$(awk 'NF { print $2, $3 }' <<<"$letters" | sort -u)
got=$(man_shorts "$MAN" | sort -u)
[ "$want" = "$got" ] || {
	fail "the short options listed in $MAN differ from the option tables:"
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/    /'
}

top=$("$T" --help)
for w in "${cmds[@]}" version; do
	grep -qE "^  $w " <<<"$top" || fail "tlsalert --help does not list the command $w"
done
grep -qE -- '-h, --help' <<<"$top" || fail "tlsalert --help does not show '-h, --help'"
grep -qE -- '-V, --version' <<<"$top" || fail "tlsalert --help does not show '-V, --version'"

version=$(sed -n 's/^#define TLSALERT_VERSION "\(.*\)"$/\1/p' src/cli/cli.h)
[ -n "$version" ] || fail "no TLSALERT_VERSION in src/cli/cli.h"
for how in --version -V version; do
	v=$("$T" $how)
	rc=$?
	[ $rc -eq 0 ] || fail "tlsalert $how: exit status $rc"
	lines=$(printf '%s\n' "$v" | wc -l)
	[ "$lines" -eq 4 ] || fail "tlsalert $how: $lines lines, not 4"
	[ "$(sed -n 1p <<<"$v")" = "tlsalert $version" ] || fail "tlsalert $how: first line '$(sed -n 1p <<<"$v")'"
	sed -n 2p <<<"$v" | grep -q '^libpcap version [0-9]' || fail "tlsalert $how: line 2 is not libpcap's version"
	sed -n 3p <<<"$v" | grep -q '^OpenSSL [0-9]' || fail "tlsalert $how: line 3 is not OpenSSL's version"
	sed -n 4p <<<"$v" | grep -q '^zlib [0-9]' || fail "tlsalert $how: line 4 is not zlib's version"
done
grep -q "^\.TH TLSALERT 1 .*\"tlsalert $version\"" "$MAN" || fail "$MAN: .TH does not say tlsalert $version"

[ "$faults" -eq 0 ] || { echo "cli_options: $faults faults"; exit 1; }
echo "cli_options: ${#cmds[@]} commands, every option in --help and $MAN, one meaning per short option"
