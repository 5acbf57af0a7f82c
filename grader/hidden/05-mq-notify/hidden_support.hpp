// Helpers shared by the Lab 05 hidden tests. Instructor only, like the tests.
//
// The hidden binary is linked with -Wl,--wrap=mq_notify (labs/05-mq-notify/
// CMakeLists.txt): every call of mq_notify in the binary, the student's
// included, goes to __wrap_mq_notify (interposer_test.cpp), which runs a hook
// the test armed just before or just after the real call. That is how a race
// ("a message arrives between the last receive and the new registration")
// happens on every run instead of now and then. The test's own tools call the
// real mq_notify, never the hooks.
#pragma once

#include <mqueue.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "ipclab/bytes.hpp"
#include "ipclab/error.hpp"
#include "ipclab/mq_notify.hpp"
#include "ipclab/testing.hpp"

extern "C" int __real_mq_notify(mqd_t mqd, const sigevent* event);  // NOLINT: the linker's name

namespace ipclab::mq_notify::hidden {

/// What the next mq_notify call with a sigevent (a registration, not a
/// cancel) does around the real call. One shot: it is disarmed when it runs.
struct NotifyHook {
  std::function<void()> before;  ///< runs in the caller's thread just before the real call
  std::function<void()> after;   ///< just after it returned
  /// Only a call from a thread other than the one that armed the hook counts
  /// (a Listener's notification thread, not its constructor).
  bool from_another_thread = false;
};

/// A hook that runs `action` just before the real call.
inline NotifyHook run_before(std::function<void()> action, bool from_another_thread = false) {
  NotifyHook hook;
  hook.before = std::move(action);
  hook.from_another_thread = from_another_thread;
  return hook;
}

/// A hook that runs `action` just after the real call.
inline NotifyHook run_after(std::function<void()> action) {
  NotifyHook hook;
  hook.after = std::move(action);
  return hook;
}

/// Arms `hook` for the next matching call (replacing one not yet run).
void arm_notify_hook(NotifyHook hook);
/// Disarms a hook that has not run.
void disarm_notify_hook();
/// The thread id that ran the last hook (0 if none ran since it was armed).
pid_t notify_hook_thread();

/// The calling thread's id.
pid_t thread_id();

/// Waits until thread `tid` of this process has ended (its /proc/self/task
/// entry is gone), until `deadline`. A notification thread of glibc ends when
/// the function returns: this is how a test knows that a callback is over.
bool thread_ended(pid_t tid,
                  std::chrono::steady_clock::time_point deadline = testing::default_deadline());

/// Waits until thread `tid` of this process is blocked in `syscall` or
/// `done()` holds, until `deadline`. True if either happened.
bool thread_blocked_in_or(pid_t tid, std::string_view syscall, const std::function<bool()>& done,
                          std::chrono::steady_clock::time_point deadline =
                              testing::default_deadline());

/// In a child: enters new mount and IPC namespaces (with a user namespace when
/// not privileged) and mounts a private mqueue file system at `where`. Returns
/// "" on success, or why it was impossible. Queues made afterwards live in the
/// new IPC namespace and go away with the child.
std::string mount_private_mqueue(const std::string& where);

/// A deadline in 1970: raw calls with it never wait.
inline constexpr timespec kLongAgo{0, 0};

/// Sends with the raw system call; never waits (a full queue throws).
inline void raw_send(mqd_t mqd, std::string_view text, unsigned priority = 0) {
  check(::mq_timedsend(mqd, text.data(), text.size(), priority, &kLongAgo), "mq_timedsend",
        "by the test");
}

/// Whether anybody is registered on the queue, with the real mq_notify: a
/// SIGEV_NONE registration fails with EBUSY if so (and is removed at once if not).
inline bool registered(mqd_t mqd) {
  sigevent none{};
  none.sigev_notify = SIGEV_NONE;
  if (::__real_mq_notify(mqd, &none) == 0) {
    ::__real_mq_notify(mqd, nullptr);
    return false;
  }
  if (errno != EBUSY) {
    throw_system_error("mq_notify", errno, "the test's probe");
  }
  return true;
}

/// Blocks `signo` in the calling thread (the test's own call).
inline void block(int signo) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

/// Takes a pending `signo` at once, without the code under test.
inline std::optional<siginfo_t> take_pending(int signo) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signo);
  siginfo_t info{};
  timespec zero{0, 0};
  if (::sigtimedwait(&set, &info, &zero) == signo) {
    return info;
  }
  return std::nullopt;
}

/// "no signal" or "signal 10, si_code -3, value 42, from pid 123, uid 0".
inline std::string describe(const std::optional<SignalNotification>& got) {
  if (!got) {
    return "no signal";
  }
  return "signal " + std::to_string(got->signo) + ", si_code " + std::to_string(got->code) +
         ", value " + std::to_string(got->value) + ", from pid " +
         std::to_string(got->sender_pid) + ", uid " + std::to_string(got->sender_uid);
}

}  // namespace ipclab::mq_notify::hidden

namespace ipclab::mq_notify {

/// Fresh queues made by the test and removed by the test itself.
class MqNotifyHidden : public testing::IpcTest {
 protected:
  Queue make(long capacity = 8, long message_size = 64) {
    name_ = mq_name("q");
    names_.push_back(name_);
    return Queue::create(name_, Limits{capacity, message_size});
  }
  void TearDown() override {
    hidden::disarm_notify_hook();
    for (const auto& name : names_) {
      ::mq_unlink(name.c_str());
    }
    IpcTest::TearDown();
  }
  static void raw_send(const Queue& q, std::string_view text, unsigned priority = 0) {
    hidden::raw_send(q.native(), text, priority);
  }
  static bool registered(const Queue& q) { return hidden::registered(q.native()); }
  static long queued(const Queue& q) {
    mq_attr attr{};
    check(::mq_getattr(q.native(), &attr), "mq_getattr", "by the test");
    return attr.mq_curmsgs;
  }

  std::string name_;
  std::vector<std::string> names_;
};

}  // namespace ipclab::mq_notify
