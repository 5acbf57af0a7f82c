#!/usr/bin/env bash
# Checks the untouched skeletons: every test must fail, within a second, with
# "not implemented yet" — never pass, hang or crash.
# $1 = a build of the skeletons (the "skeleton" preset: public and hidden tests
# in the course, public tests only in a student copy).
set -euo pipefail
build=${1:?usage: skeleton-fails-fast.sh BUILD_DIR}
status=0
shopt -s nullglob
binaries=("$build"/labs/*/lab*_tests)
if [ ${#binaries[@]} -eq 0 ]; then
  echo "skeleton: no test binaries in $build" >&2
  exit 1
fi
root=$(cd "$(dirname "$0")/.." && pwd)
for binary in "${binaries[@]}"; do
  # The grader's negative controls (hidden tests that fail whatever the code
  # does, "controls" in the lab's rubric) fail on the skeleton too, but not with
  # "not implemented yet": they are not the skeleton's to judge.
  rubric=$root/grader/rubric/$(basename "$(dirname "$binary")").json
  filter=$(python3 -c 'import json, sys
controls = json.load(open(sys.argv[1])).get("controls", [])
print("-" + ":".join(controls) if controls else "*")' "$rubric" 2>/dev/null || echo '*')
  expected=$("$binary" --gtest_list_tests --gtest_filter="$filter" | grep -c '^  ')
  output=$(timeout 60 "$binary" --gtest_color=no --gtest_filter="$filter" 2>&1) || true
  report=$(awk -v limit=1000 '
    /^\[ RUN      \] / { name = $4; text = ""; ran++; next }
    /^\[       OK \] / { printf "  %s PASSED on the skeleton (it must fail)\n", $4; next }
    /^\[  FAILED  \] .*\([0-9]+ ms\)$/ {
      ms = $NF; gsub(/[()]/, "", $(NF-1)); ms = $(NF-1) + 0
      if (text !~ /not implemented yet/) printf "  %s failed without saying \"not implemented yet\"\n", $4
      if (ms > limit) printf "  %s took %d ms to fail (limit %d ms)\n", $4, ms, limit
      next
    }
    { text = text "\n" $0 }
    END { print "ran " ran }
  ' <<<"$output")
  ran=$(tail -n1 <<<"$report" | awk '{print $2}')
  problems=$(sed '$d' <<<"$report")
  name=$(basename "$binary")
  if [ "$ran" != "$expected" ]; then
    problems+=$'\n'"  only $ran of $expected tests ran (a crash or a hang stopped the binary)"
  fi
  if [ -n "${problems//[$'\n ']/}" ]; then
    echo "skeleton: $name:$problems"
    status=1
  else
    echo "skeleton: $name: all $expected tests fail fast with \"not implemented yet\""
  fi
done
exit $status
