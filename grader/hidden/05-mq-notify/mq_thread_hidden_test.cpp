// Lab 05 hidden tests, threads (B5.5, B5.10 – B5.14): the Listener re-arms
// before draining (the race forced by the interposer), drains one at a time in
// priority order, loses nothing under bursts, stops for good (a notification
// held in flight by the interposer while stop() runs), survives a throwing
// handler; the eventfd counts notifications; and the kernel's view of a queue,
// read in a private mount of the mqueue file system.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "hidden_support.hpp"

namespace ipclab::mq_notify {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::Event;

/// What a handler saw: the messages in order ("priority:text"), and whether two calls overlapped.
class Journal {
 public:
  void add(const Message& m) {
    if (inside_.exchange(true)) {
      overlapped_ = true;
    }
    entries_.add(std::to_string(m.priority) + ":" + to_string(m.payload));
    inside_ = false;
  }
  bool wait_for(std::size_t n) {
    return entries_.wait_for(n, std::chrono::steady_clock::now() + testing::scaled(10s));
  }
  std::vector<std::string> entries() { return entries_.texts(); }
  std::string text() {
    std::string all;
    for (const auto& e : entries()) {
      all += (all.empty() ? "" : " ") + e;
    }
    return all;
  }
  [[nodiscard]] bool overlapped() const { return overlapped_; }

 private:
  std::atomic<bool> inside_{false};
  std::atomic<bool> overlapped_{false};
  testing::Collector entries_;
};

std::atomic<int> thread_value{0};
std::atomic<pid_t> thread_tid{0};
int thread_fd = -1;
void note_thread(sigval value) {
  thread_value = value.sival_int;
  thread_tid = hidden::thread_id();
  [[maybe_unused]] auto n = ::write(thread_fd, "!", 1);
}

TEST_F(MqNotifyHidden, B5_10_TheFunctionGetsTheValueOnAnotherThread) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  Event called("the function ran");
  thread_fd = called.notify_fd();
  const int value = 0x7ead + ::getpid() % 1000;
  sigval sv{};
  sv.sival_int = value;
  q.notify_by_thread(note_thread, sv);
  EXPECT_TRUE(registered(q)) << "B5.10: notify_by_thread registers";
  raw_send(q, "go");
  ASSERT_TRUE(called.wait()) << "B5.10: the function never ran";
  EXPECT_EQ(thread_value.load(), value) << "B5.10: the sigev_value reaches the function";
  EXPECT_NE(thread_tid.load(), hidden::thread_id()) << "B5.10: on a new thread";
  EXPECT_FALSE(registered(q)) << "B5.10: one shot, like every registration";
}

TEST_F(MqNotifyHidden, B5_5_TheListenerReArmsBeforeDraining) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  Journal journal;
  Listener listener(q, [&](const Message& m) { journal.add(m); });
  // When the notification thread renews the registration, a producer's message
  // arrives just before: only a listener that drains afterwards sees it.
  hidden::arm_notify_hook(hidden::run_before([&] { raw_send(q, "late"); }, /*from_another_thread=*/true));
  raw_send(q, "first");
  ASSERT_TRUE(journal.wait_for(1)) << "B5.11: the first message was never handled";
  pid_t callback = 0;
  for (auto deadline = testing::default_deadline();
       (callback = hidden::notify_hook_thread()) == 0 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_NE(callback, 0) << "B5.5: the notification thread must register again with mq_notify(3)";
  ASSERT_TRUE(hidden::thread_ended(callback)) << "B5.11: the notification thread never ended";
  EXPECT_EQ(journal.text(), "0:first 0:late")
      << "B5.5: a message that arrived just before the listener re-armed was left in the queue "
         "(" << queued(q) << " queued): with the queue never empty again, no notification comes. "
         "Re-arm, then drain";
  EXPECT_TRUE(registered(q)) << "B5.5: the listener is armed";
}

TEST_F(MqNotifyHidden, B5_11_EachDrainInPriorityOrderOneAtATime) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make(10);
  Journal journal;
  Event holding("the handler holds the first message");
  Event release("the test releases the handler");
  Listener listener(q, [&](const Message& m) {
    if (to_string(m.payload) == "hold") {
      holding.notify();
      release.wait_or_fail();
    }
    journal.add(m);
  });
  raw_send(q, "hold", 3);
  ASSERT_TRUE(holding.wait()) << "B5.11: the first message never reached the handler";
  // The queue is empty again and the listener armed: this message makes the
  // kernel start another notification thread while the handler is busy.
  for (unsigned priority : {1U, 5U, 2U, 4U, 3U}) {
    raw_send(q, "p" + std::to_string(priority), priority);
  }
  release.notify();
  ASSERT_TRUE(journal.wait_for(6)) << "B5.11: only " << journal.text() << " handled; "
                                   << queued(q) << " still queued";
  EXPECT_EQ(journal.text(), "3:hold 5:p5 4:p4 3:p3 2:p2 1:p1")
      << "B5.11: each drain hands messages out in priority order, one drain at a time";
  EXPECT_FALSE(journal.overlapped()) << "B5.11: the handler was called on two threads at once";
}

TEST_F(MqNotifyHidden, B5_11_BurstsFromManyProducersArriveExactlyOnce) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make(4);
  Journal journal;
  Listener listener(q, [&](const Message& m) { journal.add(m); });
  constexpr int kProducers = 4;
  constexpr int kEach = 150;
  testing::ProducerProcesses producers(kProducers, [&](int p) {
    Queue out = Queue::open(name_);
    for (int i = 0; i < kEach; ++i) {
      out.send(testing::numbered(p, i));
    }
  });
  EXPECT_CHILDREN_OK(producers);
  ASSERT_TRUE(journal.wait_for(kProducers * kEach))
      << "B5.11: " << journal.entries().size() << " of " << kProducers * kEach
      << " messages handled; " << queued(q) << " still queued: a notification was lost";
  std::vector<int> next(kProducers, 0);
  for (const auto& entry : journal.entries()) {
    auto text = entry.substr(entry.find(':') + 1);
    int p = std::stoi(text.substr(0, text.find('.')));
    int i = std::stoi(text.substr(text.find('.') + 1));
    ASSERT_EQ(i, next[static_cast<std::size_t>(p)])
        << "B5.11: message " << text << " handled twice, lost or out of order";
    ++next[static_cast<std::size_t>(p)];
  }
  EXPECT_EQ(queued(q), 0) << "B5.11: nothing left";
  EXPECT_FALSE(journal.overlapped()) << "B5.11: the handler was called on two threads at once";
}

TEST_F(MqNotifyHidden, B5_12_StopWaitsForARunningHandler) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  Event holding("the handler runs");
  Event release("the test releases the handler");
  std::atomic<bool> handler_done{false};
  std::atomic<bool> stop_returned{false};
  std::atomic<bool> done_when_stop_returned{false};
  Listener listener(q, [&](const Message&) {
    holding.notify();
    release.wait_or_fail();
    handler_done = true;
  });
  raw_send(q, "slow");
  ASSERT_TRUE(holding.wait()) << "B5.11";
  std::atomic<pid_t> stopper_tid{0};
  std::thread stopper([&] {
    stopper_tid = hidden::thread_id();
    listener.stop();
    done_when_stop_returned = handler_done.load();
    stop_returned = true;
  });
  while (stopper_tid == 0) {
    std::this_thread::yield();
  }
  bool waited = hidden::thread_blocked_in_or(stopper_tid, "futex", [&] { return stop_returned.load(); });
  release.notify();
  stopper.join();
  EXPECT_TRUE(waited);
  EXPECT_TRUE(done_when_stop_returned)
      << "B5.12: stop() returned while the handler was still running; it must wait for it";
  EXPECT_FALSE(registered(q)) << "B5.12: stop() removes the registration";
}

TEST_F(MqNotifyHidden, B5_12_NoHandlerRunsAfterStopReturns) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  std::atomic<bool> stop_returned{false};
  std::atomic<int> late_calls{0};
  Listener listener(q, [&](const Message&) {
    if (stop_returned) {
      ++late_calls;
    }
  });
  // The notification thread is held inside its mq_notify (re-arming) while
  // stop() runs: the kernel announced it before stop() began.
  Event in_flight("the notification thread reached mq_notify");
  Event release("the test releases the notification thread");
  hidden::arm_notify_hook(hidden::run_before(
      [&] {
        in_flight.notify();
        release.wait(testing::default_deadline());
      },
      /*from_another_thread=*/true));
  raw_send(q, "announced");
  ASSERT_TRUE(in_flight.wait()) << "B5.5: the notification thread must re-arm with mq_notify(3)";
  std::atomic<pid_t> stopper_tid{0};
  std::thread stopper([&] {
    stopper_tid = hidden::thread_id();
    listener.stop();
    stop_returned = true;
  });
  while (stopper_tid == 0) {
    std::this_thread::yield();
  }
  hidden::thread_blocked_in_or(stopper_tid, "futex", [&] { return stop_returned.load(); });
  release.notify();
  stopper.join();
  pid_t callback = hidden::notify_hook_thread();
  if (callback != 0) {
    ASSERT_TRUE(hidden::thread_ended(callback)) << "B5.12: the notification thread never ended";
  }
  EXPECT_EQ(late_calls.load(), 0)
      << "B5.12: the handler ran after stop() had returned (a notification announced before "
         "stop() must either finish before stop() returns or do nothing)";
  EXPECT_FALSE(registered(q))
      << "B5.12: a registration was left after stop(): a notification in flight re-armed after "
         "stop() had unregistered";
  ::mq_timedreceive(q.native(), std::vector<char>(64).data(), 64, nullptr, &hidden::kLongAgo);
}

TEST_F(MqNotifyHidden, B5_12_AThrowingHandlerIsReportedNeverTerminates) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  // In this process, not a child: after fork, a child of a process that already
  // used SIGEV_THREAD shares glibc's notification socket with it, and its own
  // notifications may never arrive. If an exception escapes, say so before the
  // abort ends the test.
  auto previous = std::set_terminate([] {
    const char text[] = "\nB5.12: an exception escaped a notification thread: std::terminate\n";
    [[maybe_unused]] auto n = ::write(2, text, sizeof text - 1);
    std::abort();
  });
  Queue q = make();
  Journal journal;
  std::vector<std::string> errors;
  {
    Listener listener(q, [&](const Message& m) {
      journal.add(m);
      auto text = to_string(m.payload);
      if (text == "std") {
        throw std::runtime_error("refused std");
      }
      if (text == "int") {
        throw 42;
      }
    });
    raw_send(q, "std", 3);
    raw_send(q, "int", 2);
    raw_send(q, "fine", 1);
    EXPECT_TRUE(journal.wait_for(3)) << "B5.12: after a throw the drain goes on; handled: "
                                     << journal.text();
    listener.stop();
    errors = listener.errors();
  }
  std::set_terminate(previous);
  EXPECT_EQ(errors, (std::vector<std::string>{"refused std", "unknown exception"}))
      << "B5.12: errors() reports each throw: the what() of a std::exception, else \"unknown "
         "exception\"";
  EXPECT_EQ(queued(q), 0);
}

TEST_F(MqNotifyHidden, B5_12_DestructorsUnregister) {
  Queue q = make();
  { Listener listener(q, [](const Message&) {}); }
  EXPECT_NO_THROW(q.notify_none()) << "B5.12: after ~Listener the queue takes a new registration";
  q.cancel_notification();
  { NotificationEvents events(q); }
  EXPECT_NO_THROW(q.notify_none())
      << "B5.12: after ~NotificationEvents the queue takes a new registration";
  q.cancel_notification();
  {
    Listener listener(q, [](const Message&) {});
    listener.stop();
    q.notify_none();  // ours now: the listener's destructor must not remove it
  }
  EXPECT_TRUE(registered(q))
      << "B5.12: a stopped listener's destructor removed a registration made after stop()";
  q.cancel_notification();
}

TEST_F(MqNotifyHidden, B5_13_TheEventfdCountsNotificationsNotMessages) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  NotificationEvents events(q);
  int flags = ::fcntl(events.fd(), F_GETFL);
  EXPECT_TRUE(flags != -1 && (flags & O_NONBLOCK) != 0) << "B5.13: the eventfd is non-blocking";
  EXPECT_TRUE((::fcntl(events.fd(), F_GETFD) & FD_CLOEXEC) != 0) << "B5.13: and close-on-exec";
  raw_send(q, "a");
  raw_send(q, "b");
  raw_send(q, "c");
  pollfd ready{events.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&ready, 1, static_cast<int>(testing::scaled(5s).count())), 1) << "B5.13";
  EXPECT_EQ(events.take(), 1U) << "B5.13: three messages on an empty queue: one notification";
  events.rearm();
  EXPECT_EQ(q.drain([](const Message&) {}), 3U);
  raw_send(q, "d");
  ASSERT_EQ(::poll(&ready, 1, static_cast<int>(testing::scaled(5s).count())), 1) << "B5.13";
  EXPECT_EQ(events.take(), 1U);
  events.rearm();
  EXPECT_TRUE(testing::fails_with("mq_notify", "EBUSY", [&] { events.rearm(); }))
      << "B5.6: re-arming while armed is EBUSY, thrown";
  EXPECT_EQ(q.drain([](const Message&) {}), 1U);
}

TEST_F(MqNotifyHidden, B5_14_TheParserToleratesOrderAndNewFields) {
  KernelView view = parse_kernel_view("NOTIFY_PID:17 SIGNO:12 NEWFIELD:3 NOTIFY:1 QSIZE:300");
  EXPECT_EQ(view.notify_pid, 17) << "B5.14: fields in any order";
  EXPECT_EQ(view.signo, 12);
  EXPECT_EQ(view.notify, 1);
  EXPECT_EQ(view.queued_bytes, 300UL);
  for (const char* text : {"QSIZE:1 SIGNO:0 NOTIFY_PID:0", "QSIZE:1 NOTIFY:0 NOTIFY_PID:0",
                           "NOTIFY:0 SIGNO:0 NOTIFY_PID:0", "QSIZE:x NOTIFY:0 SIGNO:0 NOTIFY_PID:0",
                           "QSIZE:1 NOTIFY:0 SIGNO:0 NOTIFY_PID:"}) {
    EXPECT_THROW(parse_kernel_view(text), std::invalid_argument)
        << "B5.14: a field missing or not a number: \"" << text << "\"";
  }
  try {
    parse_kernel_view("QSIZE:1 NOTIFY:0 SIGNO:0");
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("NOTIFY_PID"), std::string::npos)
        << "B5.14: the error names the missing field: " << error.what();
  }
}

TEST_F(MqNotifyHidden, B5_14_AMissingQueueIsEnoentWithoutAMountHint) {
  auto mount = scratch_path("mqueue");
  std::filesystem::create_directory(mount);
  try {
    kernel_view("/absent", mount);
    ADD_FAILURE() << "B5.14: no file for the queue: expected SystemError ENOENT";
  } catch (const SystemError& error) {
    EXPECT_EQ(error.error_number(), ENOENT) << "B5.14";
    EXPECT_NE(std::string(error.what()).find("absent"), std::string::npos)
        << "B5.14: the error names the file: " << error.what();
  }
}

TEST_F(MqNotifyHidden, B5_14_TheKernelShowsRegistrationsAndBytes) {
  // First the parser, which needs no mount: an unfinished lab fails here, never skips.
  ASSERT_EQ(parse_kernel_view("QSIZE:0 NOTIFY:0 SIGNO:0 NOTIFY_PID:0").notify_pid, 0) << "B5.14";
  auto mount = scratch_path("mqueue");
  std::filesystem::create_directory(mount);
  ChildProcess probe("mount probe", [&] {
    std::string why = hidden::mount_private_mqueue(mount.string());
    CHILD_REQUIRE(why.empty(), why);
  });
  auto probed = probe.wait();
  if (!probed.ok()) {
    GTEST_SKIP() << "B5.14: this machine does not let the test mount an mqueue file system in "
                    "a namespace of its own (" << probed.message
                 << "); the parser and file tests of B5.14 still ran";
  }
  ChildProcess viewer("viewer", [&] {
    CHILD_REQUIRE(hidden::mount_private_mqueue(mount.string()).empty(), "the mount worked before");
    const std::string name = "/ipclab-b5-14";
    Queue q = Queue::create(name, Limits{4, 64});  // in the child's own IPC namespace
    const pid_t self = ::getpid();
    // Reads the queue's file in another process: in this one, closing the file
    // would remove this process's registration (B5.8).
    auto from_elsewhere = [&](const std::string& what, const std::function<bool(KernelView)>& ok) {
      ChildProcess reader("reader", [&] {
        KernelView v = kernel_view(name, mount);
        CHILD_REQUIRE(ok(v), what + "; got QSIZE " + std::to_string(v.queued_bytes) + ", NOTIFY " +
                                 std::to_string(v.notify) + ", SIGNO " + std::to_string(v.signo) +
                                 ", NOTIFY_PID " + std::to_string(v.notify_pid));
      });
      auto result = reader.wait();
      CHILD_REQUIRE(result.ok(), result.describe());
    };
    from_elsewhere("B5.14: a new queue: NOTIFY_PID 0, QSIZE 0",
                   [](KernelView v) { return !v.registered() && v.queued_bytes == 0; });
    q.notify_by_signal(SIGUSR1, 1);
    from_elsewhere("B5.14: after notify_by_signal(SIGUSR1): NOTIFY_PID " + std::to_string(self) +
                       ", NOTIFY 0, SIGNO " + std::to_string(SIGUSR1),
                   [&](KernelView v) {
                     return v.notify_pid == self && v.notify == SIGEV_SIGNAL && v.signo == SIGUSR1;
                   });
    CHILD_REQUIRE(hidden::registered(q.native()), "B5.8: another process's read leaves it");
    KernelView own = kernel_view(name, mount);
    CHILD_REQUIRE(own.notify_pid == self, "B5.14: NOTIFY_PID is this process");
    CHILD_REQUIRE(!hidden::registered(q.native()),
                  "B5.8: reading the file in the registered process closed a descriptor of the "
                  "queue: the registration must be gone");
    hidden::raw_send(q.native(), "hello");
    hidden::raw_send(q.native(), "hi");
    from_elsewhere("B5.14: messages of 5 and 2 bytes: QSIZE 7 (bytes, not messages)",
                   [](KernelView v) { return v.queued_bytes == 7; });
    q.notify_none();
    from_elsewhere("B5.14: NOTIFY 1 for SIGEV_NONE",
                   [](KernelView v) { return v.notify == SIGEV_NONE && v.registered(); });
    q.cancel_notification();
    q.notify_by_thread([](sigval) {}, sigval{});
    from_elsewhere("B5.14: NOTIFY 2 and SIGNO 0 for SIGEV_THREAD",
                   [](KernelView v) { return v.notify == SIGEV_THREAD && v.signo == 0; });
    q.cancel_notification();
    unlink(name);
  });
  EXPECT_CHILD_OK(viewer);
}

}  // namespace
}  // namespace ipclab::mq_notify
