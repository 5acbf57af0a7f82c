#!/usr/bin/env bash
# The grader's self-tests: grades the reference, the skeleton, and a set of bad
# submissions, and checks every score against what each case expects, and that
# each grading left nothing behind.
#
#   grader/selftest/run.sh build/grader/ipclab-grader            # every case
#   grader/selftest/run.sh build/grader/ipclab-grader zip skeleton # only these
#
# A bad submission is never stored in the repository: each case in
# cases/NAME.sh builds it at test time (from solutions/ or labs/, with code
# injected by the helpers below) in a temporary folder removed at the end.
# Two kinds of case file:
#   - `inject` (the short form): the submission is a fresh copy of
#     solutions/01-fifo and the function changes it; the variables expect,
#     pattern and marker_files say what must happen (see grade below);
#   - `run`: the case builds any submission (several labs, a folder tree with
#     links, an archive) and calls `grade` once per variant, with its own
#     grader options and expectations.
# Exit status 0 when every row scored as expected and nothing was left behind.
#
# The self-tests judge only what their own grader runs made: processes in the
# cgroups named after those runs' pids, the IPC names carrying this run's
# token, the folders this script made. So they hold while other graders run
# on the machine (a second checkout's ./ipclab grade, another ./ipclab test).
set -u
grader=$(readlink -f "${1:?usage: run.sh PATH/TO/ipclab-grader [CASE...]}")
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cases_dir=$root/grader/selftest/cases
work=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-selftest.XXXXXX")
# What this run creates outside $work carries the token, so the final check
# never mistakes another run's objects for ours (or ours for theirs).
token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
# Sandboxed uids own some of what the tests leave in $work: root removes all.
# IPCLAB_SELFTEST_KEEP=1 keeps it (each row's reports in out/ROW/) to look into.
if [ -n "${IPCLAB_SELFTEST_KEEP:-}" ]; then
  trap 'echo "kept $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
# Bad cases sabotage one test on purpose. No --timeout-scale below 1: it would
# also shorten the handshake deadlines of the other, correct tests (the grader
# passes it on as IPCLAB_TIMEOUT_SCALE), and on a loaded machine one of them
# could fail; lab 01's 10 s timeout keeps the hanging cases short enough.
bad_case_options=(--labs 01 --public-only)

# --- which cases ------------------------------------------------------------------
builtin_cases=(reference-public reference-full skeleton)
all_cases=("${builtin_cases[@]}")
for case_file in "$cases_dir"/*.sh; do all_cases+=("$(basename "$case_file" .sh)"); done
if [ $# -gt 0 ]; then
  selected=("$@")
  for name in "${selected[@]}"; do
    if [[ ! " ${all_cases[*]} " == *" $name "* ]]; then
      echo "run.sh: no case '$name'. The cases are: ${all_cases[*]}" >&2
      exit 2
    fi
  done
else
  selected=("${all_cases[@]}")
fi

# --- where our grader runs leave their traces --------------------------------------
# The grader puts each test in cgroups named ipclab-grader-<its pid>-<slot>,
# under its own cgroup (which is ours: a child starts in its parent's).
cgroup_bases=()
cgroup_memory_base=
if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
  cgroup_bases=("/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)")
  cgroup_memory_base=${cgroup_bases[0]}
elif [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ]; then
  for controller in memory pids; do
    cgroup_bases+=("/sys/fs/cgroup/$controller$(awk -F: -v c="$controller" '$2 ~ "(^|,)" c "(,|$)" {print $3}' /proc/self/cgroup)")
  done
  cgroup_memory_base=${cgroup_bases[0]}
fi
# Without root the grader makes no cgroup: then a leftover of ours is a
# process running a program of this checkout's build/grade.
have_cgroups=no
[ "$(id -u)" = 0 ] && [ ${#cgroup_bases[@]} -gt 0 ] && have_cgroups=yes
: > "$work/grader-pids"

# Processes (and cgroup folders) that grader run $1 left; one line each.
leftovers_of() {
  local gpid=$1 file pid
  if [ $have_cgroups = yes ]; then
    for file in /proc/[0-9]*/cgroup; do
      grep -q "ipclab-grader-$gpid-" "$file" 2>/dev/null || continue
      pid=${file#/proc/}; pid=${pid%/cgroup}
      echo "process $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-100))"
    done
    for base in "${cgroup_bases[@]}"; do
      for file in "$base"/ipclab-grader-"$gpid"-*; do
        [ -d "$file" ] && echo "cgroup $file"
      done
    done
  else
    for file in /proc/[0-9]*/exe; do
      case $(readlink "$file" 2>/dev/null) in
        "$root"/build/grade/*) pid=${file#/proc/}; echo "process ${pid%/exe} ($(readlink "$file"))" ;;
      esac
    done
  fi
}

# --- watching a grading while it runs ------------------------------------------------
# Disk used on the course's file system, in KiB (the whole file system: other
# workers share it, so only large growth means anything).
disk_used_kib() { df -Pk "$root" | awk 'NR == 2 {print $3}'; }
# Whether grader run $1 holds build/grade/lock: only then is build/grade/tmp
# its scratch (another grader of this checkout may hold it while ours waits).
holds_grade_lock() {
  local inode
  inode=$(stat -c %i "$root/build/grade/lock" 2>/dev/null) || return 1
  awk -v pid="$1" -v inode=":$inode" '$5 == pid && substr($6, length($6) - length(inode) + 1) == inode {found = 1}
    END {exit !found}' /proc/locks
}
# Samples, every half second until $1/stop exists: the peak size of the
# grader's scratch folders (its TMPDIR, and build/grade/tmp while it holds the
# lock), the peak disk use, the lowest MemAvailable, and the peak memory of the
# grader's cgroups; and when the grader was first seen holding build/grade/lock
# (locked, in ns since the epoch: the time it waited for another grader of
# this checkout is not its own). Writes them to $1/monitor as "name value" lines.
monitor() {
  local out=$1 gpid="" scratch shared disk memory cgroup file value
  local peak_scratch=0 peak_disk=0 low_memory=-1 peak_cgroup=0 samples=0 locked=0
  while :; do
    [ -n "$gpid" ] || gpid=$(cat "$out/grader.pid" 2>/dev/null)
    # (A folder can vanish while du reads it: then it counts 0.)
    scratch=$(du -sk "$out/tmp" 2>/dev/null | cut -f1)
    if [ -n "$gpid" ] && holds_grade_lock "$gpid"; then
      [ $locked -eq 0 ] && locked=$(date +%s%N)
      shared=$(du -sk "$root/build/grade/tmp" 2>/dev/null | cut -f1)
      scratch=$((${scratch:-0} + ${shared:-0}))
    fi
    disk=$(disk_used_kib)
    memory=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
    cgroup=0
    if [ -n "$gpid" ] && [ -n "$cgroup_memory_base" ]; then
      for file in "$cgroup_memory_base"/ipclab-grader-"$gpid"-*/{memory.max_usage_in_bytes,memory.peak,memory.current}; do
        value=$(cat "$file" 2>/dev/null) || continue
        [ "$((value / 1024))" -gt "$cgroup" ] && cgroup=$((value / 1024))
      done
    fi
    [ "${scratch:-0}" -gt $peak_scratch ] && peak_scratch=$scratch
    [ "$disk" -gt $peak_disk ] && peak_disk=$disk
    { [ $low_memory -lt 0 ] || [ "$memory" -lt $low_memory ]; } && low_memory=$memory
    [ $cgroup -gt $peak_cgroup ] && peak_cgroup=$cgroup
    samples=$((samples + 1))
    printf 'scratch %s\ndisk %s\nmemory %s\ncgroup %s\nsamples %s\nlocked %s\n' \
      $peak_scratch $peak_disk $low_memory $peak_cgroup $samples $locked > "$out/monitor.new"
    mv "$out/monitor.new" "$out/monitor"
    [ -e "$out/stop" ] && break  # one last sample after the grader ended
    sleep 0.5
  done
}
monitored() { local value; value=$(awk -v k="$2" '$1 == k {print $2}' "$1/monitor" 2>/dev/null); echo "${value:-0}"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# --- one grading, judged --------------------------------------------------------------
: > "$work/table"
add_row() {  # NAME EXPECTED OBSERVED ok|no SECONDS NOTES
  local line
  line=$(printf '%-34s %-11s %-10s %-4s %5ss  %s' "$1" "$2" "$3" "$4" "$5" "${6%; }")
  echo "$line" >> "$work/table"
  echo "$line"
}
# A case that could not build its submission says so in the table.
prepare_failed() { add_row "$1" - - no 0 "could not prepare the case: $2"; }

# What a case may set before each `grade` call (reset after it):
reset_expectations() {
  require=()          # more ERE patterns results.json (or the message, for exit=N) must match
  absent=()           # fixed strings no report (JSON, JUnit, feedback, terminal) may hold
  marker_files=()     # files that must not exist afterwards (made by an escape)
  max_seconds=        # the grading must end within this many seconds
  row_timeout=600     # the grader is killed after this many seconds
  max_scratch_mib=    # peak size of the grader's scratch folders
  max_disk_growth_mib= # peak growth of the course file system's used space
  min_memory_mib=512  # MemAvailable must not fall below this ("the machine is fine")
  max_cgroup_mib=     # peak memory of the grader's test cgroups (where there are cgroups)
  pattern_test=       # match PATTERN against this test's output only (a part of its name, e.g. B1_9_)
  check=              # a function called with the row's folder: prints why and returns 1 when wrong
}
reset_expectations

# grade ROW EXPECT PATTERN [GRADER OPTIONS...]
#   EXPECT: max, max-1, max-1..max, below-max, a number, `any` (the score is
#   not the point: a check decides), or exit=N (the grader must refuse with status N
#   and write no report; PATTERN is then matched against its message).
#   PATTERN: an extended regular expression results.json must match ("" = any).
grade() {
  local row=$1 expect=$2 pattern=$3; shift 3
  local out=$work/out/$row
  mkdir -p "$out/tmp"
  local options=("$@") why=() notes=()
  case " ${options[*]} " in *" --jobs "*) ;; *) options+=(--jobs 2) ;; esac
  local disk_before; disk_before=$(disk_used_kib)
  monitor "$out" & local monitor_pid=$!
  local start; start=$(date +%s%N)
  # The grader runs from the course root (as ./ipclab grade does: what
  # /proc/self/cwd reaches matters), with a TMPDIR of its own that we can
  # measure. bash -c records the pid the grader will have, then execs it.
  ( cd "$root" && TMPDIR=$out/tmp exec timeout --kill-after=10 "$row_timeout" \
      bash -c 'echo $$ > "$0"; exec "$@"' "$out/grader.pid" \
      "$grader" grade --course "$root" --json "$out/results.json" --junit "$out/junit.xml" \
      --feedback "$out/feedback.md" "${options[@]}" ) > "$out/terminal.txt" 2>&1 < /dev/null
  local rc=$?
  local end; end=$(date +%s%N)
  touch "$out/stop"; wait "$monitor_pid"
  # The row's time is the grader's own: when it had to wait for another
  # grader of this checkout (it says so), the wait is left out and noted.
  local locked; locked=$(monitored "$out" locked)
  if [ "$locked" -gt 0 ] && grep -q "waiting for it to finish" "$out/terminal.txt"; then
    notes+=("waited $(awk -v a="$start" -v b="$locked" 'BEGIN {printf "%.0f", (b - a) / 1e9}') s for build/grade/lock")
    start=$locked
  fi
  local seconds; seconds=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.0f", (b - a) / 1e9}')
  local gpid; gpid=$(cat "$out/grader.pid" 2>/dev/null)
  [ -n "$gpid" ] && echo "$gpid" >> "$work/grader-pids"

  local observed="exit=$rc" score max lo hi
  if [[ $expect == exit=* ]]; then
    [ "$rc" = "${expect#exit=}" ] || why+=("expected exit status ${expect#exit=}: $(tail -n 2 "$out/terminal.txt" | tr '\n' ' ' | cut -c1-200)")
    [ -e "$out/results.json" ] && why+=("it wrote results.json although it refused")
    for p in ${pattern:+"$pattern"} "${require[@]}"; do
      grep -Eq -- "$p" "$out/terminal.txt" || why+=("its message does not say /$p/")
    done
  elif [ $rc -ne 0 ]; then
    why+=("grader exit status $rc: $(tail -n 3 "$out/terminal.txt" | tr '\n' ' ' | cut -c1-300)")
  elif ! python3 - "$out" > "$out/score" 2> "$out/score.err" <<'EOF'
import json, sys, xml.etree.ElementTree as xml
# Every report the grader wrote must parse: a name that breaks the XML or
# the JSON breaks the gradebook too.
out = sys.argv[1]
doc = json.load(open(out + "/results.json"))
xml.parse(out + "/junit.xml")
print(doc["score"], doc["max_score"])
EOF
  then
    why+=("a report does not parse: $(tail -n 1 "$out/score.err")")
  else
    read -r score max < "$out/score"
    observed="$(printf '%g/%g' "$score" "$max")"
    case $expect in
      max) lo=$max hi=$max ;;
      max-1) lo=$(python3 -c "print($max-1)") hi=$lo ;;
      max-1..max) lo=$(python3 -c "print($max-1)") hi=$max ;;
      any) lo=0 hi=$max ;;
      below-max) lo=0 hi=$(python3 -c "print($max-0.001)") ;;
      *) lo=$expect hi=$expect ;;
    esac
    python3 -c "import sys; s,lo,hi=map(float,sys.argv[1:]); sys.exit(0 if lo<=s<=hi else 1)" "$score" "$lo" "$hi" \
      || why+=("expected $expect")
    for p in "${require[@]}"; do
      grep -Eq -- "$p" "$out/results.json" || why+=("results.json does not say /$p/")
    done
    if [ -n "$pattern" ] && [ -n "$pattern_test" ]; then
      # Only what the grader says about that test: the summary's words (its
      # limits name "memory", for one) must not satisfy the pattern.
      python3 -c 'import json, sys
for test in json.load(open(sys.argv[1]))["tests"]:
    if sys.argv[2] in test["name"]:
        print(test["output"])' "$out/results.json" "$pattern_test" > "$out/test-output.txt"
      grep -Eq -- "$pattern" "$out/test-output.txt" \
        || why+=("the output of $pattern_test does not say /$pattern/: $(head -c 150 "$out/test-output.txt" | tr '\n' ' ')")
    elif [ -n "$pattern" ]; then
      grep -Eq -- "$pattern" "$out/results.json" || why+=("results.json does not say /$pattern/")
    fi
  fi
  local file leaked
  if [ ${#absent[@]} -gt 0 ]; then
    printf '%s\n' "${absent[@]}" > "$out/absent.txt"
    for file in results.json junit.xml feedback.md terminal.txt; do
      [ -e "$out/$file" ] || continue
      leaked=$(grep -oF -f "$out/absent.txt" "$out/$file" | head -n 1)
      [ -n "$leaked" ] && why+=("$file holds a line it must not: '$(printf '%s' "$leaked" | cut -c1-60)'")
    done
  fi
  if [ -n "$max_seconds" ] && [ "$seconds" -gt "$max_seconds" ]; then
    why+=("took ${seconds} s, more than $max_seconds s")
  fi
  local scratch disk_growth memory cgroup
  scratch=$(monitored "$out" scratch)
  disk_growth=$(( $(monitored "$out" disk) - disk_before ))
  memory=$(monitored "$out" memory)
  cgroup=$(monitored "$out" cgroup)
  if [ -n "$max_scratch_mib" ]; then
    notes+=("scratch peak $(mib "$scratch") MiB")
    [ "$scratch" -gt $((max_scratch_mib * 1024)) ] && why+=("the grader's scratch folders grew to $(mib "$scratch") MiB (limit $max_scratch_mib)")
  fi
  if [ -n "$max_disk_growth_mib" ]; then
    notes+=("disk +$(mib $((disk_growth > 0 ? disk_growth : 0))) MiB")
    [ "$disk_growth" -gt $((max_disk_growth_mib * 1024)) ] && why+=("the course's file system grew by $(mib "$disk_growth") MiB while it ran (limit $max_disk_growth_mib)")
  fi
  if [ -n "$max_cgroup_mib" ] && [ $have_cgroups = yes ]; then
    notes+=("cgroup peak $(mib "$cgroup") MiB")
    [ "$cgroup" -gt $((max_cgroup_mib * 1024)) ] && why+=("a test cgroup used $(mib "$cgroup") MiB (limit $max_cgroup_mib)")
  fi
  if [ "$memory" -lt $((min_memory_mib * 1024)) ]; then
    why+=("the machine ran low on memory: MemAvailable fell to $(mib "$memory") MiB")
  fi
  if [ -n "$check" ]; then
    local said
    if said=$("$check" "$out" 2>&1); then
      [ -n "$said" ] && notes+=("$said")
    else
      why+=("${said:-$check failed}")
    fi
  fi
  for file in "${marker_files[@]}"; do
    [ -e "$file" ] && { why+=("escaped its sandbox: $file exists"); rm -rf "$file"; }
  done
  # Nothing left behind by this run: give its processes a moment to be reaped.
  local left=""
  if [ -n "$gpid" ]; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      left=$(leftovers_of "$gpid")
      [ -z "$left" ] && break
      sleep 0.5
    done
  fi
  [ -n "$left" ] && why+=("left behind: $(echo "$left" | head -n 3 | tr '\n' ';')")
  [ -n "$(ls -A "$out/tmp" 2>/dev/null)" ] && why+=("left files in its TMPDIR: $(ls -A "$out/tmp" | head -n 3 | tr '\n' ' ')")

  local ok=yes message
  [ ${#why[@]} -eq 0 ] || ok=no
  message=$(printf '%s; ' "${why[@]}" "${notes[@]}")
  add_row "$row" "$expect" "$observed" $ok "$seconds" "$message"
  reset_expectations
}

# --- helpers the cases use --------------------------------------------------------------
# The submission under construction.
submission=
# new_submission NAME: an empty folder for the submission; sets $submission.
new_submission() { submission=$work/submissions/$1; rm -rf "$submission"; mkdir -p "$submission"; }
# lab_dir NN: the lab's folder name (03 -> 03-mqueue).
lab_dir() { local dir; dir=$(cd "$root/labs" && echo "$1"-*); echo "$dir"; }
# lab_files NN: the names of the lab's files (what the grader takes).
lab_files() { (cd "$root/labs/$(lab_dir "$1")/src" && ls -- *.cpp); }
# add_lab NN [reference|skeleton] [WHERE]: copies the lab's files into the
# submission, by default at labs/NN-topic/src.
add_lab() {
  local dir; dir=$(lab_dir "$1")
  local from=$root/solutions/$dir/src
  [ "${2:-reference}" = skeleton ] && from=$root/labs/$dir/src
  local into=$submission/${3:-labs/$dir/src}
  mkdir -p "$into" && cp "$from"/*.cpp "$into/"
}
# lab_file NN [NAME]: the path of one of the lab's files in the submission
# (default: its first file) at labs/NN-topic/src.
lab_file() { echo "$submission/labs/$(lab_dir "$1")/src/${2:-$(lab_files "$1" | head -n 1)}"; }
# pack_zip FOLDER ARCHIVE and pack_targz FOLDER ARCHIVE [TOP]: an archive of
# the folder's files (TOP: a folder name every entry starts with, as when a
# student archives the folder itself). python3's own modules, so that the
# test needs no zip or tar program. Links are stored as links.
pack_zip() {
  python3 - "$1" "$2" <<'EOF'
import os, stat, sys, zipfile
src, dst = sys.argv[1:3]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as archive:
    for folder, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            arcname = os.path.relpath(path, src)
            if os.path.islink(path):
                info = zipfile.ZipInfo(arcname)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, os.readlink(path))
            else:
                archive.write(path, arcname)
EOF
}
pack_targz() {
  python3 - "$1" "$2" "${3:-}" <<'EOF'
import os, sys, tarfile
src, dst, top = sys.argv[1:4]
with tarfile.open(dst, "w:gz") as archive:
    for name in sorted(os.listdir(src)):
        archive.add(os.path.join(src, name), os.path.join(top, name) if top else name)
EOF
}
# distinctive_lines FILE [OTHER]: every long code line of FILE that OTHER
# (e.g. the skeleton) does not have, that names no test and prints no message
# (a failing hidden test shows its explanation on purpose): if one of them
# shows in a report, the report leaked FILE. All of them, not a sample: a
# report that keeps only the head or the tail of a leak still shows some.
distinctive_lines() {
  python3 - "$1" "${2:-/dev/null}" <<'EOF'
import sys
other = {line.strip() for line in open(sys.argv[2], errors="replace")}
picked = []
for line in open(sys.argv[1], errors="replace"):
    line = line.strip()
    if (len(line) >= 40 and line not in other and line not in picked and "TEST" not in line and "<<" not in line
            and not line.startswith(("//", "#", "*", "/*")) and ";" in line):
        picked.append(line)
print("\n".join(picked))
EOF
}

# The short form (`inject`): a copy of solutions/01-fifo at 01-fifo/src.
fifo_io() { echo "$submission/01-fifo/src/fifo_io.cpp"; }
# Headers the injected snippets need, put in front of fifo_io.cpp (or $1).
add_includes() {
  local file=${1:-$(fifo_io)}
  { printf '#include <%s>\n' unistd.h signal.h fcntl.h dirent.h mqueue.h sys/mman.h sys/stat.h sys/wait.h \
      cstdio cstdlib cstring string; cat "$file"; } > "$file.new" && mv "$file.new" "$file"
}
# Runs CODE at the start of set_nonblocking(fd, true): only test B1.9 calls it
# with true, so exactly one test is affected and the expected score is max-1.
inject_in_set_nonblocking() {
  local file=${2:-$(fifo_io)}
  add_includes "$file"
  CODE=$1 perl -0pi -e 's/(void set_nonblocking\(int fd, bool nonblocking\) \{\n)/$1  if (nonblocking) { $ENV{CODE} }\n/' "$file"
  grep -q 'if (nonblocking) {' "$file" || { echo "inject failed: set_nonblocking not found"; return 1; }
}
# Appends CODE at the end of fifo_io.cpp or $2 (outside any namespace).
append_to_fifo_io() { local file=${2:-$(fifo_io)}; add_includes "$file"; printf '\n%s\n' "$1" >> "$file"; }

# --- the cases ------------------------------------------------------------------------------
# A case runs in a subshell: what it sets or defines stays in it.
run_builtin() {
  # IPCLAB_SELFTEST_LABS=01 restricts the reference and skeleton runs (default: all labs).
  local all_labs=(); [ -n "${IPCLAB_SELFTEST_LABS:-}" ] && all_labs=(--labs "$IPCLAB_SELFTEST_LABS")
  case $1 in
    # A correct submission is never cut short, flagged or voided.
    reference-public) absent=("cut short" "forged" "flagged for review"); grade reference-public max "" --solutions --public-only "${all_labs[@]}" ;;
    reference-full) absent=("cut short" "forged" "flagged for review"); grade reference-full max "" --solutions "${all_labs[@]}" ;;
    skeleton) absent=("forged" "flagged for review"); grade skeleton 0 "not implemented yet" "${all_labs[@]}" ;;
  esac
}
run_case_file() {
  local name=$1
  expect=max-1 pattern=""
  # shellcheck source=/dev/null
  . "$cases_dir/$name.sh"
  if declare -F run > /dev/null; then
    run
  else
    new_submission "$name"
    mkdir -p "$submission/01-fifo" && cp -r "$root/solutions/01-fifo/src" "$submission/01-fifo/"
    if ! inject > "$work/inject.log" 2>&1; then
      prepare_failed "$name" "$(tail -n 1 "$work/inject.log")"
      return
    fi
    grade "$name" "$expect" "$pattern" --submission "$submission" "${bad_case_options[@]}"
  fi
}

echo "grader self-tests ($grader)"
printf '%-34s %-11s %-10s %-4s %6s  %s\n' case expected observed ok time notes
for name in "${selected[@]}"; do
  rows_before=$(wc -l < "$work/table")
  if [[ " ${builtin_cases[*]} " == *" $name "* ]]; then
    ( run_builtin "$name" )
  else
    ( run_case_file "$name" )
  fi
  [ "$(wc -l < "$work/table")" -gt "$rows_before" ] || prepare_failed "$name" "the case graded nothing"
done

# --- nothing left behind, once more at the end -----------------------------------------------
left=0
while read -r gpid; do
  # Each of our grader runs has ended: a live process with its pid is another
  # program that was given the pid since (its cgroups are not ours to judge).
  [ -e "/proc/$gpid" ] && continue
  while read -r line; do
    [ -n "$line" ] && { echo "left behind by grader run $gpid: $line"; left=1; }
  done < <(leftovers_of "$gpid")
done < "$work/grader-pids"
# The IPC objects and files the cases create carry this run's token.
for f in /dev/shm/*"$token"* /dev/mqueue/*"$token"* /tmp/*"$token"*; do
  [ -e "$f" ] && { echo "left behind: $f"; rm -rf "$f"; left=1; }
done
# build/grade/tmp is ours to judge only when no grader of this checkout runs.
if exec 9< "$root/build/grade/lock" 2>/dev/null && flock -n 9; then
  for f in "$root"/build/grade/tmp/*; do
    [ -e "$f" ] && { echo "left behind: $f"; left=1; }
  done
  exec 9<&-
fi
[ $left -eq 0 ] && echo "nothing left behind: no test process, cgroup, IPC object or temporary folder of these runs"

echo
failures=$(awk '$4 == "no"' "$work/table" | wc -l)
rows=$(wc -l < "$work/table")
if [ "$failures" -eq 0 ] && [ $left -eq 0 ]; then
  echo "grader self-tests: all $rows rows scored as expected"
  exit 0
fi
echo "grader self-tests: $failures of $rows row(s) failed$([ $left -ne 0 ] && echo ', and something was left behind')"
awk '$4 == "no"' "$work/table"
exit 1
