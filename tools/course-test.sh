#!/usr/bin/env bash
# ./ipclab test — the course's own test suite, what CI runs:
# skeletons up to date; reference solutions against public and hidden tests
# (repeated, in parallel), nothing left behind; untouched skeletons fail fast;
# sanitizers; the grader's own tests, rubric check and self-tests; the student
# release; wrong solutions (grader/mutants) that the hidden tests must reject;
# the Gradescope autograder in a reproduction of Gradescope's layout; docs; slides.
#
# In a student copy of the course (./ipclab release: no solutions/), what makes
# sense there: the course's code and the public tests compile, the untouched
# skeletons fail fast, the grader's unit tests and rubric, docs, slides.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deps.sh
source tools/deps.sh

quick=0 serial=0
usage="usage: ./ipclab test [--quick] [--serial]
  --quick   the loop of a course developer (minutes): one round of the reference, the
            skeletons, the grader's unit tests and rubric and a few self-tests, docs;
            no sanitizers, student release, wrong solutions, Gradescope or slides
  --serial  one step at a time (by default two lanes of steps run side by side)"
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --serial) serial=1 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "ipclab test: unknown option '$arg'" >&2; echo "$usage" >&2; exit 2 ;;
  esac
done
student_copy=0
[ -d solutions ] || student_copy=1

ipclab_require_linux
if [ $student_copy -eq 1 ]; then
  ipclab_ensure_packages $IPCLAB_PKGS_BUILD $IPCLAB_PKGS_GRADER $IPCLAB_PKGS_DOCS --optional $IPCLAB_PKGS_SHARE
else
  ipclab_ensure_packages $IPCLAB_PKGS_BUILD $IPCLAB_PKGS_GRADER $IPCLAB_PKGS_SELFTEST $IPCLAB_PKGS_RELEASE $IPCLAB_PKGS_DOCS --optional $IPCLAB_PKGS_SHARE
fi
ipclab_try_packages $IPCLAB_PKGS_DOCS_OPTIONAL
ipclab_check_cmake_version
export IPCLAB_WERROR=1  # the grader's build too: warnings are errors here
# POSIX queues are charged to one budget per user (RLIMIT_MSGQUEUE, 800 KiB by
# default) shared by every test running at once: lift it where we may, so that
# parallel tests never fail each other. Tests that need a small budget set their own.
ulimit -q unlimited 2>/dev/null || true
jobs=$(( $(nproc) * 2 ))
mkdir -p build

# Each step's output goes to its own log and is printed whole when the step
# ends, so that two lanes of steps running side by side never mix their lines;
# a "started" line shows progress meanwhile. results: "ok|FAILED SECONDS NAME".
logs=build/.test-logs
rm -rf "$logs" && mkdir -p "$logs"
results=$logs/results
: >"$results"
suite_start=$SECONDS
step() {  # step NAME COMMAND... : runs one step, times it, remembers the outcome
  local name=$1; shift
  local start=$SECONDS log status=ok
  log=$(mktemp "$logs/step.XXXXXX")
  echo "... started: $name"
  "$@" >"$log" 2>&1 || status=FAILED
  local took=$((SECONDS - start))
  {
    flock 9
    echo "=== $name"
    cat "$log"
    echo "--- $status: $name ($took s)"
  } 9>>"$logs/print.lock"
  echo "$status $took $name" >>"$results"
  rm -f "$log"
}

preset_build() {  # configure (once) and build one preset quietly, showing errors
  if [ ! -f "build/$1/build.ninja" ]; then
    cmake --preset "$1" >"build/.configure-$1.log" 2>&1 || { cat "build/.configure-$1.log"; return 1; }
  fi
  cmake --build "build/$1" >"build/.build-$1.log" 2>&1 || { cat "build/.build-$1.log"; return 1; }
}

run_suite() {  # $1 = preset, $2 = repetitions, then extra environment
  local preset=$1 repeat=$2; shift 2
  preset_build "$preset" || return 1
  local log="build/.ctest-$preset.log" status=0
  env "$@" ctest --test-dir "build/$preset" -j "$jobs" --repeat "until-fail:$repeat" \
    --output-on-failure --timeout 120 >"$log" 2>&1 || status=$?
  # failures and summary: drop the "Start" lines and the passing tests, which
  # read "N/M Test #K: ..." on the first round and "Test #K: ..." on repeats
  grep -vE '^ *(Start +[0-9]+: |([0-9]+/[0-9]+ )?Test +#[0-9]+: .*Passed)' "$log"
  return $status
}

reference_suite() { run_suite reference 5 && tools/leftovers.sh; }
skeleton_suite() { preset_build skeleton && tools/skeleton-fails-fast.sh build/skeleton; }
sanitizer_suite() { run_suite "$1" 1 "IPCLAB_TIMEOUT_SCALE=$2" && tools/leftovers.sh; }

grader_suite() {
  grader_unit_and_rubric &&
    grader/selftest/run.sh build/grader/ipclab-grader &&
    grader/selftest/batch.sh build/grader/ipclab-grader
}

# --- A student copy: the release's own checks, which need no solutions/.

# The untouched skeletons are what the release shipped (tools/skeletons.sha256,
# written by ./ipclab release); once a student edits them, the checks that
# need the skeletons are skipped, and say so.
skeletons_untouched() { [ -f tools/skeletons.sha256 ] && sha256sum --quiet -c tools/skeletons.sha256 >/dev/null 2>&1; }

public_tests_compile() {  # the course's own code only, never the student's files
  if [ ! -f build/skeleton/build.ninja ]; then
    cmake --preset skeleton >build/.configure-skeleton.log 2>&1 || { cat build/.configure-skeleton.log; return 1; }
  fi
  local targets=(ipclab_common ipclab_testing ipclab_test_main) lab
  for lab in labs/[0-9][0-9]-*/tests; do
    targets+=("lab$(basename "$(dirname "$lab")" | cut -c1-2)_public_tests_objects")
  done
  cmake --build build/skeleton --target "${targets[@]}" >build/.build-skeleton.log 2>&1 ||
    { cat build/.build-skeleton.log; return 1; }
  echo "compiled: ${targets[*]}"
}

student_skeleton_suite() {
  if ! skeletons_untouched; then
    echo "skipped: labs/*/src holds your work, not the skeletons this copy came with (tools/skeletons.sha256)"
    return 0
  fi
  preset_build skeleton && tools/skeleton-fails-fast.sh build/skeleton
}

student_grader_suite() {
  ./ipclab grade --help >/dev/null || return 1  # builds build/grader
  ctest --test-dir build/grader -j "$jobs" --output-on-failure | tail -n 3 || return 1
  # The rubric against the test binaries, built from labs/ (the skeletons:
  # the student's code is not what this checks).
  if skeletons_untouched; then
    build/grader/ipclab-grader check-rubric --course "$PWD"
  else
    echo "rubric check skipped: labs/*/src holds your work"
  fi
}

quick_selftests() {  # the grader's unit tests, rubric, and the self-tests that matter most
  grader_unit_and_rubric &&
    grader/selftest/run.sh build/grader/ipclab-grader reference-public skeleton include-reference \
      symlinked-folder fake-gtest-output infinite-loop
}

grader_unit_and_rubric() {
  if [ ! -f grader/CMakeLists.txt ]; then
    echo "no grader in this copy of the course"; return 1
  fi
  ./ipclab grade --help >/dev/null || return 1  # builds build/grader
  ctest --test-dir build/grader -j "$jobs" --output-on-failure | tail -n 3 &&
    build/grader/ipclab-grader check-rubric --course "$PWD"
}

slides_and_fit() {  # chromium for the fit check: installed here, not by ./ipclab slides
  ipclab_try_packages $IPCLAB_PKGS_SLIDES_CHECK
  ./ipclab slides
}

# The wrong solutions' labs, in two parts: the first labs in the grader's
# lane, after its self-tests, the rest in the labs' lane. The grader's lane
# has the longer other steps (warm, on two cores: self-tests and release about
# 475 s, against about 275 s for the labs' lane), so it takes the first labs
# whose wrong solutions stay within 40% of all of them (with seven labs:
# 01-03, 38 of 109; measured warm, the lanes then took 538 s and 633 s).
mutant_labs=() mutant_counts=() mutants_total=0
for dir in grader/mutants/[0-9][0-9]-*/; do
  [ -d "$dir" ] || continue
  mutant_labs+=("$(basename "$dir" | cut -c1-2)")
  mutant_counts+=("$(compgen -G "$dir*.patch" | wc -l)")
  mutants_total=$((mutants_total + ${mutant_counts[-1]}))
done
there=0 taken=0
while [ $there -lt ${#mutant_labs[@]} ] &&
  { [ $there -eq 0 ] || [ $(( (taken + mutant_counts[there]) * 5 )) -le $((mutants_total * 2)) ]; }; do
  taken=$((taken + mutant_counts[there])); there=$((there + 1))
done
mutants_there=${mutant_labs[*]:0:$there}
mutants_here=${mutant_labs[*]:$there}

mutants_in_own_build() {  # LAB... : grader/mutants/run.sh in build/grade-mutants
  [ $# -gt 0 ] || { echo "no labs left for this part"; return 0; }
  ./ipclab grade --help >/dev/null || return 1  # the grader: built by the other lane, or now
  IPCLAB_GRADE_BUILD=$PWD/build/grade-mutants grader/mutants/run.sh build/grader/ipclab-grader "$@"
}

# Two lanes: the labs' own builds and test runs in one, the grader's (which
# spends much of its time waiting on sandboxes, timeouts and child processes)
# in the other. Every step judges only what its own run created, so they may
# share the machine (tools/leftovers.sh, grader/selftest/run.sh).
lane_labs() {
  if [ $student_copy -eq 1 ]; then
    step "the course's code and the public tests compile (warnings are errors)" public_tests_compile
    step "untouched skeletons fail every test fast" student_skeleton_suite
  else
    step "skeletons are generated from the solutions" tools/skeletons.sh --check
    if [ $quick -eq 1 ]; then
      step "reference solutions: public + hidden tests, 1 round in parallel" run_suite reference 1
    else
      step "reference solutions: public + hidden tests, 5 rounds in parallel" reference_suite
    fi
    step "untouched skeletons fail every test fast" skeleton_suite
    if [ $quick -eq 0 ]; then
      step "reference under ASan + UBSan" sanitizer_suite asan 3
      step "reference under TSan" sanitizer_suite tsan 5
      # Builds the course once more, in the reproduced /autograder (its own
      # scratch folder and grader build): in this lane, to even out the two.
      step "Gradescope autograder: reference 100%, skeleton 0, compile error, timeout" tools/gradescope-test.sh
      # The other part of the wrong solutions, graded in a build folder of their own:
      # build/grade admits one grader run at a time, and the other lane's
      # self-tests use it.
      step "wrong solutions lose points (grader/mutants $mutants_here)" mutants_in_own_build $mutants_here
    fi
  fi
  # Slides first: the site copies the rendered decks in, and checks their links too.
  [ $quick -eq 1 ] || step "slides (Marp; every slide fits 1280x720, checked in chromium)" slides_and_fit
  step "documentation site (Doxygen, warnings are errors; links, paths, handout links checked)" ./ipclab docs
}

lane_grader() {
  if [ $student_copy -eq 1 ]; then
    step "grader: unit tests, rubric" student_grader_suite
  elif [ $quick -eq 1 ]; then
    step "grader: unit tests, rubric, main self-tests" quick_selftests
  else
    step "grader: unit tests, rubric, self-tests" grader_suite
    step "student release: builds, grades, no leak" tools/release-test.sh build/grader/ipclab-grader
    step "wrong solutions lose points (grader/mutants $mutants_there)" \
      grader/mutants/run.sh build/grader/ipclab-grader $mutants_there
  fi
}

if [ $serial -eq 1 ]; then
  lane_labs
  lane_grader
else
  # The lanes share no build folder: build/{reference,skeleton,asan,tsan} and
  # build/docs in one, build/grader, build/grade and scratch copies in the other.
  lane_labs & labs_pid=$!
  lane_grader & grader_pid=$!
  wait "$labs_pid" "$grader_pid"
fi

echo
echo "ipclab test: time of each step (s)"
awk '{ status = $1; took = $2; $1 = ""; $2 = ""; sub(/^  /, ""); printf "  %5d  %-6s %s\n", took, status, $0 }' "$results"
passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^FAILED ' "$results")
if [ "$failed" -gt 0 ]; then
  printf 'ipclab test: FAILED steps:\n'; sed -n 's/^FAILED [0-9]* /  /p' "$results"
fi
echo "ipclab test: $passed passed, $failed failed, in $((SECONDS - suite_start)) s ($([ $serial -eq 1 ] && echo "one step at a time" || echo "two lanes side by side"))"
[ "$failed" -eq 0 ]
