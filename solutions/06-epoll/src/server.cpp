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
  // BEGIN SOLUTION
  try {
    timer_.start_periodic(options_.stats_interval);
    loop_.add(queue_.native(), EPOLLIN, [this](std::uint32_t) { receive_all(); });
    loop_.add(timer_.fd(), EPOLLIN, [this](std::uint32_t) { on_tick(); });
    loop_.add(signals_.fd(), EPOLLIN, [this](std::uint32_t) { on_signal(); });
    say("listening on " + options_.queue_name);
  } catch (...) {
    unlink_queue(options_.queue_name);  // the destructor does not run when a constructor throws
    throw;
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("start the timer, register the queue, the timer and the signals (EPOLLIN), say \"listening on NAME\"");
}

Server::~Server() {
  // BEGIN SOLUTION
  if (!unlinked_) {
    ::mq_unlink(options_.queue_name.c_str());
  }
  // END SOLUTION
}

int Server::run() {
  // BEGIN SOLUTION
  loop_.run();
  return 0;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("run the loop until a signal stops it; return 0");
}

void Server::receive_all() {
  // BEGIN SOLUTION
  // Level-triggered, but drained anyway: one wake-up per burst, not per message,
  // and messages queued together come out in priority order.
  while (auto message = queue_.try_receive()) {
    ++stats_.received;
    ++stats_.fresh;
    say(message_line(*message));
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("try_receive until the queue is empty, saying message_line() for each");
}

void Server::on_tick() {
  // BEGIN SOLUTION
  std::uint64_t expired = timer_.expirations();
  if (expired == 0) {
    return;  // already read: nothing new
  }
  stats_.intervals = expired;
  stats_.queued = queue_.state().current_messages;
  say(statistics_line("stats", stats_, options_.stats_interval));
  stats_.fresh = 0;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read the expirations, say statistics_line(\"stats\", ...), count afresh");
}

void Server::on_signal() {
  // BEGIN SOLUTION
  auto signal = signals_.read();
  if (!signal) {
    return;
  }
  const char* name = signal->signal == SIGINT ? "SIGINT" : "SIGTERM";
  say(std::string("signal ") + name + " from pid " + std::to_string(signal->sender));
  unlink_queue(options_.queue_name);  // first: no new client finds the queue
  unlinked_ = true;
  receive_all();                      // then what is already queued
  stats_.intervals = 0;
  stats_.queued = queue_.state().current_messages;
  say(statistics_line("final", stats_, options_.stats_interval));
  loop_.stop();
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read the signal, say which, unlink the queue, drain it, say the final statistics, stop the loop");
}

}  // namespace ipclab::epoll
