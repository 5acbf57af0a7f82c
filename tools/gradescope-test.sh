#!/usr/bin/env bash
# ./ipclab test step "Gradescope autograder": builds the zip (twice: it must
# be the same bytes), checks what it carries, and reproduces Gradescope's
# layout: the zip unpacked into a scratch folder that bubblewrap binds at
# /autograder, with Docker's default capabilities (no CAP_SYS_ADMIN), so that
# setup.sh and run_autograder see the real paths and the grader falls back
# to the isolation a Gradescope container allows. Then one submission per
# case, each results.json checked by tools/gradescope-check.py. Without a
# usable bubblewrap (not root, or no user namespaces), the scripts run on the
# host with IPCLAB_AUTOGRADER_ROOT pointing at the scratch folder instead.
# Everything is removed at the end, also on failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
course=$PWD
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-gradescope.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
ag=$scratch/autograder
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
timed() {  # timed LABEL LOG COMMAND... : runs it into LOG, prints how long it took
  local label=$1 log=$2 begin=$SECONDS status; shift 2
  "$@" >"$log" 2>&1; status=$?
  echo "  ($label: $((SECONDS - begin)) s)"
  return $status
}

# --- the zip ----------------------------------------------------------------
tools/gradescope.sh "$scratch/autograder.zip" || { echo "FAILED: ./ipclab gradescope"; exit 1; }
tools/gradescope.sh "$scratch/again.zip" >/dev/null 2>&1
cmp -s "$scratch/autograder.zip" "$scratch/again.zip" || fail "two zips of the same tree differ"
# An assignment's settings reach run_autograder (one assignment per lab, a longer timeout).
tools/gradescope.sh "$scratch/lab01.zip" --labs 1 --minutes 20 >/dev/null 2>&1 &&
  python3 -c 'import sys, zipfile; text = zipfile.ZipFile(sys.argv[1]).read("run_autograder").decode()
sys.exit(0 if "\ngrade_labs=01\n" in text and "\nlimit_minutes=20\n" in text else 1)' "$scratch/lab01.zip" ||
  fail "./ipclab gradescope --labs 1 --minutes 20 did not set them in run_autograder"
rm -f "$scratch/again.zip" "$scratch/lab01.zip"
python3 - "$scratch/autograder.zip" "$course" <<'PY' || fail "the zip's contents"
import glob, os, sys, zipfile
archive, course = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive) as z:
    infos = {i.filename: i for i in z.infolist()}
names = sorted(infos)
problems = []
for top in ("setup.sh", "run_autograder"):
    if top not in infos:
        problems.append(f"no {top} at the zip's top level")
    elif (infos[top].external_attr >> 16) & 0o777 != 0o755:
        problems.append(f"{top} is not executable in the zip")
never = ("ipclab/solutions/", "ipclab/grader/mutants/", "ipclab/grader/selftest/", "ipclab/build/",
         "ipclab/.git/", "ipclab/node_modules/")
problems += [f"{n} must not be shipped" for n in names
             if n.startswith(never) or n == "ipclab/.git" or "/.git/" in n or "/node_modules/" in n]
problems += [f"{n} is neither at the top level nor under ipclab/" for n in names
             if n not in ("setup.sh", "run_autograder") and not n.startswith("ipclab/")]
# The hidden tests and the whole rubric, exactly as in the checkout.
for pattern in ("grader/hidden/*/*", "grader/rubric/*.json"):
    for path in glob.glob(os.path.join(course, pattern)):
        rel = os.path.relpath(path, course)
        with open(path, "rb") as handle:
            if "ipclab/" + rel not in infos:
                problems.append(f"{rel} is missing")
            elif zipfile.ZipFile(archive).read("ipclab/" + rel) != handle.read():
                problems.append(f"{rel} differs from the checkout's")
if names != sorted(names) or [i.filename for i in zipfile.ZipFile(archive).infolist()] != names:
    problems.append("the entries are not sorted")
if len({i.date_time for i in infos.values()}) != 1:
    problems.append("the entries do not share one timestamp")
for p in problems:
    print("  " + p)
sys.exit(1 if problems else 0)
PY

# --- Gradescope's layout: /autograder/{source,submission,results,run_autograder}
mkdir -p "$ag/source" "$ag/submission" "$ag/results"
# Unpacked with the modes the zip stores, as Gradescope's unzip does.
python3 - "$scratch/autograder.zip" "$ag/source" <<'PY' || { echo "FAILED: unpacking the zip"; exit 1; }
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        os.chmod(path, (info.external_attr >> 16) & 0o777)
PY
cp "$ag/source/run_autograder" "$ag/run_autograder"

# Docker's default capabilities: enough to change uid and own files, not to
# mount or make namespaces, so the grader gets what a Gradescope container gives.
docker_caps=(CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP
             NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE)
box_args=(--bind "$ag" /autograder --ro-bind /usr /usr)
for dir in /bin /sbin /lib /lib32 /lib64 /libx32; do
  if [ -L "$dir" ]; then box_args+=(--symlink "$(readlink "$dir")" "$dir")
  elif [ -d "$dir" ]; then box_args+=(--ro-bind "$dir" "$dir"); fi
done
# /run/lock is the host's: the grader leases its sandbox uids there, and a
# grader outside (./ipclab test runs several) that took the same uids would
# kill our test processes when it cleans up after its own.
box_args+=(--ro-bind /etc /etc --ro-bind /var/lib/dpkg /var/lib/dpkg
           --dev /dev --perms 1777 --tmpfs /dev/shm --proc /proc --perms 1777 --tmpfs /tmp
           --tmpfs /run --bind /run/lock /run/lock
           --unshare-pid --unshare-ipc --unshare-uts --unshare-net --die-with-parent --cap-drop ALL)
for cap in "${docker_caps[@]}"; do box_args+=(--cap-add "CAP_$cap"); done
box_args+=(--chdir /autograder --clearenv --setenv PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
           --setenv HOME /root --setenv LANG C.UTF-8)
if [ "$(id -u)" -eq 0 ] && [ -d /run/lock ] && command -v bwrap >/dev/null &&
  bwrap "${box_args[@]}" true 2>/dev/null; then
  mode="bubblewrap, $ag bound at /autograder, Docker's default capabilities"
  in_gradescope() { bwrap "${box_args[@]}" "$@"; }
  setup=/autograder/source/setup.sh runner=/autograder/run_autograder
else
  mode="IPCLAB_AUTOGRADER_ROOT=$ag on this machine (bubblewrap could not bind /autograder here)"
  in_gradescope() { IPCLAB_AUTOGRADER_ROOT=$ag "$@"; }
  setup=$ag/source/setup.sh runner=$ag/run_autograder
fi
echo "Gradescope reproduced with $mode"

# --- setup.sh: the image build; a second run must be quick (idempotent) ------
timed "setup.sh, first run" "$scratch/setup.log" in_gradescope bash "$setup" ||
  { tail -n 30 "$scratch/setup.log"; echo "FAILED: setup.sh"; exit 1; }
grep -E '^setup.sh' "$scratch/setup.log" | sed 's/^/  /'
timed "setup.sh, second run" "$scratch/setup2.log" in_gradescope bash "$setup" ||
  { tail -n 30 "$scratch/setup2.log"; fail "setup.sh run a second time"; }
du -sh "$ag/source" | awk '{print "  the image: /autograder/source holds " $1 " after setup.sh"}'

# --- the cases ----------------------------------------------------------------
fresh_submission() { rm -rf "$ag/submission" "$ag/results"; mkdir -p "$ag/submission" "$ag/results"; }
grade_case() {  # grade_case NAME: runs run_autograder on what is in submission/, checks results.json
  local name=$1 status
  timed "$name: run_autograder" "$scratch/$name.log" in_gradescope "$runner"
  status=$?
  if [ $status -ne 0 ]; then
    fail "$name: run_autograder exited with $status"; tail -n 20 "$scratch/$name.log"
  fi
  if ! python3 tools/gradescope-check.py "$name" "$ag/results/results.json" "$course"; then
    failures=$((failures + 1)); tail -n 30 "$scratch/$name.log"
  fi
}
# A copy of the reference in the checkout's layout, to break one thing in.
reference_copy() {  # reference_copy DIR: DIR/NN-topic/src/*.cpp
  local lab
  for lab in solutions/[0-9][0-9]-*/; do
    lab=$(basename "$lab")
    mkdir -p "$1/$lab/src"
    cp solutions/"$lab"/src/*.cpp "$1/$lab/src/"
  done
}

# The reference, uploaded as loose files (found by name): full marks.
fresh_submission
cp solutions/[0-9][0-9]-*/src/*.cpp "$ag/submission/"
grade_case reference

# The untouched skeletons, as a .tar.gz inside the upload (graded as an archive): 0.
fresh_submission
tar -czf "$ag/submission/my-labs.tar.gz" --owner=0 --group=0 labs/[0-9][0-9]-*/src/*.cpp
grade_case skeleton

# A compile error in lab 03, uploaded as the lab folders: lab 03 scores 0, the rest full.
fresh_submission
reference_copy "$ag/submission"
printf '\nthis line is not C++;\n' >>"$(ls "$ag"/submission/03-*/src/*.cpp | head -n1)"
grade_case compile-error

# A function that waits for ever, in a checkout's layout: set_nonblocking(fd,
# true) on a descriptor without O_NONBLOCK never returns. Only the B1.9 tests
# reach it; they time out and lose their points, nothing else does.
fresh_submission
reference_copy "$ag/submission/labs"
fifo_io=$ag/submission/labs/01-fifo/src/fifo_io.cpp
perl -0pi -e 's/(void set_nonblocking\(int fd, bool nonblocking\) \{\n(?:.*\n)*?\s*int flags = check\(::fcntl\(fd, F_GETFL\), "fcntl"\);\n)/$1  if (nonblocking && (flags & O_NONBLOCK) == 0) {\n    for (;;) ::pause();\n  }\n/' "$fifo_io"
if grep -q '::pause' "$fifo_io"; then
  sed -i '1i #include <unistd.h>' "$fifo_io"
  grade_case timeout
else
  fail "timeout: could not put the endless wait into set_nonblocking (solutions/01-fifo changed?)"
fi

# Nothing of any lab: every lab 0, and the first words say what to upload.
fresh_submission
echo "my notes" >"$ag/submission/README.txt"
grade_case no-lab-files

# A broken archive (the grader refuses it, exit 2): score 0 and a message, no tests.
fresh_submission
head -c 3000 /dev/urandom >"$ag/submission/labs.zip"
grade_case bad-archive

echo
if [ $failures -gt 0 ]; then
  echo "Gradescope autograder: $failures problem(s); the logs were in $scratch (now removed)"
  exit 1
fi
echo "Gradescope autograder: every case as expected ($mode)"
