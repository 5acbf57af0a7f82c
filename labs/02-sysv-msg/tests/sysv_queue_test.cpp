// Lab 02 public tests: keys, getting queues, sending and control (B2.1 – B2.7, B2.15, B2.16, B2.18, B2.19).
#include <sys/msg.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "ipclab/bytes.hpp"
#include "sysv_fixture.hpp"

namespace ipclab::sysv {
namespace {

using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;

TEST_F(SysvTest, B2_1_SameInputsGiveTheSameKey) {
  auto file = scratch_path("key-file");
  std::ofstream(file) << "x";
  EXPECT_EQ(make_key(file, 7), make_key(file, 7)) << "B2.1: ftok is a pure function of its inputs";
  EXPECT_NE(make_key(file, 7), make_key(file, 8)) << "B2.1: another project id, another key";
  EXPECT_EQ(make_key(file, 7), ::ftok(file.c_str(), 7)) << "B2.1: make_key must be ftok";
}

TEST_F(SysvTest, B2_2_KeyOfAMissingPathIsEnoent) {
  EXPECT_TRUE(fails_with("ftok", "ENOENT", [&] { make_key(scratch_path("missing"), 1); })) << "B2.2";
}

TEST_F(SysvTest, B2_3_CreatingAnExistingKeyIsEexist) {
  key_t key = sysv_key();
  MessageQueue first = MessageQueue::create(key);
  EXPECT_EQ(::msgget(key, 0), first.id()) << "B2.3: create must make the queue under that key";
  EXPECT_TRUE(fails_with("msgget", "EEXIST", [&] { MessageQueue::create(key); }))
      << "B2.3: IPC_CREAT | IPC_EXCL on an existing key";
  ::msgctl(first.id(), IPC_RMID, nullptr);
}

TEST_F(SysvTest, B2_4_OpenFindsOnlyExistingQueuesAndPrivateIsAlwaysNew) {
  key_t key = sysv_key();
  EXPECT_TRUE(fails_with("msgget", "ENOENT", [&] { MessageQueue::open(key); }))
      << "B2.4: no queue has that key";
  int id = ::msgget(key, IPC_CREAT | 0600);
  EXPECT_EQ(MessageQueue::open(key).id(), id) << "B2.4: open finds the queue of the key";
  ::msgctl(id, IPC_RMID, nullptr);

  MessageQueue a = MessageQueue::create_private();
  MessageQueue b = MessageQueue::create_private();
  expect_queue_removed(a.id());
  expect_queue_removed(b.id());
  EXPECT_NE(a.id(), b.id()) << "B2.4: IPC_PRIVATE makes a new queue every time";
  ::msgctl(a.id(), IPC_RMID, nullptr);
  ::msgctl(b.id(), IPC_RMID, nullptr);
}

TEST_F(SysvTest, B2_5_CreateSetsThePermissionBits) {
  MessageQueue q = MessageQueue::create(sysv_key(), 0640);
  msqid_ds info{};
  ASSERT_EQ(::msgctl(q.id(), IPC_STAT, &info), 0);
  EXPECT_EQ(info.msg_perm.mode & 0777, 0640u) << "B2.5: the queue's mode";
  ::msgctl(q.id(), IPC_RMID, nullptr);
}

TEST_F(SysvTest, B2_6_MsgszCountsOnlyThePayload) {
  queue_.send(7, to_bytes("hello"));
  EXPECT_EQ(kernel_status().msg_qnum, 1u) << "B2.6: one message sent";
  EXPECT_EQ(kernel_status().__msg_cbytes, 5u)
      << "B2.6: msgsz must be the payload size (5), not including the long type";
  queue_.send(8, {});
  EXPECT_EQ(kernel_status().msg_qnum, 2u) << "B2.6: an empty payload is still a message";
}

TEST_F(SysvTest, B2_7_NonPositiveTypeIsEinval) {
  EXPECT_TRUE(fails_with("msgsnd", "EINVAL", [&] { queue_.send(0, to_bytes("x")); }))
      << "B2.7: type 0";
  EXPECT_TRUE(fails_with("msgsnd", "EINVAL", [&] { queue_.send(-3, to_bytes("x")); }))
      << "B2.7: type -3";
}

TEST_F(SysvTest, B2_15_TrySendOnAFullQueueReturnsFalse) {
  limit_queue(8);
  EXPECT_TRUE(queue_.try_send(1, to_bytes("12345678"))) << "B2.15: the first 8 bytes fit";
  EXPECT_FALSE(queue_.try_send(1, to_bytes("9")))
      << "B2.15: a full queue is false, not an exception";
  EXPECT_EQ(kernel_status().msg_qnum, 1u);
}

TEST_F(SysvTest, B2_16_SendOnAFullQueueWaitsForRoom) {
  limit_queue(8);
  raw_send(1, "12345678");
  ChildProcess sender("sender", [&] { queue_.send(2, to_bytes("late")); });
  ASSERT_TRUE(blocked_in(sender, {"msgsnd"})) << "B2.16: send must wait while the queue is full";
  std::byte buffer[sizeof(long) + 16];
  ASSERT_EQ(::msgrcv(queue_.id(), buffer, 16, 1, 0), 8) << errno_name(errno);  // make room
  EXPECT_CHILD_OK(sender);
  EXPECT_EQ(kernel_status().msg_qnum, 1u)
      << "B2.16: the waiting message arrives once there is room";
}

TEST_F(SysvTest, B2_18_StatusReportsCountsBytesAndPids) {
  ChildProcess sender("sender", [&] { raw_send(3, "abc"); });
  ASSERT_CHILD_OK(sender);
  QueueStatus status = queue_.status();
  EXPECT_EQ(status.messages, 1u) << "B2.18: msg_qnum";
  EXPECT_EQ(status.bytes, 3u) << "B2.18: payload bytes";
  EXPECT_EQ(status.last_sender, sender.pid()) << "B2.18: msg_lspid is the sender's pid";
  EXPECT_EQ(status.mode, 0600u) << "B2.18: the permission bits";
  queue_.set_max_bytes(100);
  EXPECT_EQ(kernel_status().msg_qbytes, 100u) << "B2.18: set_max_bytes must change msg_qbytes";
  EXPECT_EQ(queue_.status().max_bytes, 100u) << "B2.18: status().max_bytes";
}

TEST_F(SysvTest, B2_19_RemoveWakesAWaitingReceiverWithEidrm) {
  ChildProcess receiver("receiver", [&] {
    try {
      queue_.receive();
    } catch (const SystemError& error) {
      CHILD_REQUIRE(error.error_number() == EIDRM,
                    "B2.19: expected msgrcv to fail with EIDRM, got " + std::string(error.what()));
      return;
    }
    CHILD_REQUIRE(false, "B2.19: receive returned a message from a removed queue");
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.19: the receiver should wait in msgrcv";
  queue_.remove();
  EXPECT_FALSE(queue_exists()) << "B2.19: the queue must be gone";
  EXPECT_CHILD_OK(receiver);
}

}  // namespace
}  // namespace ipclab::sysv
