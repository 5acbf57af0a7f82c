#!/usr/bin/env bash
# Runs the Lab 07 benchmark as the handout shows it, with fewer messages (the
# rates are not checked: this is a test of the program, not of the machine),
# and checks that a bad argument is refused with a clear message.
# $1 = the folder with the built ring-bench.
set -euo pipefail
got=$(timeout 60 "$1/ring-bench" --messages 20000) || { echo "demo: ring-bench failed: $got" >&2; exit 1; }
for line in '20000 messages of 100 bytes between two processes' 'shared memory ring (256 slots):' \
            'POSIX message queue (10 msgs):' 'times as fast'; do
  grep -qF -- "$line" <<<"$got" || { echo "demo: ring-bench did not print \"$line\":" >&2; echo "$got" >&2; exit 1; }
done
if err=$("$1/ring-bench" --size 0 2>&1); then
  echo "demo: ring-bench accepted --size 0" >&2; exit 1
fi
grep -qF -- '--size wants a whole number from 1 to 8192, not "0"' <<<"$err" ||
  { echo "demo: ring-bench refused --size 0 without saying why: $err" >&2; exit 1; }
echo "demo: ring-bench moves messages through the ring and the queue and compares them"
