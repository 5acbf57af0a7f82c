// Helpers shared by the Lab 03 hidden tests. Instructor only, like the tests.
//
// The test's own queue tools (raw_create, Peek, kernel_attributes) call mq_open,
// mq_send, mq_receive and mq_getattr directly and never the student's code, so a
// failure always points at the function under test. The public fixtures
// (labs/03-mqueue/tests) are not on the hidden binary's include path, hence a
// fixture of our own.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <mqueue.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipclab/bytes.hpp"
#include "ipclab/error.hpp"
#include "ipclab/mqueue.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::mq::hidden {

using testing::first_difference;
using testing::pattern;
using testing::show;
using testing::UmaskFor;

/// A number from /proc (a limit of /proc/sys/fs/mqueue), or -1 when it cannot be read.
inline long proc_value(const char* path) {
  long value = -1;
  std::ifstream(path) >> value;
  return value;
}

inline long msg_max() { return proc_value("/proc/sys/fs/mqueue/msg_max"); }
inline long msgsize_max() { return proc_value("/proc/sys/fs/mqueue/msgsize_max"); }

/// A small deterministic pseudo-random sequence (xorshift32): the same numbers
/// on every run, so a failure can be reproduced, yet no pattern a wrong
/// solution could match by accident.
class Sequence {
 public:
  explicit Sequence(std::uint32_t seed) : state_(seed * 2654435761u + 0x6d2b79f5u) {
    if (state_ == 0) {
      state_ = 1;  // xorshift never leaves 0
    }
  }
  std::uint32_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }
  /// A number in [0, bound).
  std::uint32_t below(std::uint32_t bound) { return next() % bound; }

 private:
  std::uint32_t state_;
};

/// "priority 3 \"text\"": one message, for comparisons that print well.
inline std::string describe(unsigned priority, std::span<const std::byte> payload) {
  return "priority " + std::to_string(priority) + " " + show(payload);
}
inline std::string describe(const Received& message) {
  return describe(message.priority, message.payload);
}

/// mq_getattr by the test on any descriptor (the student's too).
inline mq_attr kernel_attributes(mqd_t mqd) {
  mq_attr attr{};
  check(::mq_getattr(mqd, &attr), "mq_getattr", "by the test");
  return attr;
}

/// Sets or clears O_NONBLOCK on a descriptor with mq_setattr, without the code
/// under test. On a descriptor that never waits, a receive from an empty queue
/// fails at once with EAGAIN: a lost message fails the test in a moment instead
/// of hanging it until the timeout.
inline void set_nonblocking(mqd_t mqd, bool nonblocking) {
  mq_attr attr{};
  attr.mq_flags = nonblocking ? O_NONBLOCK : 0;
  check(::mq_setattr(mqd, &attr, nullptr), "mq_setattr", "by the test");
}

/// Creates the queue `name` with the test's own mq_open and closes the descriptor
/// at once. Throws SystemError (EINVAL when the limits are refused).
inline void raw_create(const std::string& name, long max_messages, long message_size,
                       mode_t mode = 0600) {
  mq_attr attr{};
  attr.mq_maxmsg = max_messages;
  attr.mq_msgsize = message_size;
  mqd_t mqd = ::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode, &attr);
  check(mqd, "mq_open", "by the test: " + name);
  ::mq_close(mqd);
}

/// The test's own descriptor on an existing queue, opened O_RDWR | O_NONBLOCK:
/// its sends and takes never wait and never use the code under test.
class Peek {
 public:
  explicit Peek(const std::string& name)
      : mqd_(check(::mq_open(name.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC), "mq_open",
                   "by the test: " + name)) {}
  ~Peek() { ::mq_close(mqd_); }
  Peek(const Peek&) = delete;
  Peek& operator=(const Peek&) = delete;

  void send(std::span<const std::byte> payload, unsigned priority = 0) const {
    // mq_send's buffer is declared nonnull, and an empty vector's data() may be null.
    static const char nothing = 0;
    const char* bytes = payload.empty() ? &nothing : reinterpret_cast<const char*>(payload.data());
    check(::mq_send(mqd_, bytes, payload.size(), priority), "mq_send", "by the test");
  }
  void send(std::string_view text, unsigned priority = 0) const { send(to_bytes(text), priority); }

  /// The next message, or std::nullopt when the queue is empty.
  [[nodiscard]] std::optional<Received> take() const {
    std::vector<std::byte> buffer(static_cast<std::size_t>(attributes().mq_msgsize));
    Received message;
    ssize_t got = ::mq_receive(mqd_, reinterpret_cast<char*>(buffer.data()), buffer.size(),
                               &message.priority);
    if (got < 0) {
      if (errno == EAGAIN) {
        return std::nullopt;
      }
      throw_system_error("mq_receive", errno, "by the test");
    }
    buffer.resize(static_cast<std::size_t>(got));
    message.payload = std::move(buffer);
    return message;
  }

  /// Empties the queue and describes what was there, in delivery order:
  /// "priority 1 \"a\", priority 0 \"b\"" ("empty" for none).
  [[nodiscard]] std::string take_all() const {
    std::string text;
    while (auto message = take()) {
      text += (text.empty() ? "" : ", ") + describe(*message);
    }
    return text.empty() ? "empty" : text;
  }

  [[nodiscard]] mq_attr attributes() const { return kernel_attributes(mqd_); }
  [[nodiscard]] long count() const { return attributes().mq_curmsgs; }
  [[nodiscard]] mqd_t native() const noexcept { return mqd_; }

 private:
  mqd_t mqd_;
};

/// Unlinks `name` with the test's own mq_unlink at the end of the scope, also
/// when an assertion returns early. For tests that are not about QueueOwner, so
/// that a wrong QueueOwner fails only the tests of B3.17.
class UnlinkedAtEnd {
 public:
  explicit UnlinkedAtEnd(std::string name) : name_(std::move(name)) {}
  ~UnlinkedAtEnd() { ::mq_unlink(name_.c_str()); }
  UnlinkedAtEnd(const UnlinkedAtEnd&) = delete;
  UnlinkedAtEnd& operator=(const UnlinkedAtEnd&) = delete;

 private:
  std::string name_;
};

/// The permission bits of the queue behind a descriptor (fstat works on a queue
/// descriptor on Linux), or -1 when fstat fails.
inline int mode_of(mqd_t mqd) {
  struct stat info {};
  if (::fstat(mqd, &info) != 0) {
    return -1;
  }
  return static_cast<int>(info.st_mode & 07777);
}

/// "0640" for a failure message.
inline std::string octal(int mode) {
  char text[16];
  std::snprintf(text, sizeof text, "0%o", static_cast<unsigned>(mode));
  return text;
}

/// "O_RDONLY", "O_WRONLY" or "O_RDWR": the access mode of a descriptor, or "not open".
inline std::string access_mode_of(mqd_t mqd) {
  int flags = ::fcntl(mqd, F_GETFL);
  if (flags == -1) {
    return "not open";
  }
  switch (flags & O_ACCMODE) {
    case O_RDONLY:
      return "O_RDONLY";
    case O_WRONLY:
      return "O_WRONLY";
    default:
      return "O_RDWR";
  }
}

/// True while `fd` is an open descriptor of this process.
inline bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

/// How many descriptors this process has open (entries of /proc/self/fd, not
/// counting the one used to list them).
inline int open_descriptors() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) {
    throw_system_error("opendir", errno, "/proc/self/fd, by the test");
  }
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') {
      ++count;
    }
  }
  ::closedir(dir);
  return count - 1;
}

/// Waits until the queue behind `mqd` has a message (poll works on a queue
/// descriptor on Linux), at most until `deadline`. A lost message then fails the
/// test with a sentence, not with a hang.
inline bool wait_readable(mqd_t mqd, std::chrono::steady_clock::time_point deadline =
                                         testing::default_deadline()) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd entry{mqd, POLLIN, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready > 0) {
      return true;
    }
    if (ready < 0 && errno != EINTR) {
      throw_system_error("poll", errno, "by the test");
    }
  }
}

/// In a child: a root process gives up its privileges (as "nobody"), because
/// CAP_SYS_RESOURCE lets it exceed /proc/sys/fs/mqueue/msg_max and msgsize_max.
/// Root inside a user namespace (unshare --map-root-user) cannot become nobody,
/// but it is not privileged for those limits either: it stays as it is.
inline void become_unprivileged() {
  if (::geteuid() != 0) {
    return;
  }
  if (::setgroups(0, nullptr) == 0 && ::setresgid(65534, 65534, 65534) == 0) {
    [[maybe_unused]] int ignored = ::setresuid(65534, 65534, 65534);
  }
}

/// What the code under test passed to mq_receive or mq_timedreceive: the test
/// binary interposes both (mq_message_hidden_test.cpp) and forwards each call to
/// the C library unchanged, remembering the buffer size it was given.
struct ReceiveCalls {
  int count = 0;                   ///< calls since reset_receive_calls()
  std::size_t last_buffer = 0;     ///< msg_len of the last one
};
void reset_receive_calls();
ReceiveCalls receive_calls();

}  // namespace ipclab::mq::hidden

namespace ipclab::mq {

/// Every test's base: unique names, no leftovers, and a way to make a queue
/// with the code under test that the test itself removes at the end.
class MqHidden : public testing::IpcTest {
 protected:
  void TearDown() override {
    for (const auto& name : made_) {
      ::mq_unlink(name.c_str());
    }
    made_.clear();
    IpcTest::TearDown();
  }

  /// A new queue made with Queue::create, unlinked by the test at the end. Its
  /// descriptor never waits (O_NONBLOCK, set by the test) unless `may_wait`:
  /// receiving from an empty queue then fails at once with EAGAIN.
  Queue make(Limits limits, Access access = Access::read_write, bool may_wait = false) {
    name_ = mq_name("q");
    made_.push_back(name_);
    Queue queue = Queue::create(name_, limits, access);
    if (!may_wait) {
      hidden::set_nonblocking(queue.native(), true);
    }
    return queue;
  }

  /// A fresh unique name that the test unlinks at the end whatever happens.
  std::string cleaned_name(std::string_view tag) {
    return made_.emplace_back(mq_name(tag));
  }

  /// The name of the queue of the last make().
  std::string name_;

 private:
  std::vector<std::string> made_;
};

}  // namespace ipclab::mq
