# Allocates (and touches) memory without bound. Whichever limit stops it first
# is right, and on a loaded machine that can differ from run to run: RLIMIT_AS
# (malloc fails: the code aborts, SIGABRT), the test's cgroup (the kernel's
# OOM killer: SIGKILL) or the grader's report of the cgroup's limit ("out of
# memory"). The test must fail, and the grader carry on.
pattern='SIGABRT|SIGKILL|out of memory|memory limit'
pattern_test=B1_9_
max_cgroup_mib=600
inject() { inject_in_set_nonblocking 'for (;;) { char* block = static_cast<char*>(std::malloc(1 << 20)); if (block == nullptr) { std::abort(); } std::memset(block, 1, 1 << 20); }'; }
