// Lab 05 hidden tests, signals and draining (B5.1 – B5.9): the value and the
// sender carried whole, any signal number, the signal blocked before the
// registration exists, a synchronous wait that sleeps and survives EINTR,
// EBUSY thrown in every case, drains that never wait, and the re-arm race made
// to happen on every run by the mq_notify interposer.
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "hidden_support.hpp"

namespace ipclab::mq_notify {
namespace {

using namespace std::chrono_literals;
using hidden::describe;
using testing::blocked_in;
using testing::ChildProcess;
using testing::Event;
using testing::PausingChild;

TEST_F(MqNotifyHidden, B5_1_AnySignalAndItsValueArriveWhole) {
  Queue q = make();
  Event ready("the listener registered");
  const int signo = SIGRTMIN + 3;
  const int value = 0x5eed0000 + (::getpid() & 0xffff);
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(signo, value);
    ready.notify();
    auto got = wait_for_signal(signo, testing::scaled(5s));
    CHILD_REQUIRE(got && got->signo == signo && got->code == SI_MESGQ && got->value == value,
                  "B5.1: expected signal " + std::to_string(signo) + " with si_code SI_MESGQ (" +
                      std::to_string(SI_MESGQ) + ") and value " + std::to_string(value) +
                      "; got " + describe(got) +
                      " (a handler installed without SA_SIGINFO gets no siginfo_t: the value is "
                      "lost)");
  });
  ASSERT_TRUE(ready.wait_for(listener)) << "B5.1";
  raw_send(q, "hello");
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotifyHidden, B5_1_TheSenderIsTheProcessThatSent) {
  Queue q = make();
  Event ready("the listener registered");
  Event sender_pid_known("the sender's pid is written");
  int pid_pipe[2];
  ASSERT_EQ(::pipe(pid_pipe), 0);
  UniqueFd pid_in(pid_pipe[0]);
  UniqueFd pid_out(pid_pipe[1]);
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR2, 5);
    ready.notify();
    auto got = wait_for_signal(SIGUSR2, testing::scaled(5s));
    pid_t sender = 0;
    CHILD_REQUIRE(::read(pid_in.get(), &sender, sizeof sender) == sizeof sender, "the test's pipe");
    CHILD_REQUIRE(got && got->sender_pid == sender && got->sender_uid == ::getuid(),
                  "B5.1: expected the sender's pid " + std::to_string(sender) + " and uid " +
                      std::to_string(::getuid()) + "; got " + describe(got));
  });
  ASSERT_TRUE(ready.wait_for(listener)) << "B5.1";
  ChildProcess sender("sender", [&] { hidden::raw_send(q.native(), "x"); });
  pid_t sender_pid = sender.pid();
  ASSERT_EQ(::write(pid_out.get(), &sender_pid, sizeof sender_pid), static_cast<ssize_t>(sizeof sender_pid));
  EXPECT_CHILD_OK(sender);
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotifyHidden, B5_1_TheSignalIsBlockedBeforeTheRegistrationExists) {
  Queue q = make();
  ChildProcess listener("listener", [&] {
    // A message arrives the instant the registration exists, before
    // notify_by_signal has returned: SIGUSR1 must already be blocked, or its
    // default action ends this process.
    hidden::arm_notify_hook(hidden::run_after([&] { hidden::raw_send(q.native(), "instant"); }));
    q.notify_by_signal(SIGUSR1, 9);
    CHILD_REQUIRE(hidden::notify_hook_thread() != 0,
                  "B5.1: notify_by_signal must register with mq_notify(3)");
    auto got = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(got && got->value == 9, "B5.1: the notification waits, pending, for "
                                          "wait_for_signal; got " + describe(got));
  });
  auto result = listener.wait();
  EXPECT_TRUE(testing::exited_ok(result))
      << "B5.1: " << result.describe()
      << (result.signal == SIGUSR1
              ? "\nB5.1: the notification arrived while SIGUSR1 was not blocked yet: block the "
                "signal first, then register"
              : "");
}

TEST_F(MqNotifyHidden, B5_2_WaitForSignalSleepsUntilTheSignal) {
  Queue q = make();
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 3);
    auto got = wait_for_signal(SIGUSR1, testing::scaled(10s));
    CHILD_REQUIRE(got && got->value == 3, "B5.2: expected the notification, got " + describe(got));
  });
  ASSERT_TRUE(blocked_in(listener, {"rt_sigtimedwait"}))
      << "B5.2: wait_for_signal must wait in sigtimedwait (rt_sigtimedwait)";
  raw_send(q, "now");
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotifyHidden, B5_2_ATimeoutIsNulloptAfterTheTime) {
  ChildProcess waiter("waiter", [&] {
    hidden::block(SIGUSR1);
    auto start = std::chrono::steady_clock::now();
    auto got = wait_for_signal(SIGUSR1, 60ms);
    auto took = std::chrono::steady_clock::now() - start;
    CHILD_REQUIRE(!got, "B5.2: no signal came: std::nullopt, got " + describe(got));
    CHILD_REQUIRE(took >= 60ms, "B5.2: it returned before the 60 ms were over");
  });
  EXPECT_CHILD_OK(waiter);
}

TEST_F(MqNotifyHidden, B5_2_AnInterruptionWaitsAgain) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanDefersSignalHandlers;
  }
  Queue q = make();
  Event handled("the listener handled SIGUSR2");
  ChildProcess listener("listener", [&] {
    testing::notify_on_signal(SIGUSR2, handled, /*restart=*/false);
    q.notify_by_signal(SIGUSR1, 4);
    auto got = wait_for_signal(SIGUSR1, testing::scaled(10s));
    CHILD_REQUIRE(got && got->value == 4,
                  "B5.2: after EINTR the wait goes on; expected the notification, got " +
                      describe(got));
  });
  ASSERT_TRUE(blocked_in(listener, {"rt_sigtimedwait"})) << "B5.2";
  listener.kill(SIGUSR2);
  ASSERT_TRUE(handled.wait_for(listener)) << "B5.2: the handler ran";
  ASSERT_TRUE(blocked_in(listener, {"rt_sigtimedwait"})) << "B5.2: EINTR, then waiting again";
  raw_send(q, "after");
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotifyHidden, B5_3_AnotherProcessMayRegisterAfterTheNotification) {
  Queue q = make();
  Event ready("the first listener registered");
  Event second_done("the second listener registered");
  ChildProcess first("first", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    ready.notify();
    CHILD_REQUIRE(wait_for_signal(SIGUSR1, testing::scaled(5s)), "B5.1: the first message signals");
    second_done.wait_or_fail();
    auto again = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(!again, "B5.3: one registration, one notification; got " + describe(again));
  });
  ASSERT_TRUE(ready.wait_for(first)) << "B5.3";
  raw_send(q, "one");
  ChildProcess second("second", [&] {
    char buffer[64];
    // Wait until the first listener's registration has been used: the queue
    // holds "one", and the kernel dropped the registration when it signalled.
    CHILD_REQUIRE(::mq_receive(q.native(), buffer, sizeof buffer, nullptr) == 3, "the test");
    q.notify_by_signal(SIGUSR2, 2);  // the place is free again
    hidden::raw_send(q.native(), "two");
    auto got = wait_for_signal(SIGUSR2, 0ns);
    CHILD_REQUIRE(got && got->value == 2, "B5.3: now the second process is notified, got " +
                                              describe(got));
  });
  EXPECT_CHILD_OK(second) << "B5.3: after a notification another process may register";
  second_done.notify();
  EXPECT_CHILD_OK(first);
}

TEST_F(MqNotifyHidden, B5_4_DrainNeverWaitsAndTakesWholeMessages) {
  Queue q = make(6, 300);
  const auto big = testing::pattern(300, 7);
  ASSERT_EQ(::mq_send(q.native(), reinterpret_cast<const char*>(big.data()), big.size(), 2), 0);
  raw_send(q, "", 9);
  raw_send(q, "", 0);
  raw_send(q, "mid", 4);
  ChildProcess drainer("drainer", [&] {
    std::vector<Message> got;
    std::size_t count = q.drain([&](const Message& m) { got.push_back(m); });
    std::string order;
    for (const auto& m : got) {
      order += "[" + std::to_string(m.priority) + " " + testing::show(m.payload) + "]";
    }
    CHILD_REQUIRE(count == 4 && got.size() == 4,
                  "B5.4: four messages (two of zero bytes) are four; drain returned " +
                      std::to_string(count) + " after " + order);
    CHILD_REQUIRE(got[0].priority == 9 && got[0].payload.empty() && got[1].priority == 4 &&
                      got[2].priority == 2 && got[2].payload == big && got[3].priority == 0,
                  "B5.4: highest priority first, every byte of the 300-byte one; got " + order);
    CHILD_REQUIRE(q.drain([](const Message&) {}) == 0, "B5.4: an empty queue drains 0 at once");
  });
  EXPECT_TRUE(testing::finishes_without_blocking_in(
      drainer, {"mq_timedreceive"},
      "B5.4: drain must never wait, even on a blocking descriptor: it stops when the queue is "
      "empty"));
  EXPECT_EQ(queued(q), 0) << "B5.4: nothing left";
}

TEST_F(MqNotifyHidden, B5_4_ANotificationIsFollowedByAFullDrain) {
  Queue q = make();
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    hidden::raw_send(q.native(), "a", 1);
    hidden::raw_send(q.native(), "b", 1);
    hidden::raw_send(q.native(), "c", 1);
    CHILD_REQUIRE(wait_for_signal(SIGUSR1, testing::scaled(5s)), "B5.1: one signal for three");
    std::string texts;
    std::size_t handled =
        q.rearm_and_drain(SIGUSR1, 1, [&](const Message& m) { texts += to_string(m.payload); });
    CHILD_REQUIRE(handled == 3 && texts == "abc",
                  "B5.4: one notification, three messages: all are drained, got \"" + texts +
                      "\"");
  });
  EXPECT_CHILD_OK(listener);
  EXPECT_EQ(queued(q), 0) << "B5.4";
}

TEST_F(MqNotifyHidden, B5_5_ReArmBeforeDrainingCatchesALateMessage) {
  Queue q = make();
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    hidden::raw_send(q.native(), "first");
    CHILD_REQUIRE(wait_for_signal(SIGUSR1, testing::scaled(5s)), "B5.1: the first message signals");
    // A producer's message arrives just before the registration is renewed.
    hidden::arm_notify_hook(hidden::run_before([&] { hidden::raw_send(q.native(), "late"); }));
    std::string texts;
    q.rearm_and_drain(SIGUSR1, 1, [&](const Message& m) { texts += to_string(m.payload) + " "; });
    CHILD_REQUIRE(hidden::notify_hook_thread() != 0,
                  "B5.5: rearm_and_drain must register again with mq_notify(3)");
    CHILD_REQUIRE(texts == "first late ",
                  "B5.5: a message that arrived just before the new registration was left in "
                  "the queue (handled: \"" + texts + "\"). Drained first, re-armed after: the "
                  "queue is not empty, so no notification will ever come. Re-arm, then drain");
    CHILD_REQUIRE(hidden::registered(q.native()), "B5.5: armed after the round");
    hidden::raw_send(q.native(), "next");
    CHILD_REQUIRE(wait_for_signal(SIGUSR1, 0ns), "B5.5: and the next message signals");
  });
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotifyHidden, B5_6_EbusyFromAnotherProcessIsThrown) {
  Queue q = make();
  PausingChild holder("holder", [&] { q.notify_by_signal(SIGUSR1, 1); }, [&] {
    CHILD_REQUIRE(hidden::registered(q.native()), "B5.6: the holder is still registered");
  });
  ASSERT_TRUE(holder.paused()) << "B5.6";
  ChildProcess other("other", [&] {
    using testing::fails_with;
    CHILD_REQUIRE(fails_with("mq_notify", "EBUSY", [&] { q.notify_by_signal(SIGUSR2, 2); }),
                  "B5.6: notify_by_signal while another process is registered: EBUSY, thrown");
    CHILD_REQUIRE(fails_with("mq_notify", "EBUSY", [&] { q.notify_none(); }),
                  "B5.6: notify_none while another process is registered: EBUSY, thrown");
    CHILD_REQUIRE(
        fails_with("mq_notify", "EBUSY", [&] { q.notify_by_thread([](sigval) {}, sigval{}); }),
        "B5.6: notify_by_thread while another process is registered: EBUSY, thrown");
    CHILD_REQUIRE(fails_with("mq_notify", "EBUSY", [&] { q.rearm_and_drain(SIGUSR2, 2, {}); }),
                  "B5.6: rearm_and_drain while another process is registered: EBUSY, thrown");
    CHILD_REQUIRE(fails_with("mq_notify", "EBUSY", [&] { Listener refused(q, {}); }),
                  "B5.6: a Listener on a queue with a registration: EBUSY, thrown");
    CHILD_REQUIRE(fails_with("mq_notify", "EBUSY", [&] { NotificationEvents refused(q); }),
                  "B5.6: NotificationEvents on a queue with a registration: EBUSY, thrown");
    q.cancel_notification();
  });
  EXPECT_CHILD_OK(other);
  holder.go_on();
  EXPECT_CHILD_OK(holder);
}

TEST_F(MqNotifyHidden, B5_6_TheCallersOwnSecondRegistrationIsEbusy) {
  Queue q = make();
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    CHILD_REQUIRE(testing::fails_with("mq_notify", "EBUSY", [&] { q.notify_by_signal(SIGUSR1, 2); }),
                  "B5.6: registering twice from the same process is EBUSY, not a success");
    CHILD_REQUIRE(testing::fails_with("mq_notify", "EBUSY", [&] { q.notify_none(); }),
                  "B5.6: a SIGEV_NONE over it too");
    CHILD_REQUIRE(testing::fails_with("mq_notify", "EBUSY", [&] { Listener refused(q, {}); }),
                  "B5.6: and a Listener");
    hidden::raw_send(q.native(), "x");
    auto got = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(got && got->value == 1,
                  "B5.6: the first registration is still the one in place (value 1); got " +
                      describe(got));
  });
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotifyHidden, B5_9_SigevNoneKeepsOthersOutUntilAMessageComes) {
  Queue q = make();
  PausingChild holder(
      "holder",
      [&] {
        hidden::block(SIGUSR1);
        q.notify_none();
      },
      [&] { CHILD_REQUIRE(!hidden::take_pending(SIGUSR1), "B5.9: SIGEV_NONE sends no signal"); });
  ASSERT_TRUE(holder.paused()) << "B5.9";
  EXPECT_TRUE(registered(q)) << "B5.9: a SIGEV_NONE registration holds the place";
  raw_send(q, "used up");
  EXPECT_FALSE(registered(q)) << "B5.9: the message on the empty queue used it up";
  holder.go_on();
  EXPECT_CHILD_OK(holder);
}

// A negative control (listed under "controls" in grader/rubric/05-mq-notify.json, never
// run by ctest): its honest outcome is a failure whatever the lab's code does,
// it is worth nothing and no report lists it. If it passes, the test process
// wrote its own report, and the grader voids the lab's verdicts.
TEST_F(MqNotifyHidden, B5_4_DrainLeavesNothingBehind) {
  auto marker = scratch_path("after-b5-4-");
  EXPECT_EQ(::access(marker.c_str(), F_OK), 0) << "B5.4: expected the drained queue to be empty";
}

}  // namespace
}  // namespace ipclab::mq_notify
