#include "ipclab/testing/fixture.hpp"

#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <system_error>

#include "ipclab/error.hpp"
#include "registry.hpp"

namespace ipclab::testing {

namespace fs = std::filesystem;

namespace {
std::atomic<unsigned> counter{0};
constexpr const char* kScratch = "scratch";

// Removes each name that still exists and returns those names: unlink succeeds
// only for an object that was there, i.e. one the test leaked.
template <typename Unlink>
std::vector<std::string> remove_leftovers(const std::vector<std::string>& names, Unlink unlink) {
  std::vector<std::string> leaked;
  for (const auto& name : names) {
    if (unlink(name.c_str()) == 0) {
      leaked.push_back(name);
    }
  }
  return leaked;
}

void report_leaks(const char* what, const std::vector<std::string>& names) {
  for (const auto& name : names) {
    ADD_FAILURE() << "the test left " << what << " " << name
                  << " behind (removed it now): every test must clean up what it creates";
  }
}
}  // namespace

std::string unique_ipc_name(std::string_view tag) {
  return "/ipclab." + std::to_string(::getpid()) + "." + std::to_string(counter++) + "." +
         std::string(tag);
}

IpcTest::IpcTest() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/ipclab-test." + std::to_string(::getpid()) + ".XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw_system_error("mkdtemp", errno, pattern);
  }
  dir_ = pattern;
}

const fs::path& IpcTest::dir() { return dir_; }

fs::path IpcTest::path(std::string_view file_name) { return dir() / file_name; }

fs::path IpcTest::scratch_path(std::string_view file_name) {
  fs::create_directories(dir() / kScratch);
  return dir() / kScratch / file_name;
}

std::string IpcTest::mq_name(std::string_view tag) {
  return mq_names_.emplace_back(unique_ipc_name(tag));
}
std::string IpcTest::shm_name(std::string_view tag) {
  return shm_names_.emplace_back(unique_ipc_name(tag));
}
std::string IpcTest::sem_name(std::string_view tag) {
  return sem_names_.emplace_back(unique_ipc_name(tag));
}

void IpcTest::TearDown() {
  // Processes first: a live child could still be creating objects.
  for (pid_t group : detail::take_process_groups()) {
    if (::kill(-group, 0) == 0) {
      ADD_FAILURE() << "the test left processes of group " << group
                    << " running (killed them now): wait for every child you start";
      ::kill(-group, SIGKILL);
    }
  }
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }

  if (!dir_.empty()) {
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir_, ignored)) {
      if (entry.path().filename() == kScratch) {
        continue;
      }
      const char* kind = entry.is_fifo(ignored) ? "the FIFO" : "the file";
      ADD_FAILURE() << "the test left " << kind << " " << entry.path().string()
                    << " behind (removed it now): every test must clean up what it creates";
    }
    fs::remove_all(dir_, ignored);
  }
  report_leaks("the message queue", remove_leftovers(mq_names_, ::mq_unlink));
  report_leaks("the shared memory object", remove_leftovers(shm_names_, ::shm_unlink));
  report_leaks("the semaphore", remove_leftovers(sem_names_, ::sem_unlink));
  mq_names_.clear();
  shm_names_.clear();
  sem_names_.clear();
}

}  // namespace ipclab::testing
