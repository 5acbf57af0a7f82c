// Small helpers the grader uses everywhere: errors for people, files written
// atomically, temporary folders that clean up after themselves.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace grader {

namespace fs = std::filesystem;

/// A problem with what the user asked for (a missing path, an unknown lab):
/// main() prints the message and exits with status 2, writing no report.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Grading itself could not run (cmake failed on the course, no compiler):
/// main() prints the message and exits with status 3.
class GradingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The whole content of `path`, or throws GradingError naming it.
std::string read_file(const fs::path& path);
/// At most `limit` bytes of `path`; "" when it cannot be read.
std::string read_file_prefix(const fs::path& path, std::size_t limit);

/// Writes `content` to a temporary file beside `path`, flushes it and renames it
/// over `path`: a reader sees the old file or the new one, never half of one.
void write_file_atomically(const fs::path& path, std::string_view content);

/// `count` random bytes as hex, from the kernel's random source.
std::string random_hex(std::size_t count);

/// A folder created now with a random name under `parent`, removed with all its
/// content when this object goes away.
class TempDir {
 public:
  TempDir(const fs::path& parent, std::string_view prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Removes `path` and everything under it, also when a sandboxed test made some
/// of it read-only; never throws.
void remove_tree(const fs::path& path) noexcept;

/// Splits `text` into lines (without the newlines).
std::vector<std::string> split_lines(std::string_view text);
/// The first `count` lines of `text`, joined with "\n".
std::string first_lines(std::string_view text, std::size_t count);
/// `text` with every occurrence of `from` replaced by `to`.
std::string replace_all(std::string text, std::string_view from, std::string_view to);
/// `text` with '?' for each byte of invalid UTF-8 and for control characters
/// other than \n and \t (ESC, DEL, C1 controls), bidirectional overrides,
/// U+2028/U+2029 and U+FFFE/U+FFFF; CR dropped. So a test's output can go into
/// JSON, XML and terminals safely (the reports still escape for each format).
std::string printable(std::string_view text);
/// "1.5" for 1.5, "2" for 2.0: points as people write them.
std::string format_points(double points);

/// A name that comes from a submission (a file name, a path in an archive, the
/// path given), ready for any report: in double quotes; newline, tab, carriage
/// return, backslash, double quote and backtick escaped C-style (`\n`, `\"`,
/// `` \` ``), other control characters and invalid UTF-8 as `\xNN`, and
/// characters that reorder or break the line around them (C1 controls, bidi
/// overrides, line separators) as `\uNNNN`. At most `limit` bytes go between the
/// quotes; a longer name is cut there and ends with "…".
std::string quote_name(std::string_view name, std::size_t limit = 200);

}  // namespace grader
