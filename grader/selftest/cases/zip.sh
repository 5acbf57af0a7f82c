# The reference of lab 01 packed as a .zip (entries at labs/01-fifo/src/, as a
# student zips the checkout's folder): an honest archive grades like the folder.
# Must happen: full marks, and nothing left in the grader's temporary folder.
run() {
  new_submission zip
  add_lab 01
  pack_zip "$submission" "$submission.zip" || { prepare_failed zip "could not pack the archive"; return; }
  grade zip max "" --submission "$submission.zip" --labs 01 --public-only
}
