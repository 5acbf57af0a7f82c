/// \file
/// \brief Questions about a descriptor's flags, asked by name.
///
/// GoogleTest echoes an assertion's expression after macro expansion, so
/// `EXPECT_EQ(::fcntl(fd, F_GETFD), -1)` fails as `::fcntl(fd, 1)`; these
/// functions keep the echo readable (`is_open(fd)`) and say what they found.
#pragma once

#include <string>

namespace ipclab::testing {

/// True while `fd` names an open descriptor (fcntl F_GETFD succeeds).
bool is_open(int fd);
/// True when `fd` has FD_CLOEXEC (it was opened with O_CLOEXEC).
bool is_close_on_exec(int fd);
/// True when the open file description of `fd` has O_NONBLOCK.
bool is_nonblocking(int fd);
/// True when the open file description of `fd` has O_APPEND.
bool is_append(int fd);
/// "O_RDONLY", "O_WRONLY" or "O_RDWR": the access mode `fd` was opened with.
std::string access_mode(int fd);

}  // namespace ipclab::testing
