// mq-send — send one message to a POSIX message queue, with a priority.
//   mq-send -c /demo "low" -p 1       create /demo if needed, send "low" with priority 1
// Shows: priorities are chosen by the sender; a message longer than mq_msgsize is refused.
#include "tool.hpp"

int main(int argc, char** argv) {
  const char* usage =
      "usage: mq-send NAME MESSAGE [-p PRIORITY] [-n] [-c]\n"
      "Sends MESSAGE to the POSIX message queue NAME (\"/something\").\n"
      "  -p PRIORITY  0 (default) to mq-stat's highest; higher is received first\n"
      "  -n           do not wait if the queue is full (O_NONBLOCK): fail instead\n"
      "  -c           create the queue with the system's default limits if it does not exist\n";
  return tool::run(argc, argv, "mq-send", usage, [](std::vector<std::string>& args) {
    bool nonblocking = tool::take_flag(args, "-n");
    bool create = tool::take_flag(args, "-c");
    unsigned priority = 0;
    if (auto text = tool::take_option(args, "-p")) {
      std::size_t used = 0;
      unsigned long value = 0;
      try {
        value = std::stoul(*text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != text->size() || text->front() == '-') {
        throw tool::UsageError("bad priority \"" + *text + "\": a number from 0 to " +
                               std::to_string(ipclab::mq::max_priority()));
      }
      if (value > ipclab::mq::max_priority()) {
        throw std::invalid_argument("bad priority " + *text + ": the highest is " +
                                    std::to_string(ipclab::mq::max_priority()));
      }
      priority = static_cast<unsigned>(value);
    }
    if (args.size() != 2) {
      throw tool::UsageError("expected NAME and MESSAGE");
    }
    using ipclab::mq::Access;
    auto queue = create ? ipclab::mq::Queue::create_or_open(args[0], Access::write_only)
                        : ipclab::mq::Queue::open(args[0], Access::write_only);
    tool::set_nonblocking(queue, nonblocking);
    const auto* first = reinterpret_cast<const std::byte*>(args[1].data());
    queue.send({first, args[1].size()}, priority);
    return 0;
  });
}
