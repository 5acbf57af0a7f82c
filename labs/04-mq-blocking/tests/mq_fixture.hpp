// Lab 04 tests: a fresh small queue per test, removed by the test itself.
#pragma once

#include <mqueue.h>

#include <string>

#include "ipclab/bytes.hpp"
#include "ipclab/mq_blocking.hpp"
#include "ipclab/testing.hpp"

namespace ipclab::mq_blocking {

class MqBlocking : public testing::IpcTest {
 protected:
  /// A new queue of `capacity` messages of up to 64 bytes.
  Queue make(long capacity, Blocking blocking = Blocking::yes) {
    name_ = mq_name("q");
    return Queue::create(name_, Limits{capacity, 64}, blocking);
  }
  void TearDown() override {
    if (!name_.empty()) {
      ::mq_unlink(name_.c_str());
    }
    IpcTest::TearDown();
  }
  /// Fills `q` to capacity with the raw call (not the code under test).
  void fill(const Queue& q) {
    for (long i = q.attributes().current_messages; i < q.attributes().max_messages; ++i) {
      ASSERT_EQ(::mq_send(q.native(), "x", 1, 0), 0) << errno_name(errno);
    }
  }
  /// How many messages are queued, with the raw call.
  long count(const Queue& q) const {
    mq_attr attr{};
    ::mq_getattr(q.native(), &attr);
    return attr.mq_curmsgs;
  }
  std::string name_;
};

}  // namespace ipclab::mq_blocking
