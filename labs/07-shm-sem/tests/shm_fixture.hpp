// Lab 07 tests: unique names per test, removed by the test (and, if a test
// fails half-way, by the fixture, which reports them as leaks).
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <string>
#include <vector>

#include "ipclab/bytes.hpp"
#include "ipclab/shm_sem.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::shm_sem {

class ShmSem : public testing::IpcTest {
 protected:
  /// The file behind a shared memory object or named semaphore on Linux.
  static std::string shm_file(const std::string& name) { return "/dev/shm" + name; }
  static std::string sem_file(const std::string& name) { return "/dev/shm/sem." + name.substr(1); }
  static bool exists(const std::string& file) {
    struct stat status {};
    return ::stat(file.c_str(), &status) == 0;
  }
  /// A deadline `from_now` away on the clock the timed calls use.
  static std::chrono::system_clock::time_point realtime_in(std::chrono::milliseconds from_now) {
    return std::chrono::system_clock::now() + from_now;
  }
  /// Message `i` of producer `p`: its own length (0 to 31 bytes) and bytes.
  static std::vector<std::byte> message(std::uint32_t p, std::uint32_t i) {
    return testing::pattern((p * 7 + i) % 32, p * 100'003 + i);
  }
};

}  // namespace ipclab::shm_sem
