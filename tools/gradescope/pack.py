#!/usr/bin/env python3
"""Writes the Gradescope autograder zip (called by tools/gradescope.sh).

usage: pack.py COURSE_ROOT OUT.zip MINUTES LABS

The zip holds setup.sh and run_autograder at its top level, as Gradescope
requires, and the trusted course tree under ipclab/. The same commit gives the
same zip byte for byte: entries sorted, one fixed timestamp, modes reduced to
0644/0755, no directory entries, no owner or extra fields.
"""
import os
import subprocess
import sys
import time
import zipfile

# Never shipped: the reference solutions, the wrong solutions (each is a
# patch against the reference, so it holds most of it), the grader's
# self-tests (they read the reference too), and anything built or fetched.
# Student code runs in the container, so what is not in the zip cannot leak.
EXCLUDED = ("solutions/", "grader/mutants/", "grader/selftest/", "build/",
            ".git/", "node_modules/")
# Outside git (a copy without .git), these are the files .gitignore ignores.
UNTRACKED_JUNK = ("site/", "out/")


def excluded(path):
    parts = path.split("/")
    # .git is also a file in a worktree; node_modules and build may sit deeper.
    if ".git" in parts or "node_modules" in parts:
        return True
    return path.startswith(EXCLUDED)


def tracked_files(root):
    """The files git knows, staged ones included (with their modes), or None
    outside git."""
    try:
        listed = subprocess.run(["git", "-C", root, "ls-files", "-s", "-z"],
                                capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    files = {}
    for record in listed.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode = meta.split()[0].decode()
        files[path.decode()] = mode
    return files


def commit_time(root):
    """The last commit's time, so that one commit gives one zip; else 1980."""
    try:
        out = subprocess.run(["git", "-C", root, "log", "-1", "--format=%ct"],
                             capture_output=True, check=True, text=True).stdout.strip()
        return max(int(out), 315532800)  # zip cannot store dates before 1980
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 315532800


def walked_files(root):
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            if rel.startswith(UNTRACKED_JUNK) or name.endswith(".swp"):
                continue
            files[rel] = "100755" if os.access(full, os.X_OK) else "100644"
    return files


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2])
    root, out, minutes, labs = sys.argv[1:]
    files = tracked_files(root)
    if files is None:
        print("gradescope: no git here: packing every file but build/, node_modules/, solutions/ ...",
              file=sys.stderr)
        files = walked_files(root)
    else:
        status = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=all"],
                                capture_output=True, text=True).stdout.splitlines()
        changed = [line[3:] for line in status if not line.startswith("??") and not excluded(line[3:])]
        untracked = [line[3:] for line in status if line.startswith("??") and not excluded(line[3:])]
        # The files git knows are packed as they are in the work tree: say so
        # when that differs from the commit. Files git does not know are left
        # out (a stray submission or an earlier zip must not ship), and named,
        # so that a new hidden test is not left behind unnoticed.
        if changed:
            print(f"gradescope: note: {len(changed)} file(s) differ from the last commit and are packed "
                  f"as they are now (first: {changed[0]})", file=sys.stderr)
        if untracked:
            shown = ", ".join(untracked[:10]) + (", ..." if len(untracked) > 10 else "")
            print(f"gradescope: note: {len(untracked)} file(s) git does not track are left out "
                  f"(git add them to ship them): {shown}", file=sys.stderr)

    entries = {}
    for rel, mode in files.items():
        if excluded(rel):
            continue
        if mode == "120000":
            # A link would point anywhere once unpacked on Gradescope.
            sys.exit(f"gradescope: {rel} is a symbolic link; the zip carries regular files only")
        if mode == "160000":
            continue  # a submodule: nothing of it is in this tree
        full = os.path.join(root, rel)
        if not os.path.isfile(full):
            continue  # deleted in the working tree, not yet committed
        with open(full, "rb") as handle:
            entries["ipclab/" + rel] = (handle.read(), 0o755 if mode == "100755" else 0o644)

    # Gradescope finds these two at the zip's top level. The course sits
    # beside them in ipclab/ (its root then is /autograder/source/ipclab).
    with open(os.path.join(root, "tools/gradescope/setup.sh"), "rb") as handle:
        entries["setup.sh"] = (handle.read(), 0o755)
    with open(os.path.join(root, "tools/gradescope/run_autograder"), "rb") as handle:
        runner = handle.read()
    # The assignment's settings are two lines of run_autograder.
    for default, value in (("limit_minutes=10", f"limit_minutes={minutes}"), ("grade_labs=all", f"grade_labs={labs}")):
        marker = f"\n{default}\n".encode()
        if runner.count(marker) != 1:
            sys.exit(f"gradescope: tools/gradescope/run_autograder has no single '{default}' line to set")
        runner = runner.replace(marker, f"\n{value}\n".encode())
    entries["run_autograder"] = (runner, 0o755)

    for name in entries:
        if name.startswith("ipclab/") and excluded(name[len("ipclab/"):]):
            sys.exit(f"gradescope: refusing to ship {name}")  # a guard against edits to the lists above

    stamp = time.gmtime(commit_time(root))[:6]
    temp = out + ".tmp"
    try:
        with zipfile.ZipFile(temp, "w") as archive:
            for name in sorted(entries):
                data, mode = entries[name]
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.create_system = 3  # Unix, so that unzip restores the modes
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data, compresslevel=9)
        os.replace(temp, out)
    finally:
        if os.path.exists(temp):
            os.remove(temp)  # written only in part: never leave it for an upload
    size = os.path.getsize(out)
    unpacked = sum(len(data) for data, _ in entries.values())
    print(f"gradescope: wrote {out}: {len(entries)} files, {size / 1024:.0f} KiB "
          f"({unpacked / 1024:.0f} KiB unpacked); labs {labs}, time limit {minutes} min")


if __name__ == "__main__":
    main()
