#!/usr/bin/env bash
# Renders slides/*.md to HTML in build/slides with Marp CLI, pinned in
# package.json + package-lock.json (HTML needs no browser; PDFs are made only
# when Debian's chromium is installed), with the figures of docs/figures in
# build/slides/figures. Then checks in headless chromium that every slide fits
# Marp's 1280x720 page (tools/slides-fit.mjs), and fails, naming deck and slide,
# when one does not. Without chromium that check prints a SKIPPED line.
# Exit 0 with a visible SKIPPED line when npm or its registry cannot be reached:
# the slides are optional for a build.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deps.sh
source tools/deps.sh

if ! command -v npm >/dev/null 2>&1; then
  ipclab_try_packages nodejs npm
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "slides: SKIPPED — npm is not installed and could not be installed (apt-get install npm)."
  exit 0
fi
# Install the pinned Marp CLI once, and again whenever the lock file changes.
stamp=node_modules/.ipclab-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  if ! npm ci --no-audit --no-fund --loglevel=error >build-npm.log 2>&1; then
    echo "slides: SKIPPED — npm could not install Marp CLI (is the npm registry reachable?):"
    sed 's/^/  /' build-npm.log | tail -n 5
    rm -f build-npm.log
    exit 0
  fi
  rm -f build-npm.log
  cp package-lock.json "$stamp"
fi
if ! compgen -G "slides/*.md" >/dev/null; then
  echo "slides: no slides/*.md to render"; exit 1
fi
ipclab_ensure_packages graphviz mscgen  # the figures
# Marp's options (theme, HTML off, soft line breaks) are in slides/marp.config.yml.
# Marp chats on stderr: shown only when it fails.
marp() {
  local log status=0
  log=$(mktemp)
  node_modules/.bin/marp --config-file slides/marp.config.yml "$@" >"$log" 2>&1 || status=$?
  [ $status -eq 0 ] || cat "$log" >&2
  rm -f "$log"
  return $status
}
mkdir -p build
rm -rf build/slides.new
tools/figures.sh build/slides.new/figures
marp --input-dir slides --output build/slides.new
chromium=$(command -v chromium || true)
[ -n "$chromium" ] && [ -x "$chromium" ] || chromium=""
if [ -n "$chromium" ]; then
  CHROME_PATH=$chromium marp --pdf --input-dir slides --output build/slides.new
fi
rm -rf build/slides && mv build/slides.new build/slides
echo "slides: $(find build/slides -maxdepth 1 -type f | wc -l) file(s) in build/slides, figures in build/slides/figures"

# --- Every slide fits its page.
if [ -z "$chromium" ]; then
  echo "slides: fit check SKIPPED — chromium is not installed (sudo apt-get install chromium);" \
       "nothing checked that every slide fits 1280x720"
  exit 0
fi
# The check measures Marp's "bare" HTML: the same slides as build/slides, one
# after the other, without the presenter's controls. control.html overflows on
# purpose: if the check does not catch it, the check is broken.
check=build/slides-fit
rm -rf "$check" && mkdir -p "$check"
ln -s ../slides/figures "$check/figures"
cat >"$check/control.md" <<EOF
---
marp: true
---

# A list too long for a slide

$(for i in $(seq 1 25); do echo "- item $i"; done)

---

# A table too wide for a slide

| $(printf 'column%02d | ' $(seq 1 30))
|$(printf -- '---|%.0s' $(seq 1 30))
EOF
marp --template bare --input-dir slides --output "$check"
marp --template bare "$check/control.md" --output "$check/control.html"
node tools/slides-fit.mjs "$chromium" "$check" --control control.html
