# Attack: lab 03's file is one line that includes the reference solution, by a
# path relative to where the grader used to stage it (build/grade/staging/
# 03-mqueue/src, five folders below the checkout), by the checkout's absolute
# path, and by a path that climbs to / first (so it works from any depth).
# Must happen: the compiler (sandboxed: it sees only /usr, the public headers
# and the student's files) cannot find the file: lab 03 scores 0 with a compile
# error, and no line of the reference reaches any report.
run() {
  local reference=$root/solutions/03-mqueue/src/mqueue.cpp
  local climb=../../../../../../../../../../../..
  local variant path
  for variant in relative absolute climb; do
    case $variant in
      relative) path=../../../../../solutions/03-mqueue/src/mqueue.cpp ;;
      absolute) path=$reference ;;
      climb) path=$climb$reference ;;
    esac
    new_submission "include-reference-$variant"
    mkdir -p "$submission/labs/03-mqueue/src"
    printf '#include "%s"\n' "$path" > "$(lab_file 03)"
    # The lines of the reference that the skeleton does not have.
    mapfile -t absent < <(distinctive_lines "$reference" "$root/labs/03-mqueue/src/mqueue.cpp")
    [ ${#absent[@]} -gt 0 ] || { prepare_failed "include-reference/$variant" "no distinctive line in $reference"; return; }
    grade "include-reference/$variant" 0 "compile error" --submission "$submission" --labs 03
  done
}
