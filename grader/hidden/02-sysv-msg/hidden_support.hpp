// Helpers shared by the Lab 02 hidden tests. Instructor only, like the tests.
//
// The test's own message movers (raw_send, raw_take, take_all) call msgsnd and
// msgrcv directly and never the student's code, so a failure always points at
// the function under test. The public fixture (labs/02-sysv-msg/tests) is not on
// the hidden binary's include path, hence a fixture of our own. Helpers that are
// not about System V queues come from labs/common/testing.
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

using testing::finishes_without_blocking_in;
using testing::fails_with_one_of;
using testing::first_difference;
using testing::notify_on_signal;
using testing::pattern;
using testing::show;

/// The largest payload msgsnd accepts here (/proc/sys/kernel/msgmax; 8192 by default).
inline std::size_t msgmax() {
  std::ifstream file("/proc/sys/kernel/msgmax");
  std::size_t value = 0;
  return (file >> value) && value > 0 ? value : 8192;
}

/// "type 5 \"five\"": one message for a failure message or a comparison.
inline std::string describe(const Message& message) {
  return "type " + std::to_string(message.type) + " " + show(message.payload);
}

/// Like describe(), or "nothing" for std::nullopt.
inline std::string describe(const std::optional<Message>& message) {
  return message ? describe(*message) : "nothing";
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
