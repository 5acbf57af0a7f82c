#!/usr/bin/env bash
# Runs the Lab 02 demo as the handout describes: create a queue, send typed
# messages, receive them selectively, inspect it, remove it.
# $1 = the folder with the built sysv-msg.
set -euo pipefail
tool="$1/sysv-msg"
dir=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-test.demo.XXXXXX")
key_file="$dir/demo.key"
cleanup() { "$tool" rm "$key_file" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "demo: $*" >&2; exit 1; }
expect() {  # expect "WANTED" COMMAND... : the command's output must be WANTED
  local wanted=$1 got; shift
  got=$("$@" 2>&1) || fail "'$*' failed: $got"
  [ "$got" = "$wanted" ] || fail "'$*' printed '$got', expected '$wanted'"
}

touch "$key_file"
"$tool" create "$key_file" | grep -q '^created key 0x' || fail "create did not report the key"
"$tool" send "$key_file" 2 hello
"$tool" send "$key_file" 1 first
"$tool" send "$key_file" 7 later
expect $'messages 3\nbytes 15' sh -c "'$tool' stat '$key_file' | head -n 2"
expect "1 first" "$tool" recv "$key_file" -5
expect "2 hello" "$tool" recv "$key_file" 0
expect "7 later" "$tool" recv "$key_file" 7 -n
if out=$("$tool" recv "$key_file" -n 2>&1); then fail "recv -n on an empty queue succeeded: $out"; fi
[[ $out == *ENOMSG* ]] || fail "recv -n on an empty queue should mention ENOMSG: $out"
"$tool" rm "$key_file"
if out=$("$tool" stat "$key_file" 2>&1); then fail "stat after rm succeeded"; fi
[[ $out == *"no queue for that key"* ]] || fail "stat after rm should say there is no queue: $out"
out=$("$tool" create "$dir/missing" 2>&1) && fail "create with a missing key file succeeded"
[[ $out == *"the path must exist"* ]] || fail "a missing key file should be explained: $out"
echo "demo: sysv-msg works as the handout describes"
