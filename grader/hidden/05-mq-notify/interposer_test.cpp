// The hidden binary's mq_notify interposer and the helpers of hidden_support.hpp.
// (A *_test.cpp so that the build picks it up; it holds no test.)
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "hidden_support.hpp"
#include "ipclab/syscalls.hpp"

namespace ipclab::mq_notify::hidden {
namespace {
std::mutex hook_mutex;
std::optional<NotifyHook> armed;
pid_t armed_by = 0;
pid_t ran_in = 0;

// Takes the armed hook if this call matches it.
std::optional<NotifyHook> take_hook(const sigevent* event) {
  std::lock_guard lock(hook_mutex);
  if (!armed || event == nullptr || (armed->from_another_thread && thread_id() == armed_by)) {
    return std::nullopt;
  }
  ran_in = thread_id();
  return std::exchange(armed, std::nullopt);
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  return static_cast<bool>(out);
}
}  // namespace

void arm_notify_hook(NotifyHook hook) {
  std::lock_guard lock(hook_mutex);
  armed = std::move(hook);
  armed_by = thread_id();
  ran_in = 0;
}

void disarm_notify_hook() {
  std::lock_guard lock(hook_mutex);
  armed.reset();
}

pid_t notify_hook_thread() {
  std::lock_guard lock(hook_mutex);
  return ran_in;
}

pid_t thread_id() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

bool thread_ended(pid_t tid, std::chrono::steady_clock::time_point deadline) {
  const std::string task = "/proc/self/task/" + std::to_string(tid);
  while (std::filesystem::exists(task)) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling a condition, not ordering
  }
  return true;
}

bool thread_blocked_in_or(pid_t tid, std::string_view syscall, const std::function<bool()>& done,
                          std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (done() || current_syscall(::getpid(), tid) == std::string(syscall)) {
      return true;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string mount_private_mqueue(const std::string& where) {
  std::string why;
  if (::unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0) {
    why = "unshare(CLONE_NEWNS | CLONE_NEWIPC) failed with " + errno_name(errno);
    uid_t uid = ::getuid();
    gid_t gid = ::getgid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC) != 0) {
      return why + ", and with CLONE_NEWUSER too: " + errno_name(errno);
    }
    if (!write_file("/proc/self/setgroups", "deny") ||
        !write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
      return why + "; in a user namespace, writing its uid/gid maps failed";
    }
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return "making the mounts private failed with " + errno_name(errno);
  }
  if (::mount("mqueue", where.c_str(), "mqueue", 0, nullptr) != 0) {
    return "mount -t mqueue on " + where + " failed with " + errno_name(errno);
  }
  return "";
}

}  // namespace ipclab::mq_notify::hidden

// Every mq_notify of the binary comes here (-Wl,--wrap=mq_notify).
extern "C" int __wrap_mq_notify(mqd_t mqd, const sigevent* event) {  // NOLINT: the linker's name
  using namespace ipclab::mq_notify::hidden;
  auto hook = take_hook(event);
  if (hook && hook->before) {
    hook->before();
  }
  int result = ::__real_mq_notify(mqd, event);
  int saved = errno;
  if (hook && hook->after) {
    hook->after();
  }
  errno = saved;
  return result;
}
