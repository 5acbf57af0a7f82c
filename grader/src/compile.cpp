#include "compile.hpp"

#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "util.hpp"

namespace grader {

namespace {

constexpr const char* kCourseInside = "/course";  // the course's public headers and the student's files
constexpr const char* kObjectsInside = "/out";

// "labs/01-fifo/include" for a folder of the course, or "" when it is not one
// the compiler may see: only folders under labs/ (the public part).
std::string public_relative(const fs::path& dir, const fs::path& course_root) {
  fs::path relative = dir.lexically_normal().lexically_relative(course_root.lexically_normal());
  std::string text = relative.generic_string();
  if (text.empty() || !text.starts_with("labs/") || text.find("..") != std::string::npos) {
    return {};
  }
  return text;
}

}  // namespace

CompileSpec load_compile_spec(const fs::path& file, const fs::path& course_root) {
  if (!fs::exists(file)) {
    throw GradingError("the course build wrote no " + file.string() +
                       " (is cmake/IpclabLab.cmake older than the grader?)");
  }
  CompileSpec spec;
  std::istringstream lines(read_file(file));
  std::string line;
  while (std::getline(lines, line)) {
    auto space = line.find(' ');
    std::string key = line.substr(0, space), value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "compiler") {
      spec.compiler = value;
    } else if (key == "flag") {
      spec.flags.push_back(value);
    } else if (key == "include") {
      if (public_relative(value, course_root).empty()) {
        throw GradingError("the course's compile spec " + file.string() + " names the include folder " + value +
                           ", which is not under labs/: the student's compiler must not see it");
      }
      spec.includes.emplace_back(value);
    }
  }
  if (spec.compiler.empty()) {
    throw GradingError(file.string() + " names no compiler");
  }
  return spec;
}

Compiled compile_in_sandbox(const SandboxConfig& config, const CompileSpec& spec, const fs::path& course_root,
                            const Lab& lab, const fs::path& sources, const fs::path& objects, int slot,
                            std::chrono::milliseconds timeout) {
  SandboxJob job;
  job.slot = slot;
  job.timeout = timeout;
  job.mount_proc = false;  // nothing to read there: no /proc/self/fd, no /proc/PID/root of the grader
  job.limits.memory = std::uint64_t{1} << 30;
  job.limits.address_space = std::uint64_t{2} << 30;
  job.limits.processes = 16;
  job.limits.cpu_seconds = static_cast<std::uint64_t>(timeout.count() / 1000 + 1);
  job.cwd = kObjectsInside;
  job.env = {"PATH=/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8"};
  std::string lab_src = std::string(kCourseInside) + "/labs/" + lab.id + "/src";
  job.binds.push_back({sources.string(), lab_src, false});
  job.binds.push_back({objects.string(), kObjectsInside, true});
  job.argv = {spec.compiler};
  job.argv.insert(job.argv.end(), spec.flags.begin(), spec.flags.end());
  for (const auto& dir : spec.includes) {
    std::string inside = std::string(kCourseInside) + "/" + public_relative(dir, course_root);
    job.binds.push_back({dir.string(), inside, false});
    job.argv.push_back("-I" + inside);
  }
  job.argv.push_back("-c");
  for (const auto& name : lab.files) {
    job.argv.push_back(lab_src + "/" + name);
  }
  TestRun run = run_sandboxed(config, job);
  Compiled compiled;
  // The compiler names files as it saw them: /course/labs/... reads labs/...
  // (Under the `none` level the compiler saw the host's paths: those first, so
  // that a host path holding "/course/" is not cut in the middle.)
  compiled.output = replace_all(run.output, sources.string() + "/", "labs/" + lab.id + "/src/");
  compiled.output = replace_all(compiled.output, std::string(kCourseInside) + "/", "");
  if (!run.started) {
    compiled.output = "the grader could not start the compiler: " + run.output;
  } else if (run.timed_out) {
    compiled.output += "\n(the compiler was stopped after " + format_points(static_cast<double>(timeout.count()) / 1000) +
                       " s: does an #include read a file without end?)";
  } else if (run.memory_limit_hit || run.signal != 0) {
    compiled.output += "\n(the compiler was stopped: it ran out of memory or CPU time, or was killed)";
  } else if (run.exit_code == 0) {
    compiled.ok = true;
  }
  if (compiled.ok) {
    for (const auto& name : lab.files) {
      fs::path object = objects / (fs::path(name).stem().string() + ".o");
      if (!is_relocatable_object(object)) {
        compiled.ok = false;
        compiled.output += "\nthe compiler wrote no object file for " + name;
      }
    }
  }
  return compiled;
}

std::string compile_isolation(const SandboxConfig& config) {
  switch (config.isolation) {
    case Isolation::bubblewrap:
    case Isolation::unshare:
      return to_string(config.isolation) + ": the compiler sees only /usr, the course's public headers and a copy " +
             "of the student's files" + (config.drop_privileges ? ", as an unprivileged uid" : "") +
             "; memory, CPU, file size and time limited";
    case Isolation::none:
      return config.drop_privileges
                 ? "none: the compiler runs as an unprivileged uid, with limits; the course's solutions/ and grader/ "
                   "are closed to it (mode 0700)"
                 : "none: the compiler runs as the grader's user and can read every file that user can (install "
                   "bubblewrap for a sandboxed compile)";
  }
  return "?";
}

bool is_relocatable_object(const fs::path& path) {
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() != fs::file_type::regular) {
    return false;
  }
  std::string head = read_file_prefix(path, sizeof(Elf64_Ehdr));
  if (head.size() < sizeof(Elf64_Ehdr) || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) {
    return false;
  }
  Elf64_Ehdr header;
  std::memcpy(&header, head.data(), sizeof header);
  return header.e_type == ET_REL;
}

}  // namespace grader
