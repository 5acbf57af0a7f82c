// mq-recv — receive messages from a POSIX message queue, highest priority first.
//   mq-recv /demo --all      print every queued message as "PRIORITY MESSAGE"
// Shows: the receiver does not choose; the queue hands out the highest priority
// first, oldest first among equals.
#include "ipclab/bytes.hpp"
#include "tool.hpp"

int main(int argc, char** argv) {
  const char* usage =
      "usage: mq-recv NAME [-n] [--all]\n"
      "Receives one message from the POSIX message queue NAME and prints \"PRIORITY MESSAGE\".\n"
      "  -n      do not wait if the queue is empty (O_NONBLOCK): fail instead\n"
      "  --all   receive every message queued now, highest priority first, then stop\n";
  return tool::run(argc, argv, "mq-recv", usage, [](std::vector<std::string>& args) {
    bool nonblocking = tool::take_flag(args, "-n");
    bool all = tool::take_flag(args, "--all");
    if (args.size() != 1) {
      throw tool::UsageError("expected NAME");
    }
    auto queue = ipclab::mq::Queue::open(args[0], ipclab::mq::Access::read_only);
    tool::set_nonblocking(queue, nonblocking || all);
    do {
      if (all && queue.attributes().current_messages == 0) {
        break;  // drained: --all stops instead of failing with EAGAIN
      }
      auto message = queue.receive();
      std::cout << message.priority << ' ' << ipclab::to_string(message.payload) << '\n';
    } while (all);
    return 0;
  });
}
