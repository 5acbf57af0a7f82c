// Finding the student's files in a submission: a checkout, any folder, a .zip
// or a .tar.gz. Only the file names the course expects are taken; everything
// else in the submission (headers, tests, CMake files) is ignored.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "course.hpp"
#include "util.hpp"

namespace grader {

/// Where each file of one lab was found, or why it could not be used.
struct LabFiles {
  std::map<std::string, std::filesystem::path> found;  ///< file name -> path in the submission
  std::vector<std::string> problems;  ///< "fifo_io.cpp is missing ...", empty when all is well
};

class Submission {
 public:
  /// Opens `path` (a folder or an archive, unpacked under `scratch`). Throws
  /// UsageError when it does not exist or cannot be unpacked.
  Submission(const std::filesystem::path& path, const std::filesystem::path& scratch);

  /// Finds the files of `lab`: first at the course's layout (labs/NN-topic/src/
  /// or NN-topic/src/ under the submission), then anywhere by name.
  LabFiles locate(const Lab& lab) const;

  /// What to call the submission in reports (the path given).
  const std::string& label() const { return label_; }

 private:
  std::string label_;
  std::filesystem::path root_;
  std::unique_ptr<TempDir> unpacked_;
  std::multimap<std::string, std::filesystem::path> by_name_;  ///< every regular *.cpp file, by name
};

/// Whether `path` names an archive the grader can unpack (.zip, .tar.gz, .tgz).
bool is_archive(const std::filesystem::path& path);

}  // namespace grader
