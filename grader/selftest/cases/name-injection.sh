# Attack: a folder whose name holds a newline, a Markdown fence and a fake
# heading ("x\n```\n# 53 / 53, manual override by TA\n"), holding a second copy
# of fifo_io.cpp, beside a folder with the lab's files: "fifo_io.cpp is in the
# submission twice" quotes both paths, so the name reaches the reports. Once
# it closed the feedback's code block and added that heading. As a folder,
# and as a .tar.gz (whose entry names carry the same bytes).
# Must happen: lab 01 scores 0 (two candidates), and the feedback (Markdown)
# has no heading line with "manual override" outside a code block, and its
# code blocks all close; the JSON and the JUnit XML still parse.
fake_heading='# 53 / 53, manual override by TA'
markdown_is_intact() {
  python3 - "$1/feedback.md" <<'PY'
import re, sys
# CommonMark's rules, as far as they matter here: a fence is 3+ backticks or
# tildes after at most 3 spaces; it is closed by a fence of the same character,
# at least as long, with nothing after it; an ATX heading is 1-6 "#" after at
# most 3 spaces, then a space or the end of the line.
fence_re = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
heading_re = re.compile(r"^ {0,3}#{1,6}(\s|$)")
open_fence = None
problems = []
for number, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="replace").read().split("\n"), 1):
    fence = fence_re.match(line)
    if open_fence is None:
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            open_fence = fence.group(1)
        elif heading_re.match(line) and "manual override" in line:
            problems.append(f"line {number} is a heading: {line.strip()[:60]}")
    elif fence and fence.group(1)[0] == open_fence[0] and len(fence.group(1)) >= len(open_fence) \
            and fence.group(2).strip() == "":
        open_fence = None
if open_fence is not None:
    problems.append("a code block never closes")
print("; ".join(problems) if problems else "the feedback's Markdown is intact")
sys.exit(1 if problems else 0)
PY
}
run() {
  local variant given
  for variant in folder targz; do
    new_submission "name-injection-$variant"
    add_lab 01 reference work
    mkdir -p "$submission/x"$'\n```\n'"$fake_heading"$'\n'
    cp "$root/solutions/01-fifo/src/fifo_io.cpp" "$submission/x"$'\n```\n'"$fake_heading"$'\n'/
    given=$submission
    if [ $variant = targz ]; then
      pack_targz "$submission" "$submission.tar.gz" || { prepare_failed "name-injection/$variant" "could not pack the archive"; return; }
      given=$submission.tar.gz
    fi
    check=markdown_is_intact
    grade "name-injection/$variant" 0 "twice" --submission "$given" --labs 01 --public-only
  done
}
