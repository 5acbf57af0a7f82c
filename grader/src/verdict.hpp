// Deciding whether one test passed, from evidence the student's code cannot
// easily forge: the exit status seen by the grader, the GoogleTest JSON report
// at a path the grader chose, and the premature-exit file. Never from stdout.
#pragma once

#include <string>

#include "course.hpp"
#include "sandbox.hpp"

namespace grader {

enum class Status { passed, failed, timed_out, crashed, not_run };
std::string to_string(Status status);

struct Verdict {
  Status status = Status::not_run;
  std::string message;  ///< why it did not pass, for people; "" when it passed
};

/// The verdict on `run` of the test `test_name` (Suite.Test).
Verdict judge(const TestRun& run, const std::string& test_name, std::chrono::milliseconds timeout);

/// The failure messages in a GoogleTest JSON report for `test_name`, or "".
std::string report_failures(const std::string& report_json, const std::string& test_name);

/// Whether the report of a test that passed could be the one GoogleTest wrote
/// for the test defined at `origin`, in a run that took `seconds` by the
/// grader's clock: "" when it could, else why not (a sign of a forged report).
std::string implausible_report(const std::string& report_json, const std::string& test_name,
                               const TestOrigin& origin, double seconds);

/// "SIGSEGV" for 11.
std::string signal_name(int signal);

}  // namespace grader
