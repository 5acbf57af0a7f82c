#!/usr/bin/env python3
"""./ipclab release OUT — writes the student repository of the course into OUT.

    ./ipclab release OUT [--force] [--git]

The release is what students clone: the skeletons, headers, public tests and
apps of every lab, labs/common, the build, the docs and slides (sources), the
grader's sources with the public part of the rubric, a README for students and
a GitHub Classroom workflow. It never holds solutions/, grader/hidden/,
grader/mutants/, grader/selftest/, the hidden tests' rubric entries or the
negative controls, the instructor guide, or the answers to the handouts'
exercises (docs/answers/); tools/leakcheck.py searches every file written for
solution regions, hidden tests and answers and refuses the release on any hit.
Details: docs/instructor-guide.md, "Giving the course to a class".

Nothing half-written is left: the tree is written into a temporary folder next
to OUT and renamed to OUT only once it passed the leak check. The same commit
gives the same tree, byte for byte (files in sorted order, fixed modes and
mtimes); --git makes it a git repository with one commit whose author, date and
message are fixed too, so two releases of one commit have the same commit id.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import leakcheck  # noqa: E402  (next to this file)

ROOT = Path(__file__).resolve().parent.parent

# What students get, by path relative to the course: a folder (ending in /)
# takes everything under it. An allowlist, so that a new instructor-only file
# is never published by accident: a file in neither list is reported.
RELEASED = [
    "ipclab", "CMakeLists.txt", "CMakePresets.json", "package.json", "package-lock.json",
    ".clang-format", ".clang-tidy", ".gitignore",
    "cmake/", "labs/", "docs/", "slides/",
    "grader/CMakeLists.txt", "grader/src/", "grader/tests/", "grader/rubric/",
    # the scripts behind the student's commands (./ipclab docs, slides, test)
    "tools/deps.sh", "tools/docs.sh", "tools/docs_site.py", "tools/docs_check.py", "tools/slides.sh",
    "tools/figures.sh", "tools/slides-fit.mjs", "tools/course-test.sh", "tools/skeleton-fails-fast.sh",
]
# Inside the folders above, or elsewhere, but for the course's developers and
# instructors only (or replaced by a student version: README.md).
NOT_RELEASED = [
    "README.md",  # the release has its own, written from tools/release/README.md
    "docs/instructor-guide.md", "docs/answers/",  # the answers to the handouts' exercises
    "solutions/", "grader/hidden/", "grader/mutants/", "grader/selftest/", "grader/README.md",
    "docs/answers/",  # answers to the handouts' exercises: instructors only
    ".ci/", "tools/release/", "tools/release.py", "tools/leakcheck.py", "tools/leakcheck-allow.txt",
    "tools/check-classroom.py", "tools/release-test.sh", "tools/skeletons.sh", "tools/leftovers.sh",
    "tools/gradescope.sh", "tools/gradescope/", "tools/gradescope-test.sh", "tools/gradescope-check.py",
]
# The presets of the release: which configure presets stay (the others need
# solutions/ or the hidden tests), what they say now, and whether warnings are
# errors (for the course's own check, not for the student's code under a sanitizer).
RELEASE_PRESETS = {
    "student": (None, False),  # as it is
    "skeleton": ("Untouched skeletons with the public tests, warnings are errors (./ipclab test)", True),
    "asan": ("Your code under AddressSanitizer + UndefinedBehaviorSanitizer, public tests", False),
    "tsan": ("Your code under ThreadSanitizer, public tests", False),
}
# Folders of a course tree that is not a git checkout that are never part of it.
NOT_SOURCES = {".git", "build", "node_modules", "site", "out"}
# The fixed date of a release made outside git (1980-01-01, the zip epoch).
DEFAULT_EPOCH = 315532800


class ReleaseError(Exception):
    """A problem that stops the release; the message says what to do."""


def say(text: str) -> None:
    print(f"release: {text}", flush=True)


def warn(text: str) -> None:
    print(f"release: warning: {text}", file=sys.stderr, flush=True)


def matches(rel: str, patterns: list[str]) -> bool:
    return any(rel.startswith(p) if p.endswith("/") else rel == p for p in patterns)


# ---------------------------------------------------------------------------
# The course's files

def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def in_git_checkout() -> bool:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return False
    try:
        return Path(git("rev-parse", "--show-toplevel").strip()).resolve() == ROOT
    except subprocess.CalledProcessError:
        return False


def course_files() -> tuple[dict[str, bool], str, int]:
    """The course's files (relative path -> executable), a description of the
    source ("commit abc1234" or "a folder outside git") and the epoch for the
    release's dates. In a git checkout, the tracked files as they are in the
    work tree (an uncommitted change is released, with a warning); elsewhere,
    every file but build output."""
    files: dict[str, bool] = {}
    if in_git_checkout():
        for entry in git("ls-files", "-s", "-z").split("\0"):
            if entry:
                meta, rel = entry.split("\t", 1)
                mode = meta.split()[0]
                if mode in ("100644", "100755"):  # links and submodules are not course files
                    files[rel] = mode == "100755"
        commit = git("rev-parse", "HEAD").strip()
        epoch = int(git("log", "-1", "--format=%ct").strip())
        changed = sorted(
            line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines() if line[3:] in files
        )
        source = f"commit {commit[:12]}"
        if changed:
            shown = [c for c in changed if released(c)]
            if shown:
                warn("uncommitted changes are released (commit them for a release you can make again): "
                     + ", ".join(shown[:8]) + (" ..." if len(shown) > 8 else ""))
                source += " with uncommitted changes"
    else:
        for dirpath, dirnames, filenames in os.walk(ROOT):
            top = Path(dirpath) == ROOT
            dirnames[:] = sorted(d for d in dirnames if not (top and d in NOT_SOURCES) and d != ".git")
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path.is_symlink() or not path.is_file() or name.endswith((".swp", "~")):
                    continue
                files[path.relative_to(ROOT).as_posix()] = os.access(path, os.X_OK)
        source = "a course folder outside git"
        epoch = DEFAULT_EPOCH
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", epoch))
    return files, source, epoch


def released(rel: str) -> bool:
    return matches(rel, RELEASED) and not matches(rel, NOT_RELEASED)


# ---------------------------------------------------------------------------
# Files that change on the way

def public_rubric(text: str, where: str) -> tuple[str, float]:
    """The rubric with its public tests only, no controls, marked as a
    student copy (the grader then tells the student that the instructor grades
    more tests). Returns the text and the lab's public points."""
    rubric = json.loads(text)
    if not isinstance(rubric, dict) or not isinstance(rubric.get("tests"), list):
        raise ReleaseError(f"{where}: not a rubric (ipclab-grader check-rubric says more)")
    rubric["tests"] = [t for t in rubric["tests"] if t.get("binary", "public") == "public"]
    rubric.pop("controls", None)
    rubric["student_copy"] = True
    points = sum(float(t.get("points", 1)) for t in rubric["tests"])
    # The grader's own layout (rubric_to_json: sorted keys, two spaces).
    return json.dumps(rubric, indent=2, sort_keys=True, ensure_ascii=False) + "\n", points


def release_presets(text: str) -> str:
    """CMakePresets.json without what needs solutions/ or the hidden tests:
    the presets of RELEASE_PRESETS, made standalone (a preset that inherited
    the reference gets its settings, for the student's code and the public
    tests), and the build and test presets of those."""
    doc = json.loads(text)
    configure = {p["name"]: p for p in doc.get("configurePresets", [])}

    def resolved(name: str) -> dict:
        # CMake's rules: a preset's own fields win over its parents', the
        # first parent over the next; maps (variables, environment) merge.
        preset = dict(configure[name])
        parents = preset.pop("inherits", [])
        for parent in [parents] if isinstance(parents, str) else parents:
            base = resolved(parent)
            for key, value in base.items():
                if key in ("cacheVariables", "environment"):
                    preset[key] = {**value, **preset.get(key, {})}
                elif key not in ("name", "displayName", "description", "hidden"):
                    preset.setdefault(key, value)
        return preset

    kept = []
    for name, (display, werror) in RELEASE_PRESETS.items():
        if name not in configure:
            continue
        preset = resolved(name)
        variables = preset.setdefault("cacheVariables", {})
        variables.pop("IPCLAB_HIDDEN_TESTS", None)  # there are none in the release
        variables["IPCLAB_IMPL"] = "skeleton"  # the student's labs/, the only implementation there is
        if werror:
            variables["IPCLAB_WERROR"] = "ON"
        else:
            variables.pop("IPCLAB_WERROR", None)
        if display:
            preset["displayName"] = display
        # the usual order of a preset's fields, for a reader of the file
        order = ["name", "displayName", "generator", "binaryDir", "cacheVariables"]
        kept.append({key: preset[key] for key in sorted(preset, key=lambda k: (order.index(k) if k in order else len(order), k))})
    left_out = [name for name in configure if name not in RELEASE_PRESETS]
    if left_out:
        say(f"CMakePresets.json: left out the presets {', '.join(left_out)} (not in RELEASE_PRESETS of tools/release.py)")
    names = {p["name"] for p in kept}
    doc["configurePresets"] = kept
    for kind in ("buildPresets", "testPresets"):
        doc[kind] = [p for p in doc.get(kind, []) if p.get("configurePreset") in names]
    return json.dumps(doc, indent=2) + "\n"


LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def without_dead_links(text: str, rel: str, kept: set[str], dropped: set[str]) -> tuple[str, list[str]]:
    """A Markdown file with its links to files that are not released taken out:
    a table row or list item that links to one is dropped (it exists for that
    link, "| an instructor | the instructor guide |"), any other such link
    becomes its plain text. Returns the text and what changed, for the log."""
    changes = []
    out = []
    base = Path(rel).parent
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        dead = []
        for match in LINK.finditer(line):
            target = match.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a web address or an anchor in this page
            path = os.path.normpath((base / target.split("#", 1)[0]).as_posix())
            # a file that is left out, or a folder of which nothing is released
            inside = lambda files: any(f.startswith(path + "/") for f in files)  # noqa: E731
            if path in dropped or (path not in kept and not inside(kept) and inside(dropped)):
                dead.append(match)
        if not dead:
            out.append(line)
            continue
        stripped = line.lstrip()
        if stripped.startswith("|") or re.match(r"^([-*+]|[0-9]+\.)\s", stripped):
            changes.append(f"{rel}:{number}: dropped the line (it links to {dead[0].group(2)})")
            continue
        for match in reversed(dead):
            line = line[: match.start()] + match.group(1) + line[match.end() :]
        changes.append(f"{rel}:{number}: unlinked {', '.join(m.group(2) for m in dead)}")
        out.append(line)
    return "".join(out), changes


def student_readme(labs: list[str], points: dict[str, float], source: str) -> str:
    template = (ROOT / "tools" / "release" / "README.md").read_text(encoding="utf-8")
    rows = []
    for lab in labs:
        handout = f"docs/labs/{lab}.md"
        title = lab
        if (ROOT / handout).is_file():
            first = (ROOT / handout).read_text(encoding="utf-8").splitlines()[0]
            title = re.sub(r"\s*\{#[^}]*\}\s*$", "", first.lstrip("# ")).strip()
        rows.append(f"| {lab[:2]} | [{title}]({handout}) | `labs/{lab}/src/` | {format_points(points.get(lab, 0))} |")
    return template.replace("@LABS@", "\n".join(rows)).replace("@SOURCE@", source)


def format_points(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def classroom_workflow(labs: list[str], points: dict[str, float]) -> str:
    """.github/workflows/classroom.yml: one command-grader step per lab, worth
    the lab's public points when every public test of the lab passes, and the
    reporter that sends the sum to GitHub Classroom. Names follow the reporter's
    rules: the workflow "Autograding Tests", one job "run-autograding-tests",
    the results of step ID in the variable ID_RESULTS (upper case)."""
    template = (ROOT / "tools" / "release" / "classroom.yml").read_text(encoding="utf-8")
    steps, env, ids = [], [], []
    for lab in labs:
        nn = lab[:2]
        step = f"lab{nn}"
        score = points.get(lab, 0)
        if not float(score).is_integer():
            warn(f"{lab}: {score:g} public points; GitHub Classroom takes whole points: max-score {int(score)}")
        steps.append(
            f"      - name: {json.dumps(f'Lab {nn} ({lab}): public tests')}\n"
            f"        id: {step}\n"
            f"        uses: classroom-resources/autograding-command-grader@v1\n"
            f"        with:\n"
            f"          test-name: {json.dumps(lab)}\n"
            f"          command: {json.dumps(f'./ipclab grade --labs {nn} --fail-under 100')}\n"
            f"          timeout: 15\n"
            f"          max-score: {int(score)}\n")
        env.append(f"          {step.upper()}_RESULTS: \"${{{{ steps.{step}.outputs.result }}}}\"\n")
        ids.append(step)
    return (template.replace("@STEPS@\n", "".join(steps))
            .replace("@ENV@\n", "".join(env))
            .replace("@RUNNERS@", ",".join(ids)))


# ---------------------------------------------------------------------------
# Writing

def write_tree(out: Path, files: dict[str, bool], source: str, epoch: int) -> None:
    released_files = {rel: x for rel, x in files.items() if released(rel)}
    generated = {"README.md", ".github/workflows/classroom.yml", "tools/skeletons.sha256"}
    kept = set(released_files) | generated
    dropped = {rel for rel in files if rel not in kept}
    unknown = sorted(rel for rel in files if not matches(rel, RELEASED) and not matches(rel, NOT_RELEASED))
    if unknown:
        warn("not released, and in neither list of tools/release.py (RELEASED, NOT_RELEASED): " + ", ".join(unknown))
    labs = sorted({rel.split("/")[1] for rel in kept if re.match(r"^labs/[0-9][0-9]-[^/]+/src/[^/]+\.cpp$", rel)})
    if not labs:
        raise ReleaseError("no lab has a labs/NN-topic/src/*.cpp: nothing to release")

    contents: dict[str, tuple[bytes, bool]] = {}
    points: dict[str, float] = {}
    changes: list[str] = []
    for rel in sorted(released_files):
        data = (ROOT / rel).read_bytes()
        if re.match(r"^grader/rubric/[^/]+\.json$", rel):
            text, lab_points = public_rubric(data.decode("utf-8"), rel)
            points[Path(rel).stem] = lab_points
            data = text.encode()
        elif rel == "CMakePresets.json":
            data = release_presets(data.decode("utf-8")).encode()
        elif rel.endswith(".md"):
            text, changed = without_dead_links(data.decode("utf-8"), rel, kept, dropped)
            changes += changed
            data = text.encode()
        contents[rel] = (data, released_files[rel])
    for lab in labs:
        if lab not in points:
            raise ReleaseError(f"{lab} has no rubric (grader/rubric/{lab}.json): the release could not grade it")

    contents["README.md"] = (student_readme(labs, points, source).encode(), False)
    contents[".github/workflows/classroom.yml"] = (classroom_workflow(labs, points).encode(), False)
    # What ./ipclab test in the release compares labs/*/src with, to know
    # whether the skeletons are untouched (sha256sum -c reads it).
    sums = []
    for rel in sorted(r for r in contents if re.match(r"^labs/[0-9][0-9]-[^/]+/src/[^/]+\.cpp$", r)):
        sums.append(f"{hashlib.sha256(contents[rel][0]).hexdigest()}  {rel}\n")
    contents["tools/skeletons.sha256"] = ("".join(sums).encode(), False)

    for change in changes:
        say(change)
    # Every doc page that the release keeps must still be reachable: a Doxygen
    # reference to a page that is gone fails ./ipclab docs there.
    anchors = set()
    for rel in dropped:
        if rel.endswith(".md") and (ROOT / rel).is_file():
            anchors |= set(re.findall(r"\{#([A-Za-z0-9_]+)\}", (ROOT / rel).read_text(encoding="utf-8")))
    for rel, (data, _) in contents.items():
        if rel.endswith((".md", ".hpp")) and anchors:
            for anchor in anchors:
                if re.search(rf"[\\@](ref|subpage)\s+{anchor}\b", data.decode("utf-8", "replace")):
                    raise ReleaseError(f"{rel} refers to the page {anchor}, which the release does not have: "
                                       "link it as a file ([text](page.md)), which the release can take out")

    for rel in sorted(contents):
        data, executable = contents[rel]
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o755 if executable else 0o644)
    # Fixed modes and dates for folders and files alike: an archive or a
    # copy of the release then depends on the commit only.
    for dirpath, dirnames, filenames in os.walk(out):
        for name in dirnames:
            (Path(dirpath) / name).chmod(0o755)
        for name in dirnames + filenames:
            os.utime(Path(dirpath) / name, (epoch, epoch), follow_symlinks=False)
    out.chmod(0o755)
    os.utime(out, (epoch, epoch))
    say(f"{len(contents)} files, {len(labs)} labs ({', '.join(labs)}), public points "
        + ", ".join(f"{lab[:2]}: {format_points(points[lab])}" for lab in labs))


def make_git_repository(out: Path, source: str, epoch: int) -> None:
    """One commit of the whole tree, with a fixed author, date and message and
    without the user's configuration (hooks, signing, templates), so that the
    same release gives the same commit id."""
    if shutil.which("git") is None:
        raise ReleaseError("--git needs git (apt-get install git)")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(out),  # no ~/.gitconfig
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "ipclab release",
        "GIT_AUTHOR_EMAIL": "ipclab-release@localhost",
        "GIT_COMMITTER_NAME": "ipclab release",
        "GIT_COMMITTER_EMAIL": "ipclab-release@localhost",
        "GIT_AUTHOR_DATE": f"@{epoch} +0000",
        "GIT_COMMITTER_DATE": f"@{epoch} +0000",
        "LC_ALL": "C",
    }
    run = lambda *args: subprocess.run(["git", *args], cwd=out, env=env, check=True, capture_output=True)  # noqa: E731
    run("init", "-q", "-b", "main", "--template=")
    run("add", "-A")
    run("commit", "-q", "--no-verify", "-m", f"ipclab: the student release of the course ({source})")
    os.utime(out, (epoch, epoch))  # .git was made in it
    say(f"git repository with one commit: {git('rev-parse', 'HEAD', cwd=out).strip()} (branch main)")


def check_out_path(out: Path, force: bool) -> None:
    real_out = Path(os.path.realpath(out))
    if real_out == ROOT or ROOT in real_out.parents or real_out in ROOT.parents:
        raise ReleaseError(f"{out} is inside the course tree (or holds it): write the release elsewhere, "
                           f"e.g. ./ipclab release ../ipclab-student")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ReleaseError(f"{out} exists and is not empty: choose another folder, or add --force to replace it")
    if not out.parent.is_dir():
        raise ReleaseError(f"the folder {out.parent} does not exist")


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="./ipclab release",
        description="Write the student repository of the course into OUT: skeletons, public tests, docs, slides, "
                    "the grader and the public rubric, a student README and a GitHub Classroom workflow. "
                    "A leak check refuses it if it holds any solution region or hidden test.")
    parser.add_argument("out", metavar="OUT", help="the folder to write (new, empty, or replaced with --force)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists and is not empty")
    parser.add_argument("--git", action="store_true", help="make OUT a git repository with one commit, ready to push as a template")
    args = parser.parse_args()

    if not (ROOT / "solutions").is_dir():
        print("release: this is a student copy of the course (no solutions/): make the release from the "
              "instructor's repository", file=sys.stderr)
        return 2
    out = Path(os.path.abspath(args.out))
    work = None
    try:
        check_out_path(out, args.force)
        files, source, epoch = course_files()
        # Next to OUT, so that the last step is a rename on one file system.
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.release-", dir=out.parent))
        tree = work / "tree"
        tree.mkdir()
        write_tree(tree, files, source, epoch)
        status = leakcheck.check(ROOT, tree, ROOT / "tools" / "leakcheck-allow.txt", label=f"the release for {out}")
        if status != 0:
            print(f"release: REFUSED: the release would leak (above); nothing was written to {out}", file=sys.stderr)
            return 1
        if args.git:
            make_git_repository(tree, source, epoch)
        if out.exists():
            if any(out.iterdir()):
                out.rename(work / "old")  # --force; removed with the work folder
            else:
                out.rmdir()
        tree.rename(out)
        say(f"wrote {out} ({source})")
        return 0
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or b"").decode("utf-8", "replace").strip() if isinstance(error.stderr, bytes) else (error.stderr or "")
        print(f"release: {' '.join(map(str, error.cmd))} failed: {detail}", file=sys.stderr)
        return 1
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
