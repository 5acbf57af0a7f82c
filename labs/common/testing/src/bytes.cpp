#include "ipclab/testing/bytes.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace ipclab::testing {

std::vector<std::byte> pattern(std::size_t size, std::uint32_t seed) {
  std::vector<std::byte> bytes(size);
  std::uint32_t state = seed * 2654435761u + 0x9e3779b9u;
  if (state == 0) {
    state = 1;  // xorshift never leaves 0
  }
  for (auto& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<std::byte>(state >> 24);
  }
  return bytes;
}

std::string show(std::span<const std::byte> bytes) {
  std::string text = "\"";
  std::size_t shown = std::min<std::size_t>(bytes.size(), 48);
  for (std::size_t i = 0; i < shown; ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      text += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(c));
      text += escaped;
    }
  }
  text += "\"";
  if (shown < bytes.size()) {
    text += "... (" + std::to_string(bytes.size()) + " bytes)";
  }
  return text;
}

std::string first_difference(std::span<const std::byte> expected, std::span<const std::byte> got) {
  auto [e, g] = std::mismatch(expected.begin(), expected.end(), got.begin(), got.end());
  if (e == expected.end() && g == got.end()) {
    return "the bytes are equal";
  }
  auto at = static_cast<std::size_t>(e - expected.begin());
  std::string text =
      "expected " + std::to_string(expected.size()) + " bytes, got " + std::to_string(got.size());
  if (e != expected.end() && g != got.end()) {
    char detail[80];
    std::snprintf(detail, sizeof detail, "; first difference at byte %zu (expected 0x%02x, got 0x%02x)",
                  at, static_cast<unsigned>(*e), static_cast<unsigned>(*g));
    text += detail;
  } else {
    text += "; equal for the first " + std::to_string(at) + " bytes";
  }
  return text;
}

std::vector<std::byte> shout(pid_t /*client*/, std::span<const std::byte> request) {
  std::vector<std::byte> reply(request.begin(), request.end());
  for (auto& byte : reply) {
    byte = static_cast<std::byte>(std::toupper(static_cast<unsigned char>(byte)));
  }
  return reply;
}

}  // namespace ipclab::testing
