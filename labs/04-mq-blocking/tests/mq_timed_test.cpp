// Lab 04 public tests: timed calls and the convenience layer (B4.9 – B4.12, B4.15 – B4.17).
#include <chrono>

#include "mq_fixture.hpp"

namespace ipclab::mq_blocking {
namespace {

using namespace std::chrono_literals;
using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;
using Clock = std::chrono::steady_clock;

// Timed calls run in a child, so that one that never returns is reported with
// the system call it was blocked in instead of hanging the test.
TEST_F(MqBlocking, B4_9_TimedCallsGiveUpAfterTheTimeout) {
  Queue q = make(1);
  ChildProcess timed1("receiver", [&] {
    auto start = Clock::now();
    CHILD_REQUIRE(!q.receive_for(100ms).has_value(),
                  "B4.9: an empty queue times out: std::nullopt");
    CHILD_REQUIRE(Clock::now() - start >= 100ms, "B4.9: receive_for returned before its timeout");
  });
  EXPECT_CHILD_OK(timed1);
  fill(q);
  ChildProcess timed2("sender", [&] {
    auto start = Clock::now();
    CHILD_REQUIRE(!q.send_for(to_bytes("x"), 0, 100ms), "B4.9: a full queue times out: false");
    CHILD_REQUIRE(Clock::now() - start >= 100ms, "B4.9: send_for returned before its timeout");
  });
  EXPECT_CHILD_OK(timed2);
}

TEST_F(MqBlocking, B4_10_APastDeadlineOnlyLimitsWaiting) {
  Queue q = make(1);
  auto past = std::chrono::system_clock::now() - 1h;
  EXPECT_FALSE(q.receive_until(past).has_value())
      << "B4.10: empty and too late: std::nullopt at once";
  EXPECT_TRUE(q.send_until(to_bytes("here"), 3, past)) << "B4.10: there is room: the send succeeds";
  EXPECT_FALSE(q.send_until(to_bytes("full"), 0, past))
      << "B4.10: full and too late: false at once";
  auto r = q.receive_until(past);
  ASSERT_TRUE(r.has_value()) << "B4.10: a message already queued is received, deadline or not";
  EXPECT_EQ(to_string(r->payload), "here");
  EXPECT_EQ(r->priority, 3u);
}

TEST_F(MqBlocking, B4_11_DeadlinesAreAbsoluteRealtimeAndNormalised) {
  Queue q = make(1);
  // Short timeouts, one of them not a whole number of milliseconds: a deadline
  // that is relative, on CLOCK_MONOTONIC, or not normalised fails one of these.
  for (auto timeout : {std::chrono::nanoseconds(30ms), std::chrono::nanoseconds(49'999'999ns)}) {
    ChildProcess receiver("receiver", [&] {
      auto start = Clock::now();
      CHILD_REQUIRE(!q.receive_for(timeout).has_value(), "B4.11: expected a timeout");
      CHILD_REQUIRE(Clock::now() - start >= timeout,
                    "B4.11: returned early: is the deadline relative, or on the wrong clock?");
    });
    EXPECT_CHILD_OK(receiver) << "B4.11: timeout " << timeout.count() << " ns";
  }
  auto deadline = std::chrono::system_clock::now() + 80ms;
  ChildProcess timed3("receiver", [&] {
    CHILD_REQUIRE(!q.receive_until(deadline).has_value(), "B4.11: expected a timeout");
    CHILD_REQUIRE(std::chrono::system_clock::now() >= deadline,
                  "B4.11: returned before the deadline");
  });
  EXPECT_CHILD_OK(timed3);
}

TEST_F(MqBlocking, B4_12_NanosecondsOutOfRangeAreEinval) {
  Queue q = make(1);
  timespec bad{};
  ::clock_gettime(CLOCK_REALTIME, &bad);
  bad.tv_sec += 1;
  bad.tv_nsec = 1'000'000'000;
  EXPECT_TRUE(fails_with("mq_timedreceive", "EINVAL", [&] { q.receive_until(bad); }))
      << "B4.12: tv_nsec = 1e9 is out of range";
}

TEST_F(MqBlocking, B4_15_ARelativeTimespecIsLongPast) {
  Queue q = make(1);
  ChildProcess timed4("receiver", [&] {
    auto start = Clock::now();
    timespec half_a_second{0, 500'000'000};  // meant as "in 0.5 s", read as 1970
    CHILD_REQUIRE(!q.receive_until(half_a_second).has_value(), "B4.15: expected a timeout");
    CHILD_REQUIRE(Clock::now() - start < 400ms, "B4.15: a relative timespec must time out at once");
  });
  EXPECT_CHILD_OK(timed4);
}

TEST_F(MqBlocking, B4_16_SendWithTimeoutZeroWaitsForever) {
  Queue q = make(1);
  fill(q);
  ChildProcess sender("sender", [&] {
    CHILD_REQUIRE(q.send_with_timeout(to_bytes("x"), 0, 0), "B4.16: 0 waits until sent");
  });
  ASSERT_TRUE(blocked_in(sender, {"mq_timedsend"})) << "B4.16: seconds = 0 means wait forever";
  char buffer[64];
  ASSERT_EQ(::mq_receive(q.native(), buffer, sizeof buffer, nullptr), 1);
  EXPECT_CHILD_OK(sender);
  ChildProcess timed5("sender", [&] {
    auto start = Clock::now();
    CHILD_REQUIRE(!q.send_with_timeout(to_bytes("y"), 0, 1), "B4.16: 1 s on a full queue: false");
    CHILD_REQUIRE(Clock::now() - start >= 1s, "B4.16: returned before 1 s");
  });
  EXPECT_CHILD_OK(timed5);
}

TEST_F(MqBlocking, B4_17_ReceiveWithTimeoutZeroWaitsForever) {
  Queue q = make(1);
  ChildProcess receiver("receiver", [&] {
    auto r = q.receive_with_timeout(0);
    CHILD_REQUIRE(r && to_string(r->payload) == "finally", "B4.17: 0 waits until a message comes");
  });
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"})) << "B4.17: seconds = 0 means wait forever";
  ASSERT_EQ(::mq_send(q.native(), "finally", 7, 0), 0);
  EXPECT_CHILD_OK(receiver);
  ChildProcess timed6("receiver", [&] {
    auto start = Clock::now();
    CHILD_REQUIRE(!q.receive_with_timeout(1).has_value(),
                  "B4.17: 1 s on an empty queue: std::nullopt");
    CHILD_REQUIRE(Clock::now() - start >= 1s, "B4.17: returned before 1 s");
  });
  EXPECT_CHILD_OK(timed6);
}

}  // namespace
}  // namespace ipclab::mq_blocking
