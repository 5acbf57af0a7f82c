// Lab 04 — POSIX message queues: blocking, O_NONBLOCK and timed calls.
// What each function must do is in include/ipclab/mq_blocking.hpp. The first
// part of this file is provided (it is what Lab 03 taught); yours starts below it.
#include <fcntl.h>

#include <cerrno>
#include <utility>

#include "ipclab/mq_blocking.hpp"
#include "ipclab/time.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::mq_blocking {

// ---- Provided: opening, closing, attributes (Lab 03) -------------------------

Queue Queue::create(const std::string& name, Limits limits, Blocking blocking) {
  mq_attr attr{};
  attr.mq_maxmsg = limits.max_messages;
  attr.mq_msgsize = limits.message_size;
  int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | (blocking == Blocking::no ? O_NONBLOCK : 0);
  return Queue(check(::mq_open(name.c_str(), flags, 0600, &attr), "mq_open", name));
}

Queue Queue::open(const std::string& name, Blocking blocking) {
  int flags = O_RDWR | O_CLOEXEC | (blocking == Blocking::no ? O_NONBLOCK : 0);
  return Queue(check(::mq_open(name.c_str(), flags), "mq_open", name));
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

Attributes Queue::attributes() const {
  mq_attr attr{};
  check(::mq_getattr(mqd_, &attr), "mq_getattr");
  return {attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs, (attr.mq_flags & O_NONBLOCK) != 0};
}

void unlink(const std::string& name) { check(::mq_unlink(name.c_str()), "mq_unlink", name); }

// ---- Lab 04: yours -------------------------------------------------------------

// BEGIN SOLUTION
namespace {
// The one place that sends: a null deadline waits forever. glibc declares the
// buffer and the deadline of mq_timedsend non-null, so "no deadline" goes to
// mq_send (the same system call, mq_timedsend, with no timeout) and a
// zero-length message points at a real byte.
bool timed_send(mqd_t mqd, std::span<const std::byte> message, unsigned priority,
                const timespec* deadline, OnSignal on_signal) {
  const char* data = message.empty() ? "" : reinterpret_cast<const char*>(message.data());
  for (;;) {
    int sent = deadline == nullptr ? ::mq_send(mqd, data, message.size(), priority)
                                   : ::mq_timedsend(mqd, data, message.size(), priority, deadline);
    if (sent == 0) {
      return true;
    }
    if (errno == EAGAIN || errno == ETIMEDOUT) {
      return false;  // no room: an answer, not an error
    }
    if (errno == EINTR && on_signal == OnSignal::retry) {
      continue;  // the deadline is absolute: retrying keeps the same end point
    }
    throw_system_error("mq_timedsend");
  }
}

std::optional<Received> timed_receive(const Queue& queue, const timespec* deadline,
                                      OnSignal on_signal) {
  Received received;
  received.payload.resize(static_cast<std::size_t>(queue.attributes().message_size));
  for (;;) {
    auto* buffer = reinterpret_cast<char*>(received.payload.data());
    ssize_t length =
        deadline == nullptr
            ? ::mq_receive(queue.native(), buffer, received.payload.size(), &received.priority)
            : ::mq_timedreceive(queue.native(), buffer, received.payload.size(),
                                &received.priority, deadline);
    if (length >= 0) {
      received.payload.resize(static_cast<std::size_t>(length));
      return received;
    }
    if (errno == EAGAIN || errno == ETIMEDOUT) {
      return std::nullopt;  // no message: an answer, not an error
    }
    if (errno == EINTR && on_signal == OnSignal::retry) {
      continue;
    }
    throw_system_error("mq_timedreceive");
  }
}
}  // namespace
// END SOLUTION

bool Queue::send(std::span<const std::byte> message, unsigned priority, OnSignal on_signal) {
  // BEGIN SOLUTION
  return timed_send(mqd_, message, priority, nullptr, on_signal);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_send (never mq_timedsend with a null deadline: glibc declares it non-null); EAGAIN means false; EINTR as on_signal says", message, priority, on_signal);
}

std::optional<Received> Queue::receive(OnSignal on_signal) {
  // BEGIN SOLUTION
  return timed_receive(*this, nullptr, on_signal);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_receive into an mq_msgsize buffer: EAGAIN means std::nullopt; EINTR as on_signal says", on_signal);
}

Attributes Queue::set_nonblocking(bool nonblocking) {
  // BEGIN SOLUTION
  mq_attr wanted{};
  wanted.mq_flags = nonblocking ? O_NONBLOCK : 0;  // the only field mq_setattr uses
  mq_attr old{};
  check(::mq_setattr(mqd_, &wanted, &old), "mq_setattr");
  return {old.mq_maxmsg, old.mq_msgsize, old.mq_curmsgs, (old.mq_flags & O_NONBLOCK) != 0};
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_setattr(3) with only mq_flags set; return the old attributes", nonblocking);
}

bool Queue::send_until(std::span<const std::byte> message, unsigned priority,
                       std::chrono::system_clock::time_point deadline, OnSignal on_signal) {
  // BEGIN SOLUTION
  timespec when = to_timespec(deadline);
  return timed_send(mqd_, message, priority, &when, on_signal);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_timedsend(3) with the deadline as an absolute timespec; ETIMEDOUT means false", message, priority, deadline, on_signal);
}

bool Queue::send_for(std::span<const std::byte> message, unsigned priority,
                     std::chrono::nanoseconds timeout, OnSignal on_signal) {
  // BEGIN SOLUTION
  timespec when = realtime_deadline(timeout);  // computed once: retries keep it
  return timed_send(mqd_, message, priority, &when, on_signal);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("compute the absolute CLOCK_REALTIME deadline once, then send until it", message, priority, timeout, on_signal);
}

std::optional<Received> Queue::receive_until(std::chrono::system_clock::time_point deadline,
                                             OnSignal on_signal) {
  // BEGIN SOLUTION
  timespec when = to_timespec(deadline);
  return timed_receive(*this, &when, on_signal);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_timedreceive(3) with the deadline as an absolute timespec; ETIMEDOUT means std::nullopt", deadline, on_signal);
}

std::optional<Received> Queue::receive_for(std::chrono::nanoseconds timeout, OnSignal on_signal) {
  // BEGIN SOLUTION
  timespec when = realtime_deadline(timeout);
  return timed_receive(*this, &when, on_signal);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("compute the absolute CLOCK_REALTIME deadline once, then receive until it", timeout, on_signal);
}

std::optional<Received> Queue::receive_until(const timespec& deadline) {
  // BEGIN SOLUTION
  return timed_receive(*this, &deadline, OnSignal::stop);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("pass the timespec to mq_timedreceive(3) unchanged", deadline);
}

bool Queue::send_with_timeout(std::span<const std::byte> message, unsigned priority,
                              unsigned seconds) {
  // BEGIN SOLUTION
  if (seconds == 0) {
    return send(message, priority);
  }
  return send_for(message, priority, std::chrono::seconds(seconds));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("0: a plain blocking send; otherwise send_for", message, priority, seconds);
}

std::optional<Received> Queue::receive_with_timeout(unsigned seconds) {
  // BEGIN SOLUTION
  if (seconds == 0) {
    return receive();
  }
  return receive_for(std::chrono::seconds(seconds));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("0: a plain blocking receive; otherwise receive_for", seconds);
}

}  // namespace ipclab::mq_blocking
