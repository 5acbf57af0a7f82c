/// \file
/// \brief Lab 02 — System V message queues: keys, typed messages, selective receive.
///
/// The older of Linux's two message-queue APIs. A queue is found by a numeric
/// *key* (often made with ftok()), lives until someone removes it, and holds
/// messages that each carry a positive *type*; a receiver chooses which type it
/// wants. There are no file descriptors: no poll, no epoll, no notification —
/// which is why POSIX queues (Lab 03) were designed differently. The behaviour
/// ids (B2.n) are those of the handout, docs/labs/02-sysv-msg.md, and of the tests.
///
/// Errors: a failing system call throws ipclab::SystemError naming the call;
/// this header says where a function must do something else.
///
/// \see The handout, \ref lab02, and the slides linked at its top.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "ipclab/error.hpp"

/// Lab 02: System V message queues, explained in \ref lab02 "the handout".
namespace ipclab::sysv {

/// \name Keys (B2.1 – B2.2)
/// \{

/// The key of project `project_id` (1–255) for the existing file `path`.
///
/// Maps to \man{ftok,3}. B2.1: the same path and project id always give the
/// same key; another project id gives another key. B2.2: a missing path throws
/// SystemError for "ftok" (ENOENT).
key_t make_key(const std::filesystem::path& path, int project_id);

/// \}

/// One message: its type and its payload.
struct Message {
  long type = 0;                   ///< the message type (always > 0)
  std::vector<std::byte> payload;  ///< the bytes after the type
};

/// What a receive does when a signal handler interrupts it (msgrcv and msgsnd
/// fail with EINTR then, *even with SA_RESTART*: see \man{signal,7}).
enum class OnSignal {
  report,  ///< throw SystemError with EINTR, so the caller can react (the default)
  retry,   ///< call msgrcv again and keep waiting
};

/// Which message a receive takes, and how.
struct ReceiveOptions {
  /// 0: the first message in the queue; > 0: the first of exactly that type;
  /// < 0: the first of the lowest type that is <= |type|.
  long type = 0;
  /// With type > 0: take the first message whose type is *not* `type` (MSG_EXCEPT).
  bool except = false;
  /// The largest payload accepted, in bytes (the receive buffer holds the type too).
  std::size_t max_size = 8192;
  /// Truncate a longer payload to max_size instead of failing (MSG_NOERROR).
  bool truncate = false;
  /// What to do when a signal interrupts the wait.
  OnSignal on_signal = OnSignal::report;
};

/// Counters and settings of a queue, from msgctl(IPC_STAT).
struct QueueStatus {
  std::size_t messages = 0;   ///< msg_qnum: messages in the queue
  std::size_t bytes = 0;      ///< __msg_cbytes: payload bytes in the queue
  std::size_t max_bytes = 0;  ///< msg_qbytes: the most payload bytes it may hold
  pid_t last_sender = 0;      ///< msg_lspid: pid of the last msgsnd (0: none yet)
  pid_t last_receiver = 0;    ///< msg_lrpid: pid of the last msgrcv (0: none yet)
  mode_t mode = 0;            ///< msg_perm.mode & 0777: the permission bits
};

/// A handle to a System V message queue: only its id. Copying it copies the
/// handle, not the queue; nothing is removed when a handle goes away (the queue
/// lives until remove() — see OwnedQueue for that).
class MessageQueue {
 public:
  /// \name Getting a queue (B2.3 – B2.5)
  /// \{

  /// Creates a new queue under `key` with permission bits `mode`.
  /// Maps to \man{msgget,2} with IPC_CREAT | IPC_EXCL: EEXIST (a SystemError for
  /// "msgget") when a queue with that key exists (B2.3). B2.5: the queue's
  /// permission bits are exactly `mode`: no umask, and no bit added.
  static MessageQueue create(key_t key, mode_t mode = 0600);
  /// Opens the existing queue under `key`; msgget with flags 0: ENOENT when there is none (B2.4).
  static MessageQueue open(key_t key);
  /// Creates a queue only this process and its children know: msgget(IPC_PRIVATE)
  /// always makes a new one (B2.4), with exactly the permission bits `mode` (B2.5).
  static MessageQueue create_private(mode_t mode = 0600);
  /// A handle for the queue with identifier `id` (no system call).
  explicit MessageQueue(int id) noexcept : id_(id) {}

  /// The queue identifier (as `ipcs -q` shows it).
  [[nodiscard]] int id() const noexcept { return id_; }

  /// \}
  /// \name Sending (B2.6 – B2.7, B2.15 – B2.16)
  /// \{

  /// Sends a message of type `type` with `payload`, waiting while the queue is full.
  ///
  /// Maps to \man{msgsnd,2}. The message buffer is a `long` type followed by the
  /// payload, built in a std::vector<std::byte> (no fixed-size struct, no casts of
  /// the span); msgsz counts the payload only, never the type (B2.6). An empty
  /// payload is a valid message. B2.7: `type` <= 0 fails with EINVAL (a SystemError
  /// for "msgsnd"). B2.16: on a full queue it waits until a receiver makes room,
  /// retrying after EINTR.
  void send(long type, std::span<const std::byte> payload);
  /// Sends like send() but never waits: returns false when the queue is full
  /// (IPC_NOWAIT and EAGAIN), true when sent (B2.15).
  bool try_send(long type, std::span<const std::byte> payload);

  /// \}
  /// \name Receiving (B2.8 – B2.14, B2.17, B2.20 – B2.21)
  /// \{

  /// Receives the message `options` select, waiting until there is one.
  ///
  /// Maps to \man{msgrcv,2} with a buffer of sizeof(long) + options.max_size.
  /// - B2.8 – B2.11: the selection rules of ReceiveOptions::type and ::except.
  /// - B2.12: a payload longer than max_size fails with E2BIG (a SystemError for
  ///   "msgrcv") and the message stays in the queue.
  /// - B2.13: with options.truncate, it is cut to max_size (the rest is lost).
  /// - B2.17: with no matching message it waits (blocked in msgrcv).
  /// - B2.20: a signal handler interrupts the wait: with OnSignal::report it throws
  ///   SystemError for "msgrcv" with EINTR; B2.21: with OnSignal::retry it waits on.
  /// - B2.19: if the queue is removed meanwhile, it fails with EIDRM.
  Message receive(const ReceiveOptions& options = {});
  /// Receives like receive() but never waits: std::nullopt when no message matches
  /// (IPC_NOWAIT: msgrcv fails with ENOMSG — not EAGAIN — and that is no error) (B2.14).
  std::optional<Message> try_receive(const ReceiveOptions& options = {});

  /// \}
  /// \name Control (B2.18 – B2.19)
  /// \{

  /// The queue's counters and settings: \man{msgctl,2} with IPC_STAT (B2.18).
  [[nodiscard]] QueueStatus status() const;
  /// Sets msg_qbytes, the most payload bytes the queue may hold: IPC_STAT, then
  /// IPC_SET with the new value (lowering needs no privilege; raising above
  /// /proc/sys/kernel/msgmnb does) (B2.15, B2.18).
  void set_max_bytes(std::size_t bytes);
  /// Removes the queue at once: \man{msgctl,2} with IPC_RMID. Waiting senders and
  /// receivers fail with EIDRM (B2.19).
  void remove();

  /// \}

 private:
  int id_ = -1;
};

/// Owns a queue: removes it (IPC_RMID) when destroyed, so no queue outlives its
/// owner by accident. Move-only.
class OwnedQueue {
 public:
  /// Takes ownership of `queue`.
  explicit OwnedQueue(MessageQueue queue) noexcept : queue_(queue) {}
  OwnedQueue(OwnedQueue&& other) noexcept;             ///< takes over `other`'s queue
  OwnedQueue& operator=(OwnedQueue&& other) noexcept;  ///< removes ours, takes over `other`'s
  OwnedQueue(const OwnedQueue&) = delete;
  OwnedQueue& operator=(const OwnedQueue&) = delete;
  /// Removes the queue (errors are ignored: a destructor must not throw) (B2.22).
  /// A queue someone else removed already is such an error (EINVAL): remove()
  /// would throw it, so the destructor calls msgctl itself.
  ~OwnedQueue();

  /// The owned queue.
  [[nodiscard]] MessageQueue& get() noexcept { return queue_; }
  /// The owned queue.
  [[nodiscard]] const MessageQueue& get() const noexcept { return queue_; }

 private:
  MessageQueue queue_;
  bool owns_ = true;
};

/// \name A multi-client server on one queue (B2.22 – B2.24)
/// \{

/// The type of every request: clients send type 1; replies use the client's pid,
/// which is always > 1 for a client (pid 1 is init).
inline constexpr long request_type = 1;

/// What the server does with one request: gets the client's pid and the body,
/// returns the reply body.
using Handler =
    std::function<std::vector<std::byte>(pid_t client, std::span<const std::byte> body)>;

/// A request/reply server on one queue. A request is a message of type
/// request_type whose payload is the client's pid (a std::int32_t in host order)
/// followed by the body; the reply to it is a message whose type is that pid.
class Server {
 public:
  /// Creates the queue under `key` (MessageQueue::create: EEXIST if it exists).
  explicit Server(key_t key, mode_t mode = 0600);

  /// Waits for one request (type request_type), calls `handler`, and sends the
  /// reply with type = the client's pid (B2.23). Returns false, sending nothing,
  /// for a request too short to hold a pid. Waits as receive() does.
  bool serve_one(const Handler& handler);

  /// The server's queue.
  [[nodiscard]] const MessageQueue& queue() const noexcept { return queue_.get(); }

 private:
  OwnedQueue queue_;  // removed when the server goes away (B2.22)
};

/// A client of a Server.
class Client {
 public:
  /// Opens the server's queue (MessageQueue::open: ENOENT when no server runs, B2.24).
  explicit Client(key_t key);
  /// Sends `body` as one request and waits for the reply addressed to this
  /// process (type = getpid()), leaving other clients' replies in the queue (B2.23).
  std::vector<std::byte> request(std::span<const std::byte> body);

 private:
  MessageQueue queue_;
};

/// \}

}  // namespace ipclab::sysv
