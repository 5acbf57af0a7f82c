// Reaching files under a folder one path component at a time, never through a
// symbolic link: how the intake reads a submission and writes an unpacked
// archive. A link anywhere on the way (`labs`, `03-mqueue`, `src` or the file)
// could point at solutions/, /proc/self/cwd or /etc, and the grader would take
// what it points to as the student's work.
//
// Each step is an openat(2) with O_NOFOLLOW on the folder descriptor the step
// before opened, rather than std::filesystem::symlink_status on each prefix and
// then one open of the whole path: a check by path and a later open by path
// leave a gap in which a folder can be swapped for a link (a submission may
// sit on a share its owner still writes to). A descriptor stays the folder it
// was opened as. openat2(RESOLVE_NO_SYMLINKS) would do it in one call, but
// needs Linux 5.6 and glibc has no wrapper for it on Debian 12.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace grader {

/// An open file descriptor, closed when this object goes away.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  /// Gives the descriptor away (to fdopendir): this object no longer closes it.
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

/// The components of `relative` ("labs/01-fifo/src/a.cpp" -> {"labs", ...}),
/// without "." and empty ones; nothing when it is absolute or has a "..".
std::optional<std::vector<std::string>> components_beneath(const std::filesystem::path& relative);

/// Opens the folder `path`, following links: only for a path the instructor
/// gave (the submission root), never for one that comes from a submission.
/// An empty UniqueFd (and errno) when it cannot.
UniqueFd open_folder(const std::filesystem::path& path);

/// Why a file under a folder was or was not read.
enum class Reach {
  ok,           ///< read
  absent,       ///< nothing there (or a file where a folder should be)
  link,         ///< a symbolic link on the way: `stopped_at` names it
  not_regular,  ///< a folder, FIFO, device or socket: `stopped_at` names it
  too_large,    ///< a regular file over the limit
};

struct ReadBeneath {
  Reach reach = Reach::absent;
  std::string content;               ///< the file's bytes, when reach is ok
  std::filesystem::path stopped_at;  ///< the part of the path that is a link or not a regular file
};

/// Reads the regular file at `relative` under the open folder `root`, of at
/// most `limit` bytes, walking one component at a time and never through a
/// link. What is checked (a regular file, its size) is the descriptor that is
/// then read, so the file cannot be swapped between the check and the read.
ReadBeneath read_beneath(int root, const std::filesystem::path& relative, std::size_t limit);

/// Creates the folders `components` (mode 0700) under the open folder `root`
/// where they are missing, and opens the last one; never follows a link. An
/// empty UniqueFd (and errno) when one is not a folder or cannot be made.
UniqueFd make_folders_beneath(int root, const std::vector<std::string>& components);

/// Calls `visit` with the path (relative to `root`) of every regular file under
/// the open folder `root`. Never enters a link, nor a folder whose name
/// `skip_folder` refuses, nor one deeper than `max_depth` (each level holds a
/// descriptor while it is listed). Folders that cannot be read are passed over.
void for_each_file_beneath(int root, const std::function<bool(const std::string&)>& skip_folder,
                           const std::function<void(const std::filesystem::path&)>& visit,
                           int max_depth = 32);

}  // namespace grader
