#!/usr/bin/env bash
# Runs the Lab 01 demo as the handout describes: fifo-server in the background,
# two fifo-clients, then Ctrl-C (SIGINT) for the server, which must remove its FIFO.
# $1 = the folder with the built fifo-server and fifo-client.
set -euo pipefail
bin=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-test.demo.XXXXXX")
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "demo: $*" >&2; exit 1; }

# The server says "serving on ..." once its FIFO is open: that line is our handshake.
coproc SERVER { exec "$bin/fifo-server" "$dir"; }
server_pid=$SERVER_PID
read -r -t 10 banner <&"${SERVER[0]}" || fail "fifo-server did not start within 10 s"
[[ $banner == "serving on $dir/server.fifo"* ]] || fail "unexpected first line from fifo-server: $banner"
[ -p "$dir/server.fifo" ] || fail "$dir/server.fifo is not a FIFO"

reply=$(timeout 10 "$bin/fifo-client" "$dir" hello "named pipes") || fail "fifo-client failed"
[ "$reply" = $'HELLO\nNAMED PIPES' ] || fail "expected the replies HELLO and NAMED PIPES, got: $reply"
reply=$(echo "from stdin" | timeout 10 "$bin/fifo-client" "$dir") || fail "fifo-client (stdin) failed"
[ "$reply" = "FROM STDIN" ] || fail "expected FROM STDIN, got: $reply"
[ -z "$(find "$dir" -name 'client-*')" ] || fail "a client left its reply FIFO behind"

kill -INT "$server_pid"
wait "$server_pid" || fail "fifo-server exited with status $? on SIGINT (expected 0)"
server_pid=""
[ ! -e "$dir/server.fifo" ] || fail "fifo-server did not remove its FIFO on SIGINT"

no_server=$(timeout 10 "$bin/fifo-client" "$dir" hi 2>&1) && fail "fifo-client succeeded without a server"
[[ $no_server == *"no server is running"* ]] || fail "fifo-client without a server should say so; it said: $no_server"
echo "demo: fifo-server and fifo-client work as the handout describes"
