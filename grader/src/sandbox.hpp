// Running one test in its own process and sandbox: a wall-clock deadline after
// which the whole process tree is killed, namespaces where the machine allows
// them, rlimits, an unprivileged user when the grader is root, capped output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grader {

/// How strongly tests are isolated, best first.
enum class Isolation {
  bubblewrap,  ///< bwrap: user, PID, IPC, mount, net, UTS namespaces; only /usr, /etc and the test visible
  unshare,     ///< unshare(1): PID, IPC, mount, net namespaces; private /tmp, /dev/shm; course tree hidden
  none,        ///< a new session, rlimits, a private uid when root; nothing else
};
std::string to_string(Isolation isolation);
std::optional<Isolation> isolation_from_string(const std::string& name);

struct SandboxConfig {
  Isolation isolation = Isolation::none;
  std::string description;              ///< for reports: what this level gives
  std::filesystem::path course_root;    ///< hidden from tests where the sandbox can hide it
  bool drop_privileges = false;         ///< the grader is root: tests run as uid first_uid + slot
  uid_t first_uid = 0;
  /// flocks on /run/lock/ipclab-grader-uid-N for those uids, held while the config
  /// lives: a grader of another course tree on this machine picks other uids, so
  /// neither kills the other's tests when it cleans up "everything running as uid N".
  std::shared_ptr<void> uid_lease;
  std::size_t output_limit = 64 * 1024;  ///< bytes of output kept per test
};

/// Finds the best isolation that works here (or checks that `wanted` does)
/// by running /bin/true through it. Throws UsageError when `wanted` does not work.
SandboxConfig probe_sandbox(const std::filesystem::path& course_root, const std::filesystem::path& scratch,
                            std::optional<Isolation> wanted, int slots);

struct TestRequest {
  std::filesystem::path binary;      ///< the test binary (trusted; built by the grader)
  std::string test_name;             ///< Suite.Test, run alone with --gtest_filter
  std::chrono::milliseconds timeout;  ///< wall clock, already scaled
  double timeout_scale = 1;          ///< passed on as IPCLAB_TIMEOUT_SCALE
  int slot = 0;                      ///< the worker running it: picks the uid
  std::filesystem::path work_dir;    ///< an empty folder for this run, removed by the caller
};

/// A process of a test that was still there at the deadline.
struct BlockedProcess {
  int depth = 0;        ///< 0 for the test process, 1 for its children...
  std::string syscall;  ///< "openat", "running", "no system call"
};

struct TestRun {
  bool started = false;        ///< false: the sandbox itself failed (see output)
  bool timed_out = false;
  int exit_code = -1;          ///< when it exited
  int signal = 0;              ///< when a signal killed it (or, under bwrap, exit code 128+N)
  double seconds = 0;
  std::string output;          ///< stdout and stderr, capped
  std::size_t output_dropped = 0;
  std::vector<BlockedProcess> blocked;  ///< at the deadline
  std::optional<std::string> report;    ///< the GoogleTest JSON report, when one was written
  bool report_is_suspect = false;       ///< not a regular file, or too large
  bool premature_exit_file_left = false;
};

/// Runs one test. Never throws for anything the test does; returns when every
/// process of the test is gone.
TestRun run_test(const SandboxConfig& config, const TestRequest& request);

/// "timed out after 10 s: the test was blocked in read (...); its child in openat (...)".
std::string explain_timeout(const TestRun& run, std::chrono::milliseconds timeout);

}  // namespace grader
