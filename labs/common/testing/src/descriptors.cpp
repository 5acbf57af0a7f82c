#include "ipclab/testing/descriptors.hpp"

#include <fcntl.h>

namespace ipclab::testing {

namespace {
int status_flags(int fd) { return ::fcntl(fd, F_GETFL); }  // -1 when fd is closed: every flag "set"
}  // namespace

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

bool is_close_on_exec(int fd) {
  int flags = ::fcntl(fd, F_GETFD);
  return flags != -1 && (flags & FD_CLOEXEC) != 0;
}

bool is_nonblocking(int fd) {
  int flags = status_flags(fd);
  return flags != -1 && (flags & O_NONBLOCK) != 0;
}

bool is_append(int fd) {
  int flags = status_flags(fd);
  return flags != -1 && (flags & O_APPEND) != 0;
}

std::string access_mode(int fd) {
  int flags = status_flags(fd);
  if (flags == -1) {
    return "not an open descriptor";
  }
  switch (flags & O_ACCMODE) {
    case O_RDONLY: return "O_RDONLY";
    case O_WRONLY: return "O_WRONLY";
    case O_RDWR: return "O_RDWR";
    default: return "access mode " + std::to_string(flags & O_ACCMODE);
  }
}

}  // namespace ipclab::testing
