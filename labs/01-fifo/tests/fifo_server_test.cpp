// Lab 01 public tests: the request/reply server (B1.18 – B1.25).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "ipclab/bytes.hpp"
#include "ipclab/fifo.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::fifo {
namespace {

using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;
using testing::shout;
namespace fs = std::filesystem;

/// Servers and clients share dir(); whatever they leave there fails the test.
class FifoServer : public testing::IpcTest {};

TEST_F(FifoServer, B1_18_ServerAndClientRemoveTheirFifos) {
  fs::path reply;
  {
    Server server(dir());
    struct stat info {};
    ASSERT_EQ(::stat(server_fifo_path(dir()).c_str(), &info), 0)
        << "B1.18: the server must create " << server_fifo_path(dir());
    EXPECT_TRUE(S_ISFIFO(info.st_mode)) << "B1.18: the server's path must be a FIFO";
    {
      Client client(dir());
      reply = reply_fifo_path(dir(), ::getpid());
      EXPECT_EQ(client.reply_path(), reply);
      EXPECT_TRUE(fs::is_fifo(reply)) << "B1.18: the client must create its reply FIFO " << reply;
    }
    EXPECT_FALSE(fs::exists(reply)) << "B1.18: the client's destructor must remove " << reply;
  }
  EXPECT_FALSE(fs::exists(server_fifo_path(dir())))
      << "B1.18: the server's destructor must remove its FIFO";
}

TEST_F(FifoServer, B1_19_ARequestGetsItsReply) {
  Server server(dir());
  ChildProcess client("client", [&] {
    Client me(dir());
    auto reply = me.request(to_bytes("hello fifo"));
    CHILD_REQUIRE(to_string(reply) == "HELLO FIFO",
                  "B1.19: expected the reply \"HELLO FIFO\", got \"" + to_string(reply) + "\"");
  });
  pid_t seen = 0;
  bool delivered = server.serve_one([&](pid_t who, std::span<const std::byte> body) {
    seen = who;
    return shout(who, body);
  });
  EXPECT_TRUE(delivered) << "B1.19: serve_one returns true when the reply was delivered";
  EXPECT_EQ(seen, client.pid()) << "B1.19: the handler gets the client's pid";
  EXPECT_CHILD_OK(client);
}

TEST_F(FifoServer, B1_20_ServerWaitsForTheNextClientInsteadOfSeeingEndOfFile) {
  testing::Event server_up("the server is up");
  ChildProcess server_process("server", [&] {
    Server server(dir());
    server_up.notify();
    for (int i = 0; i < 2; ++i) {
      CHILD_REQUIRE(server.serve_one(shout),
                    "B1.20: request " + std::to_string(i) + " not delivered");
    }
  });
  ASSERT_TRUE(server_up.wait_for(server_process)) << "the server did not start";
  ChildProcess first("first client", [&] { Client(dir()).request(to_bytes("one")); });
  EXPECT_CHILD_OK(first);
  // Every client has closed its end now. A server without a dummy write end
  // would read end of file here; ours must wait in read() for the next client.
  ASSERT_TRUE(blocked_in(server_process, testing::kWaitingForInput))
      << "B1.20: between clients the server must wait in read(), not see end of file";
  ChildProcess second("second client", [&] { Client(dir()).request(to_bytes("two")); });
  EXPECT_CHILD_OK(second);
  EXPECT_CHILD_OK(server_process);
}

TEST_F(FifoServer, B1_21_AVanishedClientIsSkipped) {
  Server server(dir());
  // A request from a "client" whose reply FIFO exists but has no reader.
  pid_t ghost = 999999;
  ASSERT_EQ(::mkfifo(reply_fifo_path(dir(), ghost).c_str(), 0600), 0);
  {
    UniqueFd out(::open(server_fifo_path(dir()).c_str(), O_WRONLY | O_CLOEXEC));
    std::int32_t id = ghost;
    std::vector<std::byte> request(sizeof id);
    std::memcpy(request.data(), &id, sizeof id);
    send_message(out.get(), request);
  }
  // In a child, so that a serve_one that waits for a reader is reported at
  // once (and killed) instead of hanging the test.
  ChildProcess serving("server", [&] {
    CHILD_REQUIRE(!server.serve_one(shout),
                  "B1.21: with nobody reading the reply FIFO (ENXIO), serve_one returns false");
  });
  EXPECT_TRUE(testing::finishes_without_blocking_in(
      serving, {"openat", "open"},
      "B1.21: serve_one waited in open() for a reader of the reply FIFO; open it with "
      "O_WRONLY | O_NONBLOCK, so that a vanished client costs ENXIO at once"));
  ::unlink(reply_fifo_path(dir(), ghost).c_str());
}

TEST_F(FifoServer, B1_23_SeveralClientsEachGetTheirOwnReplies) {
  constexpr int kClients = 4;
  constexpr int kRequests = 20;
  Server server(dir());
  std::vector<ChildProcess> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back("client " + std::to_string(c), [&, c] {
      Client me(dir());
      for (int r = 0; r < kRequests; ++r) {
        std::string text = "client " + std::to_string(c) + " request " + std::to_string(r);
        auto reply = to_string(me.request(to_bytes(text)));
        CHILD_REQUIRE(reply == to_string(shout(0, to_bytes(text))),
                      "B1.23: sent \"" + text + "\", got the reply \"" + reply + "\"");
      }
    });
  }
  // The server loop runs in a child too: if a client dies early, the loop would
  // wait for requests that never come; a child is stopped at its deadline and
  // reported with the call it was stuck in.
  ChildProcess server_loop("server", [&] {
    for (int i = 0; i < kClients * kRequests; ++i) {
      CHILD_REQUIRE(server.serve_one(shout), "B1.23: request " + std::to_string(i) + " not delivered");
    }
  });
  for (auto& client : clients) {
    EXPECT_CHILD_OK(client);
  }
  EXPECT_CHILD_OK(server_loop);
}

TEST_F(FifoServer, B1_24_ClientWithoutServerIsEnxio) {
  ASSERT_EQ(::mkfifo(server_fifo_path(dir()).c_str(), 0600), 0);  // a FIFO nobody reads
  EXPECT_TRUE(fails_with("open", "ENXIO", [&] { Client client(dir()); }))
      << "B1.24: no server has the FIFO open for reading";
  EXPECT_FALSE(fs::exists(reply_fifo_path(dir(), ::getpid())))
      << "B1.24: a client that could not connect must not leave a reply FIFO";
  ::unlink(server_fifo_path(dir()).c_str());
}

TEST_F(FifoServer, B1_26_RequestTimesOutWhenNobodyAnswers) {
  Server server(dir());  // up, but never calls serve_one
  Client client(dir());
  EXPECT_THROW(client.request(to_bytes("anyone?"), std::chrono::milliseconds(50)), TimeoutError)
      << "B1.26: no reply within the timeout";
}

TEST_F(FifoServer, B1_25_OversizedRequestIsRefusedBeforeSending) {
  Server server(dir());
  Client client(dir());
  std::vector<std::byte> body(max_request_body + 1);
  EXPECT_THROW(client.request(body), std::length_error) << "B1.25";
  // Nothing may have reached the server: a reader would find the FIFO empty.
  UniqueFd probe(::open(server_fifo_path(dir()).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  char byte = 0;
  EXPECT_EQ(::read(probe.get(), &byte, 1), -1) << "B1.25: the oversized request was (partly) sent";
}

}  // namespace
}  // namespace ipclab::fifo
