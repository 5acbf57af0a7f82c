// mq-pressure — back-pressure you can watch: a producer fills a small queue and
// blocks; a consumer frees one slot at a time and the producer moves on.
//
//   ./mq-pressure                 6 messages through a queue of 3, half a second per step
//   ./mq-pressure --pause-ms 0    as fast as the handshakes allow
//
// Shows: a full queue does not lose messages or make the sender spin — the
// sender sleeps inside mq_timedsend (the kernel's call behind mq_send) until a
// receiver makes room. The consumer checks that in /proc/PID/syscall before
// each receive, so the story printed is what the kernel saw.
//
// Pitfall avoided: right after a receive wakes the producer, /proc still shows
// it in mq_timedsend until it is scheduled again. So the producer also writes a
// byte to a pipe each time it starts a send, and the consumer waits for the
// announcement of the *next* send before it looks at /proc.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "ipclab/bytes.hpp"
#include "ipclab/error.hpp"
#include "ipclab/mq_blocking.hpp"
#include "ipclab/syscalls.hpp"
#include "ipclab/unique_fd.hpp"

namespace {
using namespace ipclab::mq_blocking;
constexpr long kCapacity = 3;
constexpr int kMessages = 6;

void say(const std::string& line) { std::cout << line << std::endl; }

// Reads the producer's announcements until it has started send number `n`.
void wait_for_send(int announcements, long& started, long n) {
  while (started < n) {
    char byte = 0;
    ssize_t got = ::read(announcements, &byte, 1);
    if (got == 1) {
      ++started;
    } else if (got == 0 || errno != EINTR) {
      throw std::runtime_error("the producer stopped before send " + std::to_string(n));
    }
  }
}

// Waits until `pid` sleeps in `call` or has exited; the parent watches its child.
bool wait_until_blocked(pid_t pid, const std::string& call) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == pid) {
      return false;  // it exited (a zombie still has a /proc entry): it will never block
    }
    auto now = ipclab::current_syscall(pid);
    if (!now) {
      return false;  // gone
    }
    if (*now == call) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling /proc, not ordering
  }
  return false;
}
}  // namespace

int main(int argc, char** argv) {
  int pause_ms = 500;
  if (argc == 3 && std::strcmp(argv[1], "--pause-ms") == 0) {
    pause_ms = std::stoi(argv[2]);
  } else if (argc != 1) {
    std::cerr << "usage: mq-pressure [--pause-ms N]\n"
                 "A producer sends "
              << kMessages << " messages through a queue of " << kCapacity
              << "; a consumer frees one slot at a time once the producer is blocked.\n";
    return argc == 2 && std::strcmp(argv[1], "--help") == 0 ? 0 : 2;
  }
  std::string name = "/ipclab.pressure." + std::to_string(::getpid());
  try {
    Queue queue = Queue::create(name, Limits{kCapacity, 64});
    unlink(name);  // nobody else needs the name; the queue lives while we hold it
    int pipe_fds[2];
    ipclab::check(::pipe(pipe_fds), "pipe");
    ipclab::UniqueFd announcements(pipe_fds[0]);
    ipclab::UniqueFd announcer(pipe_fds[1]);
    pid_t producer = ipclab::check(::fork(), "fork");
    if (producer == 0) {
      announcements.reset();
      for (int i = 1; i <= kMessages; ++i) {
        long held = queue.attributes().current_messages;
        say("producer: sending message " + std::to_string(i) + " (queue holds " +
            std::to_string(held) + " of " + std::to_string(kCapacity) + ")" +
            (held == kCapacity ? " — full, waiting" : ""));
        ipclab::check(::write(announcer.get(), "s", 1), "write");
        queue.send(ipclab::to_bytes("message " + std::to_string(i)));
      }
      say("producer: done");
      ::_exit(0);
    }
    // Each line is printed while the other process is known to be waiting, so
    // the story comes out in the same order every time.
    auto take = [&](int i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));  // for human eyes only
      say("consumer: receiving one message (the oldest is message " + std::to_string(i) + ")");
      auto message = queue.receive();
      if (!message || ipclab::to_string(message->payload) != "message " + std::to_string(i)) {
        throw std::runtime_error("received the wrong message");
      }
    };
    announcer.reset();  // the pipe reports EOF if the producer dies
    long started = 0;
    for (int i = 1; i <= kMessages - kCapacity; ++i) {
      wait_for_send(announcements.get(), started, kCapacity + i);
      if (!wait_until_blocked(producer, "mq_timedsend")) {
        throw std::runtime_error("the producer never blocked on the full queue");
      }
      say("consumer: the producer is blocked in mq_timedsend; queue holds " +
          std::to_string(queue.attributes().current_messages) + " of " + std::to_string(kCapacity));
      take(i);
    }
    int status = 0;
    ::waitpid(producer, &status, 0);
    for (int i = kMessages - kCapacity + 1; i <= kMessages; ++i) {
      take(i);
    }
    say("consumer: done; every message arrived once, in order");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "mq-pressure: " << error.what() << '\n';
    ::mq_unlink(name.c_str());
    return 1;
  }
}
