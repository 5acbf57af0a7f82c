#!/usr/bin/env bash
# Builds the documentation site (Doxygen) into build/docs/html; warnings are errors.
# docs/Doxyfile holds the settings; tools/docs_site.py adds what follows from the
# course tree (the pages in reading order, every lab's include folder, generated
# pages), then puts the slides into the site; tools/docs_check.py checks the result
# (links, the build machine's paths, each handout's links) before it replaces the old site.
set -euo pipefail
cd "$(dirname "$0")/.."
work=build/docs/new
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
config=$work/Doxyfile
{
  cat docs/Doxyfile
  python3 tools/docs_site.py config "$work"
  echo "OUTPUT_DIRECTORY = $work"
} > "$config"
theme=/usr/share/doxygen-awesome-css
if [ -f "$theme/doxygen-awesome.css" ]; then
  echo "HTML_EXTRA_STYLESHEET = $theme/doxygen-awesome.css $theme/doxygen-awesome-sidebar-only.css docs/site.css" >> "$config"
else
  echo "docs: doxygen-awesome-css is not installed; using Doxygen's plain theme"
  echo "HTML_EXTRA_STYLESHEET = docs/site.css" >> "$config"
fi
# Figures (docs/figures/README.md): rendered to SVG, and found by Doxygen
# through IMAGE_PATH, which copies each one a handout shows into the site.
tools/figures.sh "$work/figures"
echo "IMAGE_PATH = $work/figures" >> "$config"
if ! doxygen "$config" > build/docs/doxygen.log 2>&1; then
  cat build/docs/doxygen.log >&2
  echo "docs: Doxygen reported problems (above); the site was not updated." >&2
  exit 1
fi
python3 tools/docs_site.py finish "$work/html"
if ! python3 tools/docs_check.py "$work/html"; then
  echo "docs: the site has the problems above; it was not updated." >&2
  exit 1
fi
# Replace the old site only once the new one is complete and checked.
rm -rf build/docs/html && mv "$work/html" build/docs/html
echo "docs: open build/docs/html/index.html"
