#include "build.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "compile.hpp"
#include "process.hpp"
#include "util.hpp"

namespace grader {

CourseBuild::CourseBuild(const Course& course, int jobs, bool verbose)
    : course_(course), jobs_(jobs), verbose_(verbose) {
  root_ = course.root / "build" / "grade";
  staging_ = root_ / "staging";
  objects_ = root_ / "objects";
  prebuilt_ = root_ / "prebuilt";
  build_dir_ = root_ / "trusted";
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
  ::chmod(scratch_.c_str(), 0711);  // sandboxed jobs (another uid) must reach their folders
  // A submission's files are staged anew for every run: what a previous run
  // staged (another student's, in batch grading) is never compiled again.
  remove_tree(staging_);
}

CourseBuild::~CourseBuild() {
  remove_tree(scratch_);
  remove_tree(staging_);
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
  }
}

void CourseBuild::stage(const Lab& lab, const LabFiles& files) {
  fs::path dir = staging_ / lab.id / "src";
  remove_tree(dir);
  fs::create_directories(dir);
  for (const auto& [name, path] : files.found) {
    write_file_atomically(dir / name, read_file(path));
  }
}

void CourseBuild::configure() {
  fs::create_directories(prebuilt_);
  if (fs::exists(build_dir_ / "build.ninja") && fs::exists(build_dir_ / "CMakeCache.txt")) {
    return;  // ninja re-runs CMake itself when the course's CMake files change
  }
  // The trusted build: the course's own code only. The labs' libraries are
  // imported from prebuilt/, made by the grader from sandboxed compiles.
  std::vector<std::string> command = {"cmake", "-S", course_.root.string(), "-B", build_dir_.string(), "-G",
                                      "Ninja", "-DIPCLAB_PREBUILT=" + prebuilt_.string(), "-DIPCLAB_HIDDEN_TESTS=ON",
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
    std::cerr << "ipclab: building " << targets.front() << (targets.size() > 1 ? " ..." : "") << "\n";
  }
  CommandResult result = run_command(command, {}, std::chrono::minutes(20));
  ok = result.exit_code == 0;
  if (result.timed_out) {
    result.output += "\n(the build took longer than 20 minutes and was stopped)";
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

std::vector<std::string> CourseBuild::test_targets(const Lab& lab, bool with_hidden) const {
  std::vector<std::string> targets = {"lab" + lab.number + "_public_tests"};
  if (with_hidden && has_hidden_tests(lab)) {
    targets.push_back("lab" + lab.number + "_hidden_tests");
  }
  return targets;
}

void CourseBuild::build_trusted(const std::vector<Lab>& labs, bool with_hidden) {
  std::vector<std::string> targets = {"ipclab_common", "ipclab_testing"};
  for (const auto& lab : labs) {
    for (const auto& target : test_targets(lab, with_hidden)) {
      targets.push_back(target + "_objects");
    }
  }
  bool ok = false;
  std::string output = cmake_build(targets, ok);
  if (!ok) {
    throw GradingError("the course's own code does not compile (not the submission's fault):\n" + readable(output));
  }
}

// Everything a compile's result depends on, as text: two runs whose keys are
// equal byte for byte compile the same thing. (No hash: a collision crafted by
// one student must not hand them another student's objects in batch grading.)
std::string CourseBuild::compile_key(const CompileSpec& spec, const Lab& lab) const {
  std::string key = spec.compiler + "\n";
  for (const auto& flag : spec.flags) {
    key += flag + "\n";
  }
  for (const auto& dir : spec.includes) {
    std::vector<fs::path> headers;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_regular_file(ec)) {
        headers.push_back(it->path());
      }
    }
    std::sort(headers.begin(), headers.end());
    for (const auto& header : headers) {
      key += "header " + header.string() + " " + std::to_string(fs::file_size(header, ec)) + "\n" + read_file(header);
    }
  }
  for (const auto& name : lab.files) {
    std::string content = read_file(staging_ / lab.id / "src" / name);
    key += "source " + name + " " + std::to_string(content.size()) + "\n" + content;
  }
  return key;
}

std::string CourseBuild::compile(const SandboxConfig& sandbox, const Lab& lab, int slot, double timeout_scale) {
  CompileSpec spec = load_compile_spec(build_dir_ / "grader-compile" / (lab.id + ".txt"), course_.root);
  std::string key = compile_key(spec, lab);
  fs::path cache = objects_ / lab.id;
  std::error_code ec;
  if (fs::exists(cache / "key.txt", ec) && read_file(cache / "key.txt") == key) {
    return {};  // the same files compiled the same way before
  }
  TempDir work(scratch_, "compile.");
  fs::path sources = work.path() / "src", objects = work.path() / "obj";
  fs::create_directories(sources);
  fs::create_directories(objects);
  for (const auto& name : lab.files) {
    fs::copy_file(staging_ / lab.id / "src" / name, sources / name);
    ::chmod((sources / name).c_str(), 0644);
  }
  ::chmod(work.path().c_str(), 0711);
  ::chmod(sources.c_str(), 0755);
  if (sandbox.drop_privileges) {
    uid_t uid = sandbox.first_uid + static_cast<uid_t>(slot);
    if (::chown(objects.c_str(), uid, uid) != 0) {
      throw GradingError("cannot prepare the compile folder: chown " + objects.string());
    }
  }
  if (verbose_) {
    std::cerr << "ipclab: compiling the files of " << lab.id << " in the sandbox\n";
  }
  // A lab's files compile in seconds; a minute stops a template bomb early.
  auto timeout = std::chrono::milliseconds(static_cast<long long>(60'000 * timeout_scale));
  Compiled compiled = compile_in_sandbox(sandbox, spec, course_.root, lab, sources, objects, slot, timeout);
  if (!compiled.ok) {
    return "compile error:\n" + readable(compiled.output);
  }
  remove_tree(cache);
  fs::create_directories(cache);
  for (const auto& name : lab.files) {
    std::string object = fs::path(name).stem().string() + ".o";
    write_file_atomically(cache / object, read_file(objects / object));
  }
  write_file_atomically(cache / "key.txt", key);
  return {};
}

LabBuild CourseBuild::build(const SandboxConfig& sandbox, const Lab& lab, bool with_hidden, int slot,
                            double timeout_scale) {
  LabBuild result;
  result.problem = compile(sandbox, lab, slot, timeout_scale);
  if (!result.problem.empty()) {
    return result;
  }
  // The archive the trusted build imports, replaced only when it changes, so
  // that ninja relinks only then.
  fs::path archive_dir = prebuilt_ / lab.id;
  fs::create_directories(archive_dir);
  fs::path archive = archive_dir / ("liblab" + lab.number + ".a");
  fs::path fresh = archive_dir / "fresh.a";
  std::vector<std::string> ar = {"ar", "rcsD", fresh.string()};
  for (const auto& name : lab.files) {
    ar.push_back((objects_ / lab.id / (fs::path(name).stem().string() + ".o")).string());
  }
  fs::remove(fresh);
  CommandResult archived = run_command(ar);
  if (archived.exit_code != 0) {
    throw GradingError("ar failed on the objects of " + lab.id + ":\n" + first_lines(archived.output, 10));
  }
  std::error_code ec;
  if (fs::exists(archive, ec) && read_file(archive) == read_file(fresh)) {
    fs::remove(fresh);
  } else {
    fs::rename(fresh, archive);
  }
  // The test binaries take main() and GoogleTest from the course; a student
  // object that defines them (or reaches into the test framework or the
  // course's support libraries) could decide its own verdict.
  CommandResult student = run_command({"nm", "-C", archive.string()});
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
  // Only links now: every test object was built by build_trusted().
  bool ok = false;
  std::string output = cmake_build(test_targets(lab, with_hidden), ok);
  if (!ok) {
    result.problem = "link error:\n" + readable(output);
    return result;
  }
  fs::path lab_dir = build_dir_ / "labs" / lab.id;
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
