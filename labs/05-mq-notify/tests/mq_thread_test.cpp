// Lab 05 public tests: thread notification, the Listener, the eventfd bridge,
// and the kernel's view of a queue (B5.10 – B5.14).
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <sched.h>
#include <string>
#include <vector>

#include "ipclab/bytes.hpp"
#include "mq_fixture.hpp"

namespace ipclab::mq_notify {
namespace {

using namespace std::chrono_literals;

// What the notification function saw; the test waits on `seen`.
std::atomic<int> seen_value{0};
std::atomic<pid_t> seen_thread{0};
int seen_fd = -1;

void on_message(sigval value) {
  seen_value = value.sival_int;
  seen_thread = static_cast<pid_t>(::syscall(SYS_gettid));
  [[maybe_unused]] auto n = ::write(seen_fd, "!", 1);
}

TEST_F(MqNotify, B5_10_ThreadNotificationRunsTheFunctionOnANewThread) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  testing::Event called("the notification function ran");
  seen_fd = called.notify_fd();
  sigval value{};
  value.sival_int = 77;
  q.notify_by_thread(on_message, value);
  raw_send(q, "go");
  ASSERT_TRUE(called.wait()) << "B5.10: the function never ran after a message arrived";
  EXPECT_EQ(seen_value.load(), 77) << "B5.10: the function gets the sigev_value";
  EXPECT_NE(seen_thread.load(), static_cast<pid_t>(::syscall(SYS_gettid)))
      << "B5.10: it runs on a thread of its own";
}

TEST_F(MqNotify, B5_11_TheListenerHandlesEveryMessageOnce) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make(4);
  raw_send(q, "early-low", 1);
  raw_send(q, "early-high", 2);
  testing::Collector inbox;
  Listener listener(q, [&](const Message& m) { inbox.add(to_string(m.payload)); });
  ASSERT_EQ(inbox.texts(), (std::vector<std::string>{"early-high", "early-low"}))
      << "B5.11: the constructor drains what was queued, highest priority first";
  constexpr int kProducers = 3;
  constexpr int kEach = 30;
  testing::ProducerProcesses producers(kProducers, [&](int p) {
    Queue out = Queue::open(name_);
    for (int i = 0; i < kEach; ++i) {
      out.send(testing::numbered(p, i));
    }
  });
  EXPECT_CHILDREN_OK(producers);
  ASSERT_TRUE(inbox.wait_for(2 + kProducers * kEach))
      << "B5.11: only " << inbox.texts().size() << " of " << 2 + kProducers * kEach
      << " messages were handled; " << q.queued() << " are still queued";
  std::map<std::string, int> times;
  for (const auto& text : inbox.texts()) {
    ++times[text];
  }
  for (const auto& [text, n] : times) {
    EXPECT_EQ(n, 1) << "B5.11: message " << text << " handled " << n << " times";
  }
  EXPECT_EQ(q.queued(), 0) << "B5.11: nothing left in the queue";
}

TEST_F(MqNotify, B5_12_StopUnregistersAndThrowsAreReported) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  {
    testing::Collector inbox;
    Listener listener(q, [&](const Message& m) {
      inbox.add(to_string(m.payload));
      if (to_string(m.payload) == "bad") {
        throw std::runtime_error("the handler refused \"bad\"");
      }
    });
    raw_send(q, "bad");
    ASSERT_TRUE(inbox.wait_for(1)) << "B5.11";
    raw_send(q, "good");  // the listener goes on after a throw
    ASSERT_TRUE(inbox.wait_for(2)) << "B5.12: a throwing handler must not stop the listener";
    listener.stop();
    EXPECT_EQ(listener.errors(), std::vector<std::string>{"the handler refused \"bad\""})
        << "B5.12: the throw is reported by errors()";
    EXPECT_FALSE(registered(q)) << "B5.12: stop() removes the registration";
    listener.stop();  // again: nothing to do
  }
  {
    Listener again(q, [](const Message&) {});
  }
  EXPECT_FALSE(registered(q)) << "B5.12: the destructor removes the registration";
}

TEST_F(MqNotify, B5_13_NotificationEventsWakeAnEpollLoop) {
  if (testing::kUnderThreadSanitizer) {
    GTEST_SKIP() << testing::kTsanMissesSigevThreads;
  }
  Queue q = make();
  NotificationEvents events(q);
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  epoll_event interest{};
  interest.events = EPOLLIN;
  ASSERT_EQ(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, events.fd(), &interest), 0);
  EXPECT_EQ(events.take(), 0U) << "B5.13: no notification yet";
  raw_send(q, "one");
  epoll_event ready{};
  ASSERT_EQ(::epoll_wait(epoll.get(), &ready, 1, static_cast<int>(testing::scaled(5s).count())), 1)
      << "B5.13: the eventfd becomes readable after a notification";
  EXPECT_EQ(events.take(), 1U) << "B5.13: one notification";
  EXPECT_EQ(events.take(), 0U) << "B5.13: take() resets the count";
  events.rearm();
  EXPECT_EQ(q.drain([](const Message&) {}), 1U);
  raw_send(q, "two");
  ASSERT_EQ(::epoll_wait(epoll.get(), &ready, 1, static_cast<int>(testing::scaled(5s).count())), 1)
      << "B5.13: re-armed, the next message is announced too";
  EXPECT_EQ(events.take(), 1U);
  EXPECT_EQ(q.drain([](const Message&) {}), 1U);
}

TEST_F(MqNotify, B5_14_ParseKernelView) {
  KernelView view =
      parse_kernel_view("QSIZE:7          NOTIFY:2     SIGNO:0     NOTIFY_PID:4242  \n");
  EXPECT_EQ(view.queued_bytes, 7UL) << "B5.14: QSIZE";
  EXPECT_EQ(view.notify, 2) << "B5.14: NOTIFY";
  EXPECT_EQ(view.signo, 0) << "B5.14: SIGNO";
  EXPECT_EQ(view.notify_pid, 4242) << "B5.14: NOTIFY_PID";
  EXPECT_THROW(parse_kernel_view("QSIZE:7 NOTIFY:0 SIGNO:0"), std::invalid_argument)
      << "B5.14: NOTIFY_PID is missing";
}

TEST_F(MqNotify, B5_14_KernelViewReadsTheQueuesFile) {
  auto mount = scratch_path("mqueue");
  std::filesystem::create_directory(mount);
  std::ofstream(mount / "demo") << "QSIZE:12         NOTIFY:0     SIGNO:10    NOTIFY_PID:99    \n";
  KernelView view = kernel_view("/demo", mount);
  EXPECT_EQ(view.queued_bytes, 12UL) << "B5.14: read from MOUNT/demo";
  EXPECT_EQ(view.signo, 10) << "B5.14";
  EXPECT_TRUE(view.registered()) << "B5.14";
  try {
    kernel_view("/demo", mount / "absent");
    ADD_FAILURE() << "B5.14: a missing mount point must throw";
  } catch (const SystemError& error) {
    EXPECT_EQ(error.error_number(), ENOENT) << "B5.14";
    EXPECT_NE(std::string(error.what()).find("mount -t mqueue"), std::string::npos)
        << "B5.14: the error says how to mount the mqueue file system: " << error.what();
  }
}

}  // namespace
}  // namespace ipclab::mq_notify
