#include "nofollow.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>

namespace grader {

namespace fs = std::filesystem;

namespace {

constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Opens the folder `name` in `dir`. O_NOFOLLOW makes a link fail (ELOOP, or
// ENOTDIR with O_DIRECTORY) instead of being followed.
UniqueFd open_folder_at(int dir, const std::string& name) {
  return UniqueFd(::openat(dir, name.c_str(), kFolderFlags));
}

bool failed_on_link(int error) { return error == ELOOP || error == ENOTDIR; }

// Reads all of `fd` up to `limit` + 1 bytes: one byte more than allowed is how
// a file that grew after its fstat is noticed.
bool read_up_to(int fd, std::size_t limit, std::string& content) {
  content.assign(limit + 1, '\0');
  std::size_t got = 0;
  while (got < content.size()) {
    ssize_t n = ::read(fd, content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return false;
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  content.resize(got);
  return true;
}

// The last step of read_beneath: `name` in the open folder `dir`.
ReadBeneath read_file_at(int dir, const std::string& name, const fs::path& walked,
                         std::size_t limit) {
  ReadBeneath result;
  struct stat status {};
  // Look before opening: opening a device can have effects of its own, and
  // opening a FIFO without O_NONBLOCK waits for a writer forever.
  if (::fstatat(dir, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
    return result;
  }
  if (S_ISLNK(status.st_mode) || !S_ISREG(status.st_mode)) {
    result.reach = S_ISLNK(status.st_mode) ? Reach::link : Reach::not_regular;
    result.stopped_at = walked;
    return result;
  }
  UniqueFd file(
      ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!file) {
    result.reach = errno == ELOOP ? Reach::link : Reach::absent;
    result.stopped_at = walked;
    return result;
  }
  // What counts is what the descriptor is, not what the name was a moment ago.
  if (::fstat(file.get(), &status) != 0 || !S_ISREG(status.st_mode)) {
    result.reach = Reach::not_regular;
    result.stopped_at = walked;
    return result;
  }
  if (static_cast<std::uint64_t>(status.st_size) > limit) {
    result.reach = Reach::too_large;
    return result;
  }
  if (!read_up_to(file.get(), limit, result.content)) {
    result.content.clear();
    return result;  // absent: nothing that can be read is there
  }
  if (result.content.size() > limit) {  // it grew since the fstat
    result.reach = Reach::too_large;
    result.content.clear();
    return result;
  }
  result.reach = Reach::ok;
  return result;
}

void list_folder(UniqueFd folder, const fs::path& relative, int depth, int max_depth,
                 const std::function<bool(const std::string&)>& skip_folder,
                 const std::function<void(const fs::path&)>& visit) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(folder.get()), ::closedir);
  if (!dir) {
    return;
  }
  folder.release();
  while (const dirent* entry = ::readdir(dir.get())) {
    std::string name = entry->d_name;
    struct stat status {};
    if (name == "." || name == ".." ||
        ::fstatat(::dirfd(dir.get()), name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;
    }
    if (S_ISREG(status.st_mode)) {
      visit(relative / name);
    } else if (S_ISDIR(status.st_mode) && depth < max_depth && !skip_folder(name)) {
      if (UniqueFd sub = open_folder_at(::dirfd(dir.get()), name)) {
        list_folder(std::move(sub), relative / name, depth + 1, max_depth, skip_folder, visit);
      }
    }
  }
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

std::optional<std::vector<std::string>> components_beneath(const fs::path& relative) {
  const std::string& text = relative.native();
  if (text.starts_with("/")) {
    return std::nullopt;
  }
  std::vector<std::string> components;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('/', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string part = text.substr(start, end - start);
    if (part == "..") {
      return std::nullopt;
    }
    if (!part.empty() && part != ".") {
      components.push_back(std::move(part));
    }
    start = end + 1;
  }
  return components;
}

UniqueFd open_folder(const fs::path& path) {
  return UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

ReadBeneath read_beneath(int root, const fs::path& relative, std::size_t limit) {
  auto components = components_beneath(relative);
  if (!components || components->empty()) {
    return {};
  }
  UniqueFd held;  // the folder reached so far (none: still `root`)
  fs::path walked;
  for (std::size_t i = 0; i + 1 < components->size(); ++i) {
    const std::string& name = (*components)[i];
    walked /= name;
    int dir = held ? held.get() : root;
    UniqueFd next = open_folder_at(dir, name);
    if (!next) {
      ReadBeneath result;
      struct stat status {};
      bool is_link = failed_on_link(errno) &&
                     ::fstatat(dir, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 &&
                     S_ISLNK(status.st_mode);
      result.reach = is_link ? Reach::link : Reach::absent;
      result.stopped_at = walked;
      return result;
    }
    held = std::move(next);
  }
  walked /= components->back();
  return read_file_at(held ? held.get() : root, components->back(), walked, limit);
}

UniqueFd make_folders_beneath(int root, const std::vector<std::string>& components) {
  UniqueFd held(::openat(root, ".", kFolderFlags));
  for (const auto& name : components) {
    if (!held) {
      break;
    }
    if (::mkdirat(held.get(), name.c_str(), 0700) != 0 && errno != EEXIST) {
      return {};
    }
    held = open_folder_at(held.get(), name);
  }
  return held;
}

void for_each_file_beneath(int root, const std::function<bool(const std::string&)>& skip_folder,
                           const std::function<void(const fs::path&)>& visit, int max_depth) {
  // A descriptor of its own for `root`: listing moves its offset, and
  // closedir closes it; the caller's stays as it was.
  list_folder(UniqueFd(::openat(root, ".", kFolderFlags)), {}, 0, max_depth, skip_folder, visit);
}

}  // namespace grader
