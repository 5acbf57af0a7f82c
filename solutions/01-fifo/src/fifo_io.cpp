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
  // BEGIN SOLUTION
  check(::mkfifo(path.c_str(), mode), "mkfifo", path.string());
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("call mkfifo(3) and check() its result", path, mode);
}

UniqueFd open_fifo(const std::filesystem::path& path, Direction direction, Blocking blocking) {
  // BEGIN SOLUTION
  int flags = (direction == Direction::read ? O_RDONLY : O_WRONLY) | O_CLOEXEC;
  if (blocking == Blocking::no) {
    flags |= O_NONBLOCK;
  }
  return UniqueFd(check(::open(path.c_str(), flags), "open", path.string()));
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("open(2) with O_RDONLY or O_WRONLY, O_CLOEXEC, and O_NONBLOCK for Blocking::no", path, direction, blocking);
}

void set_nonblocking(int fd, bool nonblocking) {
  // BEGIN SOLUTION
  int flags = check(::fcntl(fd, F_GETFL), "fcntl");
  flags = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  check(::fcntl(fd, F_SETFL, flags), "fcntl");
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read the flags with F_GETFL, change only O_NONBLOCK, write them back with F_SETFL", fd, nonblocking);
}

void write_all(int fd, std::span<const std::byte> data) {
  // BEGIN SOLUTION
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written == -1) {
      if (errno == EINTR) {
        continue;  // a signal arrived before anything was written: try again
      }
      throw_system_error("write");
    }
    // A signal can also cut a large write short: carry on from where it stopped.
    data = data.subspan(static_cast<std::size_t>(written));
  }
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("loop over write(2): handle partial writes and EINTR", fd, data);
}

std::size_t read_full(int fd, std::span<std::byte> buffer) {
  // BEGIN SOLUTION
  std::size_t total = 0;
  while (total < buffer.size()) {
    ssize_t got = ::read(fd, buffer.data() + total, buffer.size() - total);
    if (got == -1) {
      if (errno == EINTR) {
        continue;
      }
      throw_system_error("read");
    }
    if (got == 0) {
      break;  // end of file: every writer has closed
    }
    total += static_cast<std::size_t>(got);
  }
  return total;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("loop over read(2) until the buffer is full or read returns 0 (end of file); retry EINTR", fd, buffer);
}

void send_message(int fd, std::span<const std::byte> payload) {
  // BEGIN SOLUTION
  if (payload.size() > max_message_size) {
    throw std::length_error("send_message: payload of " + std::to_string(payload.size()) +
                            " bytes is larger than max_message_size");
  }
  // Header and payload in one buffer and one write_all(): a frame of at most
  // PIPE_BUF bytes then reaches the FIFO atomically. Two writes (header, then
  // payload) would let another writer's frame slip in between.
  auto length = static_cast<std::uint32_t>(payload.size());
  std::vector<std::byte> frame(header_size + payload.size());
  std::memcpy(frame.data(), &length, header_size);
  if (!payload.empty()) {
    std::memcpy(frame.data() + header_size, payload.data(), payload.size());
  }
  write_all(fd, frame);
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("refuse payloads above max_message_size, then write the length prefix and the payload with ONE write_all", fd, payload);
}

std::optional<std::vector<std::byte>> receive_message(int fd) {
  // BEGIN SOLUTION
  std::uint32_t length = 0;
  std::array<std::byte, header_size> header{};
  std::size_t got = read_full(fd, header);
  if (got == 0) {
    return std::nullopt;  // a clean end of file, between messages
  }
  if (got < header_size) {
    throw ProtocolError("end of file inside a message header (" + std::to_string(got) + " of " +
                        std::to_string(header_size) + " bytes)");
  }
  std::memcpy(&length, header.data(), header_size);
  if (length > max_message_size) {  // check before allocating: the length is untrusted
    throw ProtocolError("message length " + std::to_string(length) +
                        " is larger than max_message_size");
  }
  std::vector<std::byte> payload(length);
  if (got = read_full(fd, payload); got < length) {
    throw ProtocolError("end of file after " + std::to_string(got) + " of " +
                        std::to_string(length) + " payload bytes");
  }
  return payload;
  // END SOLUTION
  // SKELETON: IPCLAB_TODO("read the length prefix with read_full, check it, then read the payload", fd);
}

}  // namespace ipclab::fifo
