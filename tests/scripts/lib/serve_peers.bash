# Sourced by the tests of `tlsalert serve` against real clients (tests/scripts/serve_*.sh):
# starts serve on a free loopback port (waiting for its "listening on" line: connecting to
# find out would be served as a connection) and runs one of five real clients against it,
# each bounded by `timeout`.  The sourcing script sets $TLSALERT and $tmp, and defines bad().
#
#   serve_start NAME ARGS...    serve on a free port in the background (at most 120 s); sets $port;
#                               writes $tmp/NAME.out, .err, .rc and the CA in $tmp/NAME.ca
#   serve_rc NAME               its exit status once it ended ("timeout" after 20 s)
#   client_run CLIENT VER NAME  one connection of CLIENT (s_client, curl, gnutls, python, go)
#                               under TLS VER (1.2 or 1.3) to $port, trusting $tmp/NAME.ca;
#                               what it printed in $tmp/NAME.CLIENT, its status in $client_rc
#   clients_available           the list of clients installed (the others counted as skipped);
#                               call build_go_client first (not in a subshell)
#   serve_pids                  background processes, killed by the caller's cleanup

serve_pids=()
# the interpreter itself: a version manager's shim (pyenv) costs half a second per start
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=python3
LIB=$PWD/tests/scripts/lib
REQUEST='GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'

serve_start() {
	local name=$1 i
	shift
	rm -f "$tmp/$name.out" "$tmp/$name.err" "$tmp/$name.rc"
	port=$(free_port)
	(
		timeout 120 "$TLSALERT" serve --listen "127.0.0.1:$port" --ca-out "$tmp/$name.ca" "$@" \
			>"$tmp/$name.out" 2>"$tmp/$name.err"
		echo $? >"$tmp/$name.rc"
	) &
	serve_pids+=($!)
	for ((i = 0; i < 200; i++)); do
		grep -qs "listening on 127\.0\.0\.1:$port " "$tmp/$name.out" "$tmp/$name.err" && return 0
		[ -s "$tmp/$name.rc" ] && break
		sleep 0.025
	done
	bad "$name: serve did not listen on $port: $(head -3 "$tmp/$name.err")"
	return 1
}

free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

serve_rc() {
	local i
	for ((i = 0; i < 800; i++)); do
		[ -s "$tmp/$1.rc" ] && { cat "$tmp/$1.rc"; return; }
		sleep 0.025
	done
	echo timeout
}

# The Go client is built once per run; without Go it is not available.
go_client=
build_go_client() {
	command -v go >/dev/null 2>&1 || return 1
	[ -n "$go_client" ] && return 0
	(cd "$LIB" && GOFLAGS=-mod=mod go build -o "$tmp/alert_client" alert_client.go) >"$tmp/go.log" 2>&1 ||
		{ bad "cannot build the Go client: $(head -3 "$tmp/go.log")"; return 1; }
	go_client=$tmp/alert_client
}

clients_available() {
	local list=""
	command -v openssl >/dev/null 2>&1 && list="$list s_client"
	command -v curl >/dev/null 2>&1 && list="$list curl"
	command -v gnutls-cli >/dev/null 2>&1 && list="$list gnutls"
	command -v python3 >/dev/null 2>&1 && list="$list python"
	[ -n "$go_client" ] && list="$list go"
	echo $list
}

client_run() {
	local client=$1 ver=$2 name=$3 out="$tmp/$3.$1" ca="$tmp/$3.ca"
	case $client in
	s_client)
		# -ign_eof: it keeps reading after its request, until the server ends
		printf "$REQUEST" | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
			-servername localhost -CAfile "$ca" -verify_return_error -ign_eof \
			"-tls${ver/./_}" >"$out" 2>&1
		;;
	curl)
		local v=(--tlsv1.3)
		[ "$ver" = 1.2 ] && v=(--tlsv1.2 --tls-max 1.2)
		timeout 10 curl -sS -o /dev/null --cacert "$ca" "${v[@]}" \
			--connect-to "localhost:443:127.0.0.1:$port" https://localhost/ >"$out" 2>&1
		;;
	gnutls)
		# stdin stays open for 3 s: at its end gnutls-cli would close first
		timeout 10 gnutls-cli --x509cafile "$ca" --sni-hostname localhost \
			--verify-hostname localhost --priority "NORMAL:-VERS-ALL:+VERS-TLS$ver" \
			-p "$port" 127.0.0.1 < <(printf "$REQUEST"; sleep 3) >"$out" 2>&1
		;;
	python)
		timeout 10 "$PY" "$LIB/alert_client.py" --ca "$ca" --tls "$ver" \
			"127.0.0.1:$port" >"$out" 2>&1
		;;
	go)
		timeout 10 "$go_client" -ca "$ca" -tls "$ver" "127.0.0.1:$port" >"$out" 2>&1
		;;
	esac
	client_rc=$?
}

# peers_begin: a client test's set-up: $tmp (removed at exit, with the serve processes
# killed), fail=0 and bad(); builds the Go client and sets $clients (those installed),
# $nclients and $skipped (of the five, counted, each named); exits 77 when none is installed.
peers_begin() {
	tmp=$(mktemp -d)
	cleanup() {
		for p in "${serve_pids[@]}"; do kill "$p" 2>/dev/null; done
		rm -rf "$tmp"
	}
	trap cleanup EXIT
	fail=0
	bad() { echo "FAIL: $*"; fail=1; }
	build_go_client
	clients=$(clients_available)
	skipped=0
	local c
	for c in s_client curl gnutls python go; do
		case " $clients " in *" $c "*) ;; *) echo "skip: $c not installed"; skipped=$((skipped + 1)) ;; esac
	done
	[ -n "$clients" ] || { echo "no client installed (openssl, curl, gnutls-cli, go)"; exit 77; }
	nclients=$(echo $clients | wc -w)
}
