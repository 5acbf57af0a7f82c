#!/usr/bin/env bash
# Runs the Lab 05 demo as the handout shows it: mq-watch on a queue, messages
# sent from outside, Ctrl-C (SIGINT), in both notification modes. Each step
# waits for mq-watch's line about the step before (a handshake, not a sleep),
# and the whole story must match. The sender is a few lines of Python (ctypes
# around mq_send), because a lab's demo uses only its own programs.
# $1 = the folder with the built mq-watch.
set -euo pipefail
queue=/ipclab-demo-$$
send() {  # send TEXT PRIORITY
  python3 - "$queue" "$1" "$2" <<'PY'
import ctypes, os, sys
rt = ctypes.CDLL("librt.so.1", use_errno=True)
name, text, priority = sys.argv[1].encode(), sys.argv[2].encode(), int(sys.argv[3])
q = rt.mq_open(name, os.O_WRONLY)
if q < 0 or rt.mq_send(q, text, len(text), priority) != 0:
    sys.exit(f"demo: sending to {sys.argv[1]} failed: {os.strerror(ctypes.get_errno())}")
PY
}
cleanup() {
  python3 -c 'import ctypes, sys; ctypes.CDLL("librt.so.1").mq_unlink(sys.argv[1].encode())' "$queue"
  [ -z "${watcher:-}" ] || kill "$watcher" 2>/dev/null || true
}
trap cleanup EXIT

run() {  # run EXPECTED ARGS...: one watcher, three messages, then SIGINT
  local expected=$1; shift
  local got="" line
  exec 3< <(exec "$BIN/mq-watch" "$queue" --create "$@" 2>&1)
  watcher=$!
  next() { IFS= read -r -t 10 -u 3 line || { echo "demo: mq-watch stopped talking after:$got" >&2; exit 1; }; got+=$'\n'"$line"; }
  next                       # "watching ...", after any message it found queued
  until [[ $line == "mq-watch: watching "* ]]; do next; done
  send "first" 1; next
  send "second" 5; next
  send "third" 0; next
  kill -INT "$watcher"; next  # stopped...
  wait "$watcher" || { echo "demo: mq-watch $* exited with status $?" >&2; exit 1; }
  watcher=""
  exec 3<&-
  if [ "${got#$'\n'}" != "$expected" ]; then
    echo "demo: mq-watch $* told another story:" >&2
    diff <(echo "$expected") <(echo "${got#$'\n'}") >&2 || true
    exit 1
  fi
}
BIN=$1
# Under ThreadSanitizer a SIGEV_THREAD notification thread crashes (glibc starts
# it with its internal pthread_create, which TSan does not intercept): there the
# thread variant is skipped, with the reason, and the signal variant still runs.
if grep -qs '^IPCLAB_SANITIZE:STRING=thread$' "$BIN/../../CMakeCache.txt"; then
  echo "demo: thread notification skipped under ThreadSanitizer (glibc's SIGEV_THREAD threads are invisible to it); the signal variant runs"
else
run "mq-watch: watching $queue (thread notification); Ctrl-C stops
priority 1: first
priority 5: second
priority 0: third
mq-watch: stopped; $queue stays (remove it with mq-rm $queue from Lab 03)"
fi
python3 -c 'import ctypes, os, sys; ctypes.CDLL("librt.so.1").mq_open(sys.argv[1].encode(), os.O_CREAT | os.O_RDWR, 0o600, None)' "$queue"
send "waiting" 2  # queued while nobody watches: the next watcher drains it first
usr1=$(kill -l SIGUSR1)
run "priority 2: waiting
mq-watch: watching $queue (signal $usr1); Ctrl-C stops
priority 1: first
priority 5: second
priority 0: third
mq-watch: stopped; $queue stays (remove it with mq-rm $queue from Lab 03)" --signal SIGUSR1
echo "demo: mq-watch prints each message as it arrives, with a thread or a signal, and leaves the queue"
