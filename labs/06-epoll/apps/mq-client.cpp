// mq-client — sends messages to a running mq-server.
//
//   ./mq-client /demo hello                  one message, priority 0
//   ./mq-client /demo -p 5 urgent -p 1 later two messages with priorities
//
// Shows: a client needs nothing but the queue's name. Its sends wait while the
// queue is full (the server is slower), so nothing is dropped.
//
// Pitfall avoided: a client never creates the queue. If no server is running
// the open fails with ENOENT, and the client says so, instead of creating a
// queue nobody reads.
#include <cerrno>
#include <iostream>
#include <string>
#include <vector>

#include "ipclab/error.hpp"
#include "ipclab/mq_server.hpp"

namespace {
int usage(const std::string& problem) {
  std::cerr << "mq-client: " << problem << "\n"
            << "usage: mq-client /NAME [-p PRIORITY] MESSAGE [[-p PRIORITY] MESSAGE ...]\n";
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] != '/') {
    return usage("the first argument is the server's queue, such as /demo");
  }
  std::string name = argv[1];
  std::vector<ipclab::epoll::Message> messages;
  unsigned priority = 0;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-p") {
      try {
        std::size_t used = 0;
        unsigned long value = i + 1 < argc ? std::stoul(argv[++i], &used) : 0;
        if (used == 0 || argv[i][used] != '\0' || value > 32767) {
          return usage("-p needs a priority from 0 to 32767");
        }
        priority = static_cast<unsigned>(value);
      } catch (const std::exception&) {
        return usage("-p needs a priority from 0 to 32767");
      }
    } else {
      messages.push_back({arg, priority});
      priority = 0;
    }
  }
  if (messages.empty()) {
    return usage("nothing to send: give at least one message");
  }
  try {
    ipclab::epoll::send_messages(name, messages);
    return 0;
  } catch (const ipclab::SystemError& error) {
    if (error.call() == "mq_open" && error.error_number() == ENOENT) {
      std::cerr << "mq-client: no server: the queue " << name
                << " does not exist. Start one first: mq-server " << name << "\n";
    } else {
      std::cerr << "mq-client: " << error.what() << "\n";
    }
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "mq-client: " << error.what() << "\n";
    return 1;
  }
}
