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
for binary in "${binaries[@]}"; do
  expected=$("$binary" --gtest_list_tests | grep -c '^  ')
  output=$(timeout 60 "$binary" --gtest_color=no 2>&1) || true
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
