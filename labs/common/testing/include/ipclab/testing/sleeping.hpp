/// \file
/// \brief Proving that a process waits *asleep*: context switches and CPU time.
///
/// blocked_in() sees where a process is; a loop of short or non-blocking calls
/// is seen there too, now and then. What tells them apart is whether the
/// process wakes up: the scheduler's counters in /proc/PID/status and stat.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace ipclab::testing {

class ChildProcess;

/// What the scheduler knows about a process: how often it went to sleep of its
/// own accord, how often it was preempted, and its CPU time in clock ticks.
struct TaskStats {
  long voluntary_switches = -1;    ///< voluntary_ctxt_switches in /proc/PID/status
  long involuntary_switches = -1;  ///< nonvoluntary_ctxt_switches
  long cpu_ticks = -1;             ///< utime + stime of /proc/PID/stat
};

/// Reads TaskStats of `pid` (-1 fields when the process is gone).
TaskStats task_stats(pid_t pid);

/// "5 voluntary and 0 involuntary context switches, 1 clock ticks of CPU time".
std::string describe(const TaskStats& stats);

/// Passes when `child` waits *asleep* in one of `syscalls`: blocked in it, then,
/// after a measuring window of `window`, still blocked in it without having
/// woken up once (voluntary and involuntary context switches unchanged) or used
/// CPU time. A loop of non-blocking calls is never seen asleep in the call
/// (blocked_in fails); a loop of short timed calls is, but wakes up in the
/// window. The window orders nothing: a correct solution stays asleep however
/// long it is, and it only gives a polling loop the time to show itself. A
/// correct wait may have slept once on its way in (a page fault, an
/// allocation), so one window with a wake-up is forgiven; a polling loop wakes
/// up in both.
::testing::AssertionResult sleeps_in(ChildProcess& child,
                                     std::initializer_list<std::string_view> syscalls,
                                     std::chrono::milliseconds window = std::chrono::milliseconds(100));

}  // namespace ipclab::testing
