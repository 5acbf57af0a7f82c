#include "ipclab/testing/event.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "ipclab/error.hpp"
#include "ipclab/testing/child.hpp"
#include "ipclab/time.hpp"

namespace ipclab::testing {

Event::Event(std::string name) : name_(std::move(name)) {
  int fds[2];
  check(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), "pipe2");
  read_end_.reset(fds[0]);
  write_end_.reset(fds[1]);
}

void Event::notify(int count) const {
  for (int i = 0; i < count; ++i) {
    check(::write(write_end_.get(), "!", 1), "write", "event " + name_);
  }
}

bool Event::wait(std::chrono::steady_clock::time_point deadline) const {
  for (;;) {
    char token = 0;
    if (::read(read_end_.get(), &token, 1) == 1) {
      return true;  // several processes may race for one token: only one gets it
    }
    pollfd pfd{read_end_.get(), POLLIN, 0};
    int timeout = milliseconds_until(deadline);
    if (timeout == 0) {
      return false;
    }
    ::poll(&pfd, 1, timeout);
  }
}

::testing::AssertionResult Event::wait_for(ChildProcess& child,
                                           std::chrono::steady_clock::time_point deadline) const {
  for (;;) {
    char token = 0;
    if (::read(read_end_.get(), &token, 1) == 1) {
      return ::testing::AssertionSuccess();
    }
    if (child.has_exited()) {
      return ::testing::AssertionFailure()
             << "waiting for '" << name_ << "': " << child.wait().describe()
             << " before signalling it";
    }
    int timeout = milliseconds_until(deadline);
    if (timeout == 0) {
      return ::testing::AssertionFailure()
             << "waited in vain for '" << name_ << "' from child '" << child.name() << "'";
    }
    pollfd fds[2] = {{read_end_.get(), POLLIN, 0}, {child.exit_fd(), POLLIN, 0}};
    ::poll(fds, child.exit_fd() >= 0 ? 2 : 1,
           child.exit_fd() >= 0 ? timeout : std::min(timeout, 1));
  }
}

void Event::wait_or_fail(std::chrono::steady_clock::time_point deadline) const {
  if (!wait(deadline)) {
    throw ChildFailure("waited in vain for '" + name_ + "'");
  }
}

}  // namespace ipclab::testing
