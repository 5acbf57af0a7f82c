// Lab 02 — System V message queues: an owner that removes its queue, and a
// multi-client server that addresses each reply by the client's pid.
#include <sys/msg.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "ipclab/sysv_msg.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::sysv {

OwnedQueue::OwnedQueue(OwnedQueue&& other) noexcept
    : queue_(other.queue_), owns_(std::exchange(other.owns_, false)) {}

OwnedQueue& OwnedQueue::operator=(OwnedQueue&& other) noexcept {
  if (this != &other) {
    OwnedQueue old(std::move(*this));  // removes our queue on the way out
    queue_ = other.queue_;
    owns_ = std::exchange(other.owns_, false);
  }
  return *this;
}

OwnedQueue::~OwnedQueue() {
  // BEGIN SOLUTION
  if (owns_) {
    ::msgctl(queue_.id(), IPC_RMID, nullptr);
  }
  // END SOLUTION
  // SKELETON: // TODO(B2.22): remove the queue if owns_ (msgctl IPC_RMID); ignore errors here.
}

Server::Server(key_t key, mode_t mode) : queue_(MessageQueue::create(key, mode)) {}

bool Server::serve_one(const Handler& handler) {
  // BEGIN SOLUTION
  Message request = queue_.get().receive({.type = request_type});
  std::int32_t client = 0;
  if (request.payload.size() < sizeof client) {
    return false;
  }
  std::memcpy(&client, request.payload.data(), sizeof client);
  auto body = std::span<const std::byte>(request.payload).subspan(sizeof client);
  // The reply's type is the client's pid: each client receives only its own.
  queue_.get().send(client, handler(client, body));
  return true;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("receive a request_type message, split off the pid, call the handler, send the reply with type = pid", handler);
}

Client::Client(key_t key) : queue_(MessageQueue::open(key)) {}

std::vector<std::byte> Client::request(std::span<const std::byte> body) {
  // BEGIN SOLUTION
  std::int32_t self = ::getpid();
  std::vector<std::byte> payload(sizeof self + body.size());
  std::memcpy(payload.data(), &self, sizeof self);
  if (!body.empty()) {
    std::memcpy(payload.data() + sizeof self, body.data(), body.size());
  }
  queue_.send(request_type, payload);
  return queue_.receive({.type = self}).payload;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("send pid + body with type request_type, then receive the message of type getpid()", body);
}

}  // namespace ipclab::sysv
