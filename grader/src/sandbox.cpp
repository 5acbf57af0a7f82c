#include "sandbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "cgroup.hpp"
#include "ipclab/syscalls.hpp"
#include "process.hpp"
#include "sandbox_view.hpp"
#include "util.hpp"

namespace grader {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string to_string(Isolation isolation) {
  switch (isolation) {
    case Isolation::bubblewrap: return "bubblewrap";
    case Isolation::unshare: return "unshare";
    case Isolation::none: return "none";
  }
  return "?";
}

std::optional<Isolation> isolation_from_string(const std::string& name) {
  for (auto level : {Isolation::bubblewrap, Isolation::unshare, Isolation::none}) {
    if (to_string(level) == name) {
      return level;
    }
  }
  return std::nullopt;
}

namespace {

// The descriptors one run opens, closed on every way out of it.
class UniqueFdSet {
 public:
  UniqueFdSet() = default;
  UniqueFdSet(const UniqueFdSet&) = delete;
  UniqueFdSet& operator=(const UniqueFdSet&) = delete;
  ~UniqueFdSet() {
    for (int fd : fds_) {
      ::close(fd);
    }
  }
  void add(const std::vector<int>& fds) { fds_.insert(fds_.end(), fds.begin(), fds.end()); }
  void close(int fd) {
    auto at = std::find(fds_.begin(), fds_.end(), fd);
    if (at != fds_.end()) {
      fds_.erase(at);
      ::close(fd);
    }
  }

 private:
  std::vector<int> fds_;
};

std::string find_program(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
    std::string path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) {
      return path;
    }
  }
  return {};
}

constexpr std::size_t kReportLimit = 1 << 20;  // a real one-test report is ~1 KiB

// ---- the process table -------------------------------------------------------

struct ProcessInfo {
  pid_t pid = 0, ppid = 0, session = 0;
  uid_t uid = 0;
  char state = '?';
  std::string comm;
};

std::vector<ProcessInfo> process_table() {
  std::vector<ProcessInfo> table;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) {
    return table;
  }
  while (dirent* entry = ::readdir(proc)) {
    if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) {
      continue;
    }
    std::string base = std::string("/proc/") + entry->d_name;
    std::string stat = read_file_prefix(base + "/stat", 4096);
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces and ')'.
    auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) {
      continue;
    }
    ProcessInfo info;
    info.pid = std::atoi(entry->d_name);
    info.comm = stat.substr(open + 1, close - open - 1);
    int pgrp = 0;
    if (std::sscanf(stat.c_str() + close + 2, "%c %d %d %d", &info.state, &info.ppid, &pgrp, &info.session) != 4) {
      continue;
    }
    struct stat owner {};
    if (::stat(base.c_str(), &owner) == 0) {
      info.uid = owner.st_uid;
    }
    table.push_back(info);
  }
  ::closedir(proc);
  return table;
}

// Every live process of the test started as `root`: its descendants, whatever
// stayed in its session, and (when tests have a uid of their own) whatever runs
// as that uid — which catches a daemon that called setsid() and was orphaned.
std::vector<std::pair<ProcessInfo, int>> test_processes(pid_t root, std::optional<uid_t> uid) {
  auto table = process_table();
  std::map<pid_t, const ProcessInfo*> by_pid;
  for (const auto& info : table) {
    by_pid[info.pid] = &info;
  }
  std::vector<std::pair<ProcessInfo, int>> found;
  for (const auto& info : table) {
    if (info.pid == ::getpid()) {
      continue;
    }
    int depth = 0;
    bool mine = false;
    for (const ProcessInfo* at = &info; at != nullptr && depth < 4096; ++depth) {
      if (at->pid == root) {
        mine = true;
        break;
      }
      auto parent = by_pid.find(at->ppid);
      at = parent == by_pid.end() ? nullptr : parent->second;
    }
    if (!mine && (info.session == root || (uid && info.uid == *uid))) {
      mine = true;
      depth = 1;
    }
    if (mine) {
      found.emplace_back(info, depth);
    }
  }
  return found;
}

// SIGKILL to every process of the test until none is left (a fork bomb keeps
// forking while we kill, so this goes round until a scan finds nothing).
void kill_test_processes(pid_t root, std::optional<uid_t> uid, const SlotCgroups* cgroups, int slot) {
  ::kill(root, SIGKILL);
  auto give_up = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < give_up) {
    bool any = false;
    if (cgroups != nullptr) {
      for (pid_t pid : cgroups->members(slot)) {
        any = ::kill(pid, SIGKILL) == 0 || any;
      }
    }
    for (const auto& [info, depth] : test_processes(root, uid)) {
      if (info.state != 'Z') {
        ::kill(info.pid, SIGKILL);
        any = true;
      } else if (info.ppid == ::getpid() && info.pid != root) {
        // An orphan handed to us (the grader is a child subreaper): reap it,
        // so that no zombie of the test outlives it. The caller reaps `root`.
        ::waitpid(info.pid, nullptr, WNOHANG);
        any = true;
      }
    }
    if (!any) {
      return;
    }
    std::this_thread::sleep_for(milliseconds(2));  // let the kernel tear them down, then look again
  }
}

// ---- what the child does between fork() and exec() -----------------------------

struct ChildSetup {
  int output_fd = -1, collect_fd = -1, executable_fd = -1;
  std::vector<int> cgroup_fds;
  const JobLimits* limits = nullptr;
  rlim_t processes = 0;
  bool drop_uid = false;
  uid_t uid = 0;
  pid_t grader = 0;
  const char* cwd = nullptr;
};

// Only async-signal-safe calls here: the grader has threads, and the child
// of fork() must not take a lock another thread held.
[[noreturn]] void exec_child(const ChildSetup& setup, char* const* argv, char* const* envp) {
  ::setsid();
  // Into the job's cgroups first: everything it forks from now on is counted.
  for (int fd : setup.cgroup_fds) {
    if (::write(fd, "0", 1) != 1) {
      ::_exit(125);
    }
  }
  int null_fd = ::open("/dev/null", O_RDONLY);
  ::dup2(null_fd, 0);
  ::dup2(setup.output_fd, 1);
  ::dup2(setup.output_fd, 2);
  // The collect pipe and the executable at fixed numbers (see sandbox_view.hpp);
  // moved above the range first so that neither overwrites the other.
  int collect = setup.collect_fd >= 0 ? ::fcntl(setup.collect_fd, F_DUPFD, 10) : -1;
  int executable = setup.executable_fd >= 0 ? ::fcntl(setup.executable_fd, F_DUPFD, 10) : -1;
  if (collect >= 0) {
    ::dup2(collect, kCollectFd);
  }
  if (executable >= 0) {
    ::dup2(executable, kExecutableFd);
  }
  ::syscall(SYS_close_range, static_cast<unsigned>(kExecutableFd + 1), ~0U, 0U);
  const JobLimits& l = *setup.limits;
  const std::pair<int, rlim_t> rlimits[] = {
      {RLIMIT_NPROC, setup.processes},  {RLIMIT_CPU, l.cpu_seconds},         {RLIMIT_AS, l.address_space},
      {RLIMIT_FSIZE, l.file_size},      {RLIMIT_NOFILE, l.open_files},        {RLIMIT_CORE, 0},
  };
  for (const auto& [resource, value] : rlimits) {
    rlimit limit{value, value};
    if (::setrlimit(resource, &limit) != 0) {
      ::_exit(125);
    }
  }
  if (setup.drop_uid) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(setup.uid, setup.uid, setup.uid) != 0 ||
        ::setresuid(setup.uid, setup.uid, setup.uid) != 0) {
      ::_exit(125);
    }
  }
  // After the uid change, which clears it: die with the grader's thread.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != setup.grader) {
    ::_exit(125);
  }
  if (setup.cwd != nullptr && ::chdir(setup.cwd) != 0) {
    ::_exit(125);
  }
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

struct CStrings {
  std::vector<std::string> strings;
  std::vector<char*> pointers;
  explicit CStrings(std::vector<std::string> values) : strings(std::move(values)) {
    for (auto& s : strings) {
      pointers.push_back(s.data());
    }
    pointers.push_back(nullptr);
  }
  char* const* get() { return pointers.data(); }
};

void append_output(TestRun& run, const char* data, std::size_t size, std::size_t limit) {
  // Keep the head and the tail: the start says what ran, the end how it failed.
  std::size_t room = limit > run.output.size() ? limit - run.output.size() : 0;
  if (size <= room) {
    run.output.append(data, size);
    return;
  }
  run.output.append(data, room);
  run.output_dropped += size - room;
  std::size_t keep_tail = limit / 4;
  std::string tail = run.output.substr(run.output.size() - keep_tail) + std::string(data + room, size - room);
  if (tail.size() > keep_tail) {
    tail.erase(0, tail.size() - keep_tail);
  }
  run.output.replace(run.output.size() - keep_tail, keep_tail, tail);
}

// Reads what is there on `fd` into `sink`; false at end of file.
template <typename Sink>
bool read_some(int fd, Sink&& sink) {
  char buffer[65536];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) {
    sink(buffer, static_cast<std::size_t>(n));
    return true;
  }
  return n < 0 && errno == EINTR;
}

// The processes still there at the deadline and the call each was in.
std::vector<BlockedProcess> blocked_processes(pid_t root, std::optional<uid_t> uid) {
  std::vector<BlockedProcess> blocked;
  for (const auto& [info, depth] : test_processes(root, uid)) {
    // bwrap, unshare, chroot, setpriv, env and sh are our wrappers, not the student's processes.
    if (info.state == 'Z' || info.comm == "bwrap" || info.comm == "unshare" || (info.comm == "sh" && depth <= 3)) {
      continue;
    }
    auto call = ipclab::current_syscall(info.pid);
    blocked.push_back({depth, call.value_or("unknown")});
  }
  // Depths are counted from the wrapper: make the first real process depth 0.
  if (!blocked.empty()) {
    int base = std::min_element(blocked.begin(), blocked.end(), [](auto& a, auto& b) {
                 return a.depth < b.depth;
               })->depth;
    for (auto& process : blocked) {
      process.depth -= base;
    }
    std::stable_sort(blocked.begin(), blocked.end(), [](auto& a, auto& b) { return a.depth < b.depth; });
  }
  return blocked;
}

}  // namespace

TestRun run_sandboxed(const SandboxConfig& config, const SandboxJob& job) {
  TestRun run;
  std::optional<uid_t> uid;
  if (config.drop_privileges) {
    uid = config.first_uid + static_cast<uid_t>(job.slot);
  }
  namespace fs = std::filesystem;
  // The unshare level mounts its new root on an empty folder of the host.
  std::optional<TempDir> root_dir;
  if (config.isolation == Isolation::unshare) {
    root_dir.emplace(job.out_host.empty() ? fs::temp_directory_path() : job.out_host.parent_path(), "root.");
  }
  LaunchPlan plan = plan_launch(config, job, uid, root_dir ? root_dir->path().string() : "");

  ChildSetup setup;
  setup.limits = &job.limits;
  setup.processes = static_cast<rlim_t>(job.limits.processes);
  if (!uid) {
    // RLIMIT_NPROC counts every process of the user: leave room above what
    // this user already runs, or the job could not fork at all.
    auto table = process_table();
    setup.processes += static_cast<rlim_t>(
        std::count_if(table.begin(), table.end(), [](const ProcessInfo& p) { return p.uid == ::getuid(); }));
  }
  setup.drop_uid = uid.has_value() && plan.child_drops_uid;
  setup.uid = uid.value_or(0);
  setup.grader = ::getpid();
  setup.cwd = plan.cwd.empty() ? nullptr : plan.cwd.c_str();
  if (config.cgroups) {
    config.cgroups->set_limits(job.slot, job.limits.memory, job.limits.processes);
    setup.cgroup_fds = config.cgroups->open_procs(job.slot);
  }
  UniqueFdSet fds;  // every descriptor opened here is closed on every return
  int output_pipe[2], collect_pipe[2];
  if (::pipe2(output_pipe, O_CLOEXEC) != 0 || ::pipe2(collect_pipe, O_CLOEXEC) != 0) {
    run.output = std::string("the grader cannot prepare the sandbox: pipe: ") + std::strerror(errno);
    return run;
  }
  fds.add({output_pipe[0], output_pipe[1], collect_pipe[0], collect_pipe[1]});
  fds.add(setup.cgroup_fds);
  setup.output_fd = output_pipe[1];
  setup.collect_fd = collect_pipe[1];
  if (job.executable) {
    setup.executable_fd = ::open(job.executable->c_str(), O_RDONLY | O_CLOEXEC);
    if (setup.executable_fd < 0) {
      run.output = "the grader cannot open " + job.executable->string() + ": " + std::strerror(errno);
      return run;
    }
    fds.add({setup.executable_fd});
  }
  CStrings c_argv(plan.argv), c_env(plan.env.empty() ? job.env : plan.env);
  auto start = Clock::now();
  pid_t root = ::fork();
  if (root == 0) {
    exec_child(setup, c_argv.get(), c_env.get());
  }
  fds.close(output_pipe[1]);
  fds.close(collect_pipe[1]);
  if (root < 0) {
    run.output = std::string("the grader cannot start the job: fork: ") + std::strerror(errno);
    return run;
  }
  run.started = true;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, root, 0));
  if (pidfd >= 0) {
    fds.add({pidfd});
  }
  auto deadline = start + job.timeout;
  bool output_open = true, collect_open = true, exited = false;
  std::string collected;
  auto keep_output = [&](const char* data, std::size_t size) { append_output(run, data, size, config.output_limit); };
  auto keep_collected = [&](const char* data, std::size_t size) {
    collected.append(data, std::min(size, kReportLimit + 2 - std::min(collected.size(), kReportLimit + 2)));
  };
  int status = 0;
  // Wait for the job's first process to end (or the deadline), reading meanwhile.
  while (!exited) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      run.timed_out = true;
      break;
    }
    pollfd polled[3] = {{pidfd, POLLIN, 0}, {output_open ? output_pipe[0] : -1, POLLIN, 0},
                        {collect_open ? collect_pipe[0] : -1, POLLIN, 0}};
    int wait_ms = pidfd >= 0 ? static_cast<int>(std::min<long long>(left, 60000)) : 20;
    if (::poll(polled, 3, wait_ms) < 0 && errno != EINTR) {
      break;
    }
    if (polled[1].revents != 0) {
      output_open = read_some(output_pipe[0], keep_output);
    }
    if (polled[2].revents != 0) {
      collect_open = read_some(collect_pipe[0], keep_collected);
    }
    exited = ::waitpid(root, &status, WNOHANG) == root;
  }
  if (run.timed_out) {
    run.blocked = blocked_processes(root, uid);
  }
  // Whatever is left (the whole tree on a timeout; daemons the job forked
  // otherwise) is killed before the verdict, and the pipes drained to their end.
  kill_test_processes(root, uid, config.cgroups.get(), job.slot);
  if (!exited) {
    while (::waitpid(root, &status, 0) < 0 && errno == EINTR) {
    }
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  auto drain_until = Clock::now() + std::chrono::seconds(2);
  while ((output_open || collect_open) && Clock::now() < drain_until) {
    pollfd polled[2] = {{output_open ? output_pipe[0] : -1, POLLIN, 0}, {collect_open ? collect_pipe[0] : -1, POLLIN, 0}};
    if (::poll(polled, 2, 100) <= 0) {
      continue;
    }
    if (polled[0].revents != 0) {
      output_open = read_some(output_pipe[0], keep_output);
    }
    if (polled[1].revents != 0) {
      collect_open = read_some(collect_pipe[0], keep_collected);
    }
  }
  run.memory_limit_hit = config.cgroups && config.cgroups->memory_limit_hit(job.slot);
  if (!run.timed_out) {
    if (WIFSIGNALED(status)) {
      run.signal = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
      run.exit_code = WEXITSTATUS(status);
      // bwrap, unshare and the collecting shell report a job killed by signal N as exit code 128+N.
      if ((config.isolation != Isolation::none || !job.collect.empty()) && run.exit_code > 128 &&
          run.exit_code < 128 + 65) {
        run.signal = run.exit_code - 128;
      }
    }
  }
  if (!job.collect.empty() && !collected.empty()) {
    run.premature_exit_file_left = collected[0] != '0';
    if (collected.size() > 1 + kReportLimit) {
      run.report_is_suspect = true;
    } else if (collected.size() > 1) {
      run.report = collected.substr(1);
    }
  }
  return run;
}

TestRun run_test(const SandboxConfig& config, const TestRequest& request) {
  namespace fs = std::filesystem;
  // Unpredictable names: the test cannot find the report path without reading
  // its own command line, which lab code has no reason to do.
  std::string token = random_hex(12);
  SandboxJob job;
  job.slot = request.slot;
  job.timeout = request.timeout;
  job.limits.cpu_seconds = static_cast<std::uint64_t>(request.timeout.count() / 1000 + 5);
  job.out_inside = "/ipclab/out";
  job.out_host = request.work_dir / ("out-" + token);
  job.collect = "report-" + token + ".json";
  job.flag = "running-" + token;
  job.executable = request.binary;
  fs::create_directories(job.out_host);
  ::chmod(request.work_dir.c_str(), 0711);
  ::chmod(job.out_host.c_str(), 0700);
  if (config.drop_privileges) {
    uid_t uid = config.first_uid + static_cast<uid_t>(request.slot);
    if (::chown(job.out_host.c_str(), uid, uid) != 0) {
      TestRun run;
      run.output = std::string("the grader cannot prepare the sandbox: chown: ") + std::strerror(errno);
      return run;
    }
  }
  char scale[32];
  std::snprintf(scale, sizeof scale, "%g", request.timeout_scale);
  job.env = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8", "GTEST_COLOR=no",
             std::string("IPCLAB_TIMEOUT_SCALE=") + scale,
             "TEST_PREMATURE_EXIT_FILE=" + job.out_inside + "/" + job.flag};
  job.argv = {"/ipclab/" + request.binary.filename().string(), "--gtest_filter=" + request.test_name,
              "--gtest_output=json:" + job.out_inside + "/" + job.collect, "--gtest_color=no"};
  return run_sandboxed(config, job);
}

std::string explain_timeout(const TestRun& run, milliseconds timeout) {
  std::string text = "timed out after " + format_points(static_cast<double>(timeout.count()) / 1000.0) + " s";
  static const char* const roles[] = {"the test", "its child", "its grandchild"};
  std::vector<std::string> parts;
  std::size_t shown = 0;
  for (const auto& process : run.blocked) {
    if (++shown > 6) {
      parts.push_back("and " + std::to_string(run.blocked.size() - 6) + " more processes");
      break;
    }
    std::string role = process.depth < 3 ? roles[process.depth] : "a descendant";
    std::string verb = process.syscall == "running" ? " was running (a busy loop?)"
                                                    : " was blocked in " + process.syscall;
    if (!parts.empty()) {
      verb = process.syscall == "running" ? " running" : " in " + process.syscall;
    }
    std::string why = process.syscall == "running" ? "" : ipclab::explain_blocking_syscall(process.syscall);
    parts.push_back(role + verb + (why.empty() ? "" : " (" + why + ")"));
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    text += (i == 0 ? ": " : "; ") + parts[i];
  }
  return text;
}

namespace {
// Locks the lock file of each uid in [first, first + count) without waiting:
// the descriptors on success, std::nullopt (and nothing held) when another
// grader holds one of them.
std::optional<std::vector<int>> lease_uids(uid_t first, int count) {
  const std::filesystem::path dir = ::access("/run/lock", W_OK) == 0 ? "/run/lock" : "/tmp";
  std::vector<int> held;
  for (int i = 0; i < count; ++i) {
    auto path = dir / ("ipclab-grader-uid-" + std::to_string(first + static_cast<uid_t>(i)) + ".lock");
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (fd >= 0) {
        ::close(fd);
      }
      for (int other : held) {
        ::close(other);
      }
      return std::nullopt;
    }
    held.push_back(fd);
  }
  return held;
}
}  // namespace

SandboxConfig probe_sandbox(const std::filesystem::path& course_root, const std::filesystem::path& scratch,
                            std::optional<Isolation> wanted, int slots) {
  SandboxConfig config;
  config.course_root = course_root;
  if (::geteuid() == 0) {
    // A uid per worker, unused by any account and by any other grader running
    // on this machine, so that tests running side by side cannot signal each
    // other and RLIMIT_NPROC counts one test only.
    config.drop_privileges = true;
    for (config.first_uid = 62000;; config.first_uid += static_cast<uid_t>(slots)) {
      if (config.first_uid > 65000) {
        throw GradingError("no free block of " + std::to_string(slots) +
                           " uids between 62000 and 65000 for the tests: are many graders running?");
      }
      bool clash = false;
      for (int slot = 0; slot < slots && !clash; ++slot) {
        clash = ::getpwuid(config.first_uid + static_cast<uid_t>(slot)) != nullptr;
      }
      if (clash) {
        continue;
      }
      if (auto fds = lease_uids(config.first_uid, slots)) {
        config.uid_lease = std::shared_ptr<void>(nullptr, [fds = *fds](void*) {
          for (int fd : fds) {
            ::close(fd);
          }
        });
        break;
      }
    }
  }
  // Limits for a whole test where the machine has cgroups (made before the
  // probe, so that the probe runs through them as every test will).
  std::string no_cgroup;
  config.cgroups = SlotCgroups::create(slots, no_cgroup);
  std::vector<Isolation> candidates;
  if (wanted) {
    candidates = {*wanted};
  } else {
    candidates = {Isolation::bubblewrap, Isolation::unshare, Isolation::none};
  }
  std::string why_not;
  for (Isolation level : candidates) {
    if (level == Isolation::bubblewrap && find_program("bwrap").empty()) {
      why_not += " bubblewrap: bwrap is not installed (apt-get install bubblewrap);";
      continue;
    }
    if (level == Isolation::unshare && (find_program("unshare").empty() || find_program("setpriv").empty())) {
      why_not += " unshare: unshare or setpriv is missing (apt-get install util-linux);";
      continue;
    }
    if (level == Isolation::unshare && ::geteuid() != 0) {
      why_not += " unshare: needs root for its mounts;";
      continue;
    }
    config.isolation = level;
    // The probe runs the real machinery on /bin/true, as a test would be run.
    TempDir work(scratch, "probe.");
    TestRequest probe{"/bin/true", "Probe.Probe", std::chrono::seconds(20), 1, 0, work.path()};
    TestRun run = run_test(config, probe);
    if (run.started && !run.timed_out && run.exit_code == 0 && run.signal == 0) {
      switch (level) {
        case Isolation::bubblewrap:
          config.description = "bubblewrap: new user, PID, IPC, mount, UTS and network namespaces; a new root "
                               "with only /usr, a few files of /etc and the job's own files";
          break;
        case Isolation::unshare:
          config.description = "unshare: new PID, IPC, mount, UTS and network namespaces; a new root (chroot) "
                               "with only /usr, a few files of /etc and the job's own files";
          break;
        case Isolation::none:
          config.description = "none: no namespaces (bubblewrap and unshare failed here); the host's files are "
                               "visible; a session and rlimits per test";
          break;
      }
      config.description += config.drop_privileges ? "; rlimits; tests run as uid " + std::to_string(config.first_uid) +
                                                         "+worker"
                                                   : "; rlimits; tests run as the grader's user";
      JobLimits limits;
      std::string size = std::to_string(limits.tmpfs_bytes >> 20) + " MiB";
      config.limits_description =
          config.cgroups ? config.cgroups->kind() + " per test: " + std::to_string(limits.memory >> 20) +
                               " MiB of memory (tmpfs included) and " + std::to_string(limits.processes) +
                               " processes for the whole test"
                         : "no cgroup (" + no_cgroup + "): memory and processes limited per process and per uid";
      config.limits_description +=
          level == Isolation::none
              ? "; output folder on the host's disk (files up to 64 MiB each)"
              : "; output folder a 16 MiB tmpfs, /tmp and /dev/shm " + size + " tmpfs each: nothing on the host's disk";
      return config;
    }
    // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) about
    // `"literal" + std::string&&` chains here, and warnings are errors in CI.
    why_not += ' ';
    why_not += to_string(level);
    why_not += ": ";
    why_not += first_lines(printable(run.output), 2);
    why_not += run.timed_out ? std::string(" (timed out)") : " (exit " + std::to_string(run.exit_code) + ")";
    why_not += ';';
  }
  throw UsageError("no sandbox works on this machine:" + why_not);
}

}  // namespace grader
