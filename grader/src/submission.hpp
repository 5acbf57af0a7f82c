// Finding the student's files in a submission: a checkout, any folder, a .zip
// or a .tar.gz (archive.hpp). Only the file names the course expects are taken;
// everything else in the submission (headers, tests, CMake files) is ignored.
// Nothing is ever taken through a symbolic link (nofollow.hpp), and every name
// from the submission is quoted (quote_name) in what the grader says.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive.hpp"
#include "course.hpp"
#include "nofollow.hpp"
#include "util.hpp"

namespace grader {

/// Where each file of one lab was found, or why it could not be used.
struct LabFiles {
  std::map<std::string, std::filesystem::path> found;  ///< file name -> path in the submission
  /// file name -> its bytes, read once from `found` without following a link:
  /// what is staged (there is an entry for every entry of `found`).
  std::map<std::string, std::string> content;
  std::vector<std::string> problems;  ///< "fifo_io.cpp is missing ...", empty when all is well
};

/// Files larger than this are not sources: they are never read.
inline constexpr std::size_t kMaxSourceBytes = std::size_t{1} << 20;

class Submission {
 public:
  /// Opens `path`: a folder, or an archive unpacked into a new folder under the
  /// system's temporary folder (removed with this object), within `limits`.
  /// Links in `path` itself are followed (it is the instructor's), once, here;
  /// none under it ever is. Throws UsageError when it does not exist or cannot
  /// be unpacked.
  explicit Submission(const std::filesystem::path& path, const IntakeLimits& limits = {});

  /// Finds and reads the files of `lab`: first at the course's layout
  /// (labs/NN-topic/src/ or NN-topic/src/ under the submission), then anywhere
  /// by name.
  LabFiles locate(const Lab& lab) const;

  /// The content of the regular file at `path` (relative to root(), or under
  /// it) of at most kMaxSourceBytes, read without following a link anywhere
  /// below root(). Throws UsageError saying why it cannot.
  std::string read(const std::filesystem::path& path) const;

  /// What to call the submission in reports: the path given, quoted.
  const std::string& label() const { return label_; }
  /// Where its files are: the folder given (resolved), or the unpacked archive.
  const std::filesystem::path& root() const { return root_; }
  /// What the grader did not take from an archive and why ("dropped 2 entries
  /// that are links or devices: ..."); names quoted. Empty for a folder.
  const std::vector<std::string>& notes() const { return unpacked_.notes; }

 private:
  /// A file taken: where, and its bytes.
  struct Taken {
    std::filesystem::path path;  ///< relative to root_
    std::string content;
  };
  std::optional<Taken> take(const Lab& lab, const std::string& name, std::string& problem) const;
  std::string missing(const Lab& lab, const std::string& name,
                      const std::string& why_not_at_layout) const;

  std::string label_;
  std::filesystem::path root_;
  UnpackedArchive unpacked_;  ///< empty for a folder
  UniqueFd root_fd_;          ///< root_, opened once: every read starts from it
  std::multimap<std::string, std::filesystem::path>
      by_name_;  ///< every regular *.cpp file, by name (relative paths)
};

}  // namespace grader
