#!/usr/bin/env bash
# Runs the Lab 06 demo as the handout shows it: a server, clients, a stopped
# server that finds three messages at once (priority order), Ctrl-C's SIGINT,
# a second server on the same name and a client with no server. Each step
# waits for the line that proves the previous one happened: no sleeps.
# $1 = the folder with the built mq-server and mq-client.
set -euo pipefail
bin=$1
name=/ipclab-demo.$$
fail() { echo "demo: $*" >&2; exit 1; }
expect() {  # the next line of the server must be $1
  local line
  IFS= read -r -t 10 line <&3 || fail "the server said nothing more; expected: $1"
  [ "$line" = "$1" ] || fail "the server said \"$line\"; expected: $1"
}

exec 3< <(exec "$bin/mq-server" --interval-ms 3600000 "$name")
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true' EXIT  # a failed step leaves no server (SIGTERM: it removes its queue)
expect "listening on $name"
"$bin/mq-client" "$name" hello || fail "mq-client failed"
expect "message priority=0: hello"

# A stopped server cannot receive: the three messages wait in the queue together.
kill -STOP "$server"
"$bin/mq-client" "$name" -p 1 low -p 9 urgent normal || fail "mq-client failed"
kill -CONT "$server"
expect "message priority=9: urgent"
expect "message priority=1: low"
expect "message priority=0: normal"

# A second server on the same queue is refused, and says how to clean up.
if err=$("$bin/mq-server" "$name" 2>&1); then fail "a second server started on $name"; fi
grep -q "rm /dev/mqueue$name" <<<"$err" || fail "the second server did not say how to remove the queue: $err"

kill -INT "$server"
expect "signal SIGINT from pid $$"
expect "final: received=4 new=4 queued=0 intervals=0 rate=-"
wait "$server" || fail "the server's exit status was $? after SIGINT (expected 0)"

# The server removed its queue: the client finds no server.
if err=$("$bin/mq-client" "$name" hello 2>&1); then fail "mq-client succeeded without a server"; fi
grep -q "no server" <<<"$err" || fail "mq-client without a server said: $err"
echo "demo: mq-server and mq-client tell the story of the handout"
