#!/usr/bin/env python3
"""Checks a results.json that run_autograder wrote (tools/gradescope-test.sh).

usage: gradescope-check.py CASE RESULTS COURSE

First what Gradescope itself requires of any results.json (its autograder
specification: fields, their types, the allowed visibility and format
values), then what CASE must have scored against COURSE's rubric. Prints one
line (score, isolation); exit status 1 with the reasons when anything is off.
"""
import glob
import json
import os
import re
import sys

VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
NUMBER = (int, float)


def is_number(value):
    return isinstance(value, NUMBER) and not isinstance(value, bool)


def gradescope_format(doc, problems):
    """What Gradescope reads: a wrong type here is a failed submission there."""
    if not isinstance(doc, dict):
        problems.append("the top level is not an object")
        return
    if not is_number(doc.get("score")):
        problems.append("no numeric top-level score")
    for key in ("max_score",):
        if key in doc and not is_number(doc[key]):
            problems.append(f"{key} is not a number")
    if "execution_time" in doc and not isinstance(doc["execution_time"], int):
        problems.append("execution_time is not a whole number of seconds")
    for key in ("output",):
        if key in doc and not isinstance(doc[key], str):
            problems.append(f"{key} is not a string")
    for key in ("visibility", "stdout_visibility"):
        if key in doc and doc[key] not in VISIBILITY:
            problems.append(f"{key} {doc[key]!r} is not one of {sorted(VISIBILITY)}")
    for key in ("output_format", "test_output_format", "test_name_format"):
        if key in doc and doc[key] not in FORMATS:
            problems.append(f"{key} {doc[key]!r} is not one of {sorted(FORMATS)}")
    tests = doc.get("tests")
    if not isinstance(tests, list):
        problems.append("tests is not a list")
        return
    for index, test in enumerate(tests):
        where = f"tests[{index}]"
        if not isinstance(test, dict):
            problems.append(f"{where} is not an object")
            continue
        if not isinstance(test.get("name"), str) or not test["name"]:
            problems.append(f"{where} has no name")
        for key in ("score", "max_score"):
            if not is_number(test.get(key)):
                problems.append(f"{where} ({test.get('name')}) has no numeric {key}")
        if test.get("visibility", "visible") not in VISIBILITY:
            problems.append(f"{where} visibility {test.get('visibility')!r} is not one of {sorted(VISIBILITY)}")
        if "status" in test and test["status"] not in ("passed", "failed"):
            problems.append(f"{where} status {test['status']!r} is neither passed nor failed")
        for key in ("output", "number"):
            if key in test and not isinstance(test[key], str):
                problems.append(f"{where} {key} is not a string")
        for key in ("output_format", "name_format"):
            if key in test and test[key] not in FORMATS:
                problems.append(f"{where} {key} {test[key]!r} is not one of {sorted(FORMATS)}")


def load_rubric(course):
    tests = {}
    for path in sorted(glob.glob(os.path.join(course, "grader", "rubric", "*.json"))):
        with open(path, encoding="utf-8") as handle:
            rubric = json.load(handle)
        for test in rubric["tests"]:
            tests[test["name"]] = (rubric["lab"], test["points"], test["visibility"])
    return tests


def close(a, b):
    return abs(a - b) < 1e-6


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    case, path, course = sys.argv[1:]
    problems = []
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError) as error:
        print(f"{case}: no readable results.json: {error}")
        return 1
    gradescope_format(doc, problems)
    if problems:
        print(f"{case}: not a valid Gradescope results.json:\n  " + "\n  ".join(problems))
        return 1

    rubric = load_rubric(course)
    total = sum(points for _, points, _ in rubric.values())
    tests = doc["tests"]
    output = doc.get("output", "")
    isolation = re.search(r"^Isolation: (\w+)", output, re.M)
    by_name = {}
    for test in tests:
        name = test["name"].split()[-1]  # "01-fifo B1.9 FifoOpen.B1_9_..." ends in the rubric's name
        by_name[name] = test
    failed = {name: test for name, test in by_name.items() if test["score"] < test["max_score"]}

    if case in ("reference", "skeleton", "compile-error", "timeout", "no-lab-files"):
        # A grading ran: every test of the rubric is listed once, with the
        # rubric's points and visibility, and the scores add up.
        if set(by_name) != set(rubric) or len(tests) != len(rubric):
            missing = sorted(set(rubric) - set(by_name))[:3]
            extra = sorted(set(by_name) - set(rubric))[:3]
            problems.append(f"the tests are not the rubric's: missing {missing}, not in the rubric {extra}")
        for name, test in by_name.items():
            if name in rubric:
                _, points, visibility = rubric[name]
                if not close(test["max_score"], points) or test.get("visibility", "visible") != visibility:
                    problems.append(f"{name}: max_score {test['max_score']} and visibility "
                                    f"{test.get('visibility')} differ from the rubric's {points}, {visibility}")
        if not close(sum(t["score"] for t in tests), doc["score"]):
            problems.append(f"the tests' scores add up to {sum(t['score'] for t in tests)}, not {doc['score']}")
        if not close(sum(t["max_score"] for t in tests), total):
            problems.append(f"the tests' max scores add up to {sum(t['max_score'] for t in tests)}, "
                            f"not the rubric's {total}")
        if "max_score" in doc and not close(doc["max_score"], total):
            problems.append(f"max_score {doc['max_score']} is not the rubric's {total}")
        if not isolation:
            problems.append("the output does not say how tests were isolated")

    if case == "reference":
        if not close(doc["score"], total) or failed:
            problems.append(f"the reference scored {doc['score']} of {total}; failed: {sorted(failed)[:5]}")
    elif case == "skeleton":
        if doc["score"] != 0:
            problems.append(f"the skeleton scored {doc['score']}, not 0")
        if "not implemented yet" not in output:
            problems.append("the output does not say the skeleton is not implemented yet")
    elif case == "compile-error":
        broken = {name for name, (lab, _, _) in rubric.items() if lab.startswith("03-")}
        lost = sum(rubric[name][1] for name in broken)
        if set(failed) != broken:
            problems.append(f"expected exactly lab 03's tests to fail; failed outside it: "
                            f"{sorted(set(failed) - broken)[:5]}, passed in it: {sorted(broken - set(failed))[:5]}")
        if not close(doc["score"], total - lost):
            problems.append(f"score {doc['score']}, expected {total - lost} (all but lab 03)")
        if not re.search(r"^03-\S+: 0/.*\n(.*\n)*?.*compile error", output, re.M):
            problems.append("the output does not say that lab 03 had a compile error")
        # The compiler's message names the file as the student knows it.
        if not re.search(r"^ *labs/03-[^/\s]+/src/\w+\.cpp:\d+:\d+: error", output, re.M):
            problems.append("the compile error does not name labs/03-.../src/FILE.cpp:LINE: " +
                            repr(re.findall(r".*error.*", output)[:2]))
    elif case == "timeout":
        # Only the tests that make set_nonblocking(fd, true) clear O_NONBLOCK
        # reach the endless wait; each must lose its points and say so.
        if not failed:
            problems.append("no test timed out")
        for name, test in failed.items():
            if not name.split(".")[-1].startswith("B1_9_") or "timed out" not in test.get("output", ""):
                problems.append(f"{name} failed but is not a B1.9 test that timed out: "
                                f"{test.get('output', '')[:200]!r}")
        lost = sum(rubric[name][1] for name in failed if name in rubric)
        if not close(doc["score"], total - lost):
            problems.append(f"score {doc['score']}, expected {total - lost}: only the timed-out tests lose points")
        if "cut short" in output:
            problems.append("a lab was cut short: more tests timed out than the ones that block")
    elif case == "no-lab-files":
        if doc["score"] != 0 or not output.startswith("Your upload had no lab files"):
            problems.append(f"expected score 0 and a first line about the missing lab files: {output[:200]!r}")
    elif case == "bad-archive":
        if doc["score"] != 0 or tests or "could not read your upload" not in output:
            problems.append(f"expected score 0, no tests and a word about the upload: {output[:300]!r}")
    else:
        problems.append(f"unknown case {case}")

    shown = f"{doc['score']:g}/{total:g}" + (f", {len(failed)} test(s) lost points" if failed else "")
    level = isolation.group(1) if isolation else "-"
    if problems:
        print(f"{case}: FAILED ({shown}; isolation {level}):\n  " + "\n  ".join(problems))
        return 1
    print(f"{case}: ok ({shown}; isolation {level})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
