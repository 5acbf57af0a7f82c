/// \file
/// \brief The stub every skeleton function starts from.
///
/// `IPCLAB_TODO("hint", params...)` throws ipclab::NotImplemented with the message
/// "not implemented yet: <function> — <hint>". An unfinished lab therefore fails
/// every test at once with a clear message instead of blocking or returning garbage.
/// The extra arguments only mark the function's parameters as used, so that the
/// skeleton compiles without "unused parameter" warnings.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace ipclab {

/// Thrown by a function that the student has not written yet.
class NotImplemented : public std::logic_error {
 public:
  /// `message` reads "not implemented yet: <function> — <hint>".
  explicit NotImplemented(const std::string& message) : std::logic_error(message) {}
};

/// Throws NotImplemented naming `function` (a __PRETTY_FUNCTION__ signature) and giving `hint`.
[[noreturn]] void not_implemented(std::string_view hint, std::string_view function);

/// \cond INTERNAL
namespace detail {
template <typename... Ts>
constexpr void mark_used(const Ts&... /*unused*/) noexcept {}
}  // namespace detail
/// \endcond

}  // namespace ipclab

/// The stub of a skeleton function: throws NotImplemented with `hint`; the other
/// arguments (the function's parameters) are only marked as used. A macro rather
/// than a function so that __PRETTY_FUNCTION__ names the unfinished function.
#define IPCLAB_TODO(hint, ...)                            \
  do {                                                    \
    ::ipclab::detail::mark_used(__VA_ARGS__);             \
    ::ipclab::not_implemented(hint, __PRETTY_FUNCTION__); \
  } while (false)
