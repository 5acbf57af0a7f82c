#!/usr/bin/env bash
# grade-all on a small class: the reference, the untouched skeleton (as a
# .zip), a compile error, a test that hangs, an archive that is not one, and a
# student id made to run as a spreadsheet formula. Checks the gradebook row by
# row, that a second run grades nobody again, that --force does, and that an
# interrupted batch leaves a valid gradebook of those done.
#
#   grader/selftest/batch.sh build/grader/ipclab-grader
set -u
grader=$(readlink -f "${1:?usage: batch.sh PATH/TO/ipclab-grader}")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-batch.XXXXXX")
trap 'rm -rf "$work"' EXIT
class=$work/class
options=(--course "$root" --labs 01 --public-only --jobs 2)
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# --- the class ------------------------------------------------------------------
mkdir -p "$class/alice" "$class/carol/01-fifo/src" "$class/dave/labs/01-fifo/src" "$class/=SUM(A1),x"
cp -r "$root/solutions/01-fifo" "$class/alice/"
cp -r "$root/solutions/01-fifo" "$class/=SUM(A1),x/"
(cd "$root/labs" && python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name in ("fifo_io.cpp", "fifo_server.cpp"):
        z.write("01-fifo/src/" + name)
' "$class/bob.zip")
cp "$root"/solutions/01-fifo/src/*.cpp "$class/carol/01-fifo/src/"
echo 'this does not compile' >> "$class/carol/01-fifo/src/fifo_io.cpp"
cp "$root"/solutions/01-fifo/src/*.cpp "$class/dave/labs/01-fifo/src/"
# Only test B1.9 calls set_nonblocking(fd, true): it blocks there for ever.
perl -0pi -e 's/(void set_nonblocking\(int fd, bool nonblocking\) \{\n)/$1  if (nonblocking) { for (;;) ::pause(); }\n/' \
  "$class/dave/labs/01-fifo/src/fifo_io.cpp"
sed -i '1i #include <unistd.h>' "$class/dave/labs/01-fifo/src/fifo_io.cpp"
echo 'not an archive' > "$class/erin.zip"

csv=$work/grades.csv
start=$SECONDS
"$grader" grade-all "${options[@]}" "$class" --csv "$csv" > "$work/first.txt" 2> "$work/first.err"
status=$?
first_time=$((SECONDS - start))
[ $status -eq 0 ] || fail "grade-all exited with $status: $(tail -n 3 "$work/first.err")"

# --- the gradebook ------------------------------------------------------------
python3 - "$csv" <<'EOF' || failures=$((failures + 1))
import csv, sys
rows = {row["student"]: row for row in csv.DictReader(open(sys.argv[1]))}
expected = {  # student: (total, 01-fifo, status starts with)
    "alice": ("26", "26", "graded"),
    "bob": ("0", "0", "graded"),
    "carol": ("0", "0", "graded"),
    "dave": ("25", "25", "graded"),
    "erin": ("0", "", "not graded: cannot read the archive"),
    "'=SUM(A1),x": ("26", "26", "graded"),
}
bad = []
if set(rows) != set(expected):
    bad.append(f"students {sorted(rows)} instead of {sorted(expected)}")
for student, (total, lab, status) in expected.items():
    row = rows.get(student)
    if row and (row["total"], row["01-fifo"]) != (total, lab):
        bad.append(f"{student}: total {row['total']}, 01-fifo {row['01-fifo']!r}; expected {total}, {lab!r}")
    if row and not row["status"].startswith(status):
        bad.append(f"{student}: status {row['status']!r} does not start with {status!r}")
    if row and row["max"] != "26":
        bad.append(f"{student}: max {row['max']} instead of 26")
for line in bad:
    print("FAILED: gradebook:", line)
sys.exit(1 if bad else 0)
EOF
out=$work/grades-feedback
grep -q 'timed out' "$out/dave.md" || fail "dave's feedback does not say that a test timed out"
grep -q 'compile error' "$out/carol.md" || fail "carol's feedback does not show the compile error"
grep -q 'FifoIo.B1_' "$out/summary.md" || fail "summary.md lists no failed test"
grep -q '| 01-fifo |' "$out/summary.md" || fail "summary.md has no score line for 01-fifo"

# --- a second run grades nobody; --force grades everyone -------------------------
"$grader" grade-all "${options[@]}" "$class" --csv "$csv" > /dev/null 2> "$work/second.err" || fail "second run failed"
grep -q '0 to grade' "$work/second.err" || fail "the second run graded again: $(head -n 1 "$work/second.err")"
cp "$csv" "$work/first.csv"
rm -rf "$class/dave" "$class/carol" "$class/erin.zip" "$class/=SUM(A1),x"
"$grader" grade-all "${options[@]}" "$class" --csv "$csv" --force > /dev/null 2> "$work/force.err" ||
  fail "--force run failed"
grep -q '2 to grade' "$work/force.err" || fail "--force did not grade both students: $(head -n 1 "$work/force.err")"

# --- an interrupted batch leaves a valid gradebook of those done ------------------
rm -rf "$class" "$csv" "$out"
mkdir -p "$class"
for i in 1 2 3 4 5 6; do mkdir -p "$class/s$i" && cp -r "$root/solutions/01-fifo" "$class/s$i/"; done
"$grader" grade-all "${options[@]}" --parallel 1 "$class" --csv "$csv" > /dev/null 2> "$work/interrupt.err" &
batch=$!
# Interrupt once the first student is in the gradebook (a handshake on the
# file, with a deadline, not a sleep for ordering).
for _ in $(seq 600); do
  [ "$( { wc -l < "$csv"; } 2>/dev/null || echo 0)" -ge 2 ] && break
  sleep 0.1
done
kill -INT $batch
wait $batch
status=$?
[ $status -eq 130 ] || fail "an interrupted batch exited with $status instead of 130"
python3 - "$csv" <<'EOF' || fail "the gradebook after an interruption is not valid"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert 1 <= len(rows) < 6, f"{len(rows)} rows"
assert all(row["total"] == "26" for row in rows), rows
EOF

echo "grade-all: first run of 6 submissions in ${first_time} s"
if [ $failures -eq 0 ]; then
  echo "grade-all: gradebook, feedback, summary, skip, --force and interruption as expected"
  exit 0
fi
echo "grade-all: $failures check(s) failed"
exit 1
