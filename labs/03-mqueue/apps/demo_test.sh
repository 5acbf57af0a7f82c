#!/usr/bin/env bash
# Runs the Lab 03 queue tools the way the handout's shell session does: create,
# send with priorities, watch the count, receive in order, remove; then their
# errors, each a non-zero exit with a one-line reason; then mq-ls and mq-stat's
# kernel lines, in a private IPC and mount namespace when the machine allows it.
# $1 = the folder with the built tools.
set -euo pipefail
bin=$1
queue="/ipclab.demo.$$"
cleanup() { "$bin/mq-rm" "$queue" >/dev/null 2>&1 || true; }
trap cleanup EXIT
fail() { echo "tools: $*" >&2; exit 1; }
expect() {  # expect "WANTED" COMMAND...
  local wanted=$1 got; shift
  got=$("$@" 2>&1) || fail "'$*' failed: $got"
  [ "$got" = "$wanted" ] || fail "'$*' printed '$got', expected '$wanted'"
}
expect_error() {  # expect_error "PART OF THE MESSAGE" COMMAND... : exit 1 or 2, one line
  local part=$1 got status=0; shift
  got=$("$@" 2>&1 >/dev/null) || status=$?
  [ $status -ne 0 ] || fail "'$*' succeeded; it should fail"
  [[ $got == *"$part"* ]] || fail "'$*' should say '$part'; it said: $got"
}

for tool in mq-send mq-recv mq-stat mq-rm mq-ls; do
  "$bin/$tool" --help | grep -q "^usage: $tool" || fail "$tool --help has no usage line"
done

"$bin/mq-send" -c "$queue" low -p 1
"$bin/mq-send" "$queue" high -p 9
"$bin/mq-send" "$queue" medium -p 5
"$bin/mq-send" "$queue" high2 -p 9
"$bin/mq-stat" "$queue" | grep -qE '^curmsgs +4$' || fail "mq-stat should count 4 messages"
expect "9 high" "$bin/mq-recv" "$queue"
expect $'9 high2\n5 medium\n1 low' "$bin/mq-recv" "$queue" --all
"$bin/mq-stat" "$queue" | grep -qE '^curmsgs +0$' || fail "mq-stat should count 0 messages"

expect_error "the queue is empty" "$bin/mq-recv" -n "$queue"
expect_error "bad priority" "$bin/mq-send" "$queue" x -p 40000
expect_error "bad priority" "$bin/mq-send" "$queue" x -p -1
expect_error "longer than the queue's mq_msgsize" "$bin/mq-send" "$queue" "$(head -c 9000 /dev/zero | tr '\0' a)"
"$bin/mq-rm" "$queue"
expect_error "no such queue" "$bin/mq-send" "$queue" x
expect_error "no such queue" "$bin/mq-rm" "$queue"
expect_error "invalid queue name" "$bin/mq-rm" "no-slash"
expect_error "expected NAME" "$bin/mq-recv"

# mq-ls needs the mqueue file system. Mount one in a private IPC + mount
# namespace (so the test sees only its own queues and changes nothing outside).
dir=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-test.mqueue.XXXXXX")
trap 'cleanup; rmdir "$dir" 2>/dev/null || true' EXIT
expect_error "is not mounted on $dir" "$bin/mq-ls" --mount "$dir"
if unshare --ipc --mount true 2>/dev/null; then ns=(unshare --ipc --mount)
elif unshare --user --map-root-user --ipc --mount true 2>/dev/null; then ns=(unshare --user --map-root-user --ipc --mount)
else
  echo "tools: no namespaces here: mq-ls tested only for its 'not mounted' message"
  echo "tools: the queue tools work as the handout describes"
  exit 0
fi
"${ns[@]}" bash -euc '
  bin=$1 dir=$2
  mount -t mqueue none "$dir"
  "$bin/mq-send" -c /beta "abc" -p 3
  "$bin/mq-send" -c /alpha "hello"
  [ "$("$bin/mq-ls" --mount "$dir")" = $'"'"'/alpha QSIZE:5\n/beta QSIZE:3'"'"' ] || { echo "mq-ls printed: $("$bin/mq-ls" --mount "$dir")"; exit 1; }
  "$bin/mq-stat" /alpha --mount "$dir" | grep -qE "^QSIZE +5$" || { echo "mq-stat has no QSIZE line"; exit 1; }
  "$bin/mq-stat" /alpha --mount "$dir" | grep -qE "^NOTIFY +0$" || { echo "mq-stat has no NOTIFY line"; exit 1; }
' _ "$bin" "$dir" || fail "mq-ls / mq-stat in a private mqueue mount"
echo "tools: the queue tools work as the handout describes"
