#!/usr/bin/env bash
# Runs the Lab 04 demo as the handout shows it and compares the whole story:
# the order of its lines is fixed by handshakes, so it must match exactly.
# $1 = the folder with the built mq-pressure.
set -euo pipefail
expected='producer: sending message 1 (queue holds 0 of 3)
producer: sending message 2 (queue holds 1 of 3)
producer: sending message 3 (queue holds 2 of 3)
producer: sending message 4 (queue holds 3 of 3) — full, waiting
consumer: the producer is blocked in mq_timedsend; queue holds 3 of 3
consumer: receiving one message (the oldest is message 1)
producer: sending message 5 (queue holds 3 of 3) — full, waiting
consumer: the producer is blocked in mq_timedsend; queue holds 3 of 3
consumer: receiving one message (the oldest is message 2)
producer: sending message 6 (queue holds 3 of 3) — full, waiting
consumer: the producer is blocked in mq_timedsend; queue holds 3 of 3
consumer: receiving one message (the oldest is message 3)
producer: done
consumer: receiving one message (the oldest is message 4)
consumer: receiving one message (the oldest is message 5)
consumer: receiving one message (the oldest is message 6)
consumer: done; every message arrived once, in order'
got=$(timeout 30 "$1/mq-pressure" --pause-ms 0) || { echo "demo: mq-pressure failed: $got" >&2; exit 1; }
if [ "$got" != "$expected" ]; then
  echo "demo: mq-pressure told another story:" >&2
  diff <(echo "$expected") <(echo "$got") >&2 || true
  exit 1
fi
echo "demo: mq-pressure shows back-pressure as the handout describes"
