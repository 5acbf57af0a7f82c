// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
// Lab 03 — POSIX message queues: names, opening, sending and receiving.
// What each function must do is in include/ipclab/mqueue.hpp.
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "ipclab/mqueue.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::mq {

std::string name_problem(std::string_view name) {
  IPCLAB_TODO("return why the name is invalid (see the header), or an empty string", name);
}

unsigned max_priority() {
  IPCLAB_TODO("sysconf(_SC_MQ_PRIO_MAX) - 1");
}

Queue Queue::create(const std::string& name, Limits limits, Access access, mode_t mode) {
  IPCLAB_TODO("check the name, then mq_open(3) with O_CREAT | O_EXCL and an mq_attr; on EINVAL say which limit", name, limits, access, mode);
}

Queue Queue::create_or_open(const std::string& name, Access access, mode_t mode) {
  IPCLAB_TODO("check the name, then mq_open(3) with O_CREAT and a NULL mq_attr", name, access, mode);
}

Queue Queue::open(const std::string& name, Access access) {
  IPCLAB_TODO("check the name, then mq_open(3) without O_CREAT", name, access);
}

Queue::Queue(Queue&& other) noexcept : mqd_(std::exchange(other.mqd_, static_cast<mqd_t>(-1))) {}

Queue& Queue::operator=(Queue&& other) noexcept {
  if (this != &other) {
    Queue old(std::move(*this));  // closes our descriptor on the way out
    mqd_ = std::exchange(other.mqd_, static_cast<mqd_t>(-1));
  }
  return *this;
}

Queue::~Queue() {
  // TODO(B3.17): close the descriptor if there is one (mq_close); ignore errors here.
}

void Queue::send(std::span<const std::byte> message, unsigned priority) {
  IPCLAB_TODO("mq_send(3); for an empty message pass \"\", not the span's data(), which may be null", message, priority);
}

Received Queue::receive() {
  IPCLAB_TODO("size a buffer from attributes().message_size, receive_into it, shrink it to the length");
}

std::size_t Queue::receive_into(std::span<std::byte> buffer, unsigned& priority) {
  IPCLAB_TODO("mq_receive(3) into the buffer, storing the priority", buffer, priority);
}

Attributes Queue::attributes() const {
  IPCLAB_TODO("mq_getattr(3), then copy the fields");
}

void unlink(const std::string& name) {
  IPCLAB_TODO("mq_unlink(3)", name);
}

QueueOwner::QueueOwner(QueueOwner&& other) noexcept : name_(std::exchange(other.name_, {})) {}

QueueOwner& QueueOwner::operator=(QueueOwner&& other) noexcept {
  if (this != &other) {
    QueueOwner old(std::move(*this));  // unlinks our name on the way out
    name_ = std::exchange(other.name_, {});
  }
  return *this;
}

QueueOwner::~QueueOwner() {
  // TODO(B3.17): unlink the name if there is one (mq_unlink); ignore errors here.
}

}  // namespace ipclab::mq
