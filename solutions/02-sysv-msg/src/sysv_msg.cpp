// Lab 02 — System V message queues: keys, queues, typed messages.
// What each function must do is in include/ipclab/sysv_msg.hpp.
#include <sys/ipc.h>
#include <sys/msg.h>

#include <cerrno>
#include <cstring>

#include "ipclab/sysv_msg.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::sysv {

// BEGIN SOLUTION
namespace {
// msgsnd and msgrcv want a buffer that starts with a `long` type. Building it
// byte by byte avoids the classic `struct { long mtype; char mtext[1]; }` and
// its out-of-bounds writes.
std::vector<std::byte> make_buffer(long type, std::span<const std::byte> payload) {
  std::vector<std::byte> buffer(sizeof type + payload.size());
  std::memcpy(buffer.data(), &type, sizeof type);
  if (!payload.empty()) {
    std::memcpy(buffer.data() + sizeof type, payload.data(), payload.size());
  }
  return buffer;
}

int receive_flags(const ReceiveOptions& options) {
  return (options.except ? MSG_EXCEPT : 0) | (options.truncate ? MSG_NOERROR : 0);
}

// One msgrcv; returns std::nullopt only for ENOMSG (no message with IPC_NOWAIT).
std::optional<Message> receive_once(int id, const ReceiveOptions& options, int flags) {
  std::vector<std::byte> buffer(sizeof(long) + options.max_size);
  for (;;) {
    ssize_t got =
        ::msgrcv(id, buffer.data(), options.max_size, options.type, flags | receive_flags(options));
    if (got >= 0) {
      Message message;
      std::memcpy(&message.type, buffer.data(), sizeof message.type);
      auto first = buffer.begin() + static_cast<std::ptrdiff_t>(sizeof(long));
      message.payload.assign(first, first + got);
      return message;
    }
    if (errno == ENOMSG) {
      return std::nullopt;
    }
    if (errno == EINTR && options.on_signal == OnSignal::retry) {
      continue;
    }
    throw_system_error("msgrcv");
  }
}
}  // namespace
// END SOLUTION

key_t make_key(const std::filesystem::path& path, int project_id) {
  // BEGIN SOLUTION
  return check(::ftok(path.c_str(), project_id), "ftok", path.string());
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("call ftok(3) and check() its result", path, project_id);
}

MessageQueue MessageQueue::create(key_t key, mode_t mode) {
  // BEGIN SOLUTION
  return MessageQueue(
      check(::msgget(key, IPC_CREAT | IPC_EXCL | static_cast<int>(mode & 0777)), "msgget"));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("msgget(2) with IPC_CREAT | IPC_EXCL and the mode bits", key, mode);
}

MessageQueue MessageQueue::open(key_t key) {
  // BEGIN SOLUTION
  return MessageQueue(check(::msgget(key, 0), "msgget"));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("msgget(2) with no flags finds an existing queue", key);
}

MessageQueue MessageQueue::create_private(mode_t mode) {
  // BEGIN SOLUTION
  return MessageQueue(check(::msgget(IPC_PRIVATE, static_cast<int>(mode & 0777)), "msgget"));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("msgget(2) with IPC_PRIVATE", mode);
}

void MessageQueue::send(long type, std::span<const std::byte> payload) {
  // BEGIN SOLUTION
  auto buffer = make_buffer(type, payload);
  // The size is the payload's: the kernel reads the type separately.
  while (::msgsnd(id_, buffer.data(), payload.size(), 0) == -1) {
    if (errno != EINTR) {
      throw_system_error("msgsnd");
    }
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("build long type + payload in one buffer; msgsnd(2) with msgsz = payload size; retry EINTR", type, payload);
}

bool MessageQueue::try_send(long type, std::span<const std::byte> payload) {
  // BEGIN SOLUTION
  auto buffer = make_buffer(type, payload);
  if (::msgsnd(id_, buffer.data(), payload.size(), IPC_NOWAIT) == -1) {
    if (errno == EAGAIN) {
      return false;  // full: not an error, the caller decides what to do
    }
    throw_system_error("msgsnd");
  }
  return true;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("like send, with IPC_NOWAIT: EAGAIN means full, return false", type, payload);
}

Message MessageQueue::receive(const ReceiveOptions& options) {
  // BEGIN SOLUTION
  auto message = receive_once(id_, options, 0);
  if (!message) {
    throw_system_error("msgrcv", ENOMSG);  // cannot happen without IPC_NOWAIT
  }
  return *std::move(message);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("msgrcv(2) into a buffer of sizeof(long) + max_size; flags from the options; EINTR as options.on_signal says", options);
}

std::optional<Message> MessageQueue::try_receive(const ReceiveOptions& options) {
  // BEGIN SOLUTION
  return receive_once(id_, options, IPC_NOWAIT);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("like receive, with IPC_NOWAIT: ENOMSG means no message, return std::nullopt", options);
}

QueueStatus MessageQueue::status() const {
  // BEGIN SOLUTION
  msqid_ds info{};
  check(::msgctl(id_, IPC_STAT, &info), "msgctl", "IPC_STAT");
  QueueStatus status;
  status.messages = info.msg_qnum;
  status.bytes = info.__msg_cbytes;
  status.max_bytes = info.msg_qbytes;
  status.last_sender = info.msg_lspid;
  status.last_receiver = info.msg_lrpid;
  status.mode = static_cast<mode_t>(info.msg_perm.mode & 0777);
  return status;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("msgctl(2) with IPC_STAT, then copy the fields");
}

void MessageQueue::set_max_bytes(std::size_t bytes) {
  // BEGIN SOLUTION
  msqid_ds info{};
  check(::msgctl(id_, IPC_STAT, &info), "msgctl", "IPC_STAT");
  info.msg_qbytes = bytes;  // IPC_SET also writes uid, gid and mode: keep them as read
  check(::msgctl(id_, IPC_SET, &info), "msgctl", "IPC_SET");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("IPC_STAT, change msg_qbytes, IPC_SET", bytes);
}

void MessageQueue::remove() {
  // BEGIN SOLUTION
  check(::msgctl(id_, IPC_RMID, nullptr), "msgctl", "IPC_RMID");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("msgctl(2) with IPC_RMID");
}

}  // namespace ipclab::sysv
