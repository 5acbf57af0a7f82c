#!/usr/bin/env python3
"""The leak check of the student release: no solution region, no hidden test, no answer.

    tools/leakcheck.py TREE              search TREE (a written release); exit 1 on a hit
    tools/leakcheck.py --fingerprints    list the fingerprints, for tuning and for the tests

It fingerprints what students must never get, from this course tree:
  - every solution region (the lines between "// BEGIN SOLUTION" and
    "// END SOLUTION" in solutions/**),
  - every file of grader/hidden/** (hidden tests and their support code),
  - the name of every hidden test and negative control in grader/rubric/ (a
    control that students can name is one they can tell apart from a real test),
  - every file of docs/answers/ (the written answers to the handouts' exercises),
and searches every text file of TREE for them. A file of TREE under docs/answers/
is a leak by its path alone, whatever it holds.

A fingerprint is a window of consecutive *significant* lines, normalised: white
space collapsed, a trailing // comment dropped, and lines that say nothing of a
solution skipped (blank, only braces and punctuation, comments, #include, and
lines too short or too common to be evidence). Three lines in a row, because one
line of a solution (`check(::close(fd), "close");`) can honestly appear in a
handout or a header, while three in a row do not happen by chance. A region
with fewer significant lines is one window of all of them, if it is long enough
to be evidence (MIN_SHORT_WINDOW characters).

Used by tools/release.py (which refuses the release on any hit) and by the
release test in tools/course-test.sh, which plants a window in a handout.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

WINDOW = 3
# A significant line has at least this many characters of code after
# normalisation: shorter ones ("++count;", "return n;", "} else {") are in
# every C++ file.
MIN_LINE = 12
# A region of one or two significant lines is a fingerprint only when it is at
# least this long together: `close(fd);` is everyone's, a whole mq_open call is not.
MIN_SHORT_WINDOW = 40
# Lines that are long enough but say nothing about a solution.
COMMON = {
    "return false;",
    "return result;",
    "return nullptr;",
    "return *this;",
    "return std::nullopt;",
    "using namespace std::chrono_literals;",
    "namespace ipclab {",
    "} // namespace",
    "} // namespace ipclab",
}
# The instructor-only answers to the exercises of the handouts.
ANSWERS = "docs/answers/"
BEGIN = re.compile(r"^\s*// BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*// END SOLUTION\s*$")
PUNCTUATION_ONLY = re.compile(r"^[\s{}()\[\];,]*$")


def code_of(line: str) -> str:
    """The line as evidence: white space collapsed, its trailing // comment
    dropped (a copier may reword a comment; the code is what leaks)."""
    text = " ".join(line.split())
    # A // inside a string literal ("http://...") is not a comment: cut only
    # at a // that follows an even number of double quotes.
    at = 0
    while True:
        at = text.find("//", at)
        if at == -1:
            break
        if text.count('"', 0, at) % 2 == 0:
            text = text[:at].rstrip()
            break
        at += 2
    return text


def significant(code: str) -> bool:
    if len(code) < MIN_LINE or code in COMMON or PUNCTUATION_ONLY.match(code):
        return False
    # comments (whole lines: the trailing ones are already cut), includes,
    # include guards and pragmas
    return not code.startswith(("/*", "*", "#include", "#pragma", "#if", "#endif", "#else", "#define IPCLAB_"))


def digest(codes: list[str]) -> str:
    return hashlib.sha256("\n".join(codes).encode()).hexdigest()


@dataclass(frozen=True)
class Origin:
    """Where a fingerprint comes from, for the message: a file and its lines."""

    path: str
    first: int
    last: int
    kind: str  # "solution region", "hidden test" or "answers"

    def __str__(self) -> str:
        lines = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.path}:{lines} ({self.kind})"


class Fingerprints:
    def __init__(self) -> None:
        self.windows: dict[str, Origin] = {}  # digest -> where it comes from
        self.sizes: set[int] = set()  # the window sizes in use
        self.names: dict[str, str] = {}  # a hidden test's name -> its rubric
        self.texts: dict[str, list[str]] = {}  # digest -> the normalised lines (for --fingerprints)

    def add_block(self, lines: list[tuple[int, str]], path: str, kind: str, whole: bool) -> None:
        """Fingerprints the significant lines of one block (a region or a
        file). `whole`: a block shorter than a window is one window (regions);
        a file shorter than a window is too small to matter."""
        sig = [(number, code) for number, code in ((n, code_of(text)) for n, text in lines) if significant(code)]
        if len(sig) < WINDOW:
            if whole and sig and sum(len(code) for _, code in sig) >= MIN_SHORT_WINDOW:
                self._add(sig, path, kind)
            return
        for window in windows(sig, WINDOW):
            self._add(window, path, kind)

    def _add(self, window: list[tuple[int, str]], path: str, kind: str) -> None:
        codes = [code for _, code in window]
        key = digest(codes)
        self.windows.setdefault(key, Origin(path, window[0][0], window[-1][0], kind))
        self.texts.setdefault(key, codes)
        self.sizes.add(len(window))


def solution_regions(text: str) -> list[list[tuple[int, str]]]:
    """The regions of a solution file: lists of (line number, line)."""
    regions, current = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if BEGIN.match(line):
            current = []
        elif END.match(line):
            if current is not None:
                regions.append(current)
            current = None
        elif current is not None:
            current.append((number, line))
    if current:  # never closed: tools/skeletons.sh refuses it; here it is all secret
        regions.append(current)
    return regions


def collect(course: Path) -> Fingerprints:
    """Every fingerprint of the course tree at `course`."""
    prints = Fingerprints()
    for rel, text in text_files(course, "solutions"):
        for region in solution_regions(text):
            prints.add_block(region, rel, "solution region", whole=True)
    for folder, kind in (("grader/hidden", "hidden test"), (ANSWERS, "answers")):
        for rel, text in text_files(course, folder):
            prints.add_block(list(enumerate(text.splitlines(), 1)), rel, kind, whole=False)
    public_names = set()
    hidden_names: dict[str, str] = {}
    for path in sorted((course / "grader" / "rubric").glob("*.json")):
        rubric = json.loads(path.read_text(encoding="utf-8"))
        rel = path.relative_to(course).as_posix()
        for test in rubric.get("tests", []):
            if test.get("binary", "public") == "public":
                public_names.add(test["name"].split(".", 1)[-1])
            else:
                hidden_names[test["name"].split(".", 1)[-1]] = rel
        for name in rubric.get("controls", []):
            hidden_names[name.split(".", 1)[-1]] = rel
    # A hidden test that shares its name with a public one (another suite)
    # gives nothing away by its name.
    prints.names = {name: rel for name, rel in hidden_names.items() if name not in public_names}
    # Code that is also in the course's public-by-design files is no secret:
    # a public test may hold the very line that answers a behaviour, and the
    # hidden tests use the same support code and idioms. The skeletons are not
    # among them: they are derived from the solutions, which is how a leak
    # would get in.
    for path in public_by_design(course):
        text = read_text(path)
        if text is not None:
            for size in prints.sizes:
                for window in windows(significant_lines(text), size):
                    key = digest([code for _, code in window])
                    prints.windows.pop(key, None)
                    prints.texts.pop(key, None)
    return prints


def text_files(course: Path, folder: str):
    """(path relative to the course, text) of every text file under `folder`."""
    for path in sorted((course / folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            text = read_text(path)
            if text is not None:
                yield path.relative_to(course).as_posix(), text


def public_by_design(course: Path) -> list[Path]:
    """The files students get as they are, written to be public: everything
    under labs/ (headers, public tests, apps, labs/common) but the skeletons
    in labs/NN-topic/src/."""
    skeleton = re.compile(r"^labs/[0-9][0-9]-[^/]+/src/")
    found = []
    for path in sorted((course / "labs").rglob("*")):
        rel = path.relative_to(course).as_posix()
        if path.is_file() and not path.is_symlink() and not skeleton.match(rel):
            found.append(path)
    return found


def significant_lines(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each significant line of `text`."""
    lines = ((number, code_of(line)) for number, line in enumerate(text.splitlines(), 1))
    return [(number, code) for number, code in lines if significant(code)]


def windows(sig: list[tuple[int, str]], size: int):
    for i in range(len(sig) - size + 1):
        yield sig[i : i + size]


def read_text(path: Path) -> str | None:
    """The file's text, or None for a binary file (a NUL byte, or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass
class Hit:
    path: str
    first: int
    last: int
    origin: str

    def __str__(self) -> str:
        lines = f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.path}:{lines}: holds {self.origin}"


def search_text(prints: Fingerprints, text: str, rel: str) -> list[Hit]:
    hits: list[Hit] = []
    sig = significant_lines(text)
    for size in sorted(prints.sizes):
        for window in windows(sig, size):
            origin = prints.windows.get(digest([code for _, code in window]))
            if origin is not None:
                hits.append(Hit(rel, window[0][0], window[-1][0], f"lines of {origin}"))
    for number, line in enumerate(text.splitlines(), 1):
        for name, rubric in prints.names.items():
            if name in line:
                hits.append(Hit(rel, number, number, f"the name of a hidden test, {name} ({rubric})"))
    return hits


def search_tree(prints: Fingerprints, tree: Path) -> tuple[list[Hit], int]:
    """Every hit in the text files under `tree` (a .git folder is skipped: it
    holds the same files, compressed), and the number of files searched."""
    hits: list[Hit] = []
    searched = 0
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            rel = path.relative_to(tree).as_posix()
            if rel.startswith(ANSWERS):
                # Instructor-only by where it is, even if its text changed since.
                hits.append(Hit(rel, 1, 1, f"an instructor-only answers file ({ANSWERS} is never released)"))
            text = read_text(path)
            if text is None:
                continue
            searched += 1
            hits.extend(search_text(prints, text, rel))
    return hits, searched


@dataclass(frozen=True)
class Allowance:
    """An overlap the course has on purpose (tools/leakcheck-allow.txt): a
    release file may hold lines of one source, for a stated reason."""

    release_path: str
    source_path: str
    why: str
    where: str  # "tools/leakcheck-allow.txt:12", for messages


def load_allowances(path: Path, course: Path) -> list[Allowance]:
    """Each line: RELEASE_PATH SOURCE_PATH # why. The reason is required: an
    overlap nobody can explain is a leak."""
    allowances = []
    if not path.is_file():
        return allowances
    rel = path.relative_to(course).as_posix() if path.is_relative_to(course) else str(path)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code, _, why = line.partition("#")
        fields = code.split()
        if not fields:
            continue
        if len(fields) != 2 or not why.strip():
            raise ValueError(f"{rel}:{number}: expected `RELEASE_PATH SOURCE_PATH  # why`")
        allowances.append(Allowance(fields[0], fields[1], why.strip(), f"{rel}:{number}"))
    return allowances


def split_allowed(hits: list[Hit], allowances: list[Allowance]) -> tuple[list[Hit], list[tuple[Hit, Allowance]], list[Allowance]]:
    """The hits that are leaks, the allowed ones (with their reason), and the
    allowances no hit used (stale: they would hide a future leak)."""
    leaks, allowed, used = [], [], set()
    for hit in hits:
        match = next((a for a in allowances if a.release_path == hit.path and hit.origin.startswith(f"lines of {a.source_path}:")), None)
        if match is None:
            leaks.append(hit)
        else:
            allowed.append((hit, match))
            used.add(match)
    return leaks, allowed, [a for a in allowances if a not in used]


def report(hits: list[Hit], out=sys.stderr, limit: int = 50) -> None:
    # Overlapping windows of one copied block would repeat the same news:
    # merge the hits that follow each other in one file.
    merged: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.path, h.first, h.last)):
        last = merged[-1] if merged else None
        if last and last.path == hit.path and hit.first <= last.last + 1 and hit.origin.split(":")[0] == last.origin.split(":")[0]:
            last.last = max(last.last, hit.last)
        else:
            merged.append(Hit(hit.path, hit.first, hit.last, hit.origin))
    for hit in merged[:limit]:
        print(f"  {hit}", file=out)
    if len(merged) > limit:
        print(f"  ... and {len(merged) - limit} more", file=out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", help="the folder to search (a written release)")
    parser.add_argument("--course", default=str(Path(__file__).resolve().parent.parent), help="the course tree (default: this one)")
    parser.add_argument("--allow", help="overlaps allowed on purpose (default: tools/leakcheck-allow.txt of the course)")
    parser.add_argument("--fingerprints", action="store_true", help="list the fingerprints as JSON lines: origin and normalised lines")
    args = parser.parse_args()
    course = Path(args.course)
    if not (course / "solutions").is_dir():
        print(f"leakcheck: {course} has no solutions/ folder: nothing to fingerprint (a student copy?)", file=sys.stderr)
        return 2
    prints = collect(course)
    if args.fingerprints:
        for key, origin in prints.windows.items():
            print(json.dumps({"origin": str(origin), "kind": origin.kind, "lines": prints.texts[key]}))
        return 0
    if not args.tree:
        parser.error("give the folder to search, or --fingerprints")
    return check(course, Path(args.tree), Path(args.allow) if args.allow else course / "tools" / "leakcheck-allow.txt")


def check(course: Path, tree: Path, allow: Path, label: str | None = None) -> int:
    """Searches `tree` and says what it found: 0 no leak, 1 a leak (named on
    stderr), 2 a broken allowance file. `label` names the tree in messages."""
    prints = collect(course)
    try:
        allowances = load_allowances(allow, course)
    except ValueError as error:
        print(f"leakcheck: {error}", file=sys.stderr)
        return 2
    hits, searched = search_tree(prints, tree)
    leaks, allowed, stale = split_allowed(hits, allowances)
    for allowance in stale:
        # Not fatal, but loud: an allowance that matches nothing would quietly
        # let a later leak through.
        print(f"leakcheck: warning: {allowance.where} allows {allowance.release_path} to hold lines of "
              f"{allowance.source_path}, and it holds none: remove the line", file=sys.stderr)
    if allowed:
        print("leakcheck: overlaps allowed on purpose (the release still has them):")
        for allowance in dict.fromkeys(a for _, a in allowed):
            print(f"  {allowance.release_path} holds lines of {allowance.source_path}: {allowance.why} ({allowance.where})")
    if leaks:
        print(f"leakcheck: LEAK: {label or tree} holds solution code, hidden tests or answers:", file=sys.stderr)
        report(leaks)
        return 1
    print(f"leakcheck: {searched} text files searched for {len(prints.windows)} fingerprints and "
          f"{len(prints.names)} hidden test names: no leak")
    return 0


if __name__ == "__main__":
    sys.exit(main())
