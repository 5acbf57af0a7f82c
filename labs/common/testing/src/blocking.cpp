#include "ipclab/testing/blocking.hpp"

#include <poll.h>

#include <signal.h>

#include <algorithm>
#include <string>

#include "ipclab/syscalls.hpp"
#include "ipclab/testing/child.hpp"
#include "ipclab/time.hpp"

namespace ipclab::testing {

::testing::AssertionResult blocked_in(ChildProcess& child,
                                      std::initializer_list<std::string_view> syscalls,
                                      std::chrono::steady_clock::time_point deadline) {
  std::string wanted;
  for (auto name : syscalls) {
    wanted += (wanted.empty() ? "" : " or ") + std::string(name);
  }
  std::string last_seen = "nothing";
  for (;;) {
    if (child.has_exited()) {
      return ::testing::AssertionFailure() << "expected child '" << child.name() << "' to block in "
                                           << wanted << ", but it " << child.wait().outcome();
    }
    if (auto now = current_syscall(child.pid())) {
      last_seen = *now;
      for (auto name : syscalls) {
        if (*now == name) {
          return ::testing::AssertionSuccess();
        }
      }
    }
    int timeout = milliseconds_until(deadline);
    if (timeout == 0) {
      return ::testing::AssertionFailure() << "expected child '" << child.name() << "' to block in "
                                           << wanted << "; at the deadline it was in " << last_seen;
    }
    // Look again in a millisecond, or at once if the child exits meanwhile.
    pollfd pfd{child.exit_fd(), POLLIN, 0};
    ::poll(&pfd, child.exit_fd() >= 0 ? 1 : 0, 1);
  }
}

::testing::AssertionResult finishes_without_blocking_in(
    ChildProcess& child, std::initializer_list<std::string_view> syscalls, std::string_view why) {
  auto deadline = default_deadline();
  while (blocked_in(child, syscalls, deadline)) {
    pollfd exited{child.exit_fd(), POLLIN, 0};
    int window = static_cast<int>(scaled(std::chrono::milliseconds(300)).count());
    if (::poll(&exited, 1, window) == 1) {
      break;  // it finished after all
    }
    std::string where = current_syscall(child.pid()).value_or("?");
    if (std::find(syscalls.begin(), syscalls.end(), where) == syscalls.end()) {
      continue;  // it moved on: look again
    }
    child.kill(SIGKILL);
    child.wait();
    return ::testing::AssertionFailure() << why << " (child '" << child.name()
                                         << "' was blocked in " << where << "; the test killed it)";
  }
  return exited_ok(child.wait(deadline));
}

}  // namespace ipclab::testing
