// The grader's own build of the course, under <course>/build/grade/: a staging
// folder laid out like labs/ that holds the submission's files, and one CMake
// build (IPCLAB_IMPL = the staging folder, hidden tests on) that is kept between
// runs, so that a warm re-grade recompiles only the student's files.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "course.hpp"
#include "rubric.hpp"
#include "submission.hpp"

namespace grader {

struct LabBuild {
  bool ok = false;
  std::string problem;  ///< why the lab cannot be graded: compile errors, a forbidden symbol
  std::map<Binary, std::filesystem::path> binaries;  ///< the test binaries that exist
};

class CourseBuild {
 public:
  /// Takes the lock on <course>/build/grade (waiting for another grader run),
  /// and clears what an interrupted run left in its scratch folder.
  CourseBuild(const Course& course, int jobs, bool verbose);
  ~CourseBuild();
  CourseBuild(const CourseBuild&) = delete;
  CourseBuild& operator=(const CourseBuild&) = delete;

  /// Where runs may create temporary folders (removed at the end, and at the next start).
  const std::filesystem::path& scratch() const { return scratch_; }

  /// Copies the lab's files into the staging folder. A file whose content did
  /// not change is not touched, so that ninja does not recompile it. Files that
  /// are missing get the course's own copy, only so that CMake can configure.
  void stage(const Lab& lab, const LabFiles& files);
  /// Configures the build when it is not configured yet (or when it is broken).
  void configure();
  /// Builds one lab: its library, a check of the student's symbols, then its
  /// test binaries (the hidden one too when `with_hidden`). Throws
  /// GradingError when the course's own tests do not compile.
  LabBuild build(const Lab& lab, bool with_hidden);
  /// Whether grader/hidden/NN-topic has tests (as the course's CMake decides).
  bool has_hidden_tests(const Lab& lab) const;

 private:
  std::string cmake_build(const std::vector<std::string>& targets, bool& ok);
  std::string readable(std::string output) const;

  const Course& course_;
  int jobs_;
  bool verbose_;
  std::filesystem::path root_, staging_, build_dir_, scratch_;
  int lock_fd_ = -1;
};

/// Symbols the student's objects must not define or use, from `nm` output of
/// the student's library and of the trusted libraries. One line per problem.
std::vector<std::string> forbidden_symbols(const std::string& student_nm, const std::string& trusted_nm);

/// Test names ("Suite.Test") in the output of --gtest_list_tests.
std::vector<std::string> parse_test_list(const std::string& output);

}  // namespace grader
