// Lab 01 hidden tests: the request/reply server (B1.18 – B1.26) with many
// clients, clients that vanish at awkward moments, and constructors that fail.
//
// The server runs in a child process wherever a wrong solution could make it
// wait forever, so that the test reports it in a moment instead of hanging.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>

#include "hidden_support.hpp"
#include "ipclab/bytes.hpp"
#include "ipclab/fifo.hpp"
#include "ipclab/testing.hpp"
#include "ipclab/time.hpp"

namespace ipclab::fifo {
namespace {

using hidden::finishes_without_blocking_in;
using hidden::first_difference;
using hidden::open_calls;
using hidden::poll_calls;
using hidden::pattern;
using hidden::read_calls;
using hidden::RemovedAtEnd;
using hidden::write_calls;
using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;
using testing::shout;
namespace fs = std::filesystem;

/// A pid that no process of the test has: a client that never existed or is gone.
pid_t ghost_pid(int n) { return 2'000'000'000 + n; }

class FifoServerHidden : public testing::IpcTest {
 protected:
  /// Runs a Server on dir() in a child and returns once it is up; `serve` gets
  /// the server. SIGPIPE starts at its default action, whatever this process
  /// did before: ignoring it is the Server constructor's job.
  ChildProcess server_child(const std::function<void(Server&)>& serve) {
    testing::Event up("the server is up");
    ChildProcess child("server", [&] {
      std::signal(SIGPIPE, SIG_DFL);
      Server server(dir());
      up.notify();
      serve(server);
    });
    // Look in every few milliseconds: a constructor that waits in open() is
    // reported at once, not when the deadline runs out.
    auto deadline = testing::default_deadline();
    for (;;) {
      auto slice = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(20));
      server_started_ = up.wait_for(child, slice);
      if (!server_started_ && child.has_exited()) {
        // It exited after the slice ran out: ask again, so that the verdict
        // carries the child's own message ("not implemented yet: ...").
        server_started_ = up.wait_for(child, deadline);
      }
      if (server_started_ || child.has_exited() || std::chrono::steady_clock::now() >= deadline) {
        return child;
      }
      if (auto call = current_syscall(child.pid()); call && (*call == "openat" || *call == "open")) {
        child.kill(SIGKILL);
        child.wait();
        server_started_ = ::testing::AssertionFailure()
                          << "the Server constructor waits in open(): open the read end with "
                             "O_NONBLOCK (a blocking open waits for a writer, i.e. the first "
                             "client), then the dummy write end";
        return child;
      }
    }
  }

  /// Sends one request the way a client does, with the test's own code: one
  /// frame, written with one write() to the server FIFO.
  static void send_raw_request(const fs::path& directory, std::int32_t pid,
                               std::span<const std::byte> body) {
    UniqueFd out(check(::open(server_fifo_path(directory).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC),
                       "open", "the server FIFO"));
    hidden::write_raw(out.get(), hidden::frame(hidden::request_payload(pid, body)));
  }

  /// After a failure: stops a child that would otherwise wait for its deadline,
  /// and removes the FIFO it can no longer remove itself, so that the report
  /// shows the failure and not its consequences.
  void abandon(ChildProcess& child, const fs::path& its_fifo) {
    child.kill(SIGKILL);
    child.wait();
    std::error_code ignored;
    fs::remove(its_fifo, ignored);
  }

  void expect_no_fifo_after_failing_constructor(bool client, int descriptors);

  ::testing::AssertionResult server_started_ = ::testing::AssertionSuccess();
};

TEST_F(FifoServerHidden, B1_18_ASecondServerInTheSameDirectoryIsEexist) {
  testing::Event done("the test is done with the first server");
  auto server = server_child([&](Server&) { done.wait_or_fail(); });
  ASSERT_TRUE(server_started_) << "the first server did not start";
  EXPECT_TRUE(fails_with("mkfifo", "EEXIST", [&] { Server second(dir()); }))
      << "B1.18: another server already runs in this directory";
  done.notify();
  EXPECT_CHILD_OK(server);
}

/// A Server (or Client) constructor that may open only `descriptors` descriptors
/// before open() fails with EMFILE: every way it can fail half-way through.
void FifoServerHidden::expect_no_fifo_after_failing_constructor(bool client, int descriptors) {
  if (testing::kUnderAddressSanitizer) {
    GTEST_SKIP() << "a descriptor limit also starves the sanitizer runtime; runs in plain builds";
  }
  const std::string what = std::string(client ? "Client" : "Server") +
                           " constructor that could open only " + std::to_string(descriptors) +
                           " descriptor(s) before open() failed with EMFILE";
  testing::Event done("the test is done with the server");
  std::optional<ChildProcess> server;
  if (client) {
    server.emplace(server_child([&](Server&) { done.wait_or_fail(); }));
    ASSERT_TRUE(server_started_) << "the server did not start";
  }
  ChildProcess builder("constructor", [&] {
    const fs::path fifo = client ? reply_fifo_path(dir(), ::getpid()) : server_fifo_path(dir());
    hidden::allow_only_more_descriptors(descriptors);
    try {
      if (client) {
        Client c(dir());
      } else {
        Server s(dir());
      }
    } catch (const SystemError&) {
      CHILD_REQUIRE(!fs::exists(fifo),
                    "B1.18: a " + what + " threw, but left " + fifo.string() +
                        " behind: if anything fails after mkfifo, unlink the FIFO before the "
                        "exception leaves the constructor (its destructor will not run)");
      return;
    }
    // Needing fewer descriptors than the reference is not this test's business,
    // but with none at all nothing can work.
    CHILD_REQUIRE(descriptors > 0, "B1.18: a " + what + " did not throw");
  });
  EXPECT_CHILD_OK(builder);
  done.notify();
  if (server) {
    EXPECT_CHILD_OK(*server);
  }
}

TEST_F(FifoServerHidden, B1_18_AServerThatCannotOpenItsReadEndLeavesNoFifo) {
  expect_no_fifo_after_failing_constructor(false, 0);
}

TEST_F(FifoServerHidden, B1_18_AServerThatCannotOpenItsDummyWriteEndLeavesNoFifo) {
  expect_no_fifo_after_failing_constructor(false, 1);
}

TEST_F(FifoServerHidden, B1_18_AClientThatCannotConnectCreatesNoFifo) {
  expect_no_fifo_after_failing_constructor(true, 0);
}

TEST_F(FifoServerHidden, B1_18_AClientThatCannotOpenItsReplyFifoLeavesNoFifo) {
  expect_no_fifo_after_failing_constructor(true, 1);
}

TEST_F(FifoServerHidden, B1_18_AClientThatCannotOpenItsDummyWriteEndLeavesNoFifo) {
  expect_no_fifo_after_failing_constructor(true, 2);
}

TEST_F(FifoServerHidden, B1_19_AReplyLargerThanTheFifoArrivesWhole) {
  // Both sides must switch to blocking I/O after their O_NONBLOCK opens: the
  // server to write, the client to read a reply that arrives in many pieces.
  auto big_reply = [](pid_t who, std::span<const std::byte>) {
    return pattern(700'000, static_cast<std::uint32_t>(who));
  };
  auto server = server_child([&](Server& s) {
    CHILD_REQUIRE(s.serve_one(big_reply), "B1.19: the large reply was not delivered");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  ChildProcess client("client", [&] {
    auto reply = Client(dir()).request(to_bytes("a lot, please"));
    auto expected = big_reply(::getpid(), {});
    CHILD_REQUIRE(reply == expected, "B1.19: a 700 000-byte reply: " + first_difference(expected, reply));
  });
  EXPECT_CHILD_OK(client);
  EXPECT_TRUE(testing::exited_ok(server.wait()))
      << "B1.19: the server writes the reply with blocking writes after its O_NONBLOCK open, "
         "the client reads it with blocking reads after its own";
}

TEST_F(FifoServerHidden, B1_19_AnEmptyRequestGetsAnEmptyReply) {
  auto server = server_child([&](Server& s) {
    bool called = false;
    bool delivered = s.serve_one([&](pid_t, std::span<const std::byte> body) {
      called = true;
      CHILD_REQUIRE(body.empty(), "B1.19: the client sent an empty body; the handler got " +
                                      std::to_string(body.size()) + " bytes");
      return std::vector<std::byte>{};
    });
    CHILD_REQUIRE(called, "B1.19: a request with an empty body (just the pid) must reach the handler");
    CHILD_REQUIRE(delivered, "B1.19: the empty reply was not delivered");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  ChildProcess client("client", [&] {
    auto reply = Client(dir()).request({});
    CHILD_REQUIRE(reply.empty(), "B1.19: expected an empty reply, got " +
                                     std::to_string(reply.size()) + " bytes");
  });
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_20_ServerWaitsForItsVeryFirstRequest) {
  auto server = server_child([&](Server& s) {
    CHILD_REQUIRE(s.serve_one(shout), "B1.20: the first request was not delivered");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  // No client has ever opened the FIFO: without the dummy write end read()
  // returns end of file at once; with a non-blocking read end it fails with EAGAIN.
  ASSERT_TRUE(blocked_in(server, testing::kWaitingForInput))
      << "B1.20: before the first client, serve_one must wait in read(): hold a dummy write "
         "end, and clear O_NONBLOCK on the read end";
  ChildProcess client("client", [&] {
    auto reply = to_string(Client(dir()).request(to_bytes("first")));
    CHILD_REQUIRE(reply == "FIRST", "B1.20: expected \"FIRST\", got \"" + reply + "\"");
  });
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_21_MissingReplyFifoIsSkipped) {
  auto server = server_child([&](Server& s) {
    CHILD_REQUIRE(!s.serve_one(shout), "B1.21: the client's reply FIFO does not exist (ENOENT): "
                                       "serve_one must return false");
    CHILD_REQUIRE(s.serve_one(shout), "B1.21: after skipping a vanished client, serve_one must "
                                      "serve the next one");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  send_raw_request(dir(), ghost_pid(21), to_bytes("is anybody there?"));
  ChildProcess client("client", [&] {
    auto reply = to_string(Client(dir()).request(to_bytes("next")));
    CHILD_REQUIRE(reply == "NEXT", "B1.21: expected \"NEXT\", got \"" + reply + "\"");
  });
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_21_ReplyFifoWithoutAReaderIsSkippedWithoutWaiting) {
  const pid_t ghost = ghost_pid(22);
  RemovedAtEnd stale(reply_fifo_path(dir(), ghost));
  ASSERT_EQ(::mkfifo(reply_fifo_path(dir(), ghost).c_str(), 0600), 0) << errno_name(errno);
  auto server = server_child([&](Server& s) {
    CHILD_REQUIRE(!s.serve_one(shout), "B1.21: nobody reads the client's reply FIFO (ENXIO): "
                                       "serve_one must return false");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  send_raw_request(dir(), ghost, to_bytes("crashed client"));
  EXPECT_TRUE(finishes_without_blocking_in(
      server, open_calls,
      "B1.21: the reply FIFO has no reader, and serve_one waits in open() for one that will "
      "never come: open it with O_WRONLY | O_NONBLOCK, so that it fails with ENXIO at once"));
}

TEST_F(FifoServerHidden, B1_21_OtherErrorsAtTheReplyFifoAreThrown) {
  // Only "the client is gone" (ENOENT, ENXIO, EPIPE) is a false; a directory
  // where the reply FIFO should be is a different problem and must not be hidden.
  const pid_t odd = ghost_pid(23);
  RemovedAtEnd directory(reply_fifo_path(dir(), odd));
  ASSERT_TRUE(fs::create_directory(reply_fifo_path(dir(), odd)));
  auto server = server_child([&](Server& s) {
    try {
      s.serve_one(shout);
    } catch (const SystemError& error) {
      CHILD_REQUIRE(error.error_number() != ENOENT && error.error_number() != ENXIO &&
                        error.error_number() != EPIPE,
                    std::string("B1.21: unexpected error: ") + error.what());
      return;
    }
    throw testing::ChildFailure(
        "B1.21: the reply path is a directory (open fails with EISDIR): serve_one must let "
        "that SystemError escape; only ENOENT, ENXIO and EPIPE mean that the client is gone");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  send_raw_request(dir(), odd, to_bytes("reply into a directory"));
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_22_AClientVanishingDuringALargeReplyCostsOnlyThatReply) {
  const pid_t ghost = ghost_pid(24);
  const auto ghost_reply = reply_fifo_path(dir(), ghost);
  RemovedAtEnd stale(ghost_reply);
  ASSERT_EQ(::mkfifo(ghost_reply.c_str(), 0600), 0) << errno_name(errno);
  UniqueFd ghost_reader(::open(ghost_reply.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  ASSERT_TRUE(ghost_reader) << errno_name(errno);
  auto server = server_child([&](Server& s) {
    ghost_reader.reset();  // the ghost's read end belongs to the test process alone
    auto reply = [&](pid_t who, std::span<const std::byte> body) {
      return who == ghost ? pattern(max_message_size, 22) : shout(who, body);
    };
    CHILD_REQUIRE(!s.serve_one(reply), "B1.22: the client closed its reply FIFO while the reply "
                                       "was being written (EPIPE): serve_one must return false");
    CHILD_REQUIRE(s.serve_one(reply), "B1.22: after a client vanished mid-reply, serve_one must "
                                      "serve the next client");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  send_raw_request(dir(), ghost, to_bytes("a large reply, please"));
  ASSERT_TRUE(blocked_in(server, write_calls))
      << "B1.22: the 1 MiB reply does not fit in the FIFO, so the server must wait in write() "
         "for the client to read";
  ghost_reader.reset();  // the client vanishes in the middle of the reply
  ChildProcess client("client", [&] {
    auto reply = to_string(Client(dir()).request(to_bytes("still there?")));
    CHILD_REQUIRE(reply == "STILL THERE?", "B1.22: expected \"STILL THERE?\", got \"" + reply + "\"");
  });
  EXPECT_CHILD_OK(client);
  auto result = server.wait();
  EXPECT_TRUE(testing::exited_ok(result))
      << (result.signal == SIGPIPE
              ? "B1.22: writing to a reply FIFO whose reader has gone raises SIGPIPE, which kills "
                "the server: the Server constructor must ignore SIGPIPE (then write() fails with "
                "EPIPE)"
              : "B1.22: the server must survive a client that vanishes mid-reply");
}

TEST_F(FifoServerHidden, B1_21_RequestsTooShortToHoldAPidAreDropped) {
  auto server = server_child([&](Server& s) {
    int calls = 0;
    auto counting = [&](pid_t who, std::span<const std::byte> body) {
      ++calls;
      return shout(who, body);
    };
    for (int size = 0; size < 4; ++size) {
      CHILD_REQUIRE(!s.serve_one(counting), "B1.21: a request of " + std::to_string(size) +
                                                " bytes cannot hold a pid: serve_one must drop it "
                                                "and return false");
      CHILD_REQUIRE(calls == 0, "B1.21: a request of " + std::to_string(size) +
                                    " bytes cannot hold a pid; the handler must not be called");
    }
    CHILD_REQUIRE(s.serve_one(counting), "B1.21: after malformed requests, serve_one must serve "
                                         "the next client");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  {
    UniqueFd out(::open(server_fifo_path(dir()).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(out) << errno_name(errno);
    const auto junk = to_bytes("xyz");
    for (std::size_t size = 0; size < 4; ++size) {
      hidden::write_raw(out.get(), hidden::frame(std::span(junk).first(size)));
    }
  }
  ChildProcess client("client", [&] {
    auto reply = to_string(Client(dir()).request(to_bytes("well formed")));
    CHILD_REQUIRE(reply == "WELL FORMED", "B1.21: expected \"WELL FORMED\", got \"" + reply + "\"");
  });
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

/// What client `pid` sends as its request number `r`: its pid in text first (so
/// the handler can check who sent it), then filler, of sizes up to max_request_body.
std::vector<std::byte> numbered_body(pid_t pid, int r) {
  std::string text = std::to_string(pid) + ":" + std::to_string(r) + ":";
  std::size_t size = r % 10 == 0 ? max_request_body
                                 : text.size() + static_cast<std::size_t>(r * 977 + pid % 1000) %
                                                     (max_request_body - text.size());
  auto filler = pattern(size - text.size(), static_cast<std::uint32_t>(pid * 100 + r));
  auto body = to_bytes(text);
  body.insert(body.end(), filler.begin(), filler.end());
  return body;
}

/// The reply: the pid the handler was given, then the body reversed.
std::vector<std::byte> tagged_reverse(pid_t who, std::span<const std::byte> body) {
  auto reply = to_bytes(std::to_string(who) + "|");
  reply.insert(reply.end(), body.rbegin(), body.rend());
  return reply;
}

/// Waits until every client has exited (false) or the server exits while some
/// client still runs (true): then the server's own verdict says what went wrong,
/// and the clients would only wait for their timeouts.
bool server_exits_first(ChildProcess& server, std::vector<ChildProcess>& clients) {
  auto deadline = testing::default_deadline();
  for (;;) {
    bool clients_done = std::all_of(clients.begin(), clients.end(),
                                    [](const ChildProcess& c) { return c.has_exited(); });
    if (clients_done) {
      return false;
    }
    if (server.has_exited()) {
      return true;
    }
    int timeout = milliseconds_until(deadline);
    if (timeout == 0) {
      return false;  // the clients' own deadlines report them
    }
    std::vector<pollfd> exits{{server.exit_fd(), POLLIN, 0}};
    for (const auto& client : clients) {
      if (!client.has_exited()) {
        exits.push_back({client.exit_fd(), POLLIN, 0});
      }
    }
    ::poll(exits.data(), exits.size(), timeout);
  }
}

TEST_F(FifoServerHidden, B1_23_EightClientsFiftyRequestsEach) {
  constexpr int kClients = 8;
  constexpr int kRequests = 50;
  auto server = server_child([&](Server& s) {
    pid_t named = 0;
    auto handler = [&](pid_t who, std::span<const std::byte> body) {
      named = who;
      return tagged_reverse(who, body);
    };
    for (int i = 0; i < kClients * kRequests; ++i) {
      CHILD_REQUIRE(s.serve_one(handler),
                    "B1.23: request " + std::to_string(i) + " was not delivered (it named pid " +
                        std::to_string(named) + "; the clients' requests got mixed up?)");
    }
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  testing::Event start("start sending");
  std::vector<ChildProcess> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back("client " + std::to_string(c), [&] {
      Client me(dir());
      start.wait_or_fail();
      for (int r = 0; r < kRequests; ++r) {
        auto body = numbered_body(::getpid(), r);
        auto reply = me.request(body);
        auto expected = tagged_reverse(::getpid(), body);
        CHILD_REQUIRE(reply == expected,
                      "B1.23: request " + std::to_string(r) + " of " +
                          std::to_string(::getpid()) + " got the wrong reply (it starts with \"" +
                          to_string(std::span(reply).first(std::min<std::size_t>(reply.size(), 12))) +
                          "\", the handler's pid and then the body reversed): each client must "
                          "get exactly the replies to its own requests");
      }
    });
  }
  start.notify(kClients);
  if (server_exits_first(server, clients)) {
    EXPECT_TRUE(testing::exited_ok(server.wait()))
        << "B1.23: the server stopped while clients still waited for replies";
    for (auto& client : clients) {
      client.kill(SIGKILL);
      client.wait();
      std::error_code ignored;  // killed clients cannot remove their reply FIFOs
      fs::remove(reply_fifo_path(dir(), client.pid()), ignored);
    }
    return;
  }
  bool all_ok = true;
  for (auto& client : clients) {
    auto result = client.wait();
    all_ok = all_ok && result.ok();
    EXPECT_TRUE(testing::exited_ok(result));
  }
  if (!all_ok) {
    server.kill(SIGKILL);  // it would wait for requests that will never come
    server.wait();
    return;
  }
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_24_ClientWithoutAServerFailsAtOnceAndCreatesNothing) {
  RemovedAtEnd stale(server_fifo_path(dir()));
  ASSERT_EQ(::mkfifo(server_fifo_path(dir()).c_str(), 0600), 0);  // a FIFO nobody reads
  ChildProcess client("client", [&] {
    UniqueFd watch(check(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC), "inotify_init1"));
    check(::inotify_add_watch(watch.get(), dir().c_str(), IN_CREATE), "inotify_add_watch");
    auto failed = fails_with("open", "ENXIO", [&] { Client c(dir()); });
    CHILD_REQUIRE(failed, "B1.24: no server reads the server FIFO: " + std::string(failed.message()));
    // inotify queues each event as the file is created: by now every creation is queued.
    alignas(inotify_event) char events[4096];
    ssize_t n = ::read(watch.get(), events, sizeof events);
    if (n > 0) {
      const auto* event = reinterpret_cast<const inotify_event*>(events);
      throw testing::ChildFailure(
          std::string("B1.24: the Client constructor created ") +
          (event->len > 0 ? event->name : "a file") +
          " (and removed it) before it found that no server runs: connect to the server "
          "first, and create the reply FIFO only then");
    }
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      client, open_calls,
      "B1.24: with no server, the Client constructor must fail with ENXIO at once; it waits "
      "in open() — open the server FIFO with O_WRONLY | O_NONBLOCK"));
}

TEST_F(FifoServerHidden, B1_24_ClientWithoutAServerFifoIsEnoentAndCreatesNothing) {
  ChildProcess client("client", [&] {
    UniqueFd watch(check(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC), "inotify_init1"));
    check(::inotify_add_watch(watch.get(), dir().c_str(), IN_CREATE), "inotify_add_watch");
    auto failed = fails_with("open", "ENOENT", [&] { Client c(dir()); });
    CHILD_REQUIRE(failed, "B1.24: there is no server FIFO at all: " + std::string(failed.message()));
    alignas(inotify_event) char events[4096];
    CHILD_REQUIRE(::read(watch.get(), events, sizeof events) < 0,
                  "B1.24: the Client constructor created a file before it found that no server "
                  "runs: connect to the server first, and create the reply FIFO only then");
  });
  EXPECT_CHILD_OK(client);
}

TEST_F(FifoServerHidden, B1_26_RequestWaitsForALateReply) {
  testing::Event go("the client waits for its reply");
  auto server = server_child([&](Server& s) {
    go.wait_or_fail();
    CHILD_REQUIRE(s.serve_one(shout), "B1.26: the late reply was not delivered");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  ChildProcess client("client", [&] {
    auto reply = to_string(Client(dir()).request(to_bytes("late"), std::chrono::seconds(5)));
    CHILD_REQUIRE(reply == "LATE", "B1.26: expected \"LATE\", got \"" + reply + "\"");
  });
  ASSERT_TRUE(blocked_in(client, testing::kWaitingForInput))
      << "B1.26: the timeout is 5 s and the server has not answered yet, so request must wait "
         "for the reply";
  go.notify();
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_26_TimeoutIsKeptNeitherShortNorEndless) {
  testing::Event done("the client has given up");
  auto server = server_child([&](Server&) { done.wait_or_fail(); });  // up, never answers
  ASSERT_TRUE(server_started_) << "the server did not start";
  constexpr auto kTimeout = std::chrono::milliseconds(150);
  ChildProcess client("client", [&] {
    Client me(dir());
    auto start = std::chrono::steady_clock::now();
    try {
      me.request(to_bytes("hello?"), kTimeout);
    } catch (const TimeoutError&) {
      auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
      CHILD_REQUIRE(waited >= kTimeout, "B1.26: request(body, 150 ms) gave up after " +
                                            std::to_string(waited.count()) +
                                            " ms: wait the whole timeout (in milliseconds)");
      return;
    }
    throw testing::ChildFailure("B1.26: no reply ever comes: request must throw TimeoutError");
  });
  EXPECT_TRUE(finishes_without_blocking_in(
      client, read_calls,
      "B1.26: no reply comes, and request waits in read(), where no timeout applies: wait for "
      "the reply FIFO with poll() and the timeout first"));
  done.notify();
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_23_ARequestWaitsForRoomInAFullServerFifo) {
  // The server is busy (not reading) and its FIFO is full of requests of
  // vanished clients. A new request must wait in write() until there is room,
  // not fail with EAGAIN: the Client switches the server FIFO back to blocking.
  testing::Event go("the client waits to send");
  auto server = server_child([&](Server& s) {
    go.wait_or_fail();
    int dropped = 0;
    while (!s.serve_one(shout)) {
      ++dropped;  // a vanished client (no reply FIFO: ENOENT)
    }
    CHILD_REQUIRE(dropped > 0, "B1.23: the requests of vanished clients must come first");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  {
    UniqueFd out(::open(server_fifo_path(dir()).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(out) << errno_name(errno);
    std::vector<std::byte> body(max_request_body, std::byte{'z'});
    auto request = hidden::frame(hidden::request_payload(ghost_pid(25), body));
    while (::write(out.get(), request.data(), request.size()) > 0) {
    }
    ASSERT_EQ(errno, EAGAIN) << "filling the server FIFO";
  }
  ChildProcess client("client", [&] {
    auto reply = to_string(Client(dir()).request(to_bytes("room?")));
    CHILD_REQUIRE(reply == "ROOM?", "B1.23: expected \"ROOM?\", got \"" + reply + "\"");
  });
  if (!blocked_in(client, write_calls)) {
    ADD_FAILURE() << "B1.23: the server FIFO is full, so request must wait in write() for room "
                     "(with O_NONBLOCK still set, write() fails with EAGAIN instead): "
                  << client.wait().describe();
    abandon(server, server_fifo_path(dir()));
    return;
  }
  go.notify();
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_26_RequestKeepsWaitingAfterASignal) {
  testing::Event go("the client waited, was interrupted, and waits again");
  auto server = server_child([&](Server& s) {
    go.wait_or_fail();
    CHILD_REQUIRE(s.serve_one(shout), "B1.26: the reply was not delivered (the client is gone)");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  testing::Event handled("the client's SIGUSR1 handler ran");
  ChildProcess client("client", [&] {
    Client me(dir());
    hidden::interrupt_system_calls_on(SIGUSR1, handled);
    auto reply = to_string(me.request(to_bytes("still waiting"), std::chrono::seconds(5)));
    CHILD_REQUIRE(reply == "STILL WAITING",
                  "B1.26: expected \"STILL WAITING\", got \"" + reply + "\"");
  });
  bool waited = blocked_in(client, poll_calls);
  EXPECT_TRUE(waited) << "B1.26: no reply yet, so request must wait in poll() on the reply FIFO";
  if (waited) {
    client.kill(SIGUSR1);  // poll() fails with EINTR: it is never restarted automatically
    EXPECT_TRUE(handled.wait_for(client)) << "B1.26: the signal handler did not run";
    EXPECT_TRUE(blocked_in(client, poll_calls))
        << "B1.26: a signal interrupted poll() (EINTR) long before the 5 s timeout; request "
           "must call poll() again with the time that is left, not fail or give up";
  }
  go.notify();
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_26_SignalsDoNotStretchTheTimeout) {
  testing::Event done("the client has given up");
  auto server = server_child([&](Server&) { done.wait_or_fail(); });  // up, never answers
  ASSERT_TRUE(server_started_) << "the server did not start";
  testing::Event handled("the client's SIGUSR1 handler ran");
  ChildProcess client("client", [&] {
    Client me(dir());
    hidden::interrupt_system_calls_on(SIGUSR1, handled);
    try {
      me.request(to_bytes("hello?"), std::chrono::milliseconds(200));
    } catch (const TimeoutError&) {
      return;
    }
    throw testing::ChildFailure("B1.26: no reply ever comes: request must throw TimeoutError");
  });
  // Interrupt the wait again and again, each time the client is back in it.
  auto deadline = testing::default_deadline();
  int signals = 0;
  while (blocked_in(client, poll_calls, deadline)) {
    client.kill(SIGUSR1);
    ++signals;
    if (!handled.wait_for(client, deadline)) {
      break;
    }
  }
  auto result = client.wait(deadline);
  EXPECT_TRUE(testing::exited_ok(result))
      << "B1.26: request(body, 200 ms) was interrupted by " << signals
      << " signals and must still give up once the 200 ms are over: after EINTR, call poll() "
         "with the time that is LEFT until the deadline, not the whole timeout again";
  if (result.timed_out) {
    std::error_code ignored;  // the killed client could not remove its reply FIFO
    fs::remove(reply_fifo_path(dir(), client.pid()), ignored);
  }
  done.notify();
  EXPECT_CHILD_OK(server);
}

TEST_F(FifoServerHidden, B1_21_AMalformedRequestFrameIsAProtocolError) {
  // false means "the client is gone" and nothing else: a frame announcing an
  // impossible length is a broken stream, and serve_one says so with ProtocolError.
  testing::Event sent("the malformed frame is in the server FIFO");
  auto server = server_child([&](Server& s) {
    sent.wait_or_fail();  // (in poll): from here on serve_one has no reason to wait
    hidden::cap_address_space(std::size_t{256} << 20);  // allocating 4 GiB fails at once
    try {
      bool delivered = s.serve_one(shout);
      throw testing::ChildFailure(
          std::string("B1.21: a request frame announcing 4294967295 bytes is malformed: "
                      "serve_one must let receive_message's ProtocolError escape; it returned ") +
          (delivered ? "true" : "false"));
    } catch (const ProtocolError&) {
    }
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  {
    UniqueFd out(::open(server_fifo_path(dir()).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    ASSERT_TRUE(out) << errno_name(errno);
    auto bytes = hidden::header_announcing(0xFFFFFFFFu);
    auto some = to_bytes("garbage");
    bytes.insert(bytes.end(), some.begin(), some.end());
    hidden::write_raw(out.get(), bytes);
  }
  sent.notify();
  EXPECT_TRUE(finishes_without_blocking_in(
      server, read_calls,
      "B1.21: a request frame announcing 4294967295 bytes is malformed: serve_one must throw "
      "ProtocolError at once; it waits for more input instead"));
}

TEST_F(FifoServerHidden, B1_25_ABodyOfExactlyMaxRequestBodyIsServed) {
  auto server = server_child([&](Server& s) {
    CHILD_REQUIRE(s.serve_one(tagged_reverse), "B1.25: the request was not delivered");
  });
  ASSERT_TRUE(server_started_) << "the server did not start";
  ChildProcess client("client", [&] {
    auto body = pattern(max_request_body, 25);
    auto reply = Client(dir()).request(body);
    auto expected = tagged_reverse(::getpid(), body);
    CHILD_REQUIRE(reply == expected, "B1.25: a body of exactly max_request_body bytes is allowed "
                                     "(only larger ones are refused): " +
                                         first_difference(expected, reply));
  });
  EXPECT_CHILD_OK(client);
  EXPECT_CHILD_OK(server);
}

}  // namespace
}  // namespace ipclab::fifo
