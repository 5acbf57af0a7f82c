#!/usr/bin/env python3
"""The parts of the documentation site that follow from the course tree (tools/docs.sh).

    tools/docs_site.py config WORK   print the Doxyfile lines that depend on the tree,
                                     and write the generated pages into WORK/pages
    tools/docs_site.py finish HTML   after Doxygen: put the slides into the site and
                                     take out code links that point into another lab

A lab is found by its handout, docs/labs/NN-topic.md, and its API by its headers,
labs/NN-topic/include/ipclab/*.hpp: a new lab joins the site's tree, the API
reference, the include paths and the checks of tools/docs_check.py by existing.
"""
from __future__ import annotations

import html
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The pages of the site, in the order of its tree (Doxygen keeps the order of
# INPUT). Students read from the top: the course guide, the labs in order, the
# FAQ, the API reference; the pages for instructors come last, under one page
# of their own. The student release has no instructor guide: a page that is
# missing is left out.
STUDENT_PAGES = ["docs/course-guide.md", "@labs", "docs/faq.md"]
INSTRUCTOR_PAGES = ["docs/instructor-guide.md", "docs/architecture.md", "docs/figures/README.md"]
MAIN_PAGE = "docs/index.md"
# Instructor-only answers to the handouts' questions: never on the site.
NOT_ON_SITE = ["docs/answers/"]


@dataclass
class Lab:
    folder: str                       # "01-fifo"
    handout: Path | None = None       # docs/labs/01-fifo.md, when it is written
    headers: list[Path] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.folder[:2]

    @property
    def page(self) -> str:            # the handout's page name, "lab01"
        return page_name(self.handout) if self.handout else ""

    @property
    def namespaces(self) -> list[str]:
        names = []
        for header in self.headers:
            names += re.findall(r"^namespace\s+(ipclab::\w+)\s*\{", header.read_text(encoding="utf-8"), re.M)
        return sorted(set(names))

    @property
    def slides(self) -> str:          # where the handout links to its slides, from the site's root
        return f"slides/{self.folder}.html"


def labs() -> list[Lab]:
    """Every lab that has a handout or a header, in order of its number."""
    found: dict[str, Lab] = {}
    for handout in sorted((ROOT / "docs/labs").glob("[0-9][0-9]-*.md")):
        found[handout.stem] = Lab(handout.stem, handout=handout)
    for folder in sorted((ROOT / "labs").glob("[0-9][0-9]-*")):
        headers = sorted((folder / "include/ipclab").glob("*.hpp"))
        if headers:
            found.setdefault(folder.name, Lab(folder.name)).headers = headers
    return [found[name] for name in sorted(found)]


def page_name(md: Path) -> str:
    """The page name of a Markdown page: the {#name} of its title."""
    first = md.read_text(encoding="utf-8").splitlines()[0]
    match = re.search(r"\{#(\w+)\}\s*$", first)
    if not match:
        raise SystemExit(f"docs: {md.relative_to(ROOT)}: the title (first line) needs a page name, "
                         "as in '# Lab 05 — mq_notify {#lab05}'")
    return match.group(1)


def lab_title(lab: Lab) -> str:
    """The handout's title without its page name: "Lab 01 — FIFOs"."""
    first = lab.handout.read_text(encoding="utf-8").splitlines()[0]
    return re.sub(r"\s*\{#\w+\}\s*$", "", first.lstrip("# "))


def header_brief(header: Path) -> str:
    match = re.search(r"^/// \\brief (.*)$", header.read_text(encoding="utf-8"), re.M)
    return match.group(1).replace("|", "\\|") if match else ""


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# ---------------------------------------------------------------- config


def student_pages(all_labs: list[Lab]) -> list[str]:
    pages = []
    for page in STUDENT_PAGES:
        pages += [rel(lab.handout) for lab in all_labs if lab.handout] if page == "@labs" else [page]
    return pages


def reference_page(all_labs: list[Lab]) -> str:
    rows = []
    for lab in all_labs:
        if not lab.headers:
            continue
        api = ", ".join(f"namespace \\ref {ns}" for ns in lab.namespaces)
        files = ", ".join(f"\\ref {h.name}" for h in lab.headers)
        handout = f"\\ref {lab.page}" if lab.handout else "(handout not written yet)"
        rows.append(f"| {lab.number} | {handout} | {api} in {files} |")
    common = [f"| \\ref {h.name} | {header_brief(h)} |"
              for h in sorted((ROOT / "labs/common/include/ipclab").glob("*.hpp"))]
    return "\n".join([
        "# API reference {#api_reference}",
        "",
        "Each lab's API is one header, `labs/NN-topic/include/ipclab/`, and one namespace.",
        "The comment on each declaration says what it must do, which system calls it",
        "maps to (linked to their manual pages) and which errors it reports. The handout",
        "explains why the API looks the way it does.",
        "",
        "| lab | handout | API |",
        "|---|---|---|",
        *rows,
        "",
        "## What every lab uses",
        "",
        "The helpers in namespace `ipclab`, in `labs/common/include/ipclab/`:",
        "",
        "| header | what it is for |",
        "|---|---|",
        *common,
        "",
        "Every namespace, class and file: the [namespace list](namespaces.html), the",
        "[class list](annotated.html) and the [file list](files.html).",
        "",
    ])


def instructors_page(pages: list[str]) -> str:
    return "\n".join([
        "# For instructors {#for_instructors}",
        "",
        "For the people who give the course, grade it, or work on it.",
        "",
        *[f"- \\subpage {page_name(ROOT / page)}" for page in pages],
        "",
    ])


def unlisted_pages(listed: set[str]) -> list[str]:
    """docs/**/*.md that are in no list above: each must be put in one on purpose."""
    found = []
    for md in sorted((ROOT / "docs").rglob("*.md")):
        name = rel(md)
        if name not in listed and not any(name.startswith(prefix) for prefix in NOT_ON_SITE):
            found.append(name)
    return found


def config(work: Path) -> None:
    all_labs = labs()
    students = student_pages(all_labs)
    instructors = [p for p in INSTRUCTOR_PAGES if (ROOT / p).is_file()]
    unlisted = unlisted_pages({MAIN_PAGE, *students, *INSTRUCTOR_PAGES})
    if unlisted:
        raise SystemExit("docs: not on the site: " + ", ".join(unlisted) + ". Add each to STUDENT_PAGES or "
                         "INSTRUCTOR_PAGES (or NOT_ON_SITE) in tools/docs_site.py.")
    (work / "pages").mkdir(parents=True, exist_ok=True)
    generated = [work / "pages/api-reference.md"]
    generated[0].write_text(reference_page(all_labs), encoding="utf-8")
    if instructors:
        generated.append(work / "pages/for-instructors.md")
        generated[1].write_text(instructors_page(instructors), encoding="utf-8")
    includes = ["labs/common/include"] + [rel(lab.headers[0].parent.parent) for lab in all_labs if lab.headers]
    print("INPUT = " + " ".join([MAIN_PAGE, *students, *map(str, generated), *instructors, *includes]))
    # Class pages show "#include <ipclab/fifo.hpp>", not the build machine's path.
    print("STRIP_FROM_INC_PATH = " + " ".join(includes))


# ---------------------------------------------------------------- finish


def place_slides(site: Path) -> None:
    """Every handout links to slides/NN-topic.html: the rendered deck when
    ./ipclab slides has made one (build/slides), otherwise a page that says how
    to render it and shows the deck's Markdown source."""
    target = site / "slides"
    target.mkdir()
    rendered = ROOT / "build/slides"
    if rendered.is_dir():
        shutil.copytree(rendered, target, dirs_exist_ok=True)
    handouts = {lab.folder: lab for lab in labs() if lab.handout}
    for deck in sorted((ROOT / "slides").glob("*.md")):
        page = target / f"{deck.stem}.html"
        if page.exists():
            continue
        lab = handouts.get(deck.stem)
        title = html.escape(f"Slides: {lab_title(lab)}" if lab else f"Slides {deck.stem}")
        back = f'<a href="../{lab.page}.html">the handout</a>' if lab else '<a href="../index.html">the course</a>'
        page.write_text(
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head><body>\n'
            f"<h1>{title}</h1>\n"
            "<p>These slides were not rendered when the site was built: run <code>./ipclab slides</code>, then "
            f"<code>./ipclab docs</code>. Until then, here is their Markdown source. Back to {back}.</p>\n"
            f"<pre>{html.escape(deck.read_text(encoding='utf-8'))}</pre>\n</body></html>\n",
            encoding="utf-8")


def unlink_foreign_code(site: Path) -> None:
    """Doxygen links a name in a code block to any documented function of that
    name, in whichever namespace: "::unlink" in Lab 01's example became a link to
    Lab 03's ipclab::mq::unlink. In a handout, a code link may point only into
    its own lab (or to the common helpers); other links are taken out, and so is
    the tooltip that went with them."""
    owner: dict[str, str] = {}        # "mq" -> "lab03"
    for lab in labs():
        for ns in lab.namespaces:
            owner[ns.split("::", 1)[1]] = lab.page
    link = re.compile(r'<a class="code[^"]*" href="(?P<href>(?:namespace|class|struct)ipclab_1_1(?P<ns>[a-z0-9_]+?)'
                      r'(?:_1_1[^"]*)?\.html(?:#[^"]*)?)">(?P<text>.*?)</a>')
    for lab in labs():
        page = site / f"{lab.page}.html"
        if not lab.handout or not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        foreign = [m for m in link.finditer(text) if owner.get(m["ns"].replace("__", "_"), lab.page) != lab.page]
        for m in reversed(foreign):
            text = text[: m.start()] + m["text"] + text[m.end():]
        for href in {m["href"] for m in foreign}:
            if not re.search(rf'class="code[^"]*" href="{re.escape(href)}"', text):
                tip = "a" + re.sub(r"[.#]", "_", href)   # Doxygen's id for the tooltip of this target
                text = re.sub(rf'<div class="ttc" id="{re.escape(tip)}">.*?</div></div>\n', "", text, flags=re.S)
        page.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("config", "finish"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    if argv[1] == "config":
        config(Path(argv[2]))
    else:
        place_slides(Path(argv[2]))
        unlink_foreign_code(Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
