// Lab 06 — the few queue calls the server and the client need (Lab 03 taught
// them; here the server's end is non-blocking, because it waits in epoll_wait).
// What each function must do is in include/ipclab/mq_server.hpp.
#include <fcntl.h>

#include <cerrno>
#include <utility>

#include "ipclab/mq_server.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::epoll {

Queue Queue::create(const std::string& name, long max_messages, long message_size) {
  // BEGIN SOLUTION
  mq_attr attr{};
  attr.mq_maxmsg = max_messages;
  attr.mq_msgsize = message_size;
  int flags = O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC;
  return Queue(check(::mq_open(name.c_str(), flags, 0600, &attr), "mq_open", name));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_open with O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0600 and the attributes", name, max_messages, message_size);
}

Queue Queue::open(const std::string& name) {
  // BEGIN SOLUTION
  return Queue(check(::mq_open(name.c_str(), O_WRONLY | O_CLOEXEC), "mq_open", name));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_open with O_WRONLY | O_CLOEXEC (blocking)", name);
}

Queue::Queue(Queue&& other) noexcept : mqd_(std::exchange(other.mqd_, static_cast<mqd_t>(-1))) {}

Queue& Queue::operator=(Queue&& other) noexcept {
  std::swap(mqd_, other.mqd_);  // ours now belongs to `other`, whose destructor closes it
  return *this;
}

Queue::~Queue() {
  // BEGIN SOLUTION
  if (mqd_ != static_cast<mqd_t>(-1)) {
    ::mq_close(mqd_);  // errors ignored: a destructor must not throw
  }
  // END SOLUTION
  // SKELETON: // TODO(B6.9): close the descriptor if there is one (mq_close); ignore errors here.
}

void Queue::send(const std::string& text, unsigned priority) {
  // BEGIN SOLUTION
  while (::mq_send(mqd_, text.data(), text.size(), priority) != 0) {
    if (errno != EINTR) {
      throw_system_error("mq_send");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_send; retry on EINTR", text, priority);
}

std::optional<Message> Queue::try_receive() {
  // BEGIN SOLUTION
  std::string buffer(static_cast<std::size_t>(state().message_size), '\0');
  unsigned priority = 0;
  for (;;) {
    ssize_t got = ::mq_receive(mqd_, buffer.data(), buffer.size(), &priority);
    if (got >= 0) {
      buffer.resize(static_cast<std::size_t>(got));
      return Message{std::move(buffer), priority};
    }
    if (errno == EAGAIN) {
      return std::nullopt;  // empty: an answer, not an error
    }
    if (errno != EINTR) {
      throw_system_error("mq_receive");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_receive into an mq_msgsize buffer; EAGAIN means std::nullopt");
}

QueueState Queue::state() const {
  // BEGIN SOLUTION
  mq_attr attr{};
  check(::mq_getattr(mqd_, &attr), "mq_getattr");
  return {attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs};
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_getattr");
}

void unlink_queue(const std::string& name) {
  // BEGIN SOLUTION
  check(::mq_unlink(name.c_str()), "mq_unlink", name);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_unlink", name);
}

void send_messages(const std::string& name, std::span<const Message> messages) {
  // BEGIN SOLUTION
  Queue queue = Queue::open(name);
  for (const Message& message : messages) {
    queue.send(message.text, message.priority);
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("Queue::open, then send each message in order", name, messages);
}

}  // namespace ipclab::epoll
