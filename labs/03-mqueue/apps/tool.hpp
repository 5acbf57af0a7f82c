// What the five queue tools share: option parsing, one-line errors, exit codes.
#pragma once

#include <mqueue.h>

#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ipclab/mqueue.hpp"

namespace tool {

/// A mistake in the command line: the tool prints its usage and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Runs `body(arguments)`; --help prints `usage` and exits 0; errors print one
/// line "NAME: reason" and exit 1 (2 for a bad command line).
inline int run(int argc, char** argv, const char* name, const char* usage,
               const std::function<int(std::vector<std::string>&)>& body) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    }
  }
  try {
    return body(args);
  } catch (const UsageError& error) {
    std::cerr << name << ": " << error.what() << "\n" << usage;
    return 2;
  } catch (const ipclab::SystemError& error) {
    std::cerr << name << ": " << error.what();
    switch (error.error_number()) {
      case ENOENT:
        std::cerr << " — no such queue (mq-ls lists them)";
        break;
      case EMSGSIZE:
        // The same errno means opposite things: a send's message is too long,
        // a receive's buffer too short (the Lab 03 bug: a buffer not of mq_msgsize).
        std::cerr << (error.call() == "mq_send"
                          ? " — the message is longer than the queue's mq_msgsize (see mq-stat)"
                          : " — the receive buffer is smaller than the queue's mq_msgsize (see mq-stat)");
        break;
      case EMFILE:
        // For mq_open with O_CREAT this is almost never "too many open files".
        if (error.call() == "mq_open") {
          std::cerr << " — for a new queue this usually means your RLIMIT_MSGQUEUE budget"
                       " (ulimit -q) is used up: look for leftover queues (mq-ls)";
        }
        break;
      case EAGAIN:
        std::cerr << " — the queue is " << (error.call() == "mq_send" ? "full" : "empty");
        break;
      case EACCES:
        // Opening is checked against the queue's mode; removing is not: only
        // the queue's owner (or a privileged process) may remove it.
        std::cerr << (error.call() == "mq_unlink"
                          ? " — only the queue's owner may remove it, whatever its mode"
                          : " — permission denied by the queue's mode");
        break;
      default:
        break;
    }
    std::cerr << '\n';
  } catch (const std::exception& error) {
    std::cerr << name << ": " << error.what() << '\n';
  }
  return 1;
}

/// Removes `flag` from `args` and returns whether it was there.
inline bool take_flag(std::vector<std::string>& args, const std::string& flag) {
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (*it == flag) {
      args.erase(it);
      return true;
    }
  }
  return false;
}

/// Removes "OPTION VALUE" from `args` and returns VALUE, if present.
inline std::optional<std::string> take_option(std::vector<std::string>& args,
                                              const std::string& option) {
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (*it == option) {
      if (it + 1 == args.end()) {
        throw UsageError(option + " needs a value");
      }
      std::string value = *(it + 1);
      args.erase(it, it + 2);
      return value;
    }
  }
  return std::nullopt;
}

/// Sets or clears O_NONBLOCK on a queue descriptor that is already open. (Lab 04
/// wraps mq_setattr; the tools of Lab 03 call it directly for their -n flag,
/// right after Queue::open, which has no O_NONBLOCK of its own.)
inline void set_nonblocking(const ipclab::mq::Queue& queue, bool nonblocking) {
  mq_attr attr{};
  attr.mq_flags = nonblocking ? O_NONBLOCK : 0;
  ipclab::check(::mq_setattr(queue.native(), &attr, nullptr), "mq_setattr");
}

}  // namespace tool
