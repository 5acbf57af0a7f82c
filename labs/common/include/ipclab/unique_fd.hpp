/// \file
/// \brief UniqueFd: the one owner of a file descriptor.
#pragma once

#include <utility>

namespace ipclab {

/// A move-only owner of a file descriptor: closes it in its destructor, so no
/// code path (an exception, an early return) leaks a descriptor.
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  /// Takes ownership of `fd` (may be -1 for "none").
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  /// Takes over the descriptor of `other`, which then owns none.
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  /// Closes the owned descriptor and takes over the one of `other`.
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  /// The descriptor, still owned by this object.
  [[nodiscard]] int get() const noexcept { return fd_; }
  /// True when a descriptor is owned.
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Gives up ownership and returns the descriptor.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the owned descriptor (errors from close are ignored) and owns `fd` instead.
  void reset(int fd = -1) noexcept;
  /// Closes the owned descriptor and reports a failing close as SystemError.
  void close();

 private:
  int fd_ = -1;
};

}  // namespace ipclab
