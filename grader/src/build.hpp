// The grader's own build of the course, under <course>/build/grade/:
//   trusted/   a CMake build of the course's own code only (IPCLAB_PREBUILT):
//              common libraries and test objects, built unsandboxed, kept;
//   staging/   this run's copy of the submission's files (cleared every run);
//   objects/   the student's objects, compiled in the sandbox (compile.hpp),
//              kept with the exact text they were compiled from;
//   prebuilt/  liblabNN.a made from them, which trusted/ imports and links.
// A warm re-grade of the same files compiles nothing and links nothing.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "compile.hpp"
#include "course.hpp"
#include "rubric.hpp"
#include "sandbox.hpp"
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

  /// Copies the lab's files found in the submission into the staging folder.
  void stage(const Lab& lab, const LabFiles& files);
  /// Configures the trusted build when it is not configured yet (or is broken).
  void configure();
  /// Builds the course's own code for `labs`: support libraries and test
  /// objects. Throws GradingError when it does not compile (not a submission's fault).
  void build_trusted(const std::vector<Lab>& labs, bool with_hidden);
  /// Builds one lab from its staged files: compiled in the sandbox on `slot`,
  /// archived, checked for forbidden symbols, linked with the trusted test
  /// objects (the hidden ones too when `with_hidden`).
  LabBuild build(const SandboxConfig& sandbox, const Lab& lab, bool with_hidden, int slot, double timeout_scale);
  /// The folder holding this run's copy of the lab's files.
  std::filesystem::path staged(const Lab& lab) const { return staging_ / lab.id / "src"; }
  /// The archive made from the lab's objects (after build()).
  std::filesystem::path archive(const Lab& lab) const { return prebuilt_ / lab.id / ("liblab" + lab.number + ".a"); }
  /// Whether grader/hidden/NN-topic has tests (as the course's CMake decides).
  bool has_hidden_tests(const Lab& lab) const;

 private:
  std::string cmake_build(const std::vector<std::string>& targets, bool& ok);
  std::string readable(std::string output) const;
  std::vector<std::string> test_targets(const Lab& lab, bool with_hidden) const;
  std::string compile_key(const CompileSpec& spec, const Lab& lab) const;
  /// Compiles the staged files (or finds them compiled); "" or the problem.
  std::string compile(const SandboxConfig& sandbox, const Lab& lab, int slot, double timeout_scale);

  const Course& course_;
  int jobs_;
  bool verbose_;
  std::filesystem::path root_, staging_, objects_, prebuilt_, build_dir_, scratch_;
  int lock_fd_ = -1;
};

/// Symbols the student's objects must not define or use, from `nm` output of
/// the student's library and of the trusted libraries. One line per problem.
std::vector<std::string> forbidden_symbols(const std::string& student_nm, const std::string& trusted_nm);

/// Test names ("Suite.Test") in the output of --gtest_list_tests.
std::vector<std::string> parse_test_list(const std::string& output);

}  // namespace grader
