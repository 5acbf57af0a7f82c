// Lab 06 hidden tests: the server (B6.10 – B6.14) run in a forked child, as a
// user runs mq-server: many clients at once, a server stopped while messages
// pile up (priority order, late timer), signals in the middle of a burst, an
// idle server's CPU time and descriptors, a stale queue left alone.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "epoll_fixture.hpp"

namespace ipclab::epoll {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::fails_with;

const std::initializer_list<std::string_view> kEpollWait = {"epoll_wait", "epoll_pwait",
                                                             "epoll_pwait2"};

/// Stops `child` with SIGSTOP and returns once the kernel says it is stopped
/// (waitid with WSTOPPED | WNOWAIT, so the stop stays reportable): whatever is
/// sent to it from now on waits until SIGCONT.
::testing::AssertionResult stopped(ChildProcess& child) {
  child.kill(SIGSTOP);
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(child.pid()), &info, WSTOPPED | WNOWAIT) != 0 ||
      info.si_code != CLD_STOPPED) {
    return ::testing::AssertionFailure() << "the server did not stop: " << child.wait().describe();
  }
  return ::testing::AssertionSuccess();
}

/// Sends with the raw call, never waiting (the test's own queue descriptor).
void raw_send(mqd_t mqd, const std::string& text, unsigned priority) {
  timespec long_ago{0, 0};
  check(::mq_timedsend(mqd, text.data(), text.size(), priority, &long_ago), "mq_timedsend",
        "by the test");
}

/// The number of open descriptors of `pid`.
long open_descriptors(pid_t pid) {
  std::error_code error;
  auto entries = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error);
  return error ? -1 : std::distance(begin(entries), end(entries));
}

/// The last of `lines`, or "" when there is none (a failure was reported already).
std::string last(const std::vector<std::string>& lines) { return lines.empty() ? "" : lines.back(); }

/// The messages among `lines`, as their text after "message priority=P: ".
std::vector<std::string> messages_in(const std::vector<std::string>& lines) {
  std::vector<std::string> texts;
  for (const auto& line : lines) {
    if (line.rfind("message priority=", 0) == 0) {
      texts.push_back(line.substr(line.find(": ") + 2));
    }
  }
  return texts;
}

class MqServerHidden : public EpollTest {
 protected:
  /// Starts a server and reads its first line; the queue then exists.
  ServerProcess& start(const ServerOptions& options) {
    server_.emplace(options);
    std::vector<std::string> lines;
    EXPECT_TRUE(server_->read_until("listening on " + options.queue_name, lines)) << "B6.10";
    return *server_;
  }
  /// Sends `sig`, reads up to the final statistics, checks the exit status and
  /// that the queue is gone; returns every line read after the signal.
  std::vector<std::string> shut_down(const ServerOptions& options, int sig, std::string_view id) {
    std::vector<std::string> lines;
    server_->child().kill(sig);
    EXPECT_TRUE(server_->read_until("final: ", lines)) << id;
    EXPECT_CHILD_OK(server_->child()) << id << ": after " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                                      << " the server exits 0, within the deadline";
    EXPECT_FALSE(message_queue_exists(options.queue_name))
        << id << ": the server removes its queue";
    return lines;
  }
  std::optional<ServerProcess> server_;
};

TEST_F(MqServerHidden, B6_10_ManyClientsEachMessageExactlyOnce) {
  ServerOptions options = server_options(1h, 4);
  ServerProcess& server = start(options);
  constexpr int kClients = 4;
  constexpr int kEach = 50;
  testing::ProducerProcesses clients(
      kClients,
      [&](int c) {
        std::vector<Message> messages;
        for (int i = 0; i < kEach; ++i) {
          messages.push_back({testing::numbered(c, i), static_cast<unsigned>(i % 3)});
        }
        send_messages(options.queue_name, messages);
      },
      "client");
  std::vector<std::string> lines;
  for (int n = 0; n < kClients * kEach; ++n) {
    ASSERT_TRUE(server.read_until("message ", lines)) << "B6.10: message " << n + 1 << " of "
                                                      << kClients * kEach;
  }
  EXPECT_CHILDREN_OK(clients) << "B6.10";
  std::vector<std::string> after = shut_down(options, SIGTERM, "B6.12");
  lines.insert(lines.end(), after.begin(), after.end());
  std::map<std::string, int> count;
  for (const auto& text : messages_in(lines)) {
    ++count[text];
  }
  std::string wrong;
  for (int c = 0; c < kClients; ++c) {
    for (int i = 0; i < kEach; ++i) {
      std::string text = testing::numbered(c, i);
      if (count[text] != 1) {
        wrong += " " + text + " x" + std::to_string(count[text]);
      }
    }
  }
  EXPECT_EQ(wrong, "") << "B6.10: every message printed exactly once; these were not";
  EXPECT_EQ(field(last(after), "received"), kClients * kEach) << "B6.12: " << last(after);
}

TEST_F(MqServerHidden, B6_10_MessagesQueuedTogetherComeOutInPriorityOrder) {
  ServerOptions options = server_options();
  ServerProcess& server = start(options);
  ASSERT_TRUE(testing::blocked_in(server.child(), kEpollWait)) << "B6.13";
  ASSERT_TRUE(stopped(server.child()));
  mqd_t queue = ::mq_open(options.queue_name.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_NE(queue, static_cast<mqd_t>(-1)) << errno_name(errno);
  for (auto [text, priority] : std::vector<std::pair<std::string, unsigned>>{
           {"p2", 2}, {"p7", 7}, {"p0", 0}, {"p7b", 7}, {"p30", 30}}) {
    raw_send(queue, text, priority);
  }
  ::mq_close(queue);
  server.child().kill(SIGCONT);
  std::vector<std::string> lines;
  for (int n = 0; n < 5; ++n) {
    ASSERT_TRUE(server.read_until("message ", lines)) << "B6.10";
  }
  EXPECT_EQ(messages_in(lines), (std::vector<std::string>{"p30", "p7", "p7b", "p2", "p0"}))
      << "B6.10: five messages waiting together come out highest priority first (FIFO "
         "within one priority): drain the queue with try_receive";
  EXPECT_EQ(lines.back(), "message priority=0: p0") << "B6.10: message_line() for each";
  shut_down(options, SIGTERM, "B6.12");
}

TEST_F(MqServerHidden, B6_11_CountsAddUp) {
  ServerOptions options = server_options(10ms);
  ServerProcess& server = start(options);
  std::vector<std::string> lines;
  long sent = 0;
  long counted = 0;
  for (int burst = 1; burst <= 3; ++burst) {
    std::vector<Message> messages(static_cast<std::size_t>(burst * 3), Message{"burst", 0});
    send_messages(options.queue_name, messages);
    sent += burst * 3;
    // Statistics lines until they have counted everything sent so far.
    while (counted < sent) {
      lines.clear();
      ASSERT_TRUE(server.read_until("stats: ", lines)) << "B6.11";
      const std::string& stats = lines.back();
      counted += field(stats, "new");
      EXPECT_EQ(field(stats, "received"), counted)
          << "B6.11: received is the sum of every new= so far: " << stats;
      EXPECT_GE(field(stats, "intervals"), 1) << "B6.11: " << stats;
      // The timer may be served before the queue in a batch: queued is then
      // not 0, but never more than what was sent and not yet received.
      EXPECT_LE(field(stats, "received") + field(stats, "queued"), sent)
          << "B6.11: queued is mq_curmsgs: " << stats;
      EXPECT_GE(field(stats, "queued"), 0) << "B6.11: " << stats;
    }
    ASSERT_EQ(counted, sent) << "B6.11: counted more messages than were sent";
  }
  std::vector<std::string> after = shut_down(options, SIGTERM, "B6.12");
  EXPECT_EQ(field(last(after), "received"), sent) << "B6.12: " << last(after);
  EXPECT_EQ(field(last(after), "new"), 0) << "B6.11: all counted already: " << last(after);
}

TEST_F(MqServerHidden, B6_11_ALateServerCountsEveryInterval) {
  ServerOptions options = server_options(20ms);
  ServerProcess& server = start(options);
  std::vector<std::string> lines;
  ASSERT_TRUE(server.read_until("stats: ", lines)) << "B6.11";
  ASSERT_TRUE(stopped(server.child()));
  while (server.next_line(std::chrono::steady_clock::now())) {
    // printed before the stop: not what this test is about
  }
  let_time_pass(150ms);  // 7 intervals or more, none read
  server.child().kill(SIGCONT);
  // The stop may have caught the server between reading the timer and
  // printing: that line says 1, and the next one holds the 150 ms.
  long most = 0;
  for (int n = 0; n < 2; ++n) {
    ASSERT_TRUE(server.read_until("stats: ", lines)) << "B6.11";
    most = std::max(most, field(lines.back(), "intervals"));
  }
  EXPECT_GE(most, 5)
      << "B6.11: the server was stopped for 150 ms (7 intervals of 20 ms); a statistics line "
         "must count every expiration the timerfd read returns: " << lines.back();
  shut_down(options, SIGTERM, "B6.12");
}

TEST_F(MqServerHidden, B6_11_TheTimerPacesTheStatistics) {
  ServerOptions options = server_options(25ms);
  auto start_time = std::chrono::steady_clock::now();
  ServerProcess& server = start(options);
  std::vector<std::string> lines;
  long intervals = 0;
  for (int n = 0; n < 6; ++n) {
    ASSERT_TRUE(server.read_until("stats: ", lines)) << "B6.11";
    intervals += field(lines.back(), "intervals");
  }
  auto elapsed = std::chrono::steady_clock::now() - start_time;
  EXPECT_LE(intervals * 25ms, elapsed)
      << "B6.11: the statistics report " << intervals << " intervals of 25 ms in only "
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
      << " ms: read the timerfd, or a level-triggered timer fires again at once";
  shut_down(options, SIGTERM, "B6.12");
}

/// The shutdown tests: the signal arrives while the server is stopped, before
/// the messages, so that epoll reports the signalfd first in the batch.
void signal_before_messages(MqServerHidden* test, ServerProcess& server, const ServerOptions& options,
                            int sig, std::vector<std::string>& lines) {
  ASSERT_TRUE(testing::blocked_in(server.child(), kEpollWait));
  ASSERT_TRUE(stopped(server.child()));
  server.child().kill(sig);
  mqd_t queue = ::mq_open(options.queue_name.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_NE(queue, static_cast<mqd_t>(-1)) << errno_name(errno);
  for (int i = 0; i < 8; ++i) {
    raw_send(queue, "late" + std::to_string(i), 0);
  }
  ::mq_close(queue);
  server.child().kill(SIGCONT);
  ASSERT_TRUE(server.read_until("final: ", lines)) << "B6.12";
  (void)test;
}

TEST_F(MqServerHidden, B6_12_SigtermDrainsWhatIsQueued) {
  ServerOptions options = server_options();
  ServerProcess& server = start(options);
  std::vector<std::string> lines;
  ASSERT_NO_FATAL_FAILURE(signal_before_messages(this, server, options, SIGTERM, lines));
  EXPECT_EQ(messages_in(lines).size(), 8u)
      << "B6.12: the 8 messages queued when SIGTERM was read are printed before the final line";
  EXPECT_EQ(field(lines.back(), "received"), 8) << "B6.12: " << lines.back();
  EXPECT_CHILD_OK(server.child()) << "B6.12";
  EXPECT_FALSE(message_queue_exists(options.queue_name)) << "B6.12: the server removes its queue";
}

TEST_F(MqServerHidden, B6_12_SigintDrainsWhatIsQueued) {
  ServerOptions options = server_options();
  ServerProcess& server = start(options);
  std::vector<std::string> lines;
  ASSERT_NO_FATAL_FAILURE(signal_before_messages(this, server, options, SIGINT, lines));
  EXPECT_NE(std::find(lines.begin(), lines.end(), "signal SIGINT from pid " + std::to_string(::getpid())),
            lines.end())
      << "B6.12: the server says which signal, from whom";
  EXPECT_EQ(messages_in(lines).size(), 8u) << "B6.12: drained before the final line";
  EXPECT_CHILD_OK(server.child()) << "B6.12";
  EXPECT_FALSE(message_queue_exists(options.queue_name)) << "B6.12: the server removes its queue";
}

TEST_F(MqServerHidden, B6_12_ASignalInTheMiddleOfABurstLosesNothingSent) {
  ServerOptions options = server_options(1h, 5);
  ServerProcess& server = start(options);
  int progress[2];
  ASSERT_EQ(::pipe2(progress, O_CLOEXEC), 0);
  UniqueFd progress_read(progress[0]);
  UniqueFd progress_write(progress[1]);
  ChildProcess client("client", [&] {
    progress_read.reset();
    Queue queue = Queue::open(options.queue_name);
    for (int i = 0;; ++i) {
      queue.send("b" + std::to_string(i), 0);
      put(progress_write.get(), "+");  // after each send that returned
    }
  });
  progress_write.reset();
  std::vector<std::string> lines;
  for (int n = 0; n < 30; ++n) {
    ASSERT_TRUE(server.read_until("message ", lines)) << "B6.10";
  }
  ASSERT_TRUE(stopped(client));  // from now on nothing more is sent
  std::string done;
  char chunk[256];
  for (ssize_t got; (got = ::read(progress_read.get(), chunk, sizeof chunk)) > 0 ||
                    (got < 0 && errno == EINTR);) {
    done.append(chunk, static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
    pollfd more{progress_read.get(), POLLIN, 0};
    if (::poll(&more, 1, 0) != 1) {
      break;
    }
  }
  std::vector<std::string> after = shut_down(options, SIGINT, "B6.12");
  lines.insert(lines.end(), after.begin(), after.end());
  std::vector<std::string> texts = messages_in(lines);
  ASSERT_GE(texts.size(), done.size())
      << "B6.12: " << done.size() << " sends had returned before SIGINT; only " << texts.size()
      << " messages were printed";
  for (std::size_t i = 0; i < texts.size(); ++i) {
    ASSERT_EQ(texts[i], "b" + std::to_string(i)) << "B6.12: each message once, in order";
  }
  EXPECT_EQ(field(last(after), "received"), static_cast<long>(texts.size())) << last(after);
  client.kill(SIGKILL);
  client.wait();
}

TEST_F(MqServerHidden, B6_12_AFailedStartLeavesNoQueue) {
  ServerOptions options = server_options(0ms);  // the timer refuses a zero interval
  ChildProcess child("server", [&] {
    bool refused = false;
    try {
      Server server(options, STDOUT_FILENO);
    } catch (const std::invalid_argument&) {
      refused = true;
    }
    CHILD_REQUIRE(refused, "B6.7: a zero statistics interval is std::invalid_argument");
  });
  EXPECT_CHILD_OK(child);
  EXPECT_FALSE(message_queue_exists(options.queue_name))
      << "B6.12: the constructor threw after creating the queue; it must remove it (no "
         "destructor runs for a half-built object)";
}

TEST_F(MqServerHidden, B6_13_AnIdleServerSleepsAndUsesNoCpu) {
  ServerOptions options = server_options();
  ServerProcess& server = start(options);
  EXPECT_TRUE(testing::sleeps_in(server.child(), kEpollWait, 200ms))
      << "B6.13: idle, the server sleeps in one epoll_wait with no timeout";
  shut_down(options, SIGTERM, "B6.12");
}

TEST_F(MqServerHidden, B6_13_ATickingServerUsesAlmostNoCpu) {
  ServerOptions options = server_options(10ms);
  ServerProcess& server = start(options);
  std::vector<std::string> lines;
  ASSERT_TRUE(server.read_until("stats: ", lines));
  testing::TaskStats before = testing::task_stats(server.pid());
  let_time_pass(300ms);
  testing::TaskStats after = testing::task_stats(server.pid());
  EXPECT_LE(after.cpu_ticks - before.cpu_ticks, 5)
      << "B6.13: 300 ms of a server woken every 10 ms: at most 5 clock ticks (50 ms) of CPU; "
         "it went from " << testing::describe(before) << " to " << testing::describe(after)
      << ". Read the timer in its callback, and wait with no timeout";
  shut_down(options, SIGTERM, "B6.12");
}

TEST_F(MqServerHidden, B6_13_DescriptorsStayTheSameAfter1000Messages) {
  ServerOptions options = server_options();
  ServerProcess& server = start(options);
  ASSERT_TRUE(testing::blocked_in(server.child(), kEpollWait));
  long before = open_descriptors(server.pid());
  ChildProcess client("client", [&] {
    std::vector<Message> messages(1000, Message{"m", 1});
    send_messages(options.queue_name, messages);
  });
  std::vector<std::string> lines;
  for (int n = 0; n < 1000; ++n) {
    ASSERT_TRUE(server.read_until("message ", lines)) << "B6.10: message " << n + 1;
  }
  EXPECT_CHILD_OK(client);
  ASSERT_TRUE(testing::blocked_in(server.child(), kEpollWait));
  EXPECT_EQ(open_descriptors(server.pid()), before)
      << "B6.13: open descriptors of the server before and after 1000 messages";
  shut_down(options, SIGTERM, "B6.12");
}

TEST_F(MqServerHidden, B6_14_AStaleQueueKeepsItsMessages) {
  std::string name = mq_name("stale");
  mqd_t stale = make_stale_queue(name);
  raw_send(stale, "old", 0);
  ChildProcess child("server", [&] { require_server_refuses(name); });
  EXPECT_CHILD_OK(child);
  mq_attr now{};
  EXPECT_EQ(::mq_getattr(stale, &now), 0);
  EXPECT_EQ(now.mq_curmsgs, 1) << "B6.14: the stale queue and its message are left alone";
  EXPECT_TRUE(message_queue_exists(name)) << "B6.14: the stale queue is not removed";
  ::mq_close(stale);
  ::mq_unlink(name.c_str());
}

// The server removes its queue: checked once more after a clean shutdown.
TEST_F(MqServerHidden, B6_12_TheQueueIsGoneAfterShutdown) {
  auto marker = scratch_path("after-b6-12-");
  EXPECT_EQ(::access(marker.c_str(), F_OK), 0) << "B6.12: expected the queue to be gone";
}

}  // namespace
}  // namespace ipclab::epoll
