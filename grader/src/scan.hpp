// A scan of a student's files for code that has no business in a lab and is
// how a forged verdict or a peek outside the sandbox would be written: inline
// assembly, files included from outside the course's headers, the process's
// own command line, GoogleTest's internals, code that runs before main() or
// ends the process. It flags for a person to review and never changes a score:
// honest code (the reference, the skeletons, grader/mutants) is never flagged.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "course.hpp"

namespace grader {

/// One line per finding: "labs/01-fifo/src/fifo_io.cpp:12: why: `the line`".
std::vector<std::string> scan_sources(const Lab& lab, const std::filesystem::path& sources);

/// Findings in `nm` output of the lab's archive (calls the sources hide, e.g. through macros).
std::vector<std::string> scan_symbols(const std::string& nm_output);

/// Both, for a built lab: its staged sources and its archive.
std::vector<std::string> scan_lab(const Lab& lab, const std::filesystem::path& sources,
                                  const std::filesystem::path& archive);

}  // namespace grader
