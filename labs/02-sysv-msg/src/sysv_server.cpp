// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
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
  // TODO(B2.22): remove the queue if owns_ (msgctl IPC_RMID); ignore errors here.
}

Server::Server(key_t key, mode_t mode) : queue_(MessageQueue::create(key, mode)) {}

bool Server::serve_one(const Handler& handler) {
  IPCLAB_TODO("receive a request_type message, split off the pid, call the handler, send the reply with type = pid", handler);
}

Client::Client(key_t key) : queue_(MessageQueue::open(key)) {}

std::vector<std::byte> Client::request(std::span<const std::byte> body) {
  IPCLAB_TODO("send pid + body with type request_type, then receive the message of type getpid()", body);
}

}  // namespace ipclab::sysv
