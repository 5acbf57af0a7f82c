// mq-server — one event loop, three sources: a POSIX message queue, a timer
// and the signals that stop it.
//
//   ./mq-server /demo                    statistics every second
//   ./mq-server --interval-ms 250 /demo  every quarter of a second
//
// Shows: the server never blocks anywhere but in epoll_wait. It prints each
// message as it arrives, a statistics line each interval (a timerfd), and on
// Ctrl-C or `kill PID` (a signalfd) it drains the queue, prints the final
// count, removes the queue and exits 0. Send it messages with mq-client.
//
// Pitfall avoided: the queue is created exclusively. A queue left behind by a
// server that crashed is reported, with the command that removes it, instead
// of being reused with stale messages — or silently stolen from a server that
// is still running.
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <string>

#include "ipclab/error.hpp"
#include "ipclab/mq_server.hpp"

namespace {
int usage(const std::string& problem) {
  std::cerr << "mq-server: " << problem << "\n"
            << "usage: mq-server [--interval-ms N] [--max-messages N] [--message-size N] /NAME\n";
  return 2;
}

// A positive number from the command line, or -1.
long positive(const std::string& text) {
  try {
    std::size_t used = 0;
    long value = std::stol(text, &used);
    return used == text.size() && value > 0 ? value : -1;
  } catch (const std::exception&) {
    return -1;
  }
}
}  // namespace

int main(int argc, char** argv) {
  ipclab::epoll::ServerOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--interval-ms" || arg == "--max-messages" || arg == "--message-size") {
      long value = i + 1 < argc ? positive(argv[++i]) : -1;
      if (value < 0) {
        return usage(arg + " needs a positive whole number");
      }
      if (arg == "--interval-ms") {
        options.stats_interval = std::chrono::milliseconds(value);
      } else if (arg == "--max-messages") {
        options.max_messages = value;
      } else {
        options.message_size = value;
      }
    } else if (arg.size() > 1 && arg[0] == '/' && arg.find('/', 1) == std::string::npos &&
               options.queue_name.empty()) {
      options.queue_name = arg;
    } else {
      return usage("unexpected argument '" + arg + "' (a queue name is one slash and a name: /demo)");
    }
  }
  if (options.queue_name.empty()) {
    return usage("which queue? give its name, such as /demo");
  }
  try {
    ipclab::epoll::Server server(options, STDOUT_FILENO);
    return server.run();
  } catch (const ipclab::SystemError& error) {
    if (error.call() == "mq_open" && error.error_number() == EEXIST) {
      std::cerr << "mq-server: the queue " << options.queue_name
                << " already exists: another server is using it, or one crashed and left it.\n"
                << "If no server is running, remove it with: rm /dev/mqueue"
                << options.queue_name
                << "\n(if /dev/mqueue does not exist, mount it first: mount -t mqueue none /dev/mqueue)\n";
    } else if (error.call() == "mq_open" && error.error_number() == EINVAL) {
      std::cerr << "mq-server: " << error.what() << "\n(the sizes may exceed this system's limits:"
                << " see /proc/sys/fs/mqueue/msg_max and msgsize_max)\n";
    } else {
      std::cerr << "mq-server: " << error.what() << "\n";
    }
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "mq-server: " << error.what() << "\n";
    return 1;
  }
}
