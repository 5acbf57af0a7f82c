// Lab 02 hidden tests: selective receive, buffers, waiting and signals (B2.8 –
// B2.14, B2.17, B2.20 – B2.21): interleaved types, the sign of the type, exact
// buffer sizes, errors try_receive must not swallow, signals while waiting.
#include <sys/msg.h>

#include <climits>
#include <csignal>
#include <string_view>

#include "hidden_support.hpp"
#include "ipclab/bytes.hpp"
#include "ipclab/sysv_msg.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::sysv {
namespace {

using hidden::child_expect;
using hidden::describe;
using hidden::fails_with_one_of;
using hidden::finishes_without_blocking_in;
using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;

/// The failure message of a selection test whose receive waited.
constexpr std::string_view kMustNotWait =
    "every message these receives select is queued already, so receive must return it at "
    "once; it waited in msgrcv instead (wrong type or flags?)";

TEST_F(SysvHidden, B2_8_TypeZeroTakesMessagesInArrivalOrderWhateverTheirType) {
  raw_send(9, "first");
  raw_send(3, "second");
  raw_send(9, "third");
  raw_send(1, "fourth");
  auto steps = [&] {
    for (const char* expected :
         {"type 9 \"first\"", "type 3 \"second\"", "type 9 \"third\"", "type 1 \"fourth\""}) {
      child_expect(queue_.receive({.type = 0}), expected,
                   "B2.8: type 0 takes the oldest message, whatever its type");
    }
    child_expect(queue_.try_receive(), "nothing", "B2.14: the queue is empty now");
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
}

TEST_F(SysvHidden, B2_9_PositiveTypeLeavesEveryOtherTypeInPlace) {
  raw_send(1, "a");
  raw_send(2, "b");
  raw_send(1, "c");
  raw_send(3, "d");
  raw_send(2, "e");
  auto steps = [&] {
    child_expect(queue_.receive({.type = 2}), "type 2 \"b\"",
                 "B2.9: type 2 takes the first message of type 2 (without MSG_EXCEPT)");
    child_expect(queue_.receive({.type = 2}), "type 2 \"e\"", "B2.9: then the next one");
    child_expect(queue_.try_receive({.type = 2}), "nothing", "B2.14: no message of type 2 is left");
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
  EXPECT_EQ(take_all(), "type 1 \"a\", type 1 \"c\", type 3 \"d\"")
      << "B2.9: the other messages stay, in their order";
}

TEST_F(SysvHidden, B2_10_NegativeTypeSkipsHigherTypesQueuedFirst) {
  raw_send(7, "seven");
  raw_send(2, "two");
  raw_send(9, "nine");
  raw_send(1, "one");
  raw_send(2, "two again");
  raw_send(5, "five");
  auto steps = [&] {
    child_expect(queue_.try_receive({.type = -1}), "type 1 \"one\"",
                 "B2.10: type -1 takes the lowest type <= 1");
    for (const char* expected : {"type 2 \"two\"", "type 2 \"two again\"", "type 5 \"five\""}) {
      child_expect(queue_.receive({.type = -5}), expected,
                   "B2.10: type -5 takes the lowest type <= 5 (the first of them), however "
                   "much older the higher types are; it is not type 5 (the sign matters) "
                   "nor type 0");
    }
    child_expect(queue_.try_receive({.type = -5}), "nothing", "B2.10: types 7 and 9 are above 5");
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
  EXPECT_EQ(take_all(), "type 7 \"seven\", type 9 \"nine\"") << "B2.10: they stay";
}

TEST_F(SysvHidden, B2_10_ATypeOfMinusLongMaxTakesTheLowestTypeOfAll) {
  raw_send(1L << 40, "huge");
  raw_send(6, "six");
  raw_send(1L << 20, "large");
  auto steps = [&] {
    child_expect(queue_.receive({.type = -LONG_MAX}), "type 6 \"six\"",
                 "B2.10: type -LONG_MAX takes the lowest type of all");
    child_expect(queue_.receive({.type = -(1L << 30)}), "type 1048576 \"large\"",
                 "B2.10: type -2^30 takes type 2^20 (a long, not an int)");
    child_expect(queue_.try_receive({.type = -(1L << 30)}), "nothing", "B2.10: 2^40 is above 2^30");
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
  EXPECT_EQ(take_all(), "type 1099511627776 \"huge\"") << "B2.10";
}

TEST_F(SysvHidden, B2_11_ExceptSkipsEveryMessageOfThatType) {
  raw_send(3, "a");
  raw_send(1, "b");
  raw_send(3, "c");
  raw_send(5, "d");
  auto steps = [&] {
    child_expect(queue_.receive({.type = 3, .except = true}), "type 1 \"b\"",
                 "B2.11: MSG_EXCEPT takes the first message whose type is not 3");
    child_expect(queue_.receive({.type = 3, .except = true}), "type 5 \"d\"",
                 "B2.11: then the next one");
    child_expect(queue_.try_receive({.type = 3, .except = true}), "nothing",
                 "B2.11: only type 3 is left");
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
  EXPECT_EQ(take_all(), "type 3 \"a\", type 3 \"c\"") << "B2.11: the type 3 messages stay";
}

TEST_F(SysvHidden, B2_11_ExceptWithOnlyThatTypeQueuedWaitsForAnotherType) {
  raw_send(3, "a");
  raw_send(3, "b");
  ChildProcess receiver("receiver", [&] {
    Message m = queue_.receive({.type = 3, .except = true});
    CHILD_REQUIRE(describe(m) == "type 4 \"other\"",
                  "B2.11: expected type 4 \"other\", got " + describe(m));
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"}))
      << "B2.17: only type 3 is queued, so receive(type 3, except) must wait";
  raw_send(3, "c");
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.11: another type 3 must not wake it";
  raw_send(4, "other");
  EXPECT_CHILD_OK(receiver);
  EXPECT_EQ(take_all(), "type 3 \"a\", type 3 \"b\", type 3 \"c\"") << "B2.11";
}

TEST_F(SysvHidden, B2_12_APayloadOfExactlyMaxSizeFitsAndOneByteMoreIsE2big) {
  const std::string sixteen = "0123456789abcdef";
  raw_send(1, sixteen + "!");
  raw_send(2, sixteen);
  raw_send(3, "");
  auto steps = [&] {
    child_expect(queue_.receive({.type = 2, .max_size = 16}), "type 2 \"0123456789abcdef\"",
                 "B2.12: 16 bytes fit in max_size 16 (msgsz = max_size, not more, not less)");
    auto too_big = fails_with("msgrcv", "E2BIG", [&] { queue_.receive({.max_size = 16}); });
    CHILD_REQUIRE(too_big,
                  "B2.12: 17 bytes do not fit in max_size 16: " + std::string(too_big.message()));
    CHILD_REQUIRE(kernel_status().msg_qnum == 2,
                  "B2.12: after E2BIG the message must stay in the queue");
    child_expect(queue_.receive({.max_size = 17}), "type 1 \"0123456789abcdef!\"",
                 "B2.12: after E2BIG it is still the first message, whole");
    child_expect(queue_.receive({.max_size = 0}), "type 3 \"\"",
                 "B2.12: an empty payload fits in max_size 0");
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
}

TEST_F(SysvHidden, B2_12_TheLargestPayloadArrivesWithTheDefaultMaxSize) {
  const auto payload = hidden::pattern(hidden::msgmax(), 12);
  raw_send(4, payload);
  auto steps = [&] {
    Message got = queue_.receive();
    CHILD_REQUIRE(got.type == 4 && got.payload == payload,
                  "B2.12: msgmax bytes fit the default max_size (8192): type " +
                      std::to_string(got.type) + ", " +
                      hidden::first_difference(payload, got.payload));
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
}

TEST_F(SysvHidden, B2_13_TruncateKeepsShortPayloadsWholeAndCutsLongOnesAtMaxSize) {
  raw_send(1, "abc");
  raw_send(2, "0123456789");
  raw_send(3, "gone");
  auto steps = [&] {
    child_expect(queue_.receive({.max_size = 5, .truncate = true}), "type 1 \"abc\"",
                 "B2.13: a payload shorter than max_size is returned whole, with its own "
                 "length");
    child_expect(queue_.receive({.max_size = 5, .truncate = true}), "type 2 \"01234\"",
                 "B2.13: a longer payload is cut to max_size");
    child_expect(queue_.receive({.max_size = 0, .truncate = true}), "type 3 \"\"",
                 "B2.13: max_size 0 with truncate keeps only the type");
  };
  EXPECT_TRUE(without_waiting(steps, kMustNotWait));
  EXPECT_EQ(queued(), 0u) << "B2.13: truncated messages are consumed";
}

TEST_F(SysvHidden, B2_14_TryReceiveThrowsEveryErrorButEnomsg) {
  raw_send(1, "too long for four");
  EXPECT_TRUE(fails_with("msgrcv", "E2BIG", [&] { queue_.try_receive({.max_size = 4}); }))
      << "B2.14: only ENOMSG means \"no message\"; E2BIG is an error";
  EXPECT_EQ(queued(), 1u) << "B2.12: the message stays";
  MessageQueue removed = queue_;
  ASSERT_EQ(::msgctl(queue_.id(), IPC_RMID, nullptr), 0) << errno_name(errno);
  EXPECT_TRUE(fails_with_one_of("msgrcv", {"EINVAL", "EIDRM"}, [&] { removed.try_receive(); }))
      << "B2.14: a removed queue is an error, not std::nullopt";
}

TEST_F(SysvHidden, B2_14_TryReceiveFindsNothingWithoutWaitingWhateverTheSelection) {
  raw_send(4, "four");
  ChildProcess receiver("receiver", [&] {
    struct Case {
      ReceiveOptions options;
      const char* selection;
    };
    for (const Case& c : {Case{{.type = 5}, "type 5"}, Case{{.type = -3}, "type -3"},
                          Case{{.type = 4, .except = true}, "type 4 with except"}}) {
      auto m = queue_.try_receive(c.options);
      CHILD_REQUIRE(!m.has_value(), "B2.14: try_receive(" + std::string(c.selection) +
                                        ") with only type 4 queued returned " + describe(m));
    }
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      receiver, {"msgrcv"},
      "B2.14: try_receive must pass IPC_NOWAIT and return std::nullopt, never wait"));
  EXPECT_EQ(take_all(), "type 4 \"four\"") << "B2.14: the message stays";
}

TEST_F(SysvHidden, B2_17_NegativeTypeWaitsUntilALowEnoughTypeArrives) {
  raw_send(8, "eight");
  raw_send(9, "nine");
  ChildProcess receiver("receiver", [&] {
    Message m = queue_.receive({.type = -3});
    CHILD_REQUIRE(describe(m) == "type 3 \"three\"",
                  "B2.10: expected type 3 \"three\", got " + describe(m));
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"}))
      << "B2.17: only types 8 and 9 are queued, so receive(type -3) must wait";
  raw_send(4, "four");
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.10: type 4 is above 3";
  raw_send(3, "three");
  EXPECT_CHILD_OK(receiver);
  EXPECT_EQ(take_all(), "type 8 \"eight\", type 9 \"nine\", type 4 \"four\"") << "B2.17";
}

TEST_F(SysvHidden, B2_20_ReportThrowsEintrAndTakesNothing) {
  raw_send(5, "five");
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    hidden::notify_on_signal(SIGUSR1, handled, /*restart=*/true);
    auto result = fails_with("msgrcv", "EINTR",
                             [&] { queue_.receive({.type = 6, .on_signal = OnSignal::report}); });
    CHILD_REQUIRE(result, "B2.20: a signal arrived while receive waited (OnSignal::report): " +
                              std::string(result.message()));
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.17: no message of type 6 is queued";
  receiver.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(receiver)) << "B2.20: the receiver's signal handler did not run";
  EXPECT_TRUE(finishes_without_blocking_in(
      receiver, {"msgrcv"},
      "B2.20: with OnSignal::report, receive must throw EINTR, not call msgrcv again"));
  EXPECT_EQ(take_all(), "type 5 \"five\"") << "B2.20: the interrupted receive takes nothing";
}

TEST_F(SysvHidden, B2_21_RetrySurvivesSeveralSignalsAndStillTakesOnlyItsType) {
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    hidden::notify_on_signal(SIGUSR1, handled, /*restart=*/false);
    Message m = queue_.receive({.type = 6, .max_size = 3, .on_signal = OnSignal::retry});
    CHILD_REQUIRE(describe(m) == "type 6 \"six\"",
                  "B2.21: expected type 6 \"six\", got " + describe(m));
  });
  for (int round = 1; round <= 3; ++round) {
    ASSERT_TRUE(blocked_in(receiver, {"msgrcv"}))
        << "B2.21: before signal " << round
        << ", receive must wait in msgrcv (with OnSignal::retry it goes back to waiting "
           "after EINTR)";
    receiver.kill(SIGUSR1);
    ASSERT_TRUE(handled.wait_for(receiver)) << "B2.21: the receiver's signal handler did not run";
  }
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.21: after 3 signals it must still wait";
  raw_send(5, "five");
  raw_send(6, "six");
  EXPECT_CHILD_OK(receiver);
  EXPECT_EQ(take_all(), "type 5 \"five\"")
      << "B2.21: the retried receive must keep its options (type 6) and take one message";
}

TEST_F(SysvHidden, B2_21_RetryDoesNotRetryARemovedQueue) {
  testing::Event handled("the receiver handled SIGUSR1");
  ChildProcess receiver("receiver", [&] {
    hidden::notify_on_signal(SIGUSR1, handled, /*restart=*/true);
    auto result =
        fails_with("msgrcv", "EIDRM", [&] { queue_.receive({.on_signal = OnSignal::retry}); });
    CHILD_REQUIRE(result, "B2.19: the queue was removed while receive waited: " +
                              std::string(result.message()));
  });
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.17: the queue is empty";
  receiver.kill(SIGUSR1);
  ASSERT_TRUE(handled.wait_for(receiver)) << "B2.21: the receiver's signal handler did not run";
  ASSERT_TRUE(blocked_in(receiver, {"msgrcv"})) << "B2.21: retry goes back to waiting";
  ASSERT_EQ(::msgctl(queue_.id(), IPC_RMID, nullptr), 0) << errno_name(errno);
  EXPECT_CHILD_OK(receiver) << "B2.21: OnSignal::retry retries EINTR only; EIDRM is thrown";
}

}  // namespace
}  // namespace ipclab::sysv
