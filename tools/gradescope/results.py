#!/usr/bin/env python3
"""The parts of run_autograder that need arithmetic or JSON.

  results.py jobs                            prints how many compilers or tests may run at once here
  results.py plan COURSE JOBS MINUTES LABS   prints "SCALE WORST_SECONDS" (see plan())
  results.py fallback RESULTS SECONDS TEXT   writes a results.json of score 0 that says TEXT
  results.py note RESULTS TEXT               checks the grader's results.json; puts TEXT first in
                                             its output (TEXT may be empty); exit 1 if unusable
"""
import glob
import json
import math
import os
import sys

# The grader's own bounds (grader/src/grade.cpp, grader/src/build.cpp), each
# multiplied by --timeout-scale: a lab's compile stops after 60 s, all tests
# of a submission stop being started after 420 s. Keep in step with them.
COMPILE_SECONDS = 60
SUBMISSION_TEST_SECONDS = 420
# What grading costs besides those: checking the warm build, linking, the
# negative controls, reports. Measured at about 10 s on two cores; kept wide.
OVERHEAD_SECONDS = 30
# Kept free of the Gradescope limit: container start, unpacking an archive,
# writing results.json when the grader had to be stopped.
RESERVE_SECONDS = 60
LOWEST_SCALE = 0.5  # below this a correct solution's own waits get tight


def read_first(path):
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().split()
    except (OSError, UnicodeDecodeError):
        return []


def jobs():
    """What the container really has. Docker (Gradescope) limits CPUs with a
    cgroup quota and memory with a cgroup limit, neither of which nproc sees:
    on a 64-core host a 2-CPU container would otherwise run 64 compilers."""
    cpus = len(os.sched_getaffinity(0))
    quota = read_first("/sys/fs/cgroup/cpu.max")  # v2: "MAX PERIOD" or "max PERIOD"
    if not quota:
        quota = read_first("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") + read_first("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    if len(quota) == 2 and quota[0].isdigit() and quota[1].isdigit() and int(quota[0]) > 0:
        cpus = min(cpus, math.ceil(int(quota[0]) / int(quota[1])))
    memory = read_first("/sys/fs/cgroup/memory.max") or read_first("/sys/fs/cgroup/memory/memory.limit_in_bytes")
    if memory and memory[0].isdigit():
        # 512 MiB each: what the grader allows one test where it has cgroups,
        # and more than a compiler needs for one of the course's files.
        cpus = min(cpus, int(memory[0]) // (512 << 20))
    return max(cpus, 1)


def plan(course, workers, minutes, labs):
    """The --timeout-scale that keeps the worst case within the time limit.

    The worst case at scale 1 is every lab's compile running to its limit
    (jobs at a time), then the test budget spent, then the longest test
    started just before the budget ran out. Correct code is nowhere near any
    of these, so scaling them down costs it nothing but a little of the
    tests' patience (they scale their own waits too)."""
    longest = 10.0
    for rubric in glob.glob(os.path.join(course, "grader", "rubric", "*.json")):
        with open(rubric, encoding="utf-8") as handle:
            doc = json.load(handle)
        longest = max([longest, doc.get("timeout_seconds", 10.0)] +
                      [test.get("timeout_seconds", 0.0) for test in doc.get("tests", [])])
    worst = math.ceil(labs / max(workers, 1)) * COMPILE_SECONDS + SUBMISSION_TEST_SECONDS + longest
    available = minutes * 60 - RESERVE_SECONDS - OVERHEAD_SECONDS
    scale = min(1.0, math.floor(available / worst * 100) / 100)
    return max(scale, LOWEST_SCALE), worst


def clean(text):
    """Text fit for a student's page: valid UTF-8, no control characters but
    newlines and tabs. It may hold the grader's messages about a hostile
    upload (names are quoted by the grader, but argv arrives as raw bytes)."""
    raw = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(c if c in "\n\t" or (c >= " " and c != "\x7f" and not "\x80" <= c <= "\x9f") else "?"
                   for c in raw)


def write(path, doc):
    temp = path + ".tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        json.dump(doc, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(temp, path)


def fallback(path, seconds, text):
    # No tests: the grader did not run them, and listing them as failed would
    # read as if the student's code had failed each one.
    write(path, {
        "score": 0,
        "execution_time": int(seconds),
        "output": clean(text),
        "output_format": "text",
        "stdout_visibility": "hidden",
        "tests": [],
    })


def note(path, text):
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
        if not isinstance(doc.get("score"), (int, float)) or not isinstance(doc.get("tests"), list):
            return 1
    except (OSError, ValueError):
        return 1
    if text:
        doc["output"] = clean(text) + "\n\n" + doc.get("output", "")
        write(path, doc)
    return 0


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "jobs" and len(sys.argv) == 2:
        print(jobs())
        return 0
    if command == "plan" and len(sys.argv) == 6:
        scale, worst = plan(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        print(f"{scale:g} {worst:g}")
        return 0
    if command == "fallback" and len(sys.argv) == 5:
        fallback(sys.argv[2], float(sys.argv[3]), sys.argv[4])
        return 0
    if command == "note" and len(sys.argv) == 4:
        return note(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
