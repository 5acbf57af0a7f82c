// Control groups per sandbox slot: limits that hold for a whole test (every
// process it forks, and the tmpfs pages it writes), not per process, and a list
// of its processes that a double fork or setsid() cannot leave.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace grader {

class SlotCgroups {
 public:
  /// One cgroup per slot in each hierarchy we use (cgroup v2, or the memory and
  /// pids controllers of v1), under the grader's own cgroup. Returns nullptr and
  /// sets `why_not` where that is not possible (not root, no controllers).
  static std::unique_ptr<SlotCgroups> create(int slots, std::string& why_not);
  ~SlotCgroups();
  SlotCgroups(const SlotCgroups&) = delete;
  SlotCgroups& operator=(const SlotCgroups&) = delete;

  /// Sets the limits of `slot` for the next job: memory (tmpfs included, no
  /// swap) and the number of processes and threads.
  void set_limits(int slot, std::uint64_t memory_bytes, std::uint64_t processes);
  /// Opens the cgroup.procs files of `slot` for writing: the child of fork()
  /// writes "0" to each before exec, so that it and all it forks are inside.
  std::vector<int> open_procs(int slot) const;
  /// The processes in `slot` now.
  std::vector<pid_t> members(int slot) const;
  /// Whether the memory limit of `slot` was reached since set_limits.
  bool memory_limit_hit(int slot) const;
  /// "cgroup v1 (memory, pids)" or "cgroup v2".
  const std::string& kind() const { return kind_; }

 private:
  SlotCgroups() = default;
  int version_ = 0;
  std::string kind_;
  std::vector<std::vector<std::string>> dirs_;  ///< per slot: one folder per hierarchy
};

}  // namespace grader
