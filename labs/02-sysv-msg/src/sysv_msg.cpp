// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
// Lab 02 — System V message queues: keys, queues, typed messages.
// What each function must do is in include/ipclab/sysv_msg.hpp.
#include <sys/ipc.h>
#include <sys/msg.h>

#include <cerrno>
#include <cstring>

#include "ipclab/sysv_msg.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::sysv {

key_t make_key(const std::filesystem::path& path, int project_id) {
  IPCLAB_TODO("call ftok(3) and check() its result", path, project_id);
}

MessageQueue MessageQueue::create(key_t key, mode_t mode) {
  IPCLAB_TODO("msgget(2) with IPC_CREAT | IPC_EXCL and the mode bits", key, mode);
}

MessageQueue MessageQueue::open(key_t key) {
  IPCLAB_TODO("msgget(2) with no flags finds an existing queue", key);
}

MessageQueue MessageQueue::create_private(mode_t mode) {
  IPCLAB_TODO("msgget(2) with IPC_PRIVATE", mode);
}

void MessageQueue::send(long type, std::span<const std::byte> payload) {
  IPCLAB_TODO("build long type + payload in one buffer; msgsnd(2) with msgsz = payload size; retry EINTR", type, payload);
}

bool MessageQueue::try_send(long type, std::span<const std::byte> payload) {
  IPCLAB_TODO("like send, with IPC_NOWAIT: EAGAIN means full, return false", type, payload);
}

Message MessageQueue::receive(const ReceiveOptions& options) {
  IPCLAB_TODO("msgrcv(2) into a buffer of sizeof(long) + max_size; flags from the options; EINTR as options.on_signal says", options);
}

std::optional<Message> MessageQueue::try_receive(const ReceiveOptions& options) {
  IPCLAB_TODO("like receive, with IPC_NOWAIT: ENOMSG means no message, return std::nullopt", options);
}

QueueStatus MessageQueue::status() const {
  IPCLAB_TODO("msgctl(2) with IPC_STAT, then copy the fields");
}

void MessageQueue::set_max_bytes(std::size_t bytes) {
  IPCLAB_TODO("IPC_STAT, change msg_qbytes, IPC_SET", bytes);
}

void MessageQueue::remove() {
  IPCLAB_TODO("msgctl(2) with IPC_RMID");
}

}  // namespace ipclab::sysv
