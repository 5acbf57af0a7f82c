// `ipclab-grader grade`: the whole run, from a submission to scores per test.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "rubric.hpp"
#include "sandbox.hpp"
#include "verdict.hpp"

namespace grader {

struct GradeOptions {
  std::filesystem::path course_root;
  std::optional<std::filesystem::path> submission;  ///< default: the course's labs/
  bool solutions = false;                           ///< grade solutions/ instead
  std::string labs;                                 ///< "01,03"; empty = all
  bool public_only = false;
  int jobs = 1;
  double timeout_scale = 1;
  std::optional<Isolation> isolation;  ///< default: the best that works
  bool verbose = false;
};

struct TestResult {
  RubricTest spec;
  Status status = Status::not_run;
  double score = 0;
  std::string message;  ///< why points were lost
  double seconds = 0;
};

struct LabResult {
  std::string lab;      ///< "01-fifo"
  double score = 0, max_score = 0;
  std::string problem;  ///< a missing file, a compile error...: the whole lab scored 0
  std::vector<TestResult> tests;
};

struct GradeResult {
  std::string submission;
  std::string isolation;  ///< SandboxConfig::description
  bool public_only = false;
  std::vector<LabResult> labs;
  double score = 0, max_score = 0;
  double build_seconds = 0, test_seconds = 0, total_seconds = 0;
};

/// Grades. Throws UsageError for bad input (before anything is written) and
/// GradingError when the grader itself cannot work; never for what the
/// submission does.
GradeResult grade(const GradeOptions& options);

/// Set by SIGINT/SIGTERM: no new test starts, and grade() throws GradingError.
void request_stop();

}  // namespace grader
