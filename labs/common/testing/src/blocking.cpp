#include "ipclab/testing/blocking.hpp"

#include <poll.h>

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

}  // namespace ipclab::testing
