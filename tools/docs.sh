#!/usr/bin/env bash
# Builds the documentation site (Doxygen) into build/docs/html; warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."
config=$(mktemp)
trap 'rm -f "$config"' EXIT
cat docs/Doxyfile > "$config"
theme=/usr/share/doxygen-awesome-css
if [ -f "$theme/doxygen-awesome.css" ]; then
  {
    echo "HTML_EXTRA_STYLESHEET = $theme/doxygen-awesome.css $theme/doxygen-awesome-sidebar-only.css"
  } >> "$config"
else
  echo "docs: doxygen-awesome-css is not installed; using Doxygen's plain theme"
fi
mkdir -p build/docs
rm -rf build/docs/html.new
echo "OUTPUT_DIRECTORY = build/docs/new" >> "$config"
rm -rf build/docs/new
if ! doxygen "$config" > build/docs/doxygen.log 2>&1; then
  cat build/docs/doxygen.log >&2
  echo "docs: Doxygen reported problems (above); the site was not updated." >&2
  exit 1
fi
# Replace the old site only once the new one is complete.
rm -rf build/docs/html && mv build/docs/new/html build/docs/html && rm -rf build/docs/new
echo "docs: open build/docs/html/index.html"
