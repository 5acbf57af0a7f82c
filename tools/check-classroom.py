#!/usr/bin/env python3
"""Checks the GitHub Classroom workflow of a student release, offline.

    tools/check-classroom.py RELEASE [--grader BUILD/ipclab-grader]

GitHub cannot be reached from the course's CI, so the workflow is never run
here. What can be checked is checked: the YAML parses; it has the shape GitHub
Actions and GitHub Classroom's reporter need (the workflow "Autograding Tests",
on push, one job "run-autograding-tests" whose steps check out the code, run
one command grader per lab with test-name, command, timeout and max-score,
and end with the reporter, whose env names each grader's result as
ID_RESULTS and whose runners list every grader step); each lab of the release
has one grader step worth the public points of its rubric; and each command
exists in the release: ./ipclab, its subcommand, the lab numbers, and (with
--grader) the grader's flags. Exit 0 when all of it holds; 1 with one line per
problem.
"""
from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml  # python3-yaml (IPCLAB_PKGS_RELEASE in tools/deps.sh)

COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
GRADER_INPUTS = {"test-name", "setup-command", "command", "timeout", "max-score"}  # the action's inputs
REQUIRED_INPUTS = {"test-name", "command", "timeout", "max-score"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("release", help="a student release (./ipclab release OUT)")
    parser.add_argument("--grader", help="a built ipclab-grader, to check the flags the commands give it")
    args = parser.parse_args()
    release = Path(args.release)
    problems: list[str] = []

    def problem(text: str) -> None:
        problems.append(text)

    path = release / ".github" / "workflows" / "classroom.yml"
    try:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        print(f"check-classroom: {path}: {error}", file=sys.stderr)
        return 1

    # The public points of each lab, as the release's rubric gives them.
    points = {}
    for rubric_path in sorted((release / "grader" / "rubric").glob("*.json")):
        rubric = json.loads(rubric_path.read_text(encoding="utf-8"))
        points[rubric["lab"]] = sum(float(t.get("points", 1)) for t in rubric["tests"] if t.get("binary", "public") == "public")
    labs = sorted(p.name for p in (release / "labs").glob("[0-9][0-9]-*") if (p / "src").is_dir())
    if not labs:
        problem("the release has no labs/NN-topic/src")

    if not isinstance(workflow, dict):
        print(f"check-classroom: {path}: not a YAML mapping", file=sys.stderr)
        return 1
    if workflow.get("name") != "Autograding Tests":
        problem(f"name is {workflow.get('name')!r}: GitHub Classroom's reporter needs 'Autograding Tests'")
    # YAML 1.1 reads an unquoted `on` as true: accept either spelling.
    triggers = workflow.get("on", workflow.get(True))
    trigger_names = set(triggers) if isinstance(triggers, (list, dict)) else {triggers}
    if "push" not in trigger_names:
        problem(f"'on' is {triggers!r}: it must include push")
    jobs = workflow.get("jobs")
    if not isinstance(jobs, dict) or list(jobs) != ["run-autograding-tests"]:
        problem(f"jobs are {list(jobs) if isinstance(jobs, dict) else jobs!r}: exactly one, 'run-autograding-tests', "
                "which is the job GitHub Classroom reads")
        return report(problems)
    job = jobs["run-autograding-tests"]
    if not str(job.get("runs-on", "")).startswith("ubuntu"):
        problem(f"runs-on is {job.get('runs-on')!r}: ./ipclab needs an Ubuntu runner (Debian packages, sudo)")
    steps = job.get("steps")
    if not isinstance(steps, list) or not steps:
        problem("the job has no steps")
        return report(problems)
    for number, step in enumerate(steps, 1):
        if not isinstance(step, dict) or not ({"uses", "run"} & set(step)):
            problem(f"step {number} is neither `uses` nor `run`: {step!r}")
    if not str(steps[0].get("uses", "")).startswith("actions/checkout@"):
        problem("the first step must check out the code (actions/checkout)")

    graders = [s for s in steps if isinstance(s, dict) and s.get("uses") == COMMAND_GRADER]
    reporters = [s for s in steps if isinstance(s, dict) and s.get("uses") == REPORTER]
    if len(reporters) != 1 or steps[-1] is not (reporters[0] if reporters else None):
        problem(f"the last step, and only it, must be the reporter ({REPORTER})")
    covered: dict[str, str] = {}
    ids = []
    for step in graders:
        step_id = step.get("id")
        where = f"grader step {step.get('name', step_id)!r}"
        if not isinstance(step_id, str) or not re.fullmatch(r"[A-Za-z0-9]+", step_id):
            # the reporter splits its runners on commas and reads ID_RESULTS
            problem(f"{where}: id {step_id!r} must be letters and digits only")
            continue
        ids.append(step_id)
        inputs = step.get("with") or {}
        if set(inputs) - GRADER_INPUTS:
            problem(f"{where}: unknown inputs {sorted(set(inputs) - GRADER_INPUTS)} (the action has {sorted(GRADER_INPUTS)})")
        if REQUIRED_INPUTS - set(inputs):
            problem(f"{where}: missing inputs {sorted(REQUIRED_INPUTS - set(inputs))}")
            continue
        timeout = inputs["timeout"]
        if not isinstance(timeout, int) or not 1 <= timeout <= 360:
            problem(f"{where}: timeout {timeout!r} must be whole minutes between 1 and 360")
        score = inputs["max-score"]
        if not isinstance(score, int) or score < 0:
            problem(f"{where}: max-score {score!r} must be a whole number (the action reads it with parseInt)")
        lab = check_command(release, str(inputs["command"]), where, problem, args.grader)
        if lab is None:
            continue
        if lab in covered:
            problem(f"{where}: lab {lab} is graded twice (also by {covered[lab]})")
        covered[lab] = step_id
        if lab in points and isinstance(score, int) and score != int(points[lab]):
            problem(f"{where}: max-score {score}, but the rubric gives lab {lab} {points[lab]:g} public points")
        if inputs["test-name"] != lab:
            problem(f"{where}: test-name {inputs['test-name']!r}; expected the lab, {lab!r}")
    for lab in labs:
        if lab not in covered:
            problem(f"lab {lab} has no grader step")

    if reporters:
        reporter = reporters[0]
        env = reporter.get("env") or {}
        expected_env = {f"{i.upper()}_RESULTS": f"${{{{ steps.{i}.outputs.result }}}}" for i in ids}
        if env != expected_env:
            missing = sorted(set(expected_env) - set(env))
            extra = sorted(set(env) - set(expected_env))
            wrong = sorted(k for k in set(env) & set(expected_env) if env[k] != expected_env[k])
            problem(f"reporter env: missing {missing}, unexpected {extra}, wrong values {wrong}")
        runners = str((reporter.get("with") or {}).get("runners", ""))
        if runners.split(",") != ids:
            problem(f"reporter runners {runners!r}; expected {','.join(ids)!r}")
    return report(problems, len(graders))


def check_command(release: Path, command: str, where: str, problem, grader: str | None) -> str | None:
    """Checks one grader command against the release; returns the lab it grades."""
    words = shlex.split(command)
    if len(words) < 2 or words[0] != "./ipclab":
        problem(f"{where}: {command!r} must run ./ipclab")
        return None
    entry = release / "ipclab"
    if not entry.is_file() or not entry.stat().st_mode & 0o111:
        problem(f"{where}: the release has no executable ./ipclab")
        return None
    # The subcommand is one the release's ./ipclab has (its case labels) and
    # that its help names: a developer command would not work there.
    text = entry.read_text(encoding="utf-8")
    subcommand = words[1]
    if not re.search(rf"^\s*(\S+ \| )*{re.escape(subcommand)}( \| \S+)*\)", text, re.M):
        problem(f"{where}: ./ipclab has no command {subcommand!r}")
        return None
    if subcommand != "grade":
        problem(f"{where}: {command!r} must run ./ipclab grade")
        return None
    if "--labs" not in words or words.index("--labs") + 1 >= len(words):
        problem(f"{where}: {command!r} must grade one lab (--labs NN)")
        return None
    number = words[words.index("--labs") + 1]
    found = sorted(p.name for p in (release / "labs").glob(f"{number}-*") if (p / "src").is_dir())
    if len(found) != 1:
        problem(f"{where}: --labs {number} names no lab of the release")
        return None
    if "--fail-under" not in words:
        problem(f"{where}: without --fail-under the command succeeds whatever the score, and every lab gets full marks")
    if grader:
        # Each flag is one the grader knows (its --help lists it).
        listing = subprocess.run([grader, "grade", "--help"], capture_output=True, text=True).stdout
        for word in words[2:]:
            if word.startswith("--") and not re.search(rf"(^|[\s,]){re.escape(word)}\b", listing):
                problem(f"{where}: the grader has no flag {word}")
    return found[0]


def report(problems: list[str], graders: int = 0) -> int:
    if problems:
        print("check-classroom: the workflow is not valid:", file=sys.stderr)
        for text in problems:
            print(f"  {text}", file=sys.stderr)
        return 1
    print(f"check-classroom: .github/workflows/classroom.yml is valid: {graders} labs, each command exists in the release")
    return 0


if __name__ == "__main__":
    sys.exit(main())
