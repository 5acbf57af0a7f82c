# Attack: test B1.9 writes until the disk is full in every place it may write:
# $TMPDIR, /tmp, /dev/shm, its working folder, and the folder of its own report
# (from --gtest_output in /proc/self/cmdline), in files of 32 MiB (below the
# per-file limit), up to 1 GiB per place. Once the report's folder was on the
# host's disk, and a test wrote about 1 GiB there.
# Must happen: each place is a small tmpfs charged to the test's cgroup: the
# test fails or passes as it may (its report may not fit), but the grader's
# scratch folders stay under a few MiB while it runs, the course's file system
# does not grow, and the grader carries on.
expect=max-1..max
max_scratch_mib=8
max_disk_growth_mib=256
inject() {
  inject_in_set_nonblocking 'std::string report_folder;
    {
      std::string args;
      char buffer[4096];
      int fd = ::open("/proc/self/cmdline", O_RDONLY);
      for (ssize_t n; fd >= 0 && (n = ::read(fd, buffer, sizeof buffer)) > 0;) { args.append(buffer, static_cast<std::size_t>(n)); }
      if (fd >= 0) { ::close(fd); }
      for (std::size_t at = 0; at < args.size(); at += std::strlen(args.c_str() + at) + 1) {
        std::string arg = args.c_str() + at;
        if (arg.rfind("--gtest_output=json:", 0) == 0) { report_folder = arg.substr(20, arg.rfind("/") - 20); }
      }
    }
    const char* tmpdir = std::getenv("TMPDIR");
    const std::string places[] = {tmpdir != nullptr ? tmpdir : "", "/tmp", "/dev/shm", ".", report_folder};
    static char block[1 << 20];
    std::memset(block, 120, sizeof block);
    int count = 0;
    for (const std::string& place : places) {
      bool full = place.empty();
      for (int n = 0; n < 32 && !full; ++n) {
        std::string name = place + "/fill-" + std::to_string(count++);
        int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) { break; }
        for (int mib = 0; mib < 32 && !full; ++mib) {
          full = ::write(fd, block, sizeof block) != static_cast<ssize_t>(sizeof block);
        }
        ::close(fd);
      }
    }'
}
