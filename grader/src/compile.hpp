// Compiling a student's files in the sandbox. What the compiler reads is as
// hostile as what the code does at run time: `#include`, `__has_include` and
// `asm(".incbin")` reach any file the compiler can open. So it runs like a
// test, as an unprivileged uid with limits, and sees only the toolchain (/usr),
// the course's public headers and a private copy of that student's files.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "course.hpp"
#include "sandbox.hpp"

namespace grader {

/// How the course compiles a lab's files: written by the course's CMake in
/// its grader mode (build/.../grader-compile/NN-topic.txt).
struct CompileSpec {
  std::string compiler;                          ///< /usr/bin/c++
  std::vector<std::string> flags;                ///< -g -std=c++20 -Wall ...
  std::vector<std::filesystem::path> includes;   ///< public include folders (host paths in the course)
};

/// Reads a spec file; throws GradingError when it is missing or names an
/// include folder outside the course's labs/ (never solutions/ or grader/).
CompileSpec load_compile_spec(const std::filesystem::path& file, const std::filesystem::path& course_root);

struct Compiled {
  bool ok = false;
  std::string output;  ///< the compiler's messages, paths as the student knows them (labs/NN-topic/src/x.cpp)
};

/// Compiles every `*.cpp` in `sources` (a private copy of the student's files
/// of `lab`) into `objects` (an empty folder), in the sandbox of `config`,
/// one job on `slot`.
Compiled compile_in_sandbox(const SandboxConfig& config, const CompileSpec& spec,
                            const std::filesystem::path& course_root, const Lab& lab,
                            const std::filesystem::path& sources, const std::filesystem::path& objects, int slot,
                            std::chrono::milliseconds timeout);

/// For reports: how the student's files are compiled under `config`.
std::string compile_isolation(const SandboxConfig& config);

/// Whether `path` is an ELF relocatable object (what a compiler writes): the
/// archive and the linker are given nothing else.
bool is_relocatable_object(const std::filesystem::path& path);

}  // namespace grader
