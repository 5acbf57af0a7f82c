#include "ipclab/error.hpp"

#include <cstring>

#include "ipclab/todo.hpp"

namespace ipclab {

std::string errno_name(int error_number) {
  // glibc >= 2.32 knows every name; older C libraries fall back to the number.
  if (const char* name = ::strerrorname_np(error_number); name != nullptr) {
    return name;
  }
  return "errno " + std::to_string(error_number);
}

namespace {
std::string describe_call(const std::string& call, const std::string& detail, int error_number) {
  std::string text = call;
  if (!detail.empty()) {
    text += "(" + detail + ")";
  }
  return text + ": " + errno_name(error_number);
}
}  // namespace

SystemError::SystemError(int error_number, std::string call, std::string detail)
    : std::system_error(error_number, std::generic_category(),
                        describe_call(call, detail, error_number)),
      call_(std::move(call)) {}

void throw_system_error(std::string_view call, int error_number, std::string_view detail) {
  throw SystemError(error_number, std::string(call), std::string(detail));
}

namespace {
// "void ipclab::fifo::Server::serve_one(const Handler&)" -> "fifo::Server::serve_one"
std::string short_function_name(std::string_view signature) {
  if (auto paren = signature.find('('); paren != std::string_view::npos) {
    signature = signature.substr(0, paren);
  }
  if (auto space = signature.rfind(' '); space != std::string_view::npos) {
    signature = signature.substr(space + 1);
  }
  constexpr std::string_view prefix = "ipclab::";
  if (signature.substr(0, prefix.size()) == prefix) {
    signature.remove_prefix(prefix.size());
  }
  return std::string(signature);
}
}  // namespace

void not_implemented(std::string_view hint, std::string_view function) {
  std::string message = "not implemented yet: " + short_function_name(function);
  if (!hint.empty()) {
    message += " — ";
    message += hint;
  }
  throw NotImplemented(message);
}

}  // namespace ipclab
