// Running untrusted code (a student's compiler run, a test) in its own process
// and sandbox: a wall-clock deadline after which every process of it is killed,
// namespaces and a file system view of only what it needs where the machine
// allows them, a cgroup per job where it allows that, rlimits, an unprivileged
// user when the grader is root, capped output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace grader {

class SlotCgroups;

/// How strongly jobs are isolated, best first.
enum class Isolation {
  bubblewrap,  ///< bwrap: user, PID, IPC, mount, net, UTS namespaces; a new root with /usr and the job's files
  unshare,     ///< unshare(1) as root: the same namespaces and the same new root, built by a script
  none,        ///< a new session, rlimits, a private uid when root; the host's file system
};
std::string to_string(Isolation isolation);
std::optional<Isolation> isolation_from_string(const std::string& name);

struct SandboxConfig {
  Isolation isolation = Isolation::none;
  std::string description;              ///< for reports: what this level gives
  std::filesystem::path course_root;    ///< never visible inside, where the level can hide it
  bool drop_privileges = false;         ///< the grader is root: jobs run as uid first_uid + slot
  uid_t first_uid = 0;
  /// flocks on /run/lock/ipclab-grader-uid-N for those uids, held while the config
  /// lives: a grader of another course tree on this machine picks other uids, so
  /// neither kills the other's tests when it cleans up "everything running as uid N".
  std::shared_ptr<void> uid_lease;
  std::shared_ptr<SlotCgroups> cgroups;  ///< null where the machine gives none
  std::string limits_description;        ///< for reports: which limits hold for a whole test
  std::size_t output_limit = 64 * 1024;  ///< bytes of output kept per job
};

/// Finds the best isolation that works here (or checks that `wanted` does)
/// by running /bin/true through it. Throws UsageError when `wanted` does not work.
SandboxConfig probe_sandbox(const std::filesystem::path& course_root, const std::filesystem::path& scratch,
                            std::optional<Isolation> wanted, int slots);

/// Limits of one job: the rlimits hold per process, memory and processes for
/// the whole job where there is a cgroup (else per process and per user).
struct JobLimits {
  std::uint64_t memory = std::uint64_t{512} << 20;         ///< cgroup: the whole job, tmpfs included
  std::uint64_t address_space = std::uint64_t{1} << 30;    ///< RLIMIT_AS of each process
  std::uint64_t processes = 128;
  std::uint64_t file_size = std::uint64_t{64} << 20;       ///< RLIMIT_FSIZE
  std::uint64_t open_files = 256;
  std::uint64_t cpu_seconds = 60;                          ///< RLIMIT_CPU of each process
  std::uint64_t tmpfs_bytes = std::uint64_t{64} << 20;     ///< each of /tmp and /dev/shm inside
};

/// A folder of the host shown inside the sandbox (the only host paths it sees
/// besides /usr and the links into it).
struct Bind {
  std::string host;
  std::string inside;
  bool writable = false;
};

/// One job. Paths in argv, env and cwd are paths inside the sandbox; under the
/// `none` level, which has no mount namespace, each bind's `inside` prefix is
/// replaced by its `host` path.
struct SandboxJob {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::vector<Bind> binds;
  /// A host file copied (not bound) into the sandbox at argv[0], executable:
  /// no host path of it shows in /proc/self/mountinfo.
  std::optional<std::filesystem::path> executable;
  std::string cwd = "/tmp";
  std::chrono::milliseconds timeout{10000};
  int slot = 0;
  JobLimits limits;
  bool mount_proc = true;
  /// A private folder inside (a tmpfs of `out_bytes` under bwrap and unshare,
  /// `out_host` under none). After argv's process exits, a trusted shell in the
  /// sandbox sends back the content of `collect` (at most 1 MiB) and whether
  /// `flag` exists: nothing the job writes there reaches the host's disk.
  std::string out_inside;
  std::filesystem::path out_host;
  std::uint64_t out_bytes = std::uint64_t{16} << 20;
  std::string collect, flag;  ///< file names in out_inside; empty: nothing to collect
};

/// A process of a job that was still there at the deadline.
struct BlockedProcess {
  int depth = 0;        ///< 0 for the job's process, 1 for its children...
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
  std::optional<std::string> report;    ///< the collected file (GoogleTest's JSON report), when one was written
  bool report_is_suspect = false;       ///< not a regular file, or too large
  bool premature_exit_file_left = false;  ///< the `flag` file existed at the end
  bool memory_limit_hit = false;        ///< the cgroup's memory limit was reached
};

/// Runs one job. Never throws for anything the job does; returns when every
/// process of the job is gone.
TestRun run_sandboxed(const SandboxConfig& config, const SandboxJob& job);

struct TestRequest {
  std::filesystem::path binary;      ///< the test binary (built by the grader)
  std::string test_name;             ///< Suite.Test, run alone with --gtest_filter
  std::chrono::milliseconds timeout;  ///< wall clock, already scaled
  double timeout_scale = 1;          ///< passed on as IPCLAB_TIMEOUT_SCALE
  int slot = 0;                      ///< the worker running it: picks the uid and cgroup
  std::filesystem::path work_dir;    ///< an empty folder for this run, removed by the caller
};

/// Runs one GoogleTest test alone, its report collected from a private folder.
TestRun run_test(const SandboxConfig& config, const TestRequest& request);

/// "timed out after 10 s: the test was blocked in read (...); its child in openat (...)".
std::string explain_timeout(const TestRun& run, std::chrono::milliseconds timeout);

}  // namespace grader
