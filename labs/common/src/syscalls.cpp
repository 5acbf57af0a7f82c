#include "ipclab/syscalls.hpp"

#include <sys/syscall.h>

#include <fstream>
#include <string_view>
#include <utility>

namespace ipclab {

namespace {
// The calls a process of this course can be blocked in. Built from the SYS_*
// macros so that the numbers are right on every architecture.
constexpr std::pair<long, std::string_view> kSyscalls[] = {
#define IPCLAB_SYSCALL(name) {SYS_##name, #name},
    IPCLAB_SYSCALL(read) IPCLAB_SYSCALL(write) IPCLAB_SYSCALL(readv) IPCLAB_SYSCALL(writev)
        IPCLAB_SYSCALL(openat) IPCLAB_SYSCALL(close) IPCLAB_SYSCALL(ppoll) IPCLAB_SYSCALL(pselect6)
            IPCLAB_SYSCALL(epoll_pwait) IPCLAB_SYSCALL(futex) IPCLAB_SYSCALL(wait4)
                IPCLAB_SYSCALL(waitid) IPCLAB_SYSCALL(nanosleep) IPCLAB_SYSCALL(clock_nanosleep)
                    IPCLAB_SYSCALL(rt_sigsuspend) IPCLAB_SYSCALL(rt_sigtimedwait) IPCLAB_SYSCALL(
                        mq_timedsend) IPCLAB_SYSCALL(mq_timedreceive) IPCLAB_SYSCALL(mq_open)
                        IPCLAB_SYSCALL(msgsnd) IPCLAB_SYSCALL(msgrcv) IPCLAB_SYSCALL(semtimedop)
                            IPCLAB_SYSCALL(accept4) IPCLAB_SYSCALL(recvfrom) IPCLAB_SYSCALL(sendto)
                                IPCLAB_SYSCALL(exit_group) IPCLAB_SYSCALL(flock)
                                    IPCLAB_SYSCALL(fcntl)
#ifdef SYS_open
                                        IPCLAB_SYSCALL(open)
#endif
#ifdef SYS_poll
                                            IPCLAB_SYSCALL(poll)
#endif
#ifdef SYS_select
                                                IPCLAB_SYSCALL(select)
#endif
#ifdef SYS_epoll_wait
                                                    IPCLAB_SYSCALL(epoll_wait)
#endif
#ifdef SYS_pause
                                                        IPCLAB_SYSCALL(pause)
#endif
#ifdef SYS_semop
                                                            IPCLAB_SYSCALL(semop)
#endif
#ifdef SYS_accept
                                                                IPCLAB_SYSCALL(accept)
#endif
#ifdef SYS_epoll_pwait2
                                                                    IPCLAB_SYSCALL(epoll_pwait2)
#endif
#ifdef SYS_futex_waitv
                                                                        IPCLAB_SYSCALL(futex_waitv)
#endif
#undef IPCLAB_SYSCALL
};

constexpr std::pair<std::string_view, std::string_view> kExplanations[] = {
    {"openat", "opening a FIFO waits for the other end to open it"},
    {"open", "opening a FIFO waits for the other end to open it"},
    {"read", "reading an empty pipe or FIFO waits for a writer to write or close"},
    {"write", "writing to a full pipe or FIFO waits for the reader to make room"},
    {"mq_timedreceive", "receiving from an empty queue waits for a sender — is anyone sending?"},
    {"mq_timedsend", "sending to a full queue waits for a receiver to make room"},
    {"msgrcv", "msgrcv waits for a message of the requested type — is anyone sending it?"},
    {"msgsnd", "msgsnd waits for room in the queue (msg_qbytes)"},
    {"futex", "waiting on a mutex, condition variable or POSIX semaphore — who should post it?"},
    {"semtimedop", "waiting on a System V semaphore"},
    {"wait4", "waiting for a child process to exit"},
    {"waitid", "waiting for a child process to exit"},
    {"ppoll", "poll waits for one of its descriptors to become ready"},
    {"poll", "poll waits for one of its descriptors to become ready"},
    {"epoll_wait", "epoll waits for one of its descriptors to become ready"},
    {"epoll_pwait", "epoll waits for one of its descriptors to become ready"},
    {"rt_sigsuspend", "waiting for a signal"},
    {"rt_sigtimedwait", "waiting for a signal"},
    {"pause", "waiting for a signal"},
    {"nanosleep", "sleeping"},
    {"clock_nanosleep", "sleeping"},
    {"running", "running on a CPU: a busy loop?"},
};
}  // namespace

std::string syscall_name(long number) {
  for (const auto& [nr, name] : kSyscalls) {
    if (nr == number) {
      return std::string(name);
    }
  }
  return "syscall " + std::to_string(number);
}

std::optional<std::string> current_syscall(pid_t pid, pid_t tid) {
  std::string path = "/proc/" + std::to_string(pid);
  path += tid > 0 ? "/task/" + std::to_string(tid) + "/syscall" : "/syscall";
  std::ifstream in(path);
  std::string first;
  if (!(in >> first)) {
    return std::nullopt;
  }
  if (first == "running") {
    return first;
  }
  try {
    long number = std::stol(first);
    // -1 means "blocked, but not in a system call" (for example stopped by a signal).
    return number < 0 ? std::string("no system call") : syscall_name(number);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string explain_blocking_syscall(const std::string& syscall) {
  for (const auto& [name, why] : kExplanations) {
    if (name == syscall) {
      return std::string(why);
    }
  }
  return {};
}

}  // namespace ipclab
