#include "ipclab/unique_fd.hpp"

#include <unistd.h>

#include "ipclab/error.hpp"

namespace ipclab {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0 && fd_ != fd) {
    // Linux releases the descriptor even when close fails, so never retry it.
    ::close(fd_);
  }
  fd_ = fd;
}

void UniqueFd::close() {
  if (fd_ >= 0) {
    check(::close(std::exchange(fd_, -1)), "close");
  }
}

}  // namespace ipclab
