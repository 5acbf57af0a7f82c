/// \file
/// \brief Lab 05 — POSIX message queues: asynchronous notification (mq_notify).
///
/// Instead of waiting in mq_receive, a process can ask the kernel to *tell* it
/// when a message arrives (\man{mq_notify,3}): with a signal (SIGEV_SIGNAL), with
/// a function run on a new thread (SIGEV_THREAD), or not at all (SIGEV_NONE,
/// which only holds the place). Four rules shape every correct use:
///
/// - a registration fires **once**, then it is gone (B5.3);
/// - it fires only when a message arrives on an **empty** queue (B5.4), so a
///   woken listener drains the queue, without waiting, until it is empty;
/// - it **re-arms before it drains** (B5.5), or a message that arrives between
///   the last receive and the new registration is never announced;
/// - there is **one registration per queue** (B5.6), and closing any descriptor
///   of the queue in the registered process removes it (B5.8).
///
/// What Labs 03 and 04 taught — opening, sending, closing, unlinking — is
/// provided here, solved. The behaviour ids (B5.n) are those of the handout,
/// docs/labs/05-mq-notify.md, and of the tests.
///
/// Errors: a failing call throws ipclab::SystemError naming it ("mq_notify:
/// EBUSY"). "No message" (a drained queue) and "no signal yet" (a timeout) are
/// answers, not errors.
///
/// \see The handout, \ref lab05, and the slides linked at its top.
#pragma once

#include <mqueue.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipclab/error.hpp"
#include "ipclab/unique_fd.hpp"

/// Lab 05: notification of message arrival on POSIX message queues, explained in
/// \ref lab05 "the handout".
namespace ipclab::mq_notify {

/// The capacity of a queue, fixed when it is created.
struct Limits {
  long max_messages = 10;    ///< mq_maxmsg
  long message_size = 8192;  ///< mq_msgsize, in bytes
};

/// A received message and its priority.
struct Message {
  std::vector<std::byte> payload;  ///< the bytes, exactly as sent (possibly none)
  unsigned priority = 0;           ///< its priority
};

/// What a listener does with each message it takes from the queue.
using Handler = std::function<void(const Message&)>;

/// What a notification signal carried, read from its siginfo_t (B5.1).
struct SignalNotification {
  int signo = 0;         ///< si_signo: the signal registered
  int code = 0;          ///< si_code: SI_MESGQ for a message-queue notification
  int value = 0;         ///< si_value.sival_int: the value given at registration
  pid_t sender_pid = 0;  ///< si_pid: the process whose mq_send made the queue non-empty
  uid_t sender_uid = 0;  ///< si_uid: its real user id
};

/// An open queue descriptor (read and write, O_CLOEXEC), closed by the
/// destructor. Move-only.
class Queue {
 public:
  /// \name Provided, solved: what Labs 03 and 04 taught
  /// \{

  /// Creates a new queue (O_CREAT | O_EXCL, mode 0600) in blocking mode.
  static Queue create(const std::string& name, Limits limits);
  /// Opens the existing queue `name` in blocking mode.
  static Queue open(const std::string& name);
  Queue(Queue&& other) noexcept;             ///< takes over `other`'s descriptor
  Queue& operator=(Queue&& other) noexcept;  ///< closes ours, takes over `other`'s
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;
  /// Closes the descriptor. Careful (B5.8): closing *any* descriptor of a queue
  /// removes this process's registration on that queue.
  ~Queue();
  /// The descriptor.
  [[nodiscard]] mqd_t native() const noexcept { return mqd_; }
  /// Sends `message` with `priority` (\man{mq_send,3}), waiting for room.
  void send(std::span<const std::byte> message, unsigned priority = 0) const;
  /// Sends the bytes of `text`.
  void send(std::string_view text, unsigned priority = 0) const;
  /// How many messages are queued (mq_curmsgs of \man{mq_getattr,3}).
  [[nodiscard]] long queued() const;

  /// \}
  /// \name Registering for a notification (B5.1, B5.6, B5.9, B5.10)
  /// \{

  /// Asks for signal `signo`, carrying `value`, when a message arrives on the
  /// empty queue.
  ///
  /// B5.1: first blocks `signo` in the calling thread (\man{pthread_sigmask,3}),
  /// *then* registers with \man{mq_notify,3} (SIGEV_SIGNAL, sigev_value.sival_int
  /// = `value`), so that a notification can never arrive unblocked and kill the
  /// process with the signal's default action; the signal is taken later with
  /// wait_for_signal(). The signal stays blocked afterwards. In a program with
  /// several threads, every thread must block it (block it before creating them).
  /// B5.6: if any process, this one included, is registered on the queue, throws
  /// SystemError for "mq_notify" with EBUSY, and the registration in place is
  /// left as it was: never replaced, never reported as success.
  void notify_by_signal(int signo, int value);

  /// Registers with SIGEV_NONE (B5.9): no notification is ever sent, but the
  /// registration holds the queue's one place, so others get EBUSY, until it is
  /// removed like any other (B5.6, B5.8) or used up, silently, by a message
  /// arriving on the empty queue (B5.3). EBUSY as for notify_by_signal.
  void notify_none();

  /// Asks for `function(value)` to be run on a new thread when a message arrives
  /// on the empty queue (B5.10): \man{mq_notify,3} with SIGEV_THREAD, default
  /// thread attributes. EBUSY as for notify_by_signal.
  void notify_by_thread(void (*function)(sigval), sigval value);

  /// Removes this process's registration (\man{mq_notify,3} with a null
  /// sigevent). B5.6: a process that is not registered — nobody is, or another
  /// process is — changes nothing by calling it, and it does not fail.
  void cancel_notification();

  /// \}
  /// \name Draining (B5.4, B5.5)
  /// \{

  /// Takes every message queued, in the order the kernel hands them out
  /// (highest priority first), calls `handler` with each, and returns how many.
  ///
  /// B5.4: never waits, whether the descriptor is blocking or not (for example
  /// \man{mq_timedreceive,3} with a deadline already past fails with ETIMEDOUT
  /// at once on an empty queue instead of waiting): it stops when the queue is
  /// empty. A message of zero bytes is a message. The receive buffer is
  /// mq_msgsize bytes. An exception from `handler` propagates; the messages
  /// after it stay queued.
  std::size_t drain(const Handler& handler) const;

  /// One wake-up of a signal listener, after wait_for_signal() returned:
  /// registers again with notify_by_signal(`signo`, `value`), **then** drains
  /// (B5.5). In the other order, a message that arrives after the last receive
  /// and before the new registration finds the queue empty and nobody
  /// registered: it is announced to no one, every later message arrives on a
  /// non-empty queue, and the listener sleeps for ever beside a queue with
  /// messages in it. Returns how many messages were handled.
  std::size_t rearm_and_drain(int signo, int value, const Handler& handler);

  /// \}

 private:
  explicit Queue(mqd_t mqd) noexcept : mqd_(mqd) {}
  mqd_t mqd_ = static_cast<mqd_t>(-1);
};

/// Waits at most `timeout` for the blocked signal `signo` and takes it
/// synchronously, with its siginfo_t (B5.2).
///
/// Maps to \man{sigtimedwait,2} with a set holding `signo` only: other pending
/// signals stay pending. No signal handler runs; nothing is done in an
/// asynchronous context. Returns std::nullopt when the time runs out (EAGAIN
/// is an answer), including at once for a zero timeout with nothing pending.
/// An interruption (EINTR) waits again for the time that is left.
std::optional<SignalNotification> wait_for_signal(int signo, std::chrono::nanoseconds timeout);

/// What the notification thread and stop() share; defined in your .cpp.
struct Subscription;

/// Calls a handler for every message that arrives on a queue, on notification
/// threads (SIGEV_THREAD), until stopped (B5.11, B5.12).
///
/// The queue's descriptor is borrowed: the Queue must outlive the Listener, and
/// the listener never closes it (so it must unregister itself: closing is not
/// its way out). Each notification: register again, then drain (B5.5). The
/// constructor does the same once, on the caller's thread, for messages queued
/// before it.
class Listener {
 public:
  /// Registers and drains what is already there. B5.11: every message is handed
  /// to `handler` exactly once, each drain in priority order, one drain at a
  /// time (the handler is never called on two threads at once), and once the
  /// producers stop nothing is left in the queue. Throws SystemError (EBUSY)
  /// when the queue already has a registration; then nothing was drained.
  Listener(const Queue& queue, Handler handler);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  /// Stops the listener (stop()).
  ~Listener();

  /// B5.12: removes the registration, waits for a handler that is running, and
  /// guarantees that no handler call starts after stop() returns — not even on
  /// a notification thread the kernel had already announced. Calling it again
  /// does nothing. Never call it from the handler (it would wait for itself).
  void stop();

  /// B5.12: what the handler threw, one entry per throw (an exception's what(),
  /// or "unknown exception"). A throwing handler is reported here and the
  /// listener goes on; it never reaches std::terminate. The message it was
  /// given counts as taken.
  [[nodiscard]] std::vector<std::string> errors() const;

 private:
  std::shared_ptr<Subscription> subscription_;
};

/// Turns notifications into an eventfd that \man{epoll,7} (or poll) can wait on
/// beside other descriptors (B5.13).
///
/// Each notification adds 1 to the eventfd's counter, written by a SIGEV_THREAD
/// function; the owner's event loop then calls take(), rearm(), and drains the
/// queue itself (rearm before draining, B5.5). The Queue must outlive it.
class NotificationEvents {
 public:
  /// Creates the eventfd (non-blocking, close-on-exec) and registers. EBUSY as
  /// for Queue::notify_by_signal.
  explicit NotificationEvents(const Queue& queue);
  NotificationEvents(const NotificationEvents&) = delete;
  NotificationEvents& operator=(const NotificationEvents&) = delete;
  /// Stops: unregisters, and no notification writes to the eventfd once it
  /// has returned (the descriptor number may be reused at once); then closes it.
  ~NotificationEvents();

  /// The eventfd: readable when at least one notification arrived.
  [[nodiscard]] int fd() const noexcept { return event_fd_.get(); }
  /// How many notifications arrived since the last take(), resetting the count
  /// to 0; 0 when none did. Never waits.
  std::uint64_t take();
  /// Registers again (after take(), before draining). EBUSY as for
  /// Queue::notify_by_signal.
  void rearm();

 private:
  UniqueFd event_fd_;
  std::shared_ptr<Subscription> subscription_;
};

/// What the kernel shows about a queue in the mqueue file system: the one line
/// of /dev/mqueue/NAME (\man{mq_overview,7}) (B5.14).
struct KernelView {
  unsigned long queued_bytes = 0;  ///< QSIZE: bytes of message data queued — not messages
  int notify = 0;                  ///< NOTIFY: sigev_notify of the registration; 0 is
                                   ///< SIGEV_SIGNAL *or* no registration at all
  int signo = 0;                   ///< SIGNO: the signal of a SIGEV_SIGNAL registration, else 0
  pid_t notify_pid = 0;            ///< NOTIFY_PID: the registered process, 0 when none

  /// True when some process is registered (NOTIFY_PID is not 0; NOTIFY cannot tell).
  [[nodiscard]] bool registered() const noexcept { return notify_pid != 0; }
};

/// Parses the line of a queue's file, such as
/// "QSIZE:7          NOTIFY:0     SIGNO:10    NOTIFY_PID:4242  " (B5.14).
///
/// Fields are "KEY:VALUE" words separated by white space, in any order; keys it
/// does not know are ignored (a newer kernel may add some). Throws
/// std::invalid_argument naming the field when one of the four is missing or
/// its value is not a whole number.
KernelView parse_kernel_view(std::string_view text);

/// Reads and parses `mount`/NAME, the queue's file in the mqueue file system
/// mounted at `mount` (B5.14). `name` is the queue's name with its slash.
///
/// Careful (B5.8): reading the file opens and closes a descriptor of the queue,
/// so in the registered process it removes that process's registration. Read
/// it from another process (a shell's `cat`, a child) to watch a registration.
///
/// When `mount` does not exist, throws SystemError (ENOENT, for "open") whose
/// message says how to mount it: `sudo mkdir -p /dev/mqueue && sudo mount -t
/// mqueue none /dev/mqueue`. When the queue does not exist, SystemError
/// (ENOENT, "open") naming the file.
KernelView kernel_view(const std::string& name,
                       const std::filesystem::path& mount = "/dev/mqueue");

/// Removes the queue's name (\man{mq_unlink,3}); provided.
void unlink(const std::string& name);

}  // namespace ipclab::mq_notify
