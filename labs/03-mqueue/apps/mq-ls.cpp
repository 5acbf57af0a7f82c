// mq-ls — list the POSIX message queues of this system (or IPC namespace).
// util-linux's ipcs lists System V objects only. POSIX queues live in the
// mqueue file system, usually mounted on /dev/mqueue: each queue is a file there.
#include <sys/vfs.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tool.hpp"

namespace {
constexpr long kMqueueMagic = 0x19800202;  // MQUEUE_MAGIC from <linux/magic.h>
}

int main(int argc, char** argv) {
  const char* usage =
      "usage: mq-ls [--mount DIR]\n"
      "Lists the POSIX message queues (NAME and QSIZE, the bytes queued) from the mqueue\n"
      "file system mounted on DIR (default /dev/mqueue).\n";
  return tool::run(argc, argv, "mq-ls", usage, [](std::vector<std::string>& args) {
    std::string mount = tool::take_option(args, "--mount").value_or("/dev/mqueue");
    if (!args.empty()) {
      throw tool::UsageError("unexpected argument " + args[0]);
    }
    struct statfs fs {};
    if (::statfs(mount.c_str(), &fs) != 0 || fs.f_type != kMqueueMagic) {
      std::cerr << "mq-ls: the mqueue file system is not mounted on " << mount
                << "; as root: mkdir -p " << mount << " && mount -t mqueue none " << mount << '\n';
      return 1;
    }
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(mount)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::string line;
      std::getline(std::ifstream(mount + "/" + name), line);  // "QSIZE:5  NOTIFY:0 ..."
      std::string qsize = line.substr(0, line.find(' '));
      std::cout << '/' << name << ' ' << qsize << '\n';
    }
    return 0;
  });
}
