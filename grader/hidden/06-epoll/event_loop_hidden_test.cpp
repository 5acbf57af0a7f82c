// Lab 06 hidden tests: the event loop, timerfd, signalfd and the queue calls
// (B6.1 – B6.9): events passed through exactly, a failed add that changes
// nothing, an edge-triggered reader that takes everything, a number reused in
// the middle of a batch, a loop that sleeps, timers read late, signals that
// must not kill, and full-size messages.
#include <signal.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "epoll_fixture.hpp"

namespace ipclab::epoll {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::fails_with;

class EventLoopHidden : public EpollTest {};

/// The "clockid:" line of a timerfd's /proc/self/fdinfo entry (1 is CLOCK_MONOTONIC).
long clock_of(int fd) {
  std::ifstream info("/proc/self/fdinfo/" + std::to_string(fd));
  std::string key;
  while (info >> key) {
    if (key == "clockid:") {
      long id = -1;
      info >> id;
      return id;
    }
  }
  return -1;
}

TEST_F(EventLoopHidden, B6_1_TheCallbackGetsExactlyTheEventsThatOccurred) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd mine(pair[0]);
  UniqueFd theirs(pair[1]);
  put(theirs.get(), "x");
  EventLoop loop;
  std::vector<std::uint32_t> seen;
  loop.add(mine.get(), EPOLLIN | EPOLLOUT, [&](std::uint32_t events) { seen.push_back(events); });
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.1: one descriptor, one callback per batch";
  loop.modify(mine.get(), EPOLLIN);
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.1: modify keeps the callback";
  loop.modify(mine.get(), EPOLLOUT);
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.1";
  std::vector<std::uint32_t> expected{EPOLLIN | EPOLLOUT, EPOLLIN, EPOLLOUT};
  EXPECT_EQ(seen, expected) << "B6.1: the events passed to add/modify decide what is reported, "
                               "and the callback gets them as epoll reported them";
}

TEST_F(EventLoopHidden, B6_2_AFailedAddChangesNothing) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  std::string called;
  loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) { called += "first "; });
  EXPECT_TRUE(fails_with("epoll_ctl", "EEXIST", [&] {
    loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) { called += "second "; });
  })) << "B6.2";
  put(pipe.write_end.get(), "x");
  loop.run_once(0);
  EXPECT_EQ(called, "first ") << "B6.2: after EEXIST the first callback is still the one called";
  int closed = ::dup(pipe.write_end.get());
  ::close(closed);
  EXPECT_TRUE(fails_with("epoll_ctl", "EBADF", [&] { loop.add(closed, EPOLLIN, [](std::uint32_t) {}); }))
      << "B6.2: a closed descriptor";
  EXPECT_FALSE(loop.watches(closed)) << "B6.2: a failed add registers nothing";
  loop.remove(pipe.read_end.get());
  EXPECT_TRUE(fails_with("epoll_ctl", "ENOENT", [&] { loop.remove(pipe.read_end.get()); }))
      << "B6.2: removing twice";
}

TEST_F(EventLoopHidden, B6_4_AnEdgeTriggeredReaderTakesEverythingAndSeesTheEnd) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  const auto data = testing::pattern(60000, 11);  // fits in a pipe (64 KiB), not in one small read
  ASSERT_EQ(::write(pipe.write_end.get(), data.data(), data.size()), 60000);
  pipe.write_end.reset();
  std::vector<std::byte> got;
  Drained drained;
  loop.add(pipe.read_end.get(), EPOLLIN | EPOLLET,
           [&](std::uint32_t) { drained = read_available(pipe.read_end.get(), got); });
  EXPECT_EQ(loop.run_once(0), 1u);
  EXPECT_EQ(got.size(), 60000u) << "B6.4: one edge, one callback: read_available must take all "
                                   "60000 bytes, reading until EAGAIN or end of file";
  EXPECT_TRUE(drained.end_of_file) << "B6.4: the writer closed: the same call sees end of file";
  EXPECT_EQ(got, data) << "B6.4: " << testing::first_difference(data, got);
}

TEST_F(EventLoopHidden, B6_4_ReadAvailableOnAnEmptyPipeReturnsAtOnce) {
  Pipe pipe = make_pipe();
  std::vector<std::byte> into{std::byte{1}};
  Drained drained = read_available(pipe.read_end.get(), into);
  EXPECT_EQ(drained.bytes, 0u) << "B6.4: nothing there: EAGAIN at once";
  EXPECT_FALSE(drained.end_of_file) << "B6.4: EAGAIN is not end of file";
  EXPECT_EQ(into.size(), 1u) << "B6.4: read_available appends, it does not replace";
}

TEST_F(EventLoopHidden, B6_5_ANumberReusedInTheMiddleOfABatchIsANewRegistration) {
  // Two ready pipes in one batch. The callback that runs first removes the
  // other pipe, closes it, puts a new empty pipe on the same number and adds
  // it. The batch still holds the old number's event: it must not reach the
  // new registration, whose pipe is empty.
  EventLoop loop;
  Pipe a = make_pipe();
  Pipe b = make_pipe();
  std::vector<Pipe> replacements;
  int old_calls = 0;
  int new_calls = 0;
  auto take_over = [&](Pipe& other) {
    ++old_calls;
    int number = other.read_end.get();
    loop.remove(number);
    other.read_end.reset();
    Pipe fresh = make_pipe();
    if (fresh.read_end.get() != number) {  // the lowest free number is usually it already
      ASSERT_EQ(::dup3(fresh.read_end.get(), number, O_CLOEXEC), number);
      fresh.read_end.reset(number);  // the same number, a new open file
    }
    loop.add(number, EPOLLIN, [&](std::uint32_t) { ++new_calls; });
    replacements.push_back(std::move(fresh));
  };
  loop.add(a.read_end.get(), EPOLLIN, [&](std::uint32_t) { take_over(b); });
  loop.add(b.read_end.get(), EPOLLIN, [&](std::uint32_t) { take_over(a); });
  put(a.write_end.get(), "a");
  put(b.write_end.get(), "b");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.5: only the first callback of the batch may run";
  EXPECT_EQ(old_calls, 1) << "B6.5";
  EXPECT_EQ(new_calls, 0) << "B6.5: the event of the removed descriptor went to the new "
                             "registration of the same number: identify a watch by more than its number";
  for (auto& pipe : replacements) {
    loop.remove(pipe.read_end.get());
  }
}

TEST_F(EventLoopHidden, B6_5_ACallbackThatRemovesItselfMayStillUseWhatItCaptured) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  std::string copied;
  std::string captured(1000, 'c');  // on the heap: freed with the callback if it dies early
  loop.add(pipe.read_end.get(), EPOLLIN, [&loop, &pipe, &copied, captured](std::uint32_t) {
    loop.remove(pipe.read_end.get());
    copied = captured;  // the callback object must still exist here
  });
  put(pipe.write_end.get(), "x");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.5";
  EXPECT_EQ(copied, captured) << "B6.5: the callback was destroyed while it ran";
}

TEST_F(EventLoopHidden, B6_6_RunCanBeStartedAgainAfterStop) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  int calls = 0;
  loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) {
    ++calls;
    loop.stop();
  });
  put(pipe.write_end.get(), "x");
  loop.run();
  loop.run();
  EXPECT_EQ(calls, 2) << "B6.6: each run() runs until the next stop()";
}

TEST_F(EventLoopHidden, B6_6_AnExceptionFromACallbackPassesThrough) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  loop.add(pipe.read_end.get(), EPOLLIN, [](std::uint32_t) { throw std::runtime_error("boom"); });
  put(pipe.write_end.get(), "x");
  EXPECT_THROW(loop.run_once(0), std::runtime_error) << "B6.6";
  loop.remove(pipe.read_end.get());
  EXPECT_EQ(loop.run_once(0), 0u) << "B6.6: the loop is still usable";
}

TEST_F(EventLoopHidden, B6_6_RunSleepsInEpollWait) {
  Pipe pipe = make_pipe();
  ChildProcess child("loop", [&] {
    EventLoop loop;
    loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) { loop.stop(); });
    loop.run();
  });
  ASSERT_TRUE(testing::sleeps_in(child, {"epoll_wait", "epoll_pwait", "epoll_pwait2"}))
      << "B6.6: run() waits in epoll_wait with no timeout, never polls";
  put(pipe.write_end.get(), "x");
  EXPECT_CHILD_OK(child) << "B6.6: stop() from a callback ends run()";
}

TEST_F(EventLoopHidden, B6_7_ALateReaderGetsEveryExpiration) {
  Timer timer;
  timer.start_periodic(1ms);
  let_time_pass(50ms);
  std::uint64_t count = timer.expirations();
  EXPECT_GE(count, 50u) << "B6.7: 50 ms of a 1 ms timer: read the 8-byte count, do not count "
                           "each read as one";
  EXPECT_LE(count, 50u + static_cast<std::uint64_t>(testing::scaled(5000ms).count()))
      << "B6.7: more expirations than time passed";
  Timer once;
  once.start_once(1ms);
  let_time_pass(10ms);
  EXPECT_EQ(once.expirations(), 1u) << "B6.7: a one-shot timer, read late, expired once";
  EXPECT_EQ(once.expirations(), 0u) << "B6.7: reading resets the count";
}

TEST_F(EventLoopHidden, B6_7_TheFirstExpiryIsOneIntervalAway) {
  Timer timer;
  timer.start_periodic(1h);
  let_time_pass(20ms);
  EXPECT_EQ(timer.expirations(), 0u) << "B6.7: a periodic timer first expires after one interval";
  EXPECT_EQ(clock_of(timer.fd()), static_cast<long>(CLOCK_MONOTONIC))
      << "B6.7: CLOCK_MONOTONIC, which a change of the date does not move";
}

TEST_F(EventLoopHidden, B6_7_StopDisarms) {
  Timer timer;
  timer.start_periodic(1ms);
  let_time_pass(5ms);
  timer.stop();
  let_time_pass(20ms);
  EXPECT_EQ(timer.expirations(), 0u) << "B6.7: stopped: no expirations, old ones dropped";
  timer.start_once(1ms);
  let_time_pass(20ms);
  EXPECT_EQ(timer.expirations(), 1u) << "B6.7: a stopped timer can be started again";
}

TEST_F(EventLoopHidden, B6_7_ADurationMustBePositive) {
  Timer timer;
  EXPECT_THROW(timer.start_periodic(0ms), std::invalid_argument) << "B6.7";
  EXPECT_THROW(timer.start_periodic(-5ms), std::invalid_argument) << "B6.7";
  EXPECT_THROW(timer.start_once(-1ns), std::invalid_argument) << "B6.7";
  timer.start_once(2500ms + 1ns);  // seconds and nanoseconds both used
  EXPECT_EQ(timer.expirations(), 0u) << "B6.7";
}

TEST_F(EventLoopHidden, B6_8_SigtermAndSigintAreReadNotFatal) {
  testing::Event ready("the reader is ready");
  testing::Event next("the next signal may come");
  ChildProcess child("reader", [&] {
    SignalReader signals({SIGINT, SIGTERM});
    CHILD_REQUIRE(testing::is_nonblocking(signals.fd()) && testing::is_close_on_exec(signals.fd()),
                  "B6.8: SFD_NONBLOCK | SFD_CLOEXEC");
    CHILD_REQUIRE(!signals.read().has_value(), "B6.8: nothing pending: std::nullopt at once");
    EventLoop loop;
    std::vector<SignalInfo> got;
    loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) {
      while (auto info = signals.read()) {
        got.push_back(*info);
      }
    });
    ready.notify();
    while (got.size() < 1) {
      loop.run_once(-1);
    }
    next.notify();
    while (got.size() < 2) {
      loop.run_once(-1);
    }
    CHILD_REQUIRE(got[0].signal == SIGTERM && got[1].signal == SIGINT,
                  "B6.8: expected SIGTERM, then SIGINT");
    CHILD_REQUIRE(got[0].sender == ::getppid() && got[1].sender == ::getppid(),
                  "B6.8: ssi_pid is the sender, the parent");
  });
  ASSERT_TRUE(ready.wait_for(child));
  child.kill(SIGTERM);
  ASSERT_TRUE(next.wait_for(child))
      << "B6.8: block SIGTERM (pthread_sigmask) before making the signalfd, or it kills";
  child.kill(SIGINT);
  EXPECT_CHILD_OK(child) << "B6.8";
}

TEST_F(EventLoopHidden, B6_8_RealTimeSignalsQueueWithTheirValues) {
  ChildProcess child("reader", [&] {
    SignalReader signals({SIGRTMIN + 1, SIGUSR1});
    for (int value = 1; value <= 5; ++value) {
      ::sigqueue(::getpid(), SIGRTMIN + 1, sigval{value});
      ::kill(::getpid(), SIGUSR1);
    }
    std::string got;
    while (auto info = signals.read()) {
      got += std::to_string(info->signal == SIGUSR1 ? 0 : info->value);
    }
    CHILD_REQUIRE(got == "012345", "B6.8: one SIGUSR1 (0) for five, then the five real-time "
                                   "values in order: expected 012345, got " + got);
  });
  EXPECT_CHILD_OK(child);
}

class QueueHidden : public EpollTest {
 protected:
  void TearDown() override {
    for (const auto& name : names_) {
      ::mq_unlink(name.c_str());
    }
    EpollTest::TearDown();
  }
  std::string new_queue_name() { return names_.emplace_back(mq_name("q")); }
  std::vector<std::string> names_;
};

TEST_F(QueueHidden, B6_9_TheServersEndIsExclusiveNonblockingAndReadOnly) {
  std::string name = new_queue_name();
  Queue queue = Queue::create(name, 3, 100);
  EXPECT_TRUE(testing::is_nonblocking(queue.native())) << "B6.9: O_NONBLOCK";
  EXPECT_TRUE(testing::is_close_on_exec(queue.native())) << "B6.9: O_CLOEXEC";
  EXPECT_EQ(testing::access_mode(queue.native()), "O_RDONLY") << "B6.9: the server only reads";
  QueueState state = queue.state();
  EXPECT_EQ(state.max_messages, 3) << "B6.9";
  EXPECT_EQ(state.message_size, 100) << "B6.9";
  EXPECT_TRUE(fails_with("mq_open", "EEXIST", [&] { Queue::create(name, 3, 100); }))
      << "B6.14: O_EXCL";
}

TEST_F(QueueHidden, B6_9_MessagesOfEverySizeComeWhole) {
  std::string name = new_queue_name();
  Queue queue = Queue::create(name, 4, 300);
  std::string full(300, 'f');
  full[10] = '\0';  // bytes, not a C string
  std::vector<Message> messages{{full, 2}, {"", 1}, {"short", 3}};
  send_messages(name, messages);
  EXPECT_EQ(queue.state().current_messages, 3) << "B6.9";
  std::vector<std::string> got;
  while (auto message = queue.try_receive()) {
    got.push_back(std::to_string(message->priority) + ":" + std::to_string(message->text.size()));
    if (message->priority == 2) {
      EXPECT_EQ(message->text, full) << "B6.9: every byte of a full-size message";
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"3:5", "2:300", "1:0"}))
      << "B6.9: priority order, each message its own length (a buffer of mq_msgsize)";
}

TEST_F(QueueHidden, B6_9_AClientWaitsForRoomAndDropsNothing) {
  std::string name = new_queue_name();
  Queue queue = Queue::create(name, 2, 64);
  ChildProcess client("client", [&] {
    std::vector<Message> messages;
    for (int i = 0; i < 6; ++i) {
      messages.push_back({"m" + std::to_string(i), 0});
    }
    send_messages(name, messages);
  });
  std::string got;
  for (;;) {
    // While the client has messages left it ends up waiting on the full queue;
    // each message taken then lets exactly one more in.
    bool waiting = !client.has_exited() && testing::blocked_in(client, {"mq_timedsend"});
    auto message = queue.try_receive();
    if (!message) {
      ASSERT_FALSE(waiting) << "B6.9: the client waits, yet the queue is empty";
      break;
    }
    got += message->text + " ";
  }
  EXPECT_CHILD_OK(client) << "B6.9: a full queue is no error for the client: it waits";
  EXPECT_EQ(got, "m0 m1 m2 m3 m4 m5 ") << "B6.9: every message, once, in order";
}

}  // namespace
}  // namespace ipclab::epoll
