/// \file
/// \brief Proving that a call blocks: wait until a child sits in a system call.
#pragma once

#include <chrono>
#include <initializer_list>
#include <string_view>

#include <gtest/gtest.h>

#include "ipclab/testing/deadline.hpp"

namespace ipclab::testing {

class ChildProcess;

/// The system calls a process can wait for input in: read() itself, or a
/// readiness wait before it. Tests that only care *that* a process waits for
/// data (not how) accept any of them, so a correct design that polls first passes.
inline const std::initializer_list<std::string_view> kWaitingForInput = {
    "read", "readv", "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait"};

/// Passes once `child` is blocked in one of `syscalls` (read from
/// /proc/PID/syscall). Fails with what the child was doing if the deadline
/// passes, or with the child's own message if it exits first. The observer is
/// always the parent: Yama's ptrace_scope lets a parent inspect its children,
/// not the other way round.
::testing::AssertionResult blocked_in(
    ChildProcess& child, std::initializer_list<std::string_view> syscalls,
    std::chrono::steady_clock::time_point deadline = default_deadline());

/// Waits for `child` to finish and passes if it exited 0. Fails at once, and
/// kills it, if it blocks in one of `syscalls` first: for calls that must never
/// wait (a non-blocking open, IPC_NOWAIT, a message already queued), so that a
/// wrong solution is reported in a moment with `why`, not after a deadline.
///
/// A correct call can sleep in the kernel for a moment without waiting for the
/// other side (a page fault while copying a buffer), and /proc/PID/syscall then
/// names the call too; so "blocked" needs the child to stay there for a short
/// confirmation window, which only a wrong solution ever pays for.
::testing::AssertionResult finishes_without_blocking_in(
    ChildProcess& child, std::initializer_list<std::string_view> syscalls, std::string_view why);

}  // namespace ipclab::testing
