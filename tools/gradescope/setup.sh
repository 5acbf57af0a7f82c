#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (./ipclab gradescope puts it at the zip's top level). It installs what the
# grader needs, builds the grader and the course's trusted code, and grades
# the untouched skeletons once, so that a grading at run time compiles only
# the student's files. Safe to run again: each step does only what is missing.
#
# IPCLAB_AUTOGRADER_ROOT (default /autograder) exists for the course's own test
# (tools/gradescope-test.sh), which reproduces Gradescope's layout elsewhere.
set -euo pipefail
root=${IPCLAB_AUTOGRADER_ROOT:-/autograder}
course=$root/source/ipclab
start=$SECONDS
say() { echo "setup.sh [$((SECONDS - start)) s]: $*"; }

if [ ! -f "$course/ipclab" ]; then
  echo "setup.sh: $course/ipclab is missing: this is not the zip ./ipclab gradescope writes" >&2
  exit 1
fi
cd "$course"
# Zip tools that drop Unix modes would leave these unrunnable.
chmod 0755 ipclab tools/*.sh tools/gradescope/setup.sh tools/gradescope/run_autograder
[ -f "$root/run_autograder" ] && chmod 0755 "$root/run_autograder"

# shellcheck source=tools/deps.sh
source tools/deps.sh
# Building and the grader only (no docs, slides or self-test tools); python3
# writes results.json when the grader could not (run_autograder).
say "packages: $IPCLAB_PKGS_BUILD $IPCLAB_PKGS_GRADER python3 (installing those that are missing)"
# shellcheck disable=SC2086  # the lists are words
ipclab_ensure_packages $IPCLAB_PKGS_BUILD $IPCLAB_PKGS_GRADER python3
ipclab_check_cmake_version
# No compiler cache: the image builds once (and the course's reproduction of
# Gradescope must not pick up its host's ccache; CMakeLists.txt, IPCLAB_CCACHE).
export IPCLAB_CCACHE=OFF

# Compilers at once: what the container really has (cgroup quota and memory).
jobs=$(python3 tools/gradescope/results.py jobs)

# The grader binary only (as ./ipclab builds it, without its unit tests,
# which grading never runs: that halves this step).
say "building the grader (build/grader, $jobs jobs)"
mkdir -p build
if [ ! -f build/grader/build.ninja ]; then
  cmake -S grader -B build/grader -G Ninja -DCMAKE_BUILD_TYPE=Release >build/.configure-grader.log 2>&1 ||
    { cat build/.configure-grader.log >&2; exit 1; }
fi
cmake --build build/grader --target ipclab-grader -j "$jobs" >build/.build-grader.log 2>&1 ||
  { cat build/.build-grader.log >&2; exit 1; }

# Grading the skeletons builds the trusted objects with the hidden tests
# (build/grade/trusted) and proves that grading works in this image: every
# test must run and fail for the right reason, and the report must be written.
say "building the course's trusted code and grading the untouched skeletons once"
warmup=$(mktemp -d)
trap 'rm -rf "$warmup"' EXIT
build/grader/ipclab-grader grade --course "$course" --jobs "$jobs" --gradescope "$warmup/results.json"
python3 - "$warmup/results.json" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
labs = re.findall(r"^(\d\d-\S+): (\S+)/(\S+) — (.*)$", doc["output"], re.M)
if not doc["tests"] or doc["max_score"] <= 0 or not labs:
    sys.exit("setup.sh: the skeletons' grading listed no test: the rubric or the build is broken")
# Each test must fail *because* the skeleton throws "not implemented yet":
# failing for another reason (no writable /tmp, no sandbox) would fail
# every student's tests too.
broken = [f"{lab} ({state})" for lab, score, _, state in labs if score != "0" or not state.startswith("not started")]
if broken:
    sys.exit("setup.sh: grading does not work in this image: the untouched skeletons should fail every test "
             "with \"not implemented yet\", but not in: " + ", ".join(broken) + "; the output above says why")
print(f"setup.sh: the skeletons score 0 of {doc['max_score']:g} on {len(doc['tests'])} tests, each failing with "
      "\"not implemented yet\", as they must")
PY
say "done: the course is built in $course/build (grader, trusted objects, skeleton workspace)"
