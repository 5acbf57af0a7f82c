// mq-stat — show a POSIX message queue's limits and how full it is.
// Shows: mq_maxmsg and mq_msgsize are fixed at creation; mq_curmsgs moves. When
// /dev/mqueue is mounted, the kernel's own view is one read away: the file
// /dev/mqueue/NAME holds QSIZE (bytes queued) and the NOTIFY registration.
#include <fstream>
#include <sstream>

#include "tool.hpp"

int main(int argc, char** argv) {
  const char* usage =
      "usage: mq-stat NAME [--mount DIR]\n"
      "Prints the attributes of the POSIX message queue NAME, and the kernel's QSIZE and\n"
      "NOTIFY lines from DIR/NAME (DIR: where the mqueue file system is mounted,\n"
      "default /dev/mqueue) when it is mounted.\n";
  return tool::run(argc, argv, "mq-stat", usage, [](std::vector<std::string>& args) {
    std::string mount = tool::take_option(args, "--mount").value_or("/dev/mqueue");
    if (args.size() != 1) {
      throw tool::UsageError("expected NAME");
    }
    auto queue = ipclab::mq::Queue::open(args[0], ipclab::mq::Access::read_only);
    auto attr = queue.attributes();
    std::cout << "name        " << args[0] << "\nmaxmsg      " << attr.max_messages
              << "\nmsgsize     " << attr.message_size << "\ncurmsgs     " << attr.current_messages
              << "\nmaxprio     " << ipclab::mq::max_priority() << '\n';
    // "QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0"
    std::ifstream kernel(mount + args[0]);
    std::string line;
    if (std::getline(kernel, line)) {
      std::istringstream fields(line);
      for (std::string field; fields >> field;) {
        auto colon = field.find(':');
        std::string key = field.substr(0, colon);
        std::string value = field.substr(colon + 1);
        std::cout << key << std::string(key.size() < 12 ? 12 - key.size() : 1, ' ') << value
                  << '\n';
      }
    }
    return 0;
  });
}
