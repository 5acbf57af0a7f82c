/// \file
/// \brief Lab 03 — POSIX message queues: names, attributes, priorities.
///
/// A POSIX message queue has a name ("/orders"), a fixed capacity set when it is
/// created (mq_maxmsg messages of at most mq_msgsize bytes), and delivers the
/// message of highest priority first — in FIFO order among equal priorities.
/// Unlike System V queues (Lab 02), a queue descriptor is a file descriptor on
/// Linux, so later labs can wait for it with epoll and be notified with
/// mq_notify. The behaviour ids (B3.n) are those of the handout,
/// docs/labs/03-mqueue.md, and of the tests.
///
/// Errors: a failing call throws ipclab::SystemError naming it; this header
/// says where a function must do something else.
///
/// \see The handout, \ref lab03, and the slides linked at its top.
#pragma once

#include <mqueue.h>
#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ipclab/error.hpp"

/// Lab 03: POSIX message queues, explained in \ref lab03 "the handout".
namespace ipclab::mq {

/// \name Names (B3.1 – B3.2)
/// \{

/// Why `name` is not a valid queue name, or "" when it is: it must start with
/// one "/", contain no other "/", have at least one character after it, and be
/// at most NAME_MAX (255) characters after the slash (B3.1).
std::string name_problem(std::string_view name);

/// \}

/// Which directions a queue descriptor allows.
enum class Access {
  read_only,   ///< O_RDONLY: receive only
  write_only,  ///< O_WRONLY: send only
  read_write,  ///< O_RDWR
};

/// The capacity of a queue, fixed when it is created.
struct Limits {
  long max_messages = 10;    ///< mq_maxmsg
  long message_size = 8192;  ///< mq_msgsize, in bytes
};

/// A queue's attributes, from \man{mq_getattr,3}.
struct Attributes {
  long max_messages = 0;      ///< mq_maxmsg
  long message_size = 0;      ///< mq_msgsize
  long current_messages = 0;  ///< mq_curmsgs: messages in the queue now
  bool nonblocking = false;   ///< O_NONBLOCK is set on this descriptor
};

/// A received message and its priority.
struct Received {
  std::vector<std::byte> payload;  ///< the bytes, exactly as sent (NULs included)
  unsigned priority = 0;           ///< its priority
};

/// The highest priority this system accepts: sysconf(_SC_MQ_PRIO_MAX) - 1
/// (32767 on Linux) (B3.14).
unsigned max_priority();

/// An open queue descriptor: closed by the destructor (\man{mq_close,3}), never
/// twice. Move-only. Closing does not remove the queue: see unlink() and QueueOwner.
class Queue {
 public:
  /// \name Opening (B3.1 – B3.9)
  /// \{

  /// Creates a new queue `name` with `limits` and permission bits `mode`, and opens it.
  ///
  /// Maps to \man{mq_open,3} with O_CREAT | O_EXCL and an mq_attr holding `limits`.
  /// - B3.2: an invalid name throws std::invalid_argument saying what is wrong
  ///   (name_problem()) before any system call.
  /// - B3.3: an existing queue throws SystemError for "mq_open" with EEXIST.
  /// - B3.6: the queue has exactly `limits` (mq_getattr reports them) and the
  ///   permission bits `mode` less the umask.
  /// - B3.7: mq_open refuses limits with EINVAL (a SystemError for "mq_open"), and
  ///   then no queue is created:
  ///   - a max_messages or message_size of 0 or less, passed to mq_open as it is;
  ///   - for a process without CAP_SYS_RESOURCE, max_messages above
  ///     /proc/sys/fs/mqueue/msg_max or message_size above msgsize_max. The
  ///     SystemError's detail then names the limit and its value, in this form:
  ///     "mq_maxmsg 20 > /proc/sys/fs/mqueue/msg_max 10" (what was asked, the
  ///     limit, its value; "mq_msgsize ... > /proc/sys/fs/mqueue/msgsize_max ..."
  ///     for the size).
  ///
  ///   Limits exactly at the maximum (msg_max messages, msgsize_max bytes) are accepted.
  static Queue create(const std::string& name, Limits limits, Access access = Access::read_write,
                      mode_t mode = 0600);
  /// Creates the queue `name` with the system's default limits (a NULL mq_attr:
  /// /proc/sys/fs/mqueue/msg_default and msgsize_default), or opens it if it
  /// exists: O_CREAT without O_EXCL (B3.8).
  static Queue create_or_open(const std::string& name, Access access = Access::read_write,
                              mode_t mode = 0600);
  /// Opens the existing queue `name`: mq_open without O_CREAT. ENOENT when there
  /// is none (B3.4); std::invalid_argument for an invalid name (B3.2).
  static Queue open(const std::string& name, Access access);

  /// \}

  Queue(Queue&& other) noexcept;             ///< takes over `other`'s descriptor
  Queue& operator=(Queue&& other) noexcept;  ///< closes ours, takes over `other`'s
  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;
  /// Closes the descriptor (errors ignored: a destructor must not throw) (B3.17).
  /// B3.18: a queue whose descriptors are all closed and whose name is unlinked
  /// is freed, and its size is given back to the user's RLIMIT_MSGQUEUE budget.
  ~Queue();

  /// \name Messages (B3.5, B3.10 – B3.15)
  /// \{

  /// Sends `message` with `priority`.
  ///
  /// Maps to \man{mq_send,3}. B3.10: a message longer than mq_msgsize fails with
  /// EMSGSIZE; B3.12: empty messages and binary payloads work; B3.14: a priority
  /// above max_priority() fails with EINVAL; B3.5: on a read-only descriptor it
  /// fails with EBADF. (Sending to a full queue waits: Lab 04.)
  void send(std::span<const std::byte> message, unsigned priority = 0);

  /// Receives the oldest message of the highest priority (B3.13), with a buffer of
  /// exactly mq_msgsize bytes read from mq_getattr — never sizeof, never a guess (B3.11).
  ///
  /// Maps to \man{mq_receive,3}. B3.5: on a write-only descriptor it fails with
  /// EBADF. (Receiving from an empty queue waits: Lab 04.)
  Received receive();

  /// Receives into `buffer` as mq_receive does, storing the priority in `priority`,
  /// and returns the message length. B3.11: a buffer smaller than mq_msgsize fails
  /// with EMSGSIZE (a SystemError for "mq_receive") and the message stays queued.
  std::size_t receive_into(std::span<std::byte> buffer, unsigned& priority);

  /// The queue's attributes and this descriptor's flags (\man{mq_getattr,3}); B3.9:
  /// current_messages follows sends and receives.
  [[nodiscard]] Attributes attributes() const;

  /// \}

  /// The descriptor (on Linux also a file descriptor).
  [[nodiscard]] mqd_t native() const noexcept { return mqd_; }

 private:
  explicit Queue(mqd_t mqd) noexcept : mqd_(mqd) {}
  mqd_t mqd_ = static_cast<mqd_t>(-1);
};

/// Removes the name `name` (\man{mq_unlink,3}). Open descriptors keep working
/// and the queue is destroyed when the last one closes; the name is free at once
/// for a new queue (B3.16). ENOENT when there is no such queue.
void unlink(const std::string& name);

/// Owns a queue's *name*: unlinks it when destroyed, so a queue a program
/// creates does not outlive it by accident (B3.17). Move-only.
class QueueOwner {
 public:
  /// Will unlink `name`.
  explicit QueueOwner(std::string name) : name_(std::move(name)) {}
  QueueOwner(QueueOwner&& other) noexcept;             ///< takes over `other`'s name
  QueueOwner& operator=(QueueOwner&& other) noexcept;  ///< unlinks ours, takes over `other`'s
  QueueOwner(const QueueOwner&) = delete;
  QueueOwner& operator=(const QueueOwner&) = delete;
  /// Unlinks the name (errors ignored: a destructor must not throw) (B3.17, B3.18).
  ~QueueOwner();

  /// The owned name ("" after a move).
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
};

}  // namespace ipclab::mq
