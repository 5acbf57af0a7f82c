// Running the trusted tools the grader needs (cmake, nm): a command,
// its combined output, a deadline. Student code never runs through this: it
// runs in the sandbox (sandbox.hpp).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace grader {

struct CommandResult {
  int exit_code = -1;      ///< the exit status, or -1 when killed or not started
  bool timed_out = false;  ///< killed at the deadline
  std::string output;      ///< stdout and stderr, interleaved, capped
};

/// Runs `argv` (argv[0] searched in PATH) in its own process group, in `cwd`
/// when given, and returns its output. At `timeout` the whole process group is
/// killed. Output beyond `output_limit` bytes is dropped.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::filesystem::path& cwd = {},
                          std::chrono::milliseconds timeout = std::chrono::minutes(10),
                          std::size_t output_limit = 4 << 20);

/// Whether `program` is an executable found in PATH.
bool have_program(const std::string& program);

}  // namespace grader
