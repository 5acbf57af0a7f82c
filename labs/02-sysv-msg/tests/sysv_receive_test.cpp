// Lab 02 public tests: selective receive, buffers, waiting and signals (B2.8 – B2.14, B2.17, B2.20
// – B2.21).
#include <sys/msg.h>

#include <csignal>

#include "ipclab/bytes.hpp"
#include "sysv_fixture.hpp"

namespace ipclab::sysv {
namespace {

using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;

std::string describe(const Message& m) {
  return "type " + std::to_string(m.type) + " \"" + to_string(m.payload) + "\"";
}

TEST_F(SysvTest, B2_8_TypeZeroTakesTheFirstMessage) {
  raw_send(5, "five");
  raw_send(2, "two");
  Message m = queue_.receive({.type = 0});
  EXPECT_EQ(describe(m), "type 5 \"five\"") << "B2.8: type 0 takes the oldest message";
}

TEST_F(SysvTest, B2_9_PositiveTypeTakesTheFirstOfThatType) {
  raw_send(5, "five");
  raw_send(2, "two");
  raw_send(2, "two again");
  EXPECT_EQ(describe(queue_.receive({.type = 2})), "type 2 \"two\"") << "B2.9";
  EXPECT_EQ(describe(queue_.receive({.type = 2})), "type 2 \"two again\"") << "B2.9";
}

TEST_F(SysvTest, B2_10_NegativeTypeTakesTheLowestTypeUpToItsMagnitude) {
  raw_send(5, "five");
  raw_send(4, "four");
  raw_send(3, "three");
  raw_send(3, "three again");
  // In a child, so that a receive that waits for a type nobody sent is
  // reported at once (and killed) instead of hanging the test.
  ChildProcess receiver("receiver", [&] {
    for (const char* expected : {"type 3 \"three\"", "type 3 \"three again\"", "type 4 \"four\""}) {
      std::string got = describe(queue_.receive({.type = -4}));
      CHILD_REQUIRE(got == expected, "B2.10: type -4 takes the lowest type <= 4, the first of "
                                     "them: expected " + std::string(expected) + ", got " + got);
    }
  });
  EXPECT_TRUE(testing::finishes_without_blocking_in(
      receiver, {"msgrcv"},
      "B2.10: receive({.type = -4}) waited although types 3 and 4 were queued: a negative type "
      "takes the lowest type <= 4, not only type 4 (or -4)"));
  EXPECT_FALSE(queue_.try_receive({.type = -4}).has_value()) << "B2.10: type 5 is above 4";
}

TEST_F(SysvTest, B2_11_ExceptTakesTheFirstOfAnotherType) {
  raw_send(1, "one");
  raw_send(1, "one again");
  raw_send(6, "six");
  EXPECT_EQ(describe(queue_.receive({.type = 1, .except = true})), "type 6 \"six\"")
      << "B2.11: MSG_EXCEPT skips the messages of type 1";
}

TEST_F(SysvTest, B2_12_TooSmallABufferIsE2bigAndTheMessageStays) {
  raw_send(1, "twelve bytes");
  EXPECT_TRUE(fails_with("msgrcv", "E2BIG", [&] { queue_.receive({.max_size = 4}); }))
      << "B2.12: 12 bytes do not fit in 4";
  EXPECT_EQ(kernel_status().msg_qnum, 1u) << "B2.12: the message must stay in the queue";
  EXPECT_EQ(describe(queue_.receive({.max_size = 12})), "type 1 \"twelve bytes\"") << "B2.12";
}

TEST_F(SysvTest, B2_13_TruncateCutsThePayloadToMaxSize) {
  raw_send(1, "twelve bytes");
  EXPECT_EQ(describe(queue_.receive({.max_size = 6, .truncate = true})), "type 1 \"twelve\"")
      << "B2.13: MSG_NOERROR truncates to max_size";
  EXPECT_EQ(kernel_status().msg_qnum, 0u) << "B2.13: the truncated message is consumed";
}

TEST_F(SysvTest, B2_14_TryReceiveWithoutAMatchIsNullopt) {
  EXPECT_FALSE(queue_.try_receive().has_value())
      << "B2.14: an empty queue is std::nullopt (ENOMSG)";
  raw_send(3, "three");
  EXPECT_FALSE(queue_.try_receive({.type = 4}).has_value()) << "B2.14: no message of type 4";
  auto m = queue_.try_receive({.type = 3});
  ASSERT_TRUE(m.has_value()) << "B2.14: a message of type 3 is there";
  EXPECT_EQ(describe(*m), "type 3 \"three\"");
}

TEST_F(SysvTest, B2_17_ReceiveWaitsForAMatchingMessage) {
  ChildProcess receiver("receiver", [&] {
    Message m = queue_.receive({.type = 9});
    CHILD_REQUIRE(m.type == 9 && to_string(m.payload) == "nine",
                  "B2.17: expected type 9 \"nine\", got " + describe(m));
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.17: receive must wait in msgrcv";
  raw_send(8, "eight");  // not the type it waits for
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.17: a message of type 8 must not wake it";
  raw_send(9, "nine");
  EXPECT_CHILD_OK(receiver);
  EXPECT_EQ(kernel_status().msg_qnum, 1u) << "B2.17: the type 8 message stays";
}

TEST_F(SysvTest, B2_20_ASignalInterruptsReceiveWithEintrEvenWithSaRestart) {
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    // SA_RESTART on purpose: msgrcv is never restarted, whatever it says.
    testing::notify_on_signal(SIGUSR1, handled, /*restart=*/true);
    try {
      queue_.receive({.on_signal = OnSignal::report});
    } catch (const SystemError& error) {
      CHILD_REQUIRE(error.error_number() == EINTR && error.call() == "msgrcv",
                    "B2.20: expected msgrcv to fail with EINTR, got " + std::string(error.what()));
      return;
    }
    CHILD_REQUIRE(false, "B2.20: receive returned although no message was sent");
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.20";
  receiver.kill(SIGUSR1);
  EXPECT_CHILD_OK(receiver);
}

TEST_F(SysvTest, B2_21_RetryKeepsWaitingAfterASignal) {
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    testing::notify_on_signal(SIGUSR1, handled, /*restart=*/true);
    Message m = queue_.receive({.on_signal = OnSignal::retry});
    CHILD_REQUIRE(to_string(m.payload) == "after the signal",
                  "B2.21: expected \"after the signal\", got " + describe(m));
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.21";
  receiver.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(receiver)) << "B2.21: the receiver should survive SIGUSR1";
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"}))
      << "B2.21: with OnSignal::retry, receive must go back to waiting after the signal";
  raw_send(1, "after the signal");
  EXPECT_CHILD_OK(receiver);
}

}  // namespace
}  // namespace ipclab::sysv
