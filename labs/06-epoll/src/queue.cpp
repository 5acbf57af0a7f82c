// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
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
  IPCLAB_TODO("mq_open with O_RDONLY | O_CREAT | O_EXCL | O_NONBLOCK | O_CLOEXEC, 0600 and the attributes", name, max_messages, message_size);
}

Queue Queue::open(const std::string& name) {
  IPCLAB_TODO("mq_open with O_WRONLY | O_CLOEXEC (blocking)", name);
}

Queue::Queue(Queue&& other) noexcept : mqd_(std::exchange(other.mqd_, static_cast<mqd_t>(-1))) {}

Queue& Queue::operator=(Queue&& other) noexcept {
  std::swap(mqd_, other.mqd_);  // ours now belongs to `other`, whose destructor closes it
  return *this;
}

Queue::~Queue() {
  // TODO(B6.9): close the descriptor if there is one (mq_close); ignore errors here.
}

void Queue::send(const std::string& text, unsigned priority) {
  IPCLAB_TODO("mq_send; retry on EINTR", text, priority);
}

std::optional<Message> Queue::try_receive() {
  IPCLAB_TODO("mq_receive into an mq_msgsize buffer; EAGAIN means std::nullopt");
}

QueueState Queue::state() const {
  IPCLAB_TODO("mq_getattr");
}

void unlink_queue(const std::string& name) {
  IPCLAB_TODO("mq_unlink", name);
}

void send_messages(const std::string& name, std::span<const Message> messages) {
  IPCLAB_TODO("Queue::open, then send each message in order", name, messages);
}

}  // namespace ipclab::epoll
