#!/usr/bin/env bash
# The grader's self-tests: grades the reference, the skeleton, and a set of bad
# submissions, and checks every score against what each case expects; then
# checks that nothing was left on the machine.
#
#   grader/selftest/run.sh build/grader/ipclab-grader
#
# A bad submission is never stored: each case in cases/NAME.sh takes a fresh
# copy of solutions/01-fifo and injects a small change into it (see inject_*
# below), in a temporary folder removed at the end. Exit status 0 when every
# case scored as expected and nothing was left behind.
set -u
grader=$(readlink -f "${1:?usage: run.sh PATH/TO/ipclab-grader}")
root=$(cd "$(dirname "$0")/../.." && pwd)
cases_dir=$root/grader/selftest/cases
work=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Bad cases sabotage one test on purpose. No --timeout-scale below 1: it would
# also shorten the handshake deadlines of the other, correct tests (the grader
# passes it on as IPCLAB_TIMEOUT_SCALE), and on a loaded machine one of them
# could fail; lab 01's 10 s timeout keeps the hanging cases short enough.
bad_case_options=(--labs 01 --public-only)

# --- helpers the cases use ------------------------------------------------------
# The submission under construction: a copy of the reference of lab 01.
submission=
fifo_io() { echo "$submission/01-fifo/src/fifo_io.cpp"; }
# Headers the injected snippets need, put in front of fifo_io.cpp.
add_includes() {
  local file; file=$(fifo_io)
  { printf '#include <%s>\n' unistd.h signal.h fcntl.h dirent.h mqueue.h sys/mman.h sys/stat.h \
      cstdio cstdlib cstring; cat "$file"; } > "$file.new" && mv "$file.new" "$file"
}
# Runs CODE at the start of set_nonblocking(fd, true): only test B1.9 calls it
# with true, so exactly one test is affected and the expected score is max-1.
inject_in_set_nonblocking() {
  add_includes
  local code=$1
  CODE=$code perl -0pi -e 's/(void set_nonblocking\(int fd, bool nonblocking\) \{\n)/$1  if (nonblocking) { $ENV{CODE} }\n/' "$(fifo_io)"
  grep -q 'if (nonblocking) {' "$(fifo_io)" || { echo "inject failed: set_nonblocking not found"; return 1; }
}
# Appends CODE at the end of fifo_io.cpp (outside any namespace).
append_to_fifo_io() { add_includes; printf '\n%s\n' "$1" >> "$(fifo_io)"; }

# --- one case -----------------------------------------------------------------
failures=0
declare -a table
run_case() {
  local name=$1 expect=$2 pattern=$3; shift 3
  local out=$work/$name
  mkdir -p "$out"
  local start=$SECONDS
  timeout --kill-after=10 600 "$grader" grade --course "$root" --jobs 2 --json "$out/results.json" \
    "$@" > "$out/terminal.txt" 2>&1
  local rc=$? observed="-" ok=yes why=""
  if [ $rc -ne 0 ]; then
    ok=no; why="grader exit status $rc: $(tail -n 3 "$out/terminal.txt" | tr '\n' ' ')"
  elif [ ! -s "$out/results.json" ]; then
    ok=no; why="no results.json"
  else
    read -r score max < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["score"], d["max_score"])' "$out/results.json")
    observed="$score/$max"
    local lo hi
    case $expect in
      max) lo=$max hi=$max ;;
      max-1) lo=$(python3 -c "print($max-1)") hi=$lo ;;
      max-1..max) lo=$(python3 -c "print($max-1)") hi=$max ;;
      *) lo=$expect hi=$expect ;;
    esac
    if ! python3 -c "import sys; s,lo,hi=map(float,sys.argv[1:]); sys.exit(0 if lo<=s<=hi else 1)" "$score" "$lo" "$hi"; then
      ok=no; why="expected $expect"
    fi
    if [ -n "$pattern" ] && ! grep -Eq "$pattern" "$out/results.json"; then
      ok=no; why="${why:+$why; }the report does not say /$pattern/"
    fi
  fi
  [ $ok = yes ] || failures=$((failures + 1))
  table+=("$(printf '%-22s %-12s %-10s %-4s %4ss %s' "$name" "$expect" "$observed" "$ok" $((SECONDS - start)) "$why")")
  echo "${table[-1]}"
}

echo "grader self-tests ($grader)"
printf '%-22s %-12s %-10s %-4s %5s\n' case expected observed ok time
# IPCLAB_SELFTEST_LABS=01 restricts the reference and skeleton runs (default: all labs).
all_labs=(); [ -n "${IPCLAB_SELFTEST_LABS:-}" ] && all_labs=(--labs "$IPCLAB_SELFTEST_LABS")
run_case reference-public max "" --solutions --public-only "${all_labs[@]}"
run_case reference-full max "" --solutions "${all_labs[@]}"
run_case skeleton 0 "not implemented yet" "${all_labs[@]}"
for case_file in "$cases_dir"/*.sh; do
  name=$(basename "$case_file" .sh)
  submission=$work/$name-submission
  mkdir -p "$submission/01-fifo"
  cp -r "$root/solutions/01-fifo/src" "$submission/01-fifo/"
  expect=max-1 pattern="" marker_files=()
  # shellcheck source=/dev/null
  if ! ( . "$case_file" && inject ); then
    table+=("$(printf '%-22s injection failed' "$name")"); failures=$((failures + 1)); continue
  fi
  . "$case_file"  # for expect, pattern and marker_files
  run_case "$name" "$expect" "$pattern" --submission "$submission" "${bad_case_options[@]}"
  for marker in "${marker_files[@]}"; do
    if [ -e "$marker" ]; then
      echo "  $name escaped its sandbox: $marker exists"; failures=$((failures + 1)); rm -rf "$marker"
    fi
  done
done

# --- nothing left behind ------------------------------------------------------------
left=0
for pid in $(ps -eo pid=,uid= | awk '$2 >= 62000 && $2 < 62256 {print $1}'); do
  echo "left behind: process $pid ($(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null))"; left=1
done
# Test binaries of the grader's own build, seen from outside or inside a
# sandbox (other builds of the course on this machine are not ours to judge).
# (By executable, not pgrep: a process name is cut at 15 characters.)
for exe in /proc/[0-9]*/exe; do
  target=$(readlink "$exe" 2>/dev/null) || continue
  case ${target##*/} in lab[0-9][0-9]_public_tests | lab[0-9][0-9]_hidden_tests) ;; *) continue ;; esac
  pid=${exe#/proc/}; pid=${pid%/exe}
  case $target in
    "$root"/build/grade/*|/ipclab/*|/tmp/.ipclab/*) echo "left behind: test process $pid ($target)"; left=1 ;;
  esac
done
for f in /dev/shm/ipclab* /dev/shm/sem.ipclab* /dev/mqueue/ipclab* /tmp/ipclab-selftest-* "$root"/build/grade/tmp/*; do
  [ -e "$f" ] && { echo "left behind: $f"; left=1; }
done
[ $left -eq 0 ] && echo "nothing left behind: no test process, IPC object or temporary folder"

echo
if [ $failures -eq 0 ] && [ $left -eq 0 ]; then
  echo "grader self-tests: all ${#table[@]} cases scored as expected"
  exit 0
fi
echo "grader self-tests: $failures case(s) failed$([ $left -ne 0 ] && echo ', and something was left behind')"
exit 1
