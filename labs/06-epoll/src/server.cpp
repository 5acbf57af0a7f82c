// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
// Lab 06 — the server: one loop over a queue, a timer and a signal reader.
// What each function must do is in include/ipclab/mq_server.hpp.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

#include "ipclab/mq_server.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::epoll {

// ---- Provided: the server's output lines -----------------------------------------

std::string message_line(const Message& message) {
  return "message priority=" + std::to_string(message.priority) + ": " + message.text;
}

std::string statistics_line(const char* label, const Statistics& stats,
                            std::chrono::milliseconds interval) {
  std::string rate = "-";
  if (stats.intervals > 0 && interval.count() > 0) {
    double seconds = static_cast<double>(stats.intervals) * static_cast<double>(interval.count()) / 1000.0;
    char text[32];
    std::snprintf(text, sizeof text, "%.1f/s", static_cast<double>(stats.fresh) / seconds);
    rate = text;
  }
  return std::string(label) + ": received=" + std::to_string(stats.received) +
         " new=" + std::to_string(stats.fresh) + " queued=" + std::to_string(stats.queued) +
         " intervals=" + std::to_string(stats.intervals) + " rate=" + rate;
}

void Server::say(const std::string& line) const {
  std::string text = line + "\n";
  std::size_t done = 0;
  while (done < text.size()) {  // one write(2) in practice; a short write finishes the line
    ssize_t wrote = ::write(output_fd_, text.data() + done, text.size() - done);
    if (wrote < 0 && errno != EINTR) {
      throw_system_error("write", errno, "the server's output");
    }
    done += wrote > 0 ? static_cast<std::size_t>(wrote) : 0;
  }
}

// ---- Lab 06: yours ------------------------------------------------------------------

Server::Server(ServerOptions options, int output_fd)
    : options_(std::move(options)),
      output_fd_(output_fd),
      signals_({SIGINT, SIGTERM}),
      queue_(Queue::create(options_.queue_name, options_.max_messages, options_.message_size)) {
  IPCLAB_TODO("start the timer, register the queue, the timer and the signals (EPOLLIN), say \"listening on NAME\"");
}

Server::~Server() {
}

int Server::run() {
  IPCLAB_TODO("run the loop until a signal stops it; return 0");
}

void Server::receive_all() {
  IPCLAB_TODO("try_receive until the queue is empty, saying message_line() for each");
}

void Server::on_tick() {
  IPCLAB_TODO("read the expirations, say statistics_line(\"stats\", ...), count afresh");
}

void Server::on_signal() {
  IPCLAB_TODO("read the signal, say which, unlink the queue, drain it, say the final statistics, stop the loop");
}

}  // namespace ipclab::epoll
