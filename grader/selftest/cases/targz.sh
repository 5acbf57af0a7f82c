# The reference of lab 01 packed as a .tar.gz, everything under one top folder
# (alice/labs/01-fifo/src/, as `tar czf alice.tar.gz alice` makes it): an
# honest archive grades like the folder, wherever the files sit in it.
# Must happen: full marks, and nothing left in the grader's temporary folder.
run() {
  new_submission targz
  add_lab 01
  pack_targz "$submission" "$submission.tar.gz" alice || { prepare_failed targz "could not pack the archive"; return; }
  grade targz max "" --submission "$submission.tar.gz" --labs 01 --public-only
}
