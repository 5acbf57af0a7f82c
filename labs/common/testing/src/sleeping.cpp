#include "ipclab/testing/sleeping.hpp"

#include <poll.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "ipclab/testing/blocking.hpp"
#include "ipclab/testing/child.hpp"

namespace ipclab::testing {

TaskStats task_stats(pid_t pid) {
  TaskStats stats;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream fields(line);
    std::string key;
    long value = -1;
    fields >> key >> value;
    if (key == "voluntary_ctxt_switches:") {
      stats.voluntary_switches = value;
    } else if (key == "nonvoluntary_ctxt_switches:") {
      stats.involuntary_switches = value;
    }
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  if (auto paren = text.rfind(')'); paren != std::string::npos) {
    std::istringstream fields(text.substr(paren + 1));
    std::string field;
    long utime = 0;
    for (int number = 3; number <= 15 && fields >> field; ++number) {
      if (number == 14) {
        utime = std::stol(field);
      } else if (number == 15) {
        stats.cpu_ticks = utime + std::stol(field);
      }
    }
  }
  return stats;
}

std::string describe(const TaskStats& stats) {
  return std::to_string(stats.voluntary_switches) + " voluntary and " +
         std::to_string(stats.involuntary_switches) + " involuntary context switches, " +
         std::to_string(stats.cpu_ticks) + " clock ticks of CPU time";
}

::testing::AssertionResult sleeps_in(ChildProcess& child,
                                     std::initializer_list<std::string_view> syscalls,
                                     std::chrono::milliseconds window) {
  std::string wanted;
  for (auto name : syscalls) {
    wanted += (wanted.empty() ? "" : " or ") + std::string(name);
  }
  TaskStats before;
  TaskStats after;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (auto blocked = blocked_in(child, syscalls); !blocked) {
      return blocked;
    }
    before = task_stats(child.pid());
    pollfd exit{child.exit_fd(), POLLIN, 0};
    ::poll(&exit, 1, static_cast<int>(window.count()));
    if (child.has_exited()) {
      return ::testing::AssertionFailure()
             << "child '" << child.name() << "' was waiting in " << wanted
             << ", then returned although nothing had changed: it " << child.wait().outcome();
    }
    if (auto blocked = blocked_in(child, syscalls); !blocked) {
      return blocked;
    }
    after = task_stats(child.pid());
    if (after.voluntary_switches == before.voluntary_switches &&
        after.involuntary_switches == before.involuntary_switches &&
        after.cpu_ticks <= before.cpu_ticks + 1) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "child '" << child.name() << "' was seen in " << wanted
         << ", but it does not sleep there: in " << window.count() << " ms it went from "
         << describe(before) << " to " << describe(after)
         << " (twice in a row). A wait must be one call that sleeps until there is "
            "something to do, not a loop of short or non-blocking calls";
}

}  // namespace ipclab::testing
