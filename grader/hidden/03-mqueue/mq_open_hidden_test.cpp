// Lab 03 hidden tests: names, opening, access, limits, attributes and lifetime
// (B3.1 – B3.9, B3.16 – B3.18), at the edges: every way of opening in every
// access mode, limits exactly at and just above the system's maximum, queues
// that outlive their name in another process, moves of descriptors and names,
// and descriptors that must not leak over many cycles.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hidden_support.hpp"
#include "ipclab/bytes.hpp"
#include "ipclab/mqueue.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::mq {
namespace {

using hidden::access_mode_of;
using hidden::become_unprivileged;
using hidden::describe;
using hidden::is_open;
using hidden::kernel_attributes;
using hidden::mode_of;
using hidden::octal;
using hidden::Peek;
using hidden::raw_create;
using hidden::set_nonblocking;
using hidden::UmaskFor;
using hidden::UnlinkedAtEnd;
using testing::ChildProcess;
using testing::fails_with;
using testing::message_queue_exists;

/// Passes when `action` throws std::invalid_argument whose text contains
/// `problem` (what name_problem() said) — the sign that the name was checked
/// before any system call. A SystemError means the name reached the call.
template <typename Action>
::testing::AssertionResult refused_before_the_call(const std::string& problem, Action&& action) {
  try {
    action();
  } catch (const std::invalid_argument& error) {
    if (std::string(error.what()).find(problem) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "std::invalid_argument must say what is wrong with the name, as name_problem() "
              "does (\""
           << problem << "\"); it said: " << error.what();
  } catch (const SystemError& error) {
    return ::testing::AssertionFailure()
           << "expected std::invalid_argument before any system call; instead " << error.call()
           << " was called and failed with " << errno_name(error.error_number())
           << ": check the name with name_problem() first";
  } catch (const NotImplemented& error) {
    return ::testing::AssertionFailure() << error.what();
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure()
           << "expected std::invalid_argument; instead it threw: " << error.what();
  }
  return ::testing::AssertionFailure() << "expected std::invalid_argument; the call succeeded";
}

const char* access_name(Access access) {
  switch (access) {
    case Access::read_only:
      return "Access::read_only";
    case Access::write_only:
      return "Access::write_only";
    case Access::read_write:
      break;
  }
  return "Access::read_write";
}

// ---- names (B3.1, B3.2) ---------------------------------------------------------

TEST_F(MqHidden, B3_1_NameProblemAcceptsValidNamesAndExplainsEveryInvalidOne) {
  const std::vector<std::string> valid = {"/a",          "/orders",           "/a.b-c_d",
                                          "/with space", "/UPPER.lower.123",  "/...",
                                          "/a\\b",       "/" + std::string(254, 'n'),
                                          "/" + std::string(255, 'n')};
  for (const auto& name : valid) {
    EXPECT_EQ(name_problem(name), "")
        << "B3.1: \"" << name.substr(0, 40) << "\" (" << name.size() - 1
        << " characters after the slash) is a valid name";
  }
  const std::vector<std::string> invalid = {"a",   "orders/", "a/b",   " /a",     "\\a", "//",
                                            "///", "/a/",     "/a//",  "/ab/cd",  "/a/b/c",
                                            "/" + std::string(256, 'n'),
                                            "/" + std::string(1000, 'n'),
                                            "/" + std::string(100, 'n') + "/" + std::string(100, 'n')};
  for (const auto& name : invalid) {
    EXPECT_NE(name_problem(name), "")
        << "B3.1: \"" << name.substr(0, 40) << "\" (" << name.size()
        << " characters) is not a valid name: one leading slash, no other, 1 to 255 characters "
           "after it";
  }
}

TEST_F(MqHidden, B3_2_InvalidNamesAreInvalidArgumentSayingWhyAndCreateNothing) {
  // Built from unique names, so that a solution that "repairs" a name and
  // creates the queue anyway leaves a queue the leak check finds and removes.
  const std::string stem = mq_name("stem").substr(1);  // "ipclab.PID.N.stem"
  const std::string repaired = "/" + stem;
  const std::string too_long = mq_name(std::string(256, 'n'));
  struct Case {
    std::string name;
    const char* why;
  };
  const std::vector<Case> cases = {
      {stem, "no leading slash"},
      {"", "an empty name"},
      {"/", "nothing after the slash"},
      {"//" + stem, "two leading slashes"},
      {repaired + "/", "a trailing slash"},
      {repaired + "/x", "a second slash"},
      {too_long, "more than 255 characters after the slash"},
  };
  for (const Case& c : cases) {
    const std::string problem = name_problem(c.name);
    ASSERT_NE(problem, "") << "B3.1: name_problem must refuse " << c.why;
    EXPECT_TRUE(refused_before_the_call(problem, [&] { Queue::create(c.name, Limits{2, 16}); }))
        << "B3.2: create with " << c.why;
    EXPECT_TRUE(refused_before_the_call(problem, [&] {
      Queue::create_or_open(c.name, Access::write_only);
    })) << "B3.2: create_or_open with "
        << c.why;
    EXPECT_TRUE(refused_before_the_call(problem, [&] { Queue::open(c.name, Access::read_only); }))
        << "B3.2: open with " << c.why;
    EXPECT_FALSE(message_queue_exists(repaired))
        << "B3.2: after a name with " << c.why << " a queue " << repaired
        << " exists: an invalid name must be refused, never repaired";
  }
}

// ---- opening (B3.3 – B3.5) -------------------------------------------------------

TEST_F(MqHidden, B3_3_CreateOnAnExistingQueueIsEexistAndLeavesThatQueueAlone) {
  const std::string name = cleaned_name("exists");
  UmaskFor mask(0);
  raw_create(name, 3, 40, 0640);
  Peek peek(name);
  peek.send("already here", 4);
  EXPECT_TRUE(fails_with("mq_open", "EEXIST", [&] { Queue::create(name, Limits{5, 50}); }))
      << "B3.3: create must use O_CREAT | O_EXCL (other limits)";
  EXPECT_TRUE(fails_with("mq_open", "EEXIST", [&] {
    Queue::create(name, Limits{3, 40}, Access::write_only, 0600);
  })) << "B3.3: create must use O_CREAT | O_EXCL (the same limits)";
  mq_attr attr = peek.attributes();
  EXPECT_EQ(attr.mq_maxmsg, 3) << "B3.3: the existing queue's mq_maxmsg must be untouched";
  EXPECT_EQ(attr.mq_msgsize, 40) << "B3.3: the existing queue's mq_msgsize must be untouched";
  EXPECT_EQ(octal(mode_of(peek.native())), "0640")
      << "B3.3: the existing queue's mode must be untouched";
  EXPECT_EQ(peek.take_all(), "priority 4 \"already here\"")
      << "B3.3: the existing queue's messages must be untouched";
}

TEST_F(MqHidden, B3_4_OpenNeverCreatesInAnyAccessMode) {
  for (Access access : {Access::read_only, Access::write_only, Access::read_write}) {
    const std::string name = cleaned_name("missing");
    EXPECT_TRUE(fails_with("mq_open", "ENOENT", [&] { Queue::open(name, access); }))
        << "B3.4: open(" << access_name(access) << ") of a missing queue";
    EXPECT_FALSE(message_queue_exists(name))
        << "B3.4: open(" << access_name(access) << ") created the queue: no O_CREAT in open";
  }
  const std::string name = cleaned_name("gone");
  Queue::create(name, Limits{2, 16});
  ::mq_unlink(name.c_str());
  EXPECT_TRUE(fails_with("mq_open", "ENOENT", [&] { Queue::open(name, Access::read_write); }))
      << "B3.4: open after the queue was unlinked";
}

TEST_F(MqHidden, B3_5_EveryWayOfOpeningHonoursTheAccessMode) {
  enum class Way { create, create_or_open_new, create_or_open_existing, open };
  struct Expected {
    Access access;
    const char* flag;
    bool can_send;
    bool can_receive;
  };
  const Expected modes[] = {{Access::read_only, "O_RDONLY", false, true},
                            {Access::write_only, "O_WRONLY", true, false},
                            {Access::read_write, "O_RDWR", true, true}};
  for (Way way : {Way::create, Way::create_or_open_new, Way::create_or_open_existing, Way::open}) {
    for (const Expected& mode : modes) {
      const std::string name = cleaned_name("access");
      UnlinkedAtEnd cleanup(name);  // at once: a default-sized queue is large
      std::string how;  // "open(Access::read_only)", for the messages
      std::optional<Queue> queue;
      switch (way) {
        case Way::create:
          how = "create";
          queue.emplace(Queue::create(name, Limits{4, 32}, mode.access));
          break;
        case Way::create_or_open_new:
          how = "create_or_open";
          queue.emplace(Queue::create_or_open(name, mode.access));
          break;
        case Way::create_or_open_existing:
          how = "create_or_open";
          raw_create(name, 4, 32);
          queue.emplace(Queue::create_or_open(name, mode.access));
          break;
        case Way::open:
          how = "open";
          raw_create(name, 4, 32);
          queue.emplace(Queue::open(name, mode.access));
          break;
      }
      how += "(" + std::string(access_name(mode.access)) + ")";
      if (way == Way::create_or_open_new || way == Way::create_or_open_existing) {
        how += way == Way::create_or_open_new ? " of a new queue" : " of an existing queue";
      }
      set_nonblocking(queue->native(), true);
      EXPECT_EQ(access_mode_of(queue->native()), mode.flag)
          << "B3.5: " << how << " must open the queue " << mode.flag;
      Peek peek(name);
      if (mode.can_send) {
        queue->send(to_bytes("sent"), 1);
        EXPECT_EQ(peek.take_all(), "priority 1 \"sent\"") << "B3.5: sending after " << how;
      } else {
        EXPECT_TRUE(fails_with("mq_send", "EBADF", [&] { queue->send(to_bytes("sent"), 1); }))
            << "B3.5: sending after " << how;
        EXPECT_EQ(peek.count(), 0) << "B3.5: a refused send must queue nothing (" << how << ")";
      }
      peek.send("waiting", 2);
      if (mode.can_receive) {
        EXPECT_EQ(describe(queue->receive()), "priority 2 \"waiting\"")
            << "B3.5: receiving after " << how;
      } else {
        EXPECT_TRUE(fails_with("mq_receive", "EBADF", [&] { queue->receive(); }))
            << "B3.5: receiving after " << how;
        EXPECT_EQ(peek.count(), 1)
            << "B3.5: a refused receive must leave the message queued (" << how << ")";
      }
    }
  }
}

// ---- attributes and limits (B3.6 – B3.9) ------------------------------------------

TEST_F(MqHidden, B3_6_CreateMakesExactlyTheRequestedLimits) {
  const long most_messages = hidden::msg_max();
  const long largest = hidden::msgsize_max();
  ASSERT_GT(most_messages, 0) << "cannot read /proc/sys/fs/mqueue/msg_max";
  ASSERT_GT(largest, 0) << "cannot read /proc/sys/fs/mqueue/msgsize_max";
  for (Limits limits : {Limits{1, 1}, Limits{3, 100}, Limits{7, 333}, Limits{most_messages, 16},
                        Limits{2, largest}}) {
    const std::string name = cleaned_name("limits");
    UnlinkedAtEnd cleanup(name);
    Queue queue = Queue::create(name, limits);
    const std::string asked = "create(Limits{" + std::to_string(limits.max_messages) + ", " +
                              std::to_string(limits.message_size) + "})";
    mq_attr kernel = kernel_attributes(queue.native());
    EXPECT_EQ(kernel.mq_maxmsg, limits.max_messages)
        << "B3.6: " << asked << " made a queue whose mq_maxmsg (mq_getattr by the test) differs: "
        << "pass the limits in the mq_attr of mq_open";
    EXPECT_EQ(kernel.mq_msgsize, limits.message_size)
        << "B3.6: " << asked << " made a queue whose mq_msgsize (mq_getattr by the test) differs";
    Attributes reported = queue.attributes();
    EXPECT_EQ(reported.max_messages, kernel.mq_maxmsg) << "B3.6: attributes() after " << asked;
    EXPECT_EQ(reported.message_size, kernel.mq_msgsize) << "B3.6: attributes() after " << asked;
    EXPECT_EQ(reported.current_messages, 0) << "B3.6: a new queue is empty (" << asked << ")";
  }
}

TEST_F(MqHidden, B3_6_CreateAndCreateOrOpenGiveTheQueueTheRequestedMode) {
  UmaskFor mask(0);
  for (mode_t mode : {0600, 0640, 0604, 0660, 0644}) {
    const std::string name = cleaned_name("mode");
    UnlinkedAtEnd cleanup(name);
    Queue queue = Queue::create(name, Limits{2, 16}, Access::read_write, mode);
    EXPECT_EQ(octal(mode_of(queue.native())), octal(static_cast<int>(mode)))
        << "B3.6: create(..., " << octal(static_cast<int>(mode))
        << ") must pass the mode to mq_open (the umask is 0 here)";
  }
  const std::string name = cleaned_name("mode-default");
  UnlinkedAtEnd cleanup(name);
  Queue queue = Queue::create_or_open(name, Access::read_only, 0604);
  EXPECT_EQ(octal(mode_of(queue.native())), "0604")
      << "B3.6: create_or_open(..., 0604) must pass the mode to mq_open (the umask is 0 here)";
}

TEST_F(MqHidden, B3_6_TheUmaskTakesItsBitsOffTheModeAskedFor) {
  // Under umask 0 a create() that forces the mode afterwards (fchmod) looks
  // right; only a umask that removes bits of the mode asked for tells it from
  // one that lets mq_open apply the umask, as open() and mkfifo() do.
  UmaskFor mask(027);
  struct Case {
    mode_t asked;
    const char* expected;  // asked & ~027
  };
  for (Case c : {Case{0666, "0640"}, Case{0660, "0640"}, Case{0606, "0600"}}) {
    const std::string asked = octal(static_cast<int>(c.asked));
    const std::string name = cleaned_name("umask");
    Queue created = Queue::create(name, Limits{2, 16}, Access::read_write, c.asked);
    EXPECT_EQ(octal(mode_of(created.native())), c.expected)
        << "B3.6: create(..., " << asked << ") under umask 027 must make a queue of mode "
        << c.expected << " (mode less the umask); it has " << octal(mode_of(created.native()))
        << ": pass the mode to mq_open and change nothing afterwards (no fchmod)";
    const std::string other = cleaned_name("umask-or-open");
    Queue opened = Queue::create_or_open(other, Access::read_write, c.asked);
    EXPECT_EQ(octal(mode_of(opened.native())), c.expected)
        << "B3.6: create_or_open(..., " << asked << ") under umask 027 must make a queue of mode "
        << c.expected << "; it has " << octal(mode_of(opened.native()));
  }
}

/// Runs `body` in a child without root's privilege over the queue limits.
ChildProcess unprivileged(const char* label, const std::function<void()>& body) {
  return ChildProcess(label, [&body] {
    become_unprivileged();
    body();
  });
}

TEST_F(MqHidden, B3_7_EachLimitAboveTheMaximumIsEinvalNamingThatLimit) {
  const long most_messages = hidden::msg_max();
  const long largest = hidden::msgsize_max();
  ASSERT_GT(most_messages, 0) << "cannot read /proc/sys/fs/mqueue/msg_max";
  ASSERT_GT(largest, 0) << "cannot read /proc/sys/fs/mqueue/msgsize_max";
  struct Case {
    Limits limits;
    std::string limit;  // the name the error must mention
    long value;         // and its value
  };
  const std::vector<Case> cases = {
      {Limits{2, largest + 1}, "msgsize_max", largest},
      {Limits{1, largest * 2}, "msgsize_max", largest},
      {Limits{most_messages + 1, 16}, "msg_max", most_messages},
  };
  for (const Case& c : cases) {
    const std::string name = mq_name("too-big");
    const std::string asked = "Limits{" + std::to_string(c.limits.max_messages) + ", " +
                              std::to_string(c.limits.message_size) + "}";
    ChildProcess child = unprivileged("unprivileged", [&] {
      try {
        Queue::create(name, c.limits);
      } catch (const SystemError& error) {
        const std::string what = error.what();
        CHILD_REQUIRE(error.call() == "mq_open" && error.error_number() == EINVAL,
                      "B3.7: " + asked + ": expected mq_open to fail with EINVAL; got " + what);
        CHILD_REQUIRE(what.find(c.limit) != std::string::npos,
                      "B3.7: " + asked + " exceeds /proc/sys/fs/mqueue/" + c.limit +
                          ": the error must name that limit; it said: " + what);
        CHILD_REQUIRE(what.find(std::to_string(c.value)) != std::string::npos,
                      "B3.7: " + asked + ": the error must give the value of " + c.limit + " (" +
                          std::to_string(c.value) + "); it said: " + what);
        CHILD_REQUIRE(!message_queue_exists(name), "B3.7: the refused queue exists anyway");
        return;
      }
      CHILD_REQUIRE(false, "B3.7: " + asked + " was accepted for an unprivileged process");
    });
    EXPECT_CHILD_OK(child);
  }
}

TEST_F(MqHidden, B3_7_LimitsExactlyAtTheMaximumAreAccepted) {
  const long most_messages = hidden::msg_max();
  const long largest = hidden::msgsize_max();
  ASSERT_GT(most_messages, 0) << "cannot read /proc/sys/fs/mqueue/msg_max";
  ASSERT_GT(largest, 0) << "cannot read /proc/sys/fs/mqueue/msgsize_max";
  const std::string many = mq_name("most-messages");
  const std::string wide = mq_name("largest");
  ChildProcess child = unprivileged("unprivileged", [&] {
    for (auto [name, limits] : {std::pair{many, Limits{most_messages, 16}},
                                std::pair{wide, Limits{1, largest}}}) {
      const std::string asked = "Limits{" + std::to_string(limits.max_messages) + ", " +
                                std::to_string(limits.message_size) + "}";
      try {
        Queue queue = Queue::create(name, limits);
        ::mq_unlink(name.c_str());
        mq_attr attr = kernel_attributes(queue.native());
        CHILD_REQUIRE(attr.mq_maxmsg == limits.max_messages &&
                          attr.mq_msgsize == limits.message_size,
                      "B3.7: " + asked + " made a queue with other limits");
      } catch (const SystemError& error) {
        ::mq_unlink(name.c_str());
        CHILD_REQUIRE(false, "B3.7: " + asked +
                                 " is exactly at the system's maximum and must be accepted; "
                                 "got " +
                                 error.what());
      }
    }
  });
  EXPECT_CHILD_OK(child);
}

TEST_F(MqHidden, B3_7_LimitsThatAreNotPositiveAreEinvalAndCreateNothing) {
  for (Limits limits : {Limits{0, 16}, Limits{2, 0}, Limits{-1, 16}, Limits{2, -5}}) {
    const std::string name = mq_name("not-positive");
    EXPECT_TRUE(fails_with("mq_open", "EINVAL", [&] { Queue::create(name, limits); }))
        << "B3.7: Limits{" << limits.max_messages << ", " << limits.message_size << "}";
    EXPECT_FALSE(message_queue_exists(name)) << "B3.7: the refused queue exists anyway";
  }
}

TEST_F(MqHidden, B3_8_CreateOrOpenKeepsAnExistingQueuesLimitsMessagesAndMode) {
  const std::string name = cleaned_name("existing");
  UmaskFor mask(0);
  raw_create(name, 3, 40, 0640);
  {
    Peek peek(name);
    peek.send("first", 2);
    peek.send("second", 7);
  }
  Queue queue = Queue::create_or_open(name, Access::read_write, 0600);
  set_nonblocking(queue.native(), true);
  mq_attr kernel = kernel_attributes(queue.native());
  EXPECT_EQ(kernel.mq_maxmsg, 3) << "B3.8: an existing queue keeps its mq_maxmsg";
  EXPECT_EQ(kernel.mq_msgsize, 40) << "B3.8: an existing queue keeps its mq_msgsize";
  EXPECT_EQ(kernel.mq_curmsgs, 2) << "B3.8: an existing queue keeps its messages (opened, "
                                     "never removed and made again)";
  EXPECT_EQ(octal(mode_of(queue.native())), "0640") << "B3.8: an existing queue keeps its mode";
  EXPECT_EQ(queue.attributes().max_messages, 3) << "B3.8: attributes() of the opened queue";
  EXPECT_EQ(describe(queue.receive()), "priority 7 \"second\"") << "B3.8";
  EXPECT_EQ(describe(queue.receive()), "priority 2 \"first\"") << "B3.8";

  const std::string fresh_name = cleaned_name("fresh");
  UnlinkedAtEnd cleanup(fresh_name);
  Queue fresh = Queue::create_or_open(fresh_name, Access::write_only, 0604);
  mq_attr defaults = kernel_attributes(fresh.native());
  EXPECT_EQ(defaults.mq_maxmsg, hidden::proc_value("/proc/sys/fs/mqueue/msg_default"))
      << "B3.8: a new queue has the system's default mq_maxmsg (a NULL mq_attr)";
  EXPECT_EQ(defaults.mq_msgsize, hidden::proc_value("/proc/sys/fs/mqueue/msgsize_default"))
      << "B3.8: a new queue has the system's default mq_msgsize (a NULL mq_attr)";
  EXPECT_EQ(octal(mode_of(fresh.native())), "0604") << "B3.8: a new queue gets the mode";
}

/// What a child says when it cannot get an IPC namespace of its own whose
/// defaults it may set: the parent turns it into a skip, not a failure.
constexpr std::string_view kNoNamespace = "cannot test here: ";

/// Writes `value` to the file `path` (a sysctl), or says why it could not.
std::string write_number(const char* path, long value) {
  std::ofstream file(path);
  file << value << std::flush;
  return file ? "" : std::string("writing ") + path + " failed (" + errno_name(errno) + ")";
}

/// In a child: moves into a new IPC namespace (its own queues, its own
/// /proc/sys/fs/mqueue settings) and sets msg_default and msgsize_default
/// there. Returns why it could not, or "". Root does it directly; anyone else
/// through a user namespace of its own, where it holds CAP_SYS_RESOURCE over the
/// new IPC namespace (Linux 5.19 and later let that write the mqueue sysctls).
std::string own_ipc_namespace_with_defaults(long msg_default, long msgsize_default) {
  std::string why;
  if (::unshare(CLONE_NEWIPC) != 0) {
    why = "unshare(CLONE_NEWIPC) failed with " + errno_name(errno);
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    if (::unshare(CLONE_NEWUSER | CLONE_NEWIPC) != 0) {
      return why + ", unshare(CLONE_NEWUSER | CLONE_NEWIPC) with " + errno_name(errno);
    }
    // mq_open creates a file in the new namespace's mqueue file system, which
    // refuses a creator whose uid or gid has no name in its user namespace
    // (EOVERFLOW): map ours to root there.
    for (auto [path, text] : {std::pair{"/proc/self/setgroups", std::string("deny")},
                              std::pair{"/proc/self/uid_map", "0 " + std::to_string(uid) + " 1"},
                              std::pair{"/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"}}) {
      std::ofstream file(path);
      file << text << std::flush;
      if (!file) {
        return why + "; in a user namespace, writing " + path + " failed (" + errno_name(errno) +
               ")";
      }
    }
    why = "";
  }
  for (auto [path, value] : {std::pair{"/proc/sys/fs/mqueue/msg_default", msg_default},
                             std::pair{"/proc/sys/fs/mqueue/msgsize_default", msgsize_default}}) {
    if (std::string failed = write_number(path, value); !failed.empty()) {
      return failed + " in a new IPC namespace";
    }
  }
  return "";
}

TEST_F(MqHidden, B3_8_CreateOrOpenTakesTheDefaultsOfTheSystemItRunsOn) {
  // The usual defaults (10 messages of 8192 bytes) are also the lab's Limits{}:
  // a create_or_open that passes Limits{} or {10, 8192} instead of a NULL
  // mq_attr gets them everywhere. In an IPC namespace of the test's own, with
  // other defaults, it does not.
  constexpr long kMessages = 3;
  constexpr long kSize = 1000;
  const std::string name = mq_name("own-defaults");  // made in the child's namespace, gone with it
  ChildProcess child("own namespace", [&] {
    if (std::string why = own_ipc_namespace_with_defaults(kMessages, kSize); !why.empty()) {
      throw testing::ChildFailure(std::string(kNoNamespace) + why);
    }
    mq_attr attr{};
    try {
      Queue queue = Queue::create_or_open(name, Access::read_write);
      attr = kernel_attributes(queue.native());
      ::mq_unlink(name.c_str());
    } catch (const std::exception& error) {
      ::mq_unlink(name.c_str());
      CHILD_REQUIRE(false, std::string("B3.8: create_or_open of a new queue failed: ") + error.what());
    }
    CHILD_REQUIRE(attr.mq_maxmsg == kMessages && attr.mq_msgsize == kSize,
                  "B3.8: where msg_default is " + std::to_string(kMessages) +
                      " and msgsize_default is " + std::to_string(kSize) +
                      ", create_or_open made a queue of mq_maxmsg " +
                      std::to_string(attr.mq_maxmsg) + " and mq_msgsize " +
                      std::to_string(attr.mq_msgsize) +
                      ": pass a NULL mq_attr to mq_open, so that the system's defaults apply, "
                      "not limits of your own");
  });
  testing::ChildResult result = child.wait();
  if (!result.ok() && result.message.starts_with(kNoNamespace)) {
    GTEST_SKIP() << "B3.8: this test needs an IPC namespace of its own with other defaults, and "
                 << result.message;
  }
  if (!result.ok()) {
    ADD_FAILURE() << result.describe();
  }
}

TEST_F(MqHidden, B3_9_AttributesFollowInterleavedSendsAndReceivesOnEveryDescriptor) {
  Queue writer = make(Limits{5, 32}, Access::write_only);
  Queue reader = Queue::open(name_, Access::read_only);
  set_nonblocking(reader.native(), true);
  const std::string script = "ssrsssrrssrrsrr";  // s = send, r = receive; never more than 5
  long expected = 0;
  int step = 0;
  for (char action : script) {
    ++step;
    if (action == 's') {
      writer.send(to_bytes("m" + std::to_string(step)), static_cast<unsigned>(step % 3));
      ++expected;
    } else {
      reader.receive();
      --expected;
    }
    ASSERT_EQ(kernel_attributes(reader.native()).mq_curmsgs, expected)
        << "step " << step << " (" << script.substr(0, static_cast<std::size_t>(step))
        << "): the queue holds another number of messages than sent minus received";
    Attributes by_writer = writer.attributes();
    Attributes by_reader = reader.attributes();
    EXPECT_EQ(by_writer.current_messages, expected)
        << "B3.9: step " << step << " (" << script.substr(0, static_cast<std::size_t>(step))
        << "), attributes() of the write-only descriptor";
    EXPECT_EQ(by_reader.current_messages, expected)
        << "B3.9: step " << step << ", attributes() of the read-only descriptor";
    EXPECT_EQ(by_writer.max_messages, 5) << "B3.9: mq_maxmsg never changes";
    EXPECT_EQ(by_reader.message_size, 32) << "B3.9: mq_msgsize never changes";
  }
}

TEST_F(MqHidden, B3_9_NonblockingIsTheFlagOfThisDescriptor) {
  Queue first = make(Limits{2, 16}, Access::read_write, /*may_wait=*/true);
  Queue second = Queue::open(name_, Access::read_write);
  EXPECT_FALSE(first.attributes().nonblocking) << "B3.9: a new descriptor blocks";
  set_nonblocking(first.native(), true);
  EXPECT_TRUE(first.attributes().nonblocking)
      << "B3.9: after mq_setattr(O_NONBLOCK) on this descriptor, nonblocking is true "
         "(mq_flags & O_NONBLOCK of mq_getattr)";
  EXPECT_FALSE(second.attributes().nonblocking)
      << "B3.9: O_NONBLOCK belongs to one descriptor: the other one still blocks";
  set_nonblocking(first.native(), false);
  EXPECT_FALSE(first.attributes().nonblocking) << "B3.9: O_NONBLOCK cleared again";
}

// ---- lifetime, ownership and descriptors (B3.16 – B3.18) --------------------------

TEST_F(MqHidden, B3_16_AnotherProcessKeepsUsingAQueueAfterItsNameIsUnlinked) {
  Queue mine = make(Limits{4, 32});
  const std::string name = name_;
  testing::Event opened("the holder opened the queue");
  testing::Event unlinked("the name is unlinked and a message is queued");
  testing::Event answered("the holder sent its answer");
  ChildProcess holder("holder", [&] {
    Queue theirs = Queue::open(name, Access::read_write);
    set_nonblocking(theirs.native(), true);
    opened.notify();
    unlinked.wait_or_fail();
    Received got = theirs.receive();
    CHILD_REQUIRE(describe(got) == "priority 3 \"after unlink\"",
                  "B3.16: the holder's descriptor must still reach the queue after mq_unlink; "
                  "it received " +
                      describe(got));
    theirs.send(to_bytes("answer"), 5);
    answered.notify();
  });
  ASSERT_TRUE(opened.wait_for(holder));
  unlink(name);
  EXPECT_FALSE(message_queue_exists(name)) << "B3.16: unlink must remove the name (mq_unlink)";
  mine.send(to_bytes("after unlink"), 3);
  unlinked.notify();
  ASSERT_TRUE(answered.wait_for(holder));
  EXPECT_EQ(describe(mine.receive()), "priority 5 \"answer\"")
      << "B3.16: both descriptors still share the unlinked queue";
  EXPECT_CHILD_OK(holder);

  Queue fresh = Queue::create(name, Limits{2, 16});
  mine.send(to_bytes("old queue"));
  EXPECT_EQ(kernel_attributes(fresh.native()).mq_curmsgs, 0)
      << "B3.16: a queue created under the unlinked name is a new queue";
  EXPECT_EQ(kernel_attributes(fresh.native()).mq_maxmsg, 2) << "B3.16: with its own limits";
  EXPECT_EQ(kernel_attributes(mine.native()).mq_maxmsg, 4)
      << "B3.16: the old descriptor still refers to the old queue";
}

TEST_F(MqHidden, B3_17_AMovedFromQueueDoesNotCloseTheDescriptorItGaveAway) {
  std::optional<Queue> first(make(Limits{2, 16}));
  const int fd = first->native();
  Queue second(std::move(*first));
  EXPECT_EQ(second.native(), fd) << "B3.17: the move constructor takes over the descriptor";
  first.reset();
  ASSERT_TRUE(is_open(fd))
      << "B3.17: destroying a moved-from Queue closed the descriptor it had given away";
  std::optional<Queue> third(std::move(second));
  {
    Queue gone(std::move(*third));
  }
  EXPECT_FALSE(is_open(fd)) << "B3.17: the Queue that holds the descriptor closes it";
  third.reset();  // a moved-from Queue must be safe to destroy
}

TEST_F(MqHidden, B3_17_MoveAssigningAQueueClosesItsOldDescriptor) {
  Queue target = make(Limits{2, 16});
  const std::string old_name = name_;
  Queue source = make(Limits{2, 16});
  const std::string new_name = name_;
  const int old_fd = target.native();
  const int new_fd = source.native();
  target = std::move(source);
  EXPECT_FALSE(is_open(old_fd))
      << "B3.17: move assignment must close the descriptor the Queue held before (mq_close)";
  EXPECT_EQ(target.native(), new_fd) << "B3.17: ... and take over the other one";
  ASSERT_TRUE(is_open(new_fd)) << "B3.17: the descriptor taken over must stay open";
  target.send(to_bytes("to the new queue"));
  EXPECT_EQ(Peek(new_name).take_all(), "priority 0 \"to the new queue\"")
      << "B3.17: after the assignment the Queue uses the other queue";
  EXPECT_EQ(Peek(old_name).take_all(), "empty");
}

TEST_F(MqHidden, B3_17_AQueueMovedFromByAssignmentDoesNotCloseTheDescriptorItGaveAway) {
  Queue target = make(Limits{2, 16});
  std::optional<Queue> source(make(Limits{2, 16}));
  const std::string new_name = name_;
  const int new_fd = source->native();
  target = std::move(*source);
  ASSERT_EQ(target.native(), new_fd) << "B3.17: move assignment takes over the other descriptor";
  source.reset();
  ASSERT_TRUE(is_open(new_fd))
      << "B3.17: after target = std::move(source), destroying source closed descriptor "
      << new_fd << ", which target now holds: move assignment must leave the moved-from Queue "
         "without a descriptor, or both Queues close it";
  target.send(to_bytes("still reachable"), 3);
  EXPECT_EQ(Peek(new_name).take_all(), "priority 3 \"still reachable\"")
      << "B3.17: the Queue assigned to keeps using the descriptor it took over";
  {
    Queue last(std::move(target));
  }
  EXPECT_FALSE(is_open(new_fd)) << "B3.17: the Queue that holds the descriptor closes it";
}

TEST_F(MqHidden, B3_17_AMovedFromOwnerDoesNotUnlinkTheName) {
  Queue queue = make(Limits{2, 16});
  std::optional<QueueOwner> first(std::in_place, name_);
  QueueOwner second(std::move(*first));
  EXPECT_EQ(first->name(), "") << "B3.17: a moved-from QueueOwner owns no name";
  EXPECT_EQ(second.name(), name_) << "B3.17: the move constructor takes over the name";
  first.reset();
  EXPECT_TRUE(message_queue_exists(name_))
      << "B3.17: destroying a moved-from QueueOwner unlinked the name it had given away";
  {
    QueueOwner last(std::move(second));
  }
  EXPECT_FALSE(message_queue_exists(name_))
      << "B3.17: the QueueOwner that holds the name unlinks it";
}

TEST_F(MqHidden, B3_17_MoveAssigningAnOwnerUnlinksItsOldName) {
  Queue old_queue = make(Limits{2, 16});
  const std::string old_name = name_;
  Queue new_queue = make(Limits{2, 16});
  const std::string new_name = name_;
  {
    QueueOwner target(old_name);
    QueueOwner source(new_name);
    target = std::move(source);
    EXPECT_FALSE(message_queue_exists(old_name))
        << "B3.17: move assignment must unlink the name the QueueOwner held before";
    EXPECT_TRUE(message_queue_exists(new_name)) << "B3.17: ... and not the one it takes over";
    EXPECT_EQ(target.name(), new_name) << "B3.17: the owner now holds the other name";
    EXPECT_EQ(source.name(), "") << "B3.17: a moved-from QueueOwner owns no name";
  }
  EXPECT_FALSE(message_queue_exists(new_name)) << "B3.17: the new owner unlinks it in the end";
}

TEST_F(MqHidden, B3_17_AnOwnerUnlinksOnlyTheNameAndIgnoresANameAlreadyGone) {
  Queue queue = make(Limits{2, 16});
  {
    QueueOwner owner(name_);
  }
  EXPECT_FALSE(message_queue_exists(name_)) << "B3.17: ~QueueOwner must unlink the name";
  ASSERT_TRUE(is_open(queue.native()))
      << "B3.17: ~QueueOwner unlinks the name; it must not close anyone's descriptor";
  queue.send(to_bytes("still works"), 6);
  EXPECT_EQ(describe(queue.receive()), "priority 6 \"still works\"")
      << "B3.16: an open descriptor keeps working after its name is gone";
  {
    QueueOwner again(name_);  // mq_unlink now fails with ENOENT: ~QueueOwner must not throw
  }
  SUCCEED();
}

TEST_F(MqHidden, B3_18_ManyCyclesOfOpeningMovingAndFailingLeaveNoDescriptorBehind) {
  const int before = hidden::open_descriptors();
  for (int cycle = 1; cycle <= 30; ++cycle) {
    const std::string name = mq_name("cycle");
    const std::string missing = mq_name("missing");
    const std::string refused = mq_name("refused");
    {
      QueueOwner owner(name);
      Queue created = Queue::create(name, Limits{2, 16});
      Queue reader = Queue::open(name, Access::read_only);
      Queue writer = Queue::create_or_open(name, Access::write_only);
      Queue moved(std::move(created));
      reader = std::move(moved);
      writer.send(to_bytes("x"));
      ASSERT_TRUE(fails_with("mq_open", "EEXIST", [&] { Queue::create(name, Limits{2, 16}); }))
          << "B3.3 (cycle " << cycle << ")";
      ASSERT_TRUE(fails_with("mq_open", "ENOENT", [&] { Queue::open(missing, Access::read_only); }))
          << "B3.4 (cycle " << cycle << ")";
      ASSERT_TRUE(fails_with("mq_open", "EINVAL", [&] { Queue::create(refused, Limits{0, 16}); }))
          << "B3.7 (cycle " << cycle << ")";
    }
    ASSERT_EQ(hidden::open_descriptors(), before)
        << "B3.18: cycle " << cycle
        << ": descriptors stay open after every Queue is gone: ~Queue must mq_close, move "
           "assignment must close the old descriptor, a failed open must leave none";
    ASSERT_FALSE(message_queue_exists(name))
        << "B3.18: cycle " << cycle << ": ~QueueOwner must unlink";
  }
}

// A negative control (listed under "controls" in grader/rubric/03-mqueue.json, never
// run by ctest): its honest outcome is a failure whatever the lab's code does,
// it is worth nothing and no report lists it. If it passes, the test process
// wrote its own report, and the grader voids the lab's verdicts.
TEST_F(MqHidden, B3_4_AnUnlinkedNameCanBeCreatedAgainAtOnce) {
  auto marker = scratch_path("after-b3-4-");
  EXPECT_EQ(::access(marker.c_str(), F_OK), 0) << "B3.4: expected an unlinked name can be created again";
}

}  // namespace
}  // namespace ipclab::mq
