#include "submission.hpp"

#include <algorithm>

#include "process.hpp"

namespace grader {

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Folders that never hold a submission's sources but may hold copies of them.
bool skipped_folder(const std::string& name) {
  return name.starts_with(".") || name.starts_with("build") || name == "__MACOSX" || name == "node_modules";
}

// A regular file, not a symbolic link: a link could point at the hidden tests
// or /etc/shadow, and the grader would copy (and show) what it points to.
bool plain_file(const fs::path& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() == fs::file_type::regular;
}

void unpack(const fs::path& archive, const fs::path& into) {
  std::string name = archive.filename().string();
  std::vector<std::string> command;
  if (ends_with(name, ".zip")) {
    command = {"unzip", "-qq", "-o", archive.string(), "-d", into.string()};
  } else {
    command = {"tar", "-xzf", archive.string(), "-C", into.string(), "--no-same-owner", "--no-same-permissions"};
  }
  if (!have_program(command[0])) {
    throw UsageError("cannot unpack " + archive.string() + ": the program " + command[0] +
                     " is missing (apt-get install " + command[0] + ")");
  }
  CommandResult result = run_command(command, {}, std::chrono::seconds(120));
  if (result.exit_code != 0) {
    throw UsageError("cannot unpack " + archive.string() + " (is it a valid " +
                     (ends_with(name, ".zip") ? ".zip" : ".tar.gz") + "?): " + first_lines(result.output, 5));
  }
}

}  // namespace

bool is_archive(const fs::path& path) {
  std::string name = path.filename().string();
  return ends_with(name, ".zip") || ends_with(name, ".tar.gz") || ends_with(name, ".tgz");
}

Submission::Submission(const fs::path& path, const fs::path& scratch) : label_(path.string()) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    throw UsageError("the submission " + path.string() +
                     " does not exist: give a student's checkout, a folder holding the .cpp files, a .zip or a .tar.gz");
  }
  if (fs::is_directory(status)) {
    root_ = fs::absolute(path);
  } else if (fs::is_regular_file(status) && is_archive(path)) {
    unpacked_ = std::make_unique<TempDir>(scratch, "unpack.");
    unpack(fs::absolute(path), unpacked_->path());
    root_ = unpacked_->path();
  } else {
    throw UsageError("the submission " + path.string() +
                     " is neither a folder nor a .zip, .tar.gz or .tgz archive");
  }
  for (auto it = fs::recursive_directory_iterator(root_, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && (it->is_symlink(ec) || skipped_folder(it->path().filename().string()))) {
      it.disable_recursion_pending();
    } else if (it->path().extension() == ".cpp" && plain_file(it->path())) {
      by_name_.emplace(it->path().filename().string(), it->path());
    }
  }
  if (ec) {
    throw UsageError("cannot read the submission " + path.string() + ": " + ec.message());
  }
}

LabFiles Submission::locate(const Lab& lab) const {
  LabFiles files;
  for (const auto& name : lab.files) {
    // The course's own layout wins, so that a full checkout (which may also
    // hold solutions/ or backups) is read from the place the student edits.
    std::optional<fs::path> chosen;
    for (const fs::path& candidate : {root_ / "labs" / lab.id / "src" / name, root_ / lab.id / "src" / name}) {
      if (plain_file(candidate)) {
        chosen = candidate;
        break;
      }
    }
    if (!chosen) {
      auto [first, last] = by_name_.equal_range(name);
      std::vector<fs::path> candidates;
      for (auto it = first; it != last; ++it) {
        candidates.push_back(it->second);
      }
      std::sort(candidates.begin(), candidates.end());
      if (candidates.size() == 1) {
        chosen = candidates.front();
      } else if (candidates.size() > 1) {
        files.problems.push_back(name + " is in the submission twice: " +
                                 fs::relative(candidates[0], root_).string() + " and " +
                                 fs::relative(candidates[1], root_).string() +
                                 "; keep one (at labs/" + lab.id + "/src/" + name + ")");
        continue;
      }
    }
    if (!chosen) {
      files.problems.push_back(name + " is missing: lab " + lab.id + " needs labs/" + lab.id + "/src/" + name);
      continue;
    }
    std::error_code ec;
    if (fs::file_size(*chosen, ec) > (1u << 20)) {
      files.problems.push_back(name + " is larger than 1 MiB: is it really the source file?");
      continue;
    }
    files.found[name] = *chosen;
  }
  return files;
}

}  // namespace grader
