# Attack: a submission with no source at all, whose folders are symbolic links
# into the checkout's solutions/: `labs` itself (by a relative path from the
# submission, and by /proc/self/cwd/solutions, which is the reference when the
# grader runs from the checkout, as ./ipclab grade does), `labs/03-mqueue`, and
# `labs/03-mqueue/src`; and archives whose `labs` entry is such a link (the
# relative target climbs from where the grader used to unpack archives,
# build/grade/tmp/unpack.X, to the checkout).
# Must happen: no link is followed anywhere on a taken path: lab 03's file is
# reported missing and the lab scores 0 (not the reference's 53).
run() {
  local variant link target
  for variant in labs-relative labs-proc-cwd lab-folder src-folder targz-relative targz-proc-cwd zip-relative; do
    new_submission "symlinked-folder-$variant"
    case $variant in
      labs-relative)
        link=labs target=$(realpath --relative-to="$submission" "$root/solutions") ;;
      labs-proc-cwd | targz-proc-cwd)
        link=labs target=/proc/self/cwd/solutions ;;
      lab-folder)
        mkdir -p "$submission/labs"; link=labs/03-mqueue target=$root/solutions/03-mqueue ;;
      src-folder)
        mkdir -p "$submission/labs/03-mqueue"; link=labs/03-mqueue/src target=$root/solutions/03-mqueue/src ;;
      targz-relative | zip-relative)
        link=labs target=../../../../solutions ;;
    esac
    ln -s "$target" "$submission/$link"
    local given=$submission
    case $variant in
      targz-*) pack_targz "$submission" "$submission.tar.gz" && given=$submission.tar.gz ;;
      zip-*) pack_zip "$submission" "$submission.zip" && given=$submission.zip ;;
    esac
    [ -e "$given" ] || { prepare_failed "symlinked-folder/$variant" "could not pack the archive"; continue; }
    grade "symlinked-folder/$variant" 0 "missing" --submission "$given" --labs 03
  done
}
