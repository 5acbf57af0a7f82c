// Lab 04 hidden tests: timed calls and the convenience layer (B4.9 – B4.12,
// B4.15 – B4.17): deadlines that are absolute, on CLOCK_REALTIME and normalised;
// timeouts and past deadlines as answers; raw timespecs passed unchanged;
// whole seconds that wait in the kernel.
//
// Lower bounds on waiting are exact and read on system_clock, the clock of the
// deadline; upper bounds are generous (timeout + 2 s, scaled) and only catch a
// wait that goes on and on.
#include <mqueue.h>

#include <chrono>
#include <ctime>
#include <string>

#include "hidden_support.hpp"
#include "ipclab/bytes.hpp"
#include "ipclab/mq_blocking.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::mq_blocking {
namespace {

using namespace std::chrono_literals;
using namespace hidden;
using testing::fails_with;

/// How long after its deadline a timed call may return on a loaded machine.
std::chrono::milliseconds margin() { return testing::scaled(2s); }

/// In a child: checks a timed call that had to wait until `deadline` (a
/// system_clock time read before the call, plus its timeout) and give up.
void child_expect_waited_until(system_clock::time_point deadline, steady_clock::time_point start,
                               nanoseconds timeout, const std::string& what) {
  auto now = system_clock::now();
  auto elapsed = steady_clock::now() - start;
  CHILD_REQUIRE(now >= deadline,
                "B4.11: " + what + " returned after " + ms(elapsed) + ", " + ms(deadline - now) +
                    " before its deadline: is the deadline relative "
                    "(a moment in 1970), read from CLOCK_MONOTONIC, or cut to whole units?");
  CHILD_REQUIRE(elapsed <= timeout + margin(),
                "B4.9: " + what + " should give up at its deadline, " + ms(timeout) +
                    " after it began; it returned after " + ms(elapsed));
}

TEST_F(MqBlockingHidden, B4_9_EveryTimedCallWaitsItsWholeTimeoutThenAnswers) {
  Queue empty = make(1);
  Queue full = make_full();
  // Not whole milliseconds: a deadline rounded or cut to milliseconds is early.
  const nanoseconds timeout = 75'300'001ns;
  ChildProcess timed("timed calls", [&] {
    auto sys_start = system_clock::now();
    auto start = steady_clock::now();
    auto r = answer_of("receive_for(75.3 ms) on an empty queue",
                       "B4.9: ETIMEDOUT is an answer (std::nullopt), not an error",
                       [&] { return empty.receive_for(timeout); });
    child_expect(r, "nothing", "B4.9: receive_for on an empty queue times out");
    child_expect_waited_until(sys_start + timeout, start, timeout, "receive_for(75.3 ms)");

    auto deadline = system_clock::now() + timeout;
    start = steady_clock::now();
    r = answer_of("receive_until(now + 75.3 ms) on an empty queue",
                  "B4.9: ETIMEDOUT is an answer (std::nullopt), not an error",
                  [&] { return empty.receive_until(deadline); });
    child_expect(r, "nothing", "B4.9: receive_until on an empty queue times out");
    child_expect_waited_until(deadline, start, timeout, "receive_until(now + 75.3 ms)");

    sys_start = system_clock::now();
    start = steady_clock::now();
    bool sent = answer_of("send_for(75.3 ms) on a full queue",
                          "B4.9: ETIMEDOUT is an answer (false), not an error",
                          [&] { return full.send_for(to_bytes("late"), 1, timeout); });
    CHILD_REQUIRE(!sent, "B4.9: send_for on a full queue must time out: false; it returned true");
    child_expect_waited_until(sys_start + timeout, start, timeout, "send_for(75.3 ms)");

    deadline = system_clock::now() + timeout;
    start = steady_clock::now();
    sent = answer_of("send_until(now + 75.3 ms) on a full queue",
                     "B4.9: ETIMEDOUT is an answer (false), not an error",
                     [&] { return full.send_until(to_bytes("late"), 1, deadline); });
    CHILD_REQUIRE(!sent, "B4.9: send_until on a full queue must time out: false; it returned true");
    child_expect_waited_until(deadline, start, timeout, "send_until(now + 75.3 ms)");
  });
  EXPECT_CHILD_OK(timed);
  EXPECT_EQ(queued(empty), 0) << "B4.9: a receive that timed out invents nothing";
  EXPECT_EQ(take_all(full), "priority 0 \"x\"")
      << "B4.9: a send that timed out must not have sent anything";
}

TEST_F(MqBlockingHidden, B4_9_ATimedWaitSleepsInTheKernelUntilTheQueueChanges) {
  Queue q = make(1, 100);
  const auto long_wait = nanoseconds(testing::scaled(10s));
  ChildProcess receiver("receiver", [&] {
    auto r = answer_of("receive_for(10 s)", "B4.9: a message arrives while it waits",
                       [&] { return q.receive_for(long_wait); });
    child_expect(r, "priority 6 \"arrived while waiting\"",
                 "B4.9: a timed receive returns the message that arrives while it waits");
  });
  ASSERT_TRUE(sleeps_in(receiver, "mq_timedreceive"))
      << "B4.9: receive_for on an empty queue must wait in one mq_timedreceive with the deadline";
  raw_send(q, "arrived while waiting", 6);
  EXPECT_CHILD_OK(receiver);

  fill(q);
  ChildProcess sender("sender", [&] {
    auto deadline = system_clock::now() + long_wait;
    bool sent = answer_of("send_until(now + 10 s)", "B4.9: room appears while it waits",
                          [&] { return q.send_until(to_bytes("got in"), 2, deadline); });
    CHILD_REQUIRE(sent, "B4.9: send_until must send once there is room, before its deadline");
  });
  ASSERT_TRUE(sleeps_in(sender, "mq_timedsend"))
      << "B4.9: send_until on a full queue must wait in one mq_timedsend with the deadline";
  ASSERT_EQ(describe(raw_take(q)), "priority 0 \"x\"");  // make room
  EXPECT_CHILD_OK(sender);
  EXPECT_EQ(take_all(q), "priority 2 \"got in\"") << "B4.9: the waiting message went in";
}

TEST_F(MqBlockingHidden, B4_10_APastDeadlineStillTakesWhatIsThereAndUsesTheRoom) {
  Queue q = make(4);
  raw_send(q, "first", 7);
  raw_send(q, "second", 5);
  raw_send(q, "third", 3);
  raw_send(q, "fourth", 1);
  ChildProcess late("late calls", [&] {
    const std::string why = "B4.10: the deadline has passed, but a message is queued: ";
    const std::string no_error = "B4.10: a past deadline only limits waiting";
    child_expect(answer_of("receive_for(0 ns)", no_error, [&] { return q.receive_for(0ns); }),
                 "priority 7 \"first\"", why + "receive_for(0 ns) takes it");
    child_expect(answer_of("receive_until(now - 1 s)", no_error,
                           [&] { return q.receive_until(system_clock::now() - 1s); }),
                 "priority 5 \"second\"", why + "receive_until(now - 1 s) takes it");
    child_expect(answer_of("receive_until(timespec{1, 0})", no_error,
                           [&] {
                             return q.receive_until(timespec{1, 0});
                           }),
                 "priority 3 \"third\"", why + "receive_until(timespec{1, 0}) takes it");
    child_expect(answer_of("receive_until(timespec{0, 500000000})", no_error,
                           [&] {
                             return q.receive_until(timespec{0, 500'000'000});
                           }),
                 "priority 1 \"fourth\"",
                 "B4.15: a relative timespec is a moment in 1970, yet a queued message is "
                 "received: receive_until(timespec{0, 500000000}) takes it");
    child_expect(answer_of("receive_for(0 ns)", no_error, [&] { return q.receive_for(0ns); }),
                 "nothing", "B4.10: empty and too late: receive_for(0 ns) times out at once");

    CHILD_REQUIRE(
        answer_of("send_for(0 ns)", no_error, [&] { return q.send_for(to_bytes("a"), 2, 0ns); }),
        "B4.10: the deadline has passed, but there is room: send_for(0 ns) sends");
    CHILD_REQUIRE(
        answer_of("send_until(now - 1 s)", no_error,
                  [&] { return q.send_until(to_bytes("b"), 4, system_clock::now() - 1s); }),
        "B4.10: the deadline has passed, but there is room: send_until(now - 1 s) "
        "sends");
    CHILD_REQUIRE(
        answer_of("send_until(the epoch)", no_error,
                  [&] { return q.send_until(to_bytes("c"), 6, system_clock::time_point{}); }),
        "B4.10: there is room: send_until(1970) sends");
    CHILD_REQUIRE(
        answer_of("send_for(0 ns)", no_error, [&] { return q.send_for(to_bytes("d"), 0, 0ns); }),
        "B4.10: there is room for a fourth: send_for(0 ns) sends");
    CHILD_REQUIRE(!answer_of("send_for(0 ns) on a full queue",
                             "B4.10: full and too late is an answer (false), not an error",
                             [&] { return q.send_for(to_bytes("e"), 9, 0ns); }),
                  "B4.10: full and too late: send_for(0 ns) is false at once");
  });
  EXPECT_CHILD_OK(late) << "\nB4.10: none of these calls needs to wait";
  EXPECT_EQ(take_all(q), "priority 6 \"c\", priority 4 \"b\", priority 2 \"a\", priority 0 \"d\"")
      << "B4.10: the sends with a past deadline went in, with their priorities";
}

TEST_F(MqBlockingHidden, B4_11_NanosecondsNearOneSecondAreNormalised) {
  Queue q = make(1);
  // now.tv_nsec + 999'999'999 reaches 1e9 whatever now is: without a carry into
  // tv_sec the kernel rejects the deadline with EINVAL every time.
  const nanoseconds timeout = 999'999'999ns;
  ChildProcess receiver("receiver", [&] {
    auto sys_start = system_clock::now();
    auto start = steady_clock::now();
    auto r = answer_of("receive_for(999999999 ns) on an empty queue",
                       "B4.11: expected a timeout (std::nullopt). EINVAL means the deadline's "
                       "tv_nsec was 1e9 or more: now.tv_nsec + 999999999 must carry into tv_sec",
                       [&] { return q.receive_for(timeout); });
    child_expect(r, "nothing", "B4.11: receive_for on an empty queue times out");
    child_expect_waited_until(sys_start + timeout, start, timeout, "receive_for(999999999 ns)");
  });
  EXPECT_CHILD_OK(receiver);
}

TEST_F(MqBlockingHidden, B4_11_DeadlinesAreNormalisedEvenWhenNoWaitIsNeeded) {
  // Linux checks the timespec before it looks at the queue, so a deadline with
  // tv_nsec >= 1e9 is EINVAL even when a message is there or there is room.
  Queue q = make(2);
  raw_send(q, "one", 1);
  raw_send(q, "two", 2);
  ChildProcess calls("calls", [&] {
    const std::string einval =
        "B4.11: EINVAL means the deadline's tv_nsec was 1e9 or more: the nanoseconds of now + "
        "timeout must carry into tv_sec";
    for (nanoseconds timeout : {999'999'999ns, 1'999'999'999ns}) {
      std::string n = std::to_string(timeout.count());
      auto r = answer_of("receive_for(" + n + " ns) with a message queued", einval,
                         [&] { return q.receive_for(timeout); });
      CHILD_REQUIRE(r.has_value(), "B4.10: receive_for(" + n +
                                       " ns) must return the queued message at once; got nothing");
    }
    for (nanoseconds timeout : {999'999'999ns, 1'999'999'999ns}) {
      std::string n = std::to_string(timeout.count());
      bool sent = answer_of("send_for(" + n + " ns) with room in the queue", einval,
                            [&] { return q.send_for(to_bytes("t" + n), 3, timeout); });
      CHILD_REQUIRE(sent, "B4.1: send_for(" + n + " ns) with room must send at once");
    }
  });
  EXPECT_CHILD_OK(calls);
  EXPECT_EQ(take_all(q), "priority 3 \"t999999999\", priority 3 \"t1999999999\"");
}

TEST_F(MqBlockingHidden, B4_12_NanosecondsOutsideTheRangeAreEinvalNotATimeout) {
  Queue q = make(1);
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  EXPECT_TRUE(fails_with("mq_timedreceive", "EINVAL", [&] {
    q.receive_until(timespec{now.tv_sec + 1, 1'000'000'001});
  })) << "B4.12: tv_nsec = 1000000001 is out of range, and the timespec is passed unchanged";
  EXPECT_TRUE(fails_with("mq_timedreceive", "EINVAL", [&] {
    q.receive_until(timespec{now.tv_sec + 1, -1});
  })) << "B4.12: tv_nsec = -1 is out of range, and the timespec is passed unchanged";
  std::optional<Received> r;
  EXPECT_NO_THROW(r = q.receive_until(timespec{now.tv_sec - 1, 999'999'999}))
      << "B4.12: tv_nsec = 999999999 is in range: a second ago, a timeout";
  EXPECT_EQ(describe(r), "nothing") << "B4.12: a valid deadline a second ago times out at once";
}

TEST_F(MqBlockingHidden, B4_15_ARelativeTimespecTimesOutAtOnceWhateverItsSize) {
  Queue q = make(1);
  ChildProcess receiver("receiver", [&] {
    for (timespec relative : {timespec{0, 999'999'999}, timespec{3, 0}}) {
      std::string text =
          "{" + std::to_string(relative.tv_sec) + ", " + std::to_string(relative.tv_nsec) + "}";
      auto start = steady_clock::now();
      auto r = answer_of("receive_until(timespec" + text + ")",
                         "B4.15: a relative timespec is a valid moment in 1970: a timeout",
                         [&] { return q.receive_until(relative); });
      child_expect(r, "nothing", "B4.15: receive_until(timespec" + text + ") on an empty queue");
      CHILD_REQUIRE(steady_clock::now() - start < testing::scaled(1s),
                    "B4.15: receive_until(timespec" + text + ") waited " +
                        ms(steady_clock::now() - start) +
                        ": the timespec must go to mq_timedreceive unchanged, and as a moment in "
                        "1970 it has long passed");
    }
  });
  EXPECT_CHILD_OK(receiver);
}

TEST_F(MqBlockingHidden, B4_16_SendWithTimeoutZeroOrNWaitsInTheKernelUntilThereIsRoom) {
  Queue q = make(2);
  ChildProcess quick("sender", [&] {
    CHILD_REQUIRE(answer_of("send_with_timeout(..., 0) with room", "B4.16: there is room",
                            [&] { return q.send_with_timeout(to_bytes("zero"), 1, 0); }),
                  "B4.16: send_with_timeout(0) with room sends at once");
    CHILD_REQUIRE(answer_of("send_with_timeout(..., 3) with room", "B4.16: there is room",
                            [&] { return q.send_with_timeout(to_bytes("three"), 3, 3); }),
                  "B4.16: send_with_timeout(3) with room sends at once");
  });
  ASSERT_CHILD_OK(quick) << "\nB4.16: with room, these sends need no wait";
  ASSERT_EQ(queued(q), 2) << "B4.16: both sends went in";
  const auto thirty = static_cast<unsigned>(
      std::chrono::duration_cast<std::chrono::seconds>(testing::scaled(30s)).count());
  // 0 is a plain blocking send; 30 a send_for: both wait asleep in the kernel.
  std::string taken = "priority 3 \"three\"";
  for (unsigned seconds : {0u, thirty}) {
    const std::string call = "send_with_timeout(..., " + std::to_string(seconds) + ")";
    const std::string text = "waited " + std::to_string(seconds);
    const unsigned priority = seconds == 0 ? 4 : 5;
    ChildProcess sender("sender", [&] {
      CHILD_REQUIRE(
          answer_of(call, "B4.16: room appears while it waits",
                    [&] { return q.send_with_timeout(to_bytes(text), priority, seconds); }),
          "B4.16: " + call + " must send once there is room");
    });
    ASSERT_TRUE(sleeps_in(sender, "mq_timedsend"))
        << "B4.16: " << call
        << " on a full queue must wait in the kernel (mq_timedsend): 0 waits for ever, N up to N "
           "seconds; not return, sleep and try again, or poll";
    ASSERT_EQ(describe(raw_take(q)), taken);  // make room
    EXPECT_CHILD_OK(sender);
    taken = "priority " + std::to_string(priority) + " \"" + text + "\"";
  }
  EXPECT_EQ(take_all(q), taken + ", priority 1 \"zero\"")
      << "B4.16: each waiting message went in with its priority";
}

TEST_F(MqBlockingHidden, B4_17_ReceiveWithTimeoutZeroOrNWaitsInTheKernelUntilAMessageComes) {
  Queue q = make(2, 300);
  raw_send(q, "waiting already", 2);
  ChildProcess quick("receiver", [&] {
    child_expect(answer_of("receive_with_timeout(5) with a message queued",
                           "B4.17: a message is there", [&] { return q.receive_with_timeout(5); }),
                 "priority 2 \"waiting already\"",
                 "B4.17: receive_with_timeout(5) returns a queued message at once");
  });
  ASSERT_CHILD_OK(quick) << "\nB4.17: with a message queued, this receive needs no wait";
  const auto thirty = static_cast<unsigned>(
      std::chrono::duration_cast<std::chrono::seconds>(testing::scaled(30s)).count());
  // 0 is a plain blocking receive; 30 a receive_for: both wait asleep in the kernel.
  for (unsigned seconds : {0u, thirty}) {
    const std::string call = "receive_with_timeout(" + std::to_string(seconds) + ")";
    const Received big{hidden::pattern(300, seconds + 17), seconds + 8};
    ChildProcess receiver("receiver", [&] {
      auto r = answer_of(call, "B4.17: a message arrives while it waits",
                         [&] { return q.receive_with_timeout(seconds); });
      CHILD_REQUIRE(hidden::same(r, big), "B4.17: " + call +
                                              " returns the whole message that arrives (a buffer "
                                              "of mq_msgsize = 300 bytes): expected " +
                                              describe(big) + ", got " + describe(r));
    });
    ASSERT_TRUE(sleeps_in(receiver, "mq_timedreceive"))
        << "B4.17: " << call
        << " on an empty queue must wait in the kernel (mq_timedreceive): 0 waits for ever, N up "
           "to N seconds; not return, sleep and try again, or poll";
    raw_send(q, big.payload, big.priority);
    EXPECT_CHILD_OK(receiver);
  }
  EXPECT_EQ(queued(q), 0);
}

}  // namespace
}  // namespace ipclab::mq_blocking
