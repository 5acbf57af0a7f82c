#include "ipclab/testing/fixture.hpp"

#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/msg.h>
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

int unique_sysv_key() {
  // 0x4... marks the course's keys (tools/leftovers.sh looks for them); then
  // 22 bits of pid and 6 bits of counter: unique among live processes.
  static std::atomic<unsigned> key_counter{0};
  unsigned pid = static_cast<unsigned>(::getpid()) & 0x3FFFFFu;
  return static_cast<int>(0x40000000u | (pid << 6) | (key_counter++ & 0x3Fu));
}

int IpcTest::sysv_key() { return sysv_keys_.emplace_back(unique_sysv_key()); }

void IpcTest::expect_queue_removed(int id) { sysv_queue_ids_.push_back(id); }

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
  for (int key : sysv_keys_) {
    if (int id = ::msgget(key, 0); id != -1) {
      ADD_FAILURE() << "the test left the System V message queue with key 0x" << std::hex << key
                    << std::dec << " (id " << id
                    << ") behind (removed it now): remove it with IPC_RMID";
      ::msgctl(id, IPC_RMID, nullptr);
    }
  }
  for (int id : sysv_queue_ids_) {
    if (::msgctl(id, IPC_RMID, nullptr) == 0) {
      ADD_FAILURE() << "the test left the System V message queue " << id
                    << " behind (removed it now): remove it with IPC_RMID";
    }
  }
  sysv_keys_.clear();
  sysv_queue_ids_.clear();
  mq_names_.clear();
  shm_names_.clear();
  sem_names_.clear();
}

}  // namespace ipclab::testing
