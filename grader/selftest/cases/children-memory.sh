# Attack: test B1.9 forks 4 children that each allocate and touch 400 MiB and
# hold it for a few seconds: 1.6 GiB together, though each stays under the
# per-process RLIMIT_AS (once such a test took 2.2 GiB of the host).
# Must happen: the test's cgroup (512 MiB for the whole test) stops them: a
# child is killed, so the test fails (the parent aborts when a child did not
# end well, and may be killed itself); the report names a signal or memory;
# the cgroup never held much more than its limit and the machine kept its
# memory. Had the children all succeeded, the test would pass: max, not max-1.
pattern='SIG[A-Z]+|memory'
pattern_test=B1_9_
max_cgroup_mib=600
inject() {
  inject_in_set_nonblocking 'pid_t children[4];
    for (pid_t& child : children) {
      child = ::fork();
      if (child == 0) {
        const std::size_t size = std::size_t{400} << 20;
        char* block = static_cast<char*>(std::malloc(size));
        if (block == nullptr) { ::_exit(3); }
        std::memset(block, 1, size);
        ::sleep(3);
        ::_exit(0);
      }
    }
    bool all_well = true;
    for (pid_t child : children) {
      int status = 0;
      all_well = all_well && child > 0 && ::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (!all_well) { std::abort(); }'
}
