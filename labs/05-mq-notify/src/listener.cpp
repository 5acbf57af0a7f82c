// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
// Lab 05 — thread notification: a Listener that handles every message, and an
// eventfd for an event loop. What each must do is in include/ipclab/mq_notify.hpp.
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <map>
#include <mutex>
#include <utility>

#include "ipclab/mq_notify.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::mq_notify {

struct Subscription {};  // yours: what the notification thread and stop() share

Listener::Listener(const Queue& queue, Handler handler) {
  IPCLAB_TODO("register (SIGEV_THREAD), then drain what is queued; each notification: re-arm, then drain", queue, handler);
}

Listener::~Listener() { stop(); }

void Listener::stop() {
  IPCLAB_TODO("unregister, wait for a running notification, and make sure none runs after this returns");
}

std::vector<std::string> Listener::errors() const {
  IPCLAB_TODO("what the handler threw, one entry per throw");
}

NotificationEvents::NotificationEvents(const Queue& queue) {
  IPCLAB_TODO("an eventfd, then register: each notification adds 1 to it", queue);
}

NotificationEvents::~NotificationEvents() {
}

std::uint64_t NotificationEvents::take() {
  IPCLAB_TODO("read the eventfd's counter; EAGAIN means 0");
}

void NotificationEvents::rearm() {
  IPCLAB_TODO("register again with SIGEV_THREAD");
}

}  // namespace ipclab::mq_notify
