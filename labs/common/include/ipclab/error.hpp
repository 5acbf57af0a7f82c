/// \file
/// \brief Error handling for every lab: one checking helper per system call.
///
/// A failed system call becomes an ipclab::SystemError that names the call and
/// the errno *by name* ("mkfifo(/tmp/x): EEXIST: File exists"), so a failing test
/// or a demo program tells the reader exactly what went wrong.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <system_error>

namespace ipclab {

/// The symbolic name of an errno value ("EAGAIN" for 11), or "errno N" if unknown.
std::string errno_name(int error_number);

/// A failed system call: a std::system_error that remembers which call failed.
class SystemError : public std::system_error {
 public:
  /// \param error_number the errno the call left behind
  /// \param call the name of the call, e.g. "mq_open"
  /// \param detail optional context, e.g. the path or queue name
  SystemError(int error_number, std::string call, std::string detail = {});

  /// The errno value (same as code().value()).
  [[nodiscard]] int error_number() const noexcept { return code().value(); }
  /// The name of the call that failed, e.g. "mkfifo".
  [[nodiscard]] const std::string& call() const noexcept { return call_; }

 private:
  std::string call_;
};

/// Throws SystemError for `call` with the current errno (or `error_number`).
[[noreturn]] void throw_system_error(std::string_view call, int error_number = errno,
                                     std::string_view detail = {});

/// Returns `result` unless it is -1, the failure value of most system calls;
/// then throws SystemError naming `call`. Use: `int fd = check(::open(...), "open", path);`
template <typename T>
T check(T result, std::string_view call, std::string_view detail = {}) {
  if (result == static_cast<T>(-1)) {
    throw_system_error(call, errno, detail);
  }
  return result;
}

}  // namespace ipclab
