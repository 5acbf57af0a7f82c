#include "ipclab/testing/pausing.hpp"

namespace ipclab::testing {

PausingChild::PausingChild(const std::string& name, const std::function<void()>& first,
                           const std::function<void()>& rest)
    : paused_("the " + name + " reached its pause"),
      go_on_("the test lets the " + name + " go on"),
      child_(name, [&] {
        first();
        paused_.notify();
        go_on_.wait_or_fail();
        if (rest) {
          rest();
        }
      }) {}

::testing::AssertionResult PausingChild::paused(std::chrono::steady_clock::time_point deadline) {
  return paused_.wait_for(child_, deadline);
}

}  // namespace ipclab::testing
