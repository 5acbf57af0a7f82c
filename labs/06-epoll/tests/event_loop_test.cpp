// Lab 06 public tests: the event loop, timerfd, signalfd and a queue in the
// loop (B6.1 – B6.9).
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "epoll_fixture.hpp"

namespace ipclab::epoll {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::fails_with;

class EventLoopTest : public EpollTest {};

TEST_F(EventLoopTest, B6_1_TheCallbackOfAReadyDescriptorIsCalled) {
  EventLoop loop;
  EXPECT_TRUE(testing::is_close_on_exec(loop.native())) << "B6.1: use epoll_create1(EPOLL_CLOEXEC)";
  Pipe pipe = make_pipe();
  std::vector<std::uint32_t> seen;
  loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t events) { seen.push_back(events); });
  EXPECT_TRUE(loop.watches(pipe.read_end.get())) << "B6.1: watched after add";
  EXPECT_EQ(loop.run_once(0), 0u) << "B6.1: an empty pipe is not ready";
  put(pipe.write_end.get(), "x");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.1: one ready descriptor, one callback";
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], static_cast<std::uint32_t>(EPOLLIN)) << "B6.1: the callback gets the events";
  loop.remove(pipe.read_end.get());
  EXPECT_FALSE(loop.watches(pipe.read_end.get())) << "B6.1: not watched after remove";
  EXPECT_EQ(loop.run_once(0), 0u) << "B6.1: a removed descriptor is not reported";
}

TEST_F(EventLoopTest, B6_1_ModifyChangesTheEventsAndKeepsTheCallback) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  int calls = 0;
  loop.add(pipe.write_end.get(), EPOLLIN, [&](std::uint32_t events) {
    ++calls;
    EXPECT_EQ(events, static_cast<std::uint32_t>(EPOLLOUT)) << "B6.1";
  });
  EXPECT_EQ(loop.run_once(0), 0u) << "B6.1: a write end is never readable";
  loop.modify(pipe.write_end.get(), EPOLLOUT);
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.1: an empty pipe has room: EPOLLOUT";
  EXPECT_EQ(calls, 1) << "B6.1: modify keeps the callback";
}

TEST_F(EventLoopTest, B6_2_MistakesAreEpollCtlErrors) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  loop.add(pipe.read_end.get(), EPOLLIN, [](std::uint32_t) {});
  EXPECT_TRUE(fails_with("epoll_ctl", "EEXIST",
                         [&] { loop.add(pipe.read_end.get(), EPOLLIN, [](std::uint32_t) {}); }))
      << "B6.2: adding a descriptor twice";
  EXPECT_TRUE(fails_with("epoll_ctl", "ENOENT", [&] { loop.remove(pipe.write_end.get()); }))
      << "B6.2: removing a descriptor that is not watched";
  EXPECT_TRUE(fails_with("epoll_ctl", "ENOENT", [&] { loop.modify(pipe.write_end.get(), EPOLLOUT); }))
      << "B6.2: modifying a descriptor that is not watched";
  std::ofstream(scratch_path("file")) << "data";
  UniqueFd file(::open(scratch_path("file").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(file);
  EXPECT_TRUE(fails_with("epoll_ctl", "EPERM",
                         [&] { loop.add(file.get(), EPOLLIN, [](std::uint32_t) {}); }))
      << "B6.2: a regular file is always ready, so epoll refuses it";
  EXPECT_FALSE(loop.watches(file.get())) << "B6.2: a failed add registers nothing";
}

TEST_F(EventLoopTest, B6_3_LevelTriggeredFiresWhileDataIsUnread) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  int calls = 0;
  loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) { ++calls; });  // reads nothing
  put(pipe.write_end.get(), "unread");
  for (int round = 1; round <= 3; ++round) {
    EXPECT_EQ(loop.run_once(0), 1u) << "B6.3: round " << round << ": the data is still there";
  }
  EXPECT_EQ(calls, 3);
}

TEST_F(EventLoopTest, B6_4_EdgeTriggeredFiresOnNewArrivalsOnly) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  int calls = 0;
  loop.add(pipe.read_end.get(), EPOLLIN | EPOLLET, [&](std::uint32_t) { ++calls; });
  put(pipe.write_end.get(), "one");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.4: the arrival is an edge";
  EXPECT_EQ(loop.run_once(0), 0u) << "B6.4: unread data is no new edge";
  put(pipe.write_end.get(), "two");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.4: a new arrival is a new edge";
  EXPECT_EQ(calls, 2);
}

TEST_F(EventLoopTest, B6_4_AReaderThatReadsOnceStalls) {
  // The classic mistake, shown with the raw read(): the handler takes part of
  // what arrived, and epoll never mentions the rest again.
  EventLoop loop;
  Pipe pipe = make_pipe();
  std::string got;
  loop.add(pipe.read_end.get(), EPOLLIN | EPOLLET, [&](std::uint32_t) {
    char two[2];
    ssize_t n = ::read(pipe.read_end.get(), two, sizeof two);
    got.append(two, static_cast<std::size_t>(n > 0 ? n : 0));
  });
  put(pipe.write_end.get(), "abcdef");
  EXPECT_EQ(loop.run_once(0), 1u);
  EXPECT_EQ(loop.run_once(0), 0u) << "B6.4: four bytes wait, and no event says so";
  EXPECT_EQ(got, "ab");
}

TEST_F(EventLoopTest, B6_4_ReadAvailableDrainsToEagainAndSeesEndOfFile) {
  Pipe pipe = make_pipe();
  const auto data = testing::pattern(10000, 6);
  ASSERT_EQ(::write(pipe.write_end.get(), data.data(), data.size()), 10000);
  std::vector<std::byte> into;
  Drained first = read_available(pipe.read_end.get(), into);
  EXPECT_EQ(first.bytes, 10000u) << "B6.4: everything there, in one call";
  EXPECT_FALSE(first.end_of_file) << "B6.4: the writer is still there: EAGAIN, not end of file";
  EXPECT_EQ(into, data) << "B6.4: " << testing::first_difference(data, into);
  put(pipe.write_end.get(), "end");
  pipe.write_end.reset();
  Drained second = read_available(pipe.read_end.get(), into);
  EXPECT_EQ(second.bytes, 3u);
  EXPECT_TRUE(second.end_of_file) << "B6.4: the last writer closed: end of file";
}

TEST_F(EventLoopTest, B6_5_ACallbackMayRemoveAnotherInTheSameBatch) {
  EventLoop loop;
  Pipe a = make_pipe();
  Pipe b = make_pipe();
  int calls = 0;
  // Both are ready in the same batch; whichever runs first removes the other.
  loop.add(a.read_end.get(), EPOLLIN, [&](std::uint32_t) { ++calls; loop.remove(b.read_end.get()); });
  loop.add(b.read_end.get(), EPOLLIN, [&](std::uint32_t) { ++calls; loop.remove(a.read_end.get()); });
  put(a.write_end.get(), "a");
  put(b.write_end.get(), "b");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.5: the removed descriptor's callback must not be called";
  EXPECT_EQ(calls, 1) << "B6.5";
}

TEST_F(EventLoopTest, B6_5_ACallbackMayRemoveAndCloseItself) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  int calls = 0;
  loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) {
    ++calls;
    loop.remove(pipe.read_end.get());  // remove, then close: the rule
    pipe.read_end.reset();
  });
  put(pipe.write_end.get(), "x");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.5";
  EXPECT_EQ(loop.run_once(0), 0u) << "B6.5: gone";
  EXPECT_EQ(calls, 1);
}

TEST_F(EventLoopTest, B6_5_ARegistrationBelongsToTheOpenFileNotTheNumber) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  int number = pipe.read_end.get();
  int calls = 0;
  loop.add(number, EPOLLIN, [&](std::uint32_t) { ++calls; });
  UniqueFd copy(::dup(number));  // a second descriptor of the same open file
  pipe.read_end.reset();         // closed *without* remove: the mistake
  put(pipe.write_end.get(), "x");
  EXPECT_EQ(loop.run_once(0), 1u)
      << "B6.5: epoll still reports the closed number while the dup keeps the file open";
  EXPECT_TRUE(fails_with("epoll_ctl", "EBADF", [&] { loop.remove(number); }))
      << "B6.5: and it can no longer be removed by its number: remove before close";
  EXPECT_EQ(calls, 1);
}

TEST_F(EventLoopTest, B6_6_ACallbackMayAddADescriptor) {
  EventLoop loop;
  Pipe first = make_pipe();
  Pipe second = make_pipe();
  int second_calls = 0;
  loop.add(first.read_end.get(), EPOLLIN | EPOLLET, [&](std::uint32_t) {
    loop.add(second.read_end.get(), EPOLLIN, [&](std::uint32_t) { ++second_calls; });
  });
  put(first.write_end.get(), "x");
  put(second.write_end.get(), "y");
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.6";
  EXPECT_EQ(loop.run_once(0), 1u) << "B6.6: the descriptor added by a callback is watched";
  EXPECT_EQ(second_calls, 1);
}

TEST_F(EventLoopTest, B6_6_StopEndsRun) {
  EventLoop loop;
  Pipe pipe = make_pipe();
  int calls = 0;
  loop.add(pipe.read_end.get(), EPOLLIN, [&](std::uint32_t) {
    if (++calls == 3) {
      loop.stop();
    }
  });
  put(pipe.write_end.get(), "x");  // level-triggered: every round calls it
  loop.run();
  EXPECT_EQ(calls, 3) << "B6.6: run() returns after the batch in which stop() was called";
}

TEST_F(EventLoopTest, B6_7_APeriodicTimerCountsItsExpirations) {
  Timer timer;
  EXPECT_TRUE(testing::is_close_on_exec(timer.fd())) << "B6.7: TFD_CLOEXEC";
  EXPECT_TRUE(testing::is_nonblocking(timer.fd())) << "B6.7: TFD_NONBLOCK";
  EXPECT_EQ(timer.expirations(), 0u) << "B6.7: a disarmed timer has not expired";
  timer.start_periodic(1ms);
  Timer later;
  later.start_once(30ms);  // starts after the periodic one: 30 of its periods at least
  EventLoop loop;
  bool done = false;
  loop.add(later.fd(), EPOLLIN, [&](std::uint32_t) { done = true; });
  while (!done) {
    loop.run_once(-1);
  }
  std::uint64_t count = timer.expirations();
  EXPECT_GE(count, 30u) << "B6.7: 30 ms of a 1 ms timer, read once: every expiration counts";
  timer.stop();
  EXPECT_EQ(timer.expirations(), 0u) << "B6.7: stop() disarms and drops what was not read";
}

TEST_F(EventLoopTest, B6_7_AOneShotTimerFiresOnce) {
  Timer once;
  once.start_once(1ms);
  Timer later;
  later.start_once(20ms);
  EventLoop loop;
  bool done = false;
  loop.add(later.fd(), EPOLLIN, [&](std::uint32_t) { done = true; });
  while (!done) {
    loop.run_once(-1);
  }
  EXPECT_EQ(once.expirations(), 1u) << "B6.7: a one-shot timer expires once";
  EXPECT_THROW(once.start_once(0ms), std::invalid_argument)
      << "B6.7: a zero it_value would disarm the timer instead";
}

TEST_F(EventLoopTest, B6_8_ASignalIsReadWithItsSender) {
  testing::Event ready("the reader is ready");
  ChildProcess child("reader", [&] {
    SignalReader signals({SIGUSR1});
    EventLoop loop;
    std::optional<SignalInfo> info;
    loop.add(signals.fd(), EPOLLIN, [&](std::uint32_t) { info = signals.read(); });
    ready.notify();
    while (!info) {
      loop.run_once(-1);
    }
    CHILD_REQUIRE(info->signal == SIGUSR1, "B6.8: expected SIGUSR1, got " + std::to_string(info->signal));
    CHILD_REQUIRE(info->sender == ::getppid(), "B6.8: the sender is the parent, pid " +
                                                  std::to_string(::getppid()) + "; got " +
                                                  std::to_string(info->sender));
  });
  ASSERT_TRUE(ready.wait_for(child));
  child.kill(SIGUSR1);
  EXPECT_CHILD_OK(child) << "B6.8: block the signal first, then read it from the signalfd";
}

TEST_F(EventLoopTest, B6_8_StandardSignalsCoalesceRealTimeSignalsQueue) {
  ChildProcess child("reader", [&] {
    SignalReader signals({SIGUSR2, SIGRTMIN});
    ::kill(::getpid(), SIGUSR2);
    ::kill(::getpid(), SIGUSR2);
    ::sigqueue(::getpid(), SIGRTMIN, sigval{7});
    ::sigqueue(::getpid(), SIGRTMIN, sigval{8});
    std::string got;
    while (auto info = signals.read()) {
      got += (info->signal == SIGUSR2 ? "USR2 " : "RTMIN:" + std::to_string(info->value) + " ");
    }
    CHILD_REQUIRE(got == "USR2 RTMIN:7 RTMIN:8 ",
                  "B6.8: expected one SIGUSR2 and both SIGRTMIN in order, got " + got);
  });
  EXPECT_CHILD_OK(child);
}

TEST_F(EventLoopTest, B6_9_AQueueIsReadableWhileNotEmptyAndWritableWhileNotFull) {
  std::string name = mq_name("q");
  Queue queue = Queue::create(name, 2, 64);
  EXPECT_TRUE(testing::is_nonblocking(queue.native())) << "B6.9: the server's end is O_NONBLOCK";
  EventLoop loop;
  std::uint32_t seen = 0;
  loop.add(queue.native(), EPOLLIN | EPOLLOUT, [&](std::uint32_t events) { seen = events; });
  auto events_now = [&] {
    seen = 0;
    loop.run_once(0);
    return seen;
  };
  EXPECT_EQ(events_now(), static_cast<std::uint32_t>(EPOLLOUT)) << "B6.9: empty: room only";
  Queue::open(name).send("low", 1);
  EXPECT_EQ(events_now(), static_cast<std::uint32_t>(EPOLLIN | EPOLLOUT)) << "B6.9: one of two";
  Queue::open(name).send("high", 9);
  EXPECT_EQ(events_now(), static_cast<std::uint32_t>(EPOLLIN)) << "B6.9: full: messages only";
  auto first = queue.try_receive();
  auto second = queue.try_receive();
  ASSERT_TRUE(first && second) << "B6.9: two messages were queued";
  EXPECT_EQ(first->text + "/" + std::to_string(first->priority), "high/9") << "B6.9: priority order";
  EXPECT_EQ(second->text + "/" + std::to_string(second->priority), "low/1");
  EXPECT_FALSE(queue.try_receive().has_value()) << "B6.9: empty: std::nullopt, at once";
  unlink_queue(name);
}

}  // namespace
}  // namespace ipclab::epoll
