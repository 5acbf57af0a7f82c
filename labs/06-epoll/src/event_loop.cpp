// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
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

EventLoop::EventLoop() {
  IPCLAB_TODO("epoll_create1(EPOLL_CLOEXEC) into epoll_");
}

void EventLoop::add(int fd, std::uint32_t events, Callback callback) {
  IPCLAB_TODO("epoll_ctl(EPOLL_CTL_ADD); record the callback only if it succeeded", fd, events, callback);
}

void EventLoop::modify(int fd, std::uint32_t events) {
  IPCLAB_TODO("epoll_ctl(EPOLL_CTL_MOD) with the same data as add", fd, events);
}

void EventLoop::remove(int fd) {
  IPCLAB_TODO("epoll_ctl(EPOLL_CTL_DEL), then forget the callback", fd);
}

bool EventLoop::watches(int fd) const {
  IPCLAB_TODO("is fd registered?", fd);
}

std::size_t EventLoop::run_once(int timeout_ms) {
  IPCLAB_TODO("epoll_wait, then call each callback whose descriptor is still watched", timeout_ms);
}

void EventLoop::run() {
  IPCLAB_TODO("run_once(-1) until stop()");
}

Drained read_available(int fd, std::vector<std::byte>& into) {
  IPCLAB_TODO("read until EAGAIN or end of file, appending to into", fd, into);
}

}  // namespace ipclab::epoll
