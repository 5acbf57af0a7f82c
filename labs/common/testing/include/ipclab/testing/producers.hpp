/// \file
/// \brief Many processes sending at once, and messages that say who sent them.
///
/// A queue, a ring or a server shows its races only when several processes use
/// it at the same time. These helpers start them in one line, number what each
/// sends so that the receiving side can tell who sent what in which order, and
/// wait for all of them with one verdict.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ipclab/testing/child.hpp"

namespace ipclab::testing {

/// Message `i` of producer `p`: "p.i" ("2.17"), unique in a test and easy to
/// read back in a failure message.
std::string numbered(int p, int i);

/// `count` child processes started one after the other without waiting between
/// them, child `p` running `body(p)` and named "`role` p" ("producer 2") in
/// failure messages. Their destructors kill and report any left running.
class ProducerProcesses {
 public:
  ProducerProcesses(int count, const std::function<void(int p)>& body,
                    const std::string& role = "producer");

  /// Waits for each child in turn (each with the default deadline, as
  /// ChildProcess::wait) and returns how each ended.
  std::vector<ChildResult> wait();

 private:
  std::vector<ChildProcess> children_;
};

/// Passes when every child exited 0; otherwise names each one that did not and how it ended.
::testing::AssertionResult exited_ok(const std::vector<ChildResult>& results);

}  // namespace ipclab::testing

/// Waits for every child of a ProducerProcesses and fails the test unless each
/// exited 0; more text can be streamed in: `EXPECT_CHILDREN_OK(clients) << "B6.10";`
#define EXPECT_CHILDREN_OK(children) IPCLAB_CHILD_OK_(children, ADD_FAILURE)
