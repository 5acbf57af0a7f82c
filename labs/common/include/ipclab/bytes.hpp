/// \file
/// \brief Bytes and text: IPC moves bytes; tests and demos like to speak text.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipclab {

/// The bytes of `text` (no terminating NUL; embedded NULs are kept).
inline std::vector<std::byte> to_bytes(std::string_view text) {
  const auto* first = reinterpret_cast<const std::byte*>(text.data());
  return {first, first + text.size()};
}

/// `bytes` as a std::string (which may contain NULs).
inline std::string to_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace ipclab
