// Helpers shared by the Lab 01 hidden tests. Instructor only, like the tests.
//
// The test's own byte movers (read_exactly, write_raw, frame) never call the
// student's code, so a failure always points at the function under test.
// Helpers that are not about FIFOs come from labs/common/testing.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "ipclab/error.hpp"
#include "ipclab/fifo.hpp"
#include "ipclab/syscalls.hpp"
#include "ipclab/testing.hpp"
#include "ipclab/time.hpp"
#include "ipclab/unique_fd.hpp"

namespace ipclab::fifo::hidden {

using testing::finishes_without_blocking_in;
using testing::first_difference;
using testing::pattern;

/// The system calls a process waits in while it writes or opens a FIFO, or
/// waits for input without a timeout (read() itself). For "waits for input, one
/// way or another" use testing::kWaitingForInput.
inline const std::initializer_list<std::string_view> read_calls = {"read", "readv"};
inline const std::initializer_list<std::string_view> write_calls = {"write", "writev"};
inline const std::initializer_list<std::string_view> open_calls = {"openat", "open"};
/// The readiness waits a timeout can be given to.
inline const std::initializer_list<std::string_view> poll_calls = {
    "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait"};

/// A frame as send_message() must write it: a std::uint32_t length, then the payload.
inline std::vector<std::byte> frame(std::span<const std::byte> payload) {
  auto length = static_cast<std::uint32_t>(payload.size());
  std::vector<std::byte> bytes(header_size + payload.size());
  std::memcpy(bytes.data(), &length, header_size);
  if (!payload.empty()) {
    std::memcpy(bytes.data() + header_size, payload.data(), payload.size());
  }
  return bytes;
}

/// Just a length prefix, for frames the test cuts short or fakes.
inline std::vector<std::byte> header_announcing(std::uint32_t length) {
  std::vector<std::byte> bytes(header_size);
  std::memcpy(bytes.data(), &length, header_size);
  return bytes;
}

/// The length a 4-byte header announces.
inline std::uint32_t announced_length(std::span<const std::byte> header) {
  std::uint32_t length = 0;
  std::memcpy(&length, header.data(), std::min(header.size(), header_size));
  return length;
}

/// The payload of a request: the client's pid, then the body (see Server).
inline std::vector<std::byte> request_payload(std::int32_t pid, std::span<const std::byte> body) {
  std::vector<std::byte> bytes(sizeof pid + body.size());
  std::memcpy(bytes.data(), &pid, sizeof pid);
  if (!body.empty()) {
    std::memcpy(bytes.data() + sizeof pid, body.data(), body.size());
  }
  return bytes;
}

/// The test's own write loop (not the student's write_all). Throws SystemError.
inline void write_raw(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    check(n, "write", "the test's own writer");
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

/// The test's own reader: up to `size` bytes from `fd`, fewer only at end of
/// file or at the deadline. Works on blocking and non-blocking descriptors.
inline std::vector<std::byte> read_exactly(
    int fd, std::size_t size,
    std::chrono::steady_clock::time_point deadline = testing::default_deadline()) {
  std::vector<std::byte> bytes(size);
  std::size_t got = 0;
  while (got < size) {
    pollfd ready{fd, POLLIN, 0};
    int n = ::poll(&ready, 1, milliseconds_until(deadline));
    if (n == 0) {
      break;  // deadline
    }
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    ssize_t count = ::read(fd, bytes.data() + got, size - got);
    if (count < 0 && (errno == EINTR || errno == EAGAIN)) {
      continue;
    }
    if (count <= 0) {
      break;  // end of file (or an error the caller sees as missing bytes)
    }
    got += static_cast<std::size_t>(count);
  }
  bytes.resize(got);
  return bytes;
}

/// Everything until end of file (or the deadline).
inline std::vector<std::byte> read_until_eof(
    int fd, std::chrono::steady_clock::time_point deadline = testing::default_deadline()) {
  std::vector<std::byte> all;
  for (;;) {
    auto piece = read_exactly(fd, 1 << 16, deadline);
    all.insert(all.end(), piece.begin(), piece.end());
    if (piece.size() < (1u << 16)) {
      return all;
    }
  }
}

/// True when a read of `fd` would find data (or end of file) right now.
inline bool has_data_now(int fd) {
  pollfd ready{fd, POLLIN, 0};
  return ::poll(&ready, 1, 0) == 1 && (ready.revents & POLLIN) != 0;
}

/// The size of one pipe buffer slot: the kernel keeps a FIFO's data in pages.
inline std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }

/// Fills the FIFO behind `fd` — a write end of its own, opened with O_NONBLOCK —
/// with whole pages until no page is free. Returns how many bytes it wrote.
inline std::size_t fill_with_pages(int fd) {
  std::vector<std::byte> page(page_size(), std::byte{0xAA});
  std::size_t total = 0;
  for (;;) {
    ssize_t n = ::write(fd, page.data(), page.size());
    if (n < 0) {
      if (errno == EAGAIN) {
        return total;
      }
      throw_system_error("write", errno, "filling the FIFO");
    }
    total += static_cast<std::size_t>(n);
  }
}

/// In a child: installs a handler for `sig` WITHOUT SA_RESTART, so that a
/// blocked read() or write() returns early — with EINTR if it had moved no byte
/// yet, with a short count otherwise — and notifies `handled` each time it ran.
/// The parent waits for `handled` to know that the interrupted call has returned.
inline void interrupt_system_calls_on(int sig, const testing::Event& handled) {
  testing::notify_on_signal(sig, handled, /*restart=*/false);  // no SA_RESTART: that is the point
}

/// Removes a path in the test's directory at the end of the scope, even when an
/// assertion returns early: for objects the test itself puts where the code under
/// test looks (a stale reply FIFO in dir()).
class RemovedAtEnd {
 public:
  explicit RemovedAtEnd(std::filesystem::path path) : path_(std::move(path)) {}
  ~RemovedAtEnd() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  RemovedAtEnd(const RemovedAtEnd&) = delete;
  RemovedAtEnd& operator=(const RemovedAtEnd&) = delete;

 private:
  std::filesystem::path path_;
};

/// In a child: lets the process open exactly `count` more descriptors; the next
/// open() then fails with EMFILE. open() takes the lowest free number and fails
/// once that number reaches RLIMIT_NOFILE, so the limit is the (count+1)-th free number.
inline void allow_only_more_descriptors(int count) {
  std::vector<int> probes;
  for (int i = 0; i <= count; ++i) {
    probes.push_back(check(::open("/dev/null", O_RDONLY | O_CLOEXEC), "open", "/dev/null"));
  }
  rlimit limit{};
  check(::getrlimit(RLIMIT_NOFILE, &limit), "getrlimit");
  limit.rlim_cur = static_cast<rlim_t>(probes.back());
  for (int fd : probes) {
    ::close(fd);
  }
  check(::setrlimit(RLIMIT_NOFILE, &limit), "setrlimit");
}

/// In a child: caps the address space `headroom` bytes above what the process
/// maps now, so that allocating gigabytes throws std::bad_alloc at once instead
/// of eating the machine. Returns false (and caps nothing) under a sanitizer,
/// which needs its huge reservations.
inline bool cap_address_space(std::size_t headroom) {
  if (testing::kUnderAddressSanitizer || testing::kUnderThreadSanitizer) {
    return false;
  }
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  if (!(statm >> pages)) {
    return false;
  }
  rlimit limit{};
  limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(pages * page_size() + headroom);
  return ::setrlimit(RLIMIT_AS, &limit) == 0;
}

}  // namespace ipclab::fifo::hidden
