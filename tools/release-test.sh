#!/usr/bin/env bash
# The student release (./ipclab release), tested as ./ipclab test's step
# "student release: builds, grades, no leak":
#   1. two releases of this tree (with --git) are identical, files, modes, dates
#      and commit id; a non-empty OUT is refused without --force;
#   2. the release holds none of the instructor's folders or files, and its
#      rubric only public tests, marked as a student copy;
#   3. its GitHub Classroom workflow is valid (tools/check-classroom.py);
#   4. a leak planted in a scratch copy of the course (a solution window in a
#      handout, a control's name in a slide, three lines of an answer in another
#      handout) makes the release refuse, naming the three files, and leaves
#      nothing behind; a tree that holds an answers file is refused for its path;
#   5. in the release: the student preset builds, ./ipclab check 01 runs the
#      public tests only, the untouched skeletons fail fast, grading then
#      reuses the course's objects that check compiled, the grade table of
#      the skeleton shows the public points with the "instructor grades more"
#      line and nothing a student copy lacks, the Classroom command gives a lab
#      its points only when all of its tests pass, and the docs build.
# The grade uses the course's grader binary ($1): the release's grader sources
# are checked to be the same, and building them again would double the time.
# A full ./ipclab test inside a release: ./ipclab release /tmp/r && /tmp/r/ipclab test
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
grader=$(readlink -f "${1:?usage: release-test.sh BUILD/ipclab-grader}")
[ -x "$grader" ] || { echo "release test: no grader at $1 (./ipclab grade --help builds it)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-release-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # the grader's sandbox users read the release's trusted tree
start=$SECONDS
fail() { echo "release test: FAILED: $*" >&2; exit 1; }
done_with() { echo "release test: $1 ($((SECONDS - start)) s)"; }
shopt -s nullglob

# --- 1. deterministic, and careful with OUT
./ipclab release "$work/a" --git >"$work/a.log" 2>&1 || { cat "$work/a.log"; fail "the release was refused"; }
./ipclab release "$work/b" --git >"$work/b.log" 2>&1 || { cat "$work/b.log"; fail "the second release was refused"; }
diff -r --no-dereference --exclude=.git "$work/a" "$work/b" >/dev/null || fail "two releases of one tree differ"
listing() { (cd "$1" && find . -path ./.git -prune -o -printf '%y %m %T@ %p\n' | LC_ALL=C sort); }
[ "$(listing "$work/a")" = "$(listing "$work/b")" ] || fail "two releases differ in their modes or dates"
[ "$(git -C "$work/a" rev-parse HEAD)" = "$(git -C "$work/b" rev-parse HEAD)" ] ||
  fail "two --git releases of one tree have different commits"
[ -z "$(git -C "$work/a" status --porcelain)" ] || fail "the --git release has files outside its commit"
status=0
./ipclab release "$work/b" >/dev/null 2>&1 || status=$?
[ $status -eq 2 ] || fail "a non-empty OUT without --force: exit $status, expected 2"
./ipclab release "$work/b" --force >/dev/null 2>&1 || fail "--force did not replace OUT"
[ ! -e "$work/b/.git" ] || fail "--force left the old OUT's .git behind"
status=0
./ipclab release build/release-here >/dev/null 2>&1 || status=$?
[ $status -eq 2 ] && [ ! -e build/release-here ] || fail "a release inside the course tree was not refused"
files=$(cd "$work/a" && find . -path ./.git -prune -o -type f -print | wc -l)
size=$(du -sk --exclude=.git "$work/a" | cut -f1)
done_with "two identical releases of $files files, $((size / 1024)).$((size % 1024 * 10 / 1024)) MiB"

# --- 2. nothing for instructors only
for path in solutions grader/hidden grader/mutants grader/selftest grader/README.md docs/instructor-guide.md \
  docs/answers .ci tools/release.py tools/release tools/leakcheck.py tools/leakcheck-allow.txt tools/skeletons.sh; do
  [ ! -e "$work/a/$path" ] || fail "the release has $path"
done
found=$(cd "$work/a" && find . -path ./.git -prune -o \( -iname '*solution*' -o -iname '*hidden*' -o -iname '*mutant*' -o -iname '*answers*' \) -print)
[ -z "$found" ] || fail "the release has files named like the instructor's: $found"
! grep -rIl --include='*.md' --include='*.yml' 'instructor-guide\|instructor_guide' "$work/a" || fail "a page links to the instructor guide"
! grep -rIlE --include='*.md' '\]\([^)]*answers/' "$work/a" || fail "a page links to the answers"
python3 - "$work/a" <<'EOF' || fail "the release's rubric is not the public part"
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1], "grader", "rubric").glob("*.json")):
    rubric = json.loads(path.read_text())
    assert rubric.get("student_copy") is True, f"{path.name}: not marked student_copy"
    assert "controls" not in rubric, f"{path.name}: has controls"
    assert all(t.get("binary", "public") == "public" for t in rubric["tests"]), f"{path.name}: has hidden tests"
EOF
diff -r grader/src "$work/a/grader/src" >/dev/null || fail "the release's grader sources differ from the course's"
if "$work/a/ipclab" help | grep -E '^\s+(release|skeletons)\b|--quick'; then
  fail "./ipclab help in the release lists course-developer commands"
fi
status=0
"$work/a/ipclab" release "$work/c" >/dev/null 2>&1 || status=$?
[ $status -eq 2 ] || fail "./ipclab release in a release: exit $status, expected 2"
done_with "no instructor folder, file, link or rubric entry"

# --- 3. the GitHub Classroom workflow
python3 tools/check-classroom.py "$work/a" --grader "$grader" || fail "the Classroom workflow is not valid"

# --- 4. a planted leak is refused, loudly, leaving nothing
mkdir "$work/course"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/course"
python3 - "$work/course" <<'EOF' || fail "could not plant the leaks"
import json, pathlib, subprocess, sys
course = pathlib.Path(sys.argv[1])
# A solution window, as a handout would quote it: indented in a code block.
window = next(json.loads(line) for line in subprocess.run(
    [sys.executable, "tools/leakcheck.py", "--fingerprints"], capture_output=True, text=True, check=True).stdout.splitlines()
    if '"solution region"' in line and len(json.loads(line)["lines"]) == 3)
with open(course / "docs/labs/01-fifo.md", "a") as handout:
    handout.write("\n```cpp\n" + "\n".join("    " + line for line in window["lines"]) + "\n```\n")
# A negative control's name, which must never reach a student.
control = json.loads((course / "grader/rubric/02-sysv-msg.json").read_text())["controls"][0]
with open(course / "slides/02-sysv-msg.md", "a") as slide:
    slide.write(f"\n- see {control}\n")
# Three lines of an answer (docs/answers/), pasted into another handout.
answer = next(json.loads(line) for line in subprocess.run(
    [sys.executable, "tools/leakcheck.py", "--fingerprints"], capture_output=True, text=True, check=True).stdout.splitlines()
    if '"answers"' in line)
with open(course / "docs/labs/03-mqueue.md", "a") as handout:
    handout.write("\n" + "\n".join(answer["lines"]) + "\n")
EOF
status=0
"$work/course/ipclab" release "$work/leak" >"$work/leak.log" 2>&1 || status=$?
[ $status -eq 1 ] || { cat "$work/leak.log"; fail "a planted leak: exit $status, expected 1"; }
grep -q "docs/labs/01-fifo.md:[0-9]" "$work/leak.log" || { cat "$work/leak.log"; fail "the refusal does not name the handout"; }
grep -q "slides/02-sysv-msg.md:[0-9].*hidden test" "$work/leak.log" || { cat "$work/leak.log"; fail "the refusal does not name the slide"; }
grep -q "docs/labs/03-mqueue.md:[0-9].*docs/answers/" "$work/leak.log" || { cat "$work/leak.log"; fail "the refusal does not name the answer in the handout"; }
[ ! -e "$work/leak" ] || fail "a refused release left OUT behind"
leftovers=("$work"/.leak.*)
[ ${#leftovers[@]} -eq 0 ] || fail "a refused release left ${leftovers[*]} behind"
sed -n '/LEAK/,$p' "$work/leak.log" | head -n 4
# An answers file is refused for where it is, whatever its text: a release made
# by an older release.py, or copied by hand, would hold one.
mkdir -p "$work/tree/docs/answers"
echo "# my own notes" >"$work/tree/docs/answers/notes.md"
status=0
python3 tools/leakcheck.py "$work/tree" >"$work/tree.log" 2>&1 || status=$?
[ $status -eq 1 ] && grep -q "docs/answers/notes.md:1: holds an instructor-only answers file" "$work/tree.log" ||
  { cat "$work/tree.log"; fail "a tree with a file in docs/answers/: exit $status, expected 1 naming the file"; }
done_with "a planted leak is refused"

# --- 5. the release works for a student
cd "$work/a"
status=0
./ipclab check 01 >"$work/check.log" 2>&1 || status=$?
[ $status -ne 0 ] || fail "./ipclab check 01 passed on the skeleton"
grep -q "not implemented yet" "$work/check.log" || { tail -n 30 "$work/check.log"; fail "./ipclab check 01 did not run the tests"; }
! grep -q "lab01\.hidden\." "$work/check.log" || fail "./ipclab check 01 ran hidden tests"
done_with "the student preset builds; ./ipclab check 01 runs the public tests"
"$root/tools/skeleton-fails-fast.sh" build/student | sed 's/^/  /' || fail "the skeletons do not fail fast"

"$grader" grade --course . --jobs 2 >"$work/grade.txt" 2>"$work/grade.err" || { cat "$work/grade.err"; fail "grading the release failed"; }
# Grading compiled none of the course's own code that ./ipclab check 01 had
# compiled: the two builds share it (ccache; CMakeLists.txt, IPCLAB_CCACHE).
if command -v ccache >/dev/null; then
  shared=$(( $(find labs/common -name '*.cpp' | wc -l) + $(ls labs/01-*/tests/*_test.cpp | wc -l) ))
  hits=$(ccache -d build/.ccache --print-stats | awk '$1 == "direct_cache_hit" {print $2}')
  [ "${hits:-0}" -ge "$shared" ] ||
    fail "grading after ./ipclab check 01 reused ${hits:-0} compiled files of the course, expected $shared (do the two builds compile them alike?)"
else
  echo "  (no ccache on this machine: the check that grading reuses ./ipclab check's objects is skipped)"
fi
public=$(python3 -c 'import json,glob; print(int(sum(t.get("points",1) for f in sorted(glob.glob("grader/rubric/*.json")) for t in json.load(open(f))["tests"])))')
line="Public tests only: your instructor grades the same files with more (hidden) tests of the same behaviours."
grep -qxF "$line" "$work/grade.txt" || { cat "$work/grade.txt"; fail "the grade table does not say that the instructor grades more"; }
grep -qE "^Total +0/$public " "$work/grade.txt" || { cat "$work/grade.txt"; fail "the total is not 0/$public (the public points)"; }
[ "$(grep -ci hidden "$work/grade.txt")" -eq 1 ] || { cat "$work/grade.txt"; fail "the grade table mentions hidden tests beyond its one line"; }
for absent in "./ipclab test" "test binary" "not run" "solutions" "grader/"; do
  ! grep -qF -- "$absent" "$work/grade.txt" || { cat "$work/grade.txt"; fail "the grade table says '$absent'"; }
done
# The Classroom command: a lab counts only with every test passing (the
# reference solution of lab 01, given as a submission), never for the skeleton.
status=0
"$grader" grade --course . --labs 01 --fail-under 100 --jobs 2 >/dev/null 2>&1 || status=$?
[ $status -eq 1 ] || fail "--fail-under 100 on the skeleton: exit $status, expected 1"
"$grader" grade --course . --labs 01 --fail-under 100 --jobs 2 --submission "$root/solutions" >"$work/ref.txt" 2>&1 ||
  { cat "$work/ref.txt"; fail "the reference solution of lab 01 does not get the full public points in the release"; }
grep -qE "^01-fifo +([0-9]+)/\1 " "$work/ref.txt" || { cat "$work/ref.txt"; fail "the reference's lab 01 is not full marks"; }
done_with "the grade table speaks to a student; the Classroom command gives all or nothing"

./ipclab docs >"$work/docs.log" 2>&1 || { cat "$work/docs.log"; fail "./ipclab docs fails in the release"; }
done_with "the docs build in the release (warnings are errors)"
