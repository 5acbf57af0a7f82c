// The grader's own build of the course, under <course>/build/grade/:
//   trusted/      a CMake build of the course's own code only (IPCLAB_PREBUILT
//                 mode): support libraries and test objects, built unsandboxed, kept;
//   ws/NAME/      a workspace per submission being graded at once (one for
//                 `grade`, one per worker for `grade-all`):
//     staging/    this submission's files (replaced for every submission);
//     objects/    its objects, compiled in the sandbox (compile.hpp) and kept
//                 with the exact text they were compiled from;
//     lib/, bin/  liblabNN.a made from them, and the test binaries linked from
//                 it and the trusted objects (the link command is CMake's own).
// A warm re-grade of the same files compiles nothing and links nothing.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
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

/// The folders of one submission being graded (see the top of this file).
struct Workspace {
  std::filesystem::path root;
  std::filesystem::path staged(const Lab& lab) const { return root / "staging" / lab.id / "src"; }
  std::filesystem::path objects(const Lab& lab) const { return root / "objects" / lab.id; }
  std::filesystem::path archive(const Lab& lab) const { return root / "lib" / ("liblab" + lab.number + ".a"); }
  std::filesystem::path binary(const Lab& lab, Binary kind) const {
    return root / "bin" / ("lab" + lab.number + "_" + to_string(kind) + "_tests");
  }
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

  /// The workspace NAME (created when missing).
  Workspace workspace(const std::string& name) const;
  /// Replaces the workspace's copy of the lab's files with those found in a submission.
  void stage(const Workspace& workspace, const Lab& lab, const LabFiles& files) const;
  /// Configures the trusted build when it is not configured yet (or is broken).
  void configure();
  /// Builds the course's own code for `labs`: support libraries and test
  /// objects. Throws GradingError when it does not compile (not a submission's fault).
  void build_trusted(const std::vector<Lab>& labs, bool with_hidden);
  /// Builds one lab from its staged files: compiled in the sandbox on `slot`,
  /// archived, checked for forbidden symbols, linked with the trusted test
  /// objects (the hidden ones too when `with_hidden`). Thread-safe for
  /// different workspaces.
  LabBuild build(const Workspace& workspace, const SandboxConfig& sandbox, const Lab& lab, bool with_hidden,
                 int slot, double timeout_scale);
  /// Whether grader/hidden/NN-topic has tests (as the course's CMake decides).
  bool has_hidden_tests(const Lab& lab) const;

 private:
  std::string cmake_build(const std::vector<std::string>& targets, bool& ok);
  std::string readable(std::string output, const Workspace& workspace) const;
  std::vector<std::string> test_targets(const Lab& lab, bool with_hidden) const;
  std::string compile_key(const CompileSpec& spec, const Workspace& workspace, const Lab& lab) const;
  /// Compiles the staged files (or finds them compiled); "" or the problem.
  std::string compile(const Workspace& workspace, const SandboxConfig& sandbox, const Lab& lab, int slot,
                      double timeout_scale) const;
  /// Links the test binary `kind` of `lab` with the workspace's archive; "" or the linker's complaint.
  std::string link(const Workspace& workspace, const Lab& lab, Binary kind);
  /// CMake's link command of a test binary, as words (cached).
  std::vector<std::string> link_command(const std::string& target);

  const Course& course_;
  int jobs_;
  bool verbose_;
  std::filesystem::path root_, build_dir_, scratch_;
  int lock_fd_ = -1;
  std::mutex link_commands_lock_;
  std::map<std::string, std::vector<std::string>> link_commands_;
};

/// Symbols the student's objects must not define or use, from `nm` output of
/// the student's library and of the trusted libraries. One line per problem.
std::vector<std::string> forbidden_symbols(const std::string& student_nm, const std::string& trusted_nm);

/// Test names ("Suite.Test") in the output of --gtest_list_tests.
std::vector<std::string> parse_test_list(const std::string& output);

/// The words of a command line as ninja prints it (single and double quotes,
/// backslash escapes), without a leading ": &&" and a trailing "&& :".
std::vector<std::string> split_command(const std::string& line);

}  // namespace grader
