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

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "usage: ./ipclab test [--quick]   (--quick skips the sanitizer builds, the wrong solutions and the Gradescope autograder)" >&2; exit 2 ;;
  esac
done
student_copy=0
[ -d solutions ] || student_copy=1

ipclab_require_linux
if [ $student_copy -eq 1 ]; then
  ipclab_ensure_packages $IPCLAB_PKGS_BUILD $IPCLAB_PKGS_GRADER $IPCLAB_PKGS_DOCS
else
  ipclab_ensure_packages $IPCLAB_PKGS_BUILD $IPCLAB_PKGS_GRADER $IPCLAB_PKGS_SELFTEST $IPCLAB_PKGS_RELEASE $IPCLAB_PKGS_DOCS
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

passed=0 failed=0 failures=()
step() {  # step NAME COMMAND... : runs one step, times it, remembers the outcome
  local name=$1; shift
  local start=$SECONDS
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1)); echo "--- ok: $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "--- FAILED: $name ($((SECONDS - start)) s)"
  fi
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
  if [ ! -f grader/CMakeLists.txt ]; then
    echo "no grader in this copy of the course"; return 1
  fi
  ./ipclab grade --help >/dev/null || return 1  # builds build/grader
  ctest --test-dir build/grader -j "$jobs" --output-on-failure | tail -n 3 &&
    build/grader/ipclab-grader check-rubric --course "$PWD" &&
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
  local targets=(ipclab_common ipclab_testing) lab
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

if [ $student_copy -eq 1 ]; then
  step "the course's code and the public tests compile (warnings are errors)" public_tests_compile
  step "untouched skeletons fail every test fast" student_skeleton_suite
  step "grader: unit tests, rubric" student_grader_suite
else
  step "skeletons are generated from the solutions" tools/skeletons.sh --check
  step "reference solutions: public + hidden tests, 5 rounds in parallel" reference_suite
  step "untouched skeletons fail every test fast" skeleton_suite
  if [ $quick -eq 0 ]; then
    step "reference under ASan + UBSan" sanitizer_suite asan 3
    step "reference under TSan" sanitizer_suite tsan 5
  fi
  step "grader: unit tests, rubric, self-tests" grader_suite
  step "student release: builds, grades, no leak" tools/release-test.sh build/grader/ipclab-grader
  if [ $quick -eq 0 ]; then
    step "wrong solutions lose points (grader/mutants)" grader/mutants/run.sh build/grader/ipclab-grader
    # Builds the course once more, in the reproduced /autograder: minutes, so not in --quick.
    step "Gradescope autograder: reference 100%, skeleton 0, compile error, timeout" tools/gradescope-test.sh
  fi
fi
step "documentation site (Doxygen, warnings are errors)" ./ipclab docs
step "slides (Marp)" ./ipclab slides

echo
if [ $failed -gt 0 ]; then
  printf 'ipclab test: FAILED steps:\n'; printf '  %s\n' "${failures[@]}"
fi
echo "ipclab test: $passed passed, $failed failed"
[ $failed -eq 0 ]
