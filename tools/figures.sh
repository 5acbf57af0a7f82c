#!/usr/bin/env bash
# Renders the course's figures to SVG: docs/figures/NAME.dot with graphviz and
# docs/figures/NAME.msc (message sequence charts) with mscgen, each to
# OUTDIR/NAME.svg. tools/docs.sh (the site) and tools/slides.sh (the slides)
# both call it, so that handouts and slides show the same pictures. Stops,
# naming the figure, when one does not render, and when a handout or a slide
# shows a figure that has no source. How to add one: docs/figures/README.md.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: tools/figures.sh OUTDIR   (renders docs/figures/* to OUTDIR/*.svg)" >&2; exit 2; }
out=$(realpath -m "$1")
cd "$(dirname "$0")/.."

for tool in dot:graphviz mscgen:mscgen; do
  if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
    echo "figures: ${tool%%:*} is not installed; the figures need it (sudo apt-get install ${tool#*:})" >&2
    exit 1
  fi
done

# Every figure a handout (![caption](NAME.svg)) or a slide (figures/NAME.svg)
# shows must have a source here: a typo would otherwise be a broken image.
shopt -s nullglob
missing=0
while IFS=: read -r file name; do
  if [ ! -f "docs/figures/$name.dot" ] && [ ! -f "docs/figures/$name.msc" ]; then
    echo "figures: $file shows $name.svg, but there is no docs/figures/$name.dot or .msc" >&2
    missing=1
  fi
done < <(grep -oE '(\]\(|figures/)[a-z0-9-]+\.svg' docs/*.md docs/labs/*.md slides/*.md 2>/dev/null |
         sed -E 's#:(\]\(|figures/)#:#; s#\.svg$##' | sort -u)
[ $missing -eq 0 ] || exit 1

# mscgen's SVG assumes a text height that is too small: each arc's label sits on
# its arc, descenders on the line. Lift every text by 3 px, and give the chart
# a white background like graphviz's (a dark page would hide its black text).
fix_msc_svg() {
  perl -0pi -e '
    s/(<svg\b[^>]*>)/$1\n<rect width="100%" height="100%" fill="white"\/>/ or die "no <svg> tag\n";
    s/(<text x="[^"]*" y=")(-?\d+)/$1 . ($2 - 3)/ge or die "no <text> element\n";
  ' "$1"
}

mkdir -p "$out"
log=$(mktemp)
trap 'rm -f "$log" "$out"/.*.svg.new' EXIT
count=0
for src in docs/figures/*.dot docs/figures/*.msc; do
  name=$(basename "${src%.*}")
  new="$out/.$name.svg.new"
  if [ -f "docs/figures/$name.dot" ] && [ -f "docs/figures/$name.msc" ]; then
    echo "figures: docs/figures/$name.dot and $name.msc would both be $name.svg; rename one" >&2
    exit 1
  fi
  # Warnings count as failures: graphviz renders a label it cannot parse as
  # something, and only says so on stderr.
  ok=1
  case $src in
    *.dot) dot -Tsvg -o "$new" "$src" >"$log" 2>&1 || ok=0 ;;
    *.msc) { mscgen -T svg -o "$new" "$src" && fix_msc_svg "$new"; } >"$log" 2>&1 || ok=0 ;;
  esac
  if [ $ok -eq 0 ] || [ -s "$log" ] || ! grep -q '</svg>' "$new" 2>/dev/null; then
    echo "figures: $src did not render cleanly:" >&2
    sed 's/^/  /' "$log" >&2
    exit 1
  fi
  mv "$new" "$out/$name.svg"
  count=$((count + 1))
done
echo "figures: $count SVG file(s) in ${out#"$PWD"/}"
