#include "build.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "process.hpp"
#include "util.hpp"

namespace grader {

CourseBuild::CourseBuild(const Course& course, int jobs, bool verbose)
    : course_(course), jobs_(jobs), verbose_(verbose) {
  root_ = course.root / "build" / "grade";
  staging_ = root_ / "staging";
  build_dir_ = root_ / "course";
  scratch_ = root_ / "tmp";
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) {
    throw GradingError("cannot create " + root_.string() + ": " + ec.message());
  }
  lock_fd_ = ::open((root_ / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    throw GradingError("cannot open " + (root_ / "lock").string());
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    std::cerr << "ipclab: another grader run is using " << root_.string() << "; waiting for it to finish\n";
    ::flock(lock_fd_, LOCK_EX);
  }
  // We hold the lock: whatever is in tmp/ belongs to a run that was interrupted.
  remove_tree(scratch_);
  fs::create_directories(scratch_);
  ::chmod(scratch_.c_str(), 0711);  // sandboxed tests (another uid) must reach their folders
}

CourseBuild::~CourseBuild() {
  remove_tree(scratch_);
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
  }
}

void CourseBuild::stage(const Lab& lab, const LabFiles& files) {
  fs::path dir = staging_ / lab.id / "src";
  fs::create_directories(dir);
  for (const auto& name : lab.files) {
    fs::path target = dir / name;
    auto found = files.found.find(name);
    std::string content;
    if (found != files.found.end()) {
      content = files.content.at(name);  // read once, safely, by Submission::locate
    } else if (fs::exists(target)) {
      continue;  // not graded this time: any content lets CMake configure
    } else {
      content = read_file(course_.root / "labs" / lab.id / "src" / name);
    }
    std::error_code ec;
    if (fs::exists(target, ec) && read_file(target) == content) {
      continue;
    }
    write_file_atomically(target, content);
  }
}

void CourseBuild::configure() {
  // A staging folder for every lab, even those not graded now, so CMake configures.
  for (const auto& lab : course_.labs) {
    stage(lab, {});
  }
  if (fs::exists(build_dir_ / "build.ninja") && fs::exists(build_dir_ / "CMakeCache.txt")) {
    return;  // ninja re-runs CMake itself when the course's CMake files change
  }
  std::vector<std::string> command = {"cmake", "-S", course_.root.string(), "-B", build_dir_.string(), "-G",
                                      "Ninja", "-DIPCLAB_IMPL=" + staging_.string(), "-DIPCLAB_HIDDEN_TESTS=ON",
                                      "-DIPCLAB_LABS=all", "-DCMAKE_BUILD_TYPE=Debug"};
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (verbose_) {
      std::cerr << "ipclab: configuring the course build in " << build_dir_.string() << "\n";
    }
    CommandResult result = run_command(command);
    if (result.exit_code == 0) {
      return;
    }
    if (attempt == 1) {
      throw GradingError("cannot configure the course build (cmake failed):\n" + first_lines(result.output, 30));
    }
    remove_tree(build_dir_);  // an interrupted or stale configuration: start afresh once
  }
}

std::string CourseBuild::cmake_build(const std::vector<std::string>& targets, bool& ok) {
  std::vector<std::string> command = {"cmake", "--build", build_dir_.string(), "-j", std::to_string(jobs_), "--target"};
  command.insert(command.end(), targets.begin(), targets.end());
  if (verbose_) {
    std::cerr << "ipclab: building " << targets.front() << "\n";
  }
  CommandResult result = run_command(command, {}, std::chrono::minutes(10));
  ok = result.exit_code == 0;
  if (result.timed_out) {
    result.output += "\n(the build took longer than 10 minutes and was stopped)";
  }
  return result.output;
}

// Compiler output as the student knows the files: labs/NN-topic/src/x.cpp, and
// only from the first error on.
std::string CourseBuild::readable(std::string output) const {
  output = replace_all(std::move(output), staging_.string() + "/", "labs/");
  output = replace_all(std::move(output), course_.root.string() + "/", "");
  auto lines = split_lines(output);
  std::size_t first = 0;
  while (first < lines.size() && lines[first].find("error") == std::string::npos &&
         lines[first].find("undefined reference") == std::string::npos &&
         lines[first].find("multiple definition") == std::string::npos) {
    ++first;
  }
  if (first == lines.size()) {
    first = lines.size() > 20 ? lines.size() - 20 : 0;
  }
  std::string text;
  for (std::size_t i = first, shown = 0; i < lines.size() && shown < 25; ++i) {
    if (lines[i].starts_with("[") || lines[i].starts_with("ninja: build stopped")) {
      continue;  // ninja's progress lines
    }
    text += lines[i] + "\n";
    ++shown;
  }
  return printable(text);
}

bool CourseBuild::has_hidden_tests(const Lab& lab) const {
  fs::path dir = course_.root / "grader" / "hidden" / lab.id;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().ends_with("_test.cpp")) {
      return true;
    }
  }
  return false;
}

LabBuild CourseBuild::build(const Lab& lab, bool with_hidden) {
  LabBuild result;
  bool ok = false;
  std::string output = cmake_build({"lab" + lab.number, "ipclab_testing"}, ok);
  if (!ok) {
    result.problem = "compile error:\n" + readable(output);
    return result;
  }
  fs::path lab_dir = build_dir_ / "labs" / lab.id;
  // The test binaries take main() and GoogleTest from the course; a student
  // object that defines them (or reaches into the test framework or the
  // course's support libraries) could decide its own verdict.
  CommandResult student = run_command({"nm", "-C", (lab_dir / ("liblab" + lab.number + ".a")).string()});
  CommandResult trusted = run_command({"nm", "-C", "--defined-only",
                                       (build_dir_ / "labs/common/libipclab_common.a").string(),
                                       (build_dir_ / "labs/common/libipclab_testing.a").string()});
  if (student.exit_code != 0 || trusted.exit_code != 0) {
    throw GradingError("nm failed on the lab libraries of " + lab.id + ":\n" + first_lines(student.output + trusted.output, 10));
  }
  auto forbidden = forbidden_symbols(student.output, trusted.output);
  if (!forbidden.empty()) {
    result.problem = "the lab's code defines or uses symbols that belong to the test harness, which is not allowed:";
    for (std::size_t i = 0; i < forbidden.size() && i < 10; ++i) {
      result.problem += "\n  " + forbidden[i];
    }
    return result;
  }
  // The test binaries only: the demo programs are not graded.
  std::vector<std::string> targets = {"lab" + lab.number + "_public_tests"};
  if (with_hidden && has_hidden_tests(lab)) {
    targets.push_back("lab" + lab.number + "_hidden_tests");
  }
  output = cmake_build(targets, ok);
  if (!ok) {
    // The student's library compiled, and no test source includes a student
    // file: a compile error now is in the course's own tests (the submission
    // cannot cause it), a link error is the submission's (a missing function).
    static const std::regex compile_error(R"(^\S+:[0-9]+:([0-9]+:)? (fatal )?error:)");
    for (const auto& line : split_lines(output)) {
      if (std::regex_search(line, compile_error)) {
        throw GradingError("the course's own tests of lab " + lab.id +
                           " do not compile (not the submission's fault):\n" + readable(output));
      }
    }
    result.problem = "link error:\n" + readable(output);
    return result;
  }
  for (Binary binary : {Binary::public_tests, Binary::hidden_tests}) {
    fs::path path = lab_dir / ("lab" + lab.number + "_" + to_string(binary) + "_tests");
    if (fs::exists(path)) {
      result.binaries[binary] = path;
    }
  }
  result.ok = true;
  return result;
}

std::vector<std::string> forbidden_symbols(const std::string& student_nm, const std::string& trusted_nm) {
  // "0000000000000000 T name", "                 U name", "file.o:" headers.
  static const std::regex line_re(R"(^\s*[0-9a-fA-F]*\s+([A-Za-z])\s+(.+)$)");
  std::set<std::string> trusted;
  for (const auto& line : split_lines(trusted_nm)) {
    std::smatch m;
    if (std::regex_match(line, m, line_re) && std::string("TDBR").find(m[1].str()[0]) != std::string::npos) {
      trusted.insert(m[2].str());
    }
  }
  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (const auto& line : split_lines(student_nm)) {
    std::smatch m;
    if (!std::regex_match(line, m, line_re)) {
      continue;
    }
    char type = m[1].str()[0];
    std::string name = m[2].str();
    bool defined = type != 'U' && type != 'w' && type != 'v';
    bool strong = std::string("TDBR").find(type) != std::string::npos;
    std::string problem;
    if (defined && (name == "main" || name.starts_with("main("))) {
      problem = "defines main(): the test binaries have their own main; remove it from the lab's files";
    } else if (name.starts_with("testing::") || name.find("gtest") != std::string::npos ||
               name.find("GTEST") != std::string::npos) {
      problem = std::string(defined ? "defines " : "uses ") + name +
                ": the lab's code must not touch GoogleTest";
    } else if (strong && trusted.contains(name)) {
      problem = "defines " + name + ", which the course's support library already provides";
    }
    if (!problem.empty() && seen.insert(problem).second) {
      problems.push_back(problem);
    }
  }
  return problems;
}

std::vector<std::string> parse_test_list(const std::string& output) {
  std::vector<std::string> names;
  std::string suite;
  for (const auto& line : split_lines(output)) {
    if (line.empty()) {
      continue;
    }
    std::string word = line.substr(0, line.find_first_of(" #", line.find_first_not_of(' ')));
    if (line[0] != ' ') {
      if (!word.empty() && word.back() == '.') {
        suite = word;
      }
    } else if (!suite.empty()) {
      std::string name = line.substr(2);
      name = name.substr(0, name.find_first_of(" #"));
      names.push_back(suite + name);
    }
  }
  return names;
}

}  // namespace grader
