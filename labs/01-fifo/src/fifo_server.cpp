// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
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

Server::Server(std::filesystem::path directory)
    : directory_(std::move(directory)), path_(server_fifo_path(directory_)) {
  IPCLAB_TODO("ignore SIGPIPE, make the FIFO, open the read end (O_NONBLOCK), a dummy write end, then make reads blocking");
}

Server::~Server() {
  // TODO(B1.18): remove the server FIFO. A destructor must not throw: ignore errors.
}

bool Server::serve_one(const Handler& handler) {
  IPCLAB_TODO("receive one request, call the handler, send the reply to the client's FIFO; return false if the client vanished", handler);
}

Client::Client(const std::filesystem::path& directory)
    : reply_path_(reply_fifo_path(directory, ::getpid())) {
  IPCLAB_TODO("open the server FIFO for writing (O_NONBLOCK: ENXIO = no server), then make and open the reply FIFO like the server does", directory);
}

Client::~Client() {
  // TODO(B1.18): remove the reply FIFO. A destructor must not throw: ignore errors.
}

std::vector<std::byte> Client::request(std::span<const std::byte> body,
                                       std::chrono::milliseconds timeout) {
  IPCLAB_TODO("send pid + body as one message, poll(2) the reply FIFO until the deadline, then receive the reply", body, timeout);
}

}  // namespace ipclab::fifo
