# Attack: a static constructor that sleeps just under a test's timeout in each
# lab's file, in otherwise correct code, for labs 01 and 02 with the hidden
# tests: every test process starts that much late. Once that kept full marks
# and made one lab take 248 s instead of 10, so that seven labs would pass
# Gradescope's 10-minute limit and the student would get no result.
# Must happen: each lab's budget (3 timeouts, or 90 s of test time) cuts the
# rest of that lab short, and says so ("cut short"), one lab after the other;
# the grading ends well within the bound (the row shows the time). Two labs
# show that each lab has a budget of its own. Run at --timeout-scale 0.5 (a
# test's 10 s timeout is 5 s, a lab's budget 45 s; the sleep is 4 s), which
# halves the sleeping in ./ipclab test and tests the same thing: every test
# here starts late, so no handshake deadline of a correct test is at stake.
# The score is not the point (the tests that ran before the cut may pass).
every_lab_cut_short() {
  python3 - "$1/results.json" <<'PY'
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
labs = sorted({test["name"].split()[0] for test in tests})
cut = {lab for lab in labs
       if any("cut short" in test["output"] for test in tests if test["name"].split()[0] == lab)}
print("cut short: " + (", ".join(sorted(cut)) or "none"))
sys.exit(0 if len(labs) == 2 and cut == set(labs) else 1)
PY
}
run() {
  new_submission sleep-before-main
  local lab
  for lab in 01 02; do
    add_lab $lab
    append_to_fifo_io 'namespace {
// Before main(): every test process of this lab waits 4 s.
struct SlowStart { SlowStart() { ::sleep(4); } } slow_start;
}  // namespace' "$(lab_file $lab)"
  done
  check=every_lab_cut_short max_seconds=150 row_timeout=600
  grade sleep-before-main any "" --submission "$submission" --labs 01,02 --timeout-scale 0.5
}
