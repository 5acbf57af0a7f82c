// Lab 06 — the event loop: epoll_create1, epoll_ctl, epoll_wait, and a
// dispatch that survives callbacks which change the registrations.
// What each function must do is in include/ipclab/epoll.hpp.
#include <unistd.h>

#include <array>
#include <cerrno>
#include <utility>

#include "ipclab/epoll.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::epoll {

// BEGIN SOLUTION
namespace {
// epoll hands back the 64 bits we gave it. The descriptor alone is not enough
// to find the watch: if a callback removes descriptor 7, closes it and a new
// file gets number 7, an event of the old 7 still waiting in this batch must
// not reach the new watch. So the data carries the watch's id too.
std::uint64_t pack(int fd, std::uint64_t id) {
  return (id << 32) | static_cast<std::uint32_t>(fd);
}
int fd_of(std::uint64_t data) { return static_cast<int>(data & 0xffffffffU); }
std::uint64_t id_of(std::uint64_t data) { return data >> 32; }

void control(int epoll_fd, int operation, int fd, std::uint32_t events, std::uint64_t data) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = data;
  check(::epoll_ctl(epoll_fd, operation, fd, &event), "epoll_ctl");
}
}  // namespace
// END SOLUTION

EventLoop::EventLoop() {
  // BEGIN SOLUTION
  epoll_ = UniqueFd(check(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1"));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("epoll_create1(EPOLL_CLOEXEC) into epoll_");
}

void EventLoop::add(int fd, std::uint32_t events, Callback callback) {
  // BEGIN SOLUTION
  std::uint64_t id = next_id_++;
  control(epoll_.get(), EPOLL_CTL_ADD, fd, events, pack(fd, id));  // throws before we record it
  watches_[fd] = Watch{id, std::make_shared<Callback>(std::move(callback))};
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("epoll_ctl(EPOLL_CTL_ADD); record the callback only if it succeeded", fd, events, callback);
}

void EventLoop::modify(int fd, std::uint32_t events) {
  // BEGIN SOLUTION
  auto found = watches_.find(fd);
  std::uint64_t id = found == watches_.end() ? 0 : found->second.id;
  control(epoll_.get(), EPOLL_CTL_MOD, fd, events, pack(fd, id));  // ENOENT if not watched
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("epoll_ctl(EPOLL_CTL_MOD) with the same data as add", fd, events);
}

void EventLoop::remove(int fd) {
  // BEGIN SOLUTION
  check(::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr), "epoll_ctl");
  watches_.erase(fd);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("epoll_ctl(EPOLL_CTL_DEL), then forget the callback", fd);
}

bool EventLoop::watches(int fd) const {
  // BEGIN SOLUTION
  return watches_.count(fd) != 0;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("is fd registered?", fd);
}

std::size_t EventLoop::run_once(int timeout_ms) {
  // BEGIN SOLUTION
  std::array<epoll_event, 16> events{};
  int ready = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) {
      return 0;  // a signal handler ran: the caller decides whether to wait again
    }
    throw_system_error("epoll_wait");
  }
  std::size_t called = 0;
  for (int i = 0; i < ready; ++i) {
    std::uint64_t data = events[static_cast<std::size_t>(i)].data.u64;
    // Look the watch up *now*, not before the batch: an earlier callback may
    // have removed it (or removed it and added a new one with the same number).
    auto found = watches_.find(fd_of(data));
    if (found == watches_.end() || found->second.id != id_of(data)) {
      continue;
    }
    // A copy of the shared pointer keeps the callback alive while it runs,
    // even if it removes itself (which destroys the map's entry).
    std::shared_ptr<Callback> callback = found->second.callback;
    (*callback)(events[static_cast<std::size_t>(i)].events);
    ++called;
  }
  return called;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("epoll_wait, then call each callback whose descriptor is still watched", timeout_ms);
}

void EventLoop::run() {
  // BEGIN SOLUTION
  stopping_ = false;
  while (!stopping_) {
    run_once(-1);  // sleep until something happens: never a timeout of 0
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("run_once(-1) until stop()");
}

Drained read_available(int fd, std::vector<std::byte>& into) {
  // BEGIN SOLUTION
  Drained drained;
  std::array<std::byte, 4096> buffer{};
  for (;;) {
    ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got > 0) {
      into.insert(into.end(), buffer.begin(), buffer.begin() + got);
      drained.bytes += static_cast<std::size_t>(got);
    } else if (got == 0) {
      drained.end_of_file = true;
      return drained;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return drained;  // empty now: the next arrival is a new edge
    } else if (errno != EINTR) {
      throw_system_error("read");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read until EAGAIN or end of file, appending to into", fd, into);
}

}  // namespace ipclab::epoll
