// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
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

Timer::Timer() {
  IPCLAB_TODO("timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)");
}

void Timer::start_periodic(std::chrono::nanoseconds interval) {
  IPCLAB_TODO("timerfd_settime with it_value = it_interval = interval (positive)", interval);
}

void Timer::start_once(std::chrono::nanoseconds delay) {
  IPCLAB_TODO("timerfd_settime with it_value = delay (positive), it_interval = 0", delay);
}

void Timer::stop() {
  IPCLAB_TODO("timerfd_settime with an all-zero itimerspec");
}

std::uint64_t Timer::expirations() {
  IPCLAB_TODO("read the 8-byte expiration count; EAGAIN means 0");
}

SignalReader::SignalReader(const std::vector<int>& signals) {
  IPCLAB_TODO("block the signals with pthread_sigmask, then signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC)", signals);
}

std::optional<SignalInfo> SignalReader::read() {
  IPCLAB_TODO("read one signalfd_siginfo; EAGAIN means std::nullopt");
}

}  // namespace ipclab::epoll
