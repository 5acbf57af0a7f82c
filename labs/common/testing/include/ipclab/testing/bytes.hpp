/// \file
/// \brief Test payloads and how to show them in a failure message.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ipclab::testing {

/// `size` pseudo-random bytes (NULs and 0xff among them) from `seed`: a lost,
/// doubled or shifted byte shows up as a difference, which a repeating pattern
/// could hide, and a text-only implementation that stops at a NUL is caught.
std::vector<std::byte> pattern(std::size_t size, std::uint32_t seed);

/// Bytes for a failure message: printable text as is, other bytes as \xNN, long
/// payloads cut after 48 bytes with their length: `"ab\x00c"`.
std::string show(std::span<const std::byte> bytes);

/// Where two byte strings first differ, for a failure message: "expected 10
/// bytes, got 10; first difference at byte 3 (expected 0x00, got 0x41)".
std::string first_difference(std::span<const std::byte> expected, std::span<const std::byte> got);

/// A request handler for the servers under test: the reply is the request in
/// capitals, so a reply differs from its request yet can be matched to it.
std::vector<std::byte> shout(pid_t client, std::span<const std::byte> request);

}  // namespace ipclab::testing
