#include "ipclab/testing/signals.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "ipclab/error.hpp"
#include "ipclab/testing/event.hpp"

namespace ipclab::testing {
namespace {
// One handler per process: the tests install it in a fresh child.
int handled_fd = -1;

void note_handled(int /*signal*/) {
  int saved = errno;  // the interrupted code may be about to look at errno
  if (handled_fd >= 0) {
    [[maybe_unused]] auto n = ::write(handled_fd, "!", 1);
  }
  errno = saved;
}
}  // namespace

void notify_on_signal(int sig, const Event& handled, bool restart) {
  handled_fd = handled.notify_fd();
  struct sigaction action {};
  action.sa_handler = note_handled;
  sigemptyset(&action.sa_mask);
  action.sa_flags = restart ? SA_RESTART : 0;
  check(::sigaction(sig, &action, nullptr), "sigaction");
}

}  // namespace ipclab::testing
