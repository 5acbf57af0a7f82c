#include "ipclab/testing/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <utility>

#include "ipclab/error.hpp"
#include "ipclab/syscalls.hpp"
#include "ipclab/time.hpp"
#include "registry.hpp"

namespace ipclab::testing {

namespace detail {
namespace {
std::vector<pid_t>& process_groups() {
  static std::vector<pid_t> groups;
  return groups;
}
}  // namespace
void remember_process_group(pid_t group) { process_groups().push_back(group); }
std::vector<pid_t> take_process_groups() { return std::exchange(process_groups(), {}); }
}  // namespace detail

namespace {

void write_fully(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n <= 0) {
      return;  // best effort: the child is about to exit anyway
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

[[noreturn]] void run_child(const std::function<void()>& body, int message_fd) {
  int status = 0;
  try {
    body();
  } catch (const std::exception& error) {
    write_fully(message_fd, error.what());
    status = 1;
  } catch (...) {
    write_fully(message_fd, "the child threw something that is not a std::exception");
    status = 1;
  }
  // _exit, not exit: the child must not run the parent's atexit handlers or
  // flush its copy of the parent's stdio buffers (GoogleTest's output among them).
  std::fflush(nullptr);
  ::_exit(status);
}

std::string read_all_nonblocking(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) {
      return text;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string ChildResult::describe() const { return "child '" + name + "' " + outcome(); }

std::string ChildResult::outcome() const {
  std::string text;
  if (timed_out) {
    text += "was still running at its deadline and was killed";
    if (!blocked_in.empty()) {
      text += "; it was blocked in " + blocked_in;
      if (auto why = explain_blocking_syscall(blocked_in); !why.empty()) {
        text += " (" + why + ")";
      }
    }
  } else if (signal != 0) {
    const char* abbrev = ::sigabbrev_np(signal);
    text += "was killed by " +
            (abbrev != nullptr ? "SIG" + std::string(abbrev) : "signal " + std::to_string(signal));
  } else if (exited) {
    text += "exited with status " + std::to_string(exit_code);
  } else {
    text += "has not been waited for";
  }
  if (!message.empty()) {
    text += ": " + message;
  }
  return text;
}

ChildProcess::ChildProcess(std::string name, const std::function<void()>& body)
    : name_(std::move(name)) {
  int message_pipe[2];
  check(::pipe2(message_pipe, O_CLOEXEC), "pipe2");
  UniqueFd read_end(message_pipe[0]);
  UniqueFd write_end(message_pipe[1]);
  const pid_t parent = ::getpid();
  std::fflush(nullptr);
  pid_ = check(::fork(), "fork");
  if (pid_ == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) {
      ::_exit(3);  // the parent died before prctl took effect
    }
    read_end.reset();
    run_child(body, write_end.get());
  }
  // Set the group from both sides so that it exists before either goes on.
  ::setpgid(pid_, pid_);
  detail::remember_process_group(pid_);
  write_end.reset();
  message_fd_ = std::move(read_end);
  pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  result_.name = name_;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : name_(std::move(other.name_)),
      pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      message_fd_(std::move(other.message_fd_)),
      reaped_(std::exchange(other.reaped_, true)),
      result_(std::move(other.result_)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    auto result = wait(std::chrono::steady_clock::now());
    if (result.timed_out) {
      ADD_FAILURE() << "the test ended while " << result.describe()
                    << " — every child must be waited for (EXPECT_CHILD_OK)";
    }
  }
}

bool ChildProcess::has_exited() const {
  if (reaped_) {
    return true;
  }
  pollfd pfd{pidfd_.get(), POLLIN, 0};
  return pidfd_ && ::poll(&pfd, 1, 0) == 1;
}

void ChildProcess::kill(int sig) const {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, sig);
  }
}

void ChildProcess::reap(int status) {
  reaped_ = true;
  if (WIFEXITED(status)) {
    result_.exited = true;
    result_.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result_.signal = WTERMSIG(status);
  }
  result_.message += read_all_nonblocking(message_fd_.get());
  // Descendants left in the child's group die with it; the fixture reports them.
}

ChildResult ChildProcess::wait(std::chrono::steady_clock::time_point deadline) {
  if (reaped_ || pid_ <= 0) {
    return result_;
  }
  // Drain messages while waiting, so a chatty child never blocks on a full pipe.
  ::fcntl(message_fd_.get(), F_SETFL, O_NONBLOCK);
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      reap(status);
      return result_;
    }
    int timeout = milliseconds_until(deadline);
    if (timeout == 0) {
      break;
    }
    pollfd fds[2] = {{pidfd_.get(), POLLIN, 0}, {message_fd_.get(), POLLIN, 0}};
    if (!pidfd_) {
      timeout = std::min(timeout, 1);  // no pidfd (old kernel): look again in 1 ms
    }
    ::poll(fds, 2, timeout);
    if ((fds[1].revents & POLLIN) != 0) {
      result_.message += read_all_nonblocking(message_fd_.get());
    }
  }
  result_.timed_out = true;
  result_.blocked_in = current_syscall(pid_).value_or("");
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  reap(status);
  result_.timed_out = true;
  return result_;
}

::testing::AssertionResult exited_ok(const ChildResult& result) {
  if (result.ok()) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << result.describe();
}

}  // namespace ipclab::testing
