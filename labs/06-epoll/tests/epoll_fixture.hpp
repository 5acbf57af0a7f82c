// Lab 06 tests: pipes to make descriptors ready on demand, and the server run
// in a forked child whose output the test reads line by line. The hidden tests
// use this file too.
#pragma once

#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipclab/error.hpp"
#include "ipclab/mq_server.hpp"
#include "ipclab/testing.hpp"
#include "ipclab/time.hpp"

namespace ipclab::epoll {

/// Both ends of a pipe, non-blocking and close-on-exec.
struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};

inline Pipe make_pipe() {
  int fds[2];
  check(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), "pipe2", "by the test");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

/// Writes `text` to `fd` in one call (a pipe takes it whole: it is short).
inline void put(int fd, std::string_view text) {
  check(::write(fd, text.data(), text.size()), "write", "by the test");
}

/// Waits until `duration` has passed on CLOCK_MONOTONIC. Not an ordering
/// sleep: the tests of a timer need time itself to pass.
inline void let_time_pass(std::chrono::nanoseconds duration) {
  timespec until{};
  ::clock_gettime(CLOCK_MONOTONIC, &until);
  auto total = std::chrono::seconds(until.tv_sec) + std::chrono::nanoseconds(until.tv_nsec) + duration;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(total);
  until = {static_cast<time_t>(seconds.count()), static_cast<long>((total - seconds).count())};
  while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
  }
}

/// Whether a queue exists, asked without the code under test (the shared helper).
using testing::message_queue_exists;

/// A queue left behind, as a crashed server leaves it: made by the test with
/// the raw call (read-write, room for 2 messages of 16 bytes). The caller
/// closes and removes it.
inline mqd_t make_stale_queue(const std::string& name) {
  mq_attr attr{};
  attr.mq_maxmsg = 2;
  attr.mq_msgsize = 16;
  return check(::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr),
               "mq_open", "by the test");
}

/// In a child: a Server on the existing queue `name` must fail with mq_open's
/// EEXIST (B6.14); otherwise the child fails, saying what happened instead.
inline void require_server_refuses(const std::string& name) {
  ServerOptions options;
  options.queue_name = name;
  auto refused = testing::fails_with("mq_open", "EEXIST", [&] { Server server(options, STDOUT_FILENO); });
  CHILD_REQUIRE(refused, std::string("B6.14: a queue that exists already: ") + refused.message());
}

/// The server of this lab, running in a forked child: the real Server, built
/// on the code under test, writing to a pipe that the test reads.
class ServerProcess {
 public:
  explicit ServerProcess(const ServerOptions& options) {
    int fds[2];
    check(::pipe2(fds, O_CLOEXEC), "pipe2", "by the test");
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);
    child_.emplace("mq-server", [&] {
      read_end.reset();
      Server server(options, write_end.get());
      int status = server.run();
      CHILD_REQUIRE(status == 0, "Server::run() returned " + std::to_string(status) + ", not 0");
    });
    output_ = std::move(read_end);  // our copy of write_end closes here: EOF when the server ends
  }

  [[nodiscard]] testing::ChildProcess& child() { return *child_; }
  [[nodiscard]] pid_t pid() const { return child_->pid(); }

  /// The next line the server printed, without its newline; std::nullopt when
  /// the server ended its output or the deadline passed (ended() tells which).
  std::optional<std::string> next_line(
      std::chrono::steady_clock::time_point deadline = testing::default_deadline()) {
    for (;;) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      if (ended_) {
        return std::nullopt;
      }
      pollfd ready{output_.get(), POLLIN, 0};
      int n = ::poll(&ready, 1, milliseconds_until(deadline));
      if (n == 0) {
        return std::nullopt;
      }
      if (n < 0) {
        continue;  // EINTR
      }
      char chunk[4096];
      ssize_t got = ::read(output_.get(), chunk, sizeof chunk);
      if (got > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(got));
      } else if (got == 0) {
        ended_ = true;
      }
    }
  }

  /// Reads lines until one starts with `prefix`; every line read is appended
  /// to `lines` (the matching one last). Fails, naming what was seen, when the
  /// output ends or the deadline passes first.
  ::testing::AssertionResult read_until(
      std::string_view prefix, std::vector<std::string>& lines,
      std::chrono::steady_clock::time_point deadline = testing::default_deadline()) {
    while (auto line = next_line(deadline)) {
      lines.push_back(*line);
      if (line->rfind(prefix, 0) == 0) {
        return ::testing::AssertionSuccess();
      }
    }
    auto failure = ::testing::AssertionFailure();
    failure << "expected the server to print a line starting with \"" << prefix << "\"; "
            << (ended_ ? "its output ended" : "none came before the deadline");
    if (ended_) {
      failure << " (" << child_->wait().describe() << ")";
    }
    failure << ". It printed " << lines.size() << " line(s)";
    if (!lines.empty()) {
      failure << ", the last: \"" << lines.back() << "\"";
    }
    return failure;
  }

  /// The rest of the output, up to its end (the server exits) or the deadline.
  std::vector<std::string> rest(
      std::chrono::steady_clock::time_point deadline = testing::default_deadline()) {
    std::vector<std::string> lines;
    while (auto line = next_line(deadline)) {
      lines.push_back(*line);
    }
    return lines;
  }

 private:
  std::optional<testing::ChildProcess> child_;
  UniqueFd output_;
  std::string buffer_;
  bool ended_ = false;
};

/// The value of `key=` in a statistics line ("received=12 ..." gives 12), or -1.
inline long field(const std::string& line, std::string_view key) {
  std::string needle = " " + std::string(key) + "=";
  auto at = line.find(needle);
  if (at == std::string::npos) {
    return -1;
  }
  return std::strtol(line.c_str() + at + needle.size(), nullptr, 10);
}

/// Base fixture of the Lab 06 tests.
class EpollTest : public testing::IpcTest {
 protected:
  /// Options for a server on a fresh queue name (checked for leaks at the end).
  ServerOptions server_options(std::chrono::milliseconds interval = std::chrono::hours(1),
                               long max_messages = 10) {
    ServerOptions options;
    options.queue_name = mq_name("server");
    options.stats_interval = interval;
    options.max_messages = max_messages;
    options.message_size = 128;
    return options;
  }
};

}  // namespace ipclab::epoll
