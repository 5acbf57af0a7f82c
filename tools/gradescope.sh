#!/usr/bin/env bash
# ./ipclab gradescope OUT.zip [--labs 01,03] [--minutes N] — the Gradescope autograder zip:
# setup.sh and run_autograder at the top (tools/gradescope/), the course tree
# with hidden tests and the whole rubric under ipclab/, never solutions/ or
# the mutants. See docs/instructor-guide.md, "Gradescope (hidden tests)".
set -euo pipefail
# ./ipclab has moved to the course's root already: a relative OUT is meant
# from where the instructor typed the command.
caller=${IPCLAB_CALLER_DIR:-$PWD}
cd "$(dirname "$0")/.."

usage() {
  echo "usage: ./ipclab gradescope OUT.zip [--labs 01,03] [--minutes N]" >&2
  echo "  --labs LIST   grade only these labs (one Gradescope assignment per lab); default: all" >&2
  echo "  --minutes N   the autograder timeout set in Gradescope's assignment settings (default 10);" >&2
  echo "                grading then stays within it" >&2
  exit 2
}

out="" minutes=10 labs=all
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes)
      [ $# -ge 2 ] || usage
      minutes=$2; shift 2 ;;
    --minutes=*) minutes=${1#--minutes=}; shift ;;
    --labs)
      [ $# -ge 2 ] || usage
      labs=$2; shift 2 ;;
    --labs=*) labs=${1#--labs=}; shift ;;
    -h | --help) usage ;;
    -*) echo "ipclab gradescope: unknown option '$1'" >&2; usage ;;
    *)
      [ -z "$out" ] || usage
      out=$1; shift ;;
  esac
done
[ -n "$out" ] || usage
[[ $out == /* ]] || out=$caller/$out
# Below 4 minutes a correct submission of four labs may not finish on a slow
# container; Gradescope's own maximum is far below 100.
if ! [[ $minutes =~ ^[0-9]+$ ]] || [ "$minutes" -lt 4 ] || [ "$minutes" -gt 100 ]; then
  echo "ipclab gradescope: --minutes must be a whole number from 4 to 100 (example: --minutes 10)" >&2
  exit 2
fi
# Lab numbers as two digits, each a lab of this course, as run_autograder's
# line `grade_labs=...` and the grader's --labs take them.
if [ "$labs" != all ]; then
  normalised=""
  for item in ${labs//,/ }; do
    if ! [[ $item =~ ^[0-9]{1,2}$ ]] || ! compgen -G "labs/$(printf '%02d' "$((10#$item))")-*/src" >/dev/null; then
      echo "ipclab gradescope: --labs $labs: '$item' is not a lab of this course ($(cd labs && ls -d [0-9][0-9]-* | tr '\n' ' '))" >&2
      exit 2
    fi
    normalised+="${normalised:+,}$(printf '%02d' "$((10#$item))")"
  done
  [ -n "$normalised" ] || usage
  labs=$normalised
fi
case "$out" in
  *.zip) ;;
  *) echo "ipclab gradescope: the output must end in .zip (example: ./ipclab gradescope autograder.zip)" >&2; exit 2 ;;
esac
if [ -d "$out" ]; then
  echo "ipclab gradescope: $out is a folder; give a file name (example: ./ipclab gradescope autograder.zip)" >&2
  exit 2
fi
parent=$(dirname -- "$out")
if [ ! -d "$parent" ] || [ ! -w "$parent" ]; then
  echo "ipclab gradescope: the folder $parent does not exist or is not writable" >&2
  exit 2
fi
for needed in tools/gradescope/setup.sh tools/gradescope/run_autograder grader/rubric grader/hidden; do
  if [ ! -e "$needed" ]; then
    echo "ipclab gradescope: $needed is missing: run this in the instructor's copy of the course" >&2
    exit 1
  fi
done
exec python3 tools/gradescope/pack.py "$PWD" "$out" "$minutes" "$labs"
