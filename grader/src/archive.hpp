// Unpacking a submitted archive (.zip, .tar.gz, .tgz, .tar, .tar.xz) with
// libarchive, as hostile input. Two passes: the first reads only the entries'
// headers and refuses the archive, before anything is written, when it holds
// too many entries, declares too many bytes, or names a path outside the
// folder; the second writes regular files and folders only, into a fresh
// folder (mode 0700) outside the course tree, and stops when the bytes it
// actually writes pass the limit (headers can lie). Links, devices, FIFOs and
// sockets are never written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util.hpp"

namespace grader {

/// How much an archive may unpack to. The defaults are far above any real
/// submission (a few sources of some KiB) and far below what hurts a machine.
struct IntakeLimits {
  std::uint64_t max_bytes = std::uint64_t{50} << 20;  ///< all files together, in bytes
  std::size_t max_entries = 2000;  ///< entries of any kind (files, folders, links)
};

/// The limits of `--max-archive-mb` (in MiB) and `--max-archive-entries`.
/// Throws UsageError naming the flag when a value is out of range.
IntakeLimits intake_limits(std::uint64_t max_mb, std::size_t max_entries);

/// An archive unpacked by unpack_archive().
struct UnpackedArchive {
  std::unique_ptr<TempDir> folder;  ///< holds what was unpacked; removed with this object
  /// For the grader's output: the entries that were dropped (links, devices...)
  /// and the paths that were in the archive more than once.
  std::vector<std::string> notes;
  /// Paths (relative to the folder) that several entries name: none of those
  /// entries was unpacked, so that neither can be taken by mistake. Each: the
  /// numbers of the entries (counted from 1, in archive order).
  std::map<std::filesystem::path, std::vector<std::size_t>> duplicates;
  /// Entries that were not unpacked because of what they are: path (relative
  /// to the folder) -> "a symbolic link", "a hard link", "a device"...; so that
  /// a missing file can say why.
  std::map<std::filesystem::path, std::string> dropped;
};

/// Whether `path` names an archive the grader can unpack, by its extension.
bool is_archive(const std::filesystem::path& path);

/// Unpacks `archive` into a new folder under `parent`. Throws UsageError, and
/// leaves nothing behind, when the archive cannot be read, is over a limit, or
/// holds an absolute path, a ".." component or a path that is both a file and
/// a folder.
UnpackedArchive unpack_archive(const std::filesystem::path& archive,
                               const std::filesystem::path& parent, const IntakeLimits& limits);

}  // namespace grader
