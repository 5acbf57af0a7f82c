#include "submission.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

namespace grader {

namespace {

// Folders that never hold a submission's sources but may hold copies of them.
bool skipped_folder(const std::string& name) {
  return name.starts_with(".") || name.starts_with("build") || name == "__MACOSX" ||
         name == "node_modules";
}

// Why a file at the course's layout was not taken, for the "missing" message;
// "" when there was simply nothing there.
std::string why_not_taken(const ReadBeneath& read) {
  switch (read.reach) {
    case Reach::link:
      return quote_name(read.stopped_at.string()) +
             " is a symbolic link, and the grader never follows links: put the file itself there";
    case Reach::not_regular:
      return quote_name(read.stopped_at.string()) + " is not a regular file";
    default:
      return "";
  }
}

// Whether `path` is `folder` or one of the folders on the way to it.
bool on_the_way(const fs::path& path, const fs::path& folder) {
  return std::mismatch(path.begin(), path.end(), folder.begin(), folder.end()).first == path.end();
}

std::string too_large(const std::string& name, const fs::path& where) {
  return name + " is larger than 1 MiB (" + quote_name(where.string()) +
         "): is it really the source file?";
}

// A place a file of the lab may come from, as shown in a message.
struct Candidate {
  fs::path path;          // relative to the submission's root
  std::size_t entry = 0;  // for a path an archive names twice: the entry's number, else 0
  std::string shown() const {
    return quote_name(path.string()) +
           (entry ? " (archive entry " + std::to_string(entry) + ")" : "");
  }
  // Paths an archive names twice first: the message then names both of
  // their entries, the clearest thing to fix.
  bool operator<(const Candidate& other) const {
    return std::tuple(entry == 0, path, entry) <
           std::tuple(other.entry == 0, other.path, other.entry);
  }
};

}  // namespace

Submission::Submission(const fs::path& path, const IntakeLimits& limits)
    : label_(quote_name(path.string())) {
  std::error_code ec;
  // The instructor's own path: a link in it is theirs, resolved here once.
  fs::path resolved = fs::canonical(path, ec);
  if (ec) {
    throw UsageError(
        "the submission " + label_ +
        (ec == std::errc::no_such_file_or_directory ? " does not exist"
                                                    : " cannot be opened (" + ec.message() + ")") +
        ": give a student's checkout, a folder holding the .cpp files, a .zip or a .tar.gz");
  }
  if (fs::is_directory(resolved, ec)) {
    root_ = resolved;
  } else if (fs::is_regular_file(resolved, ec) && is_archive(path)) {
    // Outside the course tree: nothing unpacked sits beside solutions/ or
    // under build/, and the folder (mode 0700) is removed with this object.
    unpacked_ = unpack_archive(resolved, fs::temp_directory_path(), limits);
    root_ = unpacked_.folder->path();
  } else {
    throw UsageError("the submission " + label_ +
                     " is neither a folder nor a .zip, .tar.gz, .tgz, .tar or .tar.xz archive");
  }
  root_fd_ = open_folder(root_);
  if (!root_fd_) {
    throw UsageError("cannot read the submission " + label_ + ": " + std::strerror(errno));
  }
  for_each_file_beneath(root_fd_.get(), skipped_folder, [this](const fs::path& relative) {
    if (relative.extension() == ".cpp") {
      by_name_.emplace(relative.filename().string(), relative);
    }
  });
}

std::string Submission::read(const fs::path& path) const {
  fs::path relative = path.is_absolute() ? path.lexically_relative(root_) : path;
  ReadBeneath read = read_beneath(root_fd_.get(), relative, kMaxSourceBytes);
  switch (read.reach) {
    case Reach::ok:
      return std::move(read.content);
    case Reach::too_large:
      throw UsageError(quote_name(relative.string()) + " is larger than 1 MiB: it is not read");
    case Reach::absent:
      throw UsageError(quote_name(relative.string()) + " is not in the submission " + label_);
    default:
      throw UsageError("cannot read " + quote_name(relative.string()) + ": " + why_not_taken(read));
  }
}

LabFiles Submission::locate(const Lab& lab) const {
  LabFiles files;
  for (const auto& name : lab.files) {
    std::string problem;
    if (auto taken = take(lab, name, problem)) {
      files.found[name] = root_ / taken->path;
      files.content[name] = std::move(taken->content);
    } else {
      files.problems.push_back(problem);
    }
  }
  return files;
}

std::optional<Submission::Taken> Submission::take(const Lab& lab, const std::string& name,
                                                  std::string& problem) const {
  // The course's own layout wins, so that a full checkout (which may also
  // hold solutions/ or backups) is read from the place the student edits.
  std::string why_not_at_layout;
  for (const fs::path& layout :
       {fs::path("labs") / lab.id / "src" / name, fs::path(lab.id) / "src" / name}) {
    ReadBeneath read = read_beneath(root_fd_.get(), layout, kMaxSourceBytes);
    if (read.reach == Reach::ok) {
      return Taken{layout, std::move(read.content)};
    }
    if (read.reach == Reach::too_large) {
      problem = too_large(name, layout);
      return std::nullopt;
    }
    if (why_not_at_layout.empty()) {
      why_not_at_layout = why_not_taken(read);
    }
  }
  std::vector<Candidate> found;
  auto [first, last] = by_name_.equal_range(name);
  for (auto it = first; it != last; ++it) {
    found.push_back({it->second, 0});
  }
  // A path an archive names twice was not unpacked: each of its entries is a
  // candidate, so that the lab says so instead of taking a copy elsewhere.
  for (const auto& [path, entries] : unpacked_.duplicates) {
    if (path.filename() != name) {
      continue;
    }
    for (std::size_t entry : entries) {
      found.push_back({path, entry});
    }
  }
  std::sort(found.begin(), found.end());
  if (found.size() > 1) {
    problem = name + " is in the submission twice: " + found[0].shown() + " and " +
              found[1].shown() + "; keep one (at labs/" + lab.id + "/src/" + name + ")";
    return std::nullopt;
  }
  if (found.empty()) {
    problem = missing(lab, name, why_not_at_layout);
    return std::nullopt;
  }
  ReadBeneath read = read_beneath(root_fd_.get(), found[0].path, kMaxSourceBytes);
  if (read.reach == Reach::ok) {
    return Taken{found[0].path, std::move(read.content)};
  }
  problem = read.reach == Reach::too_large ? too_large(name, found[0].path)
                                           : missing(lab, name, why_not_taken(read));
  return std::nullopt;
}

std::string Submission::missing(const Lab& lab, const std::string& name,
                                const std::string& why_not_at_layout) const {
  std::vector<std::string> reasons;
  if (!why_not_at_layout.empty()) {
    reasons.push_back(why_not_at_layout);
  }
  // An archive's link or device of that name, or on the way to the layout
  // ("labs" as a link): the likely reason, so say it.
  for (const auto& [path, what] : unpacked_.dropped) {
    if (path.filename() == name || on_the_way(path, fs::path("labs") / lab.id / "src") ||
        on_the_way(path, fs::path(lab.id) / "src")) {
      reasons.push_back("the archive's " + quote_name(path.string()) + " (" + what +
                        ") was not unpacked");
    }
  }
  std::string text = name + " is missing: lab " + lab.id + " needs labs/" + lab.id + "/src/" + name;
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    text += (i == 0 ? " (" : "; ") + reasons[i] + (i + 1 == reasons.size() ? ")" : "");
  }
  return text;
}

}  // namespace grader
