// mq-rm — remove the name of a POSIX message queue (mq_unlink).
// Shows: programs that still have the queue open keep using it; it disappears
// when the last one closes it, and the name is free for a new queue at once.
#include "tool.hpp"

int main(int argc, char** argv) {
  const char* usage =
      "usage: mq-rm NAME...\n"
      "Removes each POSIX message queue NAME (mq_unlink).\n";
  return tool::run(argc, argv, "mq-rm", usage, [](std::vector<std::string>& args) {
    if (args.empty()) {
      throw tool::UsageError("expected at least one NAME");
    }
    for (const auto& name : args) {
      if (auto problem = ipclab::mq::name_problem(name); !problem.empty()) {
        throw std::invalid_argument("invalid queue name \"" + name + "\": " + problem);
      }
      ipclab::mq::unlink(name);
    }
    return 0;
  });
}
