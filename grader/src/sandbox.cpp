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

#include "ipclab/syscalls.hpp"
#include "process.hpp"
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

constexpr const char* kInsideDir = "/ipclab";            // where bwrap shows the test and its out dir
constexpr const char* kUnshareDir = "/tmp/.ipclab";      // the same under unshare
constexpr std::size_t kReportLimit = 1 << 20;            // a real one-test report is ~1 KiB

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
void kill_test_processes(pid_t root, std::optional<uid_t> uid) {
  ::kill(root, SIGKILL);
  auto give_up = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < give_up) {
    bool any = false;
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

struct Limits {
  rlim_t processes, cpu_seconds, address_space, file_size, open_files;
};

// Only async-signal-safe calls here: the grader has threads, and the child
// of fork() must not take a lock another thread held.
[[noreturn]] void exec_child(int output_fd, const Limits& limits, bool drop_uid, uid_t uid, pid_t grader,
                             char* const* argv, char* const* envp, const char* cwd) {
  ::setsid();
  int null_fd = ::open("/dev/null", O_RDONLY);
  ::dup2(null_fd, 0);
  ::dup2(output_fd, 1);
  ::dup2(output_fd, 2);
  ::syscall(SYS_close_range, 3U, ~0U, 0U);
  const std::pair<int, rlim_t> rlimits[] = {
      {RLIMIT_NPROC, limits.processes},      {RLIMIT_CPU, limits.cpu_seconds},
      {RLIMIT_AS, limits.address_space},     {RLIMIT_FSIZE, limits.file_size},
      {RLIMIT_NOFILE, limits.open_files},    {RLIMIT_CORE, 0},
  };
  for (const auto& [resource, value] : rlimits) {
    rlimit limit{value, value};
    if (::setrlimit(resource, &limit) != 0) {
      ::_exit(125);
    }
  }
  if (drop_uid) {
    if (::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 || ::setresuid(uid, uid, uid) != 0) {
      ::_exit(125);
    }
  }
  // After the uid change, which clears it: die with the grader's thread.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != grader) {
    ::_exit(125);
  }
  if (cwd != nullptr && ::chdir(cwd) != 0) {
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

std::string find_program(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"}) {
    std::string path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) {
      return path;
    }
  }
  return {};
}

// The file system a bwrap sandbox sees: the system read-only, no home, no
// course tree (so no hidden test sources), a fresh /tmp, /dev/shm, /dev/mqueue.
std::vector<std::string> bwrap_prefix(const std::string& bwrap) {
  std::vector<std::string> args = {bwrap, "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net",
                                   "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
                                   "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"};
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    auto status = std::filesystem::symlink_status(top, ec);
    if (status.type() == std::filesystem::file_type::symlink) {
      args.insert(args.end(), {"--symlink", std::filesystem::read_symlink(top, ec).string(), top});
    } else if (status.type() == std::filesystem::file_type::directory) {
      args.insert(args.end(), {"--ro-bind", top, top});
    }
  }
  args.insert(args.end(), {"--proc", "/proc", "--dev", "/dev", "--size", "67108864", "--tmpfs", "/tmp",
                           "--size", "67108864", "--tmpfs", "/dev/shm", "--mqueue", "/dev/mqueue"});
  return args;
}

// unshare(1) has no option for bind mounts: a small shell script, run as root
// in the new mount namespace, builds the same view, then drops to the test's uid.
std::string unshare_script(const SandboxConfig& config, std::optional<uid_t> uid) {
  std::string script =
      "set -e\n"
      "mount -t tmpfs -o size=64m,mode=1777 tmpfs /tmp\n"
      "mkdir -p /tmp/.ipclab/out && : > /tmp/.ipclab/test\n"
      "mount --bind \"$1\" /tmp/.ipclab/out && mount --bind -o ro \"$2\" /tmp/.ipclab/test\n"
      "mount -t tmpfs -o size=64m,mode=1777 tmpfs /dev/shm\n"
      "mount -t tmpfs -o size=1m,mode=755 tmpfs \"$3\"\n"
      "shift 3\n";
  if (uid) {
    script += "exec setpriv --reuid=" + std::to_string(*uid) + " --regid=" + std::to_string(*uid) +
              " --clear-groups --inh-caps=-all --bounding-set=-all -- \"$@\"\n";
  } else {
    script += "exec \"$@\"\n";
  }
  (void)config;
  return script;
}

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

}  // namespace

TestRun run_test(const SandboxConfig& config, const TestRequest& request) {
  TestRun run;
  std::optional<uid_t> uid;
  if (config.drop_privileges) {
    uid = config.first_uid + static_cast<uid_t>(request.slot);
  }
  namespace fs = std::filesystem;
  // Unpredictable names: the test cannot find the report path without reading
  // its own command line, which lab code has no reason to do.
  std::string token = random_hex(12);
  fs::path out = request.work_dir / ("out-" + token);
  fs::path tmp = request.work_dir / "tmp";
  fs::create_directories(out);
  fs::create_directories(tmp);
  ::chmod(request.work_dir.c_str(), 0711);
  ::chmod(out.c_str(), 0700);
  ::chmod(tmp.c_str(), 0700);
  if (uid) {
    if (::chown(out.c_str(), *uid, *uid) != 0 || ::chown(tmp.c_str(), *uid, *uid) != 0) {
      run.output = std::string("the grader cannot prepare the sandbox: chown: ") + std::strerror(errno);
      return run;
    }
  }
  std::string report_name = "report-" + token + ".json";
  std::string premature_name = "running-" + token;

  // Paths as the test sees them.
  std::string out_inside = out.string(), binary_inside = request.binary.string(), tmp_inside = tmp.string();
  if (config.isolation == Isolation::bubblewrap) {
    out_inside = std::string(kInsideDir) + "/out";
    binary_inside = std::string(kInsideDir) + "/" + request.binary.filename().string();
    tmp_inside = "/tmp";
  } else if (config.isolation == Isolation::unshare) {
    out_inside = std::string(kUnshareDir) + "/out";
    binary_inside = std::string(kUnshareDir) + "/test";
    tmp_inside = "/tmp";
  }
  char scale[32];
  std::snprintf(scale, sizeof scale, "%g", request.timeout_scale);
  std::vector<std::string> env = {
      "PATH=/usr/bin:/bin", "HOME=" + tmp_inside, "TMPDIR=" + tmp_inside, "LANG=C.UTF-8", "GTEST_COLOR=no",
      std::string("IPCLAB_TIMEOUT_SCALE=") + scale,
      "TEST_PREMATURE_EXIT_FILE=" + out_inside + "/" + premature_name};
  std::vector<std::string> test_argv = {binary_inside, "--gtest_filter=" + request.test_name,
                                        "--gtest_output=json:" + out_inside + "/" + report_name,
                                        "--gtest_color=no"};
  std::vector<std::string> argv;
  const char* cwd = nullptr;
  std::string cwd_storage;
  if (config.isolation == Isolation::bubblewrap) {
    argv = bwrap_prefix(find_program("bwrap"));
    argv.insert(argv.end(), {"--ro-bind", request.binary.string(), binary_inside, "--bind", out.string(),
                             out_inside, "--chdir", "/tmp", "--clearenv"});
    for (const auto& variable : env) {
      auto eq = variable.find('=');
      argv.insert(argv.end(), {"--setenv", variable.substr(0, eq), variable.substr(eq + 1)});
    }
    argv.push_back("--");
    argv.insert(argv.end(), test_argv.begin(), test_argv.end());
  } else if (config.isolation == Isolation::unshare) {
    argv = {find_program("unshare")};
    if (!uid) {
      argv.push_back("--map-root-user");
    }
    argv.insert(argv.end(), {"--ipc", "--net", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc",
                             "--propagation", "private", "--", "/bin/sh", "-c", unshare_script(config, uid), "sh",
                             out.string(), request.binary.string(), config.course_root.string()});
    argv.insert(argv.end(), test_argv.begin(), test_argv.end());
    cwd = "/";
  } else {
    argv = test_argv;
    cwd_storage = tmp.string();
    cwd = cwd_storage.c_str();
  }
  // The unshare level needs root for its mounts; it drops to the uid itself.
  bool exec_drops_uid = uid.has_value() && config.isolation != Isolation::unshare;
  uid_t exec_uid = uid.value_or(0);

  Limits limits{};
  limits.processes = 128;
  if (!uid) {
    // RLIMIT_NPROC counts every process of the user: leave room above what
    // this user already runs, or the test could not fork at all.
    auto table = process_table();
    limits.processes += static_cast<rlim_t>(
        std::count_if(table.begin(), table.end(), [](const ProcessInfo& p) { return p.uid == ::getuid(); }));
  }
  limits.cpu_seconds = static_cast<rlim_t>(request.timeout.count() / 1000 + 5);
  limits.address_space = rlim_t{1} << 30;  // 1 GiB: ample for a lab, quick to hit for a runaway
  limits.file_size = rlim_t{64} << 20;
  limits.open_files = 256;

  CStrings c_argv(argv), c_env(env);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    run.output = std::string("the grader cannot prepare the sandbox: pipe: ") + std::strerror(errno);
    return run;
  }
  pid_t grader = ::getpid();
  auto start = Clock::now();
  pid_t root = ::fork();
  if (root == 0) {
    exec_child(pipe_fds[1], limits, exec_drops_uid, exec_uid, grader, c_argv.get(), c_env.get(), cwd);
  }
  ::close(pipe_fds[1]);
  if (root < 0) {
    ::close(pipe_fds[0]);
    run.output = std::string("the grader cannot start the test: fork: ") + std::strerror(errno);
    return run;
  }
  run.started = true;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, root, 0));
  auto deadline = start + request.timeout;
  bool pipe_open = true, exited = false;
  char buffer[65536];
  int status = 0;
  // Wait for the test's first process to end (or the deadline), reading output meanwhile.
  while (!exited) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      run.timed_out = true;
      break;
    }
    pollfd fds[2] = {{pidfd, POLLIN, 0}, {pipe_open ? pipe_fds[0] : -1, POLLIN, 0}};
    int wait_ms = pidfd >= 0 ? static_cast<int>(std::min<long long>(left, 60000)) : 20;
    if (::poll(fds, 2, wait_ms) < 0 && errno != EINTR) {
      break;
    }
    if (fds[1].revents != 0) {
      ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
      if (n > 0) {
        append_output(run, buffer, static_cast<std::size_t>(n), config.output_limit);
      } else if (n == 0 || errno != EINTR) {
        pipe_open = false;
      }
    }
    pid_t waited = ::waitpid(root, &status, WNOHANG);
    exited = waited == root;
  }
  if (run.timed_out) {
    for (const auto& [info, depth] : test_processes(root, uid)) {
      // bwrap, unshare and sh are our wrappers, not the student's processes.
      if (info.state == 'Z' || info.comm == "bwrap" || info.comm == "unshare" || (info.comm == "sh" && depth <= 2)) {
        continue;
      }
      auto call = ipclab::current_syscall(info.pid);
      run.blocked.push_back({depth, call.value_or("unknown")});
    }
    // Depths are counted from the wrapper: make the first real process depth 0.
    if (!run.blocked.empty()) {
      int base = std::min_element(run.blocked.begin(), run.blocked.end(), [](auto& a, auto& b) {
                   return a.depth < b.depth;
                 })->depth;
      for (auto& process : run.blocked) {
        process.depth -= base;
      }
      std::stable_sort(run.blocked.begin(), run.blocked.end(), [](auto& a, auto& b) { return a.depth < b.depth; });
    }
  }
  // Whatever is left (the whole tree on a timeout; daemons the test forked
  // otherwise) is killed before the verdict, and the pipe drained to its end.
  kill_test_processes(root, uid);
  if (!exited) {
    while (::waitpid(root, &status, 0) < 0 && errno == EINTR) {
    }
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  auto drain_until = Clock::now() + std::chrono::seconds(2);
  while (pipe_open && Clock::now() < drain_until) {
    pollfd fd{pipe_fds[0], POLLIN, 0};
    if (::poll(&fd, 1, 100) <= 0) {
      continue;
    }
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) {
      append_output(run, buffer, static_cast<std::size_t>(n), config.output_limit);
    } else if (n == 0 || errno != EINTR) {
      pipe_open = false;
    }
  }
  ::close(pipe_fds[0]);
  if (pidfd >= 0) {
    ::close(pidfd);
  }
  if (!run.timed_out) {
    if (WIFSIGNALED(status)) {
      run.signal = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
      run.exit_code = WEXITSTATUS(status);
      // bwrap and unshare report a test killed by signal N as exit code 128+N.
      if (config.isolation != Isolation::none && run.exit_code > 128 && run.exit_code < 128 + 65) {
        run.signal = run.exit_code - 128;
      }
    }
  }
  std::error_code ec;
  fs::path report = out / report_name;
  auto report_status = fs::symlink_status(report, ec);
  if (report_status.type() == fs::file_type::regular) {
    if (fs::file_size(report, ec) <= kReportLimit) {
      run.report = read_file_prefix(report, kReportLimit);
    } else {
      run.report_is_suspect = true;
    }
  } else if (fs::exists(report_status)) {
    run.report_is_suspect = true;
  }
  run.premature_exit_file_left = fs::exists(fs::symlink_status(out / premature_name, ec));
  return run;
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
    config.isolation = level;
    // The probe runs the real machinery on /bin/true, as a test would be run.
    TempDir work(scratch, "probe.");
    TestRequest probe{"/bin/true", "Probe.Probe", std::chrono::seconds(20), 1, 0, work.path()};
    TestRun run = run_test(config, probe);
    if (run.started && !run.timed_out && run.exit_code == 0 && run.signal == 0) {
      switch (level) {
        case Isolation::bubblewrap:
          config.description = "bubblewrap: new user, PID, IPC, mount, UTS and network namespaces; private /tmp, "
                               "/dev/shm and /dev/mqueue; only /usr, /etc and the test binary visible";
          break;
        case Isolation::unshare:
          config.description = "unshare: new PID, IPC, mount, UTS and network namespaces; private /tmp and "
                               "/dev/shm; the course tree hidden";
          break;
        case Isolation::none:
          config.description = "none: no namespaces (bubblewrap and unshare failed here); a session and rlimits per test";
          break;
      }
      config.description += config.drop_privileges ? "; rlimits; tests run as uid " + std::to_string(config.first_uid) +
                                                         "+worker"
                                                   : "; rlimits; tests run as the grader's user";
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
