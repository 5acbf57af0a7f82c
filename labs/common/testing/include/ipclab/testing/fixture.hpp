/// \file
/// \brief The base fixture of every lab test: private names, and no leftovers.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace ipclab::testing {

/// A name no other test (or repetition, or parallel run) uses: "/ipclab.PID.N.tag".
/// Valid as a POSIX IPC name (one leading slash, no other).
std::string unique_ipc_name(std::string_view tag);

/// A System V IPC key no other live process of the test suite uses: built from
/// the pid and a counter, so parallel tests never collide (ftok() keys can).
int unique_sysv_key();

/// Base fixture. Gives each test a private directory and unique IPC names, and
/// at the end fails the test that leaves anything behind — a file or FIFO in its
/// directory, a tracked queue, shared memory object or semaphore, a child
/// process — naming it, then removes it so the machine stays clean.
class IpcTest : public ::testing::Test {
 protected:
  /// Creates the private directory now, in the test process, so that children
  /// forked later all share it.
  IpcTest();
  void TearDown() override;

  /// This test's private directory (removed at the end).
  const std::filesystem::path& dir();
  /// A path inside dir(); nothing is created. Whatever is still there at the
  /// end of the test counts as a leak: use it for objects the code under test
  /// must remove itself (a server's FIFO).
  std::filesystem::path path(std::string_view file_name);
  /// A path in a scratch folder that is removed silently at the end: use it for
  /// objects the test itself creates and does not expect anyone to remove.
  std::filesystem::path scratch_path(std::string_view file_name);
  /// A unique POSIX message queue name, checked for leaks at the end.
  std::string mq_name(std::string_view tag);
  /// A unique POSIX shared memory name, checked for leaks at the end.
  std::string shm_name(std::string_view tag);
  /// A unique POSIX named semaphore name, checked for leaks at the end.
  std::string sem_name(std::string_view tag);
  /// A unique System V key; a message queue still existing under it at the end is a leak.
  int sysv_key();
  /// Checks at the end that the System V message queue `id` has been removed.
  void expect_queue_removed(int id);

 private:
  std::filesystem::path dir_;
  std::vector<std::string> mq_names_, shm_names_, sem_names_;
  std::vector<int> sysv_keys_, sysv_queue_ids_;
};

}  // namespace ipclab::testing
