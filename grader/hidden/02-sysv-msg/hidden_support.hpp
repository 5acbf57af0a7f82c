// Helpers shared by the Lab 02 hidden tests. Instructor only, like the tests.
//
// The test's own message movers (raw_send, raw_take, take_all) call msgsnd and
// msgrcv directly and never the student's code, so a failure always points at
// the function under test. The public fixture (labs/02-sysv-msg/tests) is not on
// the hidden binary's include path, hence a fixture of our own.
// Candidates for labs/common/testing: finishes_without_blocking_in,
// notify_on_signal, fails_with_one_of.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipclab/bytes.hpp"
#include "ipclab/error.hpp"
#include "ipclab/syscalls.hpp"
#include "ipclab/sysv_msg.hpp"
#include "ipclab/testing.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::sysv::hidden {

/// The largest payload msgsnd accepts here (/proc/sys/kernel/msgmax; 8192 by default).
inline std::size_t msgmax() {
  std::ifstream file("/proc/sys/kernel/msgmax");
  std::size_t value = 0;
  return (file >> value) && value > 0 ? value : 8192;
}

/// `size` pseudo-random bytes (NULs and 0xff among them): a lost, doubled or
/// shifted byte shows up as a difference, which a repeating pattern could hide.
inline std::vector<std::byte> pattern(std::size_t size, std::uint32_t seed) {
  std::vector<std::byte> bytes(size);
  std::uint32_t state = seed * 2246822519u + 0x27d4eb2fu;
  if (state == 0) {
    state = 1;  // xorshift never leaves 0
  }
  for (auto& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<std::byte>(state >> 23);
  }
  return bytes;
}

/// Bytes for a failure message: printable text as is, other bytes as \xNN,
/// long payloads cut after 48 bytes with their length.
inline std::string show(std::span<const std::byte> bytes) {
  std::string text = "\"";
  std::size_t shown = std::min<std::size_t>(bytes.size(), 48);
  for (std::size_t i = 0; i < shown; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      text += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(c));
      text += escaped;
    }
  }
  text += "\"";
  if (shown < bytes.size()) {
    text += "... (" + std::to_string(bytes.size()) + " bytes)";
  }
  return text;
}

/// "type 5 \"five\"": one message for a failure message or a comparison.
inline std::string describe(const Message& message) {
  return "type " + std::to_string(message.type) + " " + show(message.payload);
}

/// Like describe(), or "nothing" for std::nullopt.
inline std::string describe(const std::optional<Message>& message) {
  return message ? describe(*message) : "nothing";
}

/// Where two byte strings first differ, for a failure message.
inline std::string first_difference(std::span<const std::byte> expected,
                                    std::span<const std::byte> got) {
  auto [e, g] = std::mismatch(expected.begin(), expected.end(), got.begin(), got.end());
  if (e == expected.end() && g == got.end()) {
    return "the bytes are equal";
  }
  auto at = static_cast<std::size_t>(e - expected.begin());
  std::string text =
      "expected " + std::to_string(expected.size()) + " bytes, got " + std::to_string(got.size());
  if (e != expected.end() && g != got.end()) {
    char detail[80];
    std::snprintf(detail, sizeof detail,
                  "; first difference at byte %zu (expected 0x%02x, got 0x%02x)", at,
                  static_cast<unsigned>(*e), static_cast<unsigned>(*g));
    text += detail;
  } else {
    text += "; equal for the first " + std::to_string(at) + " bytes";
  }
  return text;
}

/// Sends with the raw system call and IPC_NOWAIT, without the code under test.
/// Throws SystemError, so that it also works inside a child process.
inline void raw_send(int id, long type, std::span<const std::byte> payload) {
  std::vector<std::byte> buffer(sizeof type + payload.size());
  std::memcpy(buffer.data(), &type, sizeof type);
  if (!payload.empty()) {
    std::memcpy(buffer.data() + sizeof type, payload.data(), payload.size());
  }
  check(::msgsnd(id, buffer.data(), payload.size(), IPC_NOWAIT), "msgsnd", "by the test");
}

inline void raw_send(int id, long type, std::string_view text) {
  raw_send(id, type, to_bytes(text));
}

/// Takes a message with the raw system call and IPC_NOWAIT (msgtyp `type`, more
/// `flags` such as MSG_EXCEPT): std::nullopt when none matches (ENOMSG). Room for
/// the largest message there is, so it never truncates.
inline std::optional<Message> raw_take(int id, long type = 0, int flags = 0) {
  std::vector<std::byte> buffer(sizeof(long) + msgmax());
  ssize_t got = ::msgrcv(id, buffer.data(), buffer.size() - sizeof(long), type, flags | IPC_NOWAIT);
  if (got < 0) {
    if (errno == ENOMSG) {
      return std::nullopt;
    }
    throw_system_error("msgrcv", errno, "by the test");
  }
  Message message;
  std::memcpy(&message.type, buffer.data(), sizeof message.type);
  auto first = buffer.begin() + static_cast<std::ptrdiff_t>(sizeof(long));
  message.payload.assign(first, first + got);
  return message;
}

/// Empties the queue with raw_take and describes what was there, oldest first:
/// "type 1 \"a\", type 3 \"b\"" ("empty" for none). Compare it to what must be left.
inline std::string take_all(int id) {
  std::string text;
  while (auto message = raw_take(id)) {
    text += (text.empty() ? "" : ", ") + describe(*message);
  }
  return text.empty() ? "empty" : text;
}

/// The kernel's view of a queue, read without the code under test (zeros when it is gone).
inline msqid_ds kernel_status(int id) {
  msqid_ds info{};
  ::msgctl(id, IPC_STAT, &info);
  return info;
}

/// True while the queue `id` exists.
inline bool queue_exists(int id) {
  msqid_ds info{};
  return ::msgctl(id, IPC_STAT, &info) == 0;
}

/// Sets msg_qbytes without the code under test (lowering needs no privilege).
inline void limit_queue(int id, std::size_t bytes) {
  msqid_ds info{};
  check(::msgctl(id, IPC_STAT, &info), "msgctl", "IPC_STAT by the test");
  info.msg_qbytes = bytes;
  check(::msgctl(id, IPC_SET, &info), "msgctl", "IPC_SET by the test");
}

/// The payload of a request as Client::request must send it: the pid as a
/// std::int32_t in host order, then the body.
inline std::vector<std::byte> request_payload(std::int32_t pid, std::span<const std::byte> body) {
  std::vector<std::byte> bytes(sizeof pid + body.size());
  std::memcpy(bytes.data(), &pid, sizeof pid);
  if (!body.empty()) {
    std::memcpy(bytes.data() + sizeof pid, body.data(), body.size());
  }
  return bytes;
}

/// Removes a queue the test made itself at the end of the scope, even when an
/// assertion returns early. For queues the code under test must remove, use
/// IpcTest::expect_queue_removed() instead, so that a leak is reported.
class RemovedAtEnd {
 public:
  explicit RemovedAtEnd(int id) noexcept : id_(id) {}
  ~RemovedAtEnd() {
    if (id_ != -1) {
      ::msgctl(id_, IPC_RMID, nullptr);
    }
  }
  RemovedAtEnd(const RemovedAtEnd&) = delete;
  RemovedAtEnd& operator=(const RemovedAtEnd&) = delete;

 private:
  int id_;
};

/// Like testing::fails_with, for calls whose errno may be either of two values
/// (a removed queue id is EINVAL; a queue removed under a waiting call is EIDRM).
template <typename Action>
::testing::AssertionResult fails_with_one_of(std::string_view call,
                                             std::initializer_list<int> errnos, Action&& action) {
  std::string names;
  for (int e : errnos) {
    names += (names.empty() ? "" : " or ") + errno_name(e);
  }
  const std::string expected = "expected " + std::string(call) + " to fail with " + names;
  try {
    action();
  } catch (const SystemError& error) {
    bool listed = std::find(errnos.begin(), errnos.end(), error.error_number()) != errnos.end();
    if (listed && error.call() == call) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << expected << "; instead " << error.call() << " failed with "
           << errno_name(error.error_number()) << " (" << error.what() << ")";
  } catch (const NotImplemented& error) {
    return ::testing::AssertionFailure() << error.what();
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure() << expected << "; instead it threw: " << error.what();
  }
  return ::testing::AssertionFailure() << expected << "; it succeeded";
}

namespace detail {
inline int signal_notify_fd = -1;
inline void notify_signal(int /*signal*/) {
  if (signal_notify_fd >= 0) {
    [[maybe_unused]] auto n = ::write(signal_notify_fd, "!", 1);  // async-signal-safe
  }
}
}  // namespace detail

/// In a child: installs a handler for `sig` that notifies `handled` each time it
/// runs. With or without SA_RESTART, a msgrcv or msgsnd waiting when the signal
/// arrives fails with EINTR (signal(7)); the parent waits for `handled` to know
/// that the interrupted call has returned.
inline void notify_on_signal(int sig, const testing::Event& handled, bool restart) {
  detail::signal_notify_fd = handled.notify_fd();
  struct sigaction action {};
  action.sa_handler = detail::notify_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = restart ? SA_RESTART : 0;
  check(::sigaction(sig, &action, nullptr), "sigaction");
}

/// Waits for `child` to finish and passes if it exited 0. Fails — and kills it —
/// if it blocks in one of `calls` first: for calls that must never wait
/// (IPC_NOWAIT, or a message that is queued already), so that a wrong solution
/// is reported in a moment with `why`, not after a deadline.
///
/// A correct call can sleep inside the kernel for a moment without waiting for
/// a message (a page fault while copying the buffer), and /proc/PID/syscall then
/// names the call too. So the verdict "blocked" needs the child to stay there for
/// a confirmation window; only a wrong solution ever pays for it.
inline ::testing::AssertionResult finishes_without_blocking_in(
    testing::ChildProcess& child, std::initializer_list<std::string_view> calls,
    std::string_view why) {
  auto deadline = testing::default_deadline();
  while (testing::blocked_in(child, calls, deadline)) {
    pollfd exited{child.exit_fd(), POLLIN, 0};
    int window = static_cast<int>(testing::scaled(std::chrono::milliseconds(300)).count());
    if (::poll(&exited, 1, window) == 1) {
      break;  // it finished after all
    }
    std::string where = current_syscall(child.pid()).value_or("?");
    if (std::find(calls.begin(), calls.end(), where) == calls.end()) {
      continue;  // it moved on: look again
    }
    child.kill(SIGKILL);
    child.wait();
    return ::testing::AssertionFailure() << why << " (child '" << child.name()
                                         << "' was blocked in " << where << "; the test killed it)";
  }
  return testing::exited_ok(child.wait(deadline));
}

/// In a child: fails the child unless `got` is `expected`, as describe() shows them.
inline void child_expect(const std::optional<Message>& got, std::string_view expected,
                         std::string_view why) {
  std::string text = describe(got);
  CHILD_REQUIRE(text == expected,
                std::string(why) + ": expected " + std::string(expected) + ", got " + text);
}

}  // namespace ipclab::sysv::hidden

namespace ipclab::sysv {

/// A private queue made and removed by the test itself (never by the code under
/// test), and the raw helpers bound to it.
class SysvHidden : public testing::IpcTest {
 protected:
  void SetUp() override {
    int id = ::msgget(IPC_PRIVATE, 0600);
    ASSERT_NE(id, -1) << "msgget(IPC_PRIVATE) by the test: " << errno_name(errno);
    queue_ = MessageQueue(id);
  }
  void TearDown() override {
    ::msgctl(queue_.id(), IPC_RMID, nullptr);
    IpcTest::TearDown();
  }

  void raw_send(long type, std::string_view text) const {
    hidden::raw_send(queue_.id(), type, text);
  }
  void raw_send(long type, std::span<const std::byte> payload) const {
    hidden::raw_send(queue_.id(), type, payload);
  }
  std::optional<Message> raw_take(long type = 0, int flags = 0) const {
    return hidden::raw_take(queue_.id(), type, flags);
  }
  std::string take_all() const { return hidden::take_all(queue_.id()); }
  msqid_ds kernel_status() const { return hidden::kernel_status(queue_.id()); }
  std::size_t queued() const { return kernel_status().msg_qnum; }
  void limit_queue(std::size_t bytes) const { hidden::limit_queue(queue_.id(), bytes); }
  bool queue_exists() const { return hidden::queue_exists(queue_.id()); }

  /// Runs `steps` (calls of the code under test, checked with CHILD_REQUIRE or
  /// hidden::child_expect) in a child that must never wait: every message they
  /// take is queued already and there is room for every message they send. A
  /// solution that waits anyway (a wrong selection, a missing IPC_NOWAIT) is
  /// killed at once and reported with `why`, instead of hanging the test.
  static ::testing::AssertionResult without_waiting(const std::function<void()>& steps,
                                                    std::string_view why) {
    testing::ChildProcess child("steps", steps);
    return hidden::finishes_without_blocking_in(child, {"msgrcv", "msgsnd"}, why);
  }

  MessageQueue queue_{-1};
};

}  // namespace ipclab::sysv
