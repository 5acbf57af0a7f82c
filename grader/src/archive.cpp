#include "archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "nofollow.hpp"

namespace grader {

namespace {

constexpr std::size_t kNameMax = 255;      // NAME_MAX: longer components cannot be created
constexpr std::size_t kListedInNote = 10;  // names listed in one note, then "and N more"
constexpr std::size_t kBlock = 64 * 1024;  // bytes read and written at a time
// What an archive may hold besides its files' data: headers, a few hundred
// bytes per entry (a long name, a pax record, padding to 512 bytes), counted
// generously; plus what libarchive decompresses ahead of where it reads.
constexpr std::uint64_t kHeaderBytesPerEntry = 16 * 1024;
constexpr std::uint64_t kReadAhead = 1 << 20;

using Reader = std::unique_ptr<struct archive, int (*)(struct archive*)>;

enum class Kind {
  file,     // unpacked
  folder,   // created
  dropped,  // a link, device, FIFO or socket: never written
  skipped,  // the archive's own top folder ("./"), or a path named twice
};

struct Planned {
  Kind kind = Kind::skipped;
  std::string name;                     // the entry's path as the archive spells it
  std::vector<std::string> components;  // the same, checked: no "/", "..", "." or empty part
  std::string what;                     // for a dropped entry: "a symbolic link", ...
};

// What the first pass learns from the headers alone.
struct Plan {
  std::vector<Planned> entries;
  std::uint64_t declared = 0;  // the sizes the regular files' headers declare
  std::map<fs::path, std::vector<std::size_t>> duplicates;
};

// "50 MiB", "1.5 GiB", "12 bytes": sizes in messages people read.
std::string size_text(std::uint64_t bytes) {
  static constexpr const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  std::uint64_t scale = 1;
  while (unit + 1 < std::size(units) && bytes >= scale * 1024) {
    scale *= 1024;
    ++unit;
  }
  char buffer[48];
  if (bytes % scale == 0) {
    std::snprintf(buffer, sizeof buffer, "%llu %s", static_cast<unsigned long long>(bytes / scale),
                  units[unit]);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f %s",
                  static_cast<double>(bytes) / static_cast<double>(scale), units[unit]);
  }
  return buffer;
}

std::string join(const std::vector<std::string>& components) {
  std::string path;
  for (const auto& part : components) {
    path += (path.empty() ? "" : "/") + part;
  }
  return path;
}

// The entries of a note: the first few, then how many more.
std::string listing(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size() && i < kListedInNote; ++i) {
    text += (i ? ", " : "") + items[i];
  }
  if (items.size() > kListedInNote) {
    text += " and " + std::to_string(items.size() - kListedInNote) + " more";
  }
  return text;
}

UsageError unreadable(const std::string& label, struct archive* reader) {
  const char* why = archive_error_string(reader);
  return UsageError(
      "cannot read the archive " + label + " (libarchive says " +
      quote_name(why != nullptr ? why : "nothing more") +
      "): is it a complete .zip or .tar.gz? Ask the student for it again, or unpack it by hand "
      "and grade the folder. Nothing was unpacked");
}

UsageError changed_while_read(const std::string& label) {
  return UsageError(
      "the archive " + label +
      " changed while it was being unpacked (its entries differ between two readings): wait until "
      "it is completely copied, then grade it again. Nothing was kept");
}

// A reader on `fd`, from its start. Only the formats and compressions students
// are asked to submit: every other one (rar, 7z, iso, cpio, ...) would be one
// more parser exposed to hostile bytes, for no submission.
Reader open_reader(int fd, const std::string& label) {
  if (::lseek(fd, 0, SEEK_SET) != 0) {
    throw GradingError("cannot read the archive " + label +
                       " again from its start: " + std::strerror(errno));
  }
  Reader reader(archive_read_new(), archive_read_free);
  if (!reader) {
    throw GradingError("libarchive could not start (out of memory?)");
  }
  archive_read_support_format_zip(reader.get());
  archive_read_support_format_tar(reader.get());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_filter_xz(reader.get());
  if (archive_read_open_fd(reader.get(), fd, kBlock) != ARCHIVE_OK) {
    throw unreadable(label, reader.get());
  }
  return reader;
}

// The next entry's header; false at the end of the archive.
bool next_header(struct archive* reader, struct archive_entry** entry, const std::string& label) {
  int status = archive_read_next_header(reader, entry);
  if (status == ARCHIVE_EOF) {
    return false;
  }
  // ARCHIVE_WARN: the header was read but something was lost on the way
  // (typically a name that does not convert to the locale); the entry is there.
  if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
    throw unreadable(label, reader);
  }
  return true;
}

// The entry's path: in the locale's encoding when libarchive can convert it,
// else as UTF-8. Names are only compared with the course's and quoted.
std::string entry_name(struct archive* reader, struct archive_entry* entry,
                       const std::string& label) {
  const char* name = archive_entry_pathname(entry);
  if (name == nullptr) {
    name = archive_entry_pathname_utf8(entry);
  }
  if (name == nullptr) {
    throw unreadable(label, reader);
  }
  return name;
}

// What the entry is when the grader does not unpack it; "" for a regular file
// or a folder. A hard link is a regular file in most formats, so it is asked first.
std::string dropped_kind(struct archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) {
    return "a hard link";
  }
  if (archive_entry_symlink(entry) != nullptr) {
    return "a symbolic link";
  }
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
    case AE_IFDIR:
      return "";
    case AE_IFLNK:
      return "a symbolic link";
    case AE_IFCHR:
    case AE_IFBLK:
      return "a device";
    case AE_IFIFO:
      return "a FIFO";
    case AE_IFSOCK:
      return "a socket";
    default:
      return "a special file";
  }
}

// The parts of an entry's path. The output path is built from these parts,
// one folder at a time, by the grader itself: libarchive's own "secure"
// extraction flags are not relied on, and never used.
std::vector<std::string> checked_components(const std::string& name, const std::string& label) {
  auto components = components_beneath(name);
  if (!components) {
    throw UsageError(
        "the archive " + label + " holds " + quote_name(name) + ", a path " +
        (name.starts_with("/") ? "from the root of the file system"
                               : "that climbs out of its folder with \"..\"") +
        ": made to write outside the folder it is unpacked in, or by a broken tool. Nothing was "
        "unpacked; ask for an archive made from inside the project folder (zip -r ../alice.zip .)");
  }
  for (const auto& part : *components) {
    if (part.size() > kNameMax) {
      throw UsageError(
          "the archive " + label + " holds " + quote_name(name) + ", whose part " +
          quote_name(part) +
          " is longer than 255 bytes: no file system can hold it. Nothing was unpacked; ask for "
          "the archive again with shorter names");
    }
  }
  return *components;
}

Planned plan_entry(struct archive* reader, struct archive_entry* entry, const std::string& label) {
  Planned planned;
  planned.name = entry_name(reader, entry, label);
  planned.components = checked_components(planned.name, label);
  planned.what = dropped_kind(entry);
  if (planned.components.empty()) {
    planned.kind = Kind::skipped;  // "./": the folder it is unpacked in
  } else if (!planned.what.empty()) {
    planned.kind = Kind::dropped;
  } else {
    planned.kind = archive_entry_filetype(entry) == AE_IFDIR ? Kind::folder : Kind::file;
  }
  return planned;
}

// A path that several entries name (unless all are folders: `tar -r` appends
// folders again, harmlessly) is a problem: the archive could show one file in
// a listing and unpack another. None of those entries is unpacked.
void mark_duplicates(Plan& plan) {
  std::map<std::string, std::vector<std::size_t>> by_path;
  for (std::size_t i = 0; i < plan.entries.size(); ++i) {
    if (!plan.entries[i].components.empty()) {
      by_path[join(plan.entries[i].components)].push_back(i);
    }
  }
  for (const auto& [path, indexes] : by_path) {
    bool all_folders = std::all_of(indexes.begin(), indexes.end(), [&](std::size_t i) {
      return plan.entries[i].kind == Kind::folder;
    });
    if (indexes.size() < 2 || all_folders) {
      continue;
    }
    auto& numbers = plan.duplicates[path];
    for (std::size_t i : indexes) {
      numbers.push_back(i + 1);
      if (plan.entries[i].kind != Kind::dropped) {
        plan.entries[i].kind = Kind::skipped;
      }
    }
  }
}

// A file that another entry needs as a folder ("a" and "a/b.cpp"): such an
// archive is damaged or made by hand, and unpacking it would fail half-way.
void check_files_are_not_folders(const Plan& plan, const std::string& label) {
  std::map<std::string, const Planned*> files;
  for (const auto& planned : plan.entries) {
    if (planned.kind == Kind::file) {
      files[join(planned.components)] = &planned;
    }
  }
  for (const auto& planned : plan.entries) {
    if (planned.kind != Kind::file && planned.kind != Kind::folder) {
      continue;
    }
    std::vector<std::string> prefix;
    for (std::size_t i = 0; i + 1 < planned.components.size(); ++i) {
      prefix.push_back(planned.components[i]);
      auto file = files.find(join(prefix));
      if (file != files.end()) {
        throw UsageError(
            "the archive " + label + " holds " + quote_name(file->second->name) +
            " as a file and also " + quote_name(planned.name) +
            ", which needs it to be a folder: it is damaged or was made by hand. Nothing was "
            "unpacked; ask for the archive again (zip -r or tar czf)");
      }
    }
  }
}

UsageError too_many_entries(const std::string& label, const IntakeLimits& limits) {
  return UsageError(
      "the archive " + label + " holds more than " + std::to_string(limits.max_entries) +
      " entries: a submission is a few source files (is it a whole home folder, or a build "
      "folder?). Nothing was unpacked; ask for the lab files only, or raise the limit with "
      "--max-archive-entries");
}

UsageError too_large_declared(const std::string& label, std::uint64_t declared,
                              const IntakeLimits& limits) {
  return UsageError(
      "the archive " + label + " unpacks to more than " + size_text(limits.max_bytes) +
      " (its entries declare at least " + size_text(declared) +
      "): a submission is a few source files (does it hold build output or data?). Nothing was "
      "unpacked; ask for the lab files only, or raise the limit with --max-archive-mb");
}

UsageError too_long_stream(const std::string& label, std::uint64_t read,
                           const IntakeLimits& limits) {
  std::string limit = size_text(limits.max_bytes);
  return UsageError("the archive " + label + " is " + size_text(read) +
                    " long once decompressed, far more than its entries and their headers account "
                    "for (extra headers of up to a MiB each?): it is damaged or made to keep the "
                    "grader busy. Nothing was unpacked; ask the student for the archive again, or "
                    "raise the limit with --max-archive-mb (now " +
                    limit + ")");
}

// A bound on the decompressed archive as a whole, checked after each header:
// libarchive reads special headers (pax, GNU long names) of up to a MiB each
// on its own, before it returns the entry they belong to, and neither the
// entry count nor the declared sizes count them.
std::uint64_t stream_allowance(const IntakeLimits& limits) {
  return limits.max_bytes + limits.max_entries * kHeaderBytesPerEntry + kReadAhead;
}

// Pass 1: headers only, nothing written. Skipping an entry's data is a seek
// in a zip; in a .tar.gz it is decompressed and thrown away, never stored.
Plan read_headers(int fd, const std::string& label, const IntakeLimits& limits) {
  Reader reader = open_reader(fd, label);
  Plan plan;
  struct archive_entry* entry = nullptr;
  while (next_header(reader.get(), &entry, label)) {
    if (plan.entries.size() >= limits.max_entries) {
      throw too_many_entries(label, limits);
    }
    auto read = static_cast<std::uint64_t>(archive_filter_bytes(reader.get(), 0));
    if (read > stream_allowance(limits)) {
      throw too_long_stream(label, read, limits);
    }
    plan.entries.push_back(plan_entry(reader.get(), entry, label));
    if (plan.entries.back().kind == Kind::file && archive_entry_size_is_set(entry)) {
      plan.declared +=
          static_cast<std::uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)));
      if (plan.declared > limits.max_bytes) {
        throw too_large_declared(label, plan.declared, limits);
      }
    }
  }
  mark_duplicates(plan);
  check_files_are_not_folders(plan, label);
  return plan;
}

// Making a folder or a file failed: a clash in the archive (a file where a
// folder should be, which pass 1 rules out unless the archive changed) is the
// archive's fault; anything else (a full disk) is the machine's.
[[noreturn]] void cannot_write(const Planned& planned, const std::string& label,
                               const fs::path& folder, int error) {
  if (error == EEXIST || error == ENOTDIR || error == ELOOP) {
    throw changed_while_read(label);
  }
  throw GradingError("cannot unpack " + quote_name(planned.name) + " of the archive " + label +
                     " into " + folder.string() + ": " + std::strerror(error));
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

struct Writer {
  struct archive* reader;
  int root;                // the unpack folder, open
  const fs::path& folder;  // the same, for messages
  const std::string& label;
  const IntakeLimits& limits;
  std::uint64_t declared;
  std::uint64_t written = 0;  // bytes written so far, all files together
};

// The entry's data, counted as it is written: the limit holds whatever the
// headers said (a zip whose size fields lie, a sparse or bomb-like entry).
void copy_data(Writer& writer, const Planned& planned, int fd) {
  std::vector<char> buffer(kBlock);
  for (;;) {
    la_ssize_t n = archive_read_data(writer.reader, buffer.data(), buffer.size());
    if (n == 0) {
      return;
    }
    if (n < 0) {
      throw unreadable(writer.label, writer.reader);
    }
    writer.written += static_cast<std::uint64_t>(n);
    if (writer.written > writer.limits.max_bytes) {
      throw UsageError(
          "the archive " + writer.label + " unpacks to more than " +
          size_text(writer.limits.max_bytes) + " although its entries declare " +
          size_text(writer.declared) +
          ": it is damaged or made to fill the disk. Nothing was kept; ask the student for the "
          "archive again, or raise the limit with --max-archive-mb");
    }
    if (!write_all(fd, buffer.data(), static_cast<std::size_t>(n))) {
      cannot_write(planned, writer.label, writer.folder, errno);
    }
  }
}

void write_entry(Writer& writer, const Planned& planned) {
  bool is_file = planned.kind == Kind::file;
  std::vector<std::string> folders(planned.components.begin(),
                                   planned.components.end() - (is_file ? 1 : 0));
  UniqueFd folder = make_folders_beneath(writer.root, folders);
  if (!folder) {
    cannot_write(planned, writer.label, writer.folder, errno);
  }
  if (!is_file) {
    return;
  }
  // O_EXCL: pass 1 made every path unique, so an existing one means the
  // archive changed; O_NOFOLLOW: never write through a link. Mode 0600
  // whatever the archive says: nothing unpacked is run or shared.
  UniqueFd file(::openat(folder.get(), planned.components.back().c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!file) {
    cannot_write(planned, writer.label, writer.folder, errno);
  }
  copy_data(writer, planned, file.get());
}

// Pass 2: the same entries again, in the same order; only planned files and
// folders are written.
void write_entries(int fd, const Plan& plan, Writer& writer) {
  Reader reader = open_reader(fd, writer.label);
  writer.reader = reader.get();
  struct archive_entry* entry = nullptr;
  std::size_t index = 0;
  for (; next_header(reader.get(), &entry, writer.label); ++index) {
    if (index >= plan.entries.size() ||
        entry_name(reader.get(), entry, writer.label) != plan.entries[index].name) {
      throw changed_while_read(writer.label);
    }
    const Planned& planned = plan.entries[index];
    if (planned.kind == Kind::file || planned.kind == Kind::folder) {
      write_entry(writer, planned);
    }
  }
  if (index != plan.entries.size()) {
    throw changed_while_read(writer.label);
  }
}

// What was dropped and what was named twice, for the grader's output.
void describe(const Plan& plan, UnpackedArchive& result) {
  std::vector<std::string> dropped;
  for (const auto& planned : plan.entries) {
    if (planned.kind == Kind::dropped) {
      dropped.push_back(quote_name(planned.name) + " (" + planned.what + ")");
      result.dropped.emplace(join(planned.components), planned.what);
    }
  }
  if (!dropped.empty()) {
    result.notes.push_back("dropped " + std::to_string(dropped.size()) +
                           (dropped.size() == 1 ? " entry that is a link or device"
                                                : " entries that are links or devices") +
                           " (the grader takes regular files only): " + listing(dropped));
  }
  std::vector<std::string> twice;
  for (const auto& [path, numbers] : plan.duplicates) {
    std::string entries;
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      entries += (i == 0                    ? ""
                  : i + 1 == numbers.size() ? " and "
                                            : ", ") +
                 std::to_string(numbers[i]);
    }
    twice.push_back(quote_name(path.string()) + " (entries " + entries + ")");
  }
  if (!twice.empty()) {
    result.notes.push_back(
        "the archive names the same path more than once, and none of those entries was "
        "unpacked: " +
        listing(twice));
  }
  result.duplicates = plan.duplicates;
}

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

IntakeLimits intake_limits(std::uint64_t max_mb, std::size_t max_entries) {
  // Upper bounds only keep the arithmetic far from overflow; no real limit is near them.
  if (max_mb < 1 || max_mb > (std::uint64_t{1} << 20)) {
    throw UsageError(
        "--max-archive-mb must be between 1 and 1048576 (example: --max-archive-mb 200)");
  }
  if (max_entries < 1 || max_entries > 10'000'000) {
    throw UsageError(
        "--max-archive-entries must be between 1 and 10000000 (example: --max-archive-entries "
        "10000)");
  }
  return {max_mb << 20, max_entries};
}

bool is_archive(const fs::path& path) {
  std::string name = path.filename().string();
  return ends_with(name, ".zip") || ends_with(name, ".tar.gz") || ends_with(name, ".tgz") ||
         ends_with(name, ".tar") || ends_with(name, ".tar.xz");
}

UnpackedArchive unpack_archive(const fs::path& archive, const fs::path& parent,
                               const IntakeLimits& limits) {
  std::string label = quote_name(archive.string());
  UniqueFd fd(::open(archive.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat status {};
  if (!fd || ::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    throw UsageError("cannot open the archive " + label + ": " +
                     (fd ? "it is not a regular file" : std::strerror(errno)));
  }
  Plan plan = read_headers(fd.get(), label, limits);
  // Only now, with the headers checked, is anything created. Should pass 2
  // fail, `result` goes away with the folder and whatever is in it.
  UnpackedArchive result;
  result.folder = std::make_unique<TempDir>(parent, "ipclab-unpack.");
  UniqueFd root = open_folder(result.folder->path());
  if (!root) {
    throw GradingError("cannot open " + result.folder->path().string() + ": " +
                       std::strerror(errno));
  }
  Writer writer{nullptr, root.get(), result.folder->path(), label, limits, plan.declared};
  write_entries(fd.get(), plan, writer);
  describe(plan, result);
  return result;
}

}  // namespace grader
