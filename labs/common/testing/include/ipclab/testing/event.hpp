/// \file
/// \brief Handshakes between processes: no sleeps for ordering.
#pragma once

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "ipclab/testing/deadline.hpp"
#include "ipclab/unique_fd.hpp"

namespace ipclab::testing {

class ChildProcess;

/// A cross-process event made of a pipe. Create it *before* fork; then one side
/// calls notify() and the other waits. Each notify() releases one wait().
class Event {
 public:
  explicit Event(std::string name);

  /// Releases `count` waiters (async-signal-safe: one write()).
  void notify(int count = 1) const;
  /// Waits until notified or the deadline passes; returns false at the deadline.
  bool wait(std::chrono::steady_clock::time_point deadline = default_deadline()) const;
  /// In the parent: waits until notified, failing early and clearly if `child`
  /// exits first or the deadline passes.
  ::testing::AssertionResult wait_for(
      ChildProcess& child,
      std::chrono::steady_clock::time_point deadline = default_deadline()) const;
  /// The pipe's write end, for a signal handler: `write(fd, "!", 1)` is
  /// async-signal-safe and has the effect of notify().
  [[nodiscard]] int notify_fd() const noexcept { return write_end_.get(); }
  /// In a child: waits, throwing ChildFailure at the deadline.
  void wait_or_fail(std::chrono::steady_clock::time_point deadline = default_deadline()) const;

 private:
  std::string name_;
  UniqueFd read_end_;
  UniqueFd write_end_;
};

}  // namespace ipclab::testing
