# Sourced by ./ipclab: makes sure the Debian packages a command needs are there.
# Installs them when it can (root, or passwordless sudo); otherwise prints the
# one apt-get line that is missing and stops.

# The packages each part of the course needs (Debian 12 / Ubuntu 22.04+ names).
IPCLAB_PKGS_BUILD="g++ cmake ninja-build libgtest-dev libgmock-dev"
# ccache (optional): the builds of one checkout share the course's compiled
# objects (the grader's trusted build and ./ipclab check, the presets of
# ./ipclab test; see CMakeLists.txt). Not in the Gradescope image
# (tools/gradescope/setup.sh), which builds once.
IPCLAB_PKGS_SHARE="ccache"
IPCLAB_PKGS_GRADER="nlohmann-json3-dev libcli11-dev libarchive-dev bubblewrap binutils"
IPCLAB_PKGS_SELFTEST="python3 patch"  # self-tests and mutants read results.json with python3; mutants are patches
IPCLAB_PKGS_RELEASE="python3 python3-yaml git"  # ./ipclab release and its test: the leak check, the workflow's YAML, --git
IPCLAB_PKGS_DOCS="doxygen graphviz mscgen python3"  # mscgen: the charts of docs/figures; python3: tools/docs_site.py and docs_check.py
IPCLAB_PKGS_DOCS_OPTIONAL="doxygen-awesome-css"  # not in Ubuntu 22.04: docs then use the plain theme
# ./ipclab test checks in headless chromium that every slide fits its page; it
# installs these (about 110 MB to download) so that the check runs on a clean CI
# machine too. DejaVu: the widest of the fonts Marp's theme falls back to.
IPCLAB_PKGS_SLIDES_CHECK="chromium fonts-dejavu-core"

ipclab_require_linux() {
  if [ "$(uname -s)" != Linux ]; then
    echo "ipclab: this course teaches Linux IPC (FIFOs, message queues, epoll, POSIX semaphores" >&2
    echo "and shared memory) and runs only on Linux; this is $(uname -s). Use a Linux machine, a VM or WSL2." >&2
    exit 1
  fi
}

_ipclab_missing() {  # prints the packages of "$@" that are not installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s ' "$p"
  done
}

_ipclab_sudo() {  # prints the prefix that gives root, or fails
  if [ "$(id -u)" -eq 0 ]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "sudo -n"
  else
    return 1
  fi
}

_ipclab_apt_install() {  # $1 = sudo prefix, rest = packages; returns apt's status
  local sudo=$1; shift
  echo "ipclab: installing $* ..." >&2
  # Update the package lists first only if the install fails without it: a
  # fresh container has none, a normal machine usually has recent ones.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
  $sudo apt-get update -qq >/dev/null 2>&1
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# ipclab_ensure_packages PKG... [--optional PKG...] : all of the first ones
# installed, or a clear stop; the optional ones (speed, not function) installed
# along with them when they can be, and never a reason to stop.
ipclab_ensure_packages() {
  local required=() optional=()
  while [ $# -gt 0 ] && [ "$1" != --optional ]; do required+=("$1"); shift; done
  [ $# -gt 0 ] && shift && optional=("$@")
  if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not Debian or Ubuntu: we cannot install; say what is needed and let the build try.
    echo "ipclab: not a Debian/Ubuntu system; make sure these are installed: ${required[*]}" >&2
    return 0
  fi
  local missing sudo
  missing=$(_ipclab_missing "${required[@]}")
  if [ -z "$missing" ]; then
    [ ${#optional[@]} -eq 0 ] || ipclab_try_packages "${optional[@]}"
    return 0
  fi
  if sudo=$(_ipclab_sudo); then
    # One apt-get for both (a fresh machine pays for one); the required alone
    # when an optional one is not to be had here.
    # shellcheck disable=SC2086
    { [ ${#optional[@]} -gt 0 ] && _ipclab_apt_install "$sudo" $missing $(_ipclab_missing "${optional[@]}"); } ||
      _ipclab_apt_install "$sudo" $missing || true
    # shellcheck disable=SC2086
    [ -z "$(_ipclab_missing $missing)" ] && return 0
    echo "ipclab: installing the packages failed. Try by hand:" >&2
  else
    echo "ipclab: some packages are missing, and installing them needs root. Run:" >&2
  fi
  echo "  sudo apt-get install -y ${missing% }" >&2
  exit 1
}

# ipclab_try_packages PKG... : install what can be installed; never stops.
ipclab_try_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing sudo
  missing=$(_ipclab_missing "$@")
  [ -z "$missing" ] && return 0
  sudo=$(_ipclab_sudo) || return 0
  # shellcheck disable=SC2086
  _ipclab_apt_install "$sudo" $missing >/dev/null 2>&1 || true
}

ipclab_check_cmake_version() {
  local version
  version=$(cmake --version | head -n1 | awk '{print $3}')
  if [ "$(printf '%s\n3.22\n' "$version" | sort -V | head -n1)" != 3.22 ]; then
    echo "ipclab: CMake $version is too old; the course needs 3.22 or newer." >&2
    exit 1
  fi
}
