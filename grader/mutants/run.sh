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
  # One class per lab: each mutant is a "student" (named after its patch),
  # graded by grade-all with the course built once and two mutants at a time.
  class=$work/$lab
  mkdir -p "$class"
  for patch in "$dir"/*.patch; do
    name=$(basename "$patch" .patch)
    count=$((count + 1))
    expect=$(sed -n 's/^# expect: *//p' "$patch" | head -n 1)
    mkdir -p "$class/$name/$lab"
    cp -r "$root/solutions/$lab/src" "$class/$name/$lab/"
    if [ -z "$expect" ] || ! patch -s -p3 -d "$class/$name/$lab" < "$patch" > "$work/patch.log" 2>&1; then
      printf '%-40s %-9s %-10s %-7s %-4s %s\n' "$lab/$name" "${expect:--}" - - no \
        "$([ -z "$expect" ] && echo 'no "# expect:" line' || echo "does not apply: $(head -n 2 "$work/patch.log" | tr '\n' ' ')")"
      failures=$((failures + 1)); rm -rf "${class:?}/$name"; continue
    fi
  done
  if ! "$grader" grade-all --course "$root" --labs "$nn" "$class" --csv "$work/$lab.csv" --out "$work/$lab-out" \
      > "$work/$lab.log" 2>&1; then
    echo "mutants: grade-all of $lab failed:"; tail -n 5 "$work/$lab.log"; failures=$((failures + 1)); continue
  fi
  report=$(python3 - "$dir" "$work/$lab-out" "$root/grader/rubric/$lab.json" <<'PY'
import json, os, sys
patches, out, rubric = sys.argv[1:4]
public = {t["name"] for t in json.load(open(rubric))["tests"] if t.get("binary", "public") == "public"}
for patch in sorted(f for f in os.listdir(patches) if f.endswith(".patch")):
    name = patch[:-len(".patch")]
    lab = os.path.basename(patches)
    wanted = next((l.split(":", 1)[1].split() for l in open(os.path.join(patches, patch)) if l.startswith("# expect:")), [])
    try:
        record = json.load(open(os.path.join(out, name + ".record.json")))
    except (OSError, ValueError):
        continue  # not graded: reported by the shell above (did not apply)
    failed = [t.split(" ", 1)[1] for t in record["failed"]]
    named = [f for f in failed if any(f".{w}_" in f for w in wanted)]
    caught_by_public = sum(1 for f in failed if f in public)
    score = f'{record["score"]:g}/{record["max_score"]:g}'
    lab_record = record["labs"].get(lab, {})
    if record["error"]:
        verdict = f"- - no not graded: {record['error']}"
    elif lab_record.get("forged") or lab_record.get("flags"):
        # An honest wrong solution is neither a forged report nor suspicious code.
        verdict = f"{score} {caught_by_public} no flagged for review or judged forged: the scan or the controls misfire"
    elif record["score"] >= record["max_score"]:
        verdict = f"{score} {caught_by_public} no it scored full marks"
    elif not named:
        verdict = f"{score} {caught_by_public} no no failing test is about {' or '.join(wanted)}; failed: {' '.join(failed[:4])}"
    else:
        verdict = f"{score} {caught_by_public} yes {len(failed)} test(s) failed, e.g. {named[0]}"
    print(f"{lab}/{name} {' '.join(wanted) or '-'}|{verdict}")
PY
  )
  while IFS='|' read -r left verdict; do
    [ -n "$left" ] || continue
    read -r name expect <<< "$left"
    read -r score public ok why <<< "$verdict"
    [ "$ok" = yes ] || failures=$((failures + 1))
    printf '%-40s %-9s %-10s %-7s %-4s %s\n' "$name" "$expect" "$score" "$public" "$ok" "$why"
  done <<< "$report"
done
echo
if [ $failures -eq 0 ]; then
  echo "mutants: all $count wrong solutions lose points on the behaviour they break"
  exit 0
fi
echo "mutants: $failures of $count wrong solutions were not caught as expected"
exit 1
