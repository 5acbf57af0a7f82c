#!/usr/bin/env bash
# Writes labs/NN-topic/src/*.cpp from solutions/NN-topic/src/*.cpp.
#
# In a solution file:
#   // BEGIN SOLUTION        the lines up to "// END SOLUTION" are removed
#   // SKELETON: <code>      becomes <code> (same indentation) in the skeleton
#
# --check: change nothing; list the skeletons that are out of date and exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=write
case "${1:-}" in
  --check) mode=check ;;
  "") ;;
  *) echo "usage: ./ipclab skeletons [--check]" >&2; exit 2 ;;
esac

if [ ! -d solutions ]; then
  echo "skeletons: no solutions/ folder here (a student copy of the course): nothing to generate."
  exit 0
fi

generate() {  # $1 = solution file; prints the skeleton, fails on bad markers
  awk -v file="$1" '
    # Removing a region can leave two blank lines in a row: print only one.
    function emit(line) { if (line ~ /^[ \t]*$/ && blank) return; blank = (line ~ /^[ \t]*$/); print line }
    function fail(msg) { printf "%s:%d: %s\n", file, NR, msg > "/dev/stderr"; bad = 1; exit 1 }
    BEGIN {
      print "// Your file for this lab: replace each IPCLAB_TODO(...) with your code."
      print "// (The course generates it from the reference solution with ./ipclab skeletons.)"
    }
    /^[ \t]*\/\/ BEGIN SOLUTION[ \t]*$/ { if (inside) fail("BEGIN SOLUTION inside a solution region"); inside = 1; start = NR; next }
    /^[ \t]*\/\/ END SOLUTION[ \t]*$/   { if (!inside) fail("END SOLUTION without BEGIN SOLUTION"); inside = 0; next }
    inside { if ($0 ~ /\/\/ SKELETON:/) fail("SKELETON line inside a solution region"); next }
    /^[ \t]*\/\/ SKELETON: / { sub(/\/\/ SKELETON: /, ""); emit($0); next }
    { emit($0) }
    END { if (!bad && inside) { printf "%s:%d: BEGIN SOLUTION is never closed\n", file, start > "/dev/stderr"; exit 1 } }
  ' "$1"
}

stale=()
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for solution in solutions/[0-9][0-9]-*/src/*.cpp; do
  [ -e "$solution" ] || continue
  lab=$(basename "$(dirname "$(dirname "$solution")")")
  target="labs/$lab/src/$(basename "$solution")"
  generate "$solution" > "$tmp/out" || { status=1; continue; }
  if [ "$mode" = check ]; then
    if ! cmp -s "$tmp/out" "$target"; then
      stale+=("$target")
    fi
  elif ! cmp -s "$tmp/out" "$target"; then
    mkdir -p "$(dirname "$target")"
    cp "$tmp/out" "$target.tmp.$$" && mv "$target.tmp.$$" "$target"  # never half-written
    echo "skeletons: wrote $target"
  fi
done
# A skeleton whose solution is gone would still be compiled: report it too.
for skeleton in labs/[0-9][0-9]-*/src/*.cpp; do
  [ -e "$skeleton" ] || continue
  lab=$(basename "$(dirname "$(dirname "$skeleton")")")
  [ -e "solutions/$lab/src/$(basename "$skeleton")" ] || { echo "skeletons: $skeleton has no solution in solutions/$lab/src/" >&2; status=1; }
done
if [ ${#stale[@]} -gt 0 ]; then
  printf 'skeletons: out of date (run ./ipclab skeletons and commit the result):\n' >&2
  printf '  %s\n' "${stale[@]}" >&2
  status=1
elif [ "$mode" = check ] && [ $status -eq 0 ]; then
  echo "skeletons: every skeleton matches its solution"
fi
exit $status
