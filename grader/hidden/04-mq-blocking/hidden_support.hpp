// Helpers shared by the Lab 04 hidden tests. Instructor only, like the tests.
//
// The test's own queue tools (raw_send, raw_take, take_all, kernel_attributes)
// call mq_timedsend, mq_timedreceive and mq_getattr directly, never the
// student's code, and never wait: their deadline is 1970, so a full or empty
// queue is an error of the test at once instead of a hang. The public fixture
// (labs/04-mq-blocking/tests) is not on the hidden binary's include path, hence
// a fixture of our own.
#pragma once

#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ipclab/bytes.hpp"
#include "ipclab/error.hpp"
#include "ipclab/mq_blocking.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::mq_blocking::hidden {

// The names every test file uses, brought in once with `using namespace hidden;`.
using std::chrono::nanoseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using testing::ChildProcess;
using testing::notify_on_signal;
using testing::pattern;
using testing::show;

/// "priority 5 \"five\"" for a message; "nothing" for std::nullopt.
inline std::string describe(const std::optional<Received>& message) {
  if (!message) {
    return "nothing";
  }
  return "priority " + std::to_string(message->priority) + " " + show(message->payload);
}

/// In a child: fails unless `got` is `expected` (as describe() shows it).
inline void child_expect(const std::optional<Received>& got, const std::string& expected,
                         const std::string& why) {
  std::string text = describe(got);
  CHILD_REQUIRE(text == expected, why + ": expected " + expected + ", got " + text);
}

/// True when `got` is exactly `expected`: every byte, and the priority.
inline bool same(const std::optional<Received>& got, const Received& expected) {
  return got && got->payload == expected.payload && got->priority == expected.priority;
}

/// A deadline in January 1970: the raw helpers below never wait.
inline constexpr timespec kLongAgo{0, 0};

/// Sends with the raw system call, without the code under test; never waits
/// (a full queue throws ETIMEDOUT). Throws SystemError, so it works in a child too.
inline void raw_send(mqd_t mqd, std::span<const std::byte> payload, unsigned priority) {
  // glibc declares the buffer non-null; an empty span may carry a null pointer.
  const char* data = payload.empty() ? "" : reinterpret_cast<const char*>(payload.data());
  check(::mq_timedsend(mqd, data, payload.size(), priority, &kLongAgo), "mq_timedsend",
        "by the test");
}

inline void raw_send(mqd_t mqd, std::string_view text, unsigned priority) {
  raw_send(mqd, to_bytes(text), priority);
}

/// The kernel's attributes of the descriptor, read without the code under test.
inline mq_attr kernel_attributes(mqd_t mqd) {
  mq_attr attr{};
  check(::mq_getattr(mqd, &attr), "mq_getattr", "by the test");
  return attr;
}

/// Takes the next message with the raw system call (std::nullopt when the
/// queue is empty); a buffer of mq_msgsize bytes, so it never fails with EMSGSIZE.
inline std::optional<Received> raw_take(mqd_t mqd) {
  Received message;
  message.payload.resize(static_cast<std::size_t>(kernel_attributes(mqd).mq_msgsize));
  ssize_t got = ::mq_timedreceive(mqd, reinterpret_cast<char*>(message.payload.data()),
                                  message.payload.size(), &message.priority, &kLongAgo);
  if (got < 0) {
    if (errno == ETIMEDOUT || errno == EAGAIN) {
      return std::nullopt;
    }
    throw_system_error("mq_timedreceive", errno, "by the test");
  }
  message.payload.resize(static_cast<std::size_t>(got));
  return message;
}

/// Empties the queue with raw_take and describes what was there, in the order
/// the kernel hands it out: "priority 1 \"a\", priority 0 \"b\"" ("empty" for none).
inline std::string take_all(mqd_t mqd) {
  std::string text;
  while (auto message = raw_take(mqd)) {
    text += (text.empty() ? "" : ", ") + describe(message);
  }
  return text.empty() ? "empty" : text;
}

/// In a child: runs `call` (a call of the code under test) and turns a
/// SystemError into a failure of the child that says what the behaviour
/// expected instead: "B4.9: receive_for(75 ms) threw mq_timedreceive:
/// ETIMEDOUT ...; a timeout is an answer (std::nullopt), not an error".
/// NotImplemented passes through unchanged ("not implemented yet: ...").
template <typename Call>
auto answer_of(std::string_view what, std::string_view expected, Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const SystemError& error) {
    throw testing::ChildFailure(std::string(what) + " threw SystemError(" + error.call() + ", " +
                                errno_name(error.error_number()) + "): " + std::string(expected));
  }
}

/// Returns `result`; when it is a failure and `child` is still running, kills
/// and reaps the child first and says so, so that a failed check ends the test
/// with one clear failure rather than a second one about a child left running.
inline ::testing::AssertionResult stopped(testing::ChildProcess& child,
                                          ::testing::AssertionResult result) {
  if (!result && !child.has_exited()) {
    child.kill(SIGKILL);
    child.wait();
    result << " (the test killed child '" << child.name() << "')";
  }
  return result;
}

/// testing::blocked_in, and the child is killed when it fails (see stopped()).
inline ::testing::AssertionResult waits_in(testing::ChildProcess& child,
                                           std::initializer_list<std::string_view> calls) {
  return stopped(child, testing::blocked_in(child, calls));
}

/// testing::sleeps_in for one call, and the child is killed when it fails (see
/// stopped()): a wait that is a loop of short or non-blocking calls is caught.
inline ::testing::AssertionResult sleeps_in(
    testing::ChildProcess& child, std::string_view call,
    std::chrono::milliseconds window = std::chrono::milliseconds(100)) {
  return stopped(child, testing::sleeps_in(child, {call}, window));
}

/// A child that installs a handler for SIGUSR1 first (testing::notify_on_signal,
/// with SA_RESTART when `restart`), then runs `body`: the frame of the tests of
/// signals during a wait (B4.13, B4.14, B4.18). It stands in for its
/// ChildProcess (waits_in, blocked_in, EXPECT_CHILD_OK).
class SignalledChild {
 public:
  SignalledChild(const std::string& name, bool restart, const std::function<void()>& body)
      : handled_("the " + name + " handled SIGUSR1"), child_(name, [&] {
          notify_on_signal(SIGUSR1, handled_, restart);
          body();
        }) {}

  /// Sends SIGUSR1 and waits until the handler ran (failing early if the child ends first).
  ::testing::AssertionResult interrupt(
      steady_clock::time_point deadline = testing::default_deadline()) {
    child_.kill(SIGUSR1);
    return handled_.wait_for(child_, deadline);
  }
  operator ChildProcess&() noexcept { return child_; }
  testing::ChildResult wait() { return child_.wait(); }
  [[nodiscard]] bool has_exited() const { return child_.has_exited(); }
  void kill(int sig) const { child_.kill(sig); }

 private:
  testing::Event handled_;
  ChildProcess child_;
};

/// Milliseconds of a duration, for failure messages ("1000.3 ms").
template <typename Rep, typename Period>
std::string ms(std::chrono::duration<Rep, Period> duration) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms",
                std::chrono::duration<double, std::milli>(duration).count());
  return text;
}

}  // namespace ipclab::mq_blocking::hidden

namespace ipclab::mq_blocking {

/// Fresh small queues made by the test and removed by the test itself (never by
/// the code under test), and the raw helpers bound to them.
class MqBlockingHidden : public testing::IpcTest {
 protected:
  /// A new queue of `capacity` messages of up to `message_size` bytes, made with
  /// the provided Queue::create. The test removes its name at the end.
  Queue make(long capacity, long message_size = 64, Blocking blocking = Blocking::yes) {
    name_ = mq_name("q");
    names_.push_back(name_);
    return Queue::create(name_, Limits{capacity, message_size}, blocking);
  }
  void TearDown() override {
    for (const auto& name : names_) {
      ::mq_unlink(name.c_str());
    }
    IpcTest::TearDown();
  }

  static void raw_send(const Queue& q, std::string_view text, unsigned priority = 0) {
    hidden::raw_send(q.native(), text, priority);
  }
  static void raw_send(const Queue& q, std::span<const std::byte> payload, unsigned priority = 0) {
    hidden::raw_send(q.native(), payload, priority);
  }
  static std::optional<Received> raw_take(const Queue& q) { return hidden::raw_take(q.native()); }
  static std::string take_all(const Queue& q) { return hidden::take_all(q.native()); }
  /// Messages queued, as the kernel counts them.
  static long queued(const Queue& q) { return hidden::kernel_attributes(q.native()).mq_curmsgs; }
  /// A new queue of one message, full already (fill()): a send on it waits.
  Queue make_full() {
    Queue q = make(1);
    fill(q);
    return q;
  }
  /// Fills `q` to capacity with one-byte messages "x" of priority 0, without the code under test.
  static void fill(const Queue& q) {
    for (long n = queued(q); n < hidden::kernel_attributes(q.native()).mq_maxmsg; ++n) {
      raw_send(q, "x");
    }
  }

  std::string name_;                ///< the name of the queue made last
  std::vector<std::string> names_;  ///< every queue made by this test
};

}  // namespace ipclab::mq_blocking
