// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
// Lab 05 — POSIX message queues: notification with signals, draining, the kernel's view.
// What each function must do is in include/ipclab/mq_notify.hpp. The first
// part of this file is provided (it is what Labs 03 and 04 taught); yours starts
// below it. The thread listener is in listener.cpp.
#include <fcntl.h>
#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "ipclab/bytes.hpp"
#include "ipclab/mq_notify.hpp"
#include "ipclab/time.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::mq_notify {

// ---- Provided: opening, sending, closing (Labs 03 and 04) ---------------------

Queue Queue::create(const std::string& name, Limits limits) {
  mq_attr attr{};
  attr.mq_maxmsg = limits.max_messages;
  attr.mq_msgsize = limits.message_size;
  return Queue(check(::mq_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr),
                     "mq_open", name));
}

Queue Queue::open(const std::string& name) {
  return Queue(check(::mq_open(name.c_str(), O_RDWR | O_CLOEXEC), "mq_open", name));
}

Queue::Queue(Queue&& other) noexcept : mqd_(std::exchange(other.mqd_, static_cast<mqd_t>(-1))) {}

Queue& Queue::operator=(Queue&& other) noexcept {
  if (this != &other) {
    Queue old(std::move(*this));
    mqd_ = std::exchange(other.mqd_, static_cast<mqd_t>(-1));
  }
  return *this;
}

Queue::~Queue() {
  if (mqd_ != static_cast<mqd_t>(-1)) {
    ::mq_close(mqd_);
  }
}

void Queue::send(std::span<const std::byte> message, unsigned priority) const {
  // glibc declares the buffer non-null; an empty span may carry a null pointer.
  const char* data = message.empty() ? "" : reinterpret_cast<const char*>(message.data());
  while (::mq_send(mqd_, data, message.size(), priority) == -1) {
    if (errno != EINTR) {
      throw_system_error("mq_send");
    }
  }
}

void Queue::send(std::string_view text, unsigned priority) const {
  send(to_bytes(text), priority);
}

long Queue::queued() const {
  mq_attr attr{};
  check(::mq_getattr(mqd_, &attr), "mq_getattr");
  return attr.mq_curmsgs;
}

void unlink(const std::string& name) { check(::mq_unlink(name.c_str()), "mq_unlink", name); }

// ---- Lab 05: yours ---------------------------------------------------------------

void Queue::notify_by_signal(int signo, int value) {
  IPCLAB_TODO("block signo with pthread_sigmask, then mq_notify(SIGEV_SIGNAL) with the value; EBUSY is thrown", signo, value);
}

void Queue::notify_none() {
  IPCLAB_TODO("mq_notify with SIGEV_NONE; EBUSY is thrown");
}

void Queue::notify_by_thread(void (*function)(sigval), sigval value) {
  IPCLAB_TODO("mq_notify with SIGEV_THREAD, the function and the value; EBUSY is thrown", function, value);
}

void Queue::cancel_notification() {
  IPCLAB_TODO("mq_notify with a null sigevent");
}

std::size_t Queue::drain(const Handler& handler) const {
  IPCLAB_TODO("receive until the queue is empty, never waiting (mq_timedreceive with a past deadline); call handler with each", handler);
}

std::size_t Queue::rearm_and_drain(int signo, int value, const Handler& handler) {
  IPCLAB_TODO("register again, then drain: in this order (B5.5)", signo, value, handler);
}

std::optional<SignalNotification> wait_for_signal(int signo, std::chrono::nanoseconds timeout) {
  IPCLAB_TODO("sigtimedwait for signo alone; EAGAIN means std::nullopt; EINTR waits again", signo, timeout);
}

KernelView parse_kernel_view(std::string_view text) {
  IPCLAB_TODO("split into KEY:VALUE words; all four keys required, others ignored", text);
}

KernelView kernel_view(const std::string& name, const std::filesystem::path& mount) {
  IPCLAB_TODO("read mount/NAME and parse it; a missing mount point says how to mount it", name, mount);
}

}  // namespace ipclab::mq_notify
