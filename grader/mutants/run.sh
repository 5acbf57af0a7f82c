#!/usr/bin/env bash
# Wrong solutions the hidden tests must reject: each grader/mutants/NN-topic/*.patch
# is a small, plausible mistake made to the reference solution (a relative
# deadline, a lost priority, a server that never unlinks its FIFO...). This
# grades each one with the real grader and checks that it loses points, and
# that a failing test names the behaviour the mistake breaks.
#
#   grader/mutants/run.sh build/grader/ipclab-grader [NN ...]
#
# A patch starts with comment lines, then a diff of solutions/NN-topic/src made
# with `git diff` (paths a/solutions/NN-topic/src/FILE.cpp):
#   # A receive buffer of sizeof(buffer) bytes instead of mq_msgsize
#   # expect: B3_11
# `expect:` lists the behaviour ids (B3_11, or several separated by spaces) of
# which at least one must fail. The table also says whether the public tests
# alone catch the mistake: most should be caught only by the hidden ones.
# Exit status 0 when every mutant was caught as expected.
set -u
grader=$(readlink -f "${1:?usage: run.sh PATH/TO/ipclab-grader [NN ...]}")
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-mutants.XXXXXX")
trap 'rm -rf "$work"' EXIT

labs=("$@")
if [ ${#labs[@]} -eq 0 ]; then
  for dir in "$root"/grader/mutants/[0-9][0-9]-*/; do labs+=("$(basename "$dir" | cut -c1-2)"); done
fi

failures=0 count=0
printf '%-40s %-9s %-10s %-7s %-4s %s\n' mutant expect score public ok why
for nn in "${labs[@]}"; do
  dir=$(compgen -G "$root/grader/mutants/$nn-*" | head -n 1)
  [ -n "$dir" ] || { echo "mutants: no folder grader/mutants/$nn-*"; exit 2; }
  lab=$(basename "$dir")
  for patch in "$dir"/*.patch; do
    name=$lab/$(basename "$patch" .patch)
    count=$((count + 1))
    expect=$(sed -n 's/^# expect: *//p' "$patch" | head -n 1)
    submission=$work/$count
    mkdir -p "$submission/$lab"
    cp -r "$root/solutions/$lab/src" "$submission/$lab/"
    if [ -z "$expect" ] || ! patch -s -p3 -d "$submission/$lab" < "$patch" > "$work/patch.log" 2>&1; then
      printf '%-40s %-9s %-10s %-7s %-4s %s\n' "$name" "${expect:--}" - - no \
        "$([ -z "$expect" ] && echo 'no "# expect:" line' || echo "does not apply: $(head -n 2 "$work/patch.log" | tr '\n' ' ')")"
      failures=$((failures + 1)); continue
    fi
    verdict=$(
      "$grader" grade --course "$root" --submission "$submission" --labs "$nn" \
        --json "$work/$count.json" > "$work/$count.log" 2>&1 || echo "grader exit status $?"
      python3 - "$work/$count.json" "$expect" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except (OSError, ValueError) as error:
    print(f"- - no no results ({error})"); sys.exit()
wanted = sys.argv[2].split()
failed = [t["name"].split()[-1] for t in doc["tests"] if t["status"] != "passed"]
public = sum(1 for t in doc["tests"] if t["status"] != "passed" and t["visibility"] == "visible")
named = [f for f in failed if any(f".{w}_" in f for w in wanted)]
score = f'{doc["score"]:g}/{doc["max_score"]:g}'
if doc["score"] >= doc["max_score"]:
    print(f"{score} {public} no it scored full marks")
elif not named:
    print(f"{score} {public} no no failing test is about {' or '.join(wanted)}; failed: {' '.join(failed[:4])}")
else:
    print(f"{score} {public} yes {len(failed)} test(s) failed, e.g. {named[0]}")
PY
    )
    read -r score public ok why <<< "$(echo "$verdict" | tail -n 1)"
    [ "$ok" = yes ] || failures=$((failures + 1))
    printf '%-40s %-9s %-10s %-7s %-4s %s\n' "$name" "$expect" "$score" "$public" "$ok" "$why"
  done
done
echo
if [ $failures -eq 0 ]; then
  echo "mutants: all $count wrong solutions lose points on the behaviour they break"
  exit 0
fi
echo "mutants: $failures of $count wrong solutions were not caught as expected"
exit 1
