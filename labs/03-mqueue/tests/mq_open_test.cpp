// Lab 03 public tests: names, opening, attributes and lifetime (B3.1 – B3.9, B3.16 – B3.18).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "ipclab/bytes.hpp"
#include "ipclab/mqueue.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::mq {
namespace {

using testing::ChildProcess;
using testing::fails_with;
using testing::is_open;

class MqOpen : public testing::IpcTest {};

long proc_value(const char* path) {
  long value = -1;
  std::ifstream(path) >> value;
  return value;
}

TEST_F(MqOpen, B3_1_NameProblemExplainsInvalidNames) {
  EXPECT_EQ(name_problem("/orders"), "") << "B3.1: \"/orders\" is a valid name";
  for (const char* bad : {"orders", "", "/", "/a/b", "//a"}) {
    EXPECT_NE(name_problem(bad), "") << "B3.1: \"" << bad << "\" is not a valid name";
  }
  EXPECT_EQ(name_problem("/" + std::string(255, 'x')), "") << "B3.1: 255 characters are allowed";
  EXPECT_NE(name_problem("/" + std::string(256, 'x')), "") << "B3.1: 256 characters are too many";
}

TEST_F(MqOpen, B3_2_InvalidNamesAreRefusedBeforeTheCall) {
  EXPECT_THROW(Queue::create("no-slash", Limits{}), std::invalid_argument) << "B3.2: create";
  EXPECT_THROW(Queue::open("/a/b", Access::read_only), std::invalid_argument) << "B3.2: open";
  EXPECT_THROW(Queue::create_or_open("", Access::read_only), std::invalid_argument)
      << "B3.2: create_or_open";
}

TEST_F(MqOpen, B3_3_CreatingAnExistingQueueIsEexist) {
  auto name = mq_name("exists");
  QueueOwner owner(name);
  Queue first = Queue::create(name, Limits{4, 64});
  EXPECT_TRUE(fails_with("mq_open", "EEXIST", [&] { Queue::create(name, Limits{4, 64}); })) << "B3.3";
}

TEST_F(MqOpen, B3_4_OpeningAMissingQueueIsEnoent) {
  EXPECT_TRUE(fails_with("mq_open", "ENOENT", [&] {
    Queue::open(mq_name("missing"), Access::read_only);
  })) << "B3.4";
}

TEST_F(MqOpen, B3_5_TheWrongDirectionIsEbadf) {
  auto name = mq_name("direction");
  QueueOwner owner(name);
  Queue writer = Queue::create(name, Limits{4, 64}, Access::write_only);
  Queue reader = Queue::open(name, Access::read_only);
  EXPECT_TRUE(fails_with("mq_send", "EBADF", [&] { reader.send(to_bytes("x")); }))
      << "B3.5: sending on a read-only descriptor";
  writer.send(to_bytes("x"));
  std::byte buffer[64];
  unsigned priority = 0;
  EXPECT_TRUE(fails_with("mq_receive", "EBADF", [&] { writer.receive_into(buffer, priority); }))
      << "B3.5: receiving on a write-only descriptor";
}

TEST_F(MqOpen, B3_6_CreateSetsTheLimitsAndMode) {
  auto name = mq_name("limits");
  QueueOwner owner(name);
  mode_t old_mask = ::umask(0);
  Queue q = Queue::create(name, Limits{3, 100}, Access::read_write, 0640);
  ::umask(old_mask);
  Attributes attr = q.attributes();
  EXPECT_EQ(attr.max_messages, 3) << "B3.6: mq_maxmsg";
  EXPECT_EQ(attr.message_size, 100) << "B3.6: mq_msgsize";
  EXPECT_EQ(attr.current_messages, 0) << "B3.6: a new queue is empty";
  EXPECT_FALSE(attr.nonblocking) << "B3.6: a new descriptor blocks";
  struct stat info {};
  ASSERT_EQ(::fstat(q.native(), &info), 0) << errno_name(errno);  // a Linux mqd_t is a descriptor
  EXPECT_EQ(info.st_mode & 0777, 0640u) << "B3.6: the permission bits";
}

TEST_F(MqOpen, B3_7_LimitsAboveTheSystemMaximumAreEinvalAndNamed) {
  long msg_max = proc_value("/proc/sys/fs/mqueue/msg_max");
  ASSERT_GT(msg_max, 0) << "cannot read /proc/sys/fs/mqueue/msg_max";
  auto name = mq_name("too-big");
  ChildProcess unprivileged("unprivileged", [&] {
    if (::geteuid() == 0) {  // root may exceed msg_max: test as "nobody"
      CHILD_REQUIRE(::setresgid(65534, 65534, 65534) == 0 && ::setresuid(65534, 65534, 65534) == 0,
                    "could not drop root privileges");
    }
    try {
      Queue::create(name, Limits{msg_max + 1, 64});
    } catch (const SystemError& error) {
      std::string what = error.what();
      CHILD_REQUIRE(error.error_number() == EINVAL, "B3.7: expected EINVAL, got " + what);
      CHILD_REQUIRE(what.find("msg_max") != std::string::npos,
                    "B3.7: the error must name the limit (msg_max); it said: " + what);
      return;
    }
    CHILD_REQUIRE(false, "B3.7: mq_maxmsg above msg_max was accepted");
  });
  EXPECT_CHILD_OK(unprivileged);
}

TEST_F(MqOpen, B3_8_CreateOrOpenUsesTheSystemDefaults) {
  auto name = mq_name("defaults");
  QueueOwner owner(name);
  Queue q = Queue::create_or_open(name);
  EXPECT_EQ(q.attributes().max_messages, proc_value("/proc/sys/fs/mqueue/msg_default"))
      << "B3.8: a NULL mq_attr gives msg_default";
  EXPECT_EQ(q.attributes().message_size, proc_value("/proc/sys/fs/mqueue/msgsize_default"))
      << "B3.8: a NULL mq_attr gives msgsize_default";
  q.send(to_bytes("still here"));
  Queue again = Queue::create_or_open(name);
  EXPECT_EQ(again.attributes().current_messages, 1)
      << "B3.8: an existing queue is opened, not replaced";
}

TEST_F(MqOpen, B3_9_CurrentMessagesFollowsSendsAndReceives) {
  auto name = mq_name("count");
  QueueOwner owner(name);
  Queue q = Queue::create(name, Limits{5, 32});
  for (long i = 1; i <= 3; ++i) {
    q.send(to_bytes("m"));
    EXPECT_EQ(q.attributes().current_messages, i) << "B3.9: after " << i << " sends";
  }
  q.receive();
  EXPECT_EQ(q.attributes().current_messages, 2) << "B3.9: after a receive";
}

TEST_F(MqOpen, B3_16_AQueueOutlivesItsDescriptorsUntilUnlinked) {
  auto name = mq_name("lifetime");
  {
    Queue q = Queue::create(name, Limits{4, 32});
    q.send(to_bytes("kept"));
  }  // closed, not unlinked: the queue and its message remain
  Queue reopened = Queue::open(name, Access::read_write);
  EXPECT_EQ(reopened.attributes().current_messages, 1) << "B3.16: closing does not remove a queue";
  unlink(name);
  EXPECT_EQ(to_string(reopened.receive().payload), "kept")
      << "B3.16: an open descriptor keeps working after mq_unlink";
  Queue fresh = Queue::create(name, Limits{2, 16});  // the name is free again
  EXPECT_EQ(fresh.attributes().max_messages, 2) << "B3.16: a new queue under the old name";
  unlink(name);
  EXPECT_TRUE(fails_with("mq_unlink", "ENOENT", [&] { unlink(name); })) << "B3.16: unlinking twice";
}

TEST_F(MqOpen, B3_17_TheOwnerUnlinksAndTheQueueCloses) {
  auto name = mq_name("owner");
  int fd = -1;
  {
    QueueOwner owner(name);
    Queue q = Queue::create(name, Limits{4, 32});
    fd = q.native();
    EXPECT_TRUE(is_open(fd)) << "B3.17: the descriptor is open while the Queue lives";
  }
  EXPECT_FALSE(is_open(fd)) << "B3.17: ~Queue must close the descriptor (mq_close)";
  EXPECT_TRUE(fails_with("mq_open", "ENOENT", [&] { Queue::open(name, Access::read_only); }))
      << "B3.17: ~QueueOwner must unlink the name";
}

TEST_F(MqOpen, B3_18_CreatingAndRemovingQueuesNeverExhaustsTheBudget) {
  std::vector<std::string> names;
  for (int i = 0; i < 150; ++i) {
    names.push_back(mq_name("budget" + std::to_string(i)));
  }
  ChildProcess loop("loop", [&] {
    // The budget is charged per user, to every queue of that user: as root, move
    // to a uid of our own so that other tests' queues cannot count against us.
    if (::geteuid() == 0) {
      auto uid = static_cast<uid_t>(70000 + ::getpid() % 20000);
      CHILD_REQUIRE(::setresgid(uid, uid, uid) == 0 && ::setresuid(uid, uid, uid) == 0,
                    "could not switch to a uid of the test's own");
    }
    // 512 KiB: room for about 120 of these small queues, so a leak of either
    // descriptors or names runs out long before the loop ends.
    rlimit budget{512 * 1024, 512 * 1024};
    CHILD_REQUIRE(::setrlimit(RLIMIT_MSGQUEUE, &budget) == 0, "setrlimit failed");
    for (const auto& name : names) {
      QueueOwner owner(name);
      Queue q = Queue::create(name, Limits{4, 1024});
      q.send(to_bytes("x"));
    }
  });
  EXPECT_CHILD_OK(loop) << "B3.18: a queue must be closed and unlinked when its owners go away";
}

}  // namespace
}  // namespace ipclab::mq
