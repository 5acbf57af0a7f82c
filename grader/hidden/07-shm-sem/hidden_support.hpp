// Helpers shared by the Lab 07 hidden tests. Instructor only, like the tests.
// The public fixture (labs/07-shm-sem/tests) is not on the hidden binary's
// include path, hence a fixture of our own.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ipclab/bytes.hpp"
#include "ipclab/shm_sem.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::shm_sem::hidden {

class Hidden : public testing::IpcTest {
 protected:
  static std::string file_of_shm(const std::string& name) { return "/dev/shm" + name; }
  static std::string file_of_sem(const std::string& name) {
    return "/dev/shm/sem." + name.substr(1);
  }
  static bool exists(const std::string& file) {
    struct stat status {};
    return ::stat(file.c_str(), &status) == 0;
  }
  static mode_t mode_of(const std::string& file) {
    struct stat status {};
    return ::stat(file.c_str(), &status) == 0 ? (status.st_mode & 07777) : 0;
  }
  static std::chrono::system_clock::time_point realtime_in(std::chrono::milliseconds from_now) {
    return std::chrono::system_clock::now() + from_now;
  }
  /// A ring of this test, created by the test (which is its owner).
  Ring make(Geometry geometry) { return Ring::create(ring_name_ = shm_name("ring"), geometry); }
  std::string ring_name_;
};

/// Message `i` of producer `p`, framed: producer, index, then a checksummed
/// body of 0 to 40 pseudo-random bytes.
inline std::vector<std::byte> framed(std::uint32_t p, std::uint32_t i) {
  auto body = testing::pattern((p * 13 + i) % 41, p * 1'000'003u + i);
  std::vector<std::byte> out(8);
  std::memcpy(out.data(), &p, 4);
  std::memcpy(out.data() + 4, &i, 4);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

/// Reads back what framed() wrote; false when the bytes are not one of its messages.
inline bool unframe(const std::vector<std::byte>& got, std::uint32_t& p, std::uint32_t& i) {
  if (got.size() < 8) {
    return false;
  }
  std::memcpy(&p, got.data(), 4);
  std::memcpy(&i, got.data() + 4, 4);
  return p < 1000 && got == framed(p, i);
}

}  // namespace ipclab::shm_sem::hidden
