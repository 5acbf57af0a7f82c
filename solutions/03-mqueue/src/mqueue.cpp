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

// BEGIN SOLUTION
namespace {
int access_flags(Access access) {
  switch (access) {
    case Access::read_only:
      return O_RDONLY;
    case Access::write_only:
      return O_WRONLY;
    case Access::read_write:
      break;
  }
  return O_RDWR;
}

void require_valid_name(const std::string& name) {
  if (auto problem = name_problem(name); !problem.empty()) {
    throw std::invalid_argument("invalid queue name \"" + name + "\": " + problem);
  }
}

long read_limit(const char* path) {
  long value = -1;
  std::ifstream(path) >> value;
  return value;
}

// EINVAL from mq_open with O_CREAT usually means a limit was exceeded: say which.
std::string explain_limits(const Limits& limits) {
  constexpr const char* kMsgMax = "/proc/sys/fs/mqueue/msg_max";
  constexpr const char* kMsgSizeMax = "/proc/sys/fs/mqueue/msgsize_max";
  long msg_max = read_limit(kMsgMax);
  long msgsize_max = read_limit(kMsgSizeMax);
  std::string why;
  if (limits.max_messages <= 0 || limits.message_size <= 0) {
    why = "mq_maxmsg and mq_msgsize must be positive";
  } else if (msg_max > 0 && limits.max_messages > msg_max) {
    why = "mq_maxmsg " + std::to_string(limits.max_messages) + " > " + kMsgMax + " " +
          std::to_string(msg_max);
  } else if (msgsize_max > 0 && limits.message_size > msgsize_max) {
    why = "mq_msgsize " + std::to_string(limits.message_size) + " > " + kMsgSizeMax + " " +
          std::to_string(msgsize_max);
  }
  return why;
}
}  // namespace
// END SOLUTION

std::string name_problem(std::string_view name) {
  // BEGIN SOLUTION
  if (name.empty() || name.front() != '/') {
    return "it must start with \"/\"";
  }
  if (name.size() == 1) {
    return "it needs at least one character after the \"/\"";
  }
  if (name.find('/', 1) != std::string_view::npos) {
    return "it must not contain a \"/\" after the first character";
  }
  if (name.size() - 1 > NAME_MAX) {
    return "it is longer than NAME_MAX (" + std::to_string(NAME_MAX) + ") after the \"/\"";
  }
  return {};
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("return why the name is invalid (see the header), or an empty string", name);
}

unsigned max_priority() {
  // BEGIN SOLUTION
  return static_cast<unsigned>(check(::sysconf(_SC_MQ_PRIO_MAX), "sysconf") - 1);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("sysconf(_SC_MQ_PRIO_MAX) - 1");
}

Queue Queue::create(const std::string& name, Limits limits, Access access, mode_t mode) {
  // BEGIN SOLUTION
  require_valid_name(name);
  mq_attr attr{};
  attr.mq_maxmsg = limits.max_messages;
  attr.mq_msgsize = limits.message_size;
  mqd_t mqd =
      ::mq_open(name.c_str(), access_flags(access) | O_CREAT | O_EXCL | O_CLOEXEC, mode, &attr);
  if (mqd == static_cast<mqd_t>(-1)) {
    int error = errno;
    throw_system_error("mq_open", error,
                       error == EINVAL ? name + ": " + explain_limits(limits) : name);
  }
  return Queue(mqd);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("check the name, then mq_open(3) with O_CREAT | O_EXCL and an mq_attr; on EINVAL say which limit", name, limits, access, mode);
}

Queue Queue::create_or_open(const std::string& name, Access access, mode_t mode) {
  // BEGIN SOLUTION
  require_valid_name(name);
  return Queue(
      check(::mq_open(name.c_str(), access_flags(access) | O_CREAT | O_CLOEXEC, mode, nullptr),
            "mq_open", name));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("check the name, then mq_open(3) with O_CREAT and a NULL mq_attr", name, access, mode);
}

Queue Queue::open(const std::string& name, Access access) {
  // BEGIN SOLUTION
  require_valid_name(name);
  return Queue(check(::mq_open(name.c_str(), access_flags(access) | O_CLOEXEC), "mq_open", name));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("check the name, then mq_open(3) without O_CREAT", name, access);
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
  // BEGIN SOLUTION
  if (mqd_ != static_cast<mqd_t>(-1)) {
    ::mq_close(mqd_);
  }
  // END SOLUTION
  // SKELETON: // TODO(B3.17): close the descriptor if there is one (mq_close); ignore errors here.
}

void Queue::send(std::span<const std::byte> message, unsigned priority) {
  // BEGIN SOLUTION
  // An empty span may hold a null pointer, and glibc declares mq_send's buffer
  // non-null: point at a real (unread) byte for a zero-length message.
  const char* data = message.empty() ? "" : reinterpret_cast<const char*>(message.data());
  check(::mq_send(mqd_, data, message.size(), priority), "mq_send");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_send(3); for an empty message pass \"\", not the span's data(), which may be null", message, priority);
}

Received Queue::receive() {
  // BEGIN SOLUTION
  // The buffer must hold mq_msgsize bytes, whatever the next message's length:
  // the kernel refuses a smaller one (EMSGSIZE) without looking at the message.
  Received received;
  received.payload.resize(static_cast<std::size_t>(attributes().message_size));
  std::size_t length = receive_into(received.payload, received.priority);
  received.payload.resize(length);
  return received;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("size a buffer from attributes().message_size, receive_into it, shrink it to the length");
}

std::size_t Queue::receive_into(std::span<std::byte> buffer, unsigned& priority) {
  // BEGIN SOLUTION
  return static_cast<std::size_t>(
      check(::mq_receive(mqd_, reinterpret_cast<char*>(buffer.data()), buffer.size(), &priority),
            "mq_receive"));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_receive(3) into the buffer, storing the priority", buffer, priority);
}

Attributes Queue::attributes() const {
  // BEGIN SOLUTION
  mq_attr attr{};
  check(::mq_getattr(mqd_, &attr), "mq_getattr");
  return {attr.mq_maxmsg, attr.mq_msgsize, attr.mq_curmsgs, (attr.mq_flags & O_NONBLOCK) != 0};
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_getattr(3), then copy the fields");
}

void unlink(const std::string& name) {
  // BEGIN SOLUTION
  check(::mq_unlink(name.c_str()), "mq_unlink", name);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("mq_unlink(3)", name);
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
  // BEGIN SOLUTION
  if (!name_.empty()) {
    ::mq_unlink(name_.c_str());
  }
  // END SOLUTION
  // SKELETON: // TODO(B3.17): unlink the name if there is one (mq_unlink); ignore errors here.
}

}  // namespace ipclab::mq
