// Lab 04 public tests: waiting, O_NONBLOCK, signals and back-pressure
// (B4.1 – B4.8, B4.13 – B4.14, B4.18).
#include <algorithm>
#include <csignal>

#include "mq_fixture.hpp"

namespace ipclab::mq_blocking {
namespace {

using testing::blocked_in;
using testing::ChildProcess;

TEST_F(MqBlocking, B4_1_SendOnAFullQueueWaitsForRoom) {
  Queue q = make(2);
  fill(q);
  ChildProcess sender("sender", [&] {
    CHILD_REQUIRE(q.send(to_bytes("late")), "B4.1: a blocking send returns true once sent");
  });
  ASSERT_TRUE(blocked_in(sender, {"mq_timedsend"}))
      << "B4.1: the sender must wait inside mq_send/mq_timedsend, not spin or give up";
  char buffer[64];
  ASSERT_EQ(::mq_receive(q.native(), buffer, sizeof buffer, nullptr), 1);  // make room
  EXPECT_CHILD_OK(sender);
  EXPECT_EQ(count(q), 2) << "B4.1: the waiting message arrives once there is room";
}

TEST_F(MqBlocking, B4_2_ReceiveOnAnEmptyQueueWaitsForAMessage) {
  Queue q = make(2);
  ChildProcess receiver("receiver", [&] {
    auto r = q.receive();
    CHILD_REQUIRE(r.has_value() && to_string(r->payload) == "news" && r->priority == 4,
                  "B4.2: expected \"news\" with priority 4");
  });
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"}))
      << "B4.2: the receiver must wait in the kernel";
  ASSERT_EQ(::mq_send(q.native(), "news", 4, 4), 0);
  EXPECT_CHILD_OK(receiver);
}

TEST_F(MqBlocking, B4_3_NonblockingFullAndEmptyAreAnswersNotErrors) {
  Queue q = make(1, Blocking::no);
  EXPECT_FALSE(q.receive().has_value())
      << "B4.3: an empty queue in O_NONBLOCK mode is std::nullopt";
  EXPECT_TRUE(q.send(to_bytes("one"))) << "B4.3: there is room for one";
  EXPECT_FALSE(q.send(to_bytes("two"))) << "B4.3: a full queue in O_NONBLOCK mode is false";
  EXPECT_EQ(count(q), 1);
}

TEST_F(MqBlocking, B4_4_NonblockingChosenAtOpenTime) {
  Queue q = make(1, Blocking::no);
  EXPECT_TRUE(q.attributes().nonblocking) << "B4.4";
  Queue other = Queue::open(name_, Blocking::no);
  EXPECT_FALSE(other.receive().has_value())
      << "B4.4: opened with O_NONBLOCK, an empty queue answers at once";
}

TEST_F(MqBlocking, B4_5_SetNonblockingLeavesTheQueueAlone) {
  Queue q = make(3);
  ASSERT_EQ(::mq_send(q.native(), "m", 1, 0), 0);
  q.set_nonblocking(true);
  Attributes attr = q.attributes();
  EXPECT_TRUE(attr.nonblocking) << "B4.5: O_NONBLOCK is now set";
  EXPECT_EQ(attr.max_messages, 3) << "B4.5: mq_maxmsg is unchanged";
  EXPECT_EQ(attr.message_size, 64) << "B4.5: mq_msgsize is unchanged";
  EXPECT_EQ(attr.current_messages, 1) << "B4.5: the message is still there";
}

TEST_F(MqBlocking, B4_6_SetNonblockingReturnsTheOldAttributes) {
  Queue q = make(3);
  Attributes before = q.set_nonblocking(true);
  EXPECT_FALSE(before.nonblocking) << "B4.6: it was blocking before";
  EXPECT_EQ(before.max_messages, 3) << "B4.6: the old attributes are complete";
  Attributes again = q.set_nonblocking(false);
  EXPECT_TRUE(again.nonblocking) << "B4.6: it was non-blocking before the second call";
  EXPECT_FALSE(q.attributes().nonblocking);
}

TEST_F(MqBlocking, B4_7_TheModeBelongsToOneDescriptor) {
  Queue q = make(2);
  Queue other = Queue::open(name_);
  q.set_nonblocking(true);
  EXPECT_FALSE(other.attributes().nonblocking) << "B4.7: another descriptor keeps blocking";
  EXPECT_FALSE(q.receive().has_value()) << "B4.7: this one answers at once";
}

TEST_F(MqBlocking, B4_8_AFullQueueSlowsProducersDownAndLosesNothing) {
  Queue q = make(2);
  constexpr int kProducers = 3;
  constexpr int kEach = 20;
  std::vector<ChildProcess> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back("producer " + std::to_string(p), [&, p] {
      Queue out = Queue::open(name_);
      for (int i = 0; i < kEach; ++i) {
        CHILD_REQUIRE(out.send(to_bytes(std::to_string(p) + "." + std::to_string(i))),
                      "B4.8: a blocking send must not give up");
      }
    });
  }
  std::vector<int> next(kProducers, 0);  // per producer, the index expected next
  for (int n = 0; n < kProducers * kEach; ++n) {
    if (n % 10 == 0) {  // now and then, prove that a producer is held back, not spinning
      bool someone_waits = false;
      for (auto& producer : producers) {
        // A producer with messages left blocks soon (the queue fills while we
        // look); one that has finished exits, and blocked_in says so at once.
        if (!producer.has_exited() && blocked_in(producer, {"mq_timedsend"})) {
          someone_waits = true;
          break;
        }
      }
      bool all_done = std::all_of(producers.begin(), producers.end(),
                                  [](ChildProcess& c) { return c.has_exited(); });
      EXPECT_TRUE(someone_waits || all_done)
          << "B4.8: with the queue full, a producer should wait in mq_timedsend";
    }
    auto r = q.receive();
    ASSERT_TRUE(r.has_value());
    std::string text = to_string(r->payload);
    int p = std::stoi(text.substr(0, text.find('.')));
    int i = std::stoi(text.substr(text.find('.') + 1));
    ASSERT_EQ(i, next[static_cast<std::size_t>(p)])
        << "B4.8: message " << text << " lost, repeated or reordered";
    ++next[static_cast<std::size_t>(p)];
  }
  for (auto& producer : producers) {
    EXPECT_CHILD_OK(producer);
  }
  EXPECT_EQ(count(q), 0) << "B4.8: every message arrives exactly once";
}

TEST_F(MqBlocking, B4_13_StopTurnsEintrIntoAnError) {
  Queue q = make(2);
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    testing::notify_on_signal(SIGUSR1, handled, /*restart=*/false);
    try {
      q.receive(OnSignal::stop);
    } catch (const SystemError& error) {
      CHILD_REQUIRE(error.error_number() == EINTR,
                    "B4.13: expected EINTR, got " + std::string(error.what()));
      return;
    }
    CHILD_REQUIRE(false, "B4.13: receive returned, but nothing was sent");
  });
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"})) << "B4.13";
  receiver.kill(SIGUSR1);
  EXPECT_CHILD_OK(receiver);
}

TEST_F(MqBlocking, B4_14_RetryKeepsWaitingAfterEintr) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanDefersSignalHandlers;
  }
  Queue q = make(2);
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    testing::notify_on_signal(SIGUSR1, handled, /*restart=*/false);
    auto r = q.receive(OnSignal::retry);
    CHILD_REQUIRE(r && to_string(r->payload) == "after", "B4.14: expected the message \"after\"");
  });
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"})) << "B4.14";
  receiver.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(receiver)) << "B4.14: OnSignal::retry must survive the signal";
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"})) << "B4.14: and wait again";
  ASSERT_EQ(::mq_send(q.native(), "after", 5, 0), 0);
  EXPECT_CHILD_OK(receiver);
}

TEST_F(MqBlocking, B4_18_SaRestartMakesTheKernelRestartTheWait) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanDefersSignalHandlers;
  }
  Queue q = make(2);
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    testing::notify_on_signal(SIGUSR1, handled, /*restart=*/true);
    auto r = q.receive(OnSignal::stop);  // no EINTR ever reaches us with SA_RESTART
    CHILD_REQUIRE(r && to_string(r->payload) == "after", "B4.18: expected the message \"after\"");
  });
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"})) << "B4.18";
  receiver.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(receiver)) << "B4.18: the handler ran";
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"})) << "B4.18: the kernel restarted the wait";
  ASSERT_EQ(::mq_send(q.native(), "after", 5, 0), 0);
  EXPECT_CHILD_OK(receiver);
}

}  // namespace
}  // namespace ipclab::mq_blocking
