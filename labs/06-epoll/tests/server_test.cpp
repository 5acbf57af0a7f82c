// Lab 06 public tests: the server and the client (B6.10 – B6.14). The server
// is the real Server, run in a forked child; the test reads what it prints.
#include <signal.h>

#include <algorithm>

#include "epoll_fixture.hpp"

namespace ipclab::epoll {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::fails_with;

class MqServer : public EpollTest {};

TEST_F(MqServer, B6_10_EachMessageIsPrintedOnce) {
  ServerOptions options = server_options();
  ServerProcess server(options);
  std::vector<std::string> lines;
  ASSERT_TRUE(server.read_until("listening on " + options.queue_name, lines)) << "B6.10";
  std::vector<Message> messages{{"one", 0}, {"two", 0}, {"three", 0}};
  send_messages(options.queue_name, messages);
  for (const auto& message : messages) {
    ASSERT_TRUE(server.read_until("message ", lines)) << "B6.10";
    EXPECT_EQ(lines.back(), message_line(message)) << "B6.10: one line per message, in order";
  }
  server.child().kill(SIGTERM);
  std::vector<std::string> rest = server.rest();
  EXPECT_CHILD_OK(server.child()) << "B6.12: SIGTERM ends the server with status 0";
  EXPECT_EQ(std::count_if(rest.begin(), rest.end(),
                          [](const std::string& l) { return l.rfind("message ", 0) == 0; }),
            0)
      << "B6.10: no message is printed twice";
}

TEST_F(MqServer, B6_11_StatisticsComeEveryInterval) {
  ServerOptions options = server_options(20ms);
  auto start = std::chrono::steady_clock::now();
  ServerProcess server(options);
  std::vector<std::string> lines;
  ASSERT_TRUE(server.read_until("listening on", lines)) << "B6.11";
  send_messages(options.queue_name, std::vector<Message>{{"counted", 0}});
  long intervals = 0;
  long fresh = 0;
  for (int n = 0; n < 3; ++n) {
    ASSERT_TRUE(server.read_until("stats: ", lines)) << "B6.11: a statistics line every 20 ms";
    EXPECT_GE(field(lines.back(), "intervals"), 1) << "B6.11: " << lines.back();
    intervals += field(lines.back(), "intervals");
    fresh += field(lines.back(), "new");
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LE(intervals * 20ms, elapsed)
      << "B6.11: " << intervals << " intervals of 20 ms reported in "
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
  server.child().kill(SIGTERM);
  std::vector<std::string> rest = server.rest();
  EXPECT_CHILD_OK(server.child());
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(fresh + field(rest.back(), "new"), 1)
      << "B6.11: the message is counted once, in the line after it arrived: " << rest.back();
}

TEST_F(MqServer, B6_12_SigtermDrainsPrintsFinalStatisticsAndRemovesTheQueue) {
  ServerOptions options = server_options();
  ServerProcess server(options);
  std::vector<std::string> lines;
  ASSERT_TRUE(server.read_until("listening on", lines)) << "B6.12";
  send_messages(options.queue_name, std::vector<Message>{{"a", 0}, {"b", 0}});
  server.child().kill(SIGTERM);
  ASSERT_TRUE(server.read_until("signal SIGTERM", lines)) << "B6.12";
  EXPECT_EQ(lines.back(), "signal SIGTERM from pid " + std::to_string(::getpid()))
      << "B6.12: the sender is this test";
  ASSERT_TRUE(server.read_until("final: ", lines)) << "B6.12";
  EXPECT_EQ(field(lines.back(), "received"), 2) << "B6.12: " << lines.back();
  EXPECT_CHILD_OK(server.child()) << "B6.12: exit status 0";
  EXPECT_FALSE(message_queue_exists(options.queue_name)) << "B6.12: the server removes its queue";
}

TEST_F(MqServer, B6_13_AnIdleServerWaitsInEpollWait) {
  ServerOptions options = server_options();
  ServerProcess server(options);
  std::vector<std::string> lines;
  ASSERT_TRUE(server.read_until("listening on", lines)) << "B6.13";
  EXPECT_TRUE(testing::blocked_in(server.child(), {"epoll_wait", "epoll_pwait", "epoll_pwait2"}))
      << "B6.13: with nothing to do, the server sleeps in epoll_wait";
  server.child().kill(SIGTERM);
  server.rest();
  EXPECT_CHILD_OK(server.child());
}

TEST_F(MqServer, B6_14_AStaleQueueIsReportedNotReused) {
  std::string name = mq_name("stale");
  mqd_t stale = make_stale_queue(name);
  ChildProcess child("server", [&] { require_server_refuses(name); });
  EXPECT_CHILD_OK(child);
  EXPECT_TRUE(message_queue_exists(name)) << "B6.14: the stale queue is reported, not removed";
  ::mq_close(stale);
  ::mq_unlink(name.c_str());
}

TEST_F(MqServer, B6_14_AClientWithoutAServerFailsWithEnoent) {
  std::string name = mq_name("nobody");
  std::vector<Message> messages{{"hello?", 0}};
  EXPECT_TRUE(fails_with("mq_open", "ENOENT", [&] { send_messages(name, messages); }))
      << "B6.14: no server, no queue";
  EXPECT_FALSE(message_queue_exists(name)) << "B6.14: a client never creates the queue";
}

}  // namespace
}  // namespace ipclab::epoll
