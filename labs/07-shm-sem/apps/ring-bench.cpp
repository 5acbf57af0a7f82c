// ring-bench: how fast messages move between two processes through the ring of
// this lab, and through a POSIX message queue, on the same machine.
//
//   ring-bench [--messages N] [--size BYTES] [--capacity SLOTS]
//
// A child process consumes, the parent produces; each mechanism moves N messages
// of BYTES bytes (default 1,000,000 of 100). What it shows: a ring in shared
// memory needs no system call per message while neither side has to wait (the
// semaphores then stay in user space), whereas every mq_send and mq_receive is
// one. The queue is made with the default limits an ordinary user may have.
#include <fcntl.h>
#include <mqueue.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ipclab/shm_sem.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using ipclab::shm_sem::Geometry;
using ipclab::shm_sem::Ring;

struct Options {
  long messages = 1'000'000;
  std::uint32_t size = 100;
  std::uint32_t capacity = 256;
};

constexpr const char* kUsage =
    "usage: ring-bench [--messages N] [--size BYTES] [--capacity SLOTS]\n"
    "  moves N messages (default 1000000) of BYTES bytes (default 100, at most 8192)\n"
    "  through a shared memory ring of SLOTS slots (default 256) and a POSIX queue\n";

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "ring-bench: " << problem << "\n" << kUsage;
  std::exit(2);
}

long number(const char* text, const char* option, long low, long high) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < low || value > high) {
    usage(std::string(option) + " wants a whole number from " + std::to_string(low) + " to " +
          std::to_string(high) + ", not \"" + text + "\"");
  }
  return value;
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (i + 1 >= argc) {
      usage(arg == "--messages" || arg == "--size" || arg == "--capacity"
                ? arg + " needs a value"
                : "unknown argument \"" + arg + "\"");
    }
    const char* value = argv[++i];
    if (arg == "--messages") {
      options.messages = number(value, "--messages", 1, 1'000'000'000);
    } else if (arg == "--size") {
      options.size = static_cast<std::uint32_t>(number(value, "--size", 1, 8192));
    } else if (arg == "--capacity") {
      options.capacity = static_cast<std::uint32_t>(number(value, "--capacity", 1, 65536));
    } else {
      usage("unknown argument \"" + arg + "\"");
    }
  }
  return options;
}

// Runs `consume` in a child and `produce` here; returns messages per second.
double measure(long messages, const std::function<void()>& produce,
               const std::function<void()>& consume) {
  auto start = Clock::now();
  pid_t child = ::fork();
  if (child == -1) {
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    try {
      consume();
      ::_exit(0);
    } catch (const std::exception& error) {
      std::cerr << "ring-bench consumer: " << error.what() << "\n";
      ::_exit(1);
    }
  }
  produce();
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the consumer process failed");
  }
  std::chrono::duration<double> seconds = Clock::now() - start;
  return static_cast<double>(messages) / seconds.count();
}

// Names like the test suite's (/ipclab.PID.N.tag), so tools/leftovers.sh knows
// whose they are.
std::string name(const char* tag) {
  return "/ipclab." + std::to_string(::getpid()) + ".0." + tag;
}

double ring_rate(const Options& o) {
  Ring ring = Ring::create(name("bench-ring"), Geometry{o.capacity, o.size});
  std::vector<std::byte> message(o.size, std::byte{'r'});
  return measure(
      o.messages,
      [&] {
        for (long i = 0; i < o.messages; ++i) {
          std::memcpy(message.data(), &i, std::min<std::size_t>(sizeof i, o.size));
          ring.push(message);
        }
      },
      [&] {
        for (long i = 0; i < o.messages; ++i) {
          if (ring.pop().size() != o.size) {
            throw std::runtime_error("a message of the wrong length arrived");
          }
        }
      });
}

double queue_rate(const Options& o) {
  const std::string queue = name("bench-queue");
  mq_attr attr{};
  attr.mq_maxmsg = 10;  // /proc/sys/fs/mqueue/msg_max: what an ordinary user gets
  attr.mq_msgsize = o.size;
  mqd_t mqd = ::mq_open(queue.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
  if (mqd == static_cast<mqd_t>(-1)) {
    throw std::runtime_error("mq_open(" + queue + "): " + std::strerror(errno));
  }
  ::mq_unlink(queue.c_str());  // the descriptor keeps it alive; nothing to leave behind
  std::vector<char> message(o.size, 'q');
  double rate = measure(
      o.messages,
      [&] {
        for (long i = 0; i < o.messages; ++i) {
          if (::mq_send(mqd, message.data(), message.size(), 0) == -1) {
            throw std::runtime_error(std::string("mq_send: ") + std::strerror(errno));
          }
        }
      },
      [&] {
        std::vector<char> buffer(o.size);
        for (long i = 0; i < o.messages; ++i) {
          if (::mq_receive(mqd, buffer.data(), buffer.size(), nullptr) != static_cast<ssize_t>(o.size)) {
            throw std::runtime_error(std::string("mq_receive: ") + std::strerror(errno));
          }
        }
      });
  ::mq_close(mqd);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  try {
    double ring = ring_rate(options);
    double queue = queue_rate(options);
    std::printf("%ld messages of %u bytes between two processes\n", options.messages, options.size);
    std::printf("  shared memory ring (%u slots): %12.0f messages/s\n", options.capacity, ring);
    std::printf("  POSIX message queue (10 msgs): %12.0f messages/s\n", queue);
    std::printf("  the ring is %.1f times as fast\n", ring / queue);
  } catch (const std::exception& error) {
    std::cerr << "ring-bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
