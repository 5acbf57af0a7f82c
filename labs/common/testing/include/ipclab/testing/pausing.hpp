/// \file
/// \brief A child that stops half-way and waits for the test to let it go on.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "ipclab/testing/child.hpp"
#include "ipclab/testing/deadline.hpp"
#include "ipclab/testing/event.hpp"

namespace ipclab::testing {

/// A child in two halves: it runs `first`, tells the test it got there, waits
/// until the test calls go_on(), then runs `rest`. The test acts during the
/// pause, while the child holds what `first` made (a registration, a lock, an
/// open descriptor), and `rest` looks at what that did: two handshakes instead
/// of a sleep. `EXPECT_CHILD_OK(child)` works on it as on a ChildProcess.
class PausingChild {
 public:
  PausingChild(const std::string& name, const std::function<void()>& first,
               const std::function<void()>& rest = {});

  /// In the test: waits until the child is in its pause; fails early, saying
  /// how it ended, if the child ends first.
  ::testing::AssertionResult paused(
      std::chrono::steady_clock::time_point deadline = default_deadline());
  /// Ends the pause: the child runs `rest`.
  void go_on() const { go_on_.notify(); }

  /// Waits for the child to finish (see ChildProcess::wait).
  ChildResult wait(std::chrono::steady_clock::time_point deadline = default_deadline()) {
    return child_.wait(deadline);
  }
  [[nodiscard]] ChildProcess& process() noexcept { return child_; }

 private:
  Event paused_;
  Event go_on_;
  ChildProcess child_;
};

}  // namespace ipclab::testing
