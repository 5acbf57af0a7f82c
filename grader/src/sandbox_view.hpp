// What a sandboxed job sees, per isolation level: the bwrap command line, the
// script that builds the same view under unshare(1), or (level none) the job's
// paths translated to the host's. Internal to sandbox.cpp.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "sandbox.hpp"

namespace grader {

/// The descriptors a launched job finds: the pipe that takes the collected
/// file back to the grader, and the executable to copy in.
constexpr int kCollectFd = 3;
constexpr int kExecutableFd = 4;

struct LaunchPlan {
  std::vector<std::string> argv;  ///< what the grader's child execs (host paths)
  std::vector<std::string> env;
  std::string cwd;                ///< host folder for the child to enter; empty: stay
  bool child_drops_uid = false;   ///< false when the plan drops it itself (unshare's setpriv)
};

/// `root_dir` is an empty host folder the unshare level mounts its new root on.
LaunchPlan plan_launch(const SandboxConfig& config, const SandboxJob& job, std::optional<uid_t> uid,
                       const std::string& root_dir);

/// The host path of a path inside the sandbox under the `none` level.
std::string host_path(const SandboxJob& job, const std::string& inside);

}  // namespace grader
