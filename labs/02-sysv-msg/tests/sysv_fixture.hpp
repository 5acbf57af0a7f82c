// Lab 02 tests: a fixture with a private queue made and removed by the test
// itself (not by the code under test), so each behaviour is tested on its own.
#pragma once

#include <sys/msg.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "ipclab/sysv_msg.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::sysv {

class SysvTest : public testing::IpcTest {
 protected:
  void SetUp() override {
    int id = ::msgget(IPC_PRIVATE, 0600);
    ASSERT_NE(id, -1) << "msgget(IPC_PRIVATE): " << errno_name(errno);
    queue_ = MessageQueue(id);
    expect_queue_removed(id);  // by TearDown, silently, unless a test removes it first
  }
  void TearDown() override {
    ::msgctl(queue_.id(), IPC_RMID, nullptr);
    IpcTest::TearDown();
  }
  /// The kernel's view of the queue, read without the code under test.
  msqid_ds kernel_status() const {
    msqid_ds info{};
    ::msgctl(queue_.id(), IPC_STAT, &info);
    return info;
  }
  /// Limits the queue to `bytes` payload bytes, without the code under test.
  void limit_queue(std::size_t bytes) {
    msqid_ds info = kernel_status();
    info.msg_qbytes = bytes;
    ASSERT_EQ(::msgctl(queue_.id(), IPC_SET, &info), 0) << errno_name(errno);
  }
  /// Sends with the raw system call (type, text), without the code under test.
  /// Throws on failure, so it also works inside a child process.
  void raw_send(long type, std::string_view text) const {
    std::vector<char> buffer(sizeof type + text.size());
    std::memcpy(buffer.data(), &type, sizeof type);
    std::memcpy(buffer.data() + sizeof type, text.data(), text.size());
    check(::msgsnd(queue_.id(), buffer.data(), text.size(), IPC_NOWAIT), "msgsnd (by the test)");
  }
  /// True while the queue exists.
  bool queue_exists() const {
    msqid_ds info{};
    return ::msgctl(queue_.id(), IPC_STAT, &info) == 0;
  }

  MessageQueue queue_{-1};
};

}  // namespace ipclab::sysv
