#!/usr/bin/env python3
"""Checks a built documentation site (tools/docs.sh runs it before it replaces the old site).

    tools/docs_check.py HTML     exit 1, naming page and link, on any problem

- Every href and src of the site's pages (and of its SVG figures) that points
  inside the site reaches a file that exists, and the anchor after '#' exists in
  it. Links with a scheme (https:, mailto:, javascript:) are not followed; a
  relative link that leaves the site's folder is broken once the site is copied
  anywhere, so it is an error too.
- No file of the site contains the absolute path of this checkout: a reader
  should see <ipclab/fifo.hpp>, not the path of the machine that built the site.
- Each handout starts with its links (API, slides, manual pages) and ends with
  its previous/next line; each lab's API pages link back to its handout.
"""
from __future__ import annotations

import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.dont_write_bytecode = True  # no __pycache__ in the course tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import docs_site  # noqa: E402  (next to this file)

LINK_ATTRIBUTES = {"href", "src", "xlink:href", "data"}
TEXT_FILES = {".html", ".js", ".css", ".svg", ".md", ".map", ".txt"}


class Page(HTMLParser):
    """The links and anchors of one HTML or SVG file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRIBUTES:
                self.links.append(value)
            elif name == "id" or (name == "name" and tag == "a"):
                self.anchors.add(value)


def parse(path: str, cache: dict[str, Page]) -> Page:
    if path not in cache:
        page = Page()
        with open(path, encoding="utf-8", errors="replace") as file:
            page.feed(file.read())
        cache[path] = page
    return cache[path]


def broken_links(site: Path) -> list[str]:
    problems = []
    cache: dict[str, Page] = {}
    root = str(site)
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".svg"):
            continue
        where, folder = path.relative_to(site), os.path.dirname(path)
        for link in parse(str(path), cache).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # another site: not ours to check
            # The site has no symbolic links: normpath is enough, and much cheaper than resolve().
            target = os.path.normpath(os.path.join(folder, unquote(parts.path))) if parts.path else str(path)
            shown = os.path.relpath(target, root)
            if not target.startswith(root + os.sep):
                problems.append(f"{where}: link '{link}' leaves the site's folder")
            elif not os.path.isfile(target):
                problems.append(f"{where}: link '{link}': no file {shown}")
            elif parts.fragment and target.endswith(".html") and \
                    unquote(parts.fragment) not in parse(target, cache).anchors:
                problems.append(f"{where}: link '{link}': {shown} has no anchor '{parts.fragment}'")
    return problems


def machine_paths(site: Path) -> list[str]:
    """Files of the site that name the checkout's absolute path."""
    roots = {str(docs_site.ROOT), os.environ.get("PWD", "")} - {"", "/"}
    pattern = re.compile("(?<![\\w./-])(?:" + "|".join(re.escape(r) for r in roots) + ")/")
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix in TEXT_FILES and path.is_file():
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                match = pattern.search(line)
                if match:
                    snippet = line[max(0, match.start() - 20): match.end() + 40].strip()
                    problems.append(f"{path.relative_to(site)}:{number}: names the build machine's path "
                                    f"{match.group(0)[:-1]} (…{snippet}…)")
                    break
    return problems


def handout_links(site: Path) -> list[str]:
    """The links every handout has, so that a new lab cannot forget them."""
    problems = []
    handouts = [lab for lab in docs_site.labs() if lab.handout]
    for i, lab in enumerate(handouts):
        name = docs_site.rel(lab.handout)
        lines = lab.handout.read_text(encoding="utf-8").rstrip("\n").split("\n")
        block = "\n".join(lines[2: lines.index("", 2)] if "" in lines[2:] else lines[2:])
        wanted = [(lab.slides, "its slides")] + [(f"@ref {ns}", f"its API, namespace {ns}") for ns in lab.namespaces]
        for text, what in wanted:
            if text not in block:
                problems.append(f"{name}: the block after the title should link to {what} ({text})")
        if "https://man7.org/" not in block:
            problems.append(f"{name}: the block after the title should link to the manual pages the lab uses "
                            "(https://man7.org/...)")
        previous = "../course-guide.md" if i == 0 else handouts[i - 1].handout.name
        following = handouts[i + 1].handout.name if i + 1 < len(handouts) else "../faq.md"
        for target in (previous, following):
            if f"]({target})" not in lines[-1]:
                problems.append(f"{name}: the last line should be the previous/next line, with a link to {target}")
        for ns in lab.namespaces:
            api = site / ("namespace" + ns.replace("_", "__").replace("::", "_1_1") + ".html")
            if not api.is_file():
                problems.append(f"{api.name}: missing: the namespace {ns} of {name} has no API page")
            elif f'href="{lab.page}.html' not in api.read_text(encoding="utf-8"):
                problems.append(f"{api.name}: the API page of {ns} does not link to its handout; end the "
                                f"namespace's brief with: explained in \\ref {lab.page} \"the handout\".")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print("usage: tools/docs_check.py HTML   (a built site, e.g. build/docs/html)", file=sys.stderr)
        return 2
    site = Path(argv[1]).resolve()
    problems = broken_links(site) + machine_paths(site) + handout_links(site)
    for problem in problems:
        print(f"docs: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
