/// \file
/// \brief What a process is blocked in: system call names from /proc/PID/syscall.
///
/// Used by the tests (to prove that a call *blocks*) and by the grader (to explain
/// a hang: "blocked in mq_timedreceive").
#pragma once

#include <sys/types.h>
#include <optional>
#include <string>

namespace ipclab {

/// The name of system call number `number` on this architecture ("read"), or
/// "syscall N" when the table does not know it.
std::string syscall_name(long number);

/// What thread `tid` of process `pid` is doing, from /proc/PID/task/TID/syscall:
/// the name of the system call it is blocked in, "running" when it is on a CPU,
/// or std::nullopt when the process is gone or cannot be inspected.
std::optional<std::string> current_syscall(pid_t pid, pid_t tid = 0);

/// A short explanation of why a process may be blocked in `syscall`, for people
/// reading a timeout report ("opening a FIFO waits for the other end"), or "".
std::string explain_blocking_syscall(const std::string& syscall);

}  // namespace ipclab
