// Lab 01 — FIFOs: a request/reply server with one reply FIFO per client.
// See include/ipclab/fifo.hpp for what each function must do.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "ipclab/fifo.hpp"
#include "ipclab/time.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::fifo {

// BEGIN SOLUTION
namespace {
// True for the errors that mean "this client is gone": the server drops the
// request and carries on instead of dying or throwing.
bool client_vanished(const SystemError& error) {
  return error.error_number() == ENOENT || error.error_number() == ENXIO ||
         error.error_number() == EPIPE;
}
}  // namespace
// END SOLUTION

Server::Server(std::filesystem::path directory)
    : directory_(std::move(directory)), path_(server_fifo_path(directory_)) {
  // BEGIN SOLUTION
  // A client that vanishes while we write its reply must cost an EPIPE, not our life.
  if (std::signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
    throw_system_error("signal");
  }
  make_fifo(path_, 0600);
  try {
    requests_ = open_fifo(path_, Direction::read, Blocking::no);
    dummy_writer_ = open_fifo(path_, Direction::write, Blocking::no);
    set_nonblocking(requests_.get(), false);
  } catch (...) {
    ::unlink(path_.c_str());
    throw;
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("ignore SIGPIPE, make the FIFO, open the read end (O_NONBLOCK), a dummy write end, then make reads blocking");
}

Server::~Server() {
  // BEGIN SOLUTION
  ::unlink(path_.c_str());
  // END SOLUTION
  // SKELETON: // TODO(B1.18): remove the server FIFO. A destructor must not throw: ignore errors.
}

bool Server::serve_one(const Handler& handler) {
  // BEGIN SOLUTION
  auto request = receive_message(requests_.get());
  if (!request) {
    throw ProtocolError("the server FIFO reached end of file: is the dummy write end open?");
  }
  std::int32_t client = 0;
  if (request->size() < sizeof client) {
    return false;  // too short to say who sent it: nobody to answer
  }
  std::memcpy(&client, request->data(), sizeof client);
  auto reply = handler(client, std::span<const std::byte>(*request).subspan(sizeof client));
  try {
    // O_NONBLOCK: if the client is gone (no reader), fail with ENXIO at once
    // instead of waiting forever for a reader that will never come.
    UniqueFd out = open_fifo(reply_fifo_path(directory_, client), Direction::write, Blocking::no);
    set_nonblocking(out.get(), false);  // a large reply may wait for the client to read
    send_message(out.get(), reply);
  } catch (const SystemError& error) {
    if (client_vanished(error)) {
      return false;
    }
    throw;
  }
  return true;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("receive one request, call the handler, send the reply to the client's FIFO; return false if the client vanished", handler);
}

Client::Client(const std::filesystem::path& directory)
    : reply_path_(reply_fifo_path(directory, ::getpid())) {
  // BEGIN SOLUTION
  // Connect first: if no server is running (ENXIO) we have created nothing yet.
  server_ = open_fifo(server_fifo_path(directory), Direction::write, Blocking::no);
  set_nonblocking(server_.get(), false);
  make_fifo(reply_path_, 0600);
  try {
    replies_ = open_fifo(reply_path_, Direction::read, Blocking::no);
    dummy_writer_ = open_fifo(reply_path_, Direction::write, Blocking::no);
    set_nonblocking(replies_.get(), false);
  } catch (...) {
    ::unlink(reply_path_.c_str());
    throw;
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("open the server FIFO for writing (O_NONBLOCK: ENXIO = no server), then make and open the reply FIFO like the server does", directory);
}

Client::~Client() {
  // BEGIN SOLUTION
  ::unlink(reply_path_.c_str());
  // END SOLUTION
  // SKELETON: // TODO(B1.18): remove the reply FIFO. A destructor must not throw: ignore errors.
}

std::vector<std::byte> Client::request(std::span<const std::byte> body,
                                       std::chrono::milliseconds timeout) {
  // BEGIN SOLUTION
  if (body.size() > max_request_body) {
    throw std::length_error("request body of " + std::to_string(body.size()) +
                            " bytes is larger than max_request_body");
  }
  std::int32_t self = ::getpid();
  std::vector<std::byte> request(sizeof self + body.size());
  std::memcpy(request.data(), &self, sizeof self);
  if (!body.empty()) {
    std::memcpy(request.data() + sizeof self, body.data(), body.size());
  }
  send_message(server_.get(), request);

  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd ready{replies_.get(), POLLIN, 0};
  for (;;) {
    int n = ::poll(&ready, 1, milliseconds_until(deadline));
    if (n == 1) {
      break;
    }
    if (n == 0) {
      throw TimeoutError("no reply from the server within " + std::to_string(timeout.count()) +
                         " ms");
    }
    if (errno != EINTR) {
      throw_system_error("poll");
    }
  }
  auto reply = receive_message(replies_.get());
  if (!reply) {
    throw ProtocolError("the reply FIFO reached end of file");
  }
  return *reply;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("send pid + body as one message, poll(2) the reply FIFO until the deadline, then receive the reply", body, timeout);
}

}  // namespace ipclab::fifo
