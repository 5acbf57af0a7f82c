/// \file
/// \brief Deadlines: converting std::chrono values to the timespecs the kernel wants.
///
/// The timed IPC calls (mq_timedreceive, sem_timedwait, ...) take an *absolute*
/// CLOCK_REALTIME deadline. Passing a relative timeout by mistake makes them
/// return ETIMEDOUT at once: the helpers here make the right thing the easy thing.
#pragma once

#include <chrono>
#include <ctime>

namespace ipclab {

/// `t` as a timespec, with 0 <= tv_nsec < 1e9 (also for times before the epoch).
timespec to_timespec(std::chrono::system_clock::time_point t) noexcept;

/// The absolute CLOCK_REALTIME deadline `timeout` from now, for the timed calls.
timespec realtime_deadline(std::chrono::nanoseconds timeout) noexcept;

/// Milliseconds left until `deadline` (0 once it has passed), rounded up, for poll().
int milliseconds_until(std::chrono::steady_clock::time_point deadline) noexcept;

}  // namespace ipclab
