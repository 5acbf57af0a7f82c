#include "ipclab/time.hpp"

namespace ipclab {

timespec to_timespec(std::chrono::system_clock::time_point t) noexcept {
  using namespace std::chrono;
  auto since_epoch = duration_cast<nanoseconds>(t.time_since_epoch());
  auto whole = floor<seconds>(since_epoch);  // floor keeps tv_nsec >= 0 before 1970
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(whole.count());
  ts.tv_nsec = static_cast<long>((since_epoch - whole).count());
  return ts;
}

timespec realtime_deadline(std::chrono::nanoseconds timeout) noexcept {
  // system_clock is CLOCK_REALTIME on Linux, the clock the timed IPC calls use.
  return to_timespec(std::chrono::system_clock::now() + timeout);
}

int milliseconds_until(std::chrono::steady_clock::time_point deadline) noexcept {
  using namespace std::chrono;
  auto left = deadline - steady_clock::now();
  if (left <= nanoseconds::zero()) {
    return 0;
  }
  return static_cast<int>(ceil<milliseconds>(left).count());
}

}  // namespace ipclab
