/// \file
/// \brief What a callback on another thread hands over, and a wait until enough came.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "ipclab/testing/deadline.hpp"

namespace ipclab::testing {

/// Texts added by code that runs on threads the test does not control (a
/// handler called on a notification thread), kept in the order they came. The
/// test cannot know when those threads run, so it waits for a count, with a
/// deadline, never for a time. Safe to use from several threads at once.
class Collector {
 public:
  /// Adds `text` and wakes a wait_for() that may now be satisfied.
  void add(std::string text);
  /// Waits until at least `count` texts have come; false at the deadline.
  bool wait_for(std::size_t count,
                std::chrono::steady_clock::time_point deadline = default_deadline());
  /// A copy of the texts so far, in the order they came.
  std::vector<std::string> texts();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> texts_;
};

}  // namespace ipclab::testing
