# At start-up (a static initialiser) tries to read the hidden tests and the
# rubric, and to write outside its sandbox. Reading must fail (else it aborts,
# and every test fails); the files it writes must not appear on the machine.
# (The markers carry this run's token: another run's are not ours to judge.)
expect=max
marker_files=("$root/build/grade/ESCAPED-$token" "/tmp/ipclab-selftest-escaped-$token" "$work/ESCAPED-$token")
inject() {
  append_to_fifo_io "namespace {
struct Escape {
  Escape() {
    const char* secrets[] = {\"$root/grader/rubric/01-fifo.json\", \"$root/grader/hidden/01-fifo\",
                             \"$root/solutions/01-fifo/src/fifo_io.cpp\"};
    for (const char* path : secrets) {
      if (::open(path, O_RDONLY) >= 0) { std::abort(); }
    }
    const char* outside[] = {\"${marker_files[0]}\", \"${marker_files[1]}\", \"${marker_files[2]}\"};
    for (const char* path : outside) { ::close(::open(path, O_WRONLY | O_CREAT, 0644)); }
  }
} escape;
}"
}
