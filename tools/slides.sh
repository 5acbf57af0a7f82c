#!/usr/bin/env bash
# Renders slides/*.md to HTML in build/slides with Marp CLI, pinned in
# package.json + package-lock.json (HTML needs no browser; PDFs are made only
# when Debian's chromium is installed). Exit 0 with a visible SKIPPED line when
# npm or its registry cannot be reached: the slides are optional for a build.
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
mkdir -p build
rm -rf build/slides.new
node_modules/.bin/marp --html=false --input-dir slides --output build/slides.new >/dev/null
if command -v chromium >/dev/null 2>&1; then
  CHROME_PATH=$(command -v chromium) node_modules/.bin/marp --pdf --html=false \
    --input-dir slides --output build/slides.new >/dev/null
fi
rm -rf build/slides && mv build/slides.new build/slides
echo "slides: $(ls build/slides | wc -l) file(s) in build/slides"
