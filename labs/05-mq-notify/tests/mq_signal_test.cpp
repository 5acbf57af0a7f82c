// Lab 05 public tests: signal notification, one shot, draining, one
// registration per queue, and what removes a registration (B5.1 – B5.9).
// Every test that registers for a signal does it in a child process: a signal
// blocked or left pending in the test process would reach the next test.
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "ipclab/bytes.hpp"
#include "mq_fixture.hpp"

namespace ipclab::mq_notify {
namespace {

using namespace std::chrono_literals;
using testing::blocked_in;
using testing::ChildProcess;
using testing::Event;
using testing::PausingChild;

/// In a child: the text of a signal notification, for a message.
std::string describe(const std::optional<SignalNotification>& got) {
  if (!got) {
    return "no signal";
  }
  return "signal " + std::to_string(got->signo) + ", si_code " + std::to_string(got->code) +
         ", value " + std::to_string(got->value) + ", from pid " + std::to_string(got->sender_pid);
}

TEST_F(MqNotify, B5_1_AMessageOnAnEmptyQueueSendsTheSignal) {
  Queue q = make();
  Event ready("the child registered");
  const pid_t sender = ::getpid();
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 42);
    ready.notify();
    auto got = wait_for_signal(SIGUSR1, testing::scaled(5s));
    CHILD_REQUIRE(got && got->signo == SIGUSR1 && got->code == SI_MESGQ && got->value == 42 &&
                      got->sender_pid == sender && got->sender_uid == ::getuid(),
                  "B5.1: expected SIGUSR1 with si_code SI_MESGQ, value 42, from pid " +
                      std::to_string(sender) + "; got " + describe(got));
  });
  ASSERT_TRUE(ready.wait_for(listener)) << "B5.1";
  raw_send(q, "hello");
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotify, B5_2_WaitForSignalTakesOnlyItsSignalOrTimesOut) {
  ChildProcess waiter("waiter", [&] {
    block(SIGUSR1);
    block(SIGUSR2);
    auto none = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(!none, "B5.2: nothing pending and no time to wait: std::nullopt, got " +
                             describe(none));
    ::kill(::getpid(), SIGUSR2);
    ::kill(::getpid(), SIGUSR1);
    auto got = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(got && got->signo == SIGUSR1 && got->code == SI_USER,
                  "B5.2: the pending SIGUSR1 (sent by kill) is taken, got " + describe(got));
    CHILD_REQUIRE(pending(SIGUSR2), "B5.2: SIGUSR2 is not waited for: it stays pending");
  });
  EXPECT_CHILD_OK(waiter);
}

TEST_F(MqNotify, B5_3_ARegistrationFiresOnce) {
  Queue q = make();
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    raw_send(q, "first");
    CHILD_REQUIRE(wait_for_signal(SIGUSR1, testing::scaled(5s)), "B5.3: the first message signals");
    CHILD_REQUIRE(::mq_receive(q.native(), std::vector<char>(64).data(), 64, nullptr) == 5,
                  "the test empties the queue");
    raw_send(q, "second");
    // The kernel signals inside mq_send: had it signalled, the signal would be pending now.
    auto again = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(!again, "B5.3: the registration was used up; got " + describe(again));
    CHILD_REQUIRE(!registered(q), "B5.3: after one notification nobody is registered");
  });
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotify, B5_4_AMessageOnANonEmptyQueueNotifiesNobody) {
  Queue q = make();
  raw_send(q, "already there");
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    raw_send(q, "another");
    auto got = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(!got, "B5.4: the queue was not empty: no notification, got " + describe(got));
  });
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotify, B5_4_DrainTakesEveryMessageInPriorityOrderWithoutWaiting) {
  Queue q = make();
  raw_send(q, "low", 1);
  raw_send(q, "high", 5);
  raw_send(q, "", 3);
  ChildProcess drainer("drainer", [&] {
    std::string order;
    std::size_t count = q.drain([&](const Message& m) {
      order += "[" + std::to_string(m.priority) + " " + to_string(m.payload) + "]";
    });
    CHILD_REQUIRE(count == 3 && order == "[5 high][3 ][1 low]",
                  "B5.4: expected 3 messages [5 high][3 ][1 low], got " + std::to_string(count) +
                      " " + order);
  });
  EXPECT_TRUE(testing::finishes_without_blocking_in(
      drainer, {"mq_timedreceive"}, "B5.4: drain must stop when the queue is empty, not wait"));
  EXPECT_EQ(q.queued(), 0) << "B5.4: nothing left";
}

TEST_F(MqNotify, B5_5_RearmAndDrainEmptiesTheQueueAndStaysArmed) {
  Queue q = make();
  ChildProcess listener("listener", [&] {
    q.notify_by_signal(SIGUSR1, 7);
    raw_send(q, "a");
    raw_send(q, "b");
    CHILD_REQUIRE(wait_for_signal(SIGUSR1, testing::scaled(5s)), "B5.1: the first message signals");
    std::size_t handled = q.rearm_and_drain(SIGUSR1, 7, [](const Message&) {});
    CHILD_REQUIRE(handled == 2, "B5.5: both messages handled, got " + std::to_string(handled));
    CHILD_REQUIRE(registered(q), "B5.5: after a round the listener is registered again");
    raw_send(q, "c");
    auto got = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(got && got->value == 7, "B5.5: the next message signals again, got " +
                                              describe(got));
  });
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotify, B5_6_OneRegistrationPerQueue) {
  Queue q = make();
  PausingChild owner("owner", [&] {
    q.notify_none();
    CHILD_REQUIRE(testing::fails_with("mq_notify", "EBUSY", [&] { q.notify_by_signal(SIGUSR1, 1); }),
                  "B5.6: registering again from the registered process is EBUSY");
  });
  ASSERT_TRUE(owner.paused()) << "B5.6";
  ChildProcess other("other", [&] {
    CHILD_REQUIRE(testing::fails_with("mq_notify", "EBUSY", [&] { q.notify_none(); }),
                  "B5.6: registering while another process is registered is EBUSY");
    q.cancel_notification();  // not ours: changes nothing, and does not fail
  });
  EXPECT_CHILD_OK(other);
  EXPECT_TRUE(registered(q)) << "B5.6: a cancel from another process leaves the registration";
  owner.go_on();
  EXPECT_CHILD_OK(owner);
}

TEST_F(MqNotify, B5_6_CancelRemovesTheCallersRegistration) {
  Queue q = make();
  ChildProcess owner("owner", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    q.cancel_notification();
    CHILD_REQUIRE(!registered(q), "B5.6: cancel_notification removes the registration");
    q.cancel_notification();  // nobody registered: nothing to do, no error
    raw_send(q, "x");
    CHILD_REQUIRE(!wait_for_signal(SIGUSR1, 0ns), "B5.6: no signal after cancelling");
  });
  EXPECT_CHILD_OK(owner);
}

TEST_F(MqNotify, B5_7_ABlockedReceiverWinsTheMessage) {
  Queue q = make();
  ChildProcess receiver("receiver", [&] {
    char buffer[64];
    CHILD_REQUIRE(::mq_receive(q.native(), buffer, sizeof buffer, nullptr) == 3,
                  "the receiver gets the message");
  });
  PausingChild listener("listener", [&] { q.notify_by_signal(SIGUSR1, 1); }, [&] {
    auto got = wait_for_signal(SIGUSR1, 0ns);
    CHILD_REQUIRE(!got, "B5.7: a blocked receiver took the message: no signal, got " +
                            describe(got));
    CHILD_REQUIRE(registered(q), "B5.7: and the registration is still in place");
  });
  ASSERT_TRUE(listener.paused()) << "B5.7";
  ASSERT_TRUE(blocked_in(receiver, {"mq_timedreceive"})) << "B5.7: the receiver waits first";
  raw_send(q, "hey");
  EXPECT_CHILD_OK(receiver);
  listener.go_on();
  EXPECT_CHILD_OK(listener);
}

TEST_F(MqNotify, B5_8_ClosingAnyDescriptorOrExitingDisarms) {
  Queue q = make();
  ChildProcess closer("closer", [&] {
    q.notify_by_signal(SIGUSR1, 1);
    { Queue::open(name_); }  // another descriptor of the queue, opened and closed
    CHILD_REQUIRE(!registered(q), "B5.8: closing another descriptor removed the registration");
    q.notify_none();  // then exit without cancelling
  });
  EXPECT_CHILD_OK(closer);
  EXPECT_FALSE(registered(q)) << "B5.8: the registered process's exit removes its registration";
}

TEST_F(MqNotify, B5_9_SigevNoneNeverNotifiesButHoldsThePlace) {
  Queue q = make();
  ChildProcess holder("holder", [&] {
    block(SIGUSR1);
    q.notify_none();
    CHILD_REQUIRE(registered(q), "B5.9: SIGEV_NONE is a registration: it holds the place");
    raw_send(q, "x");
    CHILD_REQUIRE(!pending(SIGUSR1), "B5.9: SIGEV_NONE sends nothing");
    CHILD_REQUIRE(!registered(q), "B5.9: the message on the empty queue used it up (B5.3)");
  });
  EXPECT_CHILD_OK(holder);
}

}  // namespace
}  // namespace ipclab::mq_notify
