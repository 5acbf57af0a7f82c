#include "cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "util.hpp"

namespace grader {

namespace {

bool write_text(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// The grader's own cgroup in the hierarchy whose /proc/self/cgroup line has
// `controller` in its list (v1), or the "0::" line (v2, controller "").
std::string own_cgroup(const std::string& controller) {
  std::istringstream lines(read_file_prefix("/proc/self/cgroup", 1 << 16));
  std::string line;
  while (std::getline(lines, line)) {
    auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      continue;
    }
    std::string list = line.substr(first + 1, second - first - 1), path = line.substr(second + 1);
    if (controller.empty() ? line.starts_with("0::") : ("," + list + ",").find("," + controller + ",") != std::string::npos) {
      return path;
    }
  }
  return {};
}

}  // namespace

std::unique_ptr<SlotCgroups> SlotCgroups::create(int slots, std::string& why_not) {
  namespace fs = std::filesystem;
  if (::geteuid() != 0) {
    why_not = "not root";
    return nullptr;
  }
  std::unique_ptr<SlotCgroups> groups(new SlotCgroups());
  std::vector<std::string> bases;
  std::error_code ec;
  if (fs::exists("/sys/fs/cgroup/cgroup.controllers", ec)) {
    groups->version_ = 2;
    groups->kind_ = "cgroup v2";
    std::string base = "/sys/fs/cgroup" + own_cgroup("");
    // Controllers must be enabled for the children of our cgroup; where our
    // cgroup also holds processes, v2 refuses (a container's root allows it).
    if (!write_text(base + "/cgroup.subtree_control", "+memory +pids")) {
      why_not = "cgroup v2: cannot enable the memory and pids controllers under " + base;
      return nullptr;
    }
    bases.push_back(base);
  } else if (fs::is_directory("/sys/fs/cgroup/memory", ec) && fs::is_directory("/sys/fs/cgroup/pids", ec)) {
    groups->version_ = 1;
    groups->kind_ = "cgroup v1 (memory, pids)";
    bases = {"/sys/fs/cgroup/memory" + own_cgroup("memory"), "/sys/fs/cgroup/pids" + own_cgroup("pids")};
  } else {
    why_not = "no cgroup v2, and no v1 memory and pids controllers";
    return nullptr;
  }
  std::string name = "ipclab-grader-" + std::to_string(::getpid()) + "-";
  for (int slot = 0; slot < slots; ++slot) {
    std::vector<std::string> dirs;
    for (const auto& base : bases) {
      std::string dir = base + "/" + name + std::to_string(slot);
      fs::create_directory(dir, ec);
      if (ec) {
        why_not = "cannot create " + dir + ": " + ec.message();
        return nullptr;  // the destructor removes the ones made so far
      }
      dirs.push_back(dir);
    }
    groups->dirs_.push_back(dirs);
  }
  return groups;
}

SlotCgroups::~SlotCgroups() {
  for (std::size_t slot = 0; slot < dirs_.size(); ++slot) {
    // A folder can go only when no process is left in it.
    for (int round = 0; round < 500; ++round) {
      auto pids = members(static_cast<int>(slot));
      if (pids.empty()) {
        break;
      }
      for (pid_t pid : pids) {
        ::kill(pid, SIGKILL);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // teardown takes the kernel a moment
    }
    for (const auto& dir : dirs_[slot]) {
      ::rmdir(dir.c_str());
    }
  }
}

void SlotCgroups::set_limits(int slot, std::uint64_t memory_bytes, std::uint64_t processes) {
  const auto& dirs = dirs_.at(static_cast<std::size_t>(slot));
  std::string memory = std::to_string(memory_bytes), count = std::to_string(processes);
  if (version_ == 2) {
    write_text(dirs[0] + "/memory.max", memory);
    write_text(dirs[0] + "/memory.swap.max", "0");
    write_text(dirs[0] + "/pids.max", count);
    return;
  }
  write_text(dirs[0] + "/memory.limit_in_bytes", memory);
  write_text(dirs[0] + "/memory.memsw.limit_in_bytes", memory);  // only where swap is accounted
  write_text(dirs[0] + "/memory.failcnt", "0");
  write_text(dirs[1] + "/pids.max", count);
}

std::vector<int> SlotCgroups::open_procs(int slot) const {
  std::vector<int> fds;
  for (const auto& dir : dirs_.at(static_cast<std::size_t>(slot))) {
    int fd = ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      fds.push_back(fd);
    }
  }
  return fds;
}

std::vector<pid_t> SlotCgroups::members(int slot) const {
  std::vector<pid_t> pids;
  for (const auto& dir : dirs_.at(static_cast<std::size_t>(slot))) {
    std::istringstream lines(read_file_prefix(dir + "/cgroup.procs", 1 << 20));
    for (pid_t pid = 0; lines >> pid;) {
      pids.push_back(pid);
    }
  }
  return pids;
}

bool SlotCgroups::memory_limit_hit(int slot) const {
  const auto& dir = dirs_.at(static_cast<std::size_t>(slot))[0];
  if (version_ == 2) {
    std::string events = read_file_prefix(dir + "/memory.events", 4096);
    auto at = events.find("max ");
    return at != std::string::npos && std::atoll(events.c_str() + at + 4) > 0;
  }
  return std::atoll(read_file_prefix(dir + "/memory.failcnt", 64).c_str()) > 0;
}

}  // namespace grader
