// `ipclab-grader grade`: the whole run, from a submission to scores per test.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive.hpp"
#include "course.hpp"
#include "rubric.hpp"
#include "sandbox.hpp"
#include "verdict.hpp"

namespace grader {

struct GradeOptions {
  std::filesystem::path course_root;
  std::optional<std::filesystem::path> submission;  ///< default: the course's labs/
  IntakeLimits intake;                              ///< how much an archive may unpack to
  bool solutions = false;                           ///< grade solutions/ instead
  std::string labs;                                 ///< "01,03"; empty = all
  bool public_only = false;
  int jobs = 1;
  double timeout_scale = 1;
  std::optional<Isolation> isolation;  ///< default: the best that works
  bool verbose = false;
  /// Instructor view: failing hidden tests show their full failure text
  /// (assertions, file and line). Default: behaviour id and explanation only.
  bool show_hidden_details = false;
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
  /// Set when a negative control "passed": the test process wrote its own
  /// report, so every verdict of the lab is void and the lab scores 0.
  bool forged = false;
  std::string forged_why;  ///< which control passed, for the report
  /// Set when the lab's time budget ran out: why the remaining tests (status
  /// not_run, message starting "cut short") were not run.
  std::string cut_short;
  /// Suspicious code found by the scan, for a person to review; never changes
  /// the score. Each: "labs/01-fifo/src/fifo_io.cpp:12: reads /proc/self: `...`".
  std::vector<std::string> flags;
};

struct GradeResult {
  std::string submission;
  std::string isolation;  ///< SandboxConfig::description
  std::string compile_isolation;  ///< how the student's files were compiled
  std::string limits;             ///< the limits that held per test (cgroup, output folder)
  bool public_only = false;
  bool show_hidden_details = false;  ///< GradeOptions::show_hidden_details
  /// A student copy of the course (a rubric says "student_copy"): it has the
  /// public tests only, and the reports say that the instructor grades more.
  bool student_copy = false;
  /// The course checkout's absolute path: the reports cut it from messages, so
  /// that a student never sees where the instructor's checkout lives.
  std::string course_root;
  std::vector<LabResult> labs;
  double score = 0, max_score = 0;
  double build_seconds = 0, test_seconds = 0, total_seconds = 0;
};

class CourseBuild;
class Submission;

/// What grading many submissions shares: the course, its rubrics, the trusted
/// build (built once) and the sandbox's slots (`workers` × `options.jobs`).
class GradeSession {
 public:
  /// Checks the options (UsageError) and loads the course and rubrics.
  GradeSession(const GradeOptions& options, int workers);
  ~GradeSession();
  GradeSession(const GradeSession&) = delete;
  GradeSession& operator=(const GradeSession&) = delete;

  /// Takes the build lock, probes the sandbox and builds the course's own code
  /// (done by the first grade() when not called before).
  void prepare();
  /// Grades one submission as worker `worker` (0 .. workers-1): its own
  /// workspace, uids and cgroups; workers may grade at the same time.
  /// Throws GradingError when the grader itself cannot work or was interrupted.
  GradeResult grade(const Submission& submission, const std::string& label, int worker);

  const std::vector<LabRubric>& rubrics() const { return rubrics_; }
  const SandboxConfig& sandbox() const { return sandbox_; }

 private:
  GradeOptions options_;
  int workers_;
  Course course_;
  std::vector<Lab> labs_;
  std::vector<LabRubric> rubrics_;
  std::unique_ptr<CourseBuild> build_;
  SandboxConfig sandbox_;
};

/// Grades the one submission of `options`. Throws UsageError for bad input
/// (before anything is written) and GradingError when the grader itself cannot
/// work; never for what the submission does.
GradeResult grade(const GradeOptions& options);

/// Set by SIGINT/SIGTERM: no new test starts, and grade() throws GradingError.
void request_stop();

}  // namespace grader
