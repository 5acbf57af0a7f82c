/// \file
/// \brief Running test code in a forked child, with a deadline and a verdict.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "ipclab/testing/deadline.hpp"
#include "ipclab/unique_fd.hpp"

namespace ipclab::testing {

/// How a child ended.
struct ChildResult {
  std::string name;        ///< the label given to spawn()
  bool exited = false;     ///< exited normally (exit_code is valid)
  int exit_code = -1;      ///< exit status when exited
  int signal = 0;          ///< the signal that killed it, or 0
  bool timed_out = false;  ///< still running at the deadline: it was killed
  std::string blocked_in;  ///< at a timeout: the system call it was blocked in
  std::string message;     ///< what the child reported (an exception's text)

  /// True when the child exited with status 0.
  [[nodiscard]] bool ok() const { return exited && exit_code == 0; }
  /// One sentence for a failure message: "child 'reader' " + outcome().
  [[nodiscard]] std::string describe() const;
  /// How it ended: "exited with status 1: <its message>", "was killed by SIGSEGV"...
  [[nodiscard]] std::string outcome() const;
};

/// Thrown inside a child by CHILD_REQUIRE; its text becomes the child's message.
class ChildFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A forked child running `body`. The child runs in its own process group, dies
/// with its parent (PR_SET_PDEATHSIG), and reports an exception's text back
/// through a pipe. The destructor kills and reaps a child that is still there,
/// and fails the current test, because a test must not leave processes behind.
class ChildProcess {
 public:
  /// Forks; the child runs `body` and exits 0 if it returns, 1 if it throws.
  ChildProcess(std::string name, const std::function<void()>& body);
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// The pidfd: readable once the child has exited (for poll together with other fds).
  [[nodiscard]] int exit_fd() const noexcept { return pidfd_.get(); }
  /// True once the child has exited (without reaping it).
  [[nodiscard]] bool has_exited() const;

  /// Waits for the child until `deadline`; at the deadline records what it was
  /// blocked in, kills its process group and reaps it. Safe to call again.
  ChildResult wait(std::chrono::steady_clock::time_point deadline = default_deadline());
  /// Sends `sig` to the child.
  void kill(int sig) const;

 private:
  void reap(int status);

  std::string name_;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd message_fd_;
  bool reaped_ = false;
  ChildResult result_;
};

/// Passes when the child exited 0; otherwise says how it ended and what it said.
::testing::AssertionResult exited_ok(const ChildResult& result);

}  // namespace ipclab::testing

/// Inside a child: fail the child (exit 1) with a message unless `condition` holds.
#define CHILD_REQUIRE(condition, message)                                                 \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      throw ::ipclab::testing::ChildFailure(std::string(__FILE__) + ":" +                 \
                                            std::to_string(__LINE__) + ": " + (message)); \
    }                                                                                     \
  } while (false)

// The failure message is the child's story alone ("child 'reader' exited with
// status 1: ..."), not GoogleTest's "Value of: <the whole expression>"; a note
// streamed in after it (`<< "B1.4: ..."`) starts a line of its own.
#define IPCLAB_CHILD_OK_(child, on_failure)                                     \
  GTEST_AMBIGUOUS_ELSE_BLOCKER_                                                \
  if (const ::testing::AssertionResult ipclab_child_ok_ =                       \
          ::ipclab::testing::exited_ok((child).wait()))                         \
    ;                                                                          \
  else                                                                         \
    on_failure() << ipclab_child_ok_.message() << "\n"

/// Waits for a ChildProcess and fails the test unless it exited 0; more text
/// can be streamed in: `EXPECT_CHILD_OK(reader) << "B1.4: ...";`
#define EXPECT_CHILD_OK(child) IPCLAB_CHILD_OK_(child, ADD_FAILURE)
/// Like EXPECT_CHILD_OK, and ends the test on failure.
#define ASSERT_CHILD_OK(child) IPCLAB_CHILD_OK_(child, FAIL)
