// Lab 02 public tests: the multi-client server (B2.22 – B2.24).
#include <sys/msg.h>

#include "ipclab/bytes.hpp"
#include "sysv_fixture.hpp"

namespace ipclab::sysv {
namespace {

using testing::ChildProcess;
using testing::fails_with;

std::vector<std::byte> echo_with_pid(pid_t client, std::span<const std::byte> body) {
  return to_bytes(std::to_string(client) + ":" + to_string(body));
}

TEST_F(SysvTest, B2_22_TheServerRemovesItsQueue) {
  key_t key = sysv_key();
  {
    Server server(key);
    EXPECT_EQ(::msgget(key, 0), server.queue().id())
        << "B2.22: the server creates the queue of its key";
  }
  EXPECT_EQ(::msgget(key, 0), -1) << "B2.22: the server's queue must be removed when it goes away";
}

TEST_F(SysvTest, B2_23_EachClientGetsItsOwnReplies) {
  constexpr int kClients = 4;
  constexpr int kRequests = 25;
  key_t key = sysv_key();
  Server server(key);
  std::vector<ChildProcess> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back("client " + std::to_string(c), [key, c] {
      Client me(key);
      for (int r = 0; r < kRequests; ++r) {
        std::string body = "request " + std::to_string(c) + "." + std::to_string(r);
        std::string expected = std::to_string(::getpid()) + ":" + body;
        std::string reply = to_string(me.request(to_bytes(body)));
        CHILD_REQUIRE(reply == expected, "B2.23: sent \"" + body + "\", expected the reply \"" +
                                             expected + "\", got \"" + reply + "\"");
      }
    });
  }
  // The server loop runs in a child too: if a client dies early, the loop would
  // wait in msgrcv for requests that never come; a child is stopped at its
  // deadline and reported with the call it was stuck in.
  ChildProcess server_loop("server", [&] {
    for (int i = 0; i < kClients * kRequests; ++i) {
      CHILD_REQUIRE(server.serve_one(echo_with_pid), "B2.23: request " + std::to_string(i));
    }
  });
  for (auto& client : clients) {
    EXPECT_CHILD_OK(client);
  }
  EXPECT_CHILD_OK(server_loop);
}

TEST_F(SysvTest, B2_24_AClientWithoutServerIsEnoent) {
  EXPECT_TRUE(fails_with("msgget", "ENOENT", [&] { Client client(sysv_key()); })) << "B2.24";
}

}  // namespace
}  // namespace ipclab::sysv
