#include "util.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace grader {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw GradingError("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string read_file_prefix(const fs::path& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return {};
  }
  std::string content(limit, '\0');
  in.read(content.data(), static_cast<std::streamsize>(limit));
  content.resize(static_cast<std::size_t>(in.gcount()));
  return content;
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  fs::path target = fs::absolute(path);
  fs::path temp = target;
  temp += ".tmp." + std::to_string(::getpid()) + "." + random_hex(4);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw UsageError("cannot write " + target.string() + ": " + std::strerror(errno) +
                     " (does its folder exist, and may you write there?)");
  }
  std::size_t done = 0;
  bool ok = true;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      ok = false;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(temp.c_str(), target.c_str()) != 0) {
    saved = saved != 0 ? saved : errno;
    ::unlink(temp.c_str());
    throw GradingError("cannot write " + target.string() + ": " + std::strerror(saved));
  }
}

std::string random_hex(std::size_t count) {
  std::string bytes(count, '\0');
  std::size_t got = 0;
  while (got < count) {
    ssize_t n = ::getrandom(bytes.data() + got, count - got, 0);
    if (n < 0 && errno != EINTR) {
      throw GradingError(std::string("getrandom failed: ") + std::strerror(errno));
    }
    got += n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : bytes) {
    hex += digits[byte >> 4];
    hex += digits[byte & 15];
  }
  return hex;
}

TempDir::TempDir(const fs::path& parent, std::string_view prefix) {
  fs::create_directories(parent);
  std::string pattern = (parent / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw GradingError("cannot create a temporary folder in " + parent.string() + ": " +
                       std::strerror(errno));
  }
  path_ = pattern;
}

TempDir::~TempDir() { remove_tree(path_); }

void remove_tree(const fs::path& path) noexcept {
  std::error_code ec;
  if (path.empty() || !fs::exists(fs::symlink_status(path, ec))) {
    return;
  }
  // A test may have left folders without write permission: restore it first.
  for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
  }
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path, ec);
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string first_lines(std::string_view text, std::size_t count) {
  std::string out;
  auto lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size() && i < count; ++i) {
    out += (i ? "\n" : "") + lines[i];
  }
  if (lines.size() > count) {
    out += "\n...";
  }
  return out;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  if (from.empty()) {
    return text;
  }
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

namespace {

// Code points that are valid UTF-8 but still unsafe in a report: C1 controls
// (U+009B is CSI to some terminals), the bidirectional overrides and isolates
// that reorder what a reader sees ("Trojan Source"), the line and paragraph
// separators that some viewers break lines on, and U+FFFE/U+FFFF, which XML 1.0
// forbids.
bool unsafe_code_point(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x2028 && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFFFE || c == 0xFFFF;
}

// The length of the well-formed UTF-8 sequence at the start of `text` and its
// code point, or 0: overlong forms, surrogates and values above U+10FFFF are
// not well-formed (nlohmann::json refuses to write them, so one such byte in a
// test's output would stop every report).
std::size_t utf8_sequence(std::string_view text, char32_t* code_point) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  std::size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                       : lead >= 0xE0 && lead <= 0xEF ? 3
                       : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                      : 0;
  if (length == 0 || text.size() < length) {
    return 0;
  }
  char32_t c = lead & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) {
      return 0;
    }
    c = (c << 6) | (byte(k) & 0x3F);
  }
  static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < smallest[length] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
    return 0;
  }
  *code_point = c;
  return length;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      // ESC, DEL and the other controls would let a test's output drive the
      // terminal; a lone CR would let one line overwrite another.
      if ((c >= 0x20 && c != 0x7F) || c == '\n' || c == '\t') {
        out += static_cast<char>(c);
      } else if (c != '\r') {
        out += '?';
      }
      ++i;
      continue;
    }
    // Keep well-formed UTF-8 (the course prints "—" and "✗"), one '?' per bad byte.
    char32_t code_point = 0;
    std::size_t length = utf8_sequence(text.substr(i), &code_point);
    if (length > 0 && !unsafe_code_point(code_point)) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += '?';
      i += length > 0 ? length : 1;
    }
  }
  return out;
}

std::string format_points(double points) {
  char buffer[32];
  if (std::fabs(points - std::round(points)) < 1e-9) {
    std::snprintf(buffer, sizeof buffer, "%.0f", points);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f", points);
    std::string text = buffer;
    while (text.back() == '0') {
      text.pop_back();
    }
    return text;
  }
  return buffer;
}

namespace {

std::string escaped(const char* format, unsigned value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// How the character that starts `text` is shown in a quoted name; `used` is
// how many bytes of `text` it takes.
std::string quoted_character(std::string_view text, std::size_t& used) {
  auto c = static_cast<unsigned char>(text[0]);
  used = 1;
  switch (c) {
    case '\n':
      return "\\n";
    case '\t':
      return "\\t";
    case '\r':
      return "\\r";
    case '\\':
      return "\\\\";
    case '"':
      return "\\\"";
    case '`':
      return "\\`";  // it would close a Markdown code span
    default:
      break;
  }
  if (c < 0x20 || c == 0x7F) {
    return escaped("\\x%02x", c);
  }
  if (c < 0x80) {
    return std::string(1, static_cast<char>(c));
  }
  char32_t code = 0;
  std::size_t length = utf8_sequence(text, &code);  // the one printable() uses
  if (length == 0) {
    return escaped("\\x%02x", c);
  }
  used = length;
  return unsafe_code_point(code) ? escaped("\\u%04x", static_cast<unsigned>(code))
                                 : std::string(text.substr(0, length));
}

}  // namespace

std::string quote_name(std::string_view name, std::size_t limit) {
  std::string body;
  for (std::size_t at = 0; at < name.size();) {
    std::size_t used = 0;
    std::string shown = quoted_character(name.substr(at), used);
    // Cut between characters, never inside an escape or a UTF-8 sequence.
    if (body.size() + shown.size() > limit) {
      body += "…";
      break;
    }
    body += shown;
    at += used;
  }
  return "\"" + body + "\"";
}

}  // namespace grader
