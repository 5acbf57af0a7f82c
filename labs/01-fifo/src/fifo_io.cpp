// Your file for this lab: replace each IPCLAB_TODO(...) with your code.
// (The course generates it from the reference solution with ./ipclab skeletons.)
// Lab 01 — FIFOs: creating, opening, and moving bytes and messages.
// The API and the behaviours (B1.n) are described in include/ipclab/fifo.hpp
// and docs/labs/01-fifo.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "ipclab/fifo.hpp"
#include "ipclab/todo.hpp"

namespace ipclab::fifo {

void make_fifo(const std::filesystem::path& path, mode_t mode) {
  IPCLAB_TODO("call mkfifo(3) and check() its result", path, mode);
}

UniqueFd open_fifo(const std::filesystem::path& path, Direction direction, Blocking blocking) {
  IPCLAB_TODO("open(2) with O_RDONLY or O_WRONLY, O_CLOEXEC, and O_NONBLOCK for Blocking::no", path, direction, blocking);
}

void set_nonblocking(int fd, bool nonblocking) {
  IPCLAB_TODO("read the flags with F_GETFL, change only O_NONBLOCK, write them back with F_SETFL", fd, nonblocking);
}

void write_all(int fd, std::span<const std::byte> data) {
  IPCLAB_TODO("loop over write(2): handle partial writes and EINTR", fd, data);
}

std::size_t read_full(int fd, std::span<std::byte> buffer) {
  IPCLAB_TODO("loop over read(2) until the buffer is full or read returns 0 (end of file); retry EINTR", fd, buffer);
}

void send_message(int fd, std::span<const std::byte> payload) {
  IPCLAB_TODO("refuse payloads above max_message_size, then write the length prefix and the payload with ONE write_all", fd, payload);
}

std::optional<std::vector<std::byte>> receive_message(int fd) {
  IPCLAB_TODO("read the length prefix with read_full, check it, then read the payload", fd);
}

}  // namespace ipclab::fifo
