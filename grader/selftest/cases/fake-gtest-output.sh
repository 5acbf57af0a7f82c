# Prints what a passing GoogleTest run prints (and a JSON report) to stdout,
# then leaves: stdout is never evidence.
pattern='did not finish its report'
inject() {
  inject_in_set_nonblocking 'std::puts("[       OK ] FifoOpen.B1_9_SetNonblockingChangesOnlyONonblock (0 ms)\n[==========] 1 test from 1 test suite ran. (0 ms total)\n[  PASSED  ] 1 test.\n{\"tests\": 1, \"failures\": 0, \"errors\": 0}"); std::fflush(stdout); ::_exit(0);'
}
