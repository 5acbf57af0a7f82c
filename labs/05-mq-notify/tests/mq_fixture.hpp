// Lab 05 tests: a fresh small queue per test, removed by the test itself, and
// the test's own raw tools (never the code under test).
#pragma once

#include <mqueue.h>
#include <signal.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "ipclab/mq_notify.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::mq_notify {

class MqNotify : public testing::IpcTest {
 protected:
  /// A new queue of `capacity` messages of up to 64 bytes.
  Queue make(long capacity = 8) {
    name_ = mq_name("q");
    return Queue::create(name_, Limits{capacity, 64});
  }
  void TearDown() override {
    if (!name_.empty()) {
      ::mq_unlink(name_.c_str());
    }
    IpcTest::TearDown();
  }
  /// Sends with the raw call; never waits (a full queue is an error of the test).
  static void raw_send(const Queue& q, std::string_view text, unsigned priority = 0) {
    static constexpr timespec kLongAgo{0, 0};
    check(::mq_timedsend(q.native(), text.data(), text.size(), priority, &kLongAgo),
          "mq_timedsend", "by the test");
  }
  /// Whether any process is registered on the queue, asked the kernel's way: a
  /// SIGEV_NONE registration fails with EBUSY when one is; if it succeeds, the
  /// test removes it again at once.
  static bool registered(const Queue& q) {
    sigevent none{};
    none.sigev_notify = SIGEV_NONE;
    if (::mq_notify(q.native(), &none) == 0) {
      ::mq_notify(q.native(), nullptr);
      return false;
    }
    if (errno != EBUSY) {
      throw_system_error("mq_notify", errno, "the test's probe");
    }
    return true;
  }
  /// Blocks `signo` in the calling thread (the test's own call).
  static void block(int signo) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }
  /// Whether `signo` is pending for this thread or process.
  static bool pending(int signo) {
    sigset_t set;
    sigpending(&set);
    return sigismember(&set, signo) == 1;
  }
  std::string name_;
};

}  // namespace ipclab::mq_notify
