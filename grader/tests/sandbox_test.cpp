// The sandbox on this machine: a deadline kills the whole tree, and explains itself.
#include "sandbox.hpp"

#include <gtest/gtest.h>

#include "util.hpp"

namespace grader {
namespace {

TEST(Sandbox, TheDeadlineKillsTheTreeAndNamesTheCalls) {
  TempDir scratch(fs::temp_directory_path(), "ipclab-grader-test.");
  fs::permissions(scratch.path(), fs::perms::all & ~fs::perms::others_write & ~fs::perms::group_write);
  fs::path script = scratch.path() / "hang.sh";
  write_file_atomically(script, "#!/bin/sh\nsleep 30 &\nwait\n");
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  SandboxConfig config = probe_sandbox("/nonexistent", scratch.path(), Isolation::none, 1);
  TempDir work(scratch.path(), "run.");
  TestRequest request{script, "A.B", std::chrono::milliseconds(500), 1, 0, work.path()};
  TestRun run = run_test(config, request);
  EXPECT_TRUE(run.timed_out);
  ASSERT_EQ(run.blocked.size(), 2u);
  EXPECT_NE(run.blocked[0].syscall, "running");  // wait4 or rt_sigsuspend, as the shell likes
  EXPECT_EQ(run.blocked[1].depth, 1);
  EXPECT_LT(run.seconds, 5);
}

TEST(Sandbox, ExplainsATimeout) {
  TestRun run;
  run.blocked = {{0, "mq_timedreceive"}, {1, "openat"}};
  EXPECT_EQ(explain_timeout(run, std::chrono::seconds(10)),
            "timed out after 10 s: the test was blocked in mq_timedreceive (receiving from an empty queue waits for "
            "a sender — is anyone sending?); its child in openat (opening a FIFO waits for the other end to open it)");
}

}  // namespace
}  // namespace grader
