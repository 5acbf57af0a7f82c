/// \file
/// \brief Named kernel objects in tests: is one there, and one removed at the end.
#pragma once

#include <functional>
#include <string>

namespace ipclab::testing {

/// True while a POSIX message queue called `name` exists. The test asks with its
/// own mq_open (read-only, closed at once), never through the code under test.
bool message_queue_exists(const std::string& name);

/// The name of a kernel object, removed with `remove` at the end of the scope:
/// also when an assertion ends the test early, so that a failing test reports
/// its own failure and not a leftover as well. `remove` is the lab's own call
/// (unlink_shared_memory), which the test thus still uses at its end. A removal
/// that throws fails the test, unless the test is failing already (an assertion
/// failed, or an exception is on its way out): the object may never have been made.
class ScopedName {
 public:
  ScopedName(std::string name, std::function<void(const std::string&)> remove);
  ~ScopedName();
  ScopedName(const ScopedName&) = delete;
  ScopedName& operator=(const ScopedName&) = delete;

  [[nodiscard]] const std::string& str() const noexcept { return name_; }
  /// Reads as the name wherever a name is expected: `SharedMemory::create(name, 64)`.
  operator const std::string&() const noexcept { return name_; }

 private:
  std::string name_;
  std::function<void(const std::string&)> remove_;
  int exceptions_at_start_;
};

}  // namespace ipclab::testing
