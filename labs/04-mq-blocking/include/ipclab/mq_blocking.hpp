/// \file
/// \brief Lab 04 — POSIX message queues: blocking, O_NONBLOCK, timed calls, back-pressure.
///
/// A POSIX queue has a fixed capacity, so a sender can find it full and a
/// receiver can find it empty. This lab is about what happens then: the call
/// waits (blocking mode), fails at once with EAGAIN (O_NONBLOCK), or waits until
/// an *absolute* CLOCK_REALTIME deadline (mq_timedsend, mq_timedreceive). What
/// Lab 03 taught — opening, attributes, closing, unlinking — is provided here,
/// solved; the behaviour ids (B4.n) are those of the handout,
/// docs/labs/04-mq-blocking.md, and of the tests.
///
/// Errors: a failing call throws ipclab::SystemError naming it. EAGAIN and
/// ETIMEDOUT are *answers*, not errors: "no room", "no message", "too late",
/// reported as false or std::nullopt.
///
/// \see The handout, \ref lab04, and the slides linked at its top.
#pragma once

#include <mqueue.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <ctime>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ipclab/error.hpp"

/// Lab 04: blocking, non-blocking and timed POSIX message queue calls, explained in
/// \ref lab04 "the handout".
namespace ipclab::mq_blocking {

/// The capacity of a queue, fixed when it is created.
struct Limits {
  long max_messages = 10;    ///< mq_maxmsg
  long message_size = 8192;  ///< mq_msgsize, in bytes
};

/// A queue's attributes (mq_getattr / mq_setattr).
struct Attributes {
  long max_messages = 0;      ///< mq_maxmsg
  long message_size = 0;      ///< mq_msgsize
  long current_messages = 0;  ///< mq_curmsgs
  bool nonblocking = false;   ///< O_NONBLOCK is set on this descriptor
};

/// A received message and its priority.
struct Received {
  std::vector<std::byte> payload;  ///< the bytes, exactly as sent
  unsigned priority = 0;           ///< its priority
};

/// Whether calls on a descriptor wait.
enum class Blocking {
  yes,  ///< full sends and empty receives wait (the default)
  no,   ///< O_NONBLOCK: they fail with EAGAIN instead
};

/// What a waiting call does when a signal handler interrupts it. Without
/// SA_RESTART the call fails with EINTR (B4.13, B4.14); with SA_RESTART the
/// kernel restarts mq_send and mq_receive itself (see \man{signal,7}) and the
/// call goes on waiting whatever this says (B4.18).
enum class OnSignal {
  stop,   ///< throw SystemError with EINTR: the caller wanted to be interrupted
  retry,  ///< call again and keep waiting (with the same absolute deadline)
};

/// An open queue descriptor, closed by the destructor. Move-only.
class Queue {
 public:
  /// \name Provided, solved: what Lab 03 taught
  /// \{

  /// Creates a new queue (O_CREAT | O_EXCL) for reading and writing, with
  /// O_NONBLOCK when `blocking` is Blocking::no (B4.4).
  static Queue create(const std::string& name, Limits limits, Blocking blocking = Blocking::yes);
  /// Opens the existing queue `name` for reading and writing.
  static Queue open(const std::string& name, Blocking blocking = Blocking::yes);
  Queue(Queue&& other) noexcept;             ///< takes over `other`'s descriptor
  Queue& operator=(Queue&& other) noexcept;  ///< closes ours, takes over `other`'s
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;
  ~Queue();  ///< closes the descriptor
  /// The queue's attributes and this descriptor's O_NONBLOCK flag (\man{mq_getattr,3}).
  [[nodiscard]] Attributes attributes() const;
  /// The descriptor.
  [[nodiscard]] mqd_t native() const noexcept { return mqd_; }

  /// \}
  /// \name Blocking and O_NONBLOCK (B4.1 – B4.8)
  /// \{

  /// Sends `message` with `priority`.
  ///
  /// Maps to \man{mq_send,3}. B4.1: in blocking mode, on a full queue it waits
  /// in the kernel (not in a loop of its own) until a receiver makes room, then
  /// returns true. B4.3: in O_NONBLOCK mode a full queue is EAGAIN, reported as
  /// false — not an exception. B4.13/B4.14: a signal handler's EINTR is thrown or
  /// retried as `on_signal` says.
  bool send(std::span<const std::byte> message, unsigned priority = 0,
            OnSignal on_signal = OnSignal::retry);

  /// Receives the oldest message of the highest priority, with a buffer of
  /// mq_msgsize bytes.
  ///
  /// Maps to \man{mq_receive,3}. B4.2: in blocking mode, on an empty queue it
  /// waits until a message arrives. B4.3: in O_NONBLOCK mode an empty queue is
  /// EAGAIN, reported as std::nullopt — not an exception, and not an empty
  /// message. B4.13/B4.14: EINTR as `on_signal` says.
  std::optional<Received> receive(OnSignal on_signal = OnSignal::retry);

  /// Turns O_NONBLOCK on or off for this descriptor and returns the attributes
  /// as they were before.
  ///
  /// Maps to \man{mq_setattr,3}, which changes only mq_flags: B4.5: a changed
  /// mq_maxmsg or mq_msgsize in the new attributes is ignored by the kernel, so
  /// this function never tries to change them. B4.6: it returns the old
  /// attributes. B4.7: the mode belongs to this open queue description: another
  /// descriptor from its own mq_open keeps its mode (a descriptor inherited
  /// through fork shares the description, and so the mode).
  Attributes set_nonblocking(bool nonblocking);

  /// \}
  /// \name Timed calls (B4.9 – B4.12, B4.15)
  /// \{

  /// Sends, waiting for room at most until `deadline` (a CLOCK_REALTIME time point).
  ///
  /// Maps to \man{mq_timedsend,3} with `deadline` as an *absolute* timespec
  /// (0 <= tv_nsec < 1e9). Returns false on ETIMEDOUT (B4.9). A deadline in the
  /// past times out at once if the queue is full, but sends if there is room (B4.10).
  bool send_until(std::span<const std::byte> message, unsigned priority,
                  std::chrono::system_clock::time_point deadline,
                  OnSignal on_signal = OnSignal::retry);
  /// Sends, waiting for room at most `timeout` from now (B4.9, B4.11).
  bool send_for(std::span<const std::byte> message, unsigned priority,
                std::chrono::nanoseconds timeout, OnSignal on_signal = OnSignal::retry);

  /// Receives, waiting for a message at most until `deadline` (CLOCK_REALTIME).
  ///
  /// Maps to \man{mq_timedreceive,3} with an absolute timespec. std::nullopt on
  /// ETIMEDOUT (B4.9). A message already queued is received even when the
  /// deadline has passed — the deadline only limits *waiting* (B4.10).
  std::optional<Received> receive_until(std::chrono::system_clock::time_point deadline,
                                        OnSignal on_signal = OnSignal::retry);
  /// Receives, waiting at most `timeout` from now: the deadline is computed once,
  /// as CLOCK_REALTIME now + timeout, with tv_nsec normalised (B4.9, B4.11).
  std::optional<Received> receive_for(std::chrono::nanoseconds timeout,
                                      OnSignal on_signal = OnSignal::retry);
  /// Receives with a raw timespec, passed to mq_timedreceive unchanged: the
  /// call the kernel sees. B4.12: tv_nsec outside [0, 1e9) fails with EINVAL (a
  /// SystemError for "mq_timedreceive"); Linux checks this on every call, even
  /// when a message is waiting (POSIX only requires it when the call would
  /// block). B4.13: EINTR is thrown, never retried. B4.15: a
  /// *relative* timespec such as {0, 500000000} is a moment in January 1970, long
  /// past: the call times out at once (std::nullopt) — the classic bug.
  std::optional<Received> receive_until(const timespec& deadline);

  /// \}
  /// \name The convenience layer (B4.16 – B4.17)
  /// \{

  /// Sends with a timeout in whole seconds, as many bindings offer: 0 waits
  /// forever (a plain blocking send); otherwise false when the time ran out (B4.16).
  bool send_with_timeout(std::span<const std::byte> message, unsigned priority, unsigned seconds);
  /// Receives with a timeout in whole seconds: 0 waits forever; otherwise
  /// std::nullopt when the time ran out (B4.17).
  std::optional<Received> receive_with_timeout(unsigned seconds);

  /// \}

 private:
  explicit Queue(mqd_t mqd) noexcept : mqd_(mqd) {}
  mqd_t mqd_ = static_cast<mqd_t>(-1);
};

/// Removes the queue's name (\man{mq_unlink,3}); provided.
void unlink(const std::string& name);

}  // namespace ipclab::mq_blocking
