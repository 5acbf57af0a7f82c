/// \file
/// \brief Lab 06 — one event loop: epoll, timerfd and signalfd.
///
/// A server that must react to messages, to a clock and to signals can block in
/// one place only. Linux turns each source into a file descriptor — a timer
/// into a timerfd, signals into a signalfd, a POSIX queue already is one — and
/// \man{epoll,7} waits on all of them at once. This header is the loop and the
/// two wrappers; ipclab/mq_server.hpp builds the server on them. The behaviour
/// ids (B6.n) are those of the handout, docs/labs/06-epoll.md, and of the tests.
///
/// Errors: a failing call throws ipclab::SystemError naming it ("epoll_ctl",
/// "timerfd_settime"...). "Nothing there yet" (EAGAIN on a non-blocking read)
/// is an answer, not an error: 0 or std::nullopt.
#pragma once

#include <sys/epoll.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "ipclab/error.hpp"
#include "ipclab/unique_fd.hpp"

/// Lab 06: an epoll event loop with a timerfd and a signalfd, and the message
/// queue server built on them (mq_server.hpp), explained in \ref lab06 "the handout".
namespace ipclab::epoll {

/// \name The event loop (B6.1 – B6.6)
/// \{

/// One epoll instance and a callback per registered descriptor. Move-less:
/// callbacks usually capture the object that owns the loop.
class EventLoop {
 public:
  /// Called with the events epoll reported (EPOLLIN, EPOLLOUT, EPOLLHUP...).
  using Callback = std::function<void(std::uint32_t events)>;

  /// Creates the epoll instance with \man{epoll_create1,2} and EPOLL_CLOEXEC,
  /// so that a program this process executes does not inherit it (B6.1).
  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Watches `fd` for `events` (EPOLLIN, EPOLLOUT, with EPOLLET for
  /// edge-triggered) and calls `callback` when some occur (B6.1).
  ///
  /// Maps to \man{epoll_ctl,2} EPOLL_CTL_ADD. Errors are those of epoll_ctl,
  /// thrown as SystemError("epoll_ctl") (B6.2): a descriptor already watched is
  /// EEXIST, a regular file (always ready, so never worth waiting for) is EPERM,
  /// a closed descriptor EBADF. After a failed add nothing is registered: the
  /// old callback of an EEXIST descriptor is still the one called.
  void add(int fd, std::uint32_t events, Callback callback);

  /// Changes the events watched on `fd`, keeping its callback (B6.1).
  /// EPOLL_CTL_MOD; a descriptor not watched is ENOENT (B6.2).
  void modify(int fd, std::uint32_t events);

  /// Stops watching `fd` (EPOLL_CTL_DEL) and forgets its callback; a
  /// descriptor not watched is ENOENT (B6.2).
  ///
  /// Call it *before* closing `fd` (B6.5). epoll registers the open file
  /// description, not the number: while a dup() of the descriptor (or a forked
  /// child's copy) keeps the description open, closing `fd` does not end the
  /// registration, and its events go on arriving for a number that is closed
  /// or, worse, already reused by another file. Safe during a callback: a
  /// descriptor removed by one callback is not called later in the same batch
  /// of events, even when a new registration reuses its number (B6.5).
  void remove(int fd);

  /// True while `fd` is watched (between add and remove).
  [[nodiscard]] bool watches(int fd) const;

  /// Waits once for events with \man{epoll_wait,2} — at most `timeout_ms`
  /// milliseconds, -1 for no limit, 0 for a look without waiting — and calls
  /// the callback of each descriptor that has some, in the order epoll reports
  /// them. Returns the number of callbacks called (0 on a timeout or EINTR).
  ///
  /// B6.3: a level-triggered descriptor is reported at every call while its
  /// condition holds (unread data). B6.4: an edge-triggered one (EPOLLET) only
  /// when something new arrives. B6.5: a callback may remove or close any
  /// descriptor, itself included; one removed earlier in the batch is not
  /// called. B6.6: a callback may add descriptors; they are seen from the next
  /// wait on. An exception from a callback ends run_once and passes through.
  std::size_t run_once(int timeout_ms = -1);

  /// Calls run_once(-1) until stop(): the loop sleeps in epoll_wait whenever
  /// nothing is ready, never polls (B6.6, B6.13).
  void run();

  /// Makes run() return once the current batch of callbacks is done (B6.6).
  void stop() noexcept { stopping_ = true; }

  /// The epoll descriptor.
  [[nodiscard]] int native() const noexcept { return epoll_.get(); }

 private:
  /// \cond INTERNAL
  /// What the loop keeps per watched descriptor.
  struct Watch {
    std::uint64_t id = 0;                ///< unique per add(): a reused number is a new watch
    std::shared_ptr<Callback> callback;  ///< shared: a callback may remove itself while it runs
  };
  UniqueFd epoll_;
  std::map<int, Watch> watches_;  ///< by descriptor
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  /// \endcond
};

/// What read_available() found.
struct Drained {
  std::size_t bytes = 0;     ///< how many bytes it appended
  bool end_of_file = false;  ///< read() returned 0: the writers are gone
};

/// Reads everything `fd` has now, appending it to `into`: \man{read,2} again
/// and again until it fails with EAGAIN (nothing left) or returns 0 (end of
/// file). `fd` must be non-blocking (O_NONBLOCK), or the last read waits.
///
/// B6.4: this is what an edge-triggered callback must do. epoll reports the
/// descriptor once per arrival; data a callback leaves behind is not reported
/// again until more arrives, so one read() per event stalls for ever. EINTR is
/// retried; other errors throw SystemError("read").
Drained read_available(int fd, std::vector<std::byte>& into);

/// \}
/// \name timerfd (B6.7)
/// \{

/// A timer as a descriptor: readable when it has expired (\man{timerfd_create,2}).
class Timer {
 public:
  /// A disarmed timer on CLOCK_MONOTONIC (immune to changes of the wall-clock
  /// time), with TFD_NONBLOCK | TFD_CLOEXEC.
  Timer();

  /// Expires every `interval`, the first time `interval` from now
  /// (\man{timerfd_settime,2}, relative). `interval` must be positive,
  /// otherwise std::invalid_argument: a zero it_value *disarms* a timerfd.
  void start_periodic(std::chrono::nanoseconds interval);
  /// Expires once, `delay` from now; positive, as above.
  void start_once(std::chrono::nanoseconds delay);
  /// Disarms it: no more expirations; those not yet read are dropped.
  void stop();

  /// The number of expirations since the last read, read as the 8-byte
  /// counter the kernel keeps; 0 when there were none (EAGAIN). More than 1
  /// when the reader was late: the count is what lets a periodic task know how
  /// much time passed (overruns are counted, not lost). Reading resets the count
  /// and makes the descriptor not readable: a loop that does not read a
  /// level-triggered timer is woken at once, again and again.
  std::uint64_t expirations();

  /// The descriptor, for EventLoop::add.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

 private:
  UniqueFd fd_;
};

/// \}
/// \name signalfd (B6.8)
/// \{

/// A signal read from a signalfd.
struct SignalInfo {
  int signal = 0;    ///< ssi_signo: SIGTERM, SIGINT...
  pid_t sender = 0;  ///< ssi_pid: who sent it (kill(2), sigqueue(3))
  int value = 0;     ///< ssi_int: the value sigqueue sent (0 for kill)
};

/// Signals as a descriptor: readable when one of them is pending (\man{signalfd,2}).
class SignalReader {
 public:
  /// Blocks `signals` with \man{pthread_sigmask,3} *first*, then opens a
  /// signalfd for them with SFD_NONBLOCK | SFD_CLOEXEC. A signalfd only sees
  /// signals that are pending, and a signal is pending only while blocked: one
  /// that is not blocked gets its default action (SIGTERM and SIGINT kill the
  /// process) before the loop ever hears of it. The mask is per thread: build
  /// the reader before starting threads, which inherit it. The signals stay
  /// blocked when the reader is destroyed (unblocking them would deliver any
  /// that arrived late, with their default action).
  explicit SignalReader(const std::vector<int>& signals);

  /// Reads one pending signal (a struct signalfd_siginfo); std::nullopt when
  /// none is pending. Two standard signals of one kind sent before a read are
  /// one pending signal, read once; real-time signals (SIGRTMIN...) queue, one
  /// read each, with their values.
  std::optional<SignalInfo> read();

  /// The descriptor, for EventLoop::add.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }

 private:
  UniqueFd fd_;
};

/// \}

}  // namespace ipclab::epoll
