/// \file
/// \brief Lab 06 — the message queue server built on one event loop, and its client.
///
/// `mq-server` creates a POSIX message queue and serves it from one
/// ipclab::epoll::EventLoop: it prints every message it receives, prints
/// statistics every interval (a Timer), and on SIGINT or SIGTERM (a
/// SignalReader) drains what is queued, prints final statistics, removes the
/// queue and returns 0. `mq-client` sends messages to it. The programs in
/// apps/ only read their command line and call what is declared here.
#pragma once

#include <mqueue.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ipclab/epoll.hpp"

namespace ipclab::epoll {

/// \name The queue calls the server and the client need (B6.9)
/// \{

/// A message taken from a queue.
struct Message {
  std::string text;       ///< the payload, exactly as sent
  unsigned priority = 0;  ///< its priority
};

/// A queue's attributes (\man{mq_getattr,3}).
struct QueueState {
  long max_messages = 0;      ///< mq_maxmsg
  long message_size = 0;      ///< mq_msgsize
  long current_messages = 0;  ///< mq_curmsgs
};

/// An open POSIX message queue descriptor, closed by the destructor. Move-only.
/// On Linux an mqd_t is a file descriptor, so epoll can watch it (B6.9): it is
/// readable (EPOLLIN) while the queue holds a message, writable (EPOLLOUT)
/// while it has room.
class Queue {
 public:
  /// Creates the queue `name` for the server: O_RDONLY | O_CREAT | O_EXCL |
  /// O_NONBLOCK | O_CLOEXEC, mode 0600, with room for `max_messages` of up to
  /// `message_size` bytes (\man{mq_open,3}). Exclusive: an existing queue (a
  /// stale one from a crashed server, or another server's) is not reused and
  /// not removed: mq_open fails with EEXIST (B6.14). Non-blocking, because a
  /// loop must never wait anywhere but in epoll_wait.
  static Queue create(const std::string& name, long max_messages, long message_size);
  /// Opens the existing queue `name` for the client: O_WRONLY | O_CLOEXEC,
  /// blocking, so that a send to a full queue waits for room. A missing queue
  /// (no server) fails with ENOENT (B6.14).
  static Queue open(const std::string& name);
  Queue(Queue&& other) noexcept;             ///< takes over `other`'s descriptor
  Queue& operator=(Queue&& other) noexcept;  ///< swaps: `other` takes ours and closes it
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;
  ~Queue();  ///< closes the descriptor (\man{mq_close,3})

  /// Sends `text` with `priority` (\man{mq_send,3}); waits while the queue is
  /// full; EINTR is retried.
  void send(const std::string& text, unsigned priority);
  /// Takes the oldest message of the highest priority without waiting
  /// (\man{mq_receive,3} into a buffer of mq_msgsize bytes); std::nullopt when
  /// the queue is empty (EAGAIN). The server drains its queue with it (B6.9).
  std::optional<Message> try_receive();
  /// The queue's attributes (\man{mq_getattr,3}).
  [[nodiscard]] QueueState state() const;
  /// The descriptor, for EventLoop::add.
  [[nodiscard]] mqd_t native() const noexcept { return mqd_; }

 private:
  explicit Queue(mqd_t mqd) noexcept : mqd_(mqd) {}
  mqd_t mqd_ = static_cast<mqd_t>(-1);
};

/// Removes the queue's name (\man{mq_unlink,3}).
void unlink_queue(const std::string& name);

/// \}
/// \name The client (B6.14)
/// \{

/// Opens the server's queue `name`, sends each message in order (waiting
/// while the queue is full: nothing is dropped), and closes it. No server:
/// SystemError("mq_open", ENOENT), which mq-client turns into a clear message.
void send_messages(const std::string& name, std::span<const Message> messages);

/// \}
/// \name The server (B6.10 – B6.14)
/// \{

/// How mq-server is configured.
struct ServerOptions {
  std::string queue_name;                          ///< "/name"
  std::chrono::milliseconds stats_interval{1000};  ///< how often to print statistics
  long max_messages = 10;                          ///< the queue's mq_maxmsg
  long message_size = 256;                         ///< the queue's mq_msgsize
};

/// What the statistics lines count.
struct Statistics {
  long received = 0;             ///< messages received since start
  long fresh = 0;                ///< of those, received since the last statistics line
  long queued = 0;               ///< mq_curmsgs when the line is printed
  std::uint64_t intervals = 0;   ///< timer expirations since the last line (>1 when late)
};

/// The line printed for a message: `message priority=3: hello`. Provided.
std::string message_line(const Message& message);
/// A statistics line, "stats" every interval or "final" at shutdown: `stats:
/// received=12 new=3 queued=0 intervals=1 rate=3.0/s`; the rate is
/// new / (intervals × interval), and "-" when intervals is 0. Provided.
std::string statistics_line(const char* label, const Statistics& stats,
                            std::chrono::milliseconds interval);

/// The server: a queue, a timer and a signal reader in one event loop.
class Server {
 public:
  /// Blocks SIGINT and SIGTERM and opens a SignalReader for them (first, so a
  /// signal that arrives during start-up is not fatal), creates the queue
  /// (Queue::create: a stale queue is EEXIST, B6.14), starts a periodic Timer
  /// of `options.stats_interval`, registers all three, level-triggered
  /// (EPOLLIN), and prints `listening on NAME` to `output_fd`. Every line the
  /// server prints is one write(2) to `output_fd` (the caller's; not closed).
  Server(ServerOptions options, int output_fd);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  /// Removes the queue's name if run() did not (an exception ended it).
  ~Server();

  /// Runs the loop until SIGINT or SIGTERM, then returns 0 (B6.10 – B6.13):
  /// - the queue is readable: it takes every queued message with non-blocking
  ///   receives until the queue is empty, printing message_line() for each —
  ///   so messages queued together come out in priority order (B6.10);
  /// - the timer is readable: it reads the expirations and prints
  ///   statistics_line("stats", ...) with intervals = the expirations read,
  ///   then counts afresh (B6.11);
  /// - a signal is readable: it prints `signal SIGTERM from pid N` (or
  ///   SIGINT), removes the queue's name (no new client can open it), drains
  ///   what is already queued (printing each message), prints
  ///   statistics_line("final", ...) with intervals 0, and stops the loop
  ///   (B6.12). The queue is closed when the Server is destroyed.
  /// It never polls: idle, it sleeps in epoll_wait (B6.13).
  int run();

 private:
  void receive_all();  ///< drains the queue, printing each message
  void on_tick();      ///< the timer fired: print statistics
  void on_signal();    ///< SIGINT or SIGTERM: drain, final statistics, stop
  void say(const std::string& line) const;  ///< one line, one write(2)

  ServerOptions options_;
  int output_fd_;
  SignalReader signals_;  ///< first: the signals are blocked before anything else
  Queue queue_;
  Timer timer_;
  EventLoop loop_;
  Statistics stats_;
  bool unlinked_ = false;
};

/// \}

}  // namespace ipclab::epoll
