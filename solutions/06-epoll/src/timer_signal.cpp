// Lab 06 — a timer and signals as descriptors: timerfd and signalfd.
// What each function must do is in include/ipclab/epoll.hpp.
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "ipclab/epoll.hpp"
#include "ipclab/time.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::epoll {

// BEGIN SOLUTION
namespace {
timespec duration_timespec(std::chrono::nanoseconds duration) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration);
  return {static_cast<time_t>(seconds.count()),
          static_cast<long>((duration - seconds).count())};
}

// One relative timerfd_settime. A zero it_value would disarm the timer
// instead of firing at once, so durations must be positive.
void arm(int fd, std::chrono::nanoseconds first, std::chrono::nanoseconds period) {
  if (first <= std::chrono::nanoseconds::zero() || period < std::chrono::nanoseconds::zero()) {
    throw std::invalid_argument("a timer needs a positive duration (a zero it_value disarms it)");
  }
  itimerspec when{};
  when.it_value = duration_timespec(first);
  when.it_interval = duration_timespec(period);
  check(::timerfd_settime(fd, 0, &when, nullptr), "timerfd_settime");
}
}  // namespace
// END SOLUTION

Timer::Timer() {
  // BEGIN SOLUTION
  fd_ = UniqueFd(check(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd_create"));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)");
}

void Timer::start_periodic(std::chrono::nanoseconds interval) {
  // BEGIN SOLUTION
  arm(fd_.get(), interval, interval);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("timerfd_settime with it_value = it_interval = interval (positive)", interval);
}

void Timer::start_once(std::chrono::nanoseconds delay) {
  // BEGIN SOLUTION
  arm(fd_.get(), delay, std::chrono::nanoseconds::zero());
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("timerfd_settime with it_value = delay (positive), it_interval = 0", delay);
}

void Timer::stop() {
  // BEGIN SOLUTION
  itimerspec never{};  // it_value 0: disarmed
  check(::timerfd_settime(fd_.get(), 0, &never, nullptr), "timerfd_settime");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("timerfd_settime with an all-zero itimerspec");
}

std::uint64_t Timer::expirations() {
  // BEGIN SOLUTION
  std::uint64_t count = 0;
  for (;;) {
    ssize_t got = ::read(fd_.get(), &count, sizeof count);
    if (got == static_cast<ssize_t>(sizeof count)) {
      return count;
    }
    if (got < 0 && errno == EAGAIN) {
      return 0;
    }
    if (got < 0 && errno != EINTR) {
      throw_system_error("read", errno, "timerfd");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read the 8-byte expiration count; EAGAIN means 0");
}

SignalReader::SignalReader(const std::vector<int>& signals) {
  // BEGIN SOLUTION
  sigset_t set;
  sigemptyset(&set);
  for (int sig : signals) {
    check(sigaddset(&set, sig), "sigaddset");
  }
  // Block first: only a blocked signal stays pending for the signalfd to read.
  if (int error = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); error != 0) {
    throw_system_error("pthread_sigmask", error);
  }
  fd_ = UniqueFd(check(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC), "signalfd"));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("block the signals with pthread_sigmask, then signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC)", signals);
}

std::optional<SignalInfo> SignalReader::read() {
  // BEGIN SOLUTION
  signalfd_siginfo info{};
  for (;;) {
    ssize_t got = ::read(fd_.get(), &info, sizeof info);
    if (got == static_cast<ssize_t>(sizeof info)) {
      return SignalInfo{static_cast<int>(info.ssi_signo), static_cast<pid_t>(info.ssi_pid),
                        info.ssi_int};
    }
    if (got < 0 && errno == EAGAIN) {
      return std::nullopt;
    }
    if (got < 0 && errno != EINTR) {
      throw_system_error("read", errno, "signalfd");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read one signalfd_siginfo; EAGAIN means std::nullopt");
}

}  // namespace ipclab::epoll
