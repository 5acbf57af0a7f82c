#include "build.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "process.hpp"
#include "util.hpp"

namespace grader {

CourseBuild::CourseBuild(const Course& course, int jobs, bool verbose)
    : course_(course), jobs_(jobs), verbose_(verbose) {
  // IPCLAB_GRADE_BUILD names another folder for all of it: the course's own
  // test grades the wrong solutions in one while the self-tests grade in
  // build/grade, since each folder admits one grader run at a time (lock).
  const char* other = std::getenv("IPCLAB_GRADE_BUILD");
  root_ = other != nullptr && *other != '\0' ? fs::absolute(other) : course.root / "build" / "grade";
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
  // The layout of earlier versions of the grader, which compiled the
  // student's files outside the sandbox.
  for (const char* old : {"course", "staging", "objects", "prebuilt"}) {
    remove_tree(root_ / old);
  }
}

CourseBuild::~CourseBuild() {
  remove_tree(scratch_);
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
  }
}

Workspace CourseBuild::workspace(const std::string& name) const {
  Workspace workspace{root_ / "ws" / name};
  for (const char* dir : {"staging", "objects", "lib", "bin"}) {
    fs::create_directories(workspace.root / dir);
  }
  return workspace;
}

void CourseBuild::stage(const Workspace& workspace, const Lab& lab, const LabFiles& files) const {
  fs::path dir = workspace.staged(lab);
  remove_tree(dir);
  fs::create_directories(dir);
  for (const auto& [name, content] : files.content) {
    write_file_atomically(dir / name, content);  // read once, safely, by Submission::locate
  }
}

void CourseBuild::configure() {
  if (fs::exists(build_dir_ / "build.ninja") && fs::exists(build_dir_ / "CMakeCache.txt")) {
    return;  // ninja re-runs CMake itself when the course's CMake files change
  }
  // The trusted build: the course's own code only. The labs' libraries are
  // imported (from a folder that never exists: the grader links each test
  // binary itself, with a workspace's archive in their place).
  std::vector<std::string> command = {"cmake", "-S", course_.root.string(), "-B", build_dir_.string(), "-G",
                                      "Ninja", "-DIPCLAB_PREBUILT=" + (root_ / "prebuilt").string(),
                                      "-DIPCLAB_HIDDEN_TESTS=ON", "-DIPCLAB_LABS=all", "-DCMAKE_BUILD_TYPE=Debug"};
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

// Compiler and linker output as the student knows the files
// (labs/NN-topic/src/x.cpp), and only from the first error on.
std::string CourseBuild::readable(std::string output, const Workspace& workspace) const {
  if (!workspace.root.empty()) {
    output = replace_all(std::move(output), (workspace.root / "staging").string() + "/", "labs/");
    output = replace_all(std::move(output), workspace.root.string() + "/", "");
  }
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
  std::vector<std::string> targets = {"ipclab_common", "ipclab_testing", "ipclab_test_main"};
  for (const auto& lab : labs) {
    for (const auto& target : test_targets(lab, with_hidden)) {
      targets.push_back(target + "_objects");
    }
  }
  bool ok = false;
  std::string output = cmake_build(targets, ok);
  if (!ok) {
    throw GradingError("the course's own code does not compile (not the submission's fault):\n" +
                       readable(output, Workspace{}));
  }
}

// Everything a compile's result depends on, as text: two runs whose keys are
// equal byte for byte compile the same thing. (No hash: a collision crafted by
// one student must not hand them another student's objects in batch grading.)
std::string CourseBuild::compile_key(const CompileSpec& spec, const Workspace& workspace, const Lab& lab) const {
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
    std::string content = read_file(workspace.staged(lab) / name);
    key += "source " + name + " " + std::to_string(content.size()) + "\n" + content;
  }
  return key;
}

std::string CourseBuild::compile(const Workspace& workspace, const SandboxConfig& sandbox, const Lab& lab, int slot,
                                 double timeout_scale) const {
  CompileSpec spec = load_compile_spec(build_dir_ / "grader-compile" / (lab.id + ".txt"), course_.root);
  std::string key = compile_key(spec, workspace, lab);
  fs::path cache = workspace.objects(lab);
  std::error_code ec;
  if (fs::exists(cache / "key.txt", ec) && read_file(cache / "key.txt") == key) {
    return {};  // the same files compiled the same way before
  }
  TempDir work(scratch_, "compile.");
  fs::path sources = work.path() / "src", objects = work.path() / "obj";
  fs::create_directories(sources);
  fs::create_directories(objects);
  for (const auto& name : lab.files) {
    fs::copy_file(workspace.staged(lab) / name, sources / name);
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
    return "compile error:\n" + readable(compiled.output, workspace);
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

std::vector<std::string> CourseBuild::link_command(const std::string& target) {
  std::lock_guard lock(link_commands_lock_);
  auto found = link_commands_.find(target);
  if (found != link_commands_.end()) {
    return found->second;
  }
  CommandResult listed = run_command({"ninja", "-C", build_dir_.string(), "-t", "commands", target});
  auto lines = split_lines(listed.output);
  if (listed.exit_code != 0 || lines.empty()) {
    throw GradingError("cannot read the link command of " + target + " from the course build:\n" +
                       first_lines(listed.output, 5));
  }
  std::vector<std::string> words = split_command(lines.back());
  if (std::find(words.begin(), words.end(), "-o") == words.end()) {
    throw GradingError("the last command of " + target + " is not a link: " + lines.back());
  }
  return link_commands_[target] = words;
}

std::string CourseBuild::link(const Workspace& workspace, const Lab& lab, Binary kind) {
  std::string target = "lab" + lab.number + "_" + to_string(kind) + "_tests";
  std::vector<std::string> command = link_command(target);
  std::string imported = (root_ / "prebuilt" / lab.id / ("liblab" + lab.number + ".a")).string();
  fs::path output = workspace.binary(lab, kind);
  std::error_code ec;
  bool up_to_date = fs::exists(output, ec);
  auto built = up_to_date ? fs::last_write_time(output, ec) : fs::file_time_type{};
  for (std::size_t i = 0; i < command.size(); ++i) {
    if (command[i] == "-o" && i + 1 < command.size()) {
      command[++i] = output.string();
    } else if (command[i] == imported) {
      command[i] = workspace.archive(lab).string();
    }
    const std::string& word = command[i];
    if (up_to_date && (word.ends_with(".o") || word.ends_with(".a"))) {
      fs::path input = fs::path(word).is_absolute() ? fs::path(word) : build_dir_ / word;
      up_to_date = fs::last_write_time(input, ec) < built && !ec;
    }
  }
  if (up_to_date) {
    return {};
  }
  fs::remove(output, ec);
  CommandResult linked = run_command(command, build_dir_, std::chrono::minutes(2));
  return linked.exit_code == 0 ? "" : "link error:\n" + readable(linked.output, workspace);
}

LabBuild CourseBuild::build(const Workspace& workspace, const SandboxConfig& sandbox, const Lab& lab, bool with_hidden,
                            int slot, double timeout_scale) {
  LabBuild result;
  result.problem = compile(workspace, sandbox, lab, slot, timeout_scale);
  if (!result.problem.empty()) {
    return result;
  }
  // The archive, replaced only when it changes, so that the binaries are
  // relinked only then.
  fs::path archive = workspace.archive(lab);
  fs::path fresh = archive.string() + ".new";
  std::vector<std::string> ar = {"ar", "rcsD", fresh.string()};
  for (const auto& name : lab.files) {
    ar.push_back((workspace.objects(lab) / (fs::path(name).stem().string() + ".o")).string());
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
  std::vector<Binary> kinds = {Binary::public_tests};
  if (with_hidden && has_hidden_tests(lab)) {
    kinds.push_back(Binary::hidden_tests);
  }
  for (Binary kind : kinds) {
    result.problem = link(workspace, lab, kind);
    if (!result.problem.empty()) {
      return result;
    }
    result.binaries[kind] = workspace.binary(lab, kind);
  }
  result.ok = true;
  return result;
}

std::vector<std::string> split_command(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < line.size()) {
        word += line[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) {
        words.push_back(word);
      }
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) {
    words.push_back(word);
  }
  // ninja's wrapper of a link step: ": && COMMAND && :".
  if (words.size() >= 2 && words[0] == ":" && words[1] == "&&") {
    words.erase(words.begin(), words.begin() + 2);
  }
  if (words.size() >= 2 && words.back() == ":" && words[words.size() - 2] == "&&") {
    words.resize(words.size() - 2);
  }
  return words;
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
