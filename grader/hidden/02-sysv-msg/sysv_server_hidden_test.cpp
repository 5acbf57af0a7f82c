// Lab 02 hidden tests: OwnedQueue and the multi-client server (B2.22 – B2.24):
// ownership that moves, the request and reply format on the wire, replies that
// must reach exactly their client, short requests, a server that goes away.
//
// serve_one always runs in a child process: a wrong solution that waits for a
// request that never comes is then reported at a deadline instead of hanging.
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>
#include <cstring>
#include <optional>
#include <utility>

#include "hidden_support.hpp"
#include "ipclab/bytes.hpp"
#include "ipclab/sysv_msg.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::sysv {
namespace {

using hidden::describe;
using hidden::first_difference;
using hidden::pattern;
using hidden::RemovedAtEnd;
using hidden::request_payload;
using hidden::show;
using testing::blocked_in;
using testing::ChildProcess;
using testing::fails_with;

/// "for <pid>: <body>": a reply that says whom the server thought it was for.
std::vector<std::byte> addressed_reply(pid_t client, std::span<const std::byte> body) {
  auto reply = to_bytes("for " + std::to_string(client) + ": ");
  reply.insert(reply.end(), body.begin(), body.end());
  return reply;
}

/// A child that calls serve_one `count` times on `server` (a copy made by fork:
/// the child never destroys it). Each call must return true.
ChildProcess serve_in_child(Server& server, int count, const Handler& handler = addressed_reply) {
  return ChildProcess("server", [&server, count, &handler] {
    for (int i = 1; i <= count; ++i) {
      CHILD_REQUIRE(server.serve_one(handler),
                    "B2.23: serve_one returned false for the well-formed request " +
                        std::to_string(i) + " of " + std::to_string(count));
    }
  });
}

/// A pid no process can have (above PID_MAX_LIMIT, 2^22): a client that does not exist.
constexpr std::int32_t kNoSuchPid = 2'000'000'000;

TEST_F(SysvHidden, B2_22_OwnedQueueRemovesItsQueueWhenDestroyed) {
  MessageQueue queue = MessageQueue::create_private();
  expect_queue_removed(queue.id());
  {
    OwnedQueue owned(queue);
    EXPECT_EQ(owned.get().id(), queue.id()) << "B2.22: get() is the owned queue";
    hidden::raw_send(queue.id(), 1, "still queued");
  }
  EXPECT_FALSE(hidden::queue_exists(queue.id()))
      << "B2.22: ~OwnedQueue must remove the queue (IPC_RMID), messages and all";
}

TEST_F(SysvHidden, B2_22_AnOwnedQueueWhoseQueueIsAlreadyGoneIsDestroyedQuietly) {
  // In a child: a destructor that lets remove()'s exception out of a noexcept
  // destructor calls std::terminate, and that must end a child, not the test.
  ChildProcess owner("owner", [] {
    MessageQueue queue = MessageQueue::create_private();
    {
      OwnedQueue owned(queue);
      CHILD_REQUIRE(::msgctl(queue.id(), IPC_RMID, nullptr) == 0,
                    "the test could not remove its queue: " + errno_name(errno));
    }  // ~OwnedQueue: IPC_RMID now fails with EINVAL
  });
  testing::ChildResult result = owner.wait();
  EXPECT_TRUE(result.ok())
      << "B2.22: ~OwnedQueue of a queue someone else already removed (IPC_RMID fails with "
         "EINVAL) must ignore the error; instead the "
      << result.describe()
      << (result.signal == SIGABRT
              ? " — an exception left the destructor (remove() throws), and a destructor is "
                "noexcept: call msgctl directly there, or catch"
              : "");
}

TEST_F(SysvHidden, B2_22_MovingAnOwnedQueueMovesTheDutyToRemoveIt) {
  MessageQueue queue = MessageQueue::create_private();
  expect_queue_removed(queue.id());
  std::optional<OwnedQueue> from(std::in_place, queue);
  std::optional<OwnedQueue> to(std::in_place, std::move(*from));
  EXPECT_EQ(to->get().id(), queue.id()) << "B2.22: the new owner has the queue";
  from.reset();
  EXPECT_TRUE(hidden::queue_exists(queue.id()))
      << "B2.22: a moved-from OwnedQueue owns nothing and must not remove the queue";
  to.reset();
  EXPECT_FALSE(hidden::queue_exists(queue.id())) << "B2.22: the OwnedQueue it moved to removes it";
}

TEST_F(SysvHidden, B2_22_MoveAssignmentRemovesTheQueueItReplaces) {
  MessageQueue old_queue = MessageQueue::create_private();
  MessageQueue new_queue = MessageQueue::create_private();
  expect_queue_removed(old_queue.id());
  expect_queue_removed(new_queue.id());
  std::optional<OwnedQueue> target(std::in_place, old_queue);
  std::optional<OwnedQueue> source(std::in_place, new_queue);
  *target = std::move(*source);
  EXPECT_FALSE(hidden::queue_exists(old_queue.id()))
      << "B2.22: move assignment must remove the queue the target owned before";
  EXPECT_EQ(target->get().id(), new_queue.id()) << "B2.22: the target now has the new queue";
  source.reset();
  EXPECT_TRUE(hidden::queue_exists(new_queue.id()))
      << "B2.22: the moved-from source owns nothing and must not remove the queue";
  target.reset();
  EXPECT_FALSE(hidden::queue_exists(new_queue.id())) << "B2.22: the target removes it";
}

TEST_F(SysvHidden, B2_22_TheServerRemovesItsQueueAfterServingWithRequestsLeft) {
  key_t key = sysv_key();
  int id = -1;
  {
    Server server(key, 0640);
    id = server.queue().id();
    expect_queue_removed(id);
    EXPECT_EQ(::msgget(key, 0), id) << "B2.22: the server's queue is the key's";
    EXPECT_EQ(hidden::kernel_status(id).msg_perm.mode & 0777, 0640u)
        << "B2.5: Server(key, 0640) creates its queue with mode 0640";
    hidden::raw_send(id, request_type, request_payload(4242, to_bytes("served")));
    hidden::raw_send(id, request_type, request_payload(4243, to_bytes("left over")));
    auto child = serve_in_child(server, 1);
    ASSERT_CHILD_OK(child);
    EXPECT_EQ(describe(hidden::raw_take(id, 4242)), "type 4242 \"for 4242: served\"") << "B2.23";
  }
  EXPECT_EQ(::msgget(key, 0), -1)
      << "B2.22: ~Server must remove its queue, also after serving and with a request left";
  EXPECT_FALSE(hidden::queue_exists(id)) << "B2.22";
}

TEST_F(SysvHidden, B2_22_AServerOnATakenKeyIsEexistAndLeavesThatQueueAlone) {
  key_t key = sysv_key();
  int existing = ::msgget(key, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_NE(existing, -1) << "msgget by the test: " << errno_name(errno);
  RemovedAtEnd cleanup(existing);
  hidden::raw_send(existing, request_type, request_payload(4242, to_bytes("someone's")));
  EXPECT_TRUE(fails_with("msgget", "EEXIST", [&] { Server server(key); }))
      << "B2.22: a second server on a key must fail (MessageQueue::create)";
  EXPECT_EQ(::msgget(key, 0), existing)
      << "B2.22: the failed server must not remove the queue it did not create";
  EXPECT_EQ(hidden::kernel_status(existing).msg_qnum, 1u) << "B2.22: nor take its messages";
}

TEST_F(SysvHidden, B2_23_ServeOneRepliesWithTheClientsPidAsTheType) {
  key_t key = sysv_key();
  Server server(key);
  const int id = server.queue().id();
  const std::vector<std::byte> binary = {std::byte{0}, std::byte{'z'}, std::byte{0},
                                         std::byte{0xff}};
  hidden::raw_send(id, request_type, request_payload(1000, to_bytes("hello")));
  hidden::raw_send(id, request_type, request_payload(1001, {}));
  hidden::raw_send(id, request_type, request_payload(1002, binary));
  hidden::raw_send(id, 777, "not a request");  // a reply for someone else
  std::vector<std::string> seen;
  auto child = serve_in_child(server, 3, [&](pid_t client, std::span<const std::byte> body) {
    const char* expected[] = {"1000 \"hello\"", "1001 \"\"", "1002 \"\\x00z\\x00\\xff\""};
    std::string got = std::to_string(client) + " " + show(body);
    CHILD_REQUIRE(got == expected[seen.size()],
                  "B2.23: the handler must get the client's pid and the body after the 4-byte "
                  "pid: expected " +
                      std::string(expected[seen.size()]) + ", got " + got);
    seen.push_back(got);
    return addressed_reply(client, body);
  });
  ASSERT_CHILD_OK(child);
  std::string replies;
  for (long pid : {1000L, 1001L, 1002L}) {
    auto reply = hidden::raw_take(id, pid);
    replies += (replies.empty() ? "" : ", ") + describe(reply);
  }
  EXPECT_EQ(replies,
            "type 1000 \"for 1000: hello\", type 1001 \"for 1001: \", "
            "type 1002 \"for 1002: \\x00z\\x00\\xff\"")
      << "B2.23: each reply's type is its client's pid, so that each client can take "
         "only its own; the queue held: "
      << hidden::take_all(id);
  EXPECT_EQ(hidden::take_all(id), "type 777 \"not a request\"")
      << "B2.23: serve_one takes requests (type 1) only";
}

TEST_F(SysvHidden, B2_23_ServeOneSkipsRepliesQueuedAheadOfTheRequest) {
  key_t key = sysv_key();
  Server server(key);
  const int id = server.queue().id();
  // Replies that their clients have not taken yet share the queue with the
  // requests, and here they come first: one of type 2 that is even shaped like
  // a request, one of a large pid and one of LONG_MAX. The oldest message is
  // not a request, so serve_one must select by type, not take the first one.
  const Message shaped{2, request_payload(5000, to_bytes("a reply shaped like a request"))};
  hidden::raw_send(id, shaped.type, shaped.payload);
  hidden::raw_send(id, 4'000'000, "a reply");
  hidden::raw_send(id, LONG_MAX, "another reply");
  hidden::raw_send(id, request_type, request_payload(1000, to_bytes("the request")));
  auto child = serve_in_child(server, 1, [](pid_t client, std::span<const std::byte> body) {
    std::string got = std::to_string(client) + " " + show(body);
    CHILD_REQUIRE(got == "1000 \"the request\"",
                  "B2.23: serve_one must take the request (type request_type, 1) although "
                  "replies of types 2, 4000000 and LONG_MAX are queued before it: expected the "
                  "handler to get 1000 \"the request\", got " +
                      got + " (a reply taken for a request: a receive of type 0?)");
    return addressed_reply(client, body);
  });
  ASSERT_TRUE(hidden::finishes_without_blocking_in(
      child, {"msgrcv"},
      "B2.23: a request (type 1) is queued, so serve_one must take it at once; it waited in "
      "msgrcv instead (a wrong type?)"));
  EXPECT_EQ(describe(hidden::raw_take(id, 1000)), "type 1000 \"for 1000: the request\"")
      << "B2.23: the reply to the request has the client's pid as its type";
  const std::string expected_left = describe(shaped) + ", type 4000000 \"a reply\", type " +
                                    std::to_string(LONG_MAX) + " \"another reply\"";
  EXPECT_EQ(hidden::take_all(id), expected_left)
      << "B2.23: the replies queued ahead of the request are not serve_one's to take: they "
         "must stay, in their order";
}

TEST_F(SysvHidden, B2_23_RequestsTooShortToHoldAPidAreDroppedWithoutAReply) {
  key_t key = sysv_key();
  Server server(key);
  const int id = server.queue().id();
  hidden::raw_send(id, request_type, "");
  hidden::raw_send(id, request_type, "\x01");
  hidden::raw_send(id, request_type, "abc");
  hidden::raw_send(id, request_type, request_payload(3000, to_bytes("ok")));
  ChildProcess child("server", [&] {
    int call = 0;
    for (const char* request : {"an empty request", "a 1-byte request", "a 3-byte request"}) {
      ++call;
      bool served = server.serve_one([](pid_t, std::span<const std::byte>) {
        return to_bytes("a reply to a request that has no pid");
      });
      CHILD_REQUIRE(!served, "B2.23: serve_one must return false for " + std::string(request) +
                                 " (call " + std::to_string(call) + ")");
    }
    CHILD_REQUIRE(server.serve_one(addressed_reply),
                  "B2.23: serve_one must return true for a request of exactly 4 + 2 bytes");
  });
  ASSERT_CHILD_OK(child);
  EXPECT_EQ(hidden::take_all(id), "type 3000 \"for 3000: ok\"")
      << "B2.23: a short request is consumed and answered by nothing; the good one is answered";
}

TEST_F(SysvHidden, B2_23_AClientSendsItsPidAndBodyAndTakesOnlyItsOwnReply) {
  key_t key = sysv_key();
  int id = ::msgget(key, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_NE(id, -1) << "msgget by the test: " << errno_name(errno);
  RemovedAtEnd cleanup(id);
  const auto body = pattern(100, 23);
  testing::Event go("the test queued other clients' replies");
  ChildProcess client("client", [&] {
    Client me(key);
    go.wait_or_fail();
    auto reply = me.request(body);
    CHILD_REQUIRE(to_string(reply) == "yours", "B2.23: expected the reply \"yours\", got " +
                                                   show(reply) +
                                                   " (another client's reply, or a request?)");
  });
  // Replies for other clients, queued before the request: below and above the pid.
  std::vector<long> others = {client.pid() + 1L, LONG_MAX};
  if (client.pid() > 2) {
    others.push_back(client.pid() - 1);
  }
  for (long other : others) {
    hidden::raw_send(id, other, "not yours");
  }
  go.notify();
  ASSERT_TRUE(blocked_in(client, {"msgrcv"}))
      << "B2.23: after sending its request, request() must wait for the reply of type getpid() "
         "(replies for other pids are queued; they are not its own)";
  auto request = hidden::raw_take(id, request_type);
  ASSERT_TRUE(request.has_value())
      << "B2.23: the client must send its request with type request_type (1); the queue held: "
      << hidden::take_all(id);
  const auto expected = request_payload(client.pid(), body);
  EXPECT_TRUE(request->payload == expected)
      << "B2.23: a request is the client's pid as a std::int32_t in host order, then the body: "
      << first_difference(expected, request->payload);
  hidden::raw_send(id, client.pid(), "yours");
  EXPECT_CHILD_OK(client);
  std::string left;
  for (long other : others) {
    left += (left.empty() ? "" : ", ") + describe(hidden::raw_take(id, other));
  }
  std::string expected_left;
  for (long other : others) {
    expected_left +=
        (expected_left.empty() ? "" : ", ") + describe(Message{other, to_bytes("not yours")});
  }
  EXPECT_EQ(left, expected_left) << "B2.23: request() must leave other clients' replies queued";
  EXPECT_EQ(hidden::kernel_status(id).msg_qnum, 0u) << "B2.23: one request, nothing else";
}

TEST_F(SysvHidden, B2_23_TwoWaitingClientsGetTheirOwnRepliesEvenWithAnotherReplyFirst) {
  key_t key = sysv_key();
  Server server(key);
  const int id = server.queue().id();
  // A request of a client that is not waiting comes first, so its reply is the
  // first one sent while A and B both wait: it must reach neither of them.
  hidden::raw_send(id, request_type, request_payload(kNoSuchPid, to_bytes("from nobody")));
  auto client = [&](const char* name, const char* body) {
    return ChildProcess(name, [&key, body] {
      Client me(key);
      std::string reply = to_string(me.request(to_bytes(body)));
      std::string expected = "for " + std::to_string(::getpid()) + ": " + body;
      CHILD_REQUIRE(reply == expected, "B2.23: sent \"" + std::string(body) +
                                           "\", expected the reply \"" + expected + "\", got \"" +
                                           reply + "\"");
    });
  };
  ChildProcess a = client("client A", "from A");
  ASSERT_TRUE(blocked_in(a, {"msgrcv"}))
      << "B2.23: client A must send its request and wait for the reply of type getpid(); the "
         "queue holds only requests (type 1), none of them its reply";
  ChildProcess b = client("client B", "from B");
  ASSERT_TRUE(blocked_in(b, {"msgrcv"})) << "B2.23: client B must wait for its reply too";
  ASSERT_EQ(hidden::kernel_status(id).msg_qnum, 3u)
      << "B2.23: each client sends one request, and waits";
  auto server_child = serve_in_child(server, 3);
  auto deadline = testing::default_deadline();
  EXPECT_TRUE(testing::exited_ok(server_child.wait(deadline))) << "B2.23";
  EXPECT_TRUE(testing::exited_ok(a.wait(deadline))) << "B2.23: client A";
  EXPECT_TRUE(testing::exited_ok(b.wait(deadline))) << "B2.23: client B";
  EXPECT_EQ(hidden::take_all(id),
            describe(Message{kNoSuchPid,
                             to_bytes("for " + std::to_string(kNoSuchPid) + ": from nobody")}))
      << "B2.23: the reply to the client that was not waiting stays queued, with its pid as type";
}

TEST_F(SysvHidden, B2_23_SixClientsFortyRequestsEachGetOnlyTheirReplies) {
  constexpr int kClients = 6;
  constexpr int kRequests = 40;
  key_t key = sysv_key();
  Server server(key);
  auto server_child = serve_in_child(server, kClients * kRequests,
                                     [](pid_t client, std::span<const std::byte> body) {
                                       auto reply = addressed_reply(client, body);
                                       std::reverse(reply.begin() + 4, reply.end());
                                       return reply;
                                     });
  std::vector<ChildProcess> clients;
  clients.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back("client " + std::to_string(c), [key, c] {
      Client me(key);
      for (int r = 0; r < kRequests; ++r) {
        auto body = pattern(static_cast<std::size_t>((c * 53 + r * 29) % 311),
                            static_cast<std::uint32_t>(c * 1000 + r));
        auto expected = addressed_reply(::getpid(), body);
        std::reverse(expected.begin() + 4, expected.end());
        auto reply = me.request(body);
        CHILD_REQUIRE(reply == expected, "B2.23: client " + std::to_string(c) + ", request " +
                                             std::to_string(r) + ": expected the reply " +
                                             show(expected) + ", got " + show(reply));
      }
    });
  }
  auto deadline = testing::default_deadline();
  for (auto& client : clients) {
    EXPECT_TRUE(testing::exited_ok(client.wait(deadline))) << "B2.23";
  }
  EXPECT_TRUE(testing::exited_ok(server_child.wait(deadline))) << "B2.23: the server";
  EXPECT_EQ(hidden::take_all(server.queue().id()), "empty")
      << "B2.23: every request was served and every reply taken";
}

TEST_F(SysvHidden, B2_23_TheLargestRequestAndReplyGoThrough) {
  const std::size_t largest = hidden::msgmax();
  key_t key = sysv_key();
  Server server(key);
  const auto body = pattern(largest - sizeof(std::int32_t), 7);
  auto server_child = serve_in_child(server, 1, [&](pid_t, std::span<const std::byte> got) {
    CHILD_REQUIRE(got.size() == body.size() && std::equal(got.begin(), got.end(), body.begin()),
                  "B2.23: the server must receive a request of msgmax bytes whole: " +
                      first_difference(body, got));
    return pattern(largest, 8);
  });
  ChildProcess client("client", [&] {
    Client me(key);
    auto reply = me.request(body);
    auto expected = pattern(largest, 8);
    CHILD_REQUIRE(reply == expected, "B2.23: a reply of msgmax bytes must arrive whole: " +
                                         first_difference(expected, reply));
  });
  auto deadline = testing::default_deadline();
  EXPECT_TRUE(testing::exited_ok(client.wait(deadline))) << "B2.23";
  EXPECT_TRUE(testing::exited_ok(server_child.wait(deadline))) << "B2.23: the server";
}

TEST_F(SysvHidden, B2_19_AClientWaitingForItsReplyFailsWithEidrmWhenTheServerGoesAway) {
  key_t key = sysv_key();
  std::optional<Server> server(std::in_place, key);
  const int id = server->queue().id();
  expect_queue_removed(id);
  ChildProcess client("client", [&] {
    Client me(key);
    auto result = fails_with("msgrcv", "EIDRM", [&] { me.request(to_bytes("anyone there?")); });
    CHILD_REQUIRE(result,
                  "B2.19: the server's queue was removed while request() waited for "
                  "the reply: " +
                      std::string(result.message()));
  });
  ASSERT_TRUE(blocked_in(client, {"msgrcv"})) << "B2.23: request() must wait for the reply";
  server.reset();
  EXPECT_FALSE(hidden::queue_exists(id)) << "B2.22: ~Server must remove its queue";
  EXPECT_CHILD_OK(client) << "B2.19: a removed queue is an error: throw, do not wait on";
}

TEST_F(SysvHidden, B2_24_AClientOpensOnlyAndAClientOfAServerThatHasGoneIsEnoent) {
  key_t key = sysv_key();
  {
    Server server(key);
    Client client(key);
    EXPECT_EQ(hidden::kernel_status(server.queue().id()).msg_qnum, 0u)
        << "B2.24: constructing a Client only opens the queue; it sends nothing";
  }
  EXPECT_TRUE(fails_with("msgget", "ENOENT", [&] { Client client(key); }))
      << "B2.24: the server has gone, and a client must not create a queue for it";
  EXPECT_EQ(::msgget(key, 0), -1) << "B2.24: no queue under the key";
}

}  // namespace
}  // namespace ipclab::sysv
